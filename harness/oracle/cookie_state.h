// Cookie-mode security context state (wire facts A, "Cookie-mode SCT"; docs/design/cookie-mode.md):
// the state WCF's SecurityContextCookieSerializer writes into an SCT's dnse:Cookie, as .NET Binary
// XML with WCF's SctClaimDictionary, sealed for a farm with a shared key ring (AES-256-GCM, the
// `Aead` cookie format of harness/wif/cookie_transforms.h) instead of WCF's Windows-only DPAPI.
//
// Hostile input is the normal case: the cookie arrives in a message anyone can send. Every
// failure is an Error whose `where` is "dnse:Cookie" (or a path below it) and whose `what` names
// the check: the size, the key id, the tag, the NBFX record, the element, the time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/wif/cookie_transforms.h"
#include "harness/wif/nbfx.h"

namespace parley::oracle::cookie {

// --- time: .NET DateTime ticks (100 ns since 0001-01-01T00:00:00, UTC) -------------------------

using Ticks = std::int64_t;
inline constexpr Ticks kUnixEpochTicks = 621'355'968'000'000'000;  // 1970-01-01T00:00:00Z
inline constexpr Ticks kMaxTicks = 3'155'378'975'999'999'999;      // 9999-12-31T23:59:59.9999999
using Clock = std::chrono::system_clock;

// Sub-tick precision is truncated. Errors outside 0..kMaxTicks (not reachable from a real clock).
Result<Ticks> to_ticks(Clock::time_point t);
// Ticks beyond what a system_clock time_point holds (about year 2262 with nanoseconds) saturate
// at time_point::max(): such a far expiry means "never" to every comparison the service makes.
Clock::time_point from_ticks(Ticks ticks);

// --- the state ----------------------------------------------------------------------------------

// SecurityContextCookieSerializer.SupportedPersistanceVersion.
inline constexpr int kStateVersion = 1;

// The identity a context was issued to. WCF writes it twice: Identities/PrimaryIdentity/
// GenericIdentity (name, AuthenticationType) and a DefaultClaimSet with the name claims
// (UserNameSecurityTokenAuthenticator: Name with Right Identity, and Name PossessProperty).
struct Principal {
  std::string name;
  std::string authentication_type;  // "" = attribute absent

  friend bool operator==(const Principal&, const Principal&) = default;
};

struct CookieState {
  std::string id;                             // the SCT's wsu:Id (WCF's localId)
  std::string context_id;                     // the SCT's wsc:Identifier (UniqueId)
  Bytes key;                                  // the context key of this generation
  std::optional<std::string> key_generation;  // the SCT's wsc:Instance; absent before a renew
  Ticks effective_time = 0;                   // the token's lifetime (IssuedCookieLifetime)
  Ticks expiry_time = 0;
  Ticks key_effective_time = 0;  // this key generation's lifetime
  Ticks key_expiry_time = 0;
  std::optional<Principal> principal;  // absent = anonymous (WCF writes nothing for it)

  friend bool operator==(const CookieState&, const CookieState&) = default;
};

// WCF's SctClaimDictionary (50 strings, wire ids 0, 2, ... 98): element and attribute names are
// written as DictionaryStrings of this static dictionary.
const wif::nbfx::Dictionary& sct_claim_dictionary();

struct StateLimits {
  std::size_t max_state_bytes = 16 * 1024;  // the NBFX document
  std::size_t max_key_bytes = 512;      // WCF issues 16..64-byte keys (max KeySize 512 bits here)
  std::size_t max_string_bytes = 1024;  // Id, ContextId, KeyGeneration, names
};

// The NBFX document in WCF's element order: Version, Id, ContextId, Key, KeyGeneration?,
// EffectiveTime, ExpiryTime, KeyEffectiveTime, KeyExpiryTime, Identities?, ClaimSets?.
// Errors for an empty Id / ContextId / Key and times outside 0..kMaxTicks.
Result<Bytes> serialize_state(const CookieState& state);
// The inverse. Like WCF's reader, children of the root may come in any order; unlike it, an
// element seen twice, an unknown element, a Version other than 1, a missing ContextId / Key /
// Id or any time, an effective time after its expiry, or a claim set parley did not write is an
// Error (parley only ever reads cookies it wrote).
Result<CookieState> parse_state(ByteView bytes, const StateLimits& limits = {});

// --- the key ring -------------------------------------------------------------------------------

// Named AES-256 keys. The current key (the first in the file) seals new cookies; every key in
// the ring opens cookies sealed under it, so rotation is: put a new key first, keep the old ones
// until the cookies they sealed have expired, then remove them.
class KeyRing {
 public:
  struct Key {
    std::string id;  // 1..64 characters of [A-Za-z0-9._-]
    Bytes key;       // 32 bytes
  };
  // keys[0] is the current key. Errors for an empty ring, a bad id, a duplicate id, a key that
  // is not 32 bytes, more than kMaxKeys keys.
  static Result<KeyRing> create(std::vector<Key> keys);
  // The key ring file format, one key a line: "ID KEY" (KEY is hex or "base64:..."), separated by
  // spaces or tabs; empty lines and lines starting with '#' are skipped; the first key line is
  // the current key. Errors name the line (never the key material).
  static Result<KeyRing> parse(std::string_view text);
  // The same lines given one per string (the config's inline `keys`).
  static Result<KeyRing> parse_lines(const std::vector<std::string>& lines);

  static constexpr std::size_t kMaxKeys = 64;

  const std::string& current_id() const { return ids_.front(); }
  const std::vector<std::string>& ids() const { return ids_; }
  const wif::AeadCookieTransform& sealer() const { return *sealer_; }

 private:
  KeyRing(std::vector<std::string> ids, std::shared_ptr<const wif::AeadCookieTransform> sealer)
      : ids_(std::move(ids)), sealer_(std::move(sealer)) {}
  std::vector<std::string> ids_;  // current first
  std::shared_ptr<const wif::AeadCookieTransform> sealer_;
};

// --- the cookie
// -----------------------------------------------------------------------------------

struct CookieLimits {
  // The sealed bytes (before base64). A cookie holds ~300 bytes of state plus the principal;
  // 8 KiB bounds what a hostile client can make the service decrypt and parse.
  std::size_t max_cookie_bytes = 8 * 1024;
  StateLimits state;
};

// serialize_state, then sealed with the ring's current key: the dnse:Cookie content.
Result<Bytes> seal_cookie(const KeyRing& ring, const CookieState& state,
                          const CookieLimits& limits = {});
// The inverse: size check, key id, tag (ErrorCode::kVerification), then parse_state.
Result<CookieState> open_cookie(const KeyRing& ring, ByteView cookie,
                                const CookieLimits& limits = {});

}  // namespace parley::oracle::cookie
