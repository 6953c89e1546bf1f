#include "harness/fed/validator.h"

#include <gtest/gtest.h>

#include "harness/core/bytes.h"
#include "harness/core/xml.h"
#include "harness/fed/fed_test_support.h"

namespace parley::fed {
namespace {

using testing::kAcs;
using testing::kRealm;
using testing::shared_sts;
using testing::trusting_config;

FormFields wsfed_fields(std::string wresult, std::string wctx = "ru=/app/page") {
  return {{"wa", "wsignin1.0"}, {"wresult", std::move(wresult)}, {"wctx", std::move(wctx)}};
}

std::string wresult(StsBehaviour b = StsBehaviour::kNormal, TokenFormat f = TokenFormat::kSaml20,
                    names::TrustVersion t = names::TrustVersion::k1_3) {
  Result<std::string> w = shared_sts().issue_wresult(kRealm, b, f, t);
  EXPECT_TRUE(w.ok()) << w.error().message();
  return w.ok() ? *w : std::string();
}

std::vector<wif::Claim> expected_claims(const std::string& issuer) {
  std::vector<wif::Claim> out;
  for (const auto& [type, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {names::fed::kClaimTypeNameIdentifier, "alice"},
           {names::wif::kClaimTypeName, "alice"},
           {names::fed::kClaimTypeEmail, "alice@example.org"},
           {names::wif::kClaimTypeRole, "user"}}) {
    wif::Claim c;
    c.type = type;
    c.value = value;
    c.value_type = names::wif::kClaimValueTypeString;
    c.issuer = issuer;
    c.original_issuer = issuer;
    out.push_back(c);
  }
  return out;
}

struct RoundTripCase {
  TokenFormat format;
  names::TrustVersion trust;
};

class WsfedRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(WsfedRoundTrip, IssueThenValidateGivesExactClaims) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  const std::string w = wresult(StsBehaviour::kNormal, GetParam().format, GetParam().trust);
  Result<ParsedWresult> parsed = parse_wresult(w);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->trust, GetParam().trust);
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(w));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->format, GetParam().format);
  EXPECT_EQ(s->issuer, "urn:parley:test-sts");
  EXPECT_EQ(s->context, "ru=/app/page");
  EXPECT_EQ(s->identity.authentication_type, "Federation");
  EXPECT_EQ(s->identity.claims, expected_claims("urn:parley:test-sts"));
  EXPECT_EQ(s->assertion_id[0], '_');
  EXPECT_NE(s->token_xml.find(s->assertion_id), std::string::npos);
  // Lifetime: NotBefore back-dated by the skew (300 s), NotOnOrAfter after the lifetime (3600 s).
  EXPECT_EQ(s->valid_to - s->valid_from, std::chrono::seconds(3900));
  EXPECT_LE(s->valid_from, Clock::now() - std::chrono::seconds(299));
  EXPECT_EQ(validator.replay_cache_size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Formats, WsfedRoundTrip,
                         ::testing::Values(RoundTripCase{TokenFormat::kSaml11, names::TrustVersion::kFeb2005},
                                           RoundTripCase{TokenFormat::kSaml11, names::TrustVersion::k1_3},
                                           RoundTripCase{TokenFormat::kSaml20, names::TrustVersion::kFeb2005},
                                           RoundTripCase{TokenFormat::kSaml20, names::TrustVersion::k1_3}),
                         [](const ::testing::TestParamInfo<RoundTripCase>& param_info) {
                           return std::string(to_string(param_info.param.format)) +
                                  (param_info.param.trust == names::TrustVersion::kFeb2005 ? "Feb2005" : "Trust13");
                         });

TEST(SignInValidator, TrustByThumbprintOnly) {
  Sts& sts = shared_sts();
  ValidatorConfig c = trusting_config(sts);
  c.trusted_certificates.clear();
  c.trusted_thumbprints = {sts.signing_certificate().thumbprint_sha1()};
  SignInValidator validator(c);
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(wresult()));
  EXPECT_TRUE(s.ok()) << s.error().message();
}

struct Refusal {
  StsBehaviour behaviour;
  TokenFormat format;
  ErrorCode code;
  std::string_view says;
};

