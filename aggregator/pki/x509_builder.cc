#include "aggregator/pki/x509_builder.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>

#include "aggregator/pki/openssl_error.h"

namespace wattline::aggregator {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};

// RFC 5280 4.1.2.2: positive, at most 20 octets. 128 random bits make a
// collision, and so any attack that needs a chosen serial, impractical.
Status SetRandomSerial(X509* cert) {
  std::unique_ptr<BIGNUM, BignumFree> serial(BN_new());
  if (serial == nullptr) return OpenSslError("cannot allocate a serial number");
  do {
    if (BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return OpenSslError("cannot draw a random serial number");
    }
  } while (BN_is_zero(serial.get()));
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslError("cannot set the serial number");
  }
  return Status::Ok();
}

Status SetValidity(X509* cert, int validity_days) {
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), validity_days, 0, nullptr) == nullptr) {
    return OpenSslError("cannot set the validity period");
  }
  return Status::Ok();
}

Status SetSubject(X509* cert, const std::string& common_name, X509* issuer_cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslError("cannot set the subject CN \"" + common_name + "\"",
                        &Status::InvalidArgument);
  }
  X509_NAME* issuer = issuer_cert != nullptr ? X509_get_subject_name(issuer_cert) : subject;
  if (X509_set_issuer_name(cert, issuer) != 1) return OpenSslError("cannot set the issuer name");
  return Status::Ok();
}

// `value` uses the openssl.cnf syntax (x509v3_config(5)); only fixed strings
// from this file go through it, never names typed by a user.
Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(
      X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(std::string("cannot add extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::Ok();
}

Status AddGeneralName(GENERAL_NAMES* names, int type, const std::string& value) {
  GENERAL_NAME* name = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, value.c_str(), 0);
  if (name == nullptr) {
    return OpenSslError("cannot encode subjectAltName \"" + value + "\"", &Status::InvalidArgument);
  }
  if (sk_GENERAL_NAME_push(names, name) <= 0) {
    GENERAL_NAME_free(name);
    return OpenSslError("cannot add subjectAltName \"" + value + "\"");
  }
  return Status::Ok();
}

// Built from GENERAL_NAMEs rather than a config string, so a name cannot
// smuggle in a second entry with a comma.
Status AddSubjectAltNames(X509* cert, const CertRequest& request) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) return Status::Ok();
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(GENERAL_NAMES_new());
  if (names == nullptr) return OpenSslError("cannot allocate subjectAltName");
  for (const std::string& dns : request.dns_names) {
    WATTLINE_RETURN_IF_ERROR(AddGeneralName(names.get(), GEN_DNS, dns));
  }
  for (const std::string& ip : request.ip_addresses) {
    WATTLINE_RETURN_IF_ERROR(AddGeneralName(names.get(), GEN_IPADD, ip));
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("cannot add subjectAltName");
  }
  return Status::Ok();
}

