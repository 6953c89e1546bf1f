// Cryptographic primitives, OpenSSL 3 only: nothing here is hand-rolled.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/core/bytes.h"
#include "harness/core/error.h"

namespace parley::crypto {

enum class HashAlgorithm { kSha1, kSha256, kSha384, kSha512 };
std::string_view to_string(HashAlgorithm alg);
std::size_t digest_size(HashAlgorithm alg);

// Cryptographically secure random bytes (RAND_bytes).
Result<Bytes> random_bytes(std::size_t n);

Result<Bytes> digest(HashAlgorithm alg, ByteView data);
Result<Bytes> sha1(ByteView data);
Result<Bytes> sha256(ByteView data);
Result<Bytes> hmac(HashAlgorithm alg, ByteView key, ByteView data);

// Constant-time equality (CRYPTO_memcmp); different lengths compare unequal.
bool constant_time_equal(ByteView a, ByteView b);

// --- key derivation ---------------------------------------------------------------------------

// Upper bound on offset + length for one P_SHA1 derivation: far above anything a protocol
// uses (WCF: offset <= 64 B, length <= 32 B) and low enough that hostile values cannot make
// parley burn CPU or memory.
inline constexpr std::uint64_t kMaxPSha1Output = 1u << 20;

// P_SHA1(secret, seed)[offset, offset + length): the TLS 1.0 P_hash with HMAC-SHA1
// (RFC 2246 section 5), through OpenSSL's EVP_KDF "TLS1-PRF" with digest SHA1.
// The seed must not be empty: OpenSSL refuses an empty seed, and so does parley
// (docs/design/key-derivation.md). length must be >= 1; offset + length <= kMaxPSha1Output.
Result<Bytes> p_sha1(ByteView secret, ByteView seed, std::uint64_t offset, std::uint64_t length);

// The WS-SecureConversation default label, 42 bytes (WS-SC 1.3 section 7).
inline constexpr std::string_view kWsscDefaultLabel = "WS-SecureConversationWS-SecureConversation";

struct DerivationParams {
  std::string label{kWsscDefaultLabel};  // UTF-8
  Bytes nonce;
  std::uint64_t offset = 0;
  std::uint64_t length = 32;
};

// WS-SC section 7: key = P_SHA1(secret, label + nonce)[offset, offset + length).
Result<Bytes> derive_key(ByteView secret, const DerivationParams& params);

// Generation g means offset g * length (WS-SC section 7); errors on overflow.
Result<std::uint64_t> generation_offset(std::uint64_t generation, std::uint64_t length);

// WS-Trust CK/PSHA1 computed key: P_SHA1(requestor entropy, issuer entropy), first
// key_size_bits / 8 bytes. key_size_bits must be a positive multiple of 8.
Result<Bytes> ck_psha1(ByteView requestor_entropy, ByteView issuer_entropy,
                       std::uint64_t key_size_bits);

// NIST SP 800-108 KDF in counter mode with an HMAC PRF, through OpenSSL's EVP_KDF "KBKDF":
// block i = HMAC(key, BE32(i) | label | 0x00 | context | BE32(length * 8)).
Result<Bytes> kbkdf_hmac_counter(HashAlgorithm prf, ByteView key, ByteView label,
                                 ByteView context, std::size_t length);

// --- symmetric encryption ------------------------------------------------------------------

// AES-CBC with PKCS#7 padding; key 16, 24 or 32 bytes; iv 16 bytes.
Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView plaintext);
Result<Bytes> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView ciphertext);

// AES-GCM; key 16, 24 or 32 bytes; iv 12 bytes; output ciphertext | 16-byte tag.
Result<Bytes> aes_gcm_encrypt(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);
Result<Bytes> aes_gcm_decrypt(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag);

// --- RSA -------------------------------------------------------------------------------------

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// An RSA key (private, or public only). Shared ownership so that keys can be handed to
// several signers; the underlying EVP_PKEY is never mutated after load.
class RsaKey {
 public:
  static Result<RsaKey> generate(int bits);
  // PEM: PKCS#8 / traditional private key, SubjectPublicKeyInfo public key, or an X.509 certificate.
  static Result<RsaKey> from_pem(std::string_view pem);
  static Result<RsaKey> from_der_certificate(ByteView der);

  bool has_private() const { return has_private_; }
  int bits() const;
  EVP_PKEY* get() const { return key_.get(); }
  Result<std::string> private_pem() const;
  Result<std::string> public_pem() const;
  Result<RsaKey> public_only() const;

 private:
  RsaKey(std::shared_ptr<EVP_PKEY> key, bool has_private)
      : key_(std::move(key)), has_private_(has_private) {}
  std::shared_ptr<EVP_PKEY> key_;
  bool has_private_ = false;
};

// RSA-OAEP with SHA-1 and MGF1-SHA1 (XML-Enc rsa-oaep-mgf1p).
Result<Bytes> rsa_oaep_sha1_encrypt(const RsaKey& key, ByteView plaintext);
Result<Bytes> rsa_oaep_sha1_decrypt(const RsaKey& key, ByteView ciphertext);

// RSASSA-PKCS1-v1_5 with SHA-256.
Result<Bytes> rsa_pkcs1_sha256_sign(const RsaKey& key, ByteView data);
Status rsa_pkcs1_sha256_verify(const RsaKey& key, ByteView data, ByteView signature);

// The public numbers of an RSA key as unsigned big-endian octets without leading zeros (the
// XML-DSig CryptoBinary form, RFC 3275 section 4.4.2.2), e.g. exponent 65537 = 01 00 01.
struct RsaPublicNumbers {
  Bytes modulus;
  Bytes exponent;
};
Result<RsaPublicNumbers> rsa_public_numbers(const RsaKey& key);

// The newest OpenSSL error queue entry as text (and clears the queue), for error messages.
std::string openssl_error_text();

}  // namespace parley::crypto
