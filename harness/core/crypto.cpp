#include "harness/core/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <limits>
#include <string>
#include <utility>

namespace parley::crypto {
namespace {

// One deleter for every OpenSSL object type: calls the matching *_free function.
template <auto FreeFn>
struct OsslFree {
  template <class T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};
using KdfDeleter = OsslFree<EVP_KDF_free>;
using KdfCtxDeleter = OsslFree<EVP_KDF_CTX_free>;
using MacDeleter = OsslFree<EVP_MAC_free>;
using MacCtxDeleter = OsslFree<EVP_MAC_CTX_free>;
using CipherCtxDeleter = OsslFree<EVP_CIPHER_CTX_free>;
using PkeyCtxDeleter = OsslFree<EVP_PKEY_CTX_free>;
using MdCtxDeleter = OsslFree<EVP_MD_CTX_free>;
using BioDeleter = OsslFree<BIO_free>;
using X509Deleter = OsslFree<X509_free>;

Error crypto_error(std::string what, std::string where) {
  std::string detail = openssl_error_text();
  if (!detail.empty()) what += " (" + detail + ")";
  return Error(ErrorCode::kCrypto, std::move(what), std::move(where));
}

const char* digest_name(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1: return "SHA1";
    case HashAlgorithm::kSha256: return "SHA256";
    case HashAlgorithm::kSha384: return "SHA384";
    case HashAlgorithm::kSha512: return "SHA512";
  }
  return "SHA1";
}

// OSSL_PARAM octet strings take a non-const pointer; OpenSSL copies and never writes through it.
void* param_ptr(ByteView v) {
  static unsigned char empty = 0;
  return v.empty() ? &empty : const_cast<std::uint8_t*>(v.data());
}

const EVP_CIPHER* cbc_cipher(std::size_t key_size) {
  switch (key_size) {
    case 16: return EVP_aes_128_cbc();
    case 24: return EVP_aes_192_cbc();
    case 32: return EVP_aes_256_cbc();
    default: return nullptr;
  }
}

const EVP_CIPHER* gcm_cipher(std::size_t key_size) {
  switch (key_size) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return nullptr;
  }
}

Error bad_aes_key(std::size_t size, const char* where) {
  return Error(ErrorCode::kInvalidArgument,
               "AES key must be 16, 24 or 32 bytes, got " + std::to_string(size), where);
}

int to_int(std::size_t n) { return static_cast<int>(n); }

constexpr std::size_t kMaxCipherInput = std::size_t{1} << 30;

}  // namespace

std::string openssl_error_text() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;  // keep the newest (most specific) entry
  }
  return text;
}

std::string_view to_string(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1: return "SHA-1";
    case HashAlgorithm::kSha256: return "SHA-256";
    case HashAlgorithm::kSha384: return "SHA-384";
    case HashAlgorithm::kSha512: return "SHA-512";
  }
  return "?";
}

std::size_t digest_size(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1: return 20;
    case HashAlgorithm::kSha256: return 32;
    case HashAlgorithm::kSha384: return 48;
    case HashAlgorithm::kSha512: return 64;
  }
  return 0;
}

Result<Bytes> random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), to_int(n)) != 1) {
    return crypto_error("RAND_bytes failed", "random_bytes");
  }
  return out;
}

Result<Bytes> digest(HashAlgorithm alg, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_MD* md = EVP_MD_fetch(nullptr, digest_name(alg), nullptr);
  if (md == nullptr) return crypto_error("digest unavailable", std::string(to_string(alg)));
  int rc = EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  EVP_MD_free(md);
  if (rc != 1) return crypto_error("EVP_Digest failed", std::string(to_string(alg)));
  out.resize(len);
  return out;
}

Result<Bytes> sha1(ByteView data) { return digest(HashAlgorithm::kSha1, data); }
Result<Bytes> sha256(ByteView data) { return digest(HashAlgorithm::kSha256, data); }

