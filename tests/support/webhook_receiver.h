// An HTTP receiver of webhook POSTs for tests (notify.webhook_url), on
// 127.0.0.1 and a run-time port, serving on a thread of its own: answers
// `failure_status` (500 by default) to its first `failures` requests and 200
// after, and keeps the bodies it answered 200.
//
// Thread-safety: taken() and requests() may be called while requests come.
#ifndef WATTLINE_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
#define WATTLINE_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace wattline::testing {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(int failures = 0, int failure_status = 500);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  bool bound() const { return bound_; }
  std::string url() const;  // http://127.0.0.1:<port>/hook
  std::vector<std::string> taken();
  int requests();

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  bool bound_ = false;
  std::thread thread_;
  std::mutex mutex_;
  int failures_;
  const int failure_status_;
  int requests_ = 0;
  std::vector<std::string> taken_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
