#include "harness/wif/machine_key.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::wif {
namespace {

constexpr const char* kWhere = "MachineKey";
constexpr std::size_t kIvSize = 16;                   // AES block size: ASP.NET's IV length
constexpr std::size_t kMaxPurposeBytes = 64u << 10;   // far above any real purpose string

// Decodes one UTF-8 sequence at `i` (strict: no overlongs, surrogates or values > U+10FFFF).
// Returns the code point and advances `i`, or -1 on malformed input.
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t extra = 0;
  long cp = 0;
  long min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + extra >= s.size()) return -1;  // truncated sequence
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += extra + 1;
  return cp;
}

// Char.IsWhiteSpace: the Unicode White_Space property.
bool is_unicode_white_space(long cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

Status check_purpose(std::string_view text, std::string_view which) {
  if (text.size() > kMaxPurposeBytes) {
    return Error(ErrorCode::kLimitExceeded,
                 std::string(which) + " purpose is over " + std::to_string(kMaxPurposeBytes) + " bytes",
                 kWhere);
  }
  bool all_space = true;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const long cp = next_code_point(text, i);
    if (cp < 0) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(which) + " purpose is not valid UTF-8 (byte " + std::to_string(at) + ")",
                   kWhere);
    }
    if (!is_unicode_white_space(cp)) all_space = false;
  }
  if (all_space) {
    // MachineKey.Protect: purposes.Any(String.IsNullOrWhiteSpace) -> ArgumentException.
    return Error(ErrorCode::kInvalidArgument,
                 std::string(which) + " purpose is empty or white space only (ASP.NET refuses it)", kWhere);
  }
  return ok_status();
}