Result<Bytes> hmac(HashAlgorithm alg, ByteView key, ByteView data) {
  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return crypto_error("HMAC unavailable", "hmac");
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return crypto_error("EVP_MAC_CTX_new failed", "hmac");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name(alg)), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.empty() ? nullptr : key.data(), key.size(), params) != 1) {
    // OpenSSL refuses a NULL key; an empty key is a valid HMAC key (RFC 2104 pads it).
    static const unsigned char zero = 0;
    if (!key.empty() || EVP_MAC_init(ctx.get(), &zero, 0, params) != 1) {
      return crypto_error("HMAC init failed", "hmac");
    }
  }
  if (EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) {
    return crypto_error("HMAC update failed", "hmac");
  }
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1) {
    return crypto_error("HMAC final failed", "hmac");
  }
  out.resize(len);
  return out;
}

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Bytes> p_sha1(ByteView secret, ByteView seed, std::uint64_t offset, std::uint64_t length) {
  if (length == 0) {
    return Error(ErrorCode::kInvalidArgument, "length must be at least 1 byte", "P_SHA1");
  }
  if (seed.empty()) {
    // OpenSSL's TLS1-PRF refuses an empty seed; WS-SC always has a label or nonce.
    return Error(ErrorCode::kInvalidArgument,
                 "seed is empty (label and nonce are both empty); parley refuses this derivation",
                 "P_SHA1");
  }
  if (offset > kMaxPSha1Output || length > kMaxPSha1Output - offset) {
    return Error(ErrorCode::kLimitExceeded,
                 "offset + length = " +
                     (offset > std::numeric_limits<std::uint64_t>::max() - length
                          ? std::string("more than 2^64")
                          : std::to_string(offset + length)) +
                     " bytes exceeds the limit of " + std::to_string(kMaxPSha1Output) + " bytes",
                 "P_SHA1");
  }
  const std::size_t total = static_cast<std::size_t>(offset + length);
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr));
  if (!kdf) return crypto_error("TLS1-PRF unavailable", "P_SHA1");
  // A fresh context per derivation: OpenSSL 3.0 appends seeds on reuse (architecture.md pitfalls).
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return crypto_error("EVP_KDF_CTX_new failed", "P_SHA1");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA1"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, param_ptr(secret), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, param_ptr(seed), seed.size()),
      OSSL_PARAM_construct_end()};
  Bytes out(total);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return crypto_error("TLS1-PRF derivation failed", "P_SHA1");
  }
  return Bytes(out.begin() + static_cast<std::ptrdiff_t>(offset), out.end());
}

Result<Bytes> derive_key(ByteView secret, const DerivationParams& params) {
  Bytes seed = to_bytes(params.label);
  seed.insert(seed.end(), params.nonce.begin(), params.nonce.end());
  return p_sha1(secret, seed, params.offset, params.length);
}

Result<std::uint64_t> generation_offset(std::uint64_t generation, std::uint64_t length) {
  if (length != 0 && generation > std::numeric_limits<std::uint64_t>::max() / length) {
    return Error(ErrorCode::kLimitExceeded,
                 "Generation " + std::to_string(generation) + " x Length " + std::to_string(length) +
                     " overflows 64 bits",
                 "derived key offset");
  }
  return generation * length;
}

Result<Bytes> ck_psha1(ByteView requestor_entropy, ByteView issuer_entropy,
                       std::uint64_t key_size_bits) {
  if (key_size_bits == 0 || key_size_bits % 8 != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "KeySize must be a positive multiple of 8 bits, got " + std::to_string(key_size_bits),
                 "CK/PSHA1");
  }
  if (requestor_entropy.empty() || issuer_entropy.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(requestor_entropy.empty() ? "requestor" : "issuer") + " entropy is empty",
                 "CK/PSHA1");
  }
  auto key = p_sha1(requestor_entropy, issuer_entropy, 0, key_size_bits / 8);
  if (!key.ok()) key.error().within("CK/PSHA1");
  return key;
}