class Refusals : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refusals, BadTokenIsRefusedNamingTheRule) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(wresult(GetParam().behaviour, GetParam().format)));
  ASSERT_FALSE(s.ok()) << to_string(GetParam().behaviour) << " was accepted";
  EXPECT_EQ(s.error().code(), GetParam().code) << s.error().message();
  EXPECT_NE(s.error().message().find(GetParam().says), std::string::npos) << s.error().message();
  EXPECT_EQ(validator.replay_cache_size(), 0u);  // a refused token uses up nothing
}

std::vector<Refusal> refusals() {
  std::vector<Refusal> out;
  for (const TokenFormat f : {TokenFormat::kSaml11, TokenFormat::kSaml20}) {
    out.push_back({StsBehaviour::kExpired, f, ErrorCode::kVerification, "token expired"});
    out.push_back({StsBehaviour::kNotYetValid, f, ErrorCode::kVerification, "token not yet valid"});
    out.push_back({StsBehaviour::kWrongAudience, f, ErrorCode::kVerification,
                   "audience 'urn:parley:wrong-audience' is not this RP's"});
    out.push_back({StsBehaviour::kWrongIssuer, f, ErrorCode::kVerification,
                   "issuer 'urn:parley:wrong-issuer' is not an accepted issuer"});
    out.push_back({StsBehaviour::kUnsigned, f, ErrorCode::kVerification, "the assertion is not signed"});
    out.push_back({StsBehaviour::kBadSignature, f, ErrorCode::kVerification, "signature"});
    out.push_back({StsBehaviour::kUntrustedSigner, f, ErrorCode::kVerification,
                   "(CN=parley untrusted STS, SHA-1 thumbprint"});
    out.push_back({StsBehaviour::kWrapped, f, ErrorCode::kVerification, "not the assertion being read (signature wrapping)"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Behaviours, Refusals, ::testing::ValuesIn(refusals()), [](const ::testing::TestParamInfo<Refusal>& param_info) {
  std::string name = std::string(to_string(param_info.param.behaviour)) + "_" +
                     std::string(to_string(param_info.param.format));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
});

TEST(SignInValidator, TamperedAttributeBreaksTheDigest) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  std::string w = wresult();
  const std::string from = "alice@example.org";
  w.replace(w.find(from), from.size(), "admin@example.org");
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(w));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kVerification);
}

TEST(SignInValidator, UntrustedKeyEvenWithItsOwnCertInKeyInfoIsRefused) {
  // The attacker signs with its own key and ships its own certificate: the signature verifies with
  // that certificate's key, but the certificate is not a trusted one.
  Sts& sts = shared_sts();
  const std::string w = wresult(StsBehaviour::kUntrustedSigner);
  ValidatorConfig trusting_the_attacker = trusting_config(sts);
  xml::Document doc = *xml::parse(w);
  const std::string attacker_b64 = xml::text_content(*xml::xpath_one(doc, "//ds:X509Certificate"));
  const x509::Certificate attacker = *x509::Certificate::from_der(*base64_decode(attacker_b64));
  EXPECT_NE(attacker.der(), sts.signing_certificate().der());
  trusting_the_attacker.trusted_certificates.push_back(attacker);
  SignInValidator lax(trusting_the_attacker);
  EXPECT_TRUE(lax.validate_wsfed(wsfed_fields(w)).ok());  // the signature itself is fine
  SignInValidator strict(trusting_config(sts));
  Result<SignIn> s = strict.validate_wsfed(wsfed_fields(w));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what().find("is not a trusted issuer certificate"), std::string::npos) << s.error().message();
}

TEST(SignInValidator, SecondUnsignedAssertionIsRefused) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  std::string w = wresult();
  // A forged unsigned assertion next to the signed one.
  AssertionSpec forged;
  forged.issuer = sts.config().issuer;
  forged.audience = kRealm;
  forged.subject_name = "mallory";
  const std::string forged_xml = write_assertion(forged, nullptr)->xml;
  const std::string needle = "<t:RequestedSecurityToken>";
  w.insert(w.find(needle) + needle.size(), forged_xml);
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(w));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kAmbiguous);
}

