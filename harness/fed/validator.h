// Sign-in token validation for a relying party: a WS-Federation wresult or a SAML 2.0
// HTTP-POST Response in, a claims identity out, or an Error naming the rule that refused it.
//
// What is checked, in order (docs/design/federation.md):
//  1. form fields: present once, within limits; the XML parsed with the safe parser;
//  2. exactly one Assertion in the RSTR / Response, carrying exactly one ds:Signature;
//  3. the certificate in the signature's KeyInfo equals a trusted certificate (or its SHA-1
//     thumbprint is trusted) -- a key carried in the message is never trusted as such; the
//     signature verifies with that certificate's key (xmlsec, RSA only);
//  4. the signature covers exactly one element and it is the assertion that is read (no
//     wrapping), with the enveloped-signature transform;
//  5. Issuer accepted; audience among the expected ones; NotBefore / NotOnOrAfter with skew;
//     SAML 2.0: bearer SubjectConfirmationData Recipient / NotOnOrAfter, Response Destination;
//  6. the assertion ID was not seen before (replay cache, entries kept until the token expires).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"
#include "harness/core/x509.h"
#include "harness/core/xml.h"
#include "harness/fed/form.h"
#include "harness/fed/saml.h"
#include "harness/wif/session_token.h"

namespace parley::fed {

struct ValidatorConfig {
  // Signing certificates trusted as such, and/or SHA-1 thumbprints (of the DER) of trusted
  // certificates (WIF's ConfigurationBasedIssuerNameRegistry). At least one of the two.
  std::vector<x509::Certificate> trusted_certificates;
  std::vector<Bytes> trusted_thumbprints;
  // Accepted Audience values (the realm); at least one.
  std::vector<std::string> audiences;
  // Accepted Issuer values; empty = any issuer whose signing certificate is trusted.
  std::vector<std::string> issuers;
  std::chrono::seconds clock_skew{300};
  // SAML 2.0: the ACS URL this RP listens on; when set, Response/@Destination and the bearer
  // Recipient must equal it.
  std::string acs_url;
  // Replay cache bound: once full, a new sign-in is refused (never a silent eviction of a
  // live entry); expired entries are dropped first.
  std::size_t replay_cache_capacity = 10000;
  FormLimits form_limits;
  // A sign-in token is a few KB: far tighter than the general defaults (docs/design/xml-safety.md).
  xml::ParseLimits xml_limits{.max_bytes = 1u << 20, .max_depth = 64};
};

// A validated sign-in.
struct SignIn {
  TokenFormat format = TokenFormat::kSaml20;
  // authentication_type "Federation"; claims: the NameIdentifier (ClaimTypes.NameIdentifier)
  // then every attribute value, in document order; each claim's issuer and original issuer are
  // the token issuer; name / role claim types are WIF's defaults.
  wif::ClaimsIdentity identity;
  std::string token_xml;  // the assertion as received (the bootstrap token)
  std::string assertion_id;
  std::string issuer;
  Clock::time_point valid_from{};
  Clock::time_point valid_to{};
  std::string context;  // wctx (WS-Fed) or RelayState (SAML2); "" when absent
};

class SignInValidator {
 public:
  explicit SignInValidator(ValidatorConfig config);

  // Form fields of the POST to the RP: wa=wsignin1.0, wresult, wctx.
  Result<SignIn> validate_wsfed(const FormFields& fields);
  Result<SignIn> validate_wsfed(const FormFields& fields, Clock::time_point now);
  // Form fields of the HTTP-POST binding: SAMLResponse (base64), RelayState.
  Result<SignIn> validate_saml2_post(const FormFields& fields);
  Result<SignIn> validate_saml2_post(const FormFields& fields, Clock::time_point now);

  // Checks 2-6 on one assertion element inside `doc` (shared by both bindings; public for
  // tests and for RPs that receive tokens another way). The assertion must belong to `doc`.
  Result<SignIn> validate_assertion(xml::Document& doc, xmlNode* assertion, Clock::time_point now);

  const ValidatorConfig& config() const { return config_; }
  std::size_t replay_cache_size() const;

 private:
  Status remember(const std::string& assertion_id, Clock::time_point expires, Clock::time_point now);

  ValidatorConfig config_;
  mutable std::mutex mutex_;  // guards seen_
  std::map<std::string, Clock::time_point> seen_;  // assertion ID -> NotOnOrAfter
};

}  // namespace parley::fed
