// WS-SC / WSS tokens: SecurityContextToken, SecurityTokenReference, DerivedKeyToken, Timestamp,
// UsernameToken, BinarySecurityToken. One model, used to build (oracle, client, attack cases)
// and to parse and check (the suites). Parsers say what is wrong in the spec's terms and cite
// the requirement ID (docs/requirements) on the Error.
#pragma once

#include <libxml/tree.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/wssc/deviations.h"

namespace parley::wssc {

using names::ScVersion;

// Namespace prefixes parley writes (WCF's choices, so captures diff cleanly against WCF's).
namespace prefix {
inline constexpr std::string_view kSoap = "s";
inline constexpr std::string_view kWsa = "a";
inline constexpr std::string_view kWsse = "o";
inline constexpr std::string_view kWsu = "u";
inline constexpr std::string_view kWsse11 = "k";
inline constexpr std::string_view kWsc = "c";
inline constexpr std::string_view kWst = "t";
inline constexpr std::string_view kDs = "ds";  // written by xmlsec templates as default ns
inline constexpr std::string_view kXenc = "e";
inline constexpr std::string_view kDnse = "dnse";
}  // namespace prefix

// The wsu:Id of an element ("" when absent).
std::string wsu_id(const xmlNode* element);
void set_wsu_id(xmlNode* element, std::string_view id);
// A fresh id of the form WCF writes: "uuid-<guid>-<n>"; and "urn:uuid:<guid>" identifiers.
std::string new_wsu_id();
std::string new_uuid_urn();

// Which SC version an element belongs to, by its namespace; nullopt when neither.
std::optional<ScVersion> sc_version_of(const xmlNode* element);

// --- SecurityContextToken (WS-SC section 3) -----------------------------------------------------

struct SecurityContextToken {
  ScVersion version = ScVersion::k1_3;
  std::string wsu_id;      // "" when absent
  std::string identifier;  // absolute URI (SC-2-02)
  std::string instance;    // "" when absent (present after a renew, SC-2-04)
  // Every child other than Identifier / Instance, as its exclusive canonical form: the
  // content a holder must echo unchanged (SC-2-06), e.g. WCF's dnse:Cookie.
  std::vector<std::string> extensions;
  // The dnse:Cookie content when present (WCF cookie mode, WCF-04).
  std::optional<Bytes> cookie;

  friend bool operator==(const SecurityContextToken&, const SecurityContextToken&) = default;
};

// Checks SC-2-01 (one Identifier, SC namespace), SC-2-02 (absolute URI), at most one Instance.
Result<SecurityContextToken> parse_sct(const xmlNode* element);
// Appends wsc:SecurityContextToken under parent.
Result<xmlNode*> append_sct(xmlNode* parent, const SecurityContextToken& sct,
                            const SctDeviations& deviations = {});

// --- SecurityTokenReference (WSS 1.1 section 7) ---------------------------------------------------

struct SecurityTokenReference {
  enum class Form { kReference, kKeyIdentifier, kEmbedded };
  Form form = Form::kReference;
  std::string wsu_id;
  // Reference: @URI ("#id" or an absolute URI such as an SCT Identifier) and @ValueType.
  // KeyIdentifier: @ValueType, @EncodingType and the text.
  std::string uri;
  std::string value_type;
  std::string encoding_type;
  std::string key_identifier;
  // @wsc:Instance on the Reference (SC-8-03) and its SC version's namespace.
  std::string instance;
  // wsse11:TokenType attribute on the STR.
  std::string token_type;
  // Implied derived key (WS-SC section 7.3): @wsc:Nonce, and in 1.3 @wsc:Length.
  std::optional<Bytes> implied_nonce;
  std::optional<std::uint64_t> implied_length;
  ScVersion implied_version = ScVersion::k1_3;  // namespace of the implied attributes / Instance
  // Embedded: the child token in exclusive canonical form.
  std::string embedded;

  // A Reference to an element of this message: URI "#id".
  static SecurityTokenReference to_id(std::string_view id, std::string_view value_type);
  // A Reference to an SCT by its Identifier (and optional Instance).
  static SecurityTokenReference to_identifier(const SecurityContextToken& sct);
  // "#id" -> "id"; nullopt when the URI is not a same-document fragment.
  std::optional<std::string> local_id() const;

