#include "agent/mqtt/mqtt_client.h"

#include <mosquitto.h>
#include <sys/socket.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <random>

#include "agent/loop/pool_work.h"
#include "agent/loop/timer.h"
#include "agent/loop/uv_status.h"
#include "agent/net/host_port.h"
#include "common/mqtt/mosquitto_handle.h"
#include "common/mqtt/mosquitto_status.h"

namespace wattline::agent {
namespace {

constexpr std::string_view kLog = "mqtt";
// mosquitto_loop_misc() works in whole seconds; once a second is enough.
constexpr int64_t kMiscIntervalMs = 1000;
// From the pool's answer to CONNACK: TCP connect, TLS handshake, CONNECT.
constexpr int64_t kConnectTimeoutMs = 10'000;
// A connection that lasted this long resets the back-off.
constexpr int64_t kStableConnectionMs = 60'000;
// mosquitto_loop_read() reads one packet per call; epoll is level-triggered,
// so this only saves loop iterations when messages come in bursts.
constexpr int kMaxReadsPerEvent = 64;

int SocketError(int fd) {
  int error = 0;
  socklen_t size = sizeof(error);
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return 0;
  return error;
}

void LogThrottled(LogThrottle* throttle, int64_t now_ms, LogLevel level, std::string line) {
  if (!throttle->Allow(now_ms)) return;
  if (throttle->suppressed() > 0) {
    line += " (" + std::to_string(throttle->suppressed()) + " similar lines held back)";
  }
  Log(level, kLog, line);
}

}  // namespace

// One connection attempt and, once accepted, the connection. A fresh
// mosquitto object per attempt means no state of a failed attempt leaks into
// the next. Owned by shared_ptr: the client holds it, and so does pool work
// in flight, which may outlive the client.
struct MqttClient::Session {
  mosquitto* mosq = nullptr;
  uv_poll_t* poll = nullptr;
  // nullptr once the client has let go of this session (Stop, loss).
  MqttClient* owner = nullptr;
  bool in_pool = false;     // mosquitto_connect_async() runs on the pool
  bool stop_clean = false;  // a Stop() from a handler owes a DISCONNECT
  // Written on the pool thread, read on the loop after the pool work's done
  // callback (which orders the two).
  int connect_rc = MOSQ_ERR_SUCCESS;
  int connect_errno = 0;
  std::string last_error;  // libmosquitto's last error log line (TLS details)
  int connack = -1;        // the broker's CONNACK code, -1 before it
  bool lost = false;       // on_disconnect ran
  int lost_rc = MOSQ_ERR_SUCCESS;
  std::map<int, std::string> pending_subscribes;  // message id -> filter

  ~Session() {
    ClosePoll();  // before mosquitto_destroy() closes the socket
    if (mosq != nullptr) mosquitto_destroy(mosq);
  }

  void ClosePoll() {
    if (poll == nullptr) return;
    uv_poll_stop(poll);
    poll->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll = nullptr;
  }