TEST(SignInValidator, DuplicateIdIsRefused) {
  // The signed assertion plus a forged one with the same ID inside its Advice: the reference is
  // ambiguous.
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  const std::string w = wresult();
  xml::Document doc = *xml::parse(w);
  xmlNode* assertion = *xml::xpath_one(doc, "//saml2:Assertion");
  xmlNode* conditions = *xml::xpath_one(doc, "saml2:Conditions", assertion);
  xmlNode* advice = xml::add_element(assertion, names::ns::kSaml2, "saml", "Advice");
  xmlUnlinkNode(advice);
  xmlAddNextSibling(conditions, advice);
  xml::Document copy = *xml::parse(xml::serialize(assertion));
  xmlNode* sig = *xml::xpath_one(copy, "ds:Signature", copy.root());
  xmlUnlinkNode(sig);
  xmlFreeNode(sig);
  xml::append_copy(advice, copy.root());
  Result<SignIn> s = validator.validate_wsfed(wsfed_fields(xml::serialize(doc)));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().requirement(), "WSS-7-02") << s.error().message();
}

TEST(SignInValidator, ReplayIsRefusedUntilExpiry) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  const std::string w = wresult(StsBehaviour::kNormal, TokenFormat::kSaml11);
  ASSERT_TRUE(validator.validate_wsfed(wsfed_fields(w)).ok());
  Result<SignIn> again = validator.validate_wsfed(wsfed_fields(w));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().requirement(), "WSS-13-01");
  EXPECT_NE(again.error().what().find("was already used"), std::string::npos) << again.error().message();
  // The STS's "replay" behaviour re-sends the latest token of the format: the same ID.
  Result<SignIn> replayed = validator.validate_wsfed(wsfed_fields(wresult(StsBehaviour::kReplay, TokenFormat::kSaml11)));
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.error().requirement(), "WSS-13-01");
  // After the token expired (NotOnOrAfter + skew) the ID may come again, but then the token is
  // expired, so it is still refused -- by the lifetime rule.
  const Clock::time_point later = Clock::now() + std::chrono::hours(2);
  Result<SignIn> late = validator.validate_wsfed(wsfed_fields(w), later);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().what().find("token expired"), std::string::npos);
}

TEST(SignInValidator, ClockSkewBoundaries) {
  Sts& sts = shared_sts();
  const std::string w = wresult();
  Result<ParsedWresult> parsed = parse_wresult(w);
  const Clock::time_point not_after =
      *parse_instant(xml::attribute(*xml::xpath_one(parsed->document, "saml2:Conditions", parsed->assertion), "",
                                    "NotOnOrAfter")
                         .value);
  {
    SignInValidator v(trusting_config(sts));
    EXPECT_TRUE(v.validate_wsfed(wsfed_fields(w), not_after + std::chrono::seconds(299)).ok());
  }
  {
    SignInValidator v(trusting_config(sts));
    Result<SignIn> s = v.validate_wsfed(wsfed_fields(w), not_after + std::chrono::seconds(300));
    ASSERT_FALSE(s.ok());
  }
}

TEST(SignInValidator, ReplayCacheIsBoundedAndDropsExpiredEntries) {
  // A short-lived STS without back-dating, and a validator without skew, so that times are exact.
  StsConfig config;
  config.token_lifetime = std::chrono::seconds(60);
  config.clock_skew = std::chrono::seconds(0);
  std::unique_ptr<Sts> sts = std::move(*Sts::create(config));
  ValidatorConfig c;
  c.trusted_certificates = {sts->signing_certificate()};
  c.audiences = {kRealm};
  c.clock_skew = std::chrono::seconds(0);
  c.replay_cache_capacity = 1;
  SignInValidator validator(c);
  // Issued without back-dating, a token is valid from its issue instant: validate a second later.
  const Clock::time_point now = Clock::now() + std::chrono::seconds(1);
  ASSERT_TRUE(validator.validate_wsfed(wsfed_fields(*sts->issue_wresult(kRealm)), now).ok());
  Result<SignIn> full = validator.validate_wsfed(wsfed_fields(*sts->issue_wresult(kRealm)), now);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(validator.replay_cache_size(), 1u);
  // "not-yet-valid" starts an hour from now: by then the first entry has expired and is dropped.
  const std::string future = *sts->issue_wresult(kRealm, StsBehaviour::kNotYetValid);
  Result<SignIn> later = validator.validate_wsfed(wsfed_fields(future), now + std::chrono::seconds(3601));
  EXPECT_TRUE(later.ok()) << later.error().message();
  EXPECT_EQ(validator.replay_cache_size(), 1u);
}