Result<Bytes> kbkdf_hmac_counter(HashAlgorithm prf, ByteView key, ByteView label,
                                 ByteView context, std::size_t length) {
  if (length == 0) return Error(ErrorCode::kInvalidArgument, "length must be at least 1", "KBKDF");
  if (key.empty()) return Error(ErrorCode::kInvalidArgument, "key is empty", "KBKDF");
  if (length > (std::size_t{1} << 20)) {
    return Error(ErrorCode::kLimitExceeded, "length over 1 MiB", "KBKDF");
  }
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "KBKDF", nullptr));
  if (!kdf) return crypto_error("KBKDF unavailable", "KBKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return crypto_error("EVP_KDF_CTX_new failed", "KBKDF");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("COUNTER"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("HMAC"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest_name(prf)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_ptr(key), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_ptr(label), label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_ptr(context), context.size()),
      OSSL_PARAM_construct_end()};
  Bytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return crypto_error("KBKDF derivation failed", "KBKDF");
  }
  return out;
}

// --- AES ----------------------------------------------------------------------------------------

Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plaintext) {
  const EVP_CIPHER* cipher = cbc_cipher(key.size());
  if (cipher == nullptr) return bad_aes_key(key.size(), "AES-CBC encrypt");
  if (iv.size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "IV must be 16 bytes, got " + std::to_string(iv.size()),
                 "AES-CBC encrypt");
  }
  if (plaintext.size() > kMaxCipherInput) {
    return Error(ErrorCode::kLimitExceeded, "plaintext over 1 GiB", "AES-CBC encrypt");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1) {
    return crypto_error("init failed", "AES-CBC encrypt");
  }
  Bytes out(plaintext.size() + 16);
  int len1 = 0;
  int len2 = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len1, plaintext.data(), to_int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len1, &len2) != 1) {
    return crypto_error("encryption failed", "AES-CBC encrypt");
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return out;
}

Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView ciphertext) {
  const EVP_CIPHER* cipher = cbc_cipher(key.size());
  if (cipher == nullptr) return bad_aes_key(key.size(), "AES-CBC decrypt");
  if (iv.size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "IV must be 16 bytes, got " + std::to_string(iv.size()),
                 "AES-CBC decrypt");
  }
  if (ciphertext.empty() || ciphertext.size() % 16 != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "ciphertext length " + std::to_string(ciphertext.size()) +
                     " is not a positive multiple of the 16-byte block",
                 "AES-CBC decrypt");
  }
  if (ciphertext.size() > kMaxCipherInput) {
    return Error(ErrorCode::kLimitExceeded, "ciphertext over 1 GiB", "AES-CBC decrypt");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1) {
    return crypto_error("init failed", "AES-CBC decrypt");
  }
  Bytes out(ciphertext.size() + 16);
  int len1 = 0;
  int len2 = 0;
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &len1, ciphertext.data(), to_int(ciphertext.size())) != 1) {
    return crypto_error("decryption failed", "AES-CBC decrypt");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len1, &len2) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kVerification, "bad PKCS#7 padding (wrong key or corrupted data)",
                 "AES-CBC decrypt");
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return out;
}

Result<Bytes> aes_gcm_encrypt(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  const EVP_CIPHER* cipher = gcm_cipher(key.size());
  if (cipher == nullptr) return bad_aes_key(key.size(), "AES-GCM encrypt");
  if (iv.size() != 12) {
    return Error(ErrorCode::kInvalidArgument, "IV must be 12 bytes, got " + std::to_string(iv.size()),
                 "AES-GCM encrypt");
  }
  if (plaintext.size() > kMaxCipherInput || aad.size() > kMaxCipherInput) {
    return Error(ErrorCode::kLimitExceeded, "input over 1 GiB", "AES-GCM encrypt");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1) {
    return crypto_error("init failed", "AES-GCM encrypt");
  }
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), to_int(aad.size())) != 1) {
    return crypto_error("AAD failed", "AES-GCM encrypt");
  }
  Bytes out(plaintext.size() + 16);
  int len1 = 0;
  int len2 = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len1, plaintext.data(), to_int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len1, &len2) != 1) {
    return crypto_error("encryption failed", "AES-GCM encrypt");
  }
  std::size_t ct_len = static_cast<std::size_t>(len1 + len2);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + ct_len) != 1) {
    return crypto_error("get tag failed", "AES-GCM encrypt");
  }
  out.resize(ct_len + 16);
  return out;
}

