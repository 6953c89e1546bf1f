#include "harness/wif/cookie_transforms.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <utility>

namespace parley::wif {
namespace {

// Upper bound on any encoded cookie parley will decode, and on values it will encode: far above
// what browsers carry (a few KiB per cookie, a few hundred KiB per domain).
constexpr std::size_t kMaxTransformInput = std::size_t{16} << 20;
// Whatever the configured cap, parley never inflates beyond 1 GiB.
constexpr std::size_t kMaxInflateCap = std::size_t{1} << 30;

Error empty_value(std::string_view where) {
  // WIF's transforms all refuse empty input (SR.ID6044 on encode, ID6045 on decode).
  return Error(ErrorCode::kInvalidArgument, "refusing an empty value (WIF does too)", std::string(where));
}

Status check_input(ByteView input, std::string_view where) {
  if (input.empty()) return empty_value(where);
  if (input.size() > kMaxTransformInput) {
    return Error(ErrorCode::kLimitExceeded,
                 "input of " + std::to_string(input.size()) + " bytes is over parley's limit of " +
                     std::to_string(kMaxTransformInput) + " bytes",
                 std::string(where));
  }
  return ok_status();
}

void append_le32(Bytes& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// .NET BinaryReader.ReadInt32 / BitConverter.ToInt32 on little-endian hardware.
std::int32_t read_le32(ByteView in, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in[at + i]) << (8 * i);
  return static_cast<std::int32_t>(v);
}

// Reads "int32 LE length | bytes" at `pos` for RsaEncryption, advancing pos.
Result<ByteView> read_length_prefixed(ByteView in, std::size_t& pos, const char* field) {
  if (in.size() - pos < 4) {
    return Error(ErrorCode::kParse,
                 std::string("truncated before the length of the ") + field + " (offset " + std::to_string(pos) + ")",
                 "RsaEncryption");
  }
  const std::int32_t n = read_le32(in, pos);
  pos += 4;
  if (n < 0) {
    return Error(ErrorCode::kParse, std::string(field) + " length is negative (" + std::to_string(n) + ")",
                 "RsaEncryption");
  }
  const auto len = static_cast<std::size_t>(n);
  if (len > in.size() - pos) {
    return Error(ErrorCode::kParse,
                 std::string(field) + " length " + std::to_string(len) + " exceeds the " +
                     std::to_string(in.size() - pos) + " bytes that remain",
                 "RsaEncryption");
  }
  ByteView out = in.subspan(pos, len);
  pos += len;
  return out;
}

}  // namespace

// --- Deflate -----------------------------------------------------------------------------------

Result<Bytes> DeflateCookieTransform::encode(ByteView value) const {
  PARLEY_TRY(check_input(value, name()));
  if (value.size() > max_decompressed_size_) {
    return Error(ErrorCode::kLimitExceeded,
                 "value of " + std::to_string(value.size()) + " bytes exceeds the " +
                     std::to_string(max_decompressed_size_) + "-byte limit readers enforce when inflating",
                 "Deflate");
  }
  z_stream zs{};
  // windowBits -15: raw DEFLATE, as .NET's DeflateStream writes it.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(ErrorCode::kInternal, "deflateInit2 failed", "Deflate");
  }
  Bytes out(deflateBound(&zs, static_cast<uLong>(value.size())));
  zs.next_in = const_cast<Bytef*>(value.data());
  zs.avail_in = static_cast<uInt>(value.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t written = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Error(ErrorCode::kInternal, "deflate did not finish", "Deflate");
  out.resize(written);
  return out;
}

Result<Bytes> DeflateCookieTransform::decode(ByteView encoded) const {
  PARLEY_TRY(check_input(encoded, name()));
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Error(ErrorCode::kInternal, "inflateInit2 failed", "Deflate");
  zs.next_in = const_cast<Bytef*>(encoded.data());
  zs.avail_in = static_cast<uInt>(encoded.size());
  // Never produce more than cap + 1 bytes: one byte over the cap proves the bomb.
  const std::size_t cap = std::min(max_decompressed_size_, kMaxInflateCap);
  Bytes out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const std::size_t room = std::min<std::size_t>(cap + 1 - out.size(), 64u << 10);
    const std::size_t before = out.size();
    out.resize(before + room);
    zs.next_out = out.data() + before;
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(before + (room - zs.avail_out));
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
      std::string detail = zs.msg != nullptr ? zs.msg : "corrupt stream";
      inflateEnd(&zs);
      return Error(ErrorCode::kParse, "not a valid raw DEFLATE stream (" + detail + ")", "Deflate");
    }
    if (out.size() > cap) {
      inflateEnd(&zs);
      return Error(ErrorCode::kLimitExceeded, "inflated size exceeds " + std::to_string(cap) + " bytes",
                   "Deflate");
    }
    if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      inflateEnd(&zs);
      return Error(ErrorCode::kParse, "truncated DEFLATE stream (no final block)", "Deflate");
    }
  }
  const std::size_t trailing = zs.avail_in;
  inflateEnd(&zs);
  if (trailing != 0) {
    return Error(ErrorCode::kParse,
                 std::to_string(trailing) + " bytes follow the end of the DEFLATE stream", "Deflate");
  }
  return out;
}