Status AddExtensions(X509* cert, const CertRequest& request, X509* issuer_cert) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_cert != nullptr ? issuer_cert : cert, cert, nullptr, nullptr, 0);
  switch (request.role) {
    case CertRole::kCa:
      // pathlen:0: this CA signs end entities only, never another CA.
      WATTLINE_RETURN_IF_ERROR(
          AddExtension(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
      WATTLINE_RETURN_IF_ERROR(
          AddExtension(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
      break;
    case CertRole::kServer:
    case CertRole::kClient:
      WATTLINE_RETURN_IF_ERROR(
          AddExtension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE"));
      // ECDSA keys sign the handshake; keyEncipherment is for RSA key transport.
      WATTLINE_RETURN_IF_ERROR(
          AddExtension(cert, &ctx, NID_key_usage, "critical,digitalSignature"));
      WATTLINE_RETURN_IF_ERROR(
          AddExtension(cert, &ctx, NID_ext_key_usage,
                       request.role == CertRole::kServer ? "serverAuth" : "clientAuth"));
      break;
  }
  // The subject key identifier first: for a self-signed certificate the
  // authority key identifier is copied from it.
  WATTLINE_RETURN_IF_ERROR(AddExtension(cert, &ctx, NID_subject_key_identifier, "hash"));
  WATTLINE_RETURN_IF_ERROR(AddExtension(cert, &ctx, NID_authority_key_identifier, "keyid:always"));
  return AddSubjectAltNames(cert, request);
}

Result<std::string> DrainBio(BIO* bio, std::string_view what) {
  size_t pending = BIO_ctrl_pending(bio);
  if (pending > INT_MAX) return Status::Internal(std::string(what) + ": PEM output too large");
  std::string out(pending, '\0');
  if (pending > 0 &&
      BIO_read(bio, out.data(), static_cast<int>(pending)) != static_cast<int>(pending)) {
    return OpenSslError(what);
  }
  return out;
}

Result<BioPtr> ReadOnlyBio(std::string_view pem, std::string_view source) {
  if (pem.size() > INT_MAX) return Status::InvalidArgument(std::string(source) + " is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("cannot read " + std::string(source));
  return bio;
}

// Refuses to prompt on the terminal for the pass phrase of an encrypted key.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

}  // namespace

void EvpPkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
void X509Free::operator()(X509* cert) const { X509_free(cert); }

Result<KeyPtr> GenerateKey() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (ctx == nullptr) return OpenSslError("cannot set up EC key generation");
  if (EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0) {
    return OpenSslError("cannot set up P-256 key generation");
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &key) <= 0) return OpenSslError("cannot generate a P-256 key");
  return KeyPtr(key);
}

Result<CertPtr> IssueCertificate(const CertRequest& request, EVP_PKEY* subject_key,
                                 X509* issuer_cert, EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  if (cert == nullptr) return OpenSslError("cannot allocate a certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError("cannot set the certificate version");
  }
  WATTLINE_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  WATTLINE_RETURN_IF_ERROR(SetValidity(cert.get(), request.validity_days));
  WATTLINE_RETURN_IF_ERROR(SetSubject(cert.get(), request.common_name, issuer_cert));
  if (X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslError("cannot set the certificate's public key");
  }
  WATTLINE_RETURN_IF_ERROR(AddExtensions(cert.get(), request, issuer_cert));
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("cannot sign the certificate for \"" + request.common_name + "\"");
  }
  return cert;
}

Result<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("cannot encode a certificate as PEM");
  }
  return DrainBio(bio.get(), "cannot encode a certificate as PEM");
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("cannot encode a private key as PEM");
  }
  return DrainBio(bio.get(), "cannot encode a private key as PEM");
}

Result<CertPtr> CertificateFromPem(std::string_view pem, std::string_view source) {
  Result<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  CertPtr cert(PEM_read_bio_X509(bio->get(), nullptr, &NoPassphrase, nullptr));
  if (cert == nullptr) {
    return OpenSslError("no PEM certificate in " + std::string(source), &Status::Corruption);
  }
  return cert;
}

Result<KeyPtr> PrivateKeyFromPem(std::string_view pem, std::string_view source) {
  Result<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  KeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, &NoPassphrase, nullptr));
  if (key == nullptr) {
    return OpenSslError("no unencrypted PEM private key in " + std::string(source),
                        &Status::Corruption);
  }
  return key;
}

Status CheckIssuer(const X509* cert, const EVP_PKEY* key, std::string_view source) {
  // X509_check_ca() caches extensions in the certificate, hence the cast;
  // the certificate's contents do not change.
  if (X509_check_ca(const_cast<X509*>(cert)) != 1) {
    return Status::Corruption(std::string(source) + " is not a CA certificate");
  }
  if (X509_check_private_key(cert, key) != 1) {
    return OpenSslError(std::string(source) + ": the CA key does not belong to the CA certificate",
                        &Status::Corruption);
  }
  return Status::Ok();
}

Result<std::string> CertificateCommonName(const X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return Status::NotFound("the certificate's subject has no CN");
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) {
    return Status::InvalidArgument("the certificate's subject has more than one CN");
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return OpenSslError("cannot decode the certificate's CN", &Status::Corruption);
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

Result<std::string> RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (bytes > INT_MAX ||
      RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return OpenSslError("cannot draw random bytes");
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (char c : raw) {
    auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

}  // namespace wattline::aggregator
