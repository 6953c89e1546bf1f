// The relying-party part of a target profile (kind = "relying-party", docs/target-profile.md):
// what the wif-session suite (suites/wif) needs to drive a passive sign-in through parley's
// test STS and judge the session cookie. Parsed here so that `load_target_profile` reads both
// kinds of profile and reports keep one profile type.
#pragma once

#include "harness/core/text.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"

namespace parley::oracle {

struct RelyingPartyProfile {
  // [relying_party]
  std::string rp_url;         // the application root
  std::string protected_url;  // a protected resource (GET)
  std::string whoami_url;     // docs/design/rp-whoami.md; "" = none
  std::string signin_url;     // where the STS posts the token (wreply / ACS)
  std::string signout_url;    // GET signs out; "" = none
  std::string realm;
  std::string signin_method = "wsfed";      // wsfed | saml2
  std::string unauthenticated = "redirect";  // redirect | 401
  std::string cookie_name = "FedAuth";      // the session cookie (WIF chunks: Name, Name1, ...)
  std::string cookie_pattern;               // glob ('*', '?') naming every session cookie; "" = cookie_name + chunks
  std::string sts_url;                      // where sign-in starts (parley's test STS)
  std::string ca_file;                      // verifies the RP's and the STS's TLS ("" = system store)
  std::vector<std::string> farm_urls;       // protected URLs of other nodes of the same farm
  // The claims the STS asserts (type, value): the round-trip cases look for each in whoami.
  std::vector<std::pair<std::string, std::string>> claims;

  // [capabilities]
  bool wif_cookie_format = false;
  std::size_t chunk_size = 2000;
  bool reference_mode = false;
  bool sliding = false;
  bool persistent = false;
  std::uint64_t session_lifetime_seconds = 36000;
  std::uint64_t max_clock_skew_seconds = 300;
  std::optional<std::uint64_t> max_chunks;         // the RP's declared bound on chunks read
  std::optional<std::uint64_t> cache_max_entries;  // reference mode: the session cache's size

  // [cookie_protection]: the RP's cookie transforms and their keys, when the operator lends them
  // to parley (a test deployment): parley can then forge session tokens (expiry, not-yet-valid,
  // clock skew, EndpointId). Empty transforms = not given; those cases are NOT_APPLICABLE.
  std::vector<std::string> transforms;  // deflate | machinekey | rsa-encryption | rsa-signature
  Bytes machine_key_decryption_key;
  Bytes machine_key_validation_key;
  std::string machine_key_validation = "HMACSHA256";
  std::string rsa_key_file;  // absolute (resolved against the profile's directory)

  bool can_forge() const { return !transforms.empty(); }
  // Whether `name` is one of the session cookies (cookie_pattern, or cookie_name and its chunks).
  bool is_session_cookie(std::string_view name) const;
};

// Reads [relying_party], [capabilities] and [cookie_protection] of a profile document whose
// kind is relying-party ([target] is the caller's). Unknown keys and tables are errors.
Result<RelyingPartyProfile> parse_relying_party_profile(std::string_view toml_text, const std::string& base_dir);

// '*' and '?' glob match.
using core::glob_match;

}  // namespace parley::oracle
