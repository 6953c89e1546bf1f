// X.509 certificates for WS-Security's X.509 Token Profile: loading (PEM / DER), the values
// tokens carry (DER for a BinarySecurityToken, the SHA-1 thumbprint for a ThumbprintSHA1
// KeyIdentifier), and path validation against configured trust anchors. OpenSSL 3 only.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/error.h"

namespace parley::x509 {

// Upper bound on one certificate's DER and on a PEM file of trust anchors: far above real
// certificates (a few KB), low enough that a hostile BinarySecurityToken cannot make parley
// parse megabytes of ASN.1.
inline constexpr std::size_t kMaxCertificateBytes = 64 * 1024;
inline constexpr std::size_t kMaxPemBytes = 1024 * 1024;

// An immutable certificate (shared: copies are cheap, the X509 is never mutated after load).
class Certificate {
 public:
  // The first CERTIFICATE block of a PEM text.
  static Result<Certificate> from_pem(std::string_view pem);
  static Result<Certificate> from_der(ByteView der);
  static Result<Certificate> load_pem_file(const std::string& path);

  X509* get() const { return cert_.get(); }
  const Bytes& der() const { return der_; }
  // SHA-1 of the DER encoding: WSS 1.1 ThumbprintSHA1 (s.7.7) and WCF's X509ThumbprintKeyIdentifierClause.
  Bytes thumbprint_sha1() const;
  // The subject as one line, RFC 2253 order ("CN=parley test client,O=...").
  std::string subject() const;
  // The subject public key; RSA only (the X.509 bootstraps sign and wrap keys with RSA).
  Result<crypto::RsaKey> public_key() const;

 private:
  Certificate(std::shared_ptr<X509> cert, Bytes der) : cert_(std::move(cert)), der_(std::move(der)) {}
  std::shared_ptr<X509> cert_;
  Bytes der_;
};

// Trust anchors (CA certificates) and path validation with OpenSSL's X509_verify_cert.
class TrustStore {
 public:
  // One or more CERTIFICATE blocks.
  static Result<TrustStore> from_pem(std::string_view pem);
  static Result<TrustStore> load_pem_file(const std::string& path);

  // Validates `leaf` up to one of the anchors at time `at` (validity dates of every certificate
  // on the path are checked, as are CA basic constraints). Errors are kVerification and name
  // OpenSSL's reason ("certificate has expired", "unable to get local issuer certificate").
  Status verify(const Certificate& leaf, std::chrono::system_clock::time_point at) const;
  // Whether the failure `verify` reported was the validity period (expired / not yet valid).
  static bool is_validity_error(const Error& e);

  std::size_t size() const;

 private:
  explicit TrustStore(std::shared_ptr<X509_STORE> store) : store_(std::move(store)) {}
  std::shared_ptr<X509_STORE> store_;
};

// A certificate with its private key (a party's own credentials); the key must match the
// certificate's public key.
struct Credentials {
  Certificate certificate;
  crypto::RsaKey private_key;

  static Result<Credentials> from_pem(std::string_view certificate_pem, std::string_view key_pem);
  static Result<Credentials> load_pem_files(const std::string& certificate_path, const std::string& key_path);
};

}  // namespace parley::x509
