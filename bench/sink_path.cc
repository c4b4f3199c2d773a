// The path every sample takes after its source, whatever the source: the
// agent's sink (OpenBatch::Add, agent/agent.cc) and, every seal interval, the
// seal (OpenBatch::Take, then Outbox::Seal: protobuf, zstd and an SQLite
// insert). A round is one second of a home with 12 Pro 3EMs polled at 1 Hz
// (360 series, the size of the resident-memory bench), sealed every 5 rounds
// as with the default seal_interval of 5 s. Upload and acknowledgement are
// not included.
//
// Baseline: copying the round's samples, the least any buffer must do with
// them.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/batch/open_batch.h"
#include "agent/outbox/outbox.h"
#include "agent/shelly/shelly_gen2_parser.h"
#include "bench/pro3em_documents.h"
#include "bench/source_path.h"

namespace wattline::bench {
namespace {

constexpr int kDevices = 12;
constexpr size_t kRoundsPerSeal = 5;

volatile size_t g_sink = 0;

SourcePath SinkAndSeal() {
  struct State {
    ~State() {
      outbox.reset();
      if (!dir.empty()) std::filesystem::remove_all(dir);
    }
    std::string dir;
    std::unique_ptr<agent::Outbox> outbox;
    agent::OpenBatch open;
    std::vector<Pro3emDocuments> meters;
    std::vector<agent::Samples> polls;  // this round's, one per device
    size_t round = 0;
  };
  auto state = std::make_shared<State>();
  char dir[] = "/tmp/wattline-sink-bench-XXXXXX";
  CheckSetup(mkdtemp(dir) != nullptr, "cannot make a temporary directory");
  state->dir = dir;
  // The default persist mode (always): every seal is a committed transaction.
  auto outbox = agent::Outbox::Open(state->dir + "/outbox.db", agent::OutboxOptions{}, "bench");
  CheckSetup(outbox.ok(), "cannot open the outbox");
  state->outbox = std::move(*outbox);
  for (int i = 0; i < kDevices; ++i) state->meters.emplace_back(kBenchStartMs, uint64_t(i + 1));
  state->polls.resize(kDevices);

  // What the sources hand over this round: each meter's Shelly.GetStatus,
  // parsed. Made between rounds, outside the count.
  auto make_polls = [state] {
    const int64_t now = kBenchStartMs + 1000 * int64_t(state->round);
    for (int i = 0; i < kDevices; ++i) {
      agent::Samples& poll = state->polls[size_t(i)];
      poll.clear();
      std::vector<std::string> faulty;
      CheckSetup(agent::ParseShellyStatus(state->meters[size_t(i)].ShellyGetStatus(now),
                                          "pro3em-" + std::to_string(i + 1), now, &poll, &faulty)
                     .ok(),
                 "Shelly.GetStatus does not parse");
    }
  };
  make_polls();

  SourcePath path;
  path.name = "sink_and_seal";
  path.what = "OpenBatch::Add per poll; every 5th round OpenBatch::Take + Outbox::Seal";
  path.baseline = "copy samples";
  path.messages_per_round = kDevices;
  path.run = [state] {
    size_t samples = 0;
    for (const agent::Samples& poll : state->polls) {
      state->open.Add(poll);
      samples += poll.size();
    }
    if (++state->round % kRoundsPerSeal == 0) {
      const int64_t now = kBenchStartMs + 1000 * int64_t(state->round);
      Batch batch = state->open.Take(now);
      batch.agent_id = "bench";
      CheckSetup(state->outbox->Seal(std::move(batch), agent::SealTime{now, true, "", 0}).ok(),
                 "the seal failed");
    }
    return samples;
  };
  path.run_baseline = [state] {
    for (const agent::Samples& poll : state->polls) {
      agent::Samples copy = poll;
      g_sink = copy.size();
    }
  };
  path.reset = make_polls;
  return path;
}

}  // namespace

std::vector<SourcePath> SinkPaths() {
  std::vector<SourcePath> paths;
  paths.push_back(SinkAndSeal());
  return paths;
}

}  // namespace wattline::bench
