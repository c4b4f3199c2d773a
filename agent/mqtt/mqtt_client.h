// The agent's one connection to the home's MQTT broker, shared by every
// source that reads MQTT (Shelly Gen1 and Gen2, Zigbee2MQTT, generic JSON).
//
// libmosquitto (2.0) driven by the agent's libuv loop, not by its own thread:
// the socket is watched with a uv_poll_t, mosquitto_loop_read/write run when
// it is readable/writable, and a 1 s uv timer runs mosquitto_loop_misc
// (keep-alive pings, ping timeouts) and the connect timeout. Every
// libmosquitto callback therefore runs inside a loop_* call on the loop
// thread, and so does every handler.
//
// Connecting without blocking the loop. Each attempt gets a fresh mosquitto
// object; mosquitto_connect_async() runs on the libuv thread pool
// (agent/loop/pool_work.h), because it starts with getaddrinfo(), which
// blocks for as long as the resolver's timeouts allow; it also reads the TLS
// CA, certificate and key files there. It returns once the name is resolved
// and a non-blocking TCP connect has been started; the TCP connect, the TLS
// handshake and CONNECT/CONNACK then complete on the loop, where a stuck
// attempt is abandoned after 10 s. Why not a blocking mosquitto_connect() on
// the pool: it would hold a pool thread for the kernel's whole TCP connect
// timeout (about 2 minutes for an address that drops SYNs), and a Stop()
// during that time would keep the loop from closing, delaying the agent's
// shutdown past systemd's stop timeout. The price: libmosquitto's
// non-blocking connect commits to the first address getaddrinfo() gives
// whose connect() starts, so a name with an IPv6 and an IPv4 address reaches
// a broker that listens on only one of them only if that one comes first.
//
// Sessions: clean (clean_session = true), MQTT 3.1.1. The readers want fresh
// values: a persistent session would make the broker queue every QoS 1
// reading published while we are away (and keep queueing for an agent that
// never comes back), then replay a burst of stale readings on reconnect.
// With a clean session, retained messages (device state, availability,
// Zigbee2MQTT's device list) arrive again after every (re)subscribe, which is
// what a reader needs to start over. What is published while we are
// disconnected is lost; meters' cumulative energy counters carry totals
// across the gap, so the loss is resolution, not energy. Reconnects back off
// with jitter (agent/upload/backoff.h) from `reconnect.initial_ms` to
// `reconnect.max_ms`; the back-off starts over only after a connection has
// stayed up for 60 s, so a broker that accepts and drops us at once is not
// hammered.
//
// Messages: a message goes to the handler of every subscription whose filter
// matches its topic (mosquitto_topic_matches_sub), in the order Subscribe was
// called. A retained message can arrive more than once: after every
// reconnect, and when a Subscribe() after connecting overlaps an earlier
// filter (the broker resends retained messages for each new subscription,
// and both handlers see them). Handlers treat messages as state updates.
// Messages whose payload is over kMaxMessageBytes are dropped, logged and
// counted (libmosquitto 2.0 has no client-side maximum packet size option,
// so they are read in full first; the broker's message_size_limit is the
// way to keep them off the wire).
//
// Thread-safety: every method runs on the loop thread; handlers and the
// connection callback are called on it.
//
// REQUIRES: SIGPIPE is ignored in the process (agent/main.cc does):
// libmosquitto writes to a plain socket with write(2), and a broker that has
// just closed the connection would otherwise kill the agent.
//
// Lifecycle: Create, Subscribe/OnConnectionChange (any time), Start, Stop.
// Stop() disconnects cleanly and closes the client's uv handles (their memory
// is freed in their close callbacks); a connection attempt still on the
// thread pool finishes there and is discarded. Then run the loop until it
// returns before uv_loop_close(). Destroying the client Stop()s it.
#ifndef WATTLINE_AGENT_MQTT_MQTT_CLIENT_H_
#define WATTLINE_AGENT_MQTT_MQTT_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/mqtt/mqtt_options.h"
#include "agent/upload/backoff.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"

typedef struct uv_loop_s uv_loop_t;

namespace wattline::agent {

class Timer;

// One received message. The views point into libmosquitto's buffers and are
// valid only during the handler call: copy what you keep.
struct MqttMessage {
  std::string_view topic;
  std::string_view payload;
  bool retained;
};

using MqttHandler = std::function<void(const MqttMessage&)>;

// OK when `filter` is a valid subscription filter ('+' and '#' only as whole
// levels, '#' last, not empty, valid UTF-8); kInvalidArgument otherwise.
// For config readers, so a bad topic is reported with its file position.
Status CheckMqttTopicFilter(std::string_view filter);

class MqttClient {
 public:
  // Payloads larger than this are dropped and counted (Counters::oversized).
  // The largest message a reader needs is Zigbee2MQTT's retained
  // bridge/devices: about 6 KiB per device with its exposes, so megabytes on
  // a network of a few hundred devices; this matches the device list's own
  // limit (kMaxZ2mDeviceListBytes, about 700 devices). The cost on a 512 MB
  // Pi Zero: libmosquitto holds the payload while the handlers run, and
  // parsing a 4 MiB device list peaks at about 37 MB more (a synthetic list
  // of 5300 devices, measured on x86-64; less with the Pi's 32-bit
  // pointers), once per (re)connect or device list change. Beyond that a
  // message is more likely a runaway publisher than a reading.
  static constexpr size_t kMaxMessageBytes = 4 * 1024 * 1024;