// --- RSA ---------------------------------------------------------------------------------------

Result<std::string> dotnet_rsa_public_xml(const crypto::RsaKey& key) {
  PARLEY_ASSIGN_OR_RETURN(crypto::RsaPublicNumbers n, crypto::rsa_public_numbers(key));
  return "<RSAKeyValue><Modulus>" + base64_encode(n.modulus) + "</Modulus><Exponent>" +
         base64_encode(n.exponent) + "</Exponent></RSAKeyValue>";
}

Result<Bytes> rsa_key_hash(const crypto::RsaKey& key, crypto::HashAlgorithm hash) {
  PARLEY_ASSIGN_OR_RETURN(std::string xml, dotnet_rsa_public_xml(key));
  return crypto::digest(hash, as_bytes(xml));
}

Result<RsaEncryptionCookieTransform> RsaEncryptionCookieTransform::create(std::vector<crypto::RsaKey> keys,
                                                                          crypto::HashAlgorithm hash) {
  if (keys.empty()) return Error(ErrorCode::kInvalidArgument, "no RSA key given", "RsaEncryption");
  if (hash != crypto::HashAlgorithm::kSha256 && hash != crypto::HashAlgorithm::kSha1) {
    return Error(ErrorCode::kUnsupported, "key hash must be SHA-256 (WIF default) or SHA-1", "RsaEncryption");
  }
  std::vector<Bytes> hashes;
  for (const auto& key : keys) {
    PARLEY_ASSIGN_OR_RETURN(Bytes h, rsa_key_hash(key, hash));
    hashes.push_back(std::move(h));
  }
  return RsaEncryptionCookieTransform(std::move(keys), std::move(hashes), hash);
}

Result<Bytes> RsaEncryptionCookieTransform::encode(ByteView value) const {
  // CryptoHelper.NewDefaultEncryption(): AES-256 (Rijndael, 128-bit block), fresh key and IV.
  PARLEY_ASSIGN_OR_RETURN(Bytes aes_key, crypto::random_bytes(32));
  PARLEY_ASSIGN_OR_RETURN(Bytes iv, crypto::random_bytes(16));
  return encode_with(value, aes_key, iv);
}

Result<Bytes> RsaEncryptionCookieTransform::encode_with(ByteView value, ByteView aes_key, ByteView iv) const {
  PARLEY_TRY(check_input(value, name()));
  if (aes_key.size() != 32 || iv.size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "AES-256 key must be 32 bytes and IV 16 bytes", "RsaEncryption");
  }
  auto ciphertext = crypto::aes_cbc_encrypt(aes_key, iv, value);
  if (!ciphertext.ok()) return std::move(ciphertext.error().within("RsaEncryption"));
  Bytes key_and_iv(aes_key.begin(), aes_key.end());
  key_and_iv.insert(key_and_iv.end(), iv.begin(), iv.end());
  auto wrapped = crypto::rsa_oaep_sha1_encrypt(keys_.front(), key_and_iv);
  if (!wrapped.ok()) return std::move(wrapped.error().within("RsaEncryption"));
  Bytes out = hashes_.front();
  append_le32(out, wrapped->size());
  out.insert(out.end(), wrapped->begin(), wrapped->end());
  append_le32(out, ciphertext->size());
  out.insert(out.end(), ciphertext->begin(), ciphertext->end());
  return out;
}

