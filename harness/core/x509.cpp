#include "harness/core/x509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::x509 {
namespace {

constexpr std::string_view kWhere = "X.509 certificate";
constexpr std::string_view kValidityWhere = "X.509 path validation: validity period";
constexpr std::string_view kPathWhere = "X.509 path validation";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

Error openssl_error(std::string what, std::string_view where) {
  std::string detail = crypto::openssl_error_text();
  if (!detail.empty()) what += " (" + detail + ")";
  return Error(ErrorCode::kCrypto, std::move(what), std::string(where));
}

std::unique_ptr<BIO, BioDeleter> memory_bio(std::string_view text) {
  return std::unique_ptr<BIO, BioDeleter>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<Bytes> der_of(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return openssl_error("cannot DER-encode the certificate", kWhere);
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(cert, &p) != len) return openssl_error("cannot DER-encode the certificate", kWhere);
  return der;
}

Result<std::string> read_bounded(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot read: " + ec.message(), path);
  if (size > kMaxPemBytes) return Error(ErrorCode::kLimitExceeded, "file larger than 1 MiB", path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return Error(ErrorCode::kIo, "cannot read", path);
  return ss.str();
}

}  // namespace

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return Error(ErrorCode::kLimitExceeded, "PEM input over 1 MiB", std::string(kWhere));
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    return Error(ErrorCode::kParse, "no '-----BEGIN CERTIFICATE-----' block", std::string(kWhere));
  }
  auto bio = memory_bio(pem);
  std::shared_ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509Deleter());
  if (!cert) return openssl_error("cannot read the PEM certificate", kWhere);
  PARLEY_ASSIGN_OR_RETURN(Bytes der, der_of(cert.get()));
  return Certificate(std::move(cert), std::move(der));
}

Result<Certificate> Certificate::from_der(ByteView der) {
  if (der.empty()) return Error(ErrorCode::kParse, "empty certificate", std::string(kWhere));
  if (der.size() > kMaxCertificateBytes) {
    return Error(ErrorCode::kLimitExceeded, "certificate larger than 64 KiB", std::string(kWhere));
  }
  const unsigned char* p = der.data();
  std::shared_ptr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509Deleter());
  if (!cert) {
    auto e = openssl_error("not a DER X.509 certificate", kWhere);
    return Error(ErrorCode::kParse, e.what(), e.where());
  }
  if (p != der.data() + der.size()) {
    return Error(ErrorCode::kParse, "trailing bytes after the DER certificate", std::string(kWhere));
  }
  return Certificate(std::move(cert), Bytes(der.begin(), der.end()));
}

Result<Certificate> Certificate::load_pem_file(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_bounded(path));
  auto c = from_pem(text);
  if (!c.ok()) return Error(c.error()).within(path);
  return c;
}

Bytes Certificate::thumbprint_sha1() const {
  auto d = crypto::sha1(der_);
  return d.ok() ? *d : Bytes{};
}

std::string Certificate::subject() const {
  auto bio = std::unique_ptr<BIO, BioDeleter>(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

Result<crypto::RsaKey> Certificate::public_key() const { return crypto::RsaKey::from_der_certificate(der_); }

Result<TrustStore> TrustStore::from_pem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return Error(ErrorCode::kLimitExceeded, "PEM input over 1 MiB", "trust anchors");
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  if (!store) return openssl_error("X509_STORE_new failed", "trust anchors");
  auto bio = memory_bio(pem);
  int added = 0;
  for (;;) {
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) return openssl_error("cannot add a CA", "trust anchors");
    ++added;
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (added == 0) return Error(ErrorCode::kParse, "no CERTIFICATE block", "trust anchors");
  return TrustStore(std::move(store));
}

Result<TrustStore> TrustStore::load_pem_file(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_bounded(path));
  auto s = from_pem(text);
  if (!s.ok()) return Error(s.error()).within(path);
  return s;
}

std::size_t TrustStore::size() const {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store_.get());
  return objects == nullptr ? 0 : static_cast<std::size_t>(sk_X509_OBJECT_num(objects));
}

Status TrustStore::verify(const Certificate& leaf, std::chrono::system_clock::time_point at) const {
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), leaf.get(), nullptr) != 1) {
    return openssl_error("cannot set up path validation", kPathWhere);
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  const int ok = X509_verify_cert(ctx.get());
  if (ok == 1) return ok_status();
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  const bool validity = err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
  return Error(ErrorCode::kVerification,
               "certificate '" + leaf.subject() + "' is not trusted: " + X509_verify_cert_error_string(err) +
                   " (depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) + ")",
               std::string(validity ? kValidityWhere : kPathWhere));
}

bool TrustStore::is_validity_error(const Error& e) { return e.where() == kValidityWhere; }

Result<Credentials> Credentials::from_pem(std::string_view certificate_pem, std::string_view key_pem) {
  PARLEY_ASSIGN_OR_RETURN(Certificate cert, Certificate::from_pem(certificate_pem));
  PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey key, crypto::RsaKey::from_pem(key_pem));
  if (!key.has_private()) return Error(ErrorCode::kInvalidArgument, "not a private key", "private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kInvalidArgument,
                 "the private key does not belong to certificate '" + cert.subject() + "'", "private key");
  }
  return Credentials{std::move(cert), std::move(key)};
}

Result<Credentials> Credentials::load_pem_files(const std::string& certificate_path, const std::string& key_path) {
  PARLEY_ASSIGN_OR_RETURN(std::string cert_text, read_bounded(certificate_path));
  PARLEY_ASSIGN_OR_RETURN(std::string key_text, read_bounded(key_path));
  auto c = from_pem(cert_text, key_text);
  if (!c.ok()) return Error(c.error()).within(certificate_path + " + " + key_path);
  return c;
}

}  // namespace parley::x509
