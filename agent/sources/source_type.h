// How the agent's config names and builds sources: one SourceType per `type:`
// value in the `sources:` list. Each type reads its own entry (and may load
// profiles), and hands back a factory that builds the Source once the loop
// and the shared MQTT connection exist. The list of types lives in
// source_types.cc, the only file that knows them all.
#ifndef WATTLINE_AGENT_SOURCES_SOURCE_TYPE_H_
#define WATTLINE_AGENT_SOURCES_SOURCE_TYPE_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/source.h"
#include "common/clock.h"
#include "common/config/config_tree.h"
#include "common/status.h"

typedef struct uv_loop_s uv_loop_t;

namespace wattline::agent {

class MqttClient;
class SourceStateStore;

// What the agent lends a source. Everything outlives the source.
struct SourceEnv {
  uv_loop_t* loop = nullptr;
  const Clock* clock = nullptr;
  SampleSink sink;
  // The agent's one broker connection (config section `mqtt`), or nullptr
  // when none is configured. Sources subscribe through it.
  MqttClient* mqtt = nullptr;
  // Small persistent state of sources (e.g. how far a meter's history was
  // read), in the agent's data directory (agent/state/source_state_store.h).
  SourceStateStore* state = nullptr;
};

using SourceFactory = std::function<Result<std::unique_ptr<Source>>(const SourceEnv&)>;

// One entry of `sources:`, checked and ready to build.
struct SourceConfig {
  std::string type;
  std::string where;                 // FILE:LINE:COLUMN of the entry
  std::vector<std::string> devices;  // device labels it will produce, when known in advance
  bool needs_mqtt = false;           // the config must then have an `mqtt` section
  SourceFactory create;
};

// What reading an entry may need besides the entry itself.
struct SourceConfigContext {
  // Where a user's device profiles live (agent.profile_dir); a profile named
  // in the config is looked up there first, then among the built-in ones.
  std::string profile_dir;
};

struct SourceType {
  std::string_view name;     // the `type:` value
  std::string_view summary;  // one line, for --print-config
  // Reads one `sources:` entry. Errors name FILE:LINE:COLUMN and the option.
  Result<SourceConfig> (*read)(const ConfigNode& entry, const SourceConfigContext& context);
  // One complete example entry as commented YAML (every option, its default
  // and why), indented for a list item; --print-config prints it.
  std::string (*reference)();
};

// Every source type, in the order --print-config lists them.
std::span<const SourceType* const> SourceTypes();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_SOURCE_TYPE_H_
