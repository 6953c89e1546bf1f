// `parley serve --config rp.toml` in relying-party mode: a TOML with an [rp] table runs the
// reference RP (and, unless [rp] sts_url points elsewhere, the test STS of [sts] on the same
// server). Schema: docs/oracle-config.md, "Relying-party mode". Unknown keys are errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"
#include "harness/fed/sts.h"
#include "harness/rp/faults.h"
#include "harness/rp/session_cache.h"
#include "harness/rp/session_cookie.h"

namespace parley::rp {

enum class Unauthenticated { kRedirect, kUnauthorized };  // "redirect" | "401"
enum class SignInMethod { kWsFed, kSaml2 };               // "wsfed" | "saml2"
std::string_view to_string(Unauthenticated u);
std::string_view to_string(SignInMethod m);

struct CacheConfig {
  std::string kind = "memory";  // memory | redis
  std::size_t max_entries = kWifCacheMaxEntries;
  std::size_t size_after_purge = kWifCacheSizeAfterPurge;
  RedisOptions redis;
};

struct RpConfig {
  // [server]
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  std::string certificate_file;
  std::string private_key_file;

  // [rp]
  std::string realm = "urn:parley:rp";  // wtrealm / AuthnRequest Issuer, and the audience required
  std::string protected_path = "/app/";
  std::string signin_path;   // default protected_path + "signin" (wreply / the SAML ACS)
  std::string signout_path;  // default protected_path + "signout"
  std::string whoami_path;   // default protected_path + "whoami"
  Unauthenticated unauthenticated = Unauthenticated::kRedirect;
  SignInMethod signin_method = SignInMethod::kWsFed;
  // The STS sign-in URL; "" = the test STS of this server (its wsfed or saml2/sso endpoint).
  std::string sts_url;
  std::string sts_certificate_file;  // trusted STS signing certificate (needed with sts_url)
  std::string ca_file;               // the CA of this server's TLS certificate, for the profile
  std::chrono::seconds session_lifetime{10 * 3600};  // WIF's SessionSecurityTokenHandler default
  bool sliding = false;
  SessionCookieConfig cookie;
  CookieProtection protection;
  std::vector<std::string> transform_names;  // as configured (deflate, machinekey, ...), for the profile
  std::string rsa_key_file;                  // absolute; "" when no RSA transform
  bool random_machine_key = false;  // no keys configured: a fresh key for this process only
  CacheConfig cache;

  // [sts]: the test STS on this server; nullopt when sts_url points elsewhere.
  std::optional<fed::StsConfig> sts;

  FaultSet faults;
};

// True when the TOML document has an [rp] table (parse errors: false; the oracle path reports them).
bool is_rp_config(std::string_view toml_text);
Result<RpConfig> parse_rp_config(std::string_view toml_text, const std::string& base_dir = ".");
Result<RpConfig> load_rp_config(const std::string& path);

// The target profile of a running RP for the wif-session suite (kind = "relying-party";
// docs/target-profile.md). Faults do not change it.
std::string rp_target_profile(const RpConfig& config, const std::string& base_url);

}  // namespace parley::rp
