#include "aggregator/notify/mqtt_publisher.h"

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/doubling_delay.h"
#include "common/log.h"
#include "common/mqtt/mosquitto_handle.h"
#include "common/mqtt/mosquitto_status.h"

namespace wattline::aggregator {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kLog[] = "notify";
// How long one mosquitto_loop() waits for the socket: how soon the thread
// notices a stop or a connect timeout. A Publish() wakes it at once
// (libmosquitto writes to its own socket pair then).
constexpr int kLoopTimeoutMs = 100;
// A clean stop waits this long for "offline" to be acknowledged.
constexpr int64_t kStopTimeoutMs = 1000;

}  // namespace

Result<std::unique_ptr<MqttPublisher>> MqttPublisher::Start(MqttPublisherOptions options) {
  WATTLINE_RETURN_IF_ERROR(CheckMqttPublisherOptions(options));
  WATTLINE_RETURN_IF_ERROR(InitMosquittoLibrary());
  if (options.broker.client_id.empty()) options.broker.client_id = DefaultMqttClientId();
  std::unique_ptr<MqttPublisher> self(new MqttPublisher(std::move(options)));
  Result<mosquitto*> mosq = NewMosquitto(self->options_.broker, self.get());
  if (!mosq.ok()) return mosq.status();
  self->mosq_ = *mosq;
  // This class's thread runs the loop; publishing threads only queue.
  WATTLINE_RETURN_IF_ERROR(
      MosquittoStatus(mosquitto_threaded_set(self->mosq_, true), "set MQTT threading"));
  WATTLINE_RETURN_IF_ERROR(MosquittoStatus(
      mosquitto_will_set(self->mosq_, self->status_topic_.c_str(),
                         static_cast<int>(sizeof(kMqttOffline) - 1), kMqttOffline, 1, true),
      "set MQTT will on " + self->status_topic_));
  mosquitto_connect_callback_set(self->mosq_, &MqttPublisher::OnConnectCb);
  mosquitto_disconnect_callback_set(self->mosq_, &MqttPublisher::OnDisconnectCb);
  mosquitto_publish_callback_set(self->mosq_, &MqttPublisher::OnPublishCb);
  mosquitto_log_callback_set(self->mosq_, &MqttPublisher::OnLogCb);
  self->thread_ = std::thread([raw = self.get()] { raw->Run(); });
  return self;
}

MqttPublisher::MqttPublisher(MqttPublisherOptions options)
    : options_(std::move(options)), status_topic_(MqttStatusTopic(options_)) {}

MqttPublisher::~MqttPublisher() {
  if (mosq_ == nullptr) return;  // Start() failed before the thread
  if (thread_.joinable()) {
    bool connected = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connected = connected_;
    }
    // The will would say the same, but only after the keep-alive ran out.
    if (connected) {
      Status offline = Publish({{status_topic_, kMqttOffline}}, kStopTimeoutMs);
      if (!offline.ok()) LogWarning(kLog, "mqtt: " + offline.message());
    }
    mosquitto_disconnect(mosq_);  // the loop writes DISCONNECT and closes
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  mosquitto_destroy(mosq_);
}

std::string MqttPublisher::Where() const {
  return std::string(options_.broker.tls ? "mqtts://" : "mqtt://") + options_.broker.host + ":" +
         std::to_string(options_.broker.port);
}

void MqttPublisher::Run() {
  int64_t failures = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    const bool was_up = RunConnection();
    std::unique_lock<std::mutex> lock(mutex_);
    connected_ = false;
    changed_.notify_all();
    if (stopping_) return;
    // A connection that came up starts the back-off over.
    failures = was_up ? 1 : failures + 1;
    const int64_t delay = DoublingDelayMs(options_.broker.reconnect.initial_ms,
                                          options_.broker.reconnect.max_ms, failures);
    // The first failure in a row is logged, then every tenth.
    if (failures % 10 == 1) {
      LogWarning(kLog, "mqtt: " + last_error_.message() + "; reconnecting in " +
                           std::to_string(delay) + " ms");
    }
    changed_.wait_for(lock, std::chrono::milliseconds(delay), [this] { return stopping_; });
  }
}

Status MqttPublisher::WithTlsReason(int rc, Status status) const {
  if (rc != MOSQ_ERR_TLS || log_error_.empty()) return status;
  return Status::Unavailable(status.message() + " (" + log_error_ + ")");
}