  // `loop` and `clock` must outlive the client. Errors: kInvalidArgument for
  // options CheckMqttOptions() refuses, or TLS files that cannot be read;
  // what libmosquitto's initialisation returns.
  static Result<std::unique_ptr<MqttClient>> Create(uv_loop_t* loop, const MqttOptions& options,
                                                    const Clock* clock);
  // REQUIRES: not called from one of this client's handlers or callbacks.
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Adds a subscription (QoS 1 by default). Subscriptions are (re)sent on
  // every (re)connect; each distinct filter once, at the highest QoS asked
  // for it. Every message whose topic matches `filter` goes to `handler` on
  // the loop thread; a message matching several filters goes to each. May be
  // called before or after Start, and from a handler. An invalid filter or a
  // QoS outside 0..2 is logged as an error and ignored (check filters from
  // config with CheckMqttTopicFilter first).
  void Subscribe(std::string filter, MqttHandler handler, int qos = 1);

  // Called on the loop thread whenever the connection comes up (true: the
  // broker accepted CONNECT and the subscriptions are on their way) or goes
  // down (false). Not called by Stop().
  //
  // One callback: a later call replaces the earlier one. No part of the
  // agent registers one today: the sources ask connected() when their
  // availability timers fire, and the agent's health timer reads connected()
  // and counters() (agent/sources/health_metrics.h); the client's tests
  // watch connection changes through it. A second user needs a list of
  // listeners here, not a second call.
  void OnConnectionChange(std::function<void(bool connected)> callback);

  // Begins connecting; reconnects forever with jittered exponential
  // back-off. Starting a started client does nothing. Errors: from creating
  // the client's timers (then nothing was started).
  Status Start();

  // Disconnects cleanly (DISCONNECT, so the broker does not publish our will
  // or log an error), stops reconnecting and closes the uv handles. No handler
  // or callback runs after Stop() returns; when called from a handler, the
  // remaining handlers of that message are skipped. Start() may be called
  // again afterwards.
  void Stop();

  bool connected() const { return connected_; }
  const std::string& client_id() const { return options_.client_id; }
  // "host:port" as configured ("[host]:port" for an IPv6 address), for logs
  // and the `broker` label of the agent's MQTT series.
  std::string broker() const;

  struct Counters {
    uint64_t connects = 0;        // CONNACKs that accepted us
    uint64_t disconnects = 0;     // established connections that went down (or were Stop()ped)
    uint64_t messages = 0;        // messages handed to the handlers
    uint64_t connect_errors = 0;  // attempts that failed before CONNACK (or were refused)
    uint64_t oversized = 0;       // messages dropped for exceeding kMaxMessageBytes
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Session;  // one connection attempt: its mosquitto object and uv_poll_t
  struct Subscription {
    std::string filter;
    MqttHandler handler;
    int qos;
  };

  MqttClient(uv_loop_t* loop, MqttOptions options, const Clock* clock);

  Result<std::shared_ptr<Session>> NewSession();
  void BeginAttempt();
  void OnResolved(const std::shared_ptr<Session>& session, Status pool_status);
  void OnPoll(int status, int events);
  void OnMiscTimer();
  // After every mosquitto_loop_* call: finishes a Stop() made from a handler,
  // notices a lost connection, or updates what the poll handle waits for.
  void AfterLoopCall(const std::shared_ptr<Session>& session, int rc, int error_number);
  void UpdatePoll(const std::shared_ptr<Session>& session);
  void OnConnack(Session* session, int code);
  void OnMessage(Session* session, const char* topic, const char* payload, size_t size,
                 bool retained);
  void SendSubscription(Session* session, const std::string& filter, int qos);
  void OnSubscriptionRefused(const std::string& filter);
  // Lets go of the session, counts and logs why, and schedules the next
  // attempt (if still started).
  void ConnectionDown(Status why);
  void CloseSession(const std::shared_ptr<Session>& session, bool clean);
  std::string Where() const;

  uv_loop_t* loop_;
  MqttOptions options_;
  const Clock* clock_;
  // A deque: handlers may Subscribe while one of them runs, and push_back
  // must not move the handler that is running.
  std::deque<Subscription> subscriptions_;
  std::function<void(bool)> connection_callback_;

  bool started_ = false;
  bool connected_ = false;
  int busy_ = 0;  // > 0 while inside a mosquitto_loop_* call
  std::shared_ptr<Session> session_;
  std::unique_ptr<Timer> retry_timer_;
  std::unique_ptr<Timer> misc_timer_;
  int64_t attempt_started_ms_ = 0;
  int64_t connected_since_ms_ = 0;
  Backoff backoff_;
  Counters counters_;
  LogThrottle connect_error_log_;
  LogThrottle lost_log_;
  LogThrottle oversized_log_;
  LogThrottle subscribe_error_log_;
  // Pool work that finishes after the client is gone checks this.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_MQTT_CLIENT_H_
