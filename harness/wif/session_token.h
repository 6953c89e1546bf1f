// WIF's SessionSecurityToken: the model, its serialized state (.NET Binary XML with WIF's
// 63-entry session dictionary), the BinaryFormatter frame around that state, and the
// SecurityContextToken XML that carries it (wire facts B; docs/design/wif-session-token.md says
// where each layout fact comes from and how sure it is).
//
// Layering of a FedAuth cookie, outside in:
//   chunked cookies -> base64 -> SCT XML (write_security_context_token)
//   -> <Cookie> base64 -> cookie transforms (harness/wif/cookie_transforms.h)
//   -> cookie payload (encode_cookie_payload: BinaryFormatter frame) -> NBFX state.
// This module does the SCT XML, the payload and the state; transforms and chunking live in
// cookie_transforms / chunked_cookies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/wif/nbfx.h"

namespace parley::wif {

// --- time ------------------------------------------------------------------------------------

// .NET DateTime ticks: 100 ns units since 0001-01-01T00:00:00 (UTC here: WIF writes
// ToUniversalTime().Ticks). Valid range 0 .. kMaxTicks.
using Ticks = std::int64_t;
inline constexpr Ticks kTicksPerSecond = 10'000'000;
inline constexpr Ticks kUnixEpochTicks = 621'355'968'000'000'000;  // 1970-01-01T00:00:00Z
inline constexpr Ticks kMaxTicks = 3'155'378'975'999'999'999;      // 9999-12-31T23:59:59.9999999

// "yyyy-MM-ddTHH:mm:ss.fffffffZ" (always 7 fraction digits: lossless). Error when out of range.
Result<std::string> ticks_to_iso8601(Ticks ticks);
// Accepts "yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z" only (UTC, no offsets): exactly what the JSON form holds.
Result<Ticks> ticks_from_iso8601(std::string_view text);

// --- the model -------------------------------------------------------------------------------

// System.Security.Claims.Claim as WIF serializes it (Claim element, ClaimProperties).
struct Claim {
  std::string type;
  std::string value;
  std::string value_type;       // WIF writes it always; ClaimValueTypes.String by default
  std::string issuer;           // "" = attribute absent
  std::string original_issuer;  // "" = attribute absent
  // ClaimProperty Name/Value pairs in document order; WIF skips pairs with an empty name or
  // value when writing and refuses them when reading.
  std::vector<std::pair<std::string, std::string>> properties;

  friend bool operator==(const Claim&, const Claim&) = default;
};

// System.Security.Claims.ClaimsIdentity as WIF serializes it (Identity element).
struct ClaimsIdentity {
  std::string authentication_type;             // "" = attribute absent
  std::string label;                           // "" = attribute absent
  std::optional<std::string> name_claim_type;  // nullopt = attribute absent
  std::optional<std::string> role_claim_type;  // nullopt = attribute absent
  // WindowsLogonName attribute (a WindowsIdentity): kept as data; parley never resolves it.
  std::optional<std::string> windows_logon_name;
  std::vector<Claim> claims;
  // The Actor identity (delegation chain); at most SessionTokenLimits::max_actor_depth deep.
  std::unique_ptr<ClaimsIdentity> actor;
  // BootStrapToken content: WIF stores a BinaryFormatter-serialized BootstrapContext here. It
  // is opaque to parley (never deserialized), carried as bytes.
  std::optional<Bytes> bootstrap_token;

  ClaimsIdentity() = default;
  ClaimsIdentity(const ClaimsIdentity& other);
  ClaimsIdentity& operator=(const ClaimsIdentity& other);
  ClaimsIdentity(ClaimsIdentity&&) noexcept = default;
  ClaimsIdentity& operator=(ClaimsIdentity&&) noexcept = default;
  ~ClaimsIdentity() = default;

  friend bool operator==(const ClaimsIdentity& a, const ClaimsIdentity& b);
};

// The SctAuthorizationPolicy element of an SCT wrapper token: one WCF (System.IdentityModel)
// claim. `kind` is the element name: "Null", "SystemClaim", "WindowsSidClaim",
// "DenyOnlySidClaim", "X500DistinguishedNameClaim", "X509ThumbprintClaim", "NameClaim",
// "DnsClaim", "RsaClaim", "MailAddressClaim", "HashClaim", "SpnClaim", "UpnClaim", "UrlClaim".
struct SctAuthorizationClaim {
  std::string kind;
  std::optional<std::string> right;  // the Right attribute; nullopt = PossessProperty (absent)
  // The content as text: for the SID / X500 / thumbprint / hash kinds the base64 of the bytes
  // (written as Bytes records), otherwise the string ("" for Null / SystemClaim).
  std::string value;

  friend bool operator==(const SctAuthorizationClaim&, const SctAuthorizationClaim&) = default;
};

// System.IdentityModel.Tokens.SessionSecurityToken.
struct SessionToken {
  // Token Id: the SCT's wsu:Id and the state's <Id>, e.g. "_<guid>-1" (wire facts B).
  std::string id;
  // ContextId: the session identifier (a UniqueId, normally "urn:uuid:<guid>"): the SCT's
  // Identifier and the cache key.
  std::string context_id;
  // KeyGeneration (UniqueId): the SCT's Instance; nullopt for plain WIF session tokens.
  std::optional<std::string> key_generation;
  Bytes key;                     // the session key (WIF default: 128 random bits)
  Ticks effective_time = 0;      // ValidFrom
  Ticks expiry_time = 0;         // ValidTo
  Ticks key_effective_time = 0;  // KeyEffectiveTime
  Ticks key_expiry_time = 0;     // KeyExpirationTime
  // The namespace URI of the WS-SC version (SecureConversationVersion element).
  names::ScVersion secure_conversation_version = names::ScVersion::k1_3;
  bool persistent = false;      // PersistentTrue attribute (SessionToken root only)
  bool reference_mode = false;  // ReferenceModeTrue attribute; SCT XML then has no Cookie
  std::string context;          // <Context> (SessionToken root only); "" = absent
  std::string endpoint_id;      // <EndpointId>; "" = unscoped
  // Root SecurityContextToken instead of SessionToken: the token wraps a WCF SCT. Such a root
  // carries no PersistentTrue / ReferenceModeTrue / Context.
  bool sct_wrapper = false;
  // ClaimsPrincipal/Identities; has_principal = false means no ClaimsPrincipal element.
  bool has_principal = true;
  std::vector<ClaimsIdentity> identities;
  std::optional<SctAuthorizationClaim> sct_authorization_policy;