Result<Bytes> RsaEncryptionCookieTransform::decode(ByteView encoded) const {
  PARLEY_TRY(check_input(encoded, name()));
  const std::size_t hash_len = crypto::digest_size(hash_);
  if (encoded.size() < hash_len) {
    return Error(ErrorCode::kParse,
                 "input of " + std::to_string(encoded.size()) + " bytes is shorter than the " +
                     std::to_string(hash_len) + "-byte key hash",
                 "RsaEncryption");
  }
  const ByteView key_hash = encoded.first(hash_len);
  std::size_t pos = hash_len;
  PARLEY_ASSIGN_OR_RETURN(ByteView wrapped, read_length_prefixed(encoded, pos, "encrypted key"));
  PARLEY_ASSIGN_OR_RETURN(ByteView ciphertext, read_length_prefixed(encoded, pos, "ciphertext"));
  if (pos != encoded.size()) {
    // WIF's BinaryReader ignores what follows; parley refuses it (design note).
    return Error(ErrorCode::kParse, std::to_string(encoded.size() - pos) + " bytes follow the ciphertext",
                 "RsaEncryption");
  }
  const crypto::RsaKey* key = nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (crypto::constant_time_equal(hashes_[i], key_hash)) {
      key = &keys_[i];
      break;
    }
  }
  if (key == nullptr) {
    return Error(ErrorCode::kNotFound,
                 "no decryption key matches the key hash " + hex_encode(key_hash) + " (" +
                     std::to_string(keys_.size()) + " key(s) configured)",
                 "RsaEncryption");
  }
  if (!key->has_private()) {
    return Error(ErrorCode::kInvalidArgument, "the matching key has no private part", "RsaEncryption");
  }
  auto key_and_iv = crypto::rsa_oaep_sha1_decrypt(*key, wrapped);
  if (!key_and_iv.ok()) {
    return Error(ErrorCode::kVerification, "RSA-OAEP decryption of the AES key and IV failed", "RsaEncryption");
  }
  // WIF: the first KeySize/8 = 32 bytes are the key, the rest the IV (16 for AES).
  if (key_and_iv->size() != 48) {
    return Error(ErrorCode::kParse,
                 "decrypted AES key and IV are " + std::to_string(key_and_iv->size()) + " bytes, expected 32 + 16",
                 "RsaEncryption");
  }
  const ByteView kv(*key_and_iv);
  auto plaintext = crypto::aes_cbc_decrypt(kv.first(32), kv.subspan(32), ciphertext);
  if (!plaintext.ok()) {
    return Error(plaintext.error().code() == ErrorCode::kVerification ? ErrorCode::kVerification
                                                                      : ErrorCode::kParse,
                 "AES-256-CBC decryption failed: " + plaintext.error().what(), "RsaEncryption");
  }
  return plaintext;
}

Result<RsaSignatureCookieTransform> RsaSignatureCookieTransform::create(std::vector<crypto::RsaKey> keys) {
  if (keys.empty()) return Error(ErrorCode::kInvalidArgument, "no RSA key given", "RsaSignature");
  return RsaSignatureCookieTransform(std::move(keys));
}

