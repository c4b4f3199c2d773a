// shelly-pro3em-sim: an HTTP server speaking the part of the Shelly Gen2 RPC
// API (DEVICES.md B.1-B.3) that the agent uses, backed by ShellyPro3emModel.
// For system tests and the demo. The values and how they move are described
// in shelly_pro3em_model.h; the energy counters start, at process start, from
// those of a real Pro 3EM (DEVICES.md B.3).
//
//   shelly-pro3em-sim [--listen ADDR] [--port N] [--port-file FILE]
//                     [--served-log FILE] [--seed N] [--device-id ID]
//                     [--no-neutral-ct] [--profile triphase|monophase]
//                     [--password P] [--history-start UNIX_S [--history-chunk N]]
//
// Endpoints:
//   GET  /rpc/EM.GetStatus?id=0        bare result object (complete B.2 key set)
//   GET  /rpc/EMData.GetStatus?id=0    bare result object (B.3 key set)
//   GET  /rpc/EM1.GetStatus?id=N       with --profile monophase instead of the
//   GET  /rpc/EM1Data.GetStatus?id=N   two above, N = 0..2
//   GET  /rpc/Shelly.GetStatus         every component (shelly_pro3em_status.h)
//   GET  /rpc/Shelly.GetDeviceInfo     device info
//   GET  /shelly                       device info
//   POST /rpc  {"id":1,"method":"EM.GetStatus","params":{"id":0}}
//        -> {"id":1,"src":"<device id>","result":{...}}  ("dst" added when the
//           request has "src", as the device does)
// Errors are {"code":C,"message":M}, bare on GET and as the frame's "error" on
// POST, with the same HTTP status either way: an unknown method is code and
// status 404 ("No handler for <method>"); a missing or malformed id is -103
// with 400; an id other than 0 is -105 with 400; a POST body that is not a
// JSON-RPC request is -32700 or -32600 with 400.
//
// n_current is the phasor sum of the phase currents, as with a neutral CT;
// --no-neutral-ct makes it null, as on a meter without one.
//
// --password P turns authentication on as Shelly.SetAuth does: every
// endpoint but /shelly and Shelly.GetDeviceInfo then needs HTTP digest
// authentication (SHA-256, user admin, realm = the device id; see
// shelly_digest_auth.h) and answers 401 with a challenge otherwise.
//
// --history-start UNIX_S: the meter has been recording since then (its
// counters held their initial values at that moment), and serves its
// per-minute history (shelly_emdata_history.h): EMData.GetRecords and
// EMData.GetData?id=0 in the triphase profile, EM1Data.GetRecords and
// EM1Data.GetData?id=N (N = 0..2) in the monophase profile, at most
// --history-chunk records (default 50) per GetData answer. The live counters
// (emdata:0, or em1data:N) come from a model of the same start, so they agree
// with the history.
//
// --port 0 binds an ephemeral port. Once bound, "listening on ADDR:PORT" goes
// to stdout and, with --port-file, the port number plus a newline is written
// to FILE atomically (temp file, rename), so a test can wait for the file.
// SIGTERM or SIGINT stop the server; the exit status is then 0. Idle
// keep-alive connections are closed after 1 s so that stopping is quick.
//
// --served-log FILE appends one line per status method (EM, EMData, EM1,
// EM1Data, Shelly.GetStatus) answered with a result, over GET or POST,
// flushed at once:
//   {"served_at_ms":<unix ms the values were computed for>,"method":"EM.GetStatus","result":{...}}
// The result text is the very bytes sent in the body, so the numbers match
// byte for byte.
#include <httplib.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tests/sim/shelly_digest_auth.h"
#include "tests/sim/shelly_emdata_history.h"
#include "tests/sim/shelly_pro3em_model.h"
#include "tests/sim/shelly_pro3em_status.h"
#include "tests/sim/sim_flags.h"
#include "tests/sim/sim_server.h"

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;  // keeps the device's key order

constexpr char kName[] = "shelly-pro3em-sim";

struct Options : SimFlags {
  std::string device_id;   // default derived from the seed
  bool neutral_ct = true;  // false: n_current is null
  Pro3emProfile profile = Pro3emProfile::kTriphase;
  std::string password;  // empty: authentication off
  int64_t history_start_ms = 0;  // 0: no recorded history
  size_t history_chunk = 50;
};

// An RPC outcome: either `result_text` (serialised once) or an error.
struct Reply {
  int http_status = 200;
  std::string result_text;
  int error_code = 0;
  std::string error_message;
};

Reply Error(int http_status, int code, std::string message) {
  return Reply{http_status, "", code, std::move(message)};
}

std::string Dump(const Json& json) {
  // Replace, not throw, on invalid UTF-8 echoed from a request.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string DefaultDeviceId(uint64_t seed) {
  // Shelly ids are the model name and the lower-case MAC; C8F09E is a
  // Shelly (Allterco) OUI.
  char mac[7];
  std::snprintf(mac, sizeof mac, "%06llx",
                static_cast<unsigned long long>((seed * 0x9e3779b97f4a7c15ULL) >> 40));
  return std::string("shellypro3em-c8f09e") + mac;
}

