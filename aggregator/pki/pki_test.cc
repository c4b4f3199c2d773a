#include "aggregator/pki/pki.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "aggregator/pki/pem_file.h"
#include "aggregator/pki/pki_command.h"
#include "aggregator/pki/x509_builder.h"

namespace wattline::aggregator {
namespace {

// A fresh directory per test, removed afterwards; the PKI lives in dir_/pki
// so InitPki creates it.
class Pki : public testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/wattline-pki-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/pki";
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }

  void Init(const std::vector<std::string>& server_names = {}) {
    Status status = InitPki({dir_, server_names, false});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void Issue(const std::string& name, const std::string& dir) {
    Status status = IssueAgent({dir, name, false});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void Issue(const std::string& name) { Issue(name, dir_); }

  std::string root_;
  std::string dir_;
};

CertPtr LoadCert(const std::string& path) {
  Result<std::string> pem = ReadWholeFile(path);
  EXPECT_TRUE(pem.ok()) << pem.status().ToString();
  if (!pem.ok()) return nullptr;
  Result<CertPtr> cert = CertificateFromPem(*pem, path);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return cert.ok() ? std::move(cert).value() : nullptr;
}

KeyPtr LoadKey(const std::string& path) {
  Result<std::string> pem = ReadWholeFile(path);
  EXPECT_TRUE(pem.ok()) << pem.status().ToString();
  if (!pem.ok()) return nullptr;
  Result<KeyPtr> key = PrivateKeyFromPem(*pem, path);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::move(key).value() : nullptr;
}

// X509_V_OK when `leaf` chains to `ca` for `purpose` (X509_PURPOSE_SSL_*),
// else the verification error.
int VerifyError(X509* ca, X509* leaf, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  int error = -1;
  if (store != nullptr && ctx != nullptr && X509_STORE_add_cert(store, ca) == 1 &&
      X509_STORE_CTX_init(ctx, store, leaf, nullptr) == 1 &&
      X509_STORE_CTX_set_purpose(ctx, purpose) == 1) {
    error = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  }
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return error;
}

std::string VerifyText(int error) {
  return error < 0 ? "setup failed" : X509_verify_cert_error_string(error);
}

mode_t ModeOf(const std::string& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

bool ExtensionIsCritical(X509* cert, int nid) {
  int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

long ValidityDays(X509* cert) {
  int days = 0;
  int seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)),
            1);
  return days;
}

std::string HostName() {
  char buffer[256] = {};
  EXPECT_EQ(::gethostname(buffer, sizeof(buffer) - 1), 0);
  return buffer;
}

TEST_F(Pki, InitCreatesCaAndServerCertificateThatVerify) {
  Init();
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr server = LoadCert(PkiLayout::ServerCert(dir_));
  KeyPtr server_key = LoadKey(PkiLayout::ServerKey(dir_));
  KeyPtr ca_key = LoadKey(PkiLayout::CaKey(dir_));
  ASSERT_TRUE(ca && server && server_key && ca_key);

  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_TRUE(ExtensionIsCritical(ca.get(), NID_basic_constraints));
  EXPECT_TRUE(ExtensionIsCritical(ca.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  Result<std::string> ca_name = CertificateCommonName(ca.get());
  ASSERT_TRUE(ca_name.ok());
  EXPECT_TRUE(ca_name->starts_with("Wattline CA ")) << *ca_name;
  EXPECT_EQ(X509_check_private_key(ca.get(), ca_key.get()), 1);

  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_NE(X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_check_private_key(server.get(), server_key.get()), 1);
  int error = VerifyError(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER);
  EXPECT_EQ(error, X509_V_OK) << VerifyText(error);
}

TEST_F(Pki, AgentCertificateVerifiesForClientAuthOnly) {
  Init();
  Issue("kitchen");
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr agent = LoadCert(PkiLayout::AgentCert(dir_, "kitchen"));
  KeyPtr key = LoadKey(PkiLayout::AgentKey(dir_, "kitchen"));
  ASSERT_TRUE(ca && agent && key);
  EXPECT_EQ(X509_check_private_key(agent.get(), key.get()), 1);
  int error = VerifyError(ca.get(), agent.get(), X509_PURPOSE_SSL_CLIENT);
  EXPECT_EQ(error, X509_V_OK) << VerifyText(error);
  EXPECT_EQ(VerifyError(ca.get(), agent.get(), X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_INVALID_PURPOSE);
}

TEST_F(Pki, ServerCertificateCannotPoseAsAgent) {
  Init();
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr server = LoadCert(PkiLayout::ServerCert(dir_));
  ASSERT_TRUE(ca && server);
  EXPECT_EQ(VerifyError(ca.get(), server.get(), X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_INVALID_PURPOSE);
}

TEST_F(Pki, AgentCertificateCarriesNameAsCommonName) {
  Init();
  Issue("garage.meter-2_b");
  CertPtr agent = LoadCert(PkiLayout::AgentCert(dir_, "garage.meter-2_b"));
  ASSERT_TRUE(agent);
  Result<std::string> name = CertificateCommonName(agent.get());
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "garage.meter-2_b");
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(agent.get())), 1);
  // The bundle's CA is the installation's CA.
  Result<std::string> bundle_ca = ReadWholeFile(PkiLayout::AgentCa(dir_, "garage.meter-2_b"));
  Result<std::string> ca = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(bundle_ca.ok() && ca.ok());
  EXPECT_EQ(*bundle_ca, *ca);
}

TEST_F(Pki, KeysAreNotReadableByOthers) {
  // Under a umask that would leave files world-writable, modes are still exact.
  mode_t old_umask = ::umask(0);
  Init();
  Issue("kitchen");
  ::umask(old_umask);
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(PkiLayout::CaKey(dir_)), 0600u);
  EXPECT_EQ(ModeOf(PkiLayout::ServerKey(dir_)), 0600u);
  EXPECT_EQ(ModeOf(PkiLayout::AgentsDir(dir_)), 0700u);
  EXPECT_EQ(ModeOf(PkiLayout::AgentDir(dir_, "kitchen")), 0700u);
  EXPECT_EQ(ModeOf(PkiLayout::AgentKey(dir_, "kitchen")), 0600u);
  EXPECT_EQ(ModeOf(PkiLayout::CaCert(dir_)), 0644u);
  EXPECT_EQ(ModeOf(PkiLayout::ServerCert(dir_)), 0644u);
  EXPECT_EQ(ModeOf(PkiLayout::AgentCert(dir_, "kitchen")), 0644u);
  EXPECT_EQ(ModeOf(PkiLayout::AgentCa(dir_, "kitchen")), 0644u);
}

TEST_F(Pki, LeavesOnlyTheDocumentedFiles) {
  Init();
  Issue("kitchen");
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    found.insert(std::filesystem::relative(entry.path(), dir_).string());
  }
  std::set<std::string> expected = {"ca.pem",
                                    "ca-key.pem",
                                    "server.pem",
                                    "server-key.pem",
                                    "agents",
                                    "agents/kitchen",
                                    "agents/kitchen/ca.pem",
                                    "agents/kitchen/cert.pem",
                                    "agents/kitchen/key.pem"};
  EXPECT_EQ(found, expected);
}

