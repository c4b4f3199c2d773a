// shelly-gen1-sim: an HTTP server speaking the Shelly Gen1 API of a Shelly
// 3EM or Shelly EM (DEVICES.md A.1), backed by ShellyGen1Model.
//
//   shelly-gen1-sim [--model 3em|em] [--user U] [--password P]
//                   [--invalid-emeter N] [--listen ADDR] [--port N]
//                   [--port-file FILE] [--served-log FILE] [--seed N]
//
// Endpoints:
//   GET /status     the whole status, emeters[] included (restricted)
//   GET /emeter/N   emeters[N] alone (restricted)
//   GET /shelly     device info; never restricted, "auth" tells whether
//                   the login is on
// With --password the "restricted login" is on, as set in the device's web
// UI: the restricted endpoints need HTTP Basic credentials --user (default
// admin) and --password, and answer 401 with WWW-Authenticate: Basic
// otherwise.
//
// --invalid-emeter N reports emeters[N] with "is_valid": false (a CT the
// meter cannot read), its numbers left as the model has them.
//
// --port 0 binds an ephemeral port; --port-file, SIGTERM/SIGINT:
// tests/sim/sim_server.h; flag errors: tests/sim/sim_flags.h. --served-log
// FILE appends one line per /status answered (tests/sim/sim_server.h),
// "method" being "/status".
#include <httplib.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/sim/shelly_gen1_model.h"
#include "tests/sim/sim_flags.h"
#include "tests/sim/sim_server.h"

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;  // keeps the device's key order

constexpr char kName[] = "shelly-gen1-sim";

struct Options : SimFlags {
  Gen1Device device = Gen1Device::k3em;
  std::string user = "admin";
  std::string password;  // empty: the login is off
  int invalid_emeter = -1;
};

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i]) << 16 |
                                             static_cast<unsigned char>(in[i + 1]) << 8 |
                                             static_cast<unsigned char>(in[i + 2]));
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i]) << 16);
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Json EmeterToJson(const Gen1Emeter& e, Gen1Device device, bool valid) {
  Json json;
  json["power"] = e.power_w;
  if (device == Gen1Device::kEm) {
    json["reactive"] = e.reactive_var;
    json["pf"] = e.pf;
  } else {
    json["pf"] = e.pf;
    json["current"] = e.current_a;
  }
  json["voltage"] = e.voltage_v;
  json["is_valid"] = valid;
  json["total"] = e.total_wh;
  json["total_returned"] = e.total_returned_wh;
  return json;
}

// The simulated device. Thread-safe: the server's worker threads call it.
class Device {
 public:
  Device(const Options& options, std::unique_ptr<ServedLog> served_log)
      : options_(options),
        started_ms_(NowUnixMs()),
        model_(options.device, options.seed, started_ms_),
        served_log_(std::move(served_log)) {
    char mac[13];
    std::snprintf(mac, sizeof mac, "C8F09E%06llX",
                  static_cast<unsigned long long>((options.seed * 0x9e3779b97f4a7c15ULL) >> 40));
    mac_ = mac;
    const bool three_phase = options.device == Gen1Device::k3em;
    Json info;
    info["type"] = three_phase ? "SHEM-3" : "SHEM";
    info["mac"] = mac_;
    info["auth"] = !options.password.empty();
    info["fw"] = "20230913-114244/v1.14.0-gcb84623";
    info["longid"] = 1;
    info["num_outputs"] = 1;
    info["num_meters"] = 0;
    info["num_emeters"] = three_phase ? 3 : 2;
    info_text_ = info.dump();
  }

  const std::string& info_text() const { return info_text_; }

  // True when the request may see restricted endpoints.
  bool Authorized(const httplib::Request& req) const {
    if (options_.password.empty()) return true;
    return req.get_header_value("Authorization") ==
           "Basic " + Base64(options_.user + ":" + options_.password);
  }

  std::string Realm() const {
    return std::string(options_.device == Gen1Device::k3em ? "shellyem3-" : "shellyem-") + mac_;
  }

  // The /status body (and its served-log line), or with `emeter` >= 0 that
  // emeter alone (not logged). "" when `emeter` is out of range.
  std::string Status(int emeter) {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now_ms = NowUnixMs();
    const Gen1Reading reading = model_.Read(now_ms);
    Json emeters = Json::array();
    for (size_t i = 0; i < reading.emeters.size(); ++i) {
      const bool valid = static_cast<int>(i) != options_.invalid_emeter;
      emeters.push_back(EmeterToJson(reading.emeters[i], options_.device, valid));
    }
    if (emeter >= 0) {
      return emeter < static_cast<int>(emeters.size()) ? emeters[static_cast<size_t>(emeter)].dump()
                                                       : "";
    }
    const std::string text = StatusJson(now_ms, reading, std::move(emeters)).dump();
    served_log_->Append(now_ms, "/status", text);
    return text;
  }

