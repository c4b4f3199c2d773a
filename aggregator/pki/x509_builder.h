// Keys and X.509 certificates for the aggregator's PKI, built with OpenSSL 3.
// The policy (which names, how long) is pki.cc's; this file knows how to turn
// it into DER extensions, sign it and move it to and from PEM.
//
// Every function reports OpenSSL failures through OpenSslError(), with the
// error queue's reasons. Thread-safe: no shared state; OpenSSL's error queue
// is per thread.
#ifndef WATTLINE_AGGREGATOR_PKI_X509_BUILDER_H_
#define WATTLINE_AGGREGATOR_PKI_X509_BUILDER_H_

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wattline::aggregator {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const;
};
struct X509Free {
  void operator()(X509* cert) const;
};
// Owning handles; free with EVP_PKEY_free / X509_free.
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using CertPtr = std::unique_ptr<X509, X509Free>;

// A fresh ECDSA key on P-256 (prime256v1), encoded with the named curve.
[[nodiscard]] Result<KeyPtr> GenerateKey();

// What a certificate may be used for; sets basicConstraints, keyUsage and
// extendedKeyUsage (all in pki.h's contract).
enum class CertRole {
  kCa,      // CA:TRUE, pathlen:0 (critical); keyCertSign, cRLSign (critical)
  kServer,  // CA:FALSE (critical); digitalSignature (critical); serverAuth
  kClient,  // CA:FALSE (critical); digitalSignature (critical); clientAuth
};

struct CertRequest {
  CertRole role = CertRole::kClient;
  // The subject is this one CN and nothing else. At most 64 bytes (X.520).
  std::string common_name;
  // subjectAltName entries; the extension is left out when both are empty.
  // REQUIRES: ip_addresses are IPv4 or IPv6 literals; dns_names are non-empty
  // and free of NUL bytes.
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  // notBefore is backdated by kBackdateSeconds; notAfter is now + this.
  int validity_days = 0;
};

// How far notBefore lies in the past, for devices whose clock lags.
inline constexpr long kBackdateSeconds = 24 * 60 * 60;

// Issues a certificate for `subject_key` (its public half), version 3, with a
// random positive 128-bit serial, subject and authority key identifiers, and
// an SHA-256 signature by `issuer_key`. `issuer_cert` is null for a
// self-signed certificate, and `issuer_key` is then `subject_key`.
// REQUIRES: keys non-null; `issuer_key` belongs to `issuer_cert` when set.
[[nodiscard]] Result<CertPtr> IssueCertificate(const CertRequest& request, EVP_PKEY* subject_key,
                                               X509* issuer_cert, EVP_PKEY* issuer_key);

// PEM text ("-----BEGIN CERTIFICATE-----", and unencrypted PKCS#8
// "-----BEGIN PRIVATE KEY-----"). The key's PEM is secret: the caller writes
// it only to a private file and wipes it (OPENSSL_cleanse) when done.
[[nodiscard]] Result<std::string> CertificateToPem(X509* cert);
[[nodiscard]] Result<std::string> PrivateKeyToPem(EVP_PKEY* key);

// Parse the first PEM block of `pem`; `source` (a path) names it in errors.
// Corruption when it does not parse. Encrypted keys are refused, never
// prompted for.
[[nodiscard]] Result<CertPtr> CertificateFromPem(std::string_view pem, std::string_view source);
[[nodiscard]] Result<KeyPtr> PrivateKeyFromPem(std::string_view pem, std::string_view source);

// OK when `cert` is a CA certificate (basicConstraints CA:TRUE) and `key` is
// its private key; Corruption naming `source` otherwise.
[[nodiscard]] Status CheckIssuer(const X509* cert, const EVP_PKEY* key, std::string_view source);

// The subject's single commonName as UTF-8. NotFound when it has none,
// InvalidArgument when it has more than one (the identity would be ambiguous).
[[nodiscard]] Result<std::string> CertificateCommonName(const X509* cert);

// `bytes` bytes from OpenSSL's CSPRNG as lowercase hex.
[[nodiscard]] Result<std::string> RandomHex(std::size_t bytes);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_PKI_X509_BUILDER_H_
