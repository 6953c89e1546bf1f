// WIF cookie transforms (System.IdentityModel.CookieTransform): each turns the serialized
// session token into cookie bytes (encode) and back (decode). A pipeline encodes in list order
// and decodes in reverse, as SessionSecurityTokenHandler does. Byte layouts, sources and the
// points where parley is stricter than WIF: docs/design/wif-cookie-transforms.md.
//
// Every transform rejects damaged input with an Error whose `where` is the transform's name and
// whose `what` names the check ("RsaSignature: signature does not verify").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/error.h"
#include "harness/wif/machine_key.h"

namespace parley::wif {

class CookieTransform {
 public:
  virtual ~CookieTransform() = default;
  // "Deflate", "RsaEncryption", "RsaSignature", "MachineKey", "Aead": the `where` of its errors.
  virtual std::string_view name() const = 0;
  virtual Result<Bytes> encode(ByteView value) const = 0;
  virtual Result<Bytes> decode(ByteView encoded) const = 0;
};

// --- Deflate -----------------------------------------------------------------------------------

// DeflateCookieTransform.MaxDecompressedSize default (1 MiB); exactly this many bytes is allowed.
inline constexpr std::size_t kWifMaxDecompressedSize = std::size_t{1} << 20;

// Raw DEFLATE (RFC 1951, no zlib or gzip header). decode never inflates more than
// max_decompressed_size + 1 bytes: a bomb fails with "inflated size exceeds N bytes". Caps
// above 1 GiB are treated as 1 GiB.
class DeflateCookieTransform final : public CookieTransform {
 public:
  explicit DeflateCookieTransform(std::size_t max_decompressed_size = kWifMaxDecompressedSize)
      : max_decompressed_size_(max_decompressed_size) {}
  std::string_view name() const override { return "Deflate"; }
  Result<Bytes> encode(ByteView value) const override;
  Result<Bytes> decode(ByteView encoded) const override;
  std::size_t max_decompressed_size() const { return max_decompressed_size_; }

 private:
  std::size_t max_decompressed_size_;
};

// --- RSA ---------------------------------------------------------------------------------------

// .NET RSA.ToXmlString(false): <RSAKeyValue><Modulus>b64</Modulus><Exponent>b64</Exponent></RSAKeyValue>
Result<std::string> dotnet_rsa_public_xml(const crypto::RsaKey& key);
// The key identifier RsaEncryptionCookieTransform writes: HashName(UTF-8(ToXmlString(false))).
Result<Bytes> rsa_key_hash(const crypto::RsaKey& key, crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256);

// RsaEncryptionCookieTransform:
//   KeyHash (32 for SHA-256) | int32 LE n | RSA-OAEP-SHA1(AES key (32) | IV (16)) (n bytes)
//   | int32 LE m | AES-256-CBC-PKCS7(value) (m bytes)
// encode uses the first key (needs only its public part); decode finds the key whose hash
// matches among all keys and needs its private part.
class RsaEncryptionCookieTransform final : public CookieTransform {
 public:
  // `keys` must not be empty; keys[0] encrypts. hash: kSha256 (WIF default) or kSha1.
  static Result<RsaEncryptionCookieTransform> create(std::vector<crypto::RsaKey> keys,
                                                     crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256);
  std::string_view name() const override { return "RsaEncryption"; }
  Result<Bytes> encode(ByteView value) const override;
  Result<Bytes> decode(ByteView encoded) const override;
  // encode with a caller-chosen AES key (32) and IV (16), for tests (RSA-OAEP stays random).
  Result<Bytes> encode_with(ByteView value, ByteView aes_key, ByteView iv) const;

