// Test-only: a throw-away PKI made in memory with the OpenSSL API (what scripts/gen-certs makes
// with the CLI): a CA, leaf certificates it issues (with chosen validity), and certificates
// from a second CA that nothing trusts. Nothing here is a secret that matters.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace parley::x509::testing {

struct PemPair {
  std::string certificate;  // PEM
  std::string private_key;  // PEM (PKCS#8)
};

namespace detail {
inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}
}  // namespace detail

// A certificate for `common_name`, valid from now + not_before_seconds to now +
// not_after_seconds, signed by `issuer` (self-signed when nullptr), RSA 2048 / SHA-256.
// Returns empty strings on failure (tests assert on them).
inline PemPair make_certificate(const std::string& common_name, const PemPair* issuer, long not_before_seconds,
                                long not_after_seconds, bool ca, long serial) {
  PemPair out;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) return out;
  std::unique_ptr<X509, decltype(&X509_free)> issuer_cert(nullptr, &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> issuer_key(nullptr, &EVP_PKEY_free);
  if (issuer != nullptr) {
    std::unique_ptr<BIO, decltype(&BIO_free)> cb(
        BIO_new_mem_buf(issuer->certificate.data(), static_cast<int>(issuer->certificate.size())), &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> kb(
        BIO_new_mem_buf(issuer->private_key.data(), static_cast<int>(issuer->private_key.size())), &BIO_free);
    issuer_cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    issuer_key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!issuer_cert || !issuer_key) return out;
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_seconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer_cert ? X509_get_subject_name(issuer_cert.get()) : subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  const char* constraints = ca ? "critical,CA:TRUE" : "CA:FALSE";
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, constraints);
  if (ext == nullptr) return out;
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  if (X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256()) == 0) return out;
  std::unique_ptr<BIO, decltype(&BIO_free)> cb(BIO_new(BIO_s_mem()), &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new(BIO_s_mem()), &BIO_free);
  if (PEM_write_bio_X509(cb.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return out;
  }
  out.certificate = detail::bio_text(cb.get());
  out.private_key = detail::bio_text(kb.get());
  return out;
}

// What the certificate-bootstrap tests need: scripts/gen-certs' set, made in memory.
struct TestPki {
  PemPair ca;
  PemPair server;          // the service's message-security certificate
  PemPair client;          // a client certificate the CA issued
  PemPair expired_client;  // issued by the CA, expired a day ago
  PemPair untrusted_ca;
  PemPair untrusted_client;  // issued by the untrusted CA

  static TestPki make() {
    TestPki p;
    constexpr long kDay = 86400;
    p.ca = make_certificate("parley test CA", nullptr, -60 * kDay, 30 * kDay, true, 1);
    p.server = make_certificate("localhost", &p.ca, -kDay, 30 * kDay, false, 2);
    p.client = make_certificate("parley test client", &p.ca, -kDay, 30 * kDay, false, 3);
    p.expired_client = make_certificate("parley expired client", &p.ca, -30 * kDay, -kDay, false, 4);
    p.untrusted_ca = make_certificate("parley untrusted CA", nullptr, -kDay, 30 * kDay, true, 5);
    p.untrusted_client = make_certificate("parley untrusted client", &p.untrusted_ca, -kDay, 30 * kDay, false, 6);
    return p;
  }
  bool ok() const {
    for (const PemPair* c : {&ca, &server, &client, &expired_client, &untrusted_ca, &untrusted_client}) {
      if (c->certificate.empty() || c->private_key.empty()) return false;
    }
    return true;
  }
  // Writes <name>.pem / <name>.key for every certificate into `dir` (as scripts/gen-certs names them).
  void write(const std::filesystem::path& dir) const {
    auto put = [&](const std::string& name, const PemPair& c) {
      std::ofstream(dir / (name + ".pem")) << c.certificate;
      std::ofstream(dir / (name + ".key")) << c.private_key;
    };
    put("ca", ca);
    put("server", server);
    put("client", client);
    put("expired-client", expired_client);
    put("untrusted-ca", untrusted_ca);
    put("untrusted-client", untrusted_client);
  }
};

}  // namespace parley::x509::testing