  static void OnPollCb(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<Session*>(handle->data);
    if (self != nullptr && self->owner != nullptr) self->owner->OnPoll(status, events);
  }
  static void OnConnectCb(mosquitto*, void* data, int code) {
    auto* self = static_cast<Session*>(data);
    self->connack = code;
    if (self->owner != nullptr) self->owner->OnConnack(self, code);
  }
  static void OnDisconnectCb(mosquitto*, void* data, int rc) {
    auto* self = static_cast<Session*>(data);
    self->lost = true;
    self->lost_rc = rc;
  }
  static void OnMessageCb(mosquitto*, void* data, const mosquitto_message* message) {
    auto* self = static_cast<Session*>(data);
    if (self->owner == nullptr) return;
    size_t size = message->payloadlen > 0 ? static_cast<size_t>(message->payloadlen) : 0;
    self->owner->OnMessage(self, message->topic, static_cast<const char*>(message->payload), size,
                           message->retain);
  }
  static void OnSubscribeCb(mosquitto*, void* data, int mid, int count, const int* granted) {
    auto* self = static_cast<Session*>(data);
    auto it = self->pending_subscribes.find(mid);
    if (it == self->pending_subscribes.end()) return;
    std::string filter = std::move(it->second);
    self->pending_subscribes.erase(it);
    // 0x80 in SUBACK: the broker refused (MQTT 3.1.1, 3.9.3), usually an ACL.
    for (int i = 0; i < count && self->owner != nullptr; ++i) {
      if (granted[i] >= 0x80) self->owner->OnSubscriptionRefused(filter);
    }
  }
  // May run on the pool thread (inside mosquitto_connect_async): touches
  // last_error only.
  static void OnLogCb(mosquitto*, void* data, int level, const char* line) {
    if (level == MOSQ_LOG_ERR) static_cast<Session*>(data)->last_error = line;
  }
};

Status CheckMqttTopicFilter(std::string_view filter) {
  std::string text(filter);
  if (text.empty() || text.size() > 65535 || text.find('\0') != std::string::npos) {
    return Status::InvalidArgument("invalid MQTT topic filter \"" + text + "\"");
  }
  if (mosquitto_validate_utf8(text.c_str(), static_cast<int>(text.size())) != MOSQ_ERR_SUCCESS) {
    return Status::InvalidArgument("MQTT topic filter \"" + text + "\" is not valid UTF-8");
  }
  if (mosquitto_sub_topic_check(text.c_str()) != MOSQ_ERR_SUCCESS) {
    return Status::InvalidArgument("invalid MQTT topic filter \"" + text +
                                   "\": '+' and '#' must fill a whole level, and '#' come last");
  }
  return Status::Ok();
}

Result<std::unique_ptr<MqttClient>> MqttClient::Create(uv_loop_t* loop, const MqttOptions& options,
                                                       const Clock* clock) {
  WATTLINE_RETURN_IF_ERROR(CheckMqttOptions(options));
  WATTLINE_RETURN_IF_ERROR(InitMosquittoLibrary());
  MqttOptions chosen = options;
  if (chosen.client_id.empty()) chosen.client_id = DefaultMqttClientId();
  std::unique_ptr<MqttClient> client(new MqttClient(loop, std::move(chosen), clock));
  // A session made and thrown away checks what only libmosquitto can (the
  // TLS files are readable), so a typo fails at start-up, not every attempt.
  Result<std::shared_ptr<Session>> probe = client->NewSession();
  if (!probe.ok()) return probe.status();
  return client;
}

MqttClient::MqttClient(uv_loop_t* loop, MqttOptions options, const Clock* clock)
    : loop_(loop),
      options_(std::move(options)),
      clock_(clock),
      backoff_(BackoffOptions{options_.reconnect.initial_ms, options_.reconnect.max_ms},
               std::random_device()()) {}

MqttClient::~MqttClient() { Stop(); }

Result<std::shared_ptr<MqttClient::Session>> MqttClient::NewSession() {
  auto session = std::make_shared<Session>();
  Result<mosquitto*> mosq = NewMosquitto(options_, session.get());
  if (!mosq.ok()) return mosq.status();
  session->mosq = *mosq;
  mosquitto_connect_callback_set(session->mosq, &Session::OnConnectCb);
  mosquitto_disconnect_callback_set(session->mosq, &Session::OnDisconnectCb);
  mosquitto_message_callback_set(session->mosq, &Session::OnMessageCb);
  mosquitto_subscribe_callback_set(session->mosq, &Session::OnSubscribeCb);
  mosquitto_log_callback_set(session->mosq, &Session::OnLogCb);
  return session;
}

void MqttClient::Subscribe(std::string filter, MqttHandler handler, int qos) {
  Status valid = CheckMqttTopicFilter(filter);
  if (valid.ok() && (qos < 0 || qos > 2)) {
    valid = Status::InvalidArgument("QoS " + std::to_string(qos) + " is not 0, 1 or 2");
  }
  if (!valid.ok()) {
    LogError(kLog, "subscription ignored: " + valid.ToString());
    return;
  }
  subscriptions_.push_back(Subscription{std::move(filter), std::move(handler), qos});
  if (connected_ && session_ != nullptr) {
    SendSubscription(session_.get(), subscriptions_.back().filter, qos);
    // Inside a handler, AfterLoopCall() updates the poll handle.
    if (busy_ == 0) UpdatePoll(session_);
  }
}

void MqttClient::OnConnectionChange(std::function<void(bool)> callback) {
  connection_callback_ = std::move(callback);
}

Status MqttClient::Start() {
  if (started_) return Status::Ok();
  WATTLINE_RETURN_IF_ERROR(InitMosquittoLibrary());
  retry_timer_ = std::make_unique<Timer>(loop_);
  misc_timer_ = std::make_unique<Timer>(loop_);
  started_ = true;
  backoff_.Reset();
  BeginAttempt();
  return Status::Ok();
}

void MqttClient::Stop() {
  if (!started_) return;
  started_ = false;
  retry_timer_.reset();
  misc_timer_.reset();
  bool was_connected = connected_;
  if (connected_) {
    connected_ = false;
    ++counters_.disconnects;
    LogInfo(kLog, "disconnecting from " + Where());
  }
  if (session_ != nullptr) {
    std::shared_ptr<Session> session = std::move(session_);
    session->owner = nullptr;
    if (busy_ > 0) {
      // Inside mosquitto_loop_read(): libmosquitto still uses the object.
      // AfterLoopCall() closes it once the call has returned.
      session->stop_clean = was_connected;
    } else {
      CloseSession(session, was_connected);
    }
  }
}

void MqttClient::BeginAttempt() {
  if (!started_) return;
  Result<std::shared_ptr<Session>> made = NewSession();
  if (!made.ok()) {
    ConnectionDown(made.status().WithContext(Where()));
    return;
  }
  std::shared_ptr<Session> session = *made;
  session->owner = this;
  session->in_pool = true;
  session_ = session;
  Session* raw = session.get();
  std::string host = options_.host;
  int port = options_.port;
  int keepalive_s = static_cast<int>(options_.keepalive_ms / 1000);
  Status queued = QueuePoolWork(
      loop_,
      [raw, host, port, keepalive_s] {
        errno = 0;
        raw->connect_rc = mosquitto_connect_async(raw->mosq, host.c_str(), port, keepalive_s);
        raw->connect_errno = errno;
      },
      [this, alive = std::weak_ptr<char>(alive_), session](Status pool_status) {
        session->in_pool = false;
        if (alive.expired()) return;  // the client is gone; `session` dies here
        OnResolved(session, std::move(pool_status));
      });
  if (!queued.ok()) {
    session->in_pool = false;
    ConnectionDown(queued.WithContext(Where()));
  }
}

void MqttClient::OnResolved(const std::shared_ptr<Session>& session, Status pool_status) {
  if (session != session_) return;  // stopped meanwhile
  if (!pool_status.ok()) {
    ConnectionDown(pool_status.WithContext(Where()));
    return;
  }
  if (session->connect_rc != MOSQ_ERR_SUCCESS) {
    ConnectionDown(MosquittoStatus(session->connect_rc, "cannot connect to " + Where(),
                                   session->connect_errno));
    return;
  }
  session->poll = new uv_poll_t;
  int rc = uv_poll_init_socket(loop_, session->poll, mosquitto_socket(session->mosq));
  if (rc != 0) {
    delete session->poll;  // never initialised, so no close callback
    session->poll = nullptr;
    ConnectionDown(UvStatus(rc, "watch the socket to " + Where()));
    return;
  }
  session->poll->data = session.get();
  attempt_started_ms_ = clock_->NowMonotonicMs();
  Status timer = misc_timer_->Start(kMiscIntervalMs, kMiscIntervalMs, [this] { OnMiscTimer(); });
  if (!timer.ok()) {
    ConnectionDown(timer.WithContext(Where()));
    return;
  }
  UpdatePoll(session);
}

void MqttClient::OnPoll(int status, int events) {
  std::shared_ptr<Session> session = session_;  // keeps mosq alive across a Stop() in a handler
  if (session == nullptr) return;
  if (status < 0) {
    // libuv reports POLLERR (a refused connect, a reset) as an error status.
    int error = SocketError(mosquitto_socket(session->mosq));
    ConnectionDown(Status::Unavailable(Where() + ": " +
                                       (error != 0 ? std::strerror(error) : uv_strerror(status))));
    return;
  }
  int rc = MOSQ_ERR_SUCCESS;
  int error_number = 0;
  ++busy_;
  if ((events & UV_READABLE) != 0) {
    for (int i = 0; i < kMaxReadsPerEvent; ++i) {
      errno = 0;
      rc = mosquitto_loop_read(session->mosq, 1);
      error_number = errno;
      if (rc != MOSQ_ERR_SUCCESS || session->owner == nullptr ||
          mosquitto_socket(session->mosq) == -1 || error_number == EAGAIN ||
          error_number == EWOULDBLOCK) {
        break;
      }
    }
  }
  if (rc == MOSQ_ERR_SUCCESS && (events & UV_WRITABLE) != 0 && session->owner != nullptr &&
      mosquitto_socket(session->mosq) != -1) {
    errno = 0;
    // While the TLS handshake runs, only mosquitto_loop_read() moves it on.
    rc = TlsHandshaking(session->mosq) ? mosquitto_loop_read(session->mosq, 1)
                                       : mosquitto_loop_write(session->mosq, 1);
    error_number = errno;
  }
  --busy_;
  AfterLoopCall(session, rc, error_number);
}

void MqttClient::OnMiscTimer() {
  std::shared_ptr<Session> session = session_;
  if (session == nullptr || session->poll == nullptr) return;
  if (!connected_ && clock_->NowMonotonicMs() - attempt_started_ms_ >= kConnectTimeoutMs) {
    ConnectionDown(Status::Unavailable(Where() + ": no CONNACK within " +
                                       std::to_string(kConnectTimeoutMs / 1000) + " s"));
    return;
  }
  ++busy_;
  errno = 0;
  int rc = mosquitto_loop_misc(session->mosq);
  int error_number = errno;
  --busy_;
  AfterLoopCall(session, rc, error_number);
}

void MqttClient::AfterLoopCall(const std::shared_ptr<Session>& session, int rc, int error_number) {
  if (session->owner == nullptr) {
    if (session != session_) CloseSession(session, session->stop_clean);
    return;
  }
  if (session->connack > 0) {
    ConnectionDown(MosquittoConnackStatus(session->connack, Where()));
  } else if (rc != MOSQ_ERR_SUCCESS) {
    ConnectionDown(MosquittoStatus(rc, Where(), error_number));
  } else if (session->lost || mosquitto_socket(session->mosq) == -1) {
    int lost_rc = session->lost_rc != MOSQ_ERR_SUCCESS ? session->lost_rc : MOSQ_ERR_CONN_LOST;
    ConnectionDown(MosquittoStatus(lost_rc, Where(), error_number));
  } else {
    UpdatePoll(session);
  }
}

void MqttClient::UpdatePoll(const std::shared_ptr<Session>& session) {
  if (session->poll == nullptr) return;
  int events = UV_READABLE | (WantsWrite(session->mosq) ? UV_WRITABLE : 0);
  int rc = uv_poll_start(session->poll, events, &Session::OnPollCb);
  if (rc != 0) ConnectionDown(UvStatus(rc, "watch the socket to " + Where()));
}

void MqttClient::OnConnack(Session* session, int code) {
  if (code != 0) return;  // a refusal: AfterLoopCall() reports it
  connected_ = true;
  connected_since_ms_ = clock_->NowMonotonicMs();
  ++counters_.connects;
  LogInfo(kLog, "connected to " + Where() + " as " + options_.client_id);
  // Each distinct filter once, at the highest QoS asked for: two sources on
  // one topic tree must not make the broker send everything twice.
  std::map<std::string, int> filters;
  for (const Subscription& subscription : subscriptions_) {
    int& qos = filters[subscription.filter];
    qos = std::max(qos, subscription.qos);
  }
  for (const auto& [filter, qos] : filters) SendSubscription(session, filter, qos);
  if (connection_callback_) connection_callback_(true);
}

void MqttClient::SendSubscription(Session* session, const std::string& filter, int qos) {
  int mid = 0;
  Status sent = MosquittoStatus(mosquitto_subscribe(session->mosq, &mid, filter.c_str(), qos),
                                "subscribe to " + filter);
  if (!sent.ok()) {
    // The connection is going down; the next one subscribes again.
    LogThrottled(&subscribe_error_log_, clock_->NowMonotonicMs(), LogLevel::kWarning,
                 sent.ToString());
    return;
  }
  session->pending_subscribes[mid] = filter;
}

void MqttClient::OnSubscriptionRefused(const std::string& filter) {
  LogThrottled(&subscribe_error_log_, clock_->NowMonotonicMs(), LogLevel::kWarning,
               Where() + " refused the subscription to " + filter +
                   " (check the broker's ACL for user \"" + options_.username + "\")");
}

void MqttClient::OnMessage(Session* session, const char* topic, const char* payload, size_t size,
                           bool retained) {
  if (size > kMaxMessageBytes) {
    ++counters_.oversized;
    LogThrottled(&oversized_log_, clock_->NowMonotonicMs(), LogLevel::kWarning,
                 "dropped a message of " + std::to_string(size) + " bytes on " + topic +
                     " (limit " + std::to_string(kMaxMessageBytes) + ")");
    return;
  }
  ++counters_.messages;
  MqttMessage message{topic, std::string_view(payload, size), retained};
  // Subscriptions added by a handler do not see this message.
  size_t count = subscriptions_.size();
  for (size_t i = 0; i < count && session->owner != nullptr; ++i) {
    const Subscription& subscription = subscriptions_[i];
    bool match = false;
    if (mosquitto_topic_matches_sub(subscription.filter.c_str(), topic, &match) ==
            MOSQ_ERR_SUCCESS &&
        match) {
      subscription.handler(message);
    }
  }
}

void MqttClient::ConnectionDown(Status why) {
  std::shared_ptr<Session> session = std::move(session_);
  std::string detail;
  if (session != nullptr) {
    detail = session->last_error;
    CloseSession(session, /*clean=*/false);
  }
  if (misc_timer_ != nullptr) misc_timer_->Stop();
  std::string line = why.ToString();
  if (!detail.empty()) line += " (" + detail + ")";
  int64_t now = clock_->NowMonotonicMs();
  bool was_connected = connected_;
  if (was_connected) {
    connected_ = false;
    ++counters_.disconnects;
    if (now - connected_since_ms_ >= kStableConnectionMs) backoff_.Reset();
  } else {
    ++counters_.connect_errors;
  }
  int64_t delay = backoff_.NextDelayMs();
  if (started_ && retry_timer_ != nullptr) {
    Status timer = retry_timer_->Start(delay, 0, [this] { BeginAttempt(); });
    if (!timer.ok()) LogError(kLog, "cannot schedule a reconnect: " + timer.ToString());
  }
  line += "; retrying in " + std::to_string(delay) + " ms";
  if (was_connected) {
    LogThrottled(&lost_log_, now, LogLevel::kWarning, "connection lost: " + line);
    if (connection_callback_) connection_callback_(false);
  } else {
    LogThrottled(&connect_error_log_, now, LogLevel::kWarning, "cannot connect: " + line);
  }
}

void MqttClient::CloseSession(const std::shared_ptr<Session>& session, bool clean) {
  session->owner = nullptr;
  if (session->in_pool) return;  // the pool thread still uses it; its done callback drops it
  session->ClosePoll();          // before libmosquitto closes the socket
  if (clean && mosquitto_socket(session->mosq) != -1) {
    // Queues DISCONNECT and, outside a callback, writes it at once (a few
    // bytes on an idle non-blocking socket), then closes the socket.
    (void)mosquitto_disconnect(session->mosq);
  }
}

std::string MqttClient::broker() const { return HostPort(options_.host, options_.port); }

std::string MqttClient::Where() const { return "MQTT broker " + broker(); }

}  // namespace wattline::agent
