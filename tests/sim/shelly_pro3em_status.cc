#include "tests/sim/shelly_pro3em_status.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;  // keeps the device's key order

double Round1(double value) { return std::round(value * 10.0) / 10.0 + 0.0; }

Json EmToJson(const EmReading& reading, bool neutral_ct) {
  Json json;
  json["id"] = 0;
  const char* const names[] = {"a", "b", "c"};
  for (size_t i = 0; i < 3; ++i) {
    const std::string x = names[i];
    const PhaseReading& phase = reading.phases[i];
    json[x + "_current"] = phase.current_a;
    json[x + "_voltage"] = phase.voltage_v;
    json[x + "_act_power"] = phase.act_power_w;
    json[x + "_aprt_power"] = phase.aprt_power_va;
    json[x + "_pf"] = phase.pf;
    json[x + "_freq"] = phase.freq_hz;
    json[x + "_errors"] = Json::array();
  }
  // A meter without a neutral CT reports null (DEVICES.md B.2).
  json["n_current"] = neutral_ct ? Json(reading.n_current_a) : Json(nullptr);
  json["n_errors"] = Json::array();
  json["total_current"] = reading.total_current_a;
  json["total_act_power"] = reading.total_act_power_w;
  json["total_aprt_power"] = reading.total_aprt_power_va;
  json["user_calibrated_phase"] = Json::array();
  json["errors"] = Json::array();
  return json;
}

Json EmDataToJson(const EmDataReading& reading) {
  Json json;
  json["id"] = 0;
  const char* const names[] = {"a", "b", "c"};
  for (size_t i = 0; i < 3; ++i) {
    const std::string x = names[i];
    json[x + "_total_act_energy"] = reading.imported_wh[i];
    json[x + "_total_act_ret_energy"] = reading.exported_wh[i];
  }
  json["total_act"] = reading.total_imported_wh;
  json["total_act_ret"] = reading.total_exported_wh;
  return json;
}

Json Em1ToJson(const EmReading& reading, int id) {
  const PhaseReading& phase = reading.phases[static_cast<size_t>(id)];
  Json json;
  json["id"] = id;
  json["current"] = phase.current_a;
  json["voltage"] = phase.voltage_v;
  json["act_power"] = phase.act_power_w;
  json["aprt_power"] = phase.aprt_power_va;
  json["pf"] = phase.pf;
  json["freq"] = phase.freq_hz;
  json["calibration"] = "factory";
  return json;
}

Json Em1DataToJson(const EmDataReading& reading, int id) {
  Json json;
  json["id"] = id;
  json["total_act_energy"] = reading.imported_wh[static_cast<size_t>(id)];
  json["total_act_ret_energy"] = reading.exported_wh[static_cast<size_t>(id)];
  return json;
}

Json SysToJson(const Pro3emFacts& facts, int64_t now_ms) {
  const int64_t unixtime = now_ms / 1000;
  char time[16];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(unixtime / 3600 % 24),
                static_cast<int>(unixtime / 60 % 60));
  Json sys;
  sys["mac"] = facts.mac;
  sys["restart_required"] = false;
  sys["time"] = time;
  sys["unixtime"] = unixtime;
  sys["uptime"] = (now_ms - facts.started_unix_ms) / 1000;
  sys["ram_size"] = 246700;
  sys["ram_free"] = 105248;
  sys["fs_size"] = 524288;
  sys["fs_free"] = 172032;
  sys["cfg_rev"] = 15;
  sys["kvs_rev"] = 0;
  sys["schedule_rev"] = 0;
  sys["webhook_rev"] = 0;
  sys["available_updates"] = Json::object();
  return sys;
}

// Shelly.GetStatus: every component, in the device's (alphabetical) order.
Json FullStatus(const Pro3emFacts& facts, const EmReading& em, const EmDataReading& energy,
                int64_t now_ms) {
  Json status;
  status["ble"] = Json::object();
  status["cloud"] = {{"connected", false}};
  if (facts.profile == Pro3emProfile::kTriphase) {
    status["em:0"] = EmToJson(em, facts.neutral_ct);
    status["emdata:0"] = EmDataToJson(energy);
  } else {
    for (int i = 0; i < 3; ++i) status["em1:" + std::to_string(i)] = Em1ToJson(em, i);
    for (int i = 0; i < 3; ++i) status["em1data:" + std::to_string(i)] = Em1DataToJson(energy, i);
  }
  status["eth"] = {{"ip", "127.0.0.1"}};
  status["modbus"] = Json::object();
  status["mqtt"] = {{"connected", false}};
  status["sys"] = SysToJson(facts, now_ms);
  // The device warms with the power it measures.
  const double t_c = Round1(38.0 + em.total_aprt_power_va / 1000.0);
  status["temperature:0"] = {{"id", 0}, {"tC", t_c}, {"tF", Round1(t_c * 9.0 / 5.0 + 32.0)}};
  status["wifi"] = {
      {"sta_ip", nullptr}, {"status", "disconnected"}, {"ssid", nullptr}, {"rssi", 0}};
  status["ws"] = {{"connected", false}};
  return status;
}

}  // namespace

std::optional<Pro3emProfile> ParsePro3emProfile(std::string_view name) {
  if (name == "triphase") return Pro3emProfile::kTriphase;
  if (name == "monophase") return Pro3emProfile::kMonophase;
  return std::nullopt;
}

const char* Pro3emProfileName(Pro3emProfile profile) {
  return profile == Pro3emProfile::kTriphase ? "triphase" : "monophase";
}

std::optional<Pro3emStatusMethod> FindPro3emStatusMethod(Pro3emProfile profile,
                                                         std::string_view name) {
  using Method = Pro3emStatusMethod;
  if (name == "Shelly.GetStatus") return Method{Method::kShellyGetStatus, 0};
  if (profile == Pro3emProfile::kTriphase) {
    if (name == "EM.GetStatus") return Method{Method::kEm, 1};
    if (name == "EMData.GetStatus") return Method{Method::kEmData, 1};
  } else {
    if (name == "EM1.GetStatus") return Method{Method::kEm1, 3};
    if (name == "EM1Data.GetStatus") return Method{Method::kEm1Data, 3};
  }
  return std::nullopt;
}

std::string Pro3emStatusText(const Pro3emStatusMethod& method, int id, const Pro3emFacts& facts,
                             ShellyPro3emModel& model, int64_t now_unix_ms) {
  const EmReading em = model.Em(now_unix_ms);
  const EmDataReading energy = model.EmData(now_unix_ms);
  Json json;
  switch (method.kind) {
    case Pro3emStatusMethod::kShellyGetStatus:
      json = FullStatus(facts, em, energy, now_unix_ms);
      break;
    case Pro3emStatusMethod::kEm:
      json = EmToJson(em, facts.neutral_ct);
      break;
    case Pro3emStatusMethod::kEmData:
      json = EmDataToJson(energy);
      break;
    case Pro3emStatusMethod::kEm1:
      json = Em1ToJson(em, id);
      break;
    case Pro3emStatusMethod::kEm1Data:
      json = Em1DataToJson(energy, id);
      break;
  }
  return json.dump();
}

}  // namespace wattline::sim
