// shelly-switch-sim: a Shelly Gen2+ metering switch (Plus 1PM/2PM, Pro 4PM,
// Plug S; with --returned-energy a bidirectional 1PM Gen4) speaking the part
// of the RPC API over HTTP GET that the agent uses (DEVICES.md B.1, B.6),
// backed by ShellySwitchModel.
//
//   shelly-switch-sim [--channels N] [--returned-energy] [--password P]
//                     [--device-id ID] [--listen ADDR] [--port N]
//                     [--port-file FILE] [--served-log FILE] [--seed N]
//
// Endpoints (GET only; results bare, as GET returns them):
//   /rpc/Shelly.GetStatus       every component: ble, cloud, input:N, mqtt,
//                               switch:N (N < --channels, default 1), sys,
//                               wifi, ws
//   /rpc/Switch.GetStatus?id=N  switch:N alone
//   /rpc/Shelly.GetDeviceInfo   device info (never protected)
//   /shelly                     device info (never protected)
// Errors are {"code":C,"message":M} with the same HTTP status rules as
// shelly-pro3em-sim: 404 for an unknown method, 400 with -103/-105 for a
// missing or unknown id.
//
// switch:N carries id, source, output, apower, voltage, current, pf, freq,
// aenergy {total, by_minute, minute_ts}, temperature {tC, tF}; with
// --returned-energy also ret_aenergy, and switch:0's appliance is a balcony
// solar inverter that feeds in (negative apower).
//
// --password P: digest authentication as a Gen2+ device does it
// (shelly_digest_auth.h), realm = the device id.
// --port 0, --port-file, SIGTERM/SIGINT and --served-log (one line per
// Shelly.GetStatus or Switch.GetStatus answered): tests/sim/sim_server.h;
// flag errors: tests/sim/sim_flags.h.
#include <httplib.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tests/sim/shelly_digest_auth.h"
#include "tests/sim/shelly_switch_model.h"
#include "tests/sim/sim_flags.h"
#include "tests/sim/sim_noise.h"
#include "tests/sim/sim_server.h"

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;  // keeps the device's key order

constexpr char kName[] = "shelly-switch-sim";

struct Options : SimFlags {
  int channels = 1;
  bool returned_energy = false;
  std::string password;   // empty: authentication off
  std::string device_id;  // default derived from the seed
};

Json CounterToJson(const EnergyCounter& counter) {
  Json json;
  json["total"] = counter.total_wh;
  json["by_minute"] =
      Json::array({counter.by_minute_mwh[0], counter.by_minute_mwh[1], counter.by_minute_mwh[2]});
  json["minute_ts"] = counter.minute_ts;
  return json;
}

Json SwitchToJson(int id, const SwitchReading& r, bool returned_energy) {
  Json json;
  json["id"] = id;
  json["source"] = "init";
  json["output"] = true;
  json["apower"] = r.apower_w;
  json["voltage"] = r.voltage_v;
  json["current"] = r.current_a;
  json["pf"] = r.pf;
  json["freq"] = r.freq_hz;
  json["aenergy"] = CounterToJson(r.aenergy);
  if (returned_energy) json["ret_aenergy"] = CounterToJson(r.ret_aenergy);
  json["temperature"] = {{"tC", r.temperature_c},
                         {"tF", RoundTo(r.temperature_c * 9.0 / 5.0 + 32.0, 1)}};
  return json;
}

struct Reply {
  int http_status = 200;
  std::string text;
};

Reply Error(int http_status, int code, const std::string& message) {
  Json error;
  error["code"] = code;
  error["message"] = message;
  return Reply{http_status, error.dump()};
}