  friend bool operator==(const SecurityTokenReference&, const SecurityTokenReference&) = default;
};

Result<SecurityTokenReference> parse_str(const xmlNode* element);
xmlNode* append_str(xmlNode* parent, const SecurityTokenReference& str);

// --- DerivedKeyToken (WS-SC section 7) ------------------------------------------------------------

// Bounds a receiver applies before deriving (SC-7-19, SC-10-04). Defaults are WCF's (WCF-03)
// except the length, which the algorithm suite decides (max 32 bytes for Basic256).
struct DktLimits {
  std::uint64_t max_offset = 64;       // bytes; also Generation x Length
  std::uint64_t max_label_chars = 128;
  std::uint64_t max_nonce_bytes = 128;
  std::uint64_t min_length = 16;
  std::uint64_t max_length = 32;
  bool require_nonce = true;           // WCF-03 (SC-7-08 is a SHOULD in the spec)
  std::uint64_t min_nonce_bytes = 1;
  // Off everywhere but in the oracle's fault injection (accept-unknown-dkt-algorithm): an
  // unknown @Algorithm is derived with P_SHA1 instead of refused (SC-7-04).
  bool accept_unknown_algorithm = false;
};

struct DerivedKeyToken {
  ScVersion version = ScVersion::k1_3;
  std::string wsu_id;
  std::string algorithm;  // "" = absent, which means P_SHA1 (SC-7-03)
  std::optional<SecurityTokenReference> str;
  std::optional<std::string> properties_name;  // wsc:Properties/wsc:Name (SC-7-13)
  std::optional<std::uint64_t> generation;
  std::optional<std::uint64_t> offset;
  std::optional<std::uint64_t> length;
  std::optional<std::string> label;
  std::optional<Bytes> nonce;

  std::uint64_t effective_length() const { return length.value_or(32); }  // SC-7-05
  std::string effective_label() const;                                   // SC-7-06
  Result<std::uint64_t> effective_offset() const;                        // SC-7-07
  // P_SHA1(secret, label + nonce)[offset, offset + length) (SC-7-10).
  Result<Bytes> derive(ByteView secret) const;

  friend bool operator==(const DerivedKeyToken&, const DerivedKeyToken&) = default;
};

// Parses and checks the schema order (SC-7-01), Offset/Generation exclusivity (SC-7-02),
// unsignedLong values (SC-7-20), the algorithm URI (SC-7-03 / SC-7-04), and the limits.
Result<DerivedKeyToken> parse_dkt(const xmlNode* element, const DktLimits& limits = {});
// Writes the children in schema order; WCF writes Offset 0 before a non-default Length.
xmlNode* append_dkt(xmlNode* parent, const DerivedKeyToken& dkt, const DktDeviations& deviations = {});

// --- Timestamp (WSS 1.1 section 10) --------------------------------------------------------------

using Clock = std::chrono::system_clock;

struct Timestamp {
  std::string wsu_id;
  std::string created;  // xs:dateTime as on the wire
  std::string expires;  // "" when absent
};
// "2026-11-21T10:00:00.000Z" (WCF's format: milliseconds, UTC).
std::string format_utc(Clock::time_point t);
// Accepts xs:dateTime in UTC ("Z" or "+00:00"), with or without fractional seconds.
Result<Clock::time_point> parse_utc(std::string_view text);
Timestamp make_timestamp(Clock::time_point now, std::chrono::seconds validity);
// Checks WSS-10-02 (UTC, Created <= Expires).
Result<Timestamp> parse_timestamp(const xmlNode* element);
xmlNode* append_timestamp(xmlNode* parent, const Timestamp& ts);

// --- UsernameToken (Username Token Profile 1.1) ---------------------------------------------------

struct UsernameToken {
  std::string wsu_id;
  std::string username;
  std::string password;        // text, or the base64 digest as on the wire
  bool digest = false;         // Password/@Type PasswordDigest
  std::optional<Bytes> nonce;  // wsse:Nonce (digest)
  std::string created;         // wsu:Created (digest)

  // Password_Digest = Base64(SHA-1(nonce + created + password)) (UTP 1.1 section 3.1).
  static Result<UsernameToken> with_digest(std::string username, std::string_view password,
                                           Clock::time_point now);
  // Checks the password (text) or recomputes the digest.
  bool verify_password(std::string_view expected_password) const;
};
Result<UsernameToken> parse_username_token(const xmlNode* element);
xmlNode* append_username_token(xmlNode* parent, const UsernameToken& token);

// --- BinarySecurityToken (X.509 Token Profile) ---------------------------------------------------

struct BinarySecurityToken {
  std::string wsu_id;
  std::string value_type;
  std::string encoding_type;
  Bytes value;
};
Result<BinarySecurityToken> parse_bst(const xmlNode* element);
xmlNode* append_bst(xmlNode* parent, const BinarySecurityToken& token);

}  // namespace parley::wssc
