// Status and Result: how every fallible call in Wattline reports failure.
//
// No exceptions cross a module boundary. A call that can fail returns a
// Status (or a Result<T> when it also produces a value); both are
// [[nodiscard]]. Each layer adds context on the way up with WithContext(), so
// a failure reads like "cannot open outbox /var/lib/x: disk I/O error".
//
// Third-party error codes (uv, sqlite, OpenSSL, zstd, ...) are converted to a
// Status once, in the adapter for that library; nothing above an adapter sees
// a raw int rc.
#ifndef WATTLINE_COMMON_STATUS_H_
#define WATTLINE_COMMON_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wattline {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's input is malformed or out of range
    kNotFound,
    kAlreadyExists,
    kPermissionDenied,    // authentication or authorisation refused
    kResourceExhausted,   // a limit was hit: size, disk, queue
    kUnavailable,         // a peer or device could not be reached; retry later
    kIoError,             // local I/O failed
    kCorruption,          // stored or received data is damaged
    kInternal,            // a bug or an unexpected library failure
    kFailedPrecondition,  // valid, but cannot be done on this data or in this state
  };

  // An OK status.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status AlreadyExists(std::string message) {
    return Status(Code::kAlreadyExists, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(Code::kPermissionDenied, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(Code::kResourceExhausted, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(Code::kUnavailable, std::move(message));
  }
  static Status IoError(std::string message) { return Status(Code::kIoError, std::move(message)); }
  static Status Corruption(std::string message) {
    return Status(Code::kCorruption, std::move(message));
  }
  static Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }
  static Status FailedPrecondition(std::string message) {
    return Status(Code::kFailedPrecondition, std::move(message));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK", or "<code name>: <message>".
  std::string ToString() const;

  // The same status with "context: " put before the message. OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // REQUIRES: !ok() for the message to be meaningful; OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace wattline

// Returns early from the enclosing function when `expr` yields a failed Status.
#define WATTLINE_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::wattline::Status wattline_status_ = (expr); \
    if (!wattline_status_.ok()) return wattline_status_; \
  } while (false)

#endif  // WATTLINE_COMMON_STATUS_H_