 private:
  RsaEncryptionCookieTransform(std::vector<crypto::RsaKey> keys, std::vector<Bytes> hashes, crypto::HashAlgorithm hash)
      : keys_(std::move(keys)), hashes_(std::move(hashes)), hash_(hash) {}
  std::vector<crypto::RsaKey> keys_;
  std::vector<Bytes> hashes_;
  crypto::HashAlgorithm hash_;
};

// RsaSignatureCookieTransform: int32 LE n | RSASSA-PKCS1-v1_5-SHA256(value) (n bytes) | value.
// encode signs with keys[0] (private key needed); decode accepts a signature by any key.
class RsaSignatureCookieTransform final : public CookieTransform {
 public:
  static Result<RsaSignatureCookieTransform> create(std::vector<crypto::RsaKey> keys);
  std::string_view name() const override { return "RsaSignature"; }
  Result<Bytes> encode(ByteView value) const override;
  Result<Bytes> decode(ByteView encoded) const override;

 private:
  explicit RsaSignatureCookieTransform(std::vector<crypto::RsaKey> keys) : keys_(std::move(keys)) {}
  std::vector<crypto::RsaKey> keys_;
};

// --- MachineKey --------------------------------------------------------------------------------

// System.IdentityModel.Services.MachineKeyTransform: MachineKey.Protect(value,
// "System.IdentityModel.Services.MachineKeyTransform") unless another purpose is given.
class MachineKeyCookieTransform final : public CookieTransform {
 public:
  static Result<MachineKeyCookieTransform> create(const MachineKeyConfig& config,
                                                  MachineKeyPurpose purpose = wif_machine_key_transform_purpose());
  std::string_view name() const override { return "MachineKey"; }
  Result<Bytes> encode(ByteView value) const override;
  Result<Bytes> decode(ByteView encoded) const override;
  // Fixed IV for deterministic output in tests and vectors (empty = random, the default).
  void set_fixed_iv(Bytes iv) { fixed_iv_ = std::move(iv); }

 private:
  explicit MachineKeyCookieTransform(MachineKeyProtector protector) : protector_(std::move(protector)) {}
  MachineKeyProtector protector_;
  Bytes fixed_iv_;
};

// --- AEAD (parley's format for new deployments; not a WIF format) -----------------------------

// A named AES-256 key of a key ring.
struct AeadKey {
  std::string id;  // 1..255 bytes, printable ASCII
  Bytes key;       // 32 bytes
};

inline constexpr std::uint8_t kAeadFormatVersion = 0x01;

// Layout (docs/design/wif-cookie-transforms.md, "Aead"):
//   0x01 | n (1 byte) | key id (n bytes) | nonce (12) | AES-256-GCM ciphertext | tag (16)
//   AAD = the header bytes before the nonce (version, n, key id).
// encode always uses the newest key (the last one added); decode selects the key by id, so
// cookies under older keys still decode until the key leaves the ring.
class AeadCookieTransform final : public CookieTransform {
 public:
  using NonceSource = std::function<Result<Bytes>()>;  // returns 12 bytes
  // keys oldest first; ids unique.
  static Result<AeadCookieTransform> create(std::vector<AeadKey> keys);
  std::string_view name() const override { return "Aead"; }
  Result<Bytes> encode(ByteView value) const override;
  Result<Bytes> decode(ByteView encoded) const override;
  const std::string& current_key_id() const { return keys_.back().id; }
  // Replace the random nonce (tests and vectors only: a repeated nonce breaks GCM).
  void set_nonce_source(NonceSource source) { nonce_source_ = std::move(source); }

 private:
  explicit AeadCookieTransform(std::vector<AeadKey> keys) : keys_(std::move(keys)) {}
  std::vector<AeadKey> keys_;
  NonceSource nonce_source_;
};

// --- pipeline ----------------------------------------------------------------------------------

class CookieTransformPipeline {
 public:
  CookieTransformPipeline() = default;
  CookieTransformPipeline& add(std::shared_ptr<const CookieTransform> transform);
  // In list order.
  Result<Bytes> encode(ByteView value) const;
  // In reverse order; the first failing transform's error is returned unchanged.
  Result<Bytes> decode(ByteView encoded) const;
  std::vector<std::string> names() const;
  bool empty() const { return transforms_.empty(); }

 private:
  std::vector<std::shared_ptr<const CookieTransform>> transforms_;
};

}  // namespace parley::wif
