// WS-Trust messages of the SCT bindings (WS-SC sections 3-6): RequestSecurityToken,
// RequestSecurityTokenResponse and RequestSecurityTokenResponseCollection for issue, amend,
// renew and cancel, in WS-Trust Feb 2005 and 1.3. One model to build and to check.
#pragma once

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/wssc/tokens.h"

namespace parley::wssc {

using names::TrustVersion;

// wst:Entropy or wst:RequestedProofToken content.
struct KeyMaterial {
  enum class Kind { kBinarySecret, kComputedKey, kEncryptedKey };
  Kind kind = Kind::kBinarySecret;
  Bytes secret;                 // BinarySecret bytes (empty for ComputedKey / EncryptedKey)
  std::string type;             // BinarySecret/@Type ("" when absent)
  std::string computed_key;     // ComputedKey algorithm URI (CK/PSHA1)
  std::string encrypted_key;    // xenc:EncryptedKey in exclusive canonical form
};

struct Lifetime {
  std::string created;  // xs:dateTime as on the wire
  std::string expires;
};

struct RequestSecurityToken {
  TrustVersion version = TrustVersion::k1_3;
  std::string context;       // @Context ("" when absent)
  std::string token_type;
  std::string request_type;
  std::optional<KeyMaterial> entropy;
  std::optional<std::uint64_t> key_size;  // bits
  std::optional<SecurityTokenReference> renew_target;
  std::optional<SecurityTokenReference> cancel_target;
  // Any other child, in exclusive canonical form (AppliesTo, Claims, ...), kept for checks.
  std::vector<std::string> other_children;
};

struct RequestSecurityTokenResponse {
  TrustVersion version = TrustVersion::k1_3;
  std::string context;
  std::string token_type;
  std::optional<SecurityContextToken> requested_token;
  std::optional<SecurityTokenReference> attached_reference;
  std::optional<SecurityTokenReference> unattached_reference;
  std::optional<KeyMaterial> proof;    // wst:RequestedProofToken
  std::optional<KeyMaterial> entropy;  // issuer entropy
  std::optional<Lifetime> lifetime;
  std::optional<std::uint64_t> key_size;
  bool requested_token_cancelled = false;
  std::vector<std::string> other_children;
};

// The final answer of an issuance: an RSTRC with one RSTR (1.3), or a bare RSTR (Feb 2005).
struct TrustResponse {
  bool collection = false;  // RSTRC on the wire
  std::vector<RequestSecurityTokenResponse> responses;
};

// Which Trust version an element belongs to, by namespace.
std::optional<TrustVersion> trust_version_of(const xmlNode* element);

// Parses and checks the shape: one RequestType (SC-3-02 / WST-3.1-01), BinarySecret/@Type of
// the same namespace (WST-3.3-01), unsignedInt KeySize, RenewTarget / CancelTarget holding one
// STR. Whether the RequestType fits the action is for the caller (it knows the action).
Result<RequestSecurityToken> parse_rst(const xmlNode* element);
xmlNode* append_rst(xmlNode* parent, const RequestSecurityToken& rst);

Result<RequestSecurityTokenResponse> parse_rstr(const xmlNode* element);
xmlNode* append_rstr(xmlNode* parent, const RequestSecurityTokenResponse& rstr);

// Accepts an RSTRC (any number of RSTRs inside; the caller judges how many) or a bare RSTR.
Result<TrustResponse> parse_trust_response(const xmlNode* element);
// Writes an RSTRC around the responses when `collection`, else the single RSTR.
xmlNode* append_trust_response(xmlNode* parent, const TrustResponse& response);

// The key an issuance conveys (SC-3-04): a BinarySecret proof, or CK/PSHA1 over the client's
// entropy and the issuer's entropy (SC-3-08), or the issuer's entropy alone when the client sent
// none. EncryptedKey proofs need a private key and are resolved by the caller.
Result<Bytes> issued_key(const RequestSecurityTokenResponse& rstr, const std::optional<Bytes>& client_entropy,
                         std::uint64_t key_size_bits);

}  // namespace parley::wssc