Status check_purposes(const MachineKeyPurpose& purpose) {
  PARLEY_TRY(check_purpose(purpose.primary, "primary"));
  for (std::size_t i = 0; i < purpose.specific.size(); ++i) {
    PARLEY_TRY(check_purpose(purpose.specific[i], "specific #" + std::to_string(i + 1)));
  }
  return ok_status();
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

Result<MachineKeyValidation> parse_machine_key_validation(std::string_view name) {
  const std::string u = upper(name);
  if (u == "SHA1" || u == "HMACSHA1") return MachineKeyValidation::kHmacSha1;
  if (u == "HMACSHA256") return MachineKeyValidation::kHmacSha256;
  if (u == "HMACSHA384") return MachineKeyValidation::kHmacSha384;
  if (u == "HMACSHA512") return MachineKeyValidation::kHmacSha512;
  return Error(ErrorCode::kUnsupported,
               "validation algorithm '" + std::string(name) +
                   "' is not one of HMACSHA1 (SHA1), HMACSHA256, HMACSHA384, HMACSHA512",
               kWhere);
}

std::string_view to_string(MachineKeyValidation validation) {
  switch (validation) {
    case MachineKeyValidation::kHmacSha1: return "HMACSHA1";
    case MachineKeyValidation::kHmacSha256: return "HMACSHA256";
    case MachineKeyValidation::kHmacSha384: return "HMACSHA384";
    case MachineKeyValidation::kHmacSha512: return "HMACSHA512";
  }
  return "?";
}

crypto::HashAlgorithm hash_of(MachineKeyValidation validation) {
  switch (validation) {
    case MachineKeyValidation::kHmacSha1: return crypto::HashAlgorithm::kSha1;
    case MachineKeyValidation::kHmacSha256: return crypto::HashAlgorithm::kSha256;
    case MachineKeyValidation::kHmacSha384: return crypto::HashAlgorithm::kSha384;
    case MachineKeyValidation::kHmacSha512: return crypto::HashAlgorithm::kSha512;
  }
  return crypto::HashAlgorithm::kSha256;
}

std::size_t mac_size(MachineKeyValidation validation) { return crypto::digest_size(hash_of(validation)); }

MachineKeyPurpose wif_machine_key_transform_purpose() {
  return {std::string(kMachineKeyProtectPrimaryPurpose), {std::string(kWifMachineKeyTransformPurpose)}};
}

Bytes binary_writer_string(std::string_view utf8) {
  Bytes out;
  auto n = static_cast<std::uint64_t>(utf8.size());
  // Write7BitEncodedInt: low 7 bits first, high bit set while more follow.
  while (n >= 0x80) {
    out.push_back(static_cast<std::uint8_t>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), utf8.begin(), utf8.end());
  return out;
}

Result<Bytes> purpose_label(const MachineKeyPurpose& purpose) {
  PARLEY_TRY(check_purposes(purpose));
  return to_bytes(purpose.primary);
}

Result<Bytes> purpose_context(const MachineKeyPurpose& purpose) {
  PARLEY_TRY(check_purposes(purpose));
  Bytes context;
  for (const auto& specific : purpose.specific) {
    Bytes one = binary_writer_string(specific);
    context.insert(context.end(), one.begin(), one.end());
  }
  return context;
}

Result<MachineKeyDerivedKeys> derive_machine_keys(const MachineKeyConfig& config,
                                                  const MachineKeyPurpose& purpose) {
  const std::size_t dk = config.decryption_key.size();
  if (dk != 16 && dk != 24 && dk != 32) {
    return Error(ErrorCode::kInvalidArgument,
                 "decryption key must be 16, 24 or 32 bytes for AES, got " + std::to_string(dk), kWhere);
  }
  if (config.validation_key.empty()) {
    return Error(ErrorCode::kInvalidArgument, "validation key is empty", kWhere);
  }
  if (config.validation_key.size() > 1024) {
    return Error(ErrorCode::kLimitExceeded,
                 "validation key is " + std::to_string(config.validation_key.size()) +
                     " bytes; parley accepts at most 1024",
                 kWhere);
  }
  PARLEY_ASSIGN_OR_RETURN(Bytes label, purpose_label(purpose));
  PARLEY_ASSIGN_OR_RETURN(Bytes context, purpose_context(purpose));
  MachineKeyDerivedKeys keys;
  // SP800_108.DeriveKey: HMAC-SHA512 PRF, output as long as the master key.
  PARLEY_ASSIGN_OR_RETURN(keys.encryption,
                          crypto::kbkdf_hmac_counter(crypto::HashAlgorithm::kSha512, config.decryption_key,
                                                     label, context, dk));
  PARLEY_ASSIGN_OR_RETURN(keys.validation,
                          crypto::kbkdf_hmac_counter(crypto::HashAlgorithm::kSha512, config.validation_key,
                                                     label, context, config.validation_key.size()));
  return keys;
}

Result<MachineKeyProtector> MachineKeyProtector::create(const MachineKeyConfig& config,
                                                        MachineKeyPurpose purpose) {
  PARLEY_ASSIGN_OR_RETURN(MachineKeyDerivedKeys keys, derive_machine_keys(config, purpose));
  return MachineKeyProtector(std::move(keys), std::move(purpose), config.validation);
}

Result<Bytes> MachineKeyProtector::protect(ByteView data) const {
  PARLEY_ASSIGN_OR_RETURN(Bytes iv, crypto::random_bytes(kIvSize));
  return protect_with_iv(data, iv);
}

Result<Bytes> MachineKeyProtector::protect_with_iv(ByteView data, ByteView iv) const {
  if (iv.size() != kIvSize) {
    return Error(ErrorCode::kInvalidArgument, "IV must be 16 bytes, got " + std::to_string(iv.size()), kWhere);
  }
  auto ciphertext = crypto::aes_cbc_encrypt(keys_.encryption, iv, data);
  if (!ciphertext.ok()) return std::move(ciphertext.error().within(kWhere));
  Bytes out(iv.begin(), iv.end());
  out.insert(out.end(), ciphertext->begin(), ciphertext->end());
  PARLEY_ASSIGN_OR_RETURN(Bytes mac, crypto::hmac(hash_of(validation_), keys_.validation, out));
  out.insert(out.end(), mac.begin(), mac.end());
  return out;
}

Result<Bytes> MachineKeyProtector::unprotect(ByteView protected_data) const {
  const std::size_t mac_len = mac_size(validation_);
  // NetFXCryptoService.Unprotect: at least one ciphertext byte between IV and MAC.
  if (protected_data.size() <= kIvSize + mac_len) {
    return Error(ErrorCode::kParse,
                 "input of " + std::to_string(protected_data.size()) +
                     " bytes is too short: IV (16) + ciphertext + " + std::string(to_string(validation_)) +
                     " (" + std::to_string(mac_len) + ") needs more than " + std::to_string(kIvSize + mac_len),
                 kWhere);
  }
  const std::size_t signed_len = protected_data.size() - mac_len;
  PARLEY_ASSIGN_OR_RETURN(Bytes mac, crypto::hmac(hash_of(validation_), keys_.validation,
                                                  protected_data.first(signed_len)));
  if (!crypto::constant_time_equal(mac, protected_data.subspan(signed_len))) {
    return Error(ErrorCode::kVerification,
                 "HMAC mismatch (" + std::string(to_string(validation_)) +
                     "; wrong validation key, validation algorithm or purpose, or tampered data)",
                 kWhere);
  }
  const ByteView iv = protected_data.first(kIvSize);
  const ByteView ciphertext = protected_data.subspan(kIvSize, signed_len - kIvSize);
  if (ciphertext.size() % 16 != 0) {
    return Error(ErrorCode::kParse,
                 "ciphertext length " + std::to_string(ciphertext.size()) +
                     " is not a multiple of the AES block (16) although the HMAC verified",
                 kWhere);
  }
  auto plaintext = crypto::aes_cbc_decrypt(keys_.encryption, iv, ciphertext);
  if (!plaintext.ok()) {
    return Error(ErrorCode::kVerification,
                 "AES-CBC padding is invalid although the HMAC verified (wrong decryption key)", kWhere);
  }
  return plaintext;
}

}  // namespace parley::wif