  friend bool operator==(const SessionToken&, const SessionToken&) = default;
};

// --- WIF's session dictionary ----------------------------------------------------------------

// System.IdentityModel.Tokens.SessionDictionary: 63 strings in the order WIF adds them; the
// n-th string (0-based) is static DictionaryString id 2n on the wire ([MC-NBFX] 2.1.4).
const nbfx::Dictionary& session_dictionary();

// --- the serialized state (NBFX) -------------------------------------------------------------

struct SessionTokenLimits {
  nbfx::DecodeLimits nbfx;           // the NBFX decoder's own bounds
  std::size_t max_actor_depth = 8;   // Actor nesting below an Identity
  std::size_t max_identities = 256;  // Identity elements in all (actors included)
  std::size_t max_claims = 65536;    // Claim elements in all
};

// The state exactly as SessionSecurityToken.GetObjectData writes it: NBFX with the session
// dictionary, no session (dynamic) strings. Errors when the token cannot be represented (e.g.
// empty id, actor chain deeper than the limit, times out of range).
Result<Bytes> serialize_session_state(const SessionToken& token);
// Parses the state; errors name the element and the rule ("SessionToken/ContextId: missing").
Result<SessionToken> parse_session_state(ByteView nbfx_bytes,
                                         const SessionTokenLimits& limits = {});

// --- the cookie payload: BinaryFormatter frame ------------------------------------------------

// WIF's SessionSecurityTokenHandler passes the token to BinaryFormatter, whose output
// ([MS-NRBF]) holds the state as the byte[] member "SessionToken" of an ISerializable
// System.IdentityModel.Tokens.SessionSecurityToken record. Cookie transforms run over that.
enum class CookieFraming {
  kBinaryFormatter,  // [MS-NRBF] frame around the state, as WIF (.NET 4.5) writes it
  kRawNbfx,          // the NBFX state alone (what some re-implementations write)
};

Bytes wrap_binary_formatter(ByteView nbfx_state);
// Accepts exactly the record shape wrap_binary_formatter writes (any library name and class
// name ending in "SessionSecurityToken"), with bounds checks; errors name the record and offset.
Result<Bytes> unwrap_binary_formatter(ByteView payload);

Result<Bytes> encode_cookie_payload(const SessionToken& token,
                                    CookieFraming framing = CookieFraming::kBinaryFormatter);
// Detects the framing: a payload starting with the [MS-NRBF] header byte 0x00 (a record type
// NBFX reserves) is unwrapped first, anything else is taken as NBFX.
Result<SessionToken> decode_cookie_payload(ByteView payload, const SessionTokenLimits& limits = {});

// --- the SecurityContextToken XML wrapper -----------------------------------------------------

struct SctWriteOptions {
  bool utf8_bom = true;           // .NET XmlWriter.Create default (UTF-8 with BOM)
  bool xml_declaration = true;    // <?xml version="1.0" encoding="utf-8"?>
  std::string wsu_prefix = "p1";  // the prefix XmlWriter invents for wsu:Id (uncertain)
};

// <SecurityContextToken p1:Id=.. xmlns:p1=wsu xmlns=sc><Identifier>context id</Identifier>
// [<Instance>key generation</Instance>][<Cookie xmlns=dnse>base64(cookie)</Cookie>]
// </SecurityContextToken>; no Cookie in reference mode. `transformed_cookie` is the output of
// the cookie transforms over encode_cookie_payload (ignored in reference mode).
std::string write_security_context_token(const SessionToken& token, ByteView transformed_cookie,
                                         const SctWriteOptions& options = {});

struct SecurityContextTokenXml {
  names::ScVersion version = names::ScVersion::k1_3;  // k1_3 also stands for 1.4
  std::string id;                                     // wsu:Id ("" when absent)
  std::string context_id;                             // Identifier
  std::optional<std::string> instance;                // Instance
  std::optional<Bytes> cookie;                        // Cookie content (still transformed)
};

// Parses the wrapper (with or without BOM / declaration) through xml::parse; errors name the
// element and the rule.
Result<SecurityContextTokenXml> read_security_context_token(std::string_view xml);

// WIF's checks after decoding a cookie: the state's ContextId and Id must equal the wrapper's
// Identifier and wsu:Id (and KeyGeneration its Instance).
Status check_cookie_matches(const SecurityContextTokenXml& sct, const SessionToken& token);

// --- JSON (for `parley cookie decode|encode` and reports) -------------------------------------

// Times as ISO 8601 strings with 7 fraction digits (lossless), the key and bootstrap tokens as
// base64, secure_conversation_version as the namespace URI. docs/design/wif-session-token.md
// has an annotated example.
nlohmann::json to_json(const SessionToken& token);
// Accepts what to_json writes; times may also be integers (ticks). Unknown members are errors
// (they are typos); missing optional members take the model's defaults. Errors name the member.
Result<SessionToken> session_token_from_json(const nlohmann::json& json);

}  // namespace parley::wif
