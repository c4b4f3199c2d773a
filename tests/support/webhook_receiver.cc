#include "tests/support/webhook_receiver.h"

#include <httplib.h>

#include "tests/support/free_ports.h"

namespace wattline::testing {

WebhookReceiver::WebhookReceiver(int failures, int failure_status)
    : server_(std::make_unique<httplib::Server>()),
      failures_(failures),
      failure_status_(failure_status) {
  PickFreePorts({&port_});
  server_->Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_;
    if (failures_ > 0) {
      --failures_;
      response.status = failure_status_;
      return;
    }
    taken_.push_back(request.body);
    response.status = 200;
  });
  // Bound before the thread: requests queue until it listens.
  bound_ = server_->bind_to_port("127.0.0.1", port_);
  thread_ = std::thread([this] {
    if (bound_) server_->listen_after_bind();
  });
}

WebhookReceiver::~WebhookReceiver() {
  server_->stop();
  thread_.join();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
}

std::vector<std::string> WebhookReceiver::taken() {
  std::lock_guard<std::mutex> lock(mutex_);
  return taken_;
}

int WebhookReceiver::requests() {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

}  // namespace wattline::testing
