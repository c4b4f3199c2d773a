// wattline-agent: parse flags and config, build the Agent, run the loop.
#include <signal.h>
#include <uv.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "agent/agent.h"
#include "agent/config/agent_config.h"
#include "agent/net/loadable_modules.h"
#include "agent/resident_code.h"
#include "common/log.h"
#include "common/version.h"

namespace {

constexpr const char* kUsage =
    "usage: wattline-agent --config FILE      run the agent\n"
    "       wattline-agent --check-config FILE  check a config and exit\n"
    "       wattline-agent --print-config       print every option with its default\n"
    "       wattline-agent --version\n";

int Run(const std::string& config_path) {
  auto config = wattline::agent::LoadAgentConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "wattline-agent: %s\n", config.status().ToString().c_str());
    return 2;
  }
  wattline::SetLogLevel(config->log_level);
  wattline::SystemClock clock;
  uv_loop_t loop;
  uv_loop_init(&loop);
  auto agent = wattline::agent::Agent::Create(&loop, *config, &clock);
  if (!agent.ok()) {
    std::fprintf(stderr, "wattline-agent: %s\n", agent.status().ToString().c_str());
    uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks of what Create had opened
    uv_loop_close(&loop);
    return 1;
  }
  wattline::Status started = (*agent)->Start();
  if (!started.ok()) {
    std::fprintf(stderr, "wattline-agent: %s\n", started.ToString().c_str());
    return 1;
  }
  wattline::LogInfo("agent", std::string("wattline-agent ") + wattline::kVersion + " started: " +
                                 std::to_string(config->sources.size()) +
                                 " source(s), data_dir " + config->data_dir + ", seal every " +
                                 std::to_string(config->seal_interval_ms) + " ms, upload to " +
                                 config->upload.url + ", " +
                                 std::string(wattline::agent::LoadableModulesMode()));

  // SIGINT/SIGTERM: seal what is open, stop, let the loop drain.
  uv_signal_t sigint, sigterm;
  auto* agent_ptr = agent->get();
  for (auto [handle, signum] : {std::pair{&sigint, SIGINT}, std::pair{&sigterm, SIGTERM}}) {
    uv_signal_init(&loop, handle);
    handle->data = agent_ptr;
    uv_signal_start(
        handle,
        [](uv_signal_t* h, int) {
          wattline::LogInfo("agent", "stopping");
          static_cast<wattline::agent::Agent*>(h->data)->Shutdown();
          uv_walk(
              h->loop,
              [](uv_handle_t* open_handle, void*) {
                if (open_handle->type == UV_SIGNAL && !uv_is_closing(open_handle)) {
                  uv_close(open_handle, nullptr);
                }
              },
              nullptr);
        },
        signum);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  agent->reset();
  uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks of what the agent owned
  int rc = uv_loop_close(&loop);
  if (rc != 0) wattline::LogWarning("agent", std::string("loop close: ") + uv_strerror(rc));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that closes its socket must give a write error, not kill us.
  signal(SIGPIPE, SIG_IGN);
  // Before any thread starts and before the first host lookup.
  if (wattline::Status modules = wattline::agent::ConfigureLoadableModules(); !modules.ok()) {
    std::fprintf(stderr, "wattline-agent: %s\n", modules.ToString().c_str());
    return 1;
  }
  std::string arg1 = argc > 1 ? argv[1] : "";
  if (arg1 == "--version") {
    std::printf("wattline-agent %s (%s)\n", wattline::kVersion, wattline::kSourceRevision);
    return 0;
  }
  if (arg1 == "--print-config") {
    std::fputs(wattline::agent::AgentConfigReference().c_str(), stdout);
    return 0;
  }
  if (arg1 == "--check-config" && argc == 3) {
    auto config = wattline::agent::LoadAgentConfig(argv[2]);
    if (!config.ok()) {
      std::fprintf(stderr, "%s\n", config.status().message().c_str());
      return 2;
    }
    std::printf("%s: OK (%zu source(s))\n", argv[2], config->sources.size());
    return 0;
  }
  if (arg1 == "--config" && argc == 3) {
    if (wattline::Status advice = wattline::agent::AdviseRandomCodeAccess(); !advice.ok()) {
      std::fprintf(stderr, "wattline-agent: %s\n", advice.ToString().c_str());
    }
    return Run(argv[2]);
  }
  std::fputs(kUsage, arg1 == "--help" || arg1 == "-h" ? stdout : stderr);
  return arg1 == "--help" || arg1 == "-h" ? 0 : 2;
}