Result<Bytes> aes_gcm_decrypt(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag) {
  const EVP_CIPHER* cipher = gcm_cipher(key.size());
  if (cipher == nullptr) return bad_aes_key(key.size(), "AES-GCM decrypt");
  if (iv.size() != 12) {
    return Error(ErrorCode::kInvalidArgument, "IV must be 12 bytes, got " + std::to_string(iv.size()),
                 "AES-GCM decrypt");
  }
  if (ciphertext_and_tag.size() < 16) {
    return Error(ErrorCode::kInvalidArgument, "input shorter than the 16-byte tag", "AES-GCM decrypt");
  }
  if (ciphertext_and_tag.size() > kMaxCipherInput || aad.size() > kMaxCipherInput) {
    return Error(ErrorCode::kLimitExceeded, "input over 1 GiB", "AES-GCM decrypt");
  }
  const std::size_t ct_len = ciphertext_and_tag.size() - 16;
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1) {
    return crypto_error("init failed", "AES-GCM decrypt");
  }
  int len = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), to_int(aad.size())) != 1) {
    return crypto_error("AAD failed", "AES-GCM decrypt");
  }
  Bytes out(ct_len + 16);
  int len1 = 0;
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &len1, ciphertext_and_tag.data(), to_int(ct_len)) != 1) {
    return crypto_error("decryption failed", "AES-GCM decrypt");
  }
  Bytes tag(ciphertext_and_tag.begin() + static_cast<std::ptrdiff_t>(ct_len), ciphertext_and_tag.end());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1) {
    return crypto_error("set tag failed", "AES-GCM decrypt");
  }
  int len2 = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len1, &len2) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kVerification, "authentication tag mismatch", "AES-GCM decrypt");
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return out;
}

// --- RSA ----------------------------------------------------------------------------------------

Result<RsaKey> RsaKey::generate(int bits) {
  if (bits < 1024 || bits > 16384) {
    return Error(ErrorCode::kInvalidArgument, "RSA key size must be 1024..16384 bits", "RSA generate");
  }
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) return crypto_error("RSA key generation failed", "RSA generate");
  return RsaKey(std::shared_ptr<EVP_PKEY>(key, PkeyDeleter()), true);
}

Result<RsaKey> RsaKey::from_pem(std::string_view pem) {
  if (pem.size() > (1u << 20)) {
    return Error(ErrorCode::kLimitExceeded, "PEM input over 1 MiB", "RSA key");
  }
  auto bio_for = [&] {
    return std::unique_ptr<BIO, BioDeleter>(BIO_new_mem_buf(pem.data(), to_int(pem.size())));
  };
  std::shared_ptr<EVP_PKEY> key;
  bool has_private = false;
  if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
    auto bio = bio_for();
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), PkeyDeleter());
    has_private = true;
  } else if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    auto bio = bio_for();
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) key.reset(X509_get_pubkey(cert.get()), PkeyDeleter());
  } else {
    auto bio = bio_for();
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), PkeyDeleter());
  }
  if (!key) return crypto_error("cannot read an RSA key from the PEM input", "RSA key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Error(ErrorCode::kUnsupported, "the PEM key is not an RSA key", "RSA key");
  }
  return RsaKey(std::move(key), has_private);
}

Result<RsaKey> RsaKey::from_der_certificate(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Deleter> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return crypto_error("not a DER X.509 certificate", "RSA key");
  std::shared_ptr<EVP_PKEY> key(X509_get_pubkey(cert.get()), PkeyDeleter());
  if (!key) return crypto_error("certificate has no usable public key", "RSA key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Error(ErrorCode::kUnsupported, "the certificate key is not an RSA key", "RSA key");
  }
  return RsaKey(std::move(key), false);
}

