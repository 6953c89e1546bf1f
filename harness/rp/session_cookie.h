// The FedAuth session cookie of the reference relying party, both ways (wire facts B; the
// layers are harness/wif's):
//
//   issue: SessionToken -> encode_cookie_payload -> cookie transforms -> SCT XML (<Cookie>)
//          -> base64 -> write_chunked_cookie (FedAuth, FedAuth1, ...)
//          reference mode: the payload goes to the SessionCache under (ContextId, KeyGeneration)
//          and the SCT XML carries no <Cookie>.
//   read:  the reverse, then WIF's checks: wrapper and state agree, ValidTo / ValidFrom with
//          the clock skew, EndpointId.
//
// Every failure is an Error naming the layer that refused the cookie; the RP answers any of them
// with a re-authentication (docs/design/reference-rp.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"
#include "harness/rp/faults.h"
#include "harness/rp/session_cache.h"
#include "harness/wif/chunked_cookies.h"
#include "harness/wif/cookie_transforms.h"
#include "harness/wif/machine_key.h"
#include "harness/wif/session_token.h"

namespace parley::rp {

enum class SessionMode { kValue, kReference };
std::string_view to_string(SessionMode mode);  // "value" | "reference"
using parley::to_string;  // keep core's to_string(ByteView) visible next to this overload

// wif::Ticks <-> system_clock.
wif::Ticks to_ticks(Clock::time_point t);
Clock::time_point from_ticks(wif::Ticks ticks);

struct SessionCookieConfig {
  std::string name = "FedAuth";
  wif::ChunkingOptions chunking = wif::default_chunking(wif::ChunkingStyle::kWif);
  // Path (the protected path), Domain, Secure, HttpOnly, SameSite; Expires is set per token
  // when `persistent`.
  wif::CookieAttributes attributes;
  bool persistent = false;
  SessionMode mode = SessionMode::kValue;
  std::chrono::seconds max_clock_skew{300};
  // The EndpointId written into tokens and required of tokens read ("" = unscoped).
  std::string endpoint_id;
  wif::SessionTokenLimits token_limits;
};

// The transforms in WIF's (encode) order. `machine_key` repeats the MachineKey transform's
// configuration: only the skip-cookie-integrity fault needs it (to decrypt without the HMAC).
struct CookieProtection {
  std::vector<std::shared_ptr<const wif::CookieTransform>> transforms;
  std::optional<wif::MachineKeyConfig> machine_key;
  // True when a transform authenticates the cookie (MachineKey, RsaSignature, Aead).
  bool has_integrity() const;
  std::vector<std::string> names() const;
};

class SessionCookieCodec {
 public:
  // `cache` is required in reference mode (it also serves the RP's sign-in replay cache).
  SessionCookieCodec(SessionCookieConfig config, CookieProtection protection, std::shared_ptr<SessionCache> cache,
                     FaultSet faults = {});

  // The Set-Cookie headers that carry `token` in answer to a request that carried `request`'s
  // cookies (stale chunks deleted); in reference mode the token is stored in the cache first.
  Result<std::vector<wif::SetCookie>> issue(const wif::SessionToken& token, const wif::ChunkedCookieJar& request,
                                            Clock::time_point now) const;

  // The session the request's cookie holds: nullopt when it carries no session cookie, an Error
  // when the cookie is not a valid, live session.
  Result<std::optional<wif::SessionToken>> read(const wif::ChunkedCookieJar& request, Clock::time_point now) const;

  // The SCT wrapper of the request's cookie without any further check (sign-out needs the
  // identifiers of an expired or damaged session too); nullopt when absent or unreadable.
  std::optional<wif::SecurityContextTokenXml> peek(const wif::ChunkedCookieJar& request) const;

  // Set-Cookie deletions for every chunk the request carried.
  std::vector<wif::SetCookie> deletions(const wif::ChunkedCookieJar& request, Clock::time_point now) const;

  // Reference mode: removes the cache entry of (context id, key generation).
  Status forget(std::string_view context_id, const std::optional<std::string>& key_generation) const;

  static std::string cache_key(std::string_view context_id, const std::optional<std::string>& key_generation);

  const SessionCookieConfig& config() const { return config_; }
  const std::shared_ptr<SessionCache>& cache() const { return cache_; }

 private:
  Result<wif::SessionToken> decode(const wif::SecurityContextTokenXml& sct, Clock::time_point now) const;
  Result<Bytes> untransform(ByteView cookie) const;
  wif::CookieAttributes attributes_for(const wif::SessionToken* token) const;
  wif::ChunkingOptions read_chunking() const;

  SessionCookieConfig config_;
  CookieProtection protection_;
  std::optional<wif::MachineKeyProtector> lenient_machine_key_;
  std::shared_ptr<SessionCache> cache_;
  FaultSet faults_;
};

}  // namespace parley::rp
