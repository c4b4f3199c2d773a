// HTTP digest authentication as a Shelly Gen2+ device checks it (DEVICES.md
// B.1; RFC 7616): user "admin", realm = the device id, qop="auth",
// algorithm=SHA-256, hashed with OpenSSL's SHA256.
//
//   challenge  WWW-Authenticate: Digest qop="auth", realm="<id>",
//              nonce="<decimal>", algorithm=SHA-256
//   answer     Authorization: Digest username="admin", realm="<id>",
//              nonce="<n>", uri="<request target>", algorithm=SHA-256,
//              qop=auth, nc=<8 hex>, cnonce="<c>", response="<64 hex>"
//   response = SHA256(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
//   HA1      = SHA256("admin:" realm ":" password)
//   HA2      = SHA256(method ":" uri)
//
// A nonce is accepted only if this object issued it less than an hour ago
// (firmware 2.0's nonce lifetime), and only with an nc above the last one
// accepted for it, so a captured answer cannot be replayed. At most
// kMaxNonces are remembered; older ones are forgotten first.
//
// Thread-safe: the simulators' HTTP worker threads share one instance.
#ifndef WATTLINE_TESTS_SIM_SHELLY_DIGEST_AUTH_H_
#define WATTLINE_TESTS_SIM_SHELLY_DIGEST_AUTH_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace wattline::sim {

// Lower-case hex of SHA-256(`data`).
std::string Sha256Hex(std::string_view data);

class ShellyDigestAuth {
 public:
  static constexpr size_t kMaxNonces = 1024;
  static constexpr int64_t kNonceLifetimeMs = 3'600'000;

  ShellyDigestAuth(std::string realm, std::string password);

  // The value of WWW-Authenticate for a 401, with a nonce issued at `now_ms`.
  std::string Challenge(int64_t now_ms);

  // True when `authorization` (the Authorization header, "" when absent)
  // answers one of our challenges for `method` and `uri` (the request
  // target as sent, query included) with the right password. `why`, when not
  // null, receives the reason for a false.
  bool Verify(std::string_view method, std::string_view uri, std::string_view authorization,
              int64_t now_ms, std::string* why = nullptr);

  // What a simulator does with a request: nullopt when Verify() admits it,
  // else the challenge to answer 401 with. Credentials that were presented
  // and refused are reported on stderr, prefixed with `name`.
  std::optional<std::string> Refuse(std::string_view method, std::string_view uri,
                                    std::string_view authorization, int64_t now_ms,
                                    const char* name);

 private:
  struct Nonce {
    int64_t issued_ms = 0;
    uint64_t last_nc = 0;
  };

  const std::string realm_;
  const std::string ha1_;
  std::mutex mu_;
  std::mt19937_64 random_;               // GUARDED_BY(mu_)
  std::map<std::string, Nonce> nonces_;  // GUARDED_BY(mu_)
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_DIGEST_AUTH_H_