// The MAC in the id's last 12 characters, upper case; a fixed one otherwise.
std::string MacFromId(const std::string& id) {
  std::string mac = id.size() >= 12 ? id.substr(id.size() - 12) : "";
  bool hex = mac.size() == 12;
  for (char& c : mac) {
    hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return hex ? mac : "C8F09E000001";
}

// The simulated device: model, identity and served log. Thread-safe: the
// server's worker threads call Call() concurrently.
class Device {
 public:
  Device(const Options& options, std::unique_ptr<ServedLog> served_log)
      : id_(options.device_id.empty() ? DefaultDeviceId(options.seed) : options.device_id),
        neutral_ct_(options.neutral_ct),
        model_(options.seed, options.history_start_ms > 0 ? options.history_start_ms : NowUnixMs()),
        served_log_(std::move(served_log)) {
    facts_ = Pro3emFacts{id_, MacFromId(id_), NowUnixMs(), neutral_ct_, options.profile};
    Json info;
    info["name"] = nullptr;
    info["id"] = id_;
    info["mac"] = MacFromId(id_);
    info["slot"] = 0;
    info["model"] = "SPEM-003CEBEU";
    info["gen"] = 2;
    info["fw_id"] = "20241011-114455/1.4.4-g6d2a586";
    info["ver"] = "1.4.4";
    info["app"] = "Pro3EM";
    info["auth_en"] = !options.password.empty();
    info["auth_domain"] = options.password.empty() ? Json(nullptr) : Json(id_);
    info["profile"] = Pro3emProfileName(options.profile);
    device_info_text_ = Dump(info);
    if (options.history_start_ms > 0) {
      history_.emplace(options.seed, options.history_start_ms, options.history_chunk,
                       options.profile);
    }
  }

  const std::string& id() const { return id_; }

  // Runs `method`; `id` is the params' "id" if one was given (nullptr if not).
  // `params` are all the request's parameters (the history methods).
  Reply Call(const std::string& method, const Json* id, const Json& params = Json::object()) {
    if (method == "Shelly.GetDeviceInfo") return Reply{200, device_info_text_, 0, ""};
    if (history_ && ShellyEmDataHistory::Handles(method)) {
      std::lock_guard<std::mutex> lock(mu_);
      ShellyEmDataHistory::Answer answer = history_->Call(method, params, NowUnixMs());
      return Reply{answer.http_status, std::move(answer.result_text), answer.error_code,
                   std::move(answer.error_message)};
    }
    const std::optional<Pro3emStatusMethod> status = FindPro3emStatusMethod(facts_.profile, method);
    if (!status) return Error(404, 404, "No handler for " + method);
    int component = 0;
    if (status->ids > 0) {
      if (id == nullptr) return Error(400, -103, "Missing required argument 'id'!");
      if (!id->is_number_integer()) return Error(400, -103, "Invalid argument 'id'!");
      if (id->get<int64_t>() < 0 || id->get<int64_t>() >= status->ids) {
        return Error(400, -105, "Argument 'id', value " + Dump(*id) + " not found!");
      }
      component = static_cast<int>(id->get<int64_t>());
    }

    // One lock over computing, logging and serialising: log lines come out in
    // the order the model advanced, and the model is not thread-safe.
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now_ms = NowUnixMs();
    std::string text = Pro3emStatusText(*status, component, facts_, model_, now_ms);
    served_log_->Append(now_ms, method, text);
    return Reply{200, std::move(text), 0, ""};
  }

  const std::string& device_info_text() const { return device_info_text_; }

 private:
  const std::string id_;
  const bool neutral_ct_;
  Pro3emFacts facts_;
  std::string device_info_text_;
  std::mutex mu_;
  ShellyPro3emModel model_;                     // GUARDED_BY(mu_)
  std::optional<ShellyEmDataHistory> history_;  // GUARDED_BY(mu_)
  std::unique_ptr<ServedLog> served_log_;       // its lines in model order under mu_
};

std::string ErrorText(const Reply& reply) {
  Json error;
  error["code"] = reply.error_code;
  error["message"] = reply.error_message;
  return Dump(error);
}

// With --password (`auth` not null): true when the request carries valid
// digest credentials; otherwise answers 401 with a fresh challenge. `method`
// is the RPC method asked for: Shelly.GetDeviceInfo stays open, as on the
// device.
bool Admit(ShellyDigestAuth* auth, std::string_view method, const httplib::Request& req,
           httplib::Response& res) {
  if (auth == nullptr || method == "Shelly.GetDeviceInfo") return true;
  const std::optional<std::string> challenge = auth->Refuse(
      req.method, req.target, req.get_header_value("Authorization"), NowUnixMs(), kName);
  if (!challenge) return true;
  res.status = 401;
  res.set_header("WWW-Authenticate", *challenge);
  res.set_content(R"({"code":401,"message":"Unauthorized"})", "application/json");
  return false;
}

void HandleGet(Device& device, const httplib::Request& req, httplib::Response& res) {
  std::optional<Json> id;
  if (req.has_param("id")) {
    // GET parameters are JSON values: ?id=0. Anything unparsable is a string.
    const std::string raw = req.get_param_value("id");
    Json parsed = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    id = parsed.is_discarded() ? Json(raw) : parsed;
  }
  Json params = Json::object();
  for (const auto& [name, raw] : req.params) {
    Json parsed = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    params[name] = parsed.is_discarded() ? Json(raw) : parsed;
  }
  const Reply reply = device.Call(req.matches[1].str(), id ? &*id : nullptr, params);
  res.status = reply.http_status;
  res.set_content(reply.error_code == 0 ? reply.result_text : ErrorText(reply), "application/json");
}

void HandlePost(Device& device, const httplib::Request& req, httplib::Response& res) {
  const Json request = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  Json frame_id = nullptr;
  Reply reply;
  if (request.is_discarded()) {
    reply = Error(400, -32700, "Parse error");
  } else if (!request.is_object() || !request.contains("method") ||
             !request["method"].is_string()) {
    reply = Error(400, -32600, "Invalid request");
  } else {
    if (request.contains("id")) frame_id = request["id"];
    const Json* id = nullptr;
    auto params = request.find("params");
    if (params != request.end() && params->is_object() && params->contains("id")) {
      id = &(*params)["id"];
    }
    reply = device.Call(request["method"].get<std::string>(), id,
                        params != request.end() && params->is_object() ? *params : Json::object());
  }
  // Built as text so the result is byte for byte what the served log holds.
  std::string body = "{\"id\":" + Dump(frame_id) + ",\"src\":" + Dump(Json(device.id()));
  if (!request.is_discarded() && request.is_object() && request.contains("src") &&
      request["src"].is_string()) {
    body += ",\"dst\":" + Dump(request["src"]);
  }
  body +=
      reply.error_code == 0 ? ",\"result\":" + reply.result_text : ",\"error\":" + ErrorText(reply);
  body += "}";
  res.status = reply.http_status;
  res.set_content(body, "application/json");
}

constexpr char kUsage[] =
    "usage: shelly-pro3em-sim [--listen ADDR] [--port N] [--port-file FILE]\n"
    "                         [--served-log FILE] [--seed N] [--device-id ID]\n"
    "                         [--no-neutral-ct] [--profile triphase|monophase]\n"
    "                         [--password P] [--history-start UNIX_S [--history-chunk N]]\n";

Options ParseArgs(int argc, char** argv) {
  const SimCommandLine command_line(kName, "a Shelly Pro 3EM speaking Gen2 RPC over HTTP", kUsage);
  Options options;
  const auto take_switch = [&](const std::string& flag) {
    if (flag != "--no-neutral-ct") return false;
    options.neutral_ct = false;
    return true;
  };
  const auto take_value = [&](const std::string& flag, const std::string& value) {
    if (flag == "--seed") {
      // Any 64-bit seed, as this simulator has always taken (the shared
      // --seed stops at 2^62).
      char* end = nullptr;
      errno = 0;
      options.seed = std::strtoull(value.c_str(), &end, 10);
      if (*end != '\0' || value.empty() || errno != 0) command_line.Fail("bad --seed");
    } else if (flag == "--device-id") {
      if (value.empty()) command_line.Fail("empty --device-id");
      options.device_id = value;
    } else if (flag == "--profile") {
      const std::optional<Pro3emProfile> profile = ParsePro3emProfile(value);
      if (!profile) command_line.Fail("--profile is triphase or monophase");
      options.profile = *profile;
    } else if (flag == "--history-start") {
      options.history_start_ms =
          command_line.Number(flag, value, 1, std::numeric_limits<int64_t>::max()) * 1000;
    } else if (flag == "--history-chunk") {
      options.history_chunk = static_cast<size_t>(command_line.Number(flag, value, 1, 100000));
    } else if (flag == "--password") {
      if (value.empty()) command_line.Fail("empty --password");
      options.password = value;
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
  std::optional<ShellyDigestAuth> digest;
  if (!options.password.empty()) digest.emplace(device.id(), options.password);
  ShellyDigestAuth* auth = digest ? &*digest : nullptr;

  httplib::Server server;
  server.Get(R"(/rpc/([A-Za-z0-9_.]+))", [&](const httplib::Request& req, httplib::Response& res) {
    if (Admit(auth, req.matches[1].str(), req, res)) HandleGet(device, req, res);
  });
  server.Get("/shelly", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(device.device_info_text(), "application/json");
  });
  server.Post("/rpc", [&](const httplib::Request& req, httplib::Response& res) {
    const Json request = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    const bool named = request.is_object() && request.contains("method") &&
                       request["method"].is_string();
    if (Admit(auth, named ? request["method"].get<std::string>() : "", req, res)) {
      HandlePost(device, req, res);
    }
  });
  return ServeUntilSignal(server, options.serve, kName);
}

}  // namespace
}  // namespace wattline::sim

int main(int argc, char** argv) { return wattline::sim::Run(argc, argv); }
