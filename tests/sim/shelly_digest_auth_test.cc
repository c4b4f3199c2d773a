#include "tests/sim/shelly_digest_auth.h"

#include <gtest/gtest.h>

#include <string>

namespace wattline::sim {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr char kRealm[] = "shellypro3em-c8f09e000001";

// The nonce of a challenge header.
std::string NonceOf(const std::string& challenge) {
  const std::string key = "nonce=\"";
  const size_t start = challenge.find(key) + key.size();
  return challenge.substr(start, challenge.find('"', start) - start);
}

// An Authorization header as a client computes it (RFC 7616 3.4.1).
std::string Answer(const std::string& nonce, const std::string& password, const std::string& uri,
                   const std::string& nc = "00000001", const std::string& user = "admin",
                   const std::string& method = "GET") {
  const std::string ha1 = Sha256Hex(user + ":" + kRealm + ":" + password);
  const std::string ha2 = Sha256Hex(method + ":" + uri);
  const std::string cnonce = "0a4f113b";
  const std::string response =
      Sha256Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
  return "Digest username=\"" + user + "\", realm=\"" + kRealm + "\", nonce=\"" + nonce +
         "\", uri=\"" + uri + "\", algorithm=SHA-256, qop=auth, nc=" + nc + ", cnonce=\"" + cnonce +
         "\", response=\"" + response + "\"";
}

TEST(ShellyDigestAuth, HashesAsRfc7616Section391) {
  // The RFC's SHA-256 example: the response is H(H(A1):nonce:nc:cnonce:qop:H(A2)).
  const std::string ha1 = Sha256Hex("Mufasa:http-auth@example.org:Circle of Life");
  const std::string ha2 = Sha256Hex("GET:/dir/index.html");
  EXPECT_EQ(Sha256Hex(ha1 +
                      ":7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:"
                      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:" +
                      ha2),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(ShellyDigestAuth, ChallengeIsTheShellyOne) {
  ShellyDigestAuth auth(kRealm, "secret");
  const std::string challenge = auth.Challenge(kNow);
  EXPECT_EQ(
      challenge.rfind("Digest qop=\"auth\", realm=\"" + std::string(kRealm) + "\", nonce=\"", 0),
      0u)
      << challenge;
  EXPECT_NE(challenge.find("algorithm=SHA-256"), std::string::npos) << challenge;
  EXPECT_NE(NonceOf(auth.Challenge(kNow)), NonceOf(challenge));
}

TEST(ShellyDigestAuth, AdmitsTheRightAnswerOnce) {
  ShellyDigestAuth auth(kRealm, "secret");
  const std::string nonce = NonceOf(auth.Challenge(kNow));
  const std::string answer = Answer(nonce, "secret", "/rpc/Shelly.GetStatus");
  std::string why;
  EXPECT_TRUE(auth.Verify("GET", "/rpc/Shelly.GetStatus", answer, kNow + 10, &why)) << why;
  // The same nc again is a replay; a higher one on the same nonce is fine.
  EXPECT_FALSE(auth.Verify("GET", "/rpc/Shelly.GetStatus", answer, kNow + 20, &why));
  EXPECT_NE(why.find("replay"), std::string::npos) << why;
  EXPECT_TRUE(auth.Verify("GET", "/rpc/Shelly.GetStatus",
                          Answer(nonce, "secret", "/rpc/Shelly.GetStatus", "00000002"), kNow + 30,
                          &why))
      << why;
}

TEST(ShellyDigestAuth, RefusesEveryWrongPart) {
  ShellyDigestAuth auth(kRealm, "secret");
  const std::string nonce = NonceOf(auth.Challenge(kNow));
  const std::string uri = "/rpc/EM.GetStatus?id=0";
  struct Case {
    std::string header;
    std::string method;
    const char* why;
  };
  const Case cases[] = {
      {"", "GET", "no Authorization"},
      {"Basic YWRtaW46c2VjcmV0", "GET", "not a Digest"},
      {Answer(nonce, "wrong", uri), "GET", "password"},
      {Answer(nonce, "secret", uri, "00000001", "root"), "GET", "admin"},
      {Answer(nonce, "secret", "/rpc/EM.GetStatus?id=1"), "GET", "uri"},
      {Answer("12345", "secret", uri), "GET", "unknown nonce"},
      {Answer(nonce, "secret", uri, "1"), "GET", "nc"},
      {Answer(nonce, "secret", uri), "POST", "password"},  // HA2 covers the method
      {"Digest username=\"admin\", realm=\"" + std::string(kRealm) + "\"", "GET", "missing"},
      {"Digest username=\"admin", "GET", "not a Digest"},
  };
  for (const Case& c : cases) {
    std::string why;
    EXPECT_FALSE(auth.Verify(c.method, uri, c.header, kNow, &why)) << c.header;
    EXPECT_NE(why.find(c.why), std::string::npos) << c.header << " -> " << why;
  }
  // None of the refusals used up the nonce.
  EXPECT_TRUE(auth.Verify("GET", uri, Answer(nonce, "secret", uri), kNow));
}

TEST(ShellyDigestAuth, RefusesAStaleNonce) {
  ShellyDigestAuth auth(kRealm, "secret");
  const std::string nonce = NonceOf(auth.Challenge(kNow));
  std::string why;
  EXPECT_FALSE(auth.Verify("GET", "/x", Answer(nonce, "secret", "/x"),
                           kNow + ShellyDigestAuth::kNonceLifetimeMs + 1, &why));
  EXPECT_NE(why.find("stale"), std::string::npos) << why;
}

TEST(ShellyDigestAuth, RefuseGivesAChallengeOrNothing) {
  ShellyDigestAuth auth(kRealm, "secret");
  const std::optional<std::string> challenge = auth.Refuse("GET", "/x", "", kNow, "test");
  ASSERT_TRUE(challenge.has_value());
  EXPECT_FALSE(auth.Refuse("GET", "/x", Answer(NonceOf(*challenge), "secret", "/x"), kNow, "test"));
}

}  // namespace
}  // namespace wattline::sim