bool MqttPublisher::RunConnection() {
  uint64_t connections_before = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_before = connections_;
    attempt_error_ = Status::Ok();
    log_error_.clear();
  }
  errno = 0;
  int rc = mosquitto_connect_async(mosq_, options_.broker.host.c_str(), options_.broker.port,
                                   static_cast<int>(options_.broker.keepalive_ms / 1000));
  if (rc != MOSQ_ERR_SUCCESS) {
    Status failed = MosquittoStatus(rc, "cannot connect to " + Where(), errno);
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = WithTlsReason(rc, std::move(failed));
    return false;
  }
  const Clock::time_point started = Clock::now();
  bool stopping = false;
  for (;;) {
    errno = 0;
    rc = mosquitto_loop(mosq_, kLoopTimeoutMs, 1);
    const int error_number = errno;
    std::lock_guard<std::mutex> lock(mutex_);
    stopping = stopping_;
    if (rc != MOSQ_ERR_SUCCESS) {
      // The callbacks' reason (a refused CONNACK, a lost connection) says
      // more than the loop's rc; for TLS, libmosquitto logged OpenSSL's.
      last_error_ =
          !attempt_error_.ok()
              ? attempt_error_
              : WithTlsReason(rc, MosquittoStatus(rc, "connection to " + Where(), error_number));
      break;
    }
    if (stopping) break;
    if (connections_ == connections_before &&
        Clock::now() - started >= std::chrono::milliseconds(options_.connect_timeout_ms)) {
      last_error_ = Status::Unavailable(Where() + ": no CONNACK within " +
                                        std::to_string(options_.connect_timeout_ms) + " ms");
      break;
    }
  }
  if (!stopping) mosquitto_disconnect(mosq_);  // closes what is left of the socket
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_ != connections_before;
}

Status MqttPublisher::Publish(const std::vector<MqttMessage>& messages, int64_t timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock<std::mutex> lock(mutex_);
  if (!changed_.wait_until(lock, deadline, [this] { return connected_ || stopping_; }) ||
      !connected_) {
    return Status::Unavailable("not connected to " + Where() +
                               (last_error_.ok() ? "" : " (" + last_error_.message() + ")"));
  }
  const uint64_t connection = connections_;
  acked_.clear();
  lock.unlock();
  // Not under mutex_: libmosquitto calls OnPublishCb holding its own locks.
  std::set<int> sent;
  for (const MqttMessage& message : messages) {
    int mid = 0;
    errno = 0;
    int rc = mosquitto_publish(mosq_, &mid, message.topic.c_str(),
                               static_cast<int>(message.payload.size()), message.payload.data(),
                               /*qos=*/1, /*retain=*/true);
    if (rc != MOSQ_ERR_SUCCESS) {
      return MosquittoStatus(rc, "publish to " + message.topic + " on " + Where());
    }
    sent.insert(mid);
  }
  lock.lock();
  auto acknowledged = [&] {
    return static_cast<size_t>(std::count_if(sent.begin(), sent.end(),
                                             [this](int mid) { return acked_.count(mid) != 0; }));
  };
  changed_.wait_until(lock, deadline, [&] {
    return acknowledged() == sent.size() || !connected_ || connections_ != connection;
  });
  const size_t acked = acknowledged();
  if (acked == sent.size()) return Status::Ok();
  const std::string counts =
      std::to_string(acked) + " of " + std::to_string(sent.size()) + " messages";
  if (!connected_ || connections_ != connection) {
    return Status::Unavailable("lost the connection to " + Where() + " with " + counts +
                               " acknowledged");
  }
  return Status::Unavailable(Where() + " acknowledged " + counts + " within " +
                             std::to_string(timeout_ms) + " ms");
}

void MqttPublisher::OnConnectCb(mosquitto* mosq, void* self_ptr, int rc) {
  auto* self = static_cast<MqttPublisher*>(self_ptr);
  if (rc != 0) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->attempt_error_ = MosquittoConnackStatus(rc, self->Where());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (self->connections_ == 0 || !self->last_error_.ok()) {
      LogInfo(kLog, "mqtt: connected to " + self->Where());
    }
    self->connected_ = true;
    ++self->connections_;
    self->last_error_ = Status::Ok();
  }
  self->changed_.notify_all();
  int sent = mosquitto_publish(mosq, nullptr, self->status_topic_.c_str(),
                               static_cast<int>(sizeof(kMqttOnline) - 1), kMqttOnline, 1, true);
  if (sent != MOSQ_ERR_SUCCESS) {
    LogWarning(kLog, "mqtt: " + MosquittoStatus(sent, "publish " + self->status_topic_).message());
  }
}

void MqttPublisher::OnDisconnectCb(mosquitto*, void* self_ptr, int rc) {
  auto* self = static_cast<MqttPublisher*>(self_ptr);
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (self->connected_ && rc != 0) {
      self->attempt_error_ = MosquittoStatus(MOSQ_ERR_CONN_LOST, "connection to " + self->Where());
    }
    self->connected_ = false;
  }
  self->changed_.notify_all();
}

void MqttPublisher::OnLogCb(mosquitto*, void* self_ptr, int level, const char* line) {
  if (level != MOSQ_LOG_ERR) return;
  auto* self = static_cast<MqttPublisher*>(self_ptr);
  std::lock_guard<std::mutex> lock(self->mutex_);
  self->log_error_ = line;
}

void MqttPublisher::OnPublishCb(mosquitto*, void* self_ptr, int mid) {
  auto* self = static_cast<MqttPublisher*>(self_ptr);
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->acked_.insert(mid);
  }
  self->changed_.notify_all();
}

}  // namespace wattline::aggregator
