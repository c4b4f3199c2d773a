// Shelly's four paths: Gen2 HTTP (Shelly.GetStatus), Gen1 HTTP (/status),
// Gen1 MQTT (one number per topic) and Gen2 MQTT (NotifyStatus merged onto
// the known full status). Baselines: nlohmann::json::parse of the same
// document, the parser every JSON path starts with; for Gen1 MQTT, whose
// payloads are plain numbers, std::from_chars of each payload.
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "agent/shelly/shelly_gen1_mqtt_parser.h"
#include "agent/shelly/shelly_gen1_parser.h"
#include "agent/shelly/shelly_gen2_mqtt_status.h"
#include "agent/shelly/shelly_gen2_parser.h"
#include "bench/pro3em_documents.h"
#include "bench/source_path.h"

namespace wattline::bench {
namespace {

using Json = nlohmann::json;

// Keeps a computed value alive so the compiler cannot drop the computation.
volatile double g_sink = 0;

SourcePath Gen2Http() {
  // One document per round, as the agent polls one per second.
  struct State {
    std::vector<std::string> documents;
    size_t next = 0;
    agent::Samples out;
    std::vector<std::string> faulty;
  };
  auto state = std::make_shared<State>();
  Pro3emDocuments pro3em(kBenchStartMs);
  for (size_t i = 0; i < kTotalRounds; ++i) {
    state->documents.push_back(pro3em.ShellyGetStatus(kBenchStartMs + 1000 * int64_t(i)));
  }
  SourcePath path;
  path.name = "shelly_gen2_http";
  path.what = "ParseShellyStatus, Shelly.GetStatus of a Pro 3EM (shelly-pro3em-sim's document)";
  path.baseline = "json::parse";
  path.run = [state] {
    const size_t i = state->next++ % state->documents.size();
    const size_t before = state->out.size();
    CheckSetup(agent::ParseShellyStatus(state->documents[i], "panel", kBenchStartMs, &state->out,
                                        &state->faulty)
                   .ok(),
               "Shelly.GetStatus does not parse");
    return state->out.size() - before;
  };
  path.run_baseline = [state] {
    const size_t i = state->next++ % state->documents.size();
    Json doc = Json::parse(state->documents[i]);
    g_sink = static_cast<double>(doc.size());
  };
  path.reset = [state] { state->out.clear(); };
  return path;
}

SourcePath Gen1Http() {
  struct State {
    std::string document;
    agent::Samples out;
    std::vector<std::string> invalid;
  };
  auto state = std::make_shared<State>();
  // DEVICES.md A.1's capture of a 3EM's /status.
  state->document = ReadSourceFile("agent/shelly/fuzz_corpus/shelly_gen1/status_3em_a1.json");
  SourcePath path;
  path.name = "shelly_gen1_http";
  path.what = "ParseGen1Status, /status of a 3EM (DEVICES.md A.1 capture)";
  path.baseline = "json::parse";
  path.run = [state] {
    const size_t before = state->out.size();
    CheckSetup(agent::ParseGen1Status(state->document, "panel", kBenchStartMs, &state->out,
                                      &state->invalid)
                   .ok(),
               "the 3EM /status does not parse");
    return state->out.size() - before;
  };
  path.run_baseline = [state] {
    Json doc = Json::parse(state->document);
    g_sink = static_cast<double>(doc.size());
  };
  path.reset = [state] { state->out.clear(); };
  return path;
}

SourcePath Gen1Mqtt() {
  struct State {
    std::vector<std::pair<std::string, std::string>> messages;  // subtopic, payload
    agent::Samples out;
  };
  auto state = std::make_shared<State>();
  // One update of a 3EM: DEVICES.md A.2's verbatim capture, plus the
  // Watt-minute counters every emeter also publishes (ignored by design, but
  // they arrive and are handled).
  static constexpr const char* kUpdate[][2] = {
      {"emeter/0/power", "41.25"},    {"emeter/0/pf", "0.18"},
      {"emeter/0/current", "0.99"},   {"emeter/0/voltage", "232.25"},
      {"emeter/0/total", "13372.4"},  {"emeter/0/total_returned", "0.0"},
      {"emeter/0/energy", "802281"},  {"emeter/0/returned_energy", "0"},
      {"emeter/1/power", "275.04"},   {"emeter/1/pf", "0.72"},
      {"emeter/1/current", "1.65"},   {"emeter/1/voltage", "232.83"},
      {"emeter/1/total", "27948.4"},  {"emeter/1/total_returned", "0.0"},
      {"emeter/1/energy", "1676904"}, {"emeter/1/returned_energy", "0"},
      {"emeter/2/power", "-2.23"},    {"emeter/2/pf", "-0.02"},
      {"emeter/2/current", "0.39"},   {"emeter/2/voltage", "233.14"},
      {"emeter/2/total", "4107.8"},   {"emeter/2/total_returned", "186.9"},
      {"emeter/2/energy", "246468"},  {"emeter/2/returned_energy", "11214"},
  };
  for (const auto& [subtopic, payload] : kUpdate) state->messages.emplace_back(subtopic, payload);
  SourcePath path;
  path.name = "shelly_gen1_mqtt";
  path.what = "ParseShellyGen1Message, one 3EM update: 24 emeter topics (DEVICES.md A.2)";
  path.baseline = "from_chars";
  path.messages_per_round = state->messages.size();
  path.run = [state] {
    const size_t before = state->out.size();
    for (const auto& [subtopic, payload] : state->messages) {
      if (!agent::ParseShellyGen1Message(subtopic, payload, "panel", kBenchStartMs, &state->out)
               .ok()) {
        Fail("Gen1 MQTT message " + subtopic + " does not parse");
      }
    }
    return state->out.size() - before;
  };
  path.run_baseline = [state] {
    for (const auto& message : state->messages) {
      const std::string& payload = message.second;
      double value = 0;
      std::from_chars(payload.data(), payload.data() + payload.size(), value);
      g_sink = value;
    }
  };
  path.reset = [state] { state->out.clear(); };
  return path;
}

// NotifyStatus frames of em:0 as a Pro 3EM sends them when readings change:
// the changed numbers, stamped with the device's time. Built from the
// simulator's em:0 status (dropping the error arrays, which do not change).
std::string NotifyFrame(const std::string& method, Json params, int64_t now_ms) {
  params["ts"] = static_cast<double>(now_ms) / 1000.0;
  Json frame = {{"src", "shellypro3em-c8f09e9e3779"}, {"dst", "shellypro3em-c8f09e9e3779/events"},
                {"method", method}, {"params", std::move(params)}};
  return frame.dump();
}

SourcePath Gen2Mqtt() {
  struct State {
    agent::ShellyGen2MqttStatus status{"panel"};
    std::vector<std::string> frames;
    size_t next = 0;
    agent::Samples out;
  };
  auto state = std::make_shared<State>();
  Pro3emDocuments pro3em(kBenchStartMs);
  agent::Samples initial;
  const std::string full = NotifyFrame(
      "NotifyFullStatus", Json::parse(pro3em.ShellyGetStatus(kBenchStartMs)), kBenchStartMs);
  CheckSetup(state->status.OnRpcFrame(full, false, kBenchStartMs, &initial).ok(),
             "NotifyFullStatus does not apply");
  for (size_t i = 1; i <= kTotalRounds; ++i) {
    const int64_t now = kBenchStartMs + 1000 * int64_t(i);
    Json em = Json::parse(pro3em.EmStatus(now));
    for (const char* key : {"a_errors", "b_errors", "c_errors", "n_errors", "errors",
                            "user_calibrated_phase"}) {
      em.erase(key);
    }
    state->frames.push_back(NotifyFrame("NotifyStatus", {{"em:0", std::move(em)}}, now));
  }
  SourcePath path;
  path.name = "shelly_gen2_mqtt";
  path.what = "ShellyGen2MqttStatus::OnRpcFrame, NotifyStatus of em:0 merged onto full status";
  path.baseline = "json::parse";
  path.run = [state] {
    CheckSetup(state->next < state->frames.size(), "out of NotifyStatus frames");
    const size_t before = state->out.size();
    const std::string& frame = state->frames[state->next++];
    CheckSetup(state->status.OnRpcFrame(frame, false, kBenchStartMs, &state->out).ok(),
               "NotifyStatus does not apply");
    return state->out.size() - before;
  };
  path.run_baseline = [state] {
    Json doc = Json::parse(state->frames.front());
    g_sink = static_cast<double>(doc.size());
  };
  path.reset = [state] { state->out.clear(); };
  return path;
}

}  // namespace

std::vector<SourcePath> ShellyPaths() {
  std::vector<SourcePath> paths;
  paths.push_back(Gen2Http());
  paths.push_back(Gen1Http());
  paths.push_back(Gen1Mqtt());
  paths.push_back(Gen2Mqtt());
  return paths;
}

}  // namespace wattline::bench
