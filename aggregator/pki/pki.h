// The aggregator's private PKI: one CA per installation that signs the
// aggregator's server certificate and each agent's client certificate, for
// mutual TLS between agents and the aggregator.
//
// Identity: an agent is the commonName of its client certificate, and the
// aggregator stamps that name as the `agent` label of everything the agent
// sends. The aggregator must therefore verify client certificates against
// PkiLayout::CaCert() with the TLS client purpose (clientAuth); the server
// certificate carries serverAuth only, so it cannot pose as an agent.
//
// On disk (see PkiLayout; modes are exact, whatever the umask):
//   D/                     0700 when created here
//   D/ca.pem               0644  CA certificate
//   D/ca-key.pem           0600  CA private key
//   D/server.pem           0644  aggregator certificate
//   D/server-key.pem       0600
//   D/agents/              0700
//   D/agents/NAME/         0700  the bundle to copy to the agent
//   D/agents/NAME/ca.pem   0644  a copy of D/ca.pem, to verify the aggregator
//   D/agents/NAME/cert.pem 0644  CN=NAME, clientAuth
//   D/agents/NAME/key.pem  0600
//
// Keys are ECDSA P-256: fast to sign and verify on a Raspberry Pi Zero, and
// accepted by every TLS stack the agent may meet. Certificates are X.509 v3,
// signed with SHA-256, with 128-bit random serials and subject/authority key
// identifiers.
//
// Validity: the CA is valid for 20 years, server and agent certificates for
// 10. These are unattended home devices with no renewal infrastructure
// (no ACME, no one watching expiry dates); a certificate that expires turns
// a working installation into a silent outage years later. Revocation is by
// re-initialising the CA (which invalidates every agent) or, later, by a deny
// list of agent names in the aggregator's configuration. notBefore lies one
// day in the past, because a Pi has no RTC and may run on a stale
// fake-hwclock time until NTP synchronises.
//
// Every file is written atomically (temp file, fsync, rename, fsync of the
// directory) and private keys are created 0600, never widened later. A run
// as a whole is not atomic: a crash between files can leave a CA key that
// does not match ca.pem; IssueAgent() detects that, and `init --force` fixes
// it.
//
// Thread-safety: the functions share no state, but two runs against the same
// directory at the same time race; these are one-shot command-line operations.
#ifndef WATTLINE_AGGREGATOR_PKI_PKI_H_
#define WATTLINE_AGGREGATOR_PKI_PKI_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wattline::aggregator {

// File names inside a PKI directory, so the aggregator's configuration
// defaults, the commands and the tests agree.
class PkiLayout {
 public:
  static std::string CaCert(std::string_view dir);
  static std::string CaKey(std::string_view dir);
  static std::string ServerCert(std::string_view dir);
  static std::string ServerKey(std::string_view dir);
  static std::string AgentsDir(std::string_view dir);
  static std::string AgentDir(std::string_view dir, std::string_view name);
  static std::string AgentCa(std::string_view dir, std::string_view name);
  static std::string AgentCert(std::string_view dir, std::string_view name);
  static std::string AgentKey(std::string_view dir, std::string_view name);
};

inline constexpr int kCaValidityDays = 20 * 365 + 5;    // 20 years with leap days
inline constexpr int kLeafValidityDays = 10 * 365 + 3;  // 10 years with leap days

struct PkiInitOptions {
  std::string dir;
  // Extra names the agents may use to reach the aggregator, on top of
  // localhost, 127.0.0.1, ::1 and this machine's hostname. An IPv4 or IPv6
  // literal becomes an IP SAN, anything else a DNS SAN ("*.example.org" is
  // allowed). Duplicates are dropped.
  std::vector<std::string> server_names;
  // Replace an existing CA. Every agent certificate signed by the old CA stops
  // working; the agents need new bundles.
  bool force = false;
};

// Creates `options.dir` (mode 0700, parents as needed) with a new CA and a
// server certificate signed by it. Returns the paths it wrote in `written`
// when non-null.
// Errors: AlreadyExists when the directory already holds a CA and !force;
// InvalidArgument for a malformed server name; IoError for file-system
// failures; Internal for OpenSSL failures (with OpenSSL's reasons).
[[nodiscard]] Status InitPki(const PkiInitOptions& options,
                             std::vector<std::string>* written = nullptr);

struct ServerIssueOptions {
  std::string dir;
  std::vector<std::string> server_names;  // as in PkiInitOptions
};

// Replaces the server certificate and key with new ones from the existing CA,
// e.g. to add a name the agents reach the aggregator by. Agents need nothing
// new: they trust the CA, not the server certificate.
// Errors: NotFound when there is no CA (run InitPki first); Corruption when
// ca.pem or ca-key.pem does not parse or they do not belong together; as
// InitPki otherwise.
[[nodiscard]] Status IssueServer(const ServerIssueOptions& options,
                                 std::vector<std::string>* written = nullptr);

// True when `name` matches [A-Za-z0-9][A-Za-z0-9._-]{0,62}: usable as a
// directory name, a CN and a label value, and never "." or "..".
bool IsValidAgentName(std::string_view name);

struct AgentIssueOptions {
  std::string dir;
  std::string name;
  // Replace an existing bundle for this name (e.g. after losing an SD card).
  // The replaced certificate is not revoked: it keeps working until it
  // expires or the CA is re-initialised (a deny list is future work).
  bool force = false;
};

// Creates the bundle for agent `options.name` under PkiLayout::AgentDir().
// Errors: InvalidArgument for a bad name; AlreadyExists when the bundle exists
// and !force; NotFound / Corruption for a missing or damaged CA, as in
// IssueServer; IoError and Internal as in InitPki.
[[nodiscard]] Status IssueAgent(const AgentIssueOptions& options,
                                std::vector<std::string>* written = nullptr);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_PKI_PKI_H_