TEST(SignInValidator, FormFieldRules) {
  Sts& sts = shared_sts();
  SignInValidator validator(trusting_config(sts));
  EXPECT_EQ(validator.validate_wsfed({{"wa", "wsignin1.0"}}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(validator.validate_wsfed({{"wa", "wsignout1.0"}, {"wresult", "x"}}).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(validator.validate_wsfed({{"wa", "wsignin1.0"}, {"wresult", "x"}, {"wresult", "y"}}).error().code(),
            ErrorCode::kAmbiguous);
  EXPECT_EQ(validator.validate_wsfed({{"wa", "wsignin1.0"}, {"wresult", "<a><b>"}}).error().code(), ErrorCode::kParse);
  ValidatorConfig small = trusting_config(sts);
  small.form_limits.max_value_bytes = 100;
  SignInValidator tight(small);
  EXPECT_EQ(tight.validate_wsfed(wsfed_fields(wresult())).error().code(), ErrorCode::kLimitExceeded);
}

TEST(SignInValidator, Saml2PostRoundTripAndRules) {
  Sts& sts = shared_sts();
  ValidatorConfig c = trusting_config(sts);
  c.acs_url = kAcs;
  AuthnRequest request;
  request.id = "_req42";
  request.issuer = kRealm;
  request.assertion_consumer_service_url = kAcs;
  Result<std::string> response = sts.issue_saml_response(request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  const FormFields fields{{"SAMLResponse", base64_encode(as_bytes(*response))}, {"RelayState", "state-1"}};
  {
    SignInValidator v(c);
    Result<SignIn> s = v.validate_saml2_post(fields);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(s->format, TokenFormat::kSaml20);
    EXPECT_EQ(s->context, "state-1");
    EXPECT_EQ(s->identity.claims, expected_claims("urn:parley:test-sts"));
    xml::Document token = *xml::parse(s->token_xml);
    EXPECT_EQ(xml::attribute(*xml::xpath_one(token, "//saml2:SubjectConfirmationData"), "", "InResponseTo").value,
              "_req42");
    EXPECT_EQ(v.validate_saml2_post(fields).error().requirement(), "WSS-13-01");
  }
  {
    ValidatorConfig other = c;
    other.acs_url = "https://other.example/acs";
    SignInValidator v(other);
    Result<SignIn> s = v.validate_saml2_post(fields);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().what().find("Destination"), std::string::npos) << s.error().message();
  }
  {
    SignInValidator v(c);
    const FormFields long_relay{{"SAMLResponse", base64_encode(as_bytes(*response))},
                                {"RelayState", std::string(81, 'r')}};
    EXPECT_EQ(v.validate_saml2_post(long_relay).error().code(), ErrorCode::kLimitExceeded);
    EXPECT_EQ(v.validate_saml2_post({{"SAMLResponse", "%%%"}}).error().code(), ErrorCode::kParse);
  }
  for (const StsBehaviour b : {StsBehaviour::kWrapped, StsBehaviour::kUnsigned, StsBehaviour::kExpired,
                               StsBehaviour::kWrongAudience, StsBehaviour::kUntrustedSigner}) {
    SignInValidator v(c);
    Result<std::string> bad = sts.issue_saml_response(request, b);
    ASSERT_TRUE(bad.ok());
    EXPECT_FALSE(v.validate_saml2_post({{"SAMLResponse", base64_encode(as_bytes(*bad))}}).ok()) << to_string(b);
  }
}

}  // namespace
}  // namespace parley::fed
