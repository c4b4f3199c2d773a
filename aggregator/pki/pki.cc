#include "aggregator/pki/pki.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "aggregator/pki/openssl_error.h"
#include "aggregator/pki/pem_file.h"
#include "common/private_directory.h"
#include "aggregator/pki/x509_builder.h"

namespace wattline::aggregator {
namespace {

// The server's CN is informative only: TLS clients match names against the
// subjectAltName. A hostname could exceed the CN's 64 bytes, so it is fixed.
constexpr char kServerCommonName[] = "Wattline aggregator";
constexpr char kCaCommonNamePrefix[] = "Wattline CA ";

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

bool IsIpLiteral(const std::string& text) {
  in6_addr address;
  return ::inet_pton(AF_INET, text.c_str(), &address) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

bool IsDnsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Host names as agents will type them in their configuration: dot-separated
// labels of letters, digits, '-' and '_', not starting or ending with '-',
// optionally behind one leading "*." wildcard.
bool IsValidDnsName(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), IsDnsLabelChar)) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

// Adds `name` to the request's SANs, once. A user-given name that is neither
// an IP literal nor a host name is an error.
Status AddServerName(const std::string& name, CertRequest* request) {
  std::vector<std::string>* list = nullptr;
  if (IsIpLiteral(name)) {
    list = &request->ip_addresses;
  } else if (IsValidDnsName(name)) {
    list = &request->dns_names;
  } else {
    return Status::InvalidArgument("server name \"" + name +
                                   "\" is neither an IP address nor a host name");
  }
  if (std::find(list->begin(), list->end(), name) == list->end()) list->push_back(name);
  return Status::Ok();
}

std::string LocalHostname() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buffer, sizeof(buffer) - 1) != 0) return "";
  return buffer;
}

Result<CertRequest> ServerRequest(const std::vector<std::string>& extra_names) {
  CertRequest request;
  request.role = CertRole::kServer;
  request.common_name = kServerCommonName;
  request.validity_days = kLeafValidityDays;
  for (const char* name : {"localhost", "127.0.0.1", "::1"}) {
    WATTLINE_RETURN_IF_ERROR(AddServerName(name, &request));
  }
  // A hostname that is not a usable DNS name (rare) is left out rather than
  // failing the command: the user can still pass --server-name.
  std::string hostname = LocalHostname();
  if (!hostname.empty() && IsValidDnsName(hostname)) {
    WATTLINE_RETURN_IF_ERROR(AddServerName(hostname, &request));
  }
  for (const std::string& name : extra_names) {
    WATTLINE_RETURN_IF_ERROR(AddServerName(name, &request));
  }
  return request;
}

void Note(std::vector<std::string>* written, const std::string& path) {
  if (written != nullptr) written->push_back(path);
}

// Writes the key before the certificate; a crash in between leaves a pair
// that does not match, which CheckIssuer() and TLS setup both detect.
Status WriteKeyPair(const std::string& cert_path, X509* cert, const std::string& key_path,
                    EVP_PKEY* key, std::vector<std::string>* written) {
  Result<std::string> key_pem = PrivateKeyToPem(key);
  if (!key_pem.ok()) return key_pem.status();
  Status status = WriteFileAtomically(key_path, *key_pem, kPrivateFileMode);
  OPENSSL_cleanse(key_pem->data(), key_pem->size());
  WATTLINE_RETURN_IF_ERROR(status);
  Note(written, key_path);
  Result<std::string> cert_pem = CertificateToPem(cert);
  if (!cert_pem.ok()) return cert_pem.status();
  WATTLINE_RETURN_IF_ERROR(WriteFileAtomically(cert_path, *cert_pem, kPublicFileMode));
  Note(written, cert_path);
  return Status::Ok();
}

struct Ca {
  CertPtr cert;
  KeyPtr key;
};

Result<Ca> LoadCa(const std::string& dir) {
  const std::string cert_path = PkiLayout::CaCert(dir);
  const std::string key_path = PkiLayout::CaKey(dir);
  Result<std::string> cert_pem = ReadWholeFile(cert_path);
  if (!cert_pem.ok()) {
    if (cert_pem.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("no CA in " + dir + " (" + cert_path +
                              " is missing); run `wattline-aggregator pki init --dir " + dir +
                              "` first");
    }
    return cert_pem.status();
  }
  Result<std::string> key_pem = ReadWholeFile(key_path);
  if (!key_pem.ok()) return key_pem.status().WithContext("cannot load the CA key");
  Result<CertPtr> cert = CertificateFromPem(*cert_pem, cert_path);
  Result<KeyPtr> key = PrivateKeyFromPem(*key_pem, key_path);
  OPENSSL_cleanse(key_pem->data(), key_pem->size());
  if (!cert.ok()) return cert.status();
  if (!key.ok()) return key.status();
  WATTLINE_RETURN_IF_ERROR(CheckIssuer(cert->get(), key->get(), cert_path));
  return Ca{std::move(cert).value(), std::move(key).value()};
}

Status IssueServerFrom(const std::string& dir, const CertRequest& request, const Ca& ca,
                       std::vector<std::string>* written) {
  Result<KeyPtr> key = GenerateKey();
  if (!key.ok()) return key.status();
  Result<CertPtr> cert = IssueCertificate(request, key->get(), ca.cert.get(), ca.key.get());
  if (!cert.ok()) return cert.status().WithContext("cannot issue the server certificate");
  return WriteKeyPair(PkiLayout::ServerCert(dir), cert->get(), PkiLayout::ServerKey(dir),
                      key->get(), written);
}

