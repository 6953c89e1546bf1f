// SAML 1.1 and SAML 2.0 assertions as a test STS issues them and a relying party reads them,
// the WS-Federation wresult (WS-Trust RSTR / RSTRC) around them, the SAML 2.0 protocol
// messages of Web Browser SSO (AuthnRequest over HTTP-Redirect, Response over HTTP-POST), and
// the metadata an STS publishes. One implementation of each format, used both ways.
//
// Design and wire shapes: docs/design/federation.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/names.h"
#include "harness/core/x509.h"
#include "harness/core/xml.h"

namespace parley::fed {

using Clock = std::chrono::system_clock;

enum class TokenFormat { kSaml11, kSaml20 };
// "saml11" / "saml20", as configs spell them.
std::string_view to_string(TokenFormat format);
Result<TokenFormat> parse_token_format(std::string_view text);

// One claim of an assertion's AttributeStatement: `type` is the claim type URI. SAML 1.1
// splits it at the last '/' into AttributeNamespace and AttributeName (as WIF does); SAML 2.0
// writes it whole as Attribute/@Name.
struct ClaimValue {
  std::string type;
  std::string value;
  friend bool operator==(const ClaimValue&, const ClaimValue&) = default;
};

// What one assertion says.
struct AssertionSpec {
  TokenFormat format = TokenFormat::kSaml20;
  std::string id;  // "" = a fresh "_" + uuid
  std::string issuer;
  std::string audience;       // AudienceRestriction(Condition)/Audience; "" = none
  std::string subject_name;   // NameIdentifier / NameID
  std::string name_id_format; // "" = unspecified (names::fed::kNameIdUnspecified)
  std::vector<ClaimValue> claims;
  Clock::time_point issue_instant{};    // epoch = now
  Clock::time_point not_before{};       // Conditions/@NotBefore
  Clock::time_point not_on_or_after{};  // Conditions/@NotOnOrAfter
  // SAML 2.0 SubjectConfirmationData (bearer): Recipient (the ACS / wreply URL) and
  // InResponseTo (the AuthnRequest ID); "" = attribute absent.
  std::string recipient;
  std::string in_response_to;
  // AuthnStatement: AuthenticationMethod (1.1) / AuthnContextClassRef (2.0) URI.
  std::string authentication_method;  // "" = names::fed::kAuthnPasswordProtectedTransport
};

// A written (and normally signed) assertion.
struct IssuedAssertion {
  TokenFormat format = TokenFormat::kSaml20;
  std::string id;
  std::string xml;  // the Assertion element, self-contained (namespaces declared inside)
  Clock::time_point issue_instant{};
  Clock::time_point not_before{};
  Clock::time_point not_on_or_after{};
};

// Writes the assertion and, when `signer` is given, signs it: enveloped ds:Signature (RSA-SHA256,
// SHA-256 digest, exclusive C14N, one Reference to "#" + the assertion ID) with the signer's
// certificate in ds:KeyInfo/ds:X509Data/ds:X509Certificate. The signature sits where the schema
// puts it (SAML 2.0: after Issuer; SAML 1.1: last child).
Result<IssuedAssertion> write_assertion(const AssertionSpec& spec, const x509::Credentials* signer);

// --- WS-Federation passive wresult -----------------------------------------------------------

struct WresultSpec {
  names::TrustVersion trust = names::TrustVersion::k1_3;
  std::string applies_to;  // wtrealm: wsp:AppliesTo/wsa:EndpointReference/wsa:Address
  Clock::time_point created{};
  Clock::time_point expires{};
};

// A wst:RequestSecurityTokenResponse (Feb 2005) or wst:RequestSecurityTokenResponseCollection
// holding one RSTR (1.3), with Lifetime, AppliesTo, RequestedSecurityToken (a copy of the
// assertion element as issued: its canonical form, hence its signature, is unchanged), TokenType, RequestType Issue and
// KeyType Bearer (1.3; Feb 2005 has no Bearer and gets WIF's NoProofKey).
Result<std::string> write_wresult(const IssuedAssertion& assertion, const WresultSpec& spec);

// What a relying party takes out of a wresult.
struct ParsedWresult {
  names::TrustVersion trust = names::TrustVersion::k1_3;
  std::string applies_to;  // "" when absent
  std::string token_type;  // "" when absent
  // The document; `assertion` points into it (the one element in RequestedSecurityToken).
  xml::Document document;
  xmlNode* assertion = nullptr;
};
Result<ParsedWresult> parse_wresult(std::string_view wresult, const xml::ParseLimits& limits = {});

// --- SAML 2.0 protocol (Web Browser SSO) -----------------------------------------------------

struct AuthnRequest {
  std::string id;  // "" = fresh when writing
  std::string issuer;  // the SP entity ID
  std::string destination;  // the IdP SSO URL; "" = absent
  std::string assertion_consumer_service_url;  // "" = absent (IdP uses its configured one)
  std::string protocol_binding;  // "" = absent; names::fed::kBindingHttpPost when set
  Clock::time_point issue_instant{};  // epoch = now
};
std::string write_authn_request(const AuthnRequest& request);
Result<AuthnRequest> parse_authn_request(std::string_view xml, const xml::ParseLimits& limits = {});

// HTTP-Redirect binding (SAML bindings s.3.4.4.1): raw DEFLATE, then base64; no signature.
Result<std::string> deflate_and_base64(std::string_view xml);
// The reverse; refuses output over `max_inflated_bytes` (a deflate bomb) with kLimitExceeded.
Result<std::string> inflate_from_base64(std::string_view encoded,
                                        std::size_t max_inflated_bytes = 256 * 1024);

struct ResponseSpec {
  std::string id;  // "" = fresh
  std::string in_response_to;  // "" = unsolicited
  std::string destination;     // the ACS URL
  std::string issuer;
  Clock::time_point issue_instant{};  // epoch = now
};
// samlp:Response with Issuer, Status Success and the (signed) assertion as issued.
Result<std::string> write_saml_response(const IssuedAssertion& assertion, const ResponseSpec& spec);

struct ParsedResponse {
  std::string id;
  std::string in_response_to;
  std::string destination;
  std::string status_code;  // the top-level StatusCode/@Value
  xml::Document document;
  xmlNode* assertion = nullptr;  // the one saml2:Assertion child of the Response
};
Result<ParsedResponse> parse_saml_response(std::string_view xml, const xml::ParseLimits& limits = {});

// --- metadata --------------------------------------------------------------------------------

struct MetadataSpec {
  std::string entity_id;  // the STS issuer name
  std::string wsfed_endpoint;     // absolute URL of the WS-Fed passive endpoint
  std::string saml2_sso_endpoint; // absolute URL of the SAML 2.0 SSO endpoint
  std::vector<ClaimValue> claims_offered;  // types only are written (fed:ClaimTypesOffered)
};
// WS-Federation FederationMetadata.xml: md:EntityDescriptor with a fed:SecurityTokenServiceType
// RoleDescriptor (signing KeyDescriptor, fed:PassiveRequestorEndpoint, fed:ClaimTypesOffered).
// Unsigned (parley's RP trusts the certificate, not the metadata document).
std::string write_wsfed_metadata(const MetadataSpec& spec, const x509::Certificate& signing_cert);
// SAML 2.0 IdP metadata: md:EntityDescriptor with an IDPSSODescriptor (signing KeyDescriptor,
// SingleSignOnService for the HTTP-Redirect and HTTP-POST bindings).
std::string write_saml2_metadata(const MetadataSpec& spec, const x509::Certificate& signing_cert);
// The certificate as a PEM "CERTIFICATE" block.
std::string certificate_pem(const x509::Certificate& cert);

// --- small shared helpers --------------------------------------------------------------------

// Parses `element_xml` (one self-contained element) and appends a copy under `parent`, keeping
// every namespace binding as written so that a signature inside stays valid (see
// append_signed_copy). Default parse limits.
Result<xmlNode*> append_signed_element(xmlNode* parent, std::string_view element_xml);
// Deep-copies `element` under `parent` without namespace reconciliation.
xmlNode* append_signed_copy(xmlNode* parent, const xmlNode* element);

// xs:dateTime in UTC with millisecond precision ("2024-01-02T03:04:05.678Z").
std::string format_instant(Clock::time_point t);
// Accepts "yyyy-mm-ddThh:mm:ss[.fraction]Z" (UTC only; fraction to any length, truncated to us).
Result<Clock::time_point> parse_instant(std::string_view text);
// "_" + a random uuid: a SAML ID (xs:ID, so it must not start with a digit).
std::string new_saml_id();

}  // namespace parley::fed
