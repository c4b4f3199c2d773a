#include "tests/sim/shelly_digest_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>
#include <charconv>
#include <cstdio>

namespace wattline::sim {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The auth-params of a "Digest k=v, k="v", ..." header (RFC 7616 3.4), names
// lower-cased. False when it is not a Digest header or does not parse.
bool ParseDigestParams(std::string_view header, std::map<std::string, std::string>* params) {
  constexpr std::string_view kScheme = "Digest";
  if (header.size() <= kScheme.size() ||
      !EqualsIgnoringCase(header.substr(0, kScheme.size()), kScheme) ||
      header[kScheme.size()] != ' ') {
    return false;
  }
  size_t i = kScheme.size();
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    if (i == header.size()) break;
    const size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) return false;
    std::string name(header.substr(i, eq - i));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    i = eq + 1;
    while (i < header.size() && header[i] == ' ') ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i++];
      }
      if (i == header.size()) return false;  // unterminated quoted string
      ++i;
    } else {
      const size_t end = header.find(',', i);
      value = std::string(header.substr(i, end == std::string_view::npos ? end : end - i));
      while (!value.empty() && value.back() == ' ') value.pop_back();
      i = end == std::string_view::npos ? header.size() : end;
    }
    if (name.empty() || !params->emplace(std::move(name), std::move(value)).second) return false;
  }
  return true;
}

bool Fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return false;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

ShellyDigestAuth::ShellyDigestAuth(std::string realm, std::string password)
    : realm_(std::move(realm)),
      ha1_(Sha256Hex("admin:" + realm_ + ":" + password)),
      random_(std::random_device{}()) {}

std::string ShellyDigestAuth::Challenge(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string nonce;
  do {
    nonce = std::to_string(random_() >> 16);
  } while (nonces_.count(nonce) != 0);
  if (nonces_.size() >= kMaxNonces) {
    auto oldest = nonces_.begin();
    for (auto it = nonces_.begin(); it != nonces_.end(); ++it) {
      if (it->second.issued_ms < oldest->second.issued_ms) oldest = it;
    }
    nonces_.erase(oldest);
  }
  nonces_.emplace(nonce, Nonce{now_ms, 0});
  return "Digest qop=\"auth\", realm=\"" + realm_ + "\", nonce=\"" + nonce +
         "\", algorithm=SHA-256";
}

bool ShellyDigestAuth::Verify(std::string_view method, std::string_view uri,
                              std::string_view authorization, int64_t now_ms, std::string* why) {
  if (authorization.empty()) return Fail(why, "no Authorization header");
  std::map<std::string, std::string> p;
  if (!ParseDigestParams(authorization, &p)) return Fail(why, "not a Digest header");
  for (const char* name :
       {"username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"}) {
    if (p.count(name) == 0) return Fail(why, "a parameter is missing");
  }
  if (p["username"] != "admin") return Fail(why, "user is not admin");
  if (p["realm"] != realm_) return Fail(why, "wrong realm");
  if (!EqualsIgnoringCase(p["algorithm"], "SHA-256")) return Fail(why, "algorithm is not SHA-256");
  if (p["qop"] != "auth") return Fail(why, "qop is not auth");
  if (p["uri"] != uri) return Fail(why, "uri is not the request target");
  const std::string& nc_text = p["nc"];
  uint64_t nc = 0;
  auto [end, ec] = std::from_chars(nc_text.data(), nc_text.data() + nc_text.size(), nc, 16);
  if (nc_text.size() != 8 || ec != std::errc() || end != nc_text.data() + nc_text.size()) {
    return Fail(why, "nc is not 8 hex digits");
  }
  const std::string ha2 = Sha256Hex(std::string(method) + ":" + std::string(uri));
  const std::string expected = Sha256Hex(ha1_ + ":" + p["nonce"] + ":" + nc_text + ":" +
                                         p["cnonce"] + ":" + p["qop"] + ":" + ha2);
  std::lock_guard<std::mutex> lock(mu_);
  auto nonce = nonces_.find(p["nonce"]);
  if (nonce == nonces_.end()) return Fail(why, "unknown nonce");
  if (now_ms - nonce->second.issued_ms > kNonceLifetimeMs) {
    nonces_.erase(nonce);
    return Fail(why, "stale nonce");
  }
  const std::string& response = p["response"];
  if (response.size() != expected.size() ||
      CRYPTO_memcmp(response.data(), expected.data(), expected.size()) != 0) {
    return Fail(why, "wrong response (password)");
  }
  if (nc <= nonce->second.last_nc) return Fail(why, "nc was used before (replay)");
  nonce->second.last_nc = nc;
  return true;
}

std::optional<std::string> ShellyDigestAuth::Refuse(std::string_view method, std::string_view uri,
                                                    std::string_view authorization, int64_t now_ms,
                                                    const char* name) {
  std::string why;
  if (Verify(method, uri, authorization, now_ms, &why)) return std::nullopt;
  if (!authorization.empty()) {
    std::fprintf(stderr, "%s: refused %.*s %.*s: %s\n", name, static_cast<int>(method.size()),
                 method.data(), static_cast<int>(uri.size()), uri.data(), why.c_str());
  }
  return Challenge(now_ms);
}

}  // namespace wattline::sim