Result<Bytes> RsaSignatureCookieTransform::encode(ByteView value) const {
  PARLEY_TRY(check_input(value, name()));
  if (!keys_.front().has_private()) {
    return Error(ErrorCode::kInvalidArgument, "signing needs a private key", "RsaSignature");
  }
  auto signature = crypto::rsa_pkcs1_sha256_sign(keys_.front(), value);
  if (!signature.ok()) return std::move(signature.error().within("RsaSignature"));
  Bytes out;
  // BitConverter.GetBytes(int): host order, little-endian on every .NET Framework platform
  // (WIF's source comment says "big-endian"; the bytes it writes are little-endian).
  append_le32(out, signature->size());
  out.insert(out.end(), signature->begin(), signature->end());
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Result<Bytes> RsaSignatureCookieTransform::decode(ByteView encoded) const {
  PARLEY_TRY(check_input(encoded, name()));
  if (encoded.size() < 4) {
    return Error(ErrorCode::kParse, "input shorter than the 4-byte signature length", "RsaSignature");
  }
  const std::int32_t n = read_le32(encoded, 0);
  if (n < 0) {
    return Error(ErrorCode::kParse, "signature length is negative (" + std::to_string(n) + ")", "RsaSignature");
  }
  const auto sig_len = static_cast<std::size_t>(n);
  // WIF: signatureLength >= encoded.Length - 4 is a format error (the payload must not be empty).
  if (sig_len >= encoded.size() - 4) {
    return Error(ErrorCode::kParse,
                 "signature length " + std::to_string(sig_len) + " leaves no payload in " +
                     std::to_string(encoded.size()) + " bytes",
                 "RsaSignature");
  }
  const ByteView signature = encoded.subspan(4, sig_len);
  const ByteView payload = encoded.subspan(4 + sig_len);
  for (const auto& key : keys_) {
    if (crypto::rsa_pkcs1_sha256_verify(key, payload, signature).ok()) return Bytes(payload.begin(), payload.end());
  }
  return Error(ErrorCode::kVerification,
               "signature does not verify (RSA PKCS#1 v1.5 SHA-256, " + std::to_string(keys_.size()) +
                   " key(s) tried)",
               "RsaSignature");
}

// --- MachineKey --------------------------------------------------------------------------------

Result<MachineKeyCookieTransform> MachineKeyCookieTransform::create(const MachineKeyConfig& config,
                                                                    MachineKeyPurpose purpose) {
  PARLEY_ASSIGN_OR_RETURN(MachineKeyProtector protector, MachineKeyProtector::create(config, std::move(purpose)));
  return MachineKeyCookieTransform(std::move(protector));
}

Result<Bytes> MachineKeyCookieTransform::encode(ByteView value) const {
  PARLEY_TRY(check_input(value, name()));
  return fixed_iv_.empty() ? protector_.protect(value) : protector_.protect_with_iv(value, fixed_iv_);
}

Result<Bytes> MachineKeyCookieTransform::decode(ByteView encoded) const {
  PARLEY_TRY(check_input(encoded, name()));
  return protector_.unprotect(encoded);
}

// --- AEAD --------------------------------------------------------------------------------------

Result<AeadCookieTransform> AeadCookieTransform::create(std::vector<AeadKey> keys) {
  if (keys.empty()) return Error(ErrorCode::kInvalidArgument, "the key ring is empty", "Aead");
  std::set<std::string> seen;
  for (const auto& k : keys) {
    if (k.id.empty() || k.id.size() > 255) {
      return Error(ErrorCode::kInvalidArgument, "key id must be 1..255 bytes, got " + std::to_string(k.id.size()),
                   "Aead");
    }
    for (char c : k.id) {
      if (c < 0x21 || c > 0x7E) {
        return Error(ErrorCode::kInvalidArgument, "key id '" + k.id + "' must be printable ASCII without spaces",
                     "Aead");
      }
    }
    if (k.key.size() != 32) {
      return Error(ErrorCode::kInvalidArgument,
                   "key '" + k.id + "' must be 32 bytes (AES-256), got " + std::to_string(k.key.size()), "Aead");
    }
    if (!seen.insert(k.id).second) {
      return Error(ErrorCode::kInvalidArgument, "key id '" + k.id + "' appears twice", "Aead");
    }
  }
  return AeadCookieTransform(std::move(keys));
}

Result<Bytes> AeadCookieTransform::encode(ByteView value) const {
  PARLEY_TRY(check_input(value, name()));
  const AeadKey& key = keys_.back();
  Bytes nonce;
  if (nonce_source_) {
    PARLEY_ASSIGN_OR_RETURN(nonce, nonce_source_());
  } else {
    PARLEY_ASSIGN_OR_RETURN(nonce, crypto::random_bytes(12));
  }
  if (nonce.size() != 12) {
    return Error(ErrorCode::kInvalidArgument, "nonce must be 12 bytes, got " + std::to_string(nonce.size()), "Aead");
  }
  Bytes out{kAeadFormatVersion, static_cast<std::uint8_t>(key.id.size())};
  out.insert(out.end(), key.id.begin(), key.id.end());
  const Bytes aad = out;
  out.insert(out.end(), nonce.begin(), nonce.end());
  auto sealed = crypto::aes_gcm_encrypt(key.key, nonce, aad, value);
  if (!sealed.ok()) return std::move(sealed.error().within("Aead"));
  out.insert(out.end(), sealed->begin(), sealed->end());
  return out;
}

Result<Bytes> AeadCookieTransform::decode(ByteView encoded) const {
  PARLEY_TRY(check_input(encoded, name()));
  if (encoded[0] != kAeadFormatVersion) {
    return Error(ErrorCode::kParse,
                 "unknown format version 0x" + hex_encode(encoded.first(1)) + " (expected 0x01)", "Aead");
  }
  if (encoded.size() < 2 || encoded[1] == 0) {
    return Error(ErrorCode::kParse, "missing or empty key id", "Aead");
  }
  const std::size_t id_len = encoded[1];
  const std::size_t header_len = 2 + id_len;
  if (encoded.size() < header_len + 12 + 16) {
    return Error(ErrorCode::kParse,
                 "input of " + std::to_string(encoded.size()) + " bytes is shorter than header (" +
                     std::to_string(header_len) + ") + nonce (12) + tag (16)",
                 "Aead");
  }
  const std::string id = parley::to_string(encoded.subspan(2, id_len));
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const AeadKey& k) { return k.id == id; });
  if (it == keys_.end()) {
    std::string ring;
    for (const auto& k : keys_) ring += (ring.empty() ? "" : ", ") + k.id;
    std::string shown;
    for (char c : id) shown += (c >= 0x20 && c <= 0x7E) ? c : '?';
    return Error(ErrorCode::kNotFound, "unknown key id '" + shown + "' (key ring: " + ring + ")", "Aead");
  }
  auto plaintext = crypto::aes_gcm_decrypt(it->key, encoded.subspan(header_len, 12), encoded.first(header_len),
                                           encoded.subspan(header_len + 12));
  if (!plaintext.ok()) {
    return Error(ErrorCode::kVerification,
                 "authentication tag mismatch under key '" + id + "' (wrong key or tampered cookie)", "Aead");
  }
  return plaintext;
}

// --- pipeline ----------------------------------------------------------------------------------

CookieTransformPipeline& CookieTransformPipeline::add(std::shared_ptr<const CookieTransform> transform) {
  transforms_.push_back(std::move(transform));
  return *this;
}

Result<Bytes> CookieTransformPipeline::encode(ByteView value) const {
  Bytes current(value.begin(), value.end());
  for (const auto& t : transforms_) {
    PARLEY_ASSIGN_OR_RETURN(current, t->encode(current));
  }
  return current;
}

Result<Bytes> CookieTransformPipeline::decode(ByteView encoded) const {
  Bytes current(encoded.begin(), encoded.end());
  for (auto it = transforms_.rbegin(); it != transforms_.rend(); ++it) {
    PARLEY_ASSIGN_OR_RETURN(current, (*it)->decode(current));
  }
  return current;
}

std::vector<std::string> CookieTransformPipeline::names() const {
  std::vector<std::string> out;
  for (const auto& t : transforms_) out.emplace_back(t->name());
  return out;
}

}  // namespace parley::wif
