// The agent: sources -> open batch -> (seal) -> outbox -> uploader. One libuv
// loop owns all of it; docs/ARCHITECTURE.md follows a sample through.
//
// Thread-safety: loop thread only.
#ifndef WATTLINE_AGENT_AGENT_H_
#define WATTLINE_AGENT_AGENT_H_

#include <memory>
#include <vector>

#include "agent/batch/open_batch.h"
#include "agent/config/agent_config.h"
#include "agent/loop/timer.h"
#include "agent/mqtt/mqtt_client.h"
#include "agent/outbox/outbox.h"
#include "agent/sources/source.h"
#include "agent/state/source_state_store.h"
#include "agent/time/time_keeper.h"
#include "agent/upload/uploader.h"
#include "common/clock.h"

namespace wattline::agent {

class Agent {
 public:
  // Opens the outbox under config.data_dir and builds sources and uploader.
  // `loop` and `clock` outlive the Agent. `clock` is the system's (wall and
  // boot time); samples are stamped by the agent's TimeKeeper built on it.
  static Result<std::unique_ptr<Agent>> Create(uv_loop_t* loop, const AgentConfig& config,
                                               const Clock* clock);

  // Starts polling, sealing, recording health and uploading.
  Status Start();
  // Stops polling, seals what is open (so a clean stop loses nothing), and
  // stops timers. The loop ends once the pool work in flight has finished.
  void Shutdown();

 private:
  Agent(uv_loop_t* loop, const AgentConfig& config);
  void Seal();
  // Adds every source's per-device health, the MQTT connection's counters
  // when there is one, and the agent's own state (agent/self_metrics.h) to
  // the open batch as series.
  void RecordHealth();
  // Asks the kernel about the clock again and saves a changed offset.
  void RefreshTime();
  void SaveClockOffset();

  uv_loop_t* loop_;
  AgentConfig config_;
  std::unique_ptr<TimeKeeper> time_;  // the clock of everything below
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Uploader> uploader_;
  std::unique_ptr<SourceStateStore> state_;  // before sources_, which use it
  std::unique_ptr<MqttClient> mqtt_;         // before sources_: they subscribe through it
  std::vector<std::unique_ptr<Source>> sources_;
  OpenBatch open_;
  Timer seal_timer_;
  Timer health_timer_;
  Timer persist_timer_;  // outbox.persist: unacked
  LogThrottle seal_error_log_;
  uint64_t open_batch_dropped_samples_ = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_AGENT_H_
