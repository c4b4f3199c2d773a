#include "agent/shelly/shelly_mqtt_online.h"

#include <string>
#include <utility>

#include "agent/mqtt/mqtt_client.h"

namespace wattline::agent {
namespace {

std::string_view TrimAscii(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace

Result<bool> ParseShellyOnlinePayload(std::string_view payload) {
  const std::string_view word = TrimAscii(payload);
  if (word == "true") return true;
  if (word == "false") return false;
  return Status::InvalidArgument("online payload is neither true nor false (" +
                                 std::to_string(payload.size()) + " bytes)");
}

ShellyOnlineTracker::ShellyOnlineTracker(uv_loop_t* loop, const MqttClient* client,
                                         const Clock* clock, SampleSink sink, std::string device,
                                         int64_t repeat_ms)
    : client_(client),
      clock_(clock),
      sink_(std::move(sink)),
      device_(std::move(device)),
      repeat_ms_(repeat_ms),
      timer_(loop) {}

Status ShellyOnlineTracker::Start() {
  return timer_.Start(repeat_ms_, repeat_ms_, [this] { Repeat(); });
}

void ShellyOnlineTracker::Stop() { timer_.Stop(); }

Result<bool> ShellyOnlineTracker::OnPayload(std::string_view payload) {
  Result<bool> online = ParseShellyOnlinePayload(payload);
  if (!online.ok()) return online;
  online_ = *online;
  sink_({DeviceOnlineSample(device_, *online, clock_->NowUnixMs())});
  return online;
}

void ShellyOnlineTracker::Repeat() {
  // While the broker is away nothing is known.
  if (!client_->connected()) online_.reset();
  if (online_) sink_({DeviceOnlineSample(device_, *online_, clock_->NowUnixMs())});
}

}  // namespace wattline::agent