TEST_F(Pki, RefusesToOverwriteCaWithoutForce) {
  Init();
  Result<std::string> before = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(before.ok());
  Status again = InitPki({dir_, {}, false});
  EXPECT_EQ(again.code(), Status::Code::kAlreadyExists);
  EXPECT_NE(again.message().find("--force"), std::string::npos) << again.message();
  Result<std::string> after = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);

  Status forced = InitPki({dir_, {}, true});
  ASSERT_TRUE(forced.ok()) << forced.ToString();
  Result<std::string> replaced = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(*replaced, *before);
}

TEST_F(Pki, RefusesToOverwriteAgentBundleWithoutForce) {
  Init();
  Issue("kitchen");
  Result<std::string> before = ReadWholeFile(PkiLayout::AgentCert(dir_, "kitchen"));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(IssueAgent({dir_, "kitchen", false}).code(), Status::Code::kAlreadyExists);
  Result<std::string> after = ReadWholeFile(PkiLayout::AgentCert(dir_, "kitchen"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  Status forced = IssueAgent({dir_, "kitchen", true});
  ASSERT_TRUE(forced.ok()) << forced.ToString();
  Result<std::string> replaced = ReadWholeFile(PkiLayout::AgentCert(dir_, "kitchen"));
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(*replaced, *before);
}

TEST_F(Pki, RefusesInvalidAgentName) {
  for (const char* good : {"a", "kitchen", "Pi-Zero.2_w", "0abc"}) {
    EXPECT_TRUE(IsValidAgentName(good)) << good;
  }
  EXPECT_TRUE(IsValidAgentName(std::string(63, 'x')));
  EXPECT_FALSE(IsValidAgentName(std::string(64, 'x')));
  for (const char* bad : {"", ".", "..", "../etc", "-a", "_a", ".hidden", "a/b", "a b", "a,b",
                          "caf\xc3\xa9", "a\n"}) {
    EXPECT_FALSE(IsValidAgentName(bad)) << bad;
  }
  Init();
  EXPECT_EQ(IssueAgent({dir_, "../escape", false}).code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(PathExists(root_ + "/escape"));
  EXPECT_FALSE(PathExists(PkiLayout::AgentsDir(dir_)));
}

TEST_F(Pki, IssueAgentWithoutCaSaysToRunInit) {
  Status status = IssueAgent({dir_, "kitchen", false});
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("pki init"), std::string::npos) << status.message();
  EXPECT_FALSE(PathExists(dir_));
}

TEST_F(Pki, TwoInstallationsHaveDifferentCas) {
  std::string other = root_ + "/other";
  Init();
  ASSERT_TRUE(InitPki({other, {}, false}).ok());
  Issue("kitchen", other);
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr other_ca = LoadCert(PkiLayout::CaCert(other));
  CertPtr foreign_agent = LoadCert(PkiLayout::AgentCert(other, "kitchen"));
  ASSERT_TRUE(ca && other_ca && foreign_agent);
  EXPECT_NE(*CertificateCommonName(ca.get()), *CertificateCommonName(other_ca.get()));
  EXPECT_EQ(VerifyError(other_ca.get(), foreign_agent.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(VerifyError(ca.get(), foreign_agent.get(), X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(Pki, DetectsCaKeyThatDoesNotBelongToCaCertificate) {
  std::string other = root_ + "/other";
  Init();
  ASSERT_TRUE(InitPki({other, {}, false}).ok());
  std::filesystem::copy_file(PkiLayout::CaKey(other), PkiLayout::CaKey(dir_),
                             std::filesystem::copy_options::overwrite_existing);
  Status status = IssueAgent({dir_, "kitchen", false});
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
}

TEST_F(Pki, ServerCertificateNamesLocalhostAndExtraNames) {
  Init({"aggregator.lan", "192.168.1.10", "fd00::1", "localhost"});
  CertPtr server = LoadCert(PkiLayout::ServerCert(dir_));
  ASSERT_TRUE(server);
  for (const std::string& host :
       {std::string("localhost"), std::string("aggregator.lan"), HostName()}) {
    EXPECT_EQ(X509_check_host(server.get(), host.c_str(), host.size(), 0, nullptr), 1) << host;
  }
  for (const char* ip : {"127.0.0.1", "::1", "192.168.1.10", "fd00::1"}) {
    EXPECT_EQ(X509_check_ip_asc(server.get(), ip, 0), 1) << ip;
  }
  EXPECT_NE(X509_check_host(server.get(), "evil.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(server.get(), "10.0.0.1", 0), 1);
}

TEST_F(Pki, RefusesMalformedServerNameBeforeWritingAnything) {
  for (const char* bad : {"a,DNS:evil.example", "bad name", "", "a..b", "-"}) {
    Status status = InitPki({dir_, {bad}, false});
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(PathExists(dir_));
}

TEST_F(Pki, IssueServerKeepsCaAndAgents) {
  Init();
  Issue("kitchen");
  Result<std::string> ca_before = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(ca_before.ok());
  Status status = IssueServer({dir_, {"new-name.lan"}});
  ASSERT_TRUE(status.ok()) << status.ToString();
  Result<std::string> ca_after = ReadWholeFile(PkiLayout::CaCert(dir_));
  ASSERT_TRUE(ca_after.ok());
  EXPECT_EQ(*ca_after, *ca_before);
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr server = LoadCert(PkiLayout::ServerCert(dir_));
  CertPtr agent = LoadCert(PkiLayout::AgentCert(dir_, "kitchen"));
  ASSERT_TRUE(ca && server && agent);
  EXPECT_EQ(X509_check_host(server.get(), "new-name.lan", 0, 0, nullptr), 1);
  EXPECT_EQ(VerifyError(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(VerifyError(ca.get(), agent.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST_F(Pki, UsesP256Sha256RandomSerialsAndKeyIdentifiers) {
  Init();
  Issue("a");
  Issue("b");
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr a = LoadCert(PkiLayout::AgentCert(dir_, "a"));
  CertPtr b = LoadCert(PkiLayout::AgentCert(dir_, "b"));
  KeyPtr key = LoadKey(PkiLayout::AgentKey(dir_, "a"));
  ASSERT_TRUE(ca && a && b && key);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char group[64] = {};
  size_t group_length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_length), 1);
  EXPECT_STREQ(group, "prime256v1");
  for (X509* cert : {ca.get(), a.get(), b.get()}) {
    EXPECT_EQ(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
    EXPECT_EQ(X509_get_version(cert), X509_VERSION_3);
    EXPECT_NE(X509_get0_subject_key_id(cert), nullptr);
    ASSERT_NE(X509_get0_authority_key_id(cert), nullptr);
    EXPECT_EQ(
        ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert), X509_get0_subject_key_id(ca.get())),
        0);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    EXPECT_EQ(serial->type, V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
    EXPECT_GE(serial->length, 12);            // about 128 bits, not a counter
  }
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST_F(Pki, CaLastsTwentyYearsAndLeavesTen) {
  Init();
  Issue("kitchen");
  CertPtr ca = LoadCert(PkiLayout::CaCert(dir_));
  CertPtr server = LoadCert(PkiLayout::ServerCert(dir_));
  CertPtr agent = LoadCert(PkiLayout::AgentCert(dir_, "kitchen"));
  ASSERT_TRUE(ca && server && agent);
  // notBefore is backdated by a day.
  EXPECT_EQ(ValidityDays(ca.get()), kCaValidityDays + 1);
  EXPECT_EQ(ValidityDays(server.get()), kLeafValidityDays + 1);
  EXPECT_EQ(ValidityDays(agent.get()), kLeafValidityDays + 1);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(agent.get())), 0);
}

// ---- Mutual TLS over a socketpair, with OpenSSL's SSL API ----

struct TlsFiles {
  std::string ca;    // trust anchor for the peer
  std::string cert;  // "" to present no certificate
  std::string key;
};

struct HandshakeOutcome {
  bool server_accepted = false;
  std::string server_error;  // why the server refused
  std::string peer_name;     // the CN the server saw
  bool client_completed = false;
};

std::string DrainErrors() {
  std::string text;
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text += buffer;
    text += "; ";
  }
  return text;
}

SSL_CTX* MakeContext(bool server, const TlsFiles& files) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) return nullptr;
  bool ok = SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) == 1;
  if (ok && !files.cert.empty()) {
    ok = SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) == 1 &&
         SSL_CTX_check_private_key(ctx) == 1;
  }
  // The server demands a client certificate; OpenSSL checks it for the TLS
  // client purpose (clientAuth) on the server side.
  SSL_CTX_set_verify(
      ctx, server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER, nullptr);
  if (!ok) {
    ADD_FAILURE() << "cannot set up TLS context: " << DrainErrors();
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

HandshakeOutcome Handshake(const TlsFiles& server_files, const TlsFiles& client_files,
                           const std::string& host) {
  HandshakeOutcome outcome;
  std::signal(SIGPIPE, SIG_IGN);  // a refused peer's socket may already be closed
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    ADD_FAILURE() << "socketpair failed";
    return outcome;
  }
  timeval timeout{10, 0};  // a broken handshake fails the test instead of hanging it
  for (int fd : fds) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  }
  SSL_CTX* server_ctx = MakeContext(true, server_files);
  SSL_CTX* client_ctx = MakeContext(false, client_files);
  if (server_ctx != nullptr && client_ctx != nullptr) {
    std::thread server([&] {
      SSL* ssl = SSL_new(server_ctx);
      SSL_set_fd(ssl, fds[0]);
      if (SSL_accept(ssl) == 1) {
        outcome.server_accepted = true;
        X509* peer = SSL_get1_peer_certificate(ssl);
        if (peer != nullptr) {
          Result<std::string> name = CertificateCommonName(peer);
          outcome.peer_name = name.ok() ? *name : name.status().ToString();
          X509_free(peer);
        }
        SSL_write(ssl, "ok", 2);
        SSL_shutdown(ssl);
      } else {
        outcome.server_error =
            std::string(X509_verify_cert_error_string(SSL_get_verify_result(ssl))) + " / " +
            DrainErrors();
      }
      SSL_free(ssl);
      ::shutdown(fds[0], SHUT_RDWR);
    });
    SSL* ssl = SSL_new(client_ctx);
    SSL_set_fd(ssl, fds[1]);
    SSL_set1_host(ssl, host.c_str());
    // In TLS 1.3 the client finishes before the server has judged its
    // certificate; reading the server's first bytes is what proves acceptance.
    char reply[2];
    outcome.client_completed =
        SSL_connect(ssl) == 1 && SSL_read(ssl, reply, 2) == 2 && std::string(reply, 2) == "ok";
    DrainErrors();
    SSL_free(ssl);
    ::shutdown(fds[1], SHUT_RDWR);
    server.join();
  }
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  ::close(fds[0]);
  ::close(fds[1]);
  return outcome;
}

TlsFiles ServerFiles(const std::string& dir) {
  return {PkiLayout::CaCert(dir), PkiLayout::ServerCert(dir), PkiLayout::ServerKey(dir)};
}
TlsFiles AgentFiles(const std::string& dir, const std::string& name) {
  return {PkiLayout::AgentCa(dir, name), PkiLayout::AgentCert(dir, name),
          PkiLayout::AgentKey(dir, name)};
}

TEST_F(Pki, MutualTlsAcceptsAgentAndSeesItsName) {
  Init();
  Issue("kitchen");
  HandshakeOutcome outcome = Handshake(ServerFiles(dir_), AgentFiles(dir_, "kitchen"), "localhost");
  EXPECT_TRUE(outcome.server_accepted) << outcome.server_error;
  EXPECT_TRUE(outcome.client_completed);
  EXPECT_EQ(outcome.peer_name, "kitchen");
}

TEST_F(Pki, MutualTlsRefusesAgentFromAnotherCa) {
  std::string other = root_ + "/other";
  Init();
  ASSERT_TRUE(InitPki({other, {}, false}).ok());
  Issue("kitchen", other);
  // The foreign agent even trusts this installation's CA; its own
  // certificate is what gets it refused.
  TlsFiles foreign = AgentFiles(other, "kitchen");
  foreign.ca = PkiLayout::CaCert(dir_);
  HandshakeOutcome outcome = Handshake(ServerFiles(dir_), foreign, "localhost");
  EXPECT_FALSE(outcome.server_accepted);
  EXPECT_FALSE(outcome.client_completed);
  EXPECT_NE(outcome.server_error.find("unable to get local issuer certificate"), std::string::npos)
      << outcome.server_error;
}

TEST_F(Pki, MutualTlsRefusesClientWithoutCertificate) {
  Init();
  TlsFiles anonymous{PkiLayout::CaCert(dir_), "", ""};
  HandshakeOutcome outcome = Handshake(ServerFiles(dir_), anonymous, "localhost");
  EXPECT_FALSE(outcome.server_accepted);
  EXPECT_FALSE(outcome.client_completed);
}

TEST_F(Pki, MutualTlsRefusesServerCertificateUsedAsClientCertificate) {
  Init();
  TlsFiles impostor = ServerFiles(dir_);
  HandshakeOutcome outcome = Handshake(ServerFiles(dir_), impostor, "localhost");
  EXPECT_FALSE(outcome.server_accepted);
  EXPECT_NE(outcome.server_error.find("unsuitable certificate purpose"), std::string::npos)
      << outcome.server_error;
}

TEST_F(Pki, AgentRefusesServerUnderAnotherName) {
  Init();
  Issue("kitchen");
  HandshakeOutcome outcome =
      Handshake(ServerFiles(dir_), AgentFiles(dir_, "kitchen"), "not-the-aggregator.example");
  EXPECT_FALSE(outcome.client_completed);
}

// ---- The command line ----

TEST_F(Pki, CommandInitAndIssueAgentPrintWhatTheyWrote) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPkiCommand({"init", "--dir", dir_, "--server-name", "aggregator.lan"}, out, err),
            kPkiExitOk)
      << err.str();
  EXPECT_NE(out.str().find(PkiLayout::CaCert(dir_)), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(PkiLayout::ServerKey(dir_)), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(RunPkiCommand({"issue-agent", "kitchen", "--dir=" + dir_}, out, err), kPkiExitOk)
      << err.str();
  EXPECT_NE(out.str().find(PkiLayout::AgentKey(dir_, "kitchen")), std::string::npos) << out.str();
  EXPECT_TRUE(err.str().empty()) << err.str();
}

TEST_F(Pki, CommandReportsFailureAndUsage) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPkiCommand({}, out, err), kPkiExitUsage);
  EXPECT_EQ(RunPkiCommand({"frobnicate"}, out, err), kPkiExitUsage);
  EXPECT_EQ(RunPkiCommand({"init"}, out, err), kPkiExitUsage);
  EXPECT_EQ(RunPkiCommand({"init", "--dir"}, out, err), kPkiExitUsage);
  EXPECT_EQ(RunPkiCommand({"init", "--dir", dir_, "--bogus"}, out, err), kPkiExitUsage);
  EXPECT_EQ(RunPkiCommand({"issue-agent", "--dir", dir_}, out, err), kPkiExitUsage);
  EXPECT_NE(err.str().find("usage:"), std::string::npos);
  EXPECT_EQ(RunPkiCommand({"init", "--dir", dir_}, out, err), kPkiExitOk);
  err.str("");
  EXPECT_EQ(RunPkiCommand({"init", "--dir", dir_}, out, err), kPkiExitFailure);
  EXPECT_NE(err.str().find("already exists"), std::string::npos) << err.str();
  EXPECT_EQ(RunPkiCommand({"--help"}, out, err), kPkiExitOk);
}

}  // namespace
}  // namespace wattline::aggregator
