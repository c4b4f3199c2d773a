// The bearer token of the standard write paths (write_handler.h): read once
// at start from api.write_token_file and checked on every request.
#ifndef WATTLINE_AGGREGATOR_INGEST_WRITE_TOKEN_H_
#define WATTLINE_AGGREGATOR_INGEST_WRITE_TOKEN_H_

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// The token in `path`: the file's text without surrounding whitespace (so
// `echo token > file` works). Like a private key, the file must be a regular
// file that neither group nor others may read or write.
// Errors: NotFound/IoError (cannot read), PermissionDenied (mode allows
// group or others), InvalidArgument (empty, or whitespace inside).
[[nodiscard]] Result<std::string> LoadWriteToken(const std::string& path);

// Checks Authorization headers against a token in constant time. An empty
// token matches nothing. Thread-safe (immutable).
class WriteTokenCheck {
 public:
  explicit WriteTokenCheck(std::string_view token);

  bool enabled() const { return enabled_; }
  // True for "Bearer <token>" (scheme case-insensitive, as RFC 9110 wants).
  bool Matches(std::string_view authorization) const;

 private:
  bool enabled_;
  // Digests are compared, so the time taken reveals neither the token's
  // length nor how much of it a guess got right.
  std::array<unsigned char, 32> digest_{};
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_WRITE_TOKEN_H_
