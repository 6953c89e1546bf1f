// Sign-in parsing at a relying party (harness/fed): the POSTed form, then the WS-Federation
// wresult and the SAML 2.0 HTTP-POST Response through the validator (which trusts one STS made
// at start-up), and the STS-side parsers of the same documents.
#include <memory>

#include "fuzz/fuzz_target.h"
#include "harness/core/bytes.h"
#include "harness/fed/form.h"
#include "harness/fed/saml.h"
#include "harness/fed/sts.h"
#include "harness/fed/validator.h"

namespace parley::fuzz {
namespace {

constexpr const char* kRealm = "https://rp.example/app/";
constexpr const char* kAcs = "https://rp.example/app/signin";

fed::Sts& sts() {
  static std::unique_ptr<fed::Sts> made = [] {
    fed::StsConfig config;
    config.issuer = "urn:parley:fuzz-sts";
    config.default_acs_url = kAcs;
    return std::move(fed::Sts::create(config).value());
  }();
  return *made;
}

fed::SignInValidator& validator() {
  static fed::SignInValidator v = [] {
    fed::ValidatorConfig c;
    c.trusted_certificates = {sts().signing_certificate()};
    c.audiences = {kRealm};
    c.issuers = {sts().config().issuer};
    c.acs_url = kAcs;
    c.replay_cache_capacity = 64;
    return fed::SignInValidator(c);
  }();
  return v;
}

void run(Input data) {
  const std::string_view text = as_text(data);
  if (auto fields = fed::parse_form(text); fields.ok()) {
    (void)validator().validate_wsfed(*fields);
    (void)validator().validate_saml2_post(*fields);
  }
  (void)fed::parse_wresult(text);
  (void)fed::parse_saml_response(text);
  (void)fed::parse_authn_request(text);
  (void)fed::inflate_from_base64(text);
}

void init() {
  xml::initialize();
  (void)validator();
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (fed::TokenFormat format : {fed::TokenFormat::kSaml11, fed::TokenFormat::kSaml20}) {
    if (auto wresult = sts().issue_wresult(kRealm, fed::StsBehaviour::kNormal, format); wresult.ok()) {
      out.push_back(fed::write_form({{"wa", "wsignin1.0"}, {"wresult", *wresult}, {"wctx", "rm=0&id=x"}}));
      out.push_back(*wresult);
    }
  }
  fed::AuthnRequest request;
  request.issuer = kRealm;
  request.assertion_consumer_service_url = kAcs;
  out.push_back(fed::write_authn_request(request));
  if (auto response = sts().issue_saml_response(request); response.ok()) {
    out.push_back(*response);
    const Bytes bytes(response->begin(), response->end());
    out.push_back(fed::write_form({{"SAMLResponse", base64_encode(bytes)}, {"RelayState", "state-1"}}));
  }
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("fed_signin", run, init, seeds);
}  // namespace parley::fuzz