int RsaKey::bits() const { return key_ ? EVP_PKEY_get_bits(key_.get()) : 0; }

Result<std::string> RsaKey::private_pem() const {
  if (!has_private_) return Error(ErrorCode::kInvalidArgument, "public key only", "RSA key");
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return crypto_error("cannot write PEM", "RSA key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<std::string> RsaKey::public_pem() const {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return crypto_error("cannot write PEM", "RSA key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<RsaKey> RsaKey::public_only() const {
  PARLEY_ASSIGN_OR_RETURN(std::string pem, public_pem());
  return from_pem(pem);
}

namespace {

Result<std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>> oaep_ctx(const RsaKey& key, bool encrypt) {
  const char* where = encrypt ? "RSA-OAEP encrypt" : "RSA-OAEP decrypt";
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx) return crypto_error("context allocation failed", where);
  int rc = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
  if (rc != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha1()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha1()) != 1) {
    return crypto_error("OAEP set-up failed", where);
  }
  return ctx;
}

}  // namespace

Result<Bytes> rsa_oaep_sha1_encrypt(const RsaKey& key, ByteView plaintext) {
  PARLEY_ASSIGN_OR_RETURN(auto ctx, oaep_ctx(key, true));
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return crypto_error("size query failed", "RSA-OAEP encrypt");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return crypto_error("encryption failed (plaintext too long for the key?)", "RSA-OAEP encrypt");
  }
  out.resize(len);
  return out;
}

Result<Bytes> rsa_oaep_sha1_decrypt(const RsaKey& key, ByteView ciphertext) {
  if (!key.has_private()) {
    return Error(ErrorCode::kInvalidArgument, "a private key is needed", "RSA-OAEP decrypt");
  }
  PARLEY_ASSIGN_OR_RETURN(auto ctx, oaep_ctx(key, false));
  std::size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ciphertext.data(), ciphertext.size()) != 1) {
    return crypto_error("size query failed", "RSA-OAEP decrypt");
  }
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kVerification, "decryption failed (wrong key or corrupted ciphertext)",
                 "RSA-OAEP decrypt");
  }
  out.resize(len);
  return out;
}

Result<Bytes> rsa_pkcs1_sha256_sign(const RsaKey& key, ByteView data) {
  if (!key.has_private()) {
    return Error(ErrorCode::kInvalidArgument, "a private key is needed", "RSA-SHA256 sign");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return crypto_error("init failed", "RSA-SHA256 sign");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return crypto_error("size query failed", "RSA-SHA256 sign");
  }
  Bytes out(len);
  if (EVP_DigestSign(ctx.get(), out.data(), &len, data.data(), data.size()) != 1) {
    return crypto_error("signing failed", "RSA-SHA256 sign");
  }
  out.resize(len);
  return out;
}

Status rsa_pkcs1_sha256_verify(const RsaKey& key, ByteView data, ByteView signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return crypto_error("init failed", "RSA-SHA256 verify");
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kVerification, "signature does not verify", "RSA-SHA256 verify");
  }
  return ok_status();
}

Result<RsaPublicNumbers> rsa_public_numbers(const RsaKey& key) {
  if (key.get() == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "no key", "RSA public numbers");
  }
  RsaPublicNumbers out;
  for (auto [name, target] : {std::pair{OSSL_PKEY_PARAM_RSA_N, &out.modulus},
                              std::pair{OSSL_PKEY_PARAM_RSA_E, &out.exponent}}) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), name, &bn) != 1 || bn == nullptr) {
      return crypto_error("cannot read the RSA public numbers", "RSA public numbers");
    }
    target->resize(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, target->data());  // big-endian, no leading zero octets
    BN_free(bn);
  }
  return out;
}

}  // namespace parley::crypto