// The simulated device. Thread-safe: the server's worker threads call it.
class Device {
 public:
  Device(const Options& options, std::unique_ptr<ServedLog> served_log)
      : options_(options),
        started_ms_(NowUnixMs()),
        model_(options.channels, options.returned_energy, options.seed, started_ms_),
        served_log_(std::move(served_log)) {
    char mac[13];
    std::snprintf(mac, sizeof mac, "C8F09E%06llX",
                  static_cast<unsigned long long>((options.seed * 0x9e3779b97f4a7c15ULL) >> 40));
    mac_ = mac;
    const char* app = options.returned_energy ? "S1PMG4"
                      : options.channels == 1 ? "Plus1PM"
                      : options.channels == 2 ? "Plus2PM"
                                              : "Pro4PM";
    std::string lower_mac = mac_;
    for (char& c : lower_mac) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    id_ = options.device_id.empty() ? "shelly" + std::string(app) + "-" + lower_mac
                                    : options.device_id;
    for (char& c : id_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Json info;
    info["name"] = nullptr;
    info["id"] = id_;
    info["mac"] = mac_;
    info["slot"] = 1;
    info["model"] = options.returned_energy ? "S4SW-001P16EU" : "SNSW-001P16EU";
    info["gen"] = options.returned_energy ? 4 : 2;
    info["fw_id"] = "20240625-122315/1.3.3-gbdfd9b3";
    info["ver"] = "1.3.3";
    info["app"] = app;
    info["auth_en"] = !options.password.empty();
    info["auth_domain"] = options.password.empty() ? Json(nullptr) : Json(id_);
    info_text_ = info.dump();
  }

  const std::string& id() const { return id_; }
  const std::string& info_text() const { return info_text_; }

  // Runs `method` for component `id` (nullptr when no id was given).
  Reply Call(const std::string& method, const Json* id) {
    if (method == "Shelly.GetDeviceInfo") return Reply{200, info_text_};
    const bool full = method == "Shelly.GetStatus";
    if (!full && method != "Switch.GetStatus") return Error(404, 404, "No handler for " + method);
    int channel = 0;
    if (!full) {
      if (id == nullptr) return Error(400, -103, "Missing required argument 'id'!");
      if (!id->is_number_integer()) return Error(400, -103, "Invalid argument 'id'!");
      if (id->get<int64_t>() < 0 || id->get<int64_t>() >= options_.channels) {
        return Error(400, -105, "Argument 'id', value " + id->dump() + " not found!");
      }
      channel = static_cast<int>(id->get<int64_t>());
    }
    // One lock over computing and logging: lines in the order the model
    // advanced.
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now_ms = NowUnixMs();
    const std::vector<SwitchReading> readings = model_.Read(now_ms);
    const std::string text = full ? FullStatus(now_ms, readings).dump()
                                  : SwitchToJson(channel, readings[static_cast<size_t>(channel)],
                                                 options_.returned_energy)
                                        .dump();
    served_log_->Append(now_ms, method, text);
    return Reply{200, text};
  }

 private:
  Json FullStatus(int64_t now_ms, const std::vector<SwitchReading>& readings) const {
    Json status;
    status["ble"] = Json::object();
    status["cloud"] = {{"connected", false}};
    for (int i = 0; i < options_.channels; ++i) {
      status["input:" + std::to_string(i)] = {{"id", i}, {"state", false}};
    }
    status["mqtt"] = {{"connected", false}};
    for (int i = 0; i < options_.channels; ++i) {
      status["switch:" + std::to_string(i)] =
          SwitchToJson(i, readings[static_cast<size_t>(i)], options_.returned_energy);
    }
    status["sys"] = {{"mac", mac_},
                     {"restart_required", false},
                     {"unixtime", now_ms / 1000},
                     {"uptime", (now_ms - started_ms_) / 1000},
                     {"ram_size", 246256},
                     {"ram_free", 143544},
                     {"fs_size", 458752},
                     {"fs_free", 147456},
                     {"cfg_rev", 9},
                     {"available_updates", Json::object()}};
    status["wifi"] = {
        {"sta_ip", "127.0.0.1"}, {"status", "got ip"}, {"ssid", "wattline-sim"}, {"rssi", -55}};
    status["ws"] = {{"connected", false}};
    return status;
  }

  const Options options_;
  const int64_t started_ms_;
  std::string mac_;
  std::string id_;
  std::string info_text_;
  std::mutex mu_;
  ShellySwitchModel model_;                // GUARDED_BY(mu_)
  std::unique_ptr<ServedLog> served_log_;  // its lines in model order under mu_
};

constexpr char kUsage[] =
    "usage: shelly-switch-sim [--channels N] [--returned-energy] [--password P]\n"
    "                         [--device-id ID] [--listen ADDR] [--port N]\n"
    "                         [--port-file FILE] [--served-log FILE] [--seed N]\n";

Options ParseArgs(int argc, char** argv) {
  const SimCommandLine command_line(kName, "a Shelly Gen2+ metering switch over HTTP RPC", kUsage);
  Options options;
  const auto take_switch = [&](const std::string& flag) {
    if (flag != "--returned-energy") return false;
    options.returned_energy = true;
    return true;
  };
  const auto take_value = [&](const std::string& flag, const std::string& value) {
    if (flag == "--channels") {
      options.channels =
          static_cast<int>(command_line.Number(flag, value, 1, ShellySwitchModel::kMaxChannels));
    } else if (flag == "--password") {
      if (value.empty()) command_line.Fail("empty --password");
      options.password = value;
    } else if (flag == "--device-id") {
      if (value.empty()) command_line.Fail("empty --device-id");
      options.device_id = value;
    } else {
      return false;
    }
    return true;
  };
  command_line.Parse(argc, argv, &options, take_value, take_switch);
  return options;
}

int Run(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  std::unique_ptr<ServedLog> served_log = ServedLog::Open(options.served_log, kName);
  if (served_log == nullptr) return 1;
  Device device(options, std::move(served_log));
  std::optional<ShellyDigestAuth> auth;
  if (!options.password.empty()) auth.emplace(device.id(), options.password);

  httplib::Server server;
  server.Get(R"(/rpc/([A-Za-z0-9_.]+))", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string method = req.matches[1].str();
    if (auth && method != "Shelly.GetDeviceInfo") {
      const std::optional<std::string> challenge = auth->Refuse(
          req.method, req.target, req.get_header_value("Authorization"), NowUnixMs(), kName);
      if (challenge) {
        res.status = 401;
        res.set_header("WWW-Authenticate", *challenge);
        res.set_content(R"({"code":401,"message":"Unauthorized"})", "application/json");
        return;
      }
    }
    std::optional<Json> id;
    if (req.has_param("id")) {
      // GET parameters are JSON values: ?id=0. Anything unparsable is a string.
      const std::string raw = req.get_param_value("id");
      Json parsed = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
      id = parsed.is_discarded() ? Json(raw) : parsed;
    }
    const Reply reply = device.Call(method, id ? &*id : nullptr);
    res.status = reply.http_status;
    res.set_content(reply.text, "application/json");
  });
  server.Get("/shelly", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(device.info_text(), "application/json");
  });
  return ServeUntilSignal(server, options.serve, kName);
}

}  // namespace
}  // namespace wattline::sim

int main(int argc, char** argv) { return wattline::sim::Run(argc, argv); }
