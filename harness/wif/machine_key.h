// ASP.NET 4.5 MachineKey.Protect / Unprotect (the "Framework45" crypto service), which WIF's
// MachineKeyTransform (System.IdentityModel.Services) uses for session cookies in web farms.
// Wire format and key derivation: docs/design/wif-cookie-transforms.md section "MachineKey".
//
//   derived key = SP800-108-CTR-HMAC-SHA512(master key, label = UTF-8(primary purpose),
//                 context = BinaryWriter.Write(string) of each specific purpose), same length as
//                 the master key; done separately for the decryption and the validation key.
//   output      = IV (16) | AES-CBC-PKCS7(derived decryption key, IV, data)
//                 | HMAC(derived validation key, IV | ciphertext)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/error.h"

namespace parley::wif {

// <machineKey validation="..."> of ASP.NET 4.5; "SHA1" is ASP.NET's name for HMACSHA1.
enum class MachineKeyValidation { kHmacSha1, kHmacSha256, kHmacSha384, kHmacSha512 };

// Accepts SHA1, HMACSHA1, HMACSHA256, HMACSHA384, HMACSHA512 (case-insensitive).
Result<MachineKeyValidation> parse_machine_key_validation(std::string_view name);
std::string_view to_string(MachineKeyValidation validation);  // "HMACSHA256", ...
using parley::to_string;  // keep core's to_string(ByteView) visible next to this overload
crypto::HashAlgorithm hash_of(MachineKeyValidation validation);
std::size_t mac_size(MachineKeyValidation validation);

// A Purpose of System.Web.Security.Cryptography: the primary purpose becomes the KDF label,
// the specific purposes the KDF context.
struct MachineKeyPurpose {
  std::string primary;
  std::vector<std::string> specific;
};

// MachineKey.Protect(data, purposes...): primary "User.MachineKey.Protect", the caller's
// purposes as specific purposes.
inline constexpr std::string_view kMachineKeyProtectPrimaryPurpose = "User.MachineKey.Protect";
// The specific purpose WIF's MachineKeyTransform passes to MachineKey.Protect.
inline constexpr std::string_view kWifMachineKeyTransformPurpose =
    "System.IdentityModel.Services.MachineKeyTransform";
MachineKeyPurpose wif_machine_key_transform_purpose();

// Label and context exactly as ASP.NET builds them (Purpose.GetKeyDerivationParameters).
// Every purpose must be valid UTF-8 and not empty or white space only (MachineKey.Protect
// refuses those).
Result<Bytes> purpose_label(const MachineKeyPurpose& purpose);
Result<Bytes> purpose_context(const MachineKeyPurpose& purpose);

// .NET BinaryWriter.Write(string): 7-bit encoded UTF-8 byte count, then the UTF-8 bytes.
Bytes binary_writer_string(std::string_view utf8);

struct MachineKeyConfig {
  Bytes decryption_key;  // AES master key: 16, 24 or 32 bytes (<machineKey decryptionKey>)
  Bytes validation_key;  // HMAC master key, any non-empty length (<machineKey validationKey>)
  MachineKeyValidation validation = MachineKeyValidation::kHmacSha256;
};

struct MachineKeyDerivedKeys {
  Bytes encryption;  // same length as the decryption (master) key
  Bytes validation;  // same length as the validation (master) key
};

Result<MachineKeyDerivedKeys> derive_machine_keys(const MachineKeyConfig& config,
                                                  const MachineKeyPurpose& purpose);

// Protect / Unprotect under one configuration and purpose. Errors name "MachineKey" and the
// check that failed ("MachineKey: HMAC mismatch", ...).
class MachineKeyProtector {
 public:
  static Result<MachineKeyProtector> create(const MachineKeyConfig& config, MachineKeyPurpose purpose);

  // Random IV (what ASP.NET does).
  Result<Bytes> protect(ByteView data) const;
  // Caller-chosen 16-byte IV: deterministic output for vectors and tests.
  Result<Bytes> protect_with_iv(ByteView data, ByteView iv) const;
  // Checks the HMAC (constant time) before decrypting.
  Result<Bytes> unprotect(ByteView protected_data) const;

  const MachineKeyDerivedKeys& derived_keys() const { return keys_; }
  const MachineKeyPurpose& purpose() const { return purpose_; }
  MachineKeyValidation validation() const { return validation_; }

 private:
  MachineKeyProtector(MachineKeyDerivedKeys keys, MachineKeyPurpose purpose, MachineKeyValidation validation)
      : keys_(std::move(keys)), purpose_(std::move(purpose)), validation_(validation) {}
  MachineKeyDerivedKeys keys_;
  MachineKeyPurpose purpose_;
  MachineKeyValidation validation_;
};

}  // namespace parley::wif