 private:
  // The newer firmware's /status (v1.14, key order as the device sends it).
  Json StatusJson(int64_t now_ms, const Gen1Reading& reading, Json emeters) const {
    const bool three_phase = options_.device == Gen1Device::k3em;
    const int64_t unixtime = now_ms / 1000;
    char time[16];
    std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(unixtime / 3600 % 24),
                  static_cast<int>(unixtime / 60 % 60));
    Json status;
    status["wifi_sta"] = {
        {"connected", true}, {"ssid", "wattline-sim"}, {"ip", "127.0.0.1"}, {"rssi", -52}};
    status["cloud"] = {{"enabled", false}, {"connected", false}};
    status["mqtt"] = {{"connected", false}};
    status["time"] = time;
    status["unixtime"] = unixtime;
    status["serial"] = 1;
    status["has_update"] = false;
    status["mac"] = mac_;
    status["cfg_changed_cnt"] = 0;
    status["actions_stats"] = {{"skipped", 0}};
    status["relays"] = Json::array({{{"ison", false},
                                     {"has_timer", false},
                                     {"timer_started", 0},
                                     {"timer_duration", 0},
                                     {"timer_remaining", 0},
                                     {"overpower", false},
                                     {"is_valid", true},
                                     {"source", "input"}}});
    status["emeters"] = std::move(emeters);
    if (three_phase) {
      status["total_power"] = reading.total_power_w;
      status["emeter_n"] = {
          {"current", 0.0}, {"ixsum", 0.0}, {"mismatch", false}, {"is_valid", false}};
    }
    status["fs_mounted"] = true;
    status["update"] = {{"status", "idle"},
                        {"has_update", false},
                        {"new_version", "20230913-114244/v1.14.0-gcb84623"},
                        {"old_version", "20230913-114244/v1.14.0-gcb84623"}};
    status["ram_total"] = 49296;
    status["ram_free"] = 31056;
    status["fs_size"] = 233681;
    status["fs_free"] = 151102;
    status["uptime"] = (now_ms - started_ms_) / 1000;
    return status;
  }

  const Options options_;
  const int64_t started_ms_;
  std::string mac_;
  std::string info_text_;
  std::mutex mu_;
  ShellyGen1Model model_;                  // GUARDED_BY(mu_)
  std::unique_ptr<ServedLog> served_log_;  // its lines in model order under mu_
};

constexpr char kUsage[] =
    "usage: shelly-gen1-sim [--model 3em|em] [--user U] [--password P]\n"
    "                       [--invalid-emeter N] [--listen ADDR] [--port N]\n"
    "                       [--port-file FILE] [--served-log FILE] [--seed N]\n";

Options ParseArgs(int argc, char** argv) {
  const SimCommandLine command_line(kName, "a Shelly 3EM or EM (Gen1) over HTTP", kUsage);
  Options options;
  command_line.Parse(argc, argv, &options, [&](const std::string& flag, const std::string& value) {
    if (flag == "--model") {
      if (value != "3em" && value != "em") command_line.Fail("--model is 3em or em");
      options.device = value == "3em" ? Gen1Device::k3em : Gen1Device::kEm;
    } else if (flag == "--user") {
      options.user = value;
    } else if (flag == "--password") {
      options.password = value;
    } else if (flag == "--invalid-emeter") {
      options.invalid_emeter = static_cast<int>(command_line.Number(flag, value, 0, 2));
    } else {
      return false;
    }
    return true;
  });
  if (!options.password.empty() && options.user.empty()) {
    command_line.Fail("--password needs a --user");
  }
  return options;
}

int Run(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  std::unique_ptr<ServedLog> served_log = ServedLog::Open(options.served_log, kName);
  if (served_log == nullptr) return 1;
  Device device(options, std::move(served_log));

  httplib::Server server;
  auto restricted = [&](const httplib::Request& req, httplib::Response& res) {
    if (device.Authorized(req)) return true;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"" + device.Realm() + "\"");
    res.set_content("401 Unauthorized\n", "text/plain");
    return false;
  };
  server.Get("/status", [&](const httplib::Request& req, httplib::Response& res) {
    if (restricted(req, res)) res.set_content(device.Status(-1), "application/json");
  });
  server.Get(R"(/emeter/(\d))", [&](const httplib::Request& req, httplib::Response& res) {
    if (!restricted(req, res)) return;
    const std::string text = device.Status(std::stoi(req.matches[1].str()));
    if (text.empty()) {
      res.status = 404;
      res.set_content("Not Found\n", "text/plain");
      return;
    }
    res.set_content(text, "application/json");
  });
  server.Get("/shelly", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(device.info_text(), "application/json");
  });
  return ServeUntilSignal(server, options.serve, kName);
}

}  // namespace
}  // namespace wattline::sim

int main(int argc, char** argv) { return wattline::sim::Run(argc, argv); }