// Common start of every operation: a directory to work in, and no stale
// OpenSSL reasons left over from earlier calls on this thread.
Status Begin(const std::string& dir) {
  ClearOpenSslErrors();
  if (dir.empty()) return Status::InvalidArgument("no PKI directory given");
  return Status::Ok();
}

}  // namespace

std::string PkiLayout::CaCert(std::string_view dir) { return JoinPath(dir, "ca.pem"); }
std::string PkiLayout::CaKey(std::string_view dir) { return JoinPath(dir, "ca-key.pem"); }
std::string PkiLayout::ServerCert(std::string_view dir) { return JoinPath(dir, "server.pem"); }
std::string PkiLayout::ServerKey(std::string_view dir) { return JoinPath(dir, "server-key.pem"); }
std::string PkiLayout::AgentsDir(std::string_view dir) { return JoinPath(dir, "agents"); }
std::string PkiLayout::AgentDir(std::string_view dir, std::string_view name) {
  return JoinPath(AgentsDir(dir), name);
}
std::string PkiLayout::AgentCa(std::string_view dir, std::string_view name) {
  return JoinPath(AgentDir(dir, name), "ca.pem");
}
std::string PkiLayout::AgentCert(std::string_view dir, std::string_view name) {
  return JoinPath(AgentDir(dir, name), "cert.pem");
}
std::string PkiLayout::AgentKey(std::string_view dir, std::string_view name) {
  return JoinPath(AgentDir(dir, name), "key.pem");
}

bool IsValidAgentName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Status InitPki(const PkiInitOptions& options, std::vector<std::string>* written) {
  WATTLINE_RETURN_IF_ERROR(Begin(options.dir));
  const std::string& dir = options.dir;
  // Every check comes before the first write.
  Result<CertRequest> server_request = ServerRequest(options.server_names);
  if (!server_request.ok()) return server_request.status();
  const std::string ca_cert_path = PkiLayout::CaCert(dir);
  const std::string ca_key_path = PkiLayout::CaKey(dir);
  if (!options.force && (PathExists(ca_cert_path) || PathExists(ca_key_path))) {
    return Status::AlreadyExists(
        "a CA already exists in " + dir +
        "; pass --force to replace it (every agent bundle issued so far stops working)");
  }
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(dir));

  // A random id in the CA's name tells installations apart in tools that
  // show only the issuer's name ("unknown CA Wattline CA 3f9c0a2e").
  Result<std::string> id = RandomHex(4);
  if (!id.ok()) return id.status();
  CertRequest ca_request;
  ca_request.role = CertRole::kCa;
  ca_request.common_name = kCaCommonNamePrefix + *id;
  ca_request.validity_days = kCaValidityDays;
  Result<KeyPtr> ca_key = GenerateKey();
  if (!ca_key.ok()) return ca_key.status();
  Result<CertPtr> ca_cert = IssueCertificate(ca_request, ca_key->get(), nullptr, ca_key->get());
  if (!ca_cert.ok()) return ca_cert.status().WithContext("cannot issue the CA certificate");
  Ca ca{std::move(ca_cert).value(), std::move(ca_key).value()};

  WATTLINE_RETURN_IF_ERROR(
      WriteKeyPair(ca_cert_path, ca.cert.get(), ca_key_path, ca.key.get(), written));
  return IssueServerFrom(dir, *server_request, ca, written);
}

Status IssueServer(const ServerIssueOptions& options, std::vector<std::string>* written) {
  WATTLINE_RETURN_IF_ERROR(Begin(options.dir));
  Result<CertRequest> request = ServerRequest(options.server_names);
  if (!request.ok()) return request.status();
  Result<Ca> ca = LoadCa(options.dir);
  if (!ca.ok()) return ca.status();
  return IssueServerFrom(options.dir, *request, *ca, written);
}

Status IssueAgent(const AgentIssueOptions& options, std::vector<std::string>* written) {
  WATTLINE_RETURN_IF_ERROR(Begin(options.dir));
  const std::string& dir = options.dir;
  const std::string& name = options.name;
  if (!IsValidAgentName(name)) {
    return Status::InvalidArgument("invalid agent name \"" + name +
                                   "\": use 1 to 63 letters, digits, '.', '_' or '-', "
                                   "starting with a letter or digit");
  }
  Result<Ca> ca = LoadCa(dir);
  if (!ca.ok()) return ca.status();
  const std::string agent_dir = PkiLayout::AgentDir(dir, name);
  if (!options.force && PathExists(agent_dir)) {
    return Status::AlreadyExists("agent \"" + name + "\" already has a bundle in " + agent_dir +
                                 "; pass --force to replace it");
  }
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(PkiLayout::AgentsDir(dir)));
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(agent_dir));

  CertRequest request;
  request.role = CertRole::kClient;
  request.common_name = name;  // the aggregator's `agent` label
  request.validity_days = kLeafValidityDays;
  Result<KeyPtr> key = GenerateKey();
  if (!key.ok()) return key.status();
  Result<CertPtr> cert = IssueCertificate(request, key->get(), ca->cert.get(), ca->key.get());
  if (!cert.ok()) return cert.status().WithContext("cannot issue the certificate of " + name);
  WATTLINE_RETURN_IF_ERROR(WriteKeyPair(PkiLayout::AgentCert(dir, name), cert->get(),
                                        PkiLayout::AgentKey(dir, name), key->get(), written));
  Result<std::string> ca_pem = CertificateToPem(ca->cert.get());
  if (!ca_pem.ok()) return ca_pem.status();
  const std::string agent_ca = PkiLayout::AgentCa(dir, name);
  WATTLINE_RETURN_IF_ERROR(WriteFileAtomically(agent_ca, *ca_pem, kPublicFileMode));
  Note(written, agent_ca);
  return Status::Ok();
}

}  // namespace wattline::aggregator
