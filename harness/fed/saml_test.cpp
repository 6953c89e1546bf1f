#include "harness/fed/saml.h"

#include <gtest/gtest.h>

#include "harness/core/bytes.h"
#include "harness/core/xml.h"
#include "harness/fed/fed_test_support.h"

namespace parley::fed {
namespace {

using testing::shared_sts;

TEST(Instants, FormatAndParse) {
  const Clock::time_point t = *parse_instant("2024-02-29T23:59:58.1234567Z");
  EXPECT_EQ(format_instant(t), "2024-02-29T23:59:58.123Z");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count(),
            1709251198123456);
  EXPECT_EQ(format_instant(*parse_instant("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00.000Z");
  EXPECT_FALSE(parse_instant("2023-02-29T00:00:00Z").ok());  // not a leap year
  // Outside the nanosecond clock: refused, not overflowed (the bug fuzz_trust found in parse_utc).
  EXPECT_NE(parse_instant("1013-01-01T00:00:00Z").error().message().find("year outside 1678..2261"),
            std::string::npos);
  EXPECT_FALSE(parse_instant("9999-12-31T23:59:59Z").ok());
  EXPECT_TRUE(parse_instant("2261-12-31T23:59:59Z").ok());
  EXPECT_FALSE(parse_instant("2024-01-01T00:00:00+01:00").ok());
  EXPECT_FALSE(parse_instant("2024-01-01T00:00:00.Z").ok());
  EXPECT_FALSE(parse_instant("2024-01-01 00:00:00Z").ok());
}

TEST(Ids, FreshSamlIdsAreNcNamesAndDiffer) {
  const std::string a = new_saml_id();
  const std::string b = new_saml_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 37u);
  EXPECT_EQ(a[0], '_');
  EXPECT_EQ(a[15], '4');  // uuid version 4
}

AssertionSpec sample_spec(TokenFormat format) {
  AssertionSpec s;
  s.format = format;
  s.id = "_a1";
  s.issuer = "urn:issuer";
  s.audience = "https://rp/";
  s.subject_name = "alice";
  s.claims = {{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "alice"},
              {"http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "a"},
              {"http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "b"}};
  s.issue_instant = *parse_instant("2024-01-01T00:00:00Z");
  s.not_before = *parse_instant("2024-01-01T00:00:00Z");
  s.not_on_or_after = *parse_instant("2024-01-01T01:00:00Z");
  s.recipient = "https://rp/signin";
  return s;
}

TEST(Assertion, Saml20ShapeAndSignaturePlacement) {
  Sts& sts = shared_sts();
  x509::Credentials signer{sts.signing_certificate(), *crypto::RsaKey::generate(2048)};
  // The writer does not check that the key belongs to the certificate: only the shape matters
  // here (validator_test verifies signatures).
  Result<IssuedAssertion> unsigned_a = write_assertion(sample_spec(TokenFormat::kSaml20), nullptr);
  ASSERT_TRUE(unsigned_a.ok()) << unsigned_a.error().message();
  EXPECT_EQ(unsigned_a->xml,
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a1\" "
            "IssueInstant=\"2024-01-01T00:00:00.000Z\" Version=\"2.0\"><saml:Issuer>urn:issuer</saml:Issuer>"
            "<saml:Subject><saml:NameID>alice</saml:NameID><saml:SubjectConfirmation "
            "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData "
            "NotOnOrAfter=\"2024-01-01T01:00:00.000Z\" Recipient=\"https://rp/signin\"/></saml:SubjectConfirmation>"
            "</saml:Subject><saml:Conditions NotBefore=\"2024-01-01T00:00:00.000Z\" "
            "NotOnOrAfter=\"2024-01-01T01:00:00.000Z\"><saml:AudienceRestriction><saml:Audience>https://rp/"
            "</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement>"
            "<saml:Attribute Name=\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\" "
            "NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:uri\"><saml:AttributeValue>alice"
            "</saml:AttributeValue></saml:Attribute><saml:Attribute "
            "Name=\"http://schemas.microsoft.com/ws/2008/06/identity/claims/role\" "
            "NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:uri\"><saml:AttributeValue>a"
            "</saml:AttributeValue><saml:AttributeValue>b</saml:AttributeValue></saml:Attribute>"
            "</saml:AttributeStatement><saml:AuthnStatement AuthnInstant=\"2024-01-01T00:00:00.000Z\">"
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>"
            "</saml:AuthnContext></saml:AuthnStatement></saml:Assertion>\n");

  Result<IssuedAssertion> signed_a = write_assertion(sample_spec(TokenFormat::kSaml20), &signer);
  ASSERT_TRUE(signed_a.ok()) << signed_a.error().message();
  xml::Document doc = *xml::parse(signed_a->xml);
  const std::vector<xmlNode*> children = xml::child_elements(doc.root());
  ASSERT_GE(children.size(), 2u);
  EXPECT_TRUE(xml::is_element(children[0], names::ns::kSaml2, "Issuer"));
  EXPECT_TRUE(xml::is_element(children[1], names::ns::kDs, "Signature"));  // schema order
  EXPECT_EQ(xml::attribute(*xml::xpath_one(doc, "//ds:Reference"), "", "URI").value, "#_a1");
  EXPECT_EQ(xml::attribute(*xml::xpath_one(doc, "//ds:SignatureMethod"), "", "Algorithm").value,
            names::alg::kRsaSha256);
  EXPECT_EQ(xml::attribute(*xml::xpath_one(doc, "//ds:DigestMethod"), "", "Algorithm").value, names::alg::kSha256);
  EXPECT_EQ(xml::attribute(*xml::xpath_one(doc, "//ds:SignedInfo/ds:CanonicalizationMethod"), "", "Algorithm").value,
            names::alg::kExcC14n);
  EXPECT_EQ(xml::xpath(doc, "//ds:Reference/ds:Transforms/ds:Transform")->size(), 2u);  // enveloped + exc-c14n
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//ds:KeyInfo/ds:X509Data/ds:X509Certificate")),
            base64_encode(sts.signing_certificate().der()));
}

TEST(Assertion, Saml11ShapeSplitsClaimTypes) {
  Result<IssuedAssertion> a = write_assertion(sample_spec(TokenFormat::kSaml11), nullptr);
  ASSERT_TRUE(a.ok()) << a.error().message();
  xml::Document doc = *xml::parse(a->xml);
  xmlNode* root = doc.root();
  EXPECT_EQ(xml::attribute(root, "", "AssertionID").value, "_a1");
  EXPECT_EQ(xml::attribute(root, "", "Issuer").value, "urn:issuer");
  EXPECT_EQ(xml::attribute(root, "", "MajorVersion").value, "1");
  EXPECT_EQ(xml::attribute(root, "", "MinorVersion").value, "1");
  xmlNode* first = *xml::xpath_one(doc, "saml1:AttributeStatement/saml1:Attribute[1]", root);
  EXPECT_EQ(xml::attribute(first, "", "AttributeNamespace").value, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims");
  EXPECT_EQ(xml::attribute(first, "", "AttributeName").value, "name");
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "saml1:Conditions/saml1:AudienceRestrictionCondition/saml1:Audience", root)),
            "https://rp/");
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "saml1:AuthenticationStatement/saml1:Subject/saml1:SubjectConfirmation/saml1:ConfirmationMethod", root)),
            names::fed::kSaml1Bearer);

  AssertionSpec bad = sample_spec(TokenFormat::kSaml11);
  bad.claims = {{"role", "x"}};
  EXPECT_EQ(write_assertion(bad, nullptr).error().code(), ErrorCode::kInvalidArgument);
  bad = sample_spec(TokenFormat::kSaml11);
  bad.id = "1-not-an-ncname";
  EXPECT_EQ(write_assertion(bad, nullptr).error().code(), ErrorCode::kInvalidArgument);
}

TEST(Wresult, Feb2005IsABareRstrWithNoProofKey) {
  IssuedAssertion a = *write_assertion(sample_spec(TokenFormat::kSaml11), nullptr);
  Result<std::string> w = write_wresult(a, {names::TrustVersion::kFeb2005, "https://rp/", {}, {}});
  ASSERT_TRUE(w.ok()) << w.error().message();
  xml::Document doc = *xml::parse(*w);
  EXPECT_TRUE(xml::is_element(doc.root(), names::ns::kWstFeb2005, "RequestSecurityTokenResponse"));
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "/wst05:RequestSecurityTokenResponse/wst05:KeyType")),
            names::wcf::kNoProofKeyFeb2005);
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wst05:RequestType")), names::kTrustFeb2005.request_issue);
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wst05:TokenType")), names::ns::kSaml1);
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wst05:Lifetime/wsu:Expires")), "2024-01-01T01:00:00.000Z");
  Result<ParsedWresult> parsed = parse_wresult(*w);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->trust, names::TrustVersion::kFeb2005);
  EXPECT_EQ(parsed->applies_to, "https://rp/");
  EXPECT_TRUE(xml::is_element(parsed->assertion, names::ns::kSaml1, "Assertion"));
}

TEST(Wresult, Trust13IsAnRstrcWithBearer) {
  IssuedAssertion a = *write_assertion(sample_spec(TokenFormat::kSaml20), nullptr);
  Result<std::string> w = write_wresult(a, {names::TrustVersion::k1_3, "https://rp/", {}, {}});
  ASSERT_TRUE(w.ok()) << w.error().message();
  xml::Document doc = *xml::parse(*w);
  EXPECT_TRUE(xml::is_element(doc.root(), names::ns::kWst13, "RequestSecurityTokenResponseCollection"));
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "/wst:RequestSecurityTokenResponseCollection/"
                                                   "wst:RequestSecurityTokenResponse/wst:KeyType")),
            names::kTrust13.key_type_bearer);
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wsp:AppliesTo/wsa:EndpointReference/wsa:Address")),
            "https://rp/");
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wst:TokenType")), names::ns::kSaml2);
  Result<ParsedWresult> parsed = parse_wresult(*w);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->trust, names::TrustVersion::k1_3);
  EXPECT_EQ(parsed->token_type, names::ns::kSaml2);
  EXPECT_EQ(xml::attribute(parsed->assertion, "", "ID").value, "_a1");
}

TEST(Wresult, RefusesTwoTokensAndOtherRoots) {
  IssuedAssertion a = *write_assertion(sample_spec(TokenFormat::kSaml20), nullptr);
  std::string w = *write_wresult(a, {names::TrustVersion::k1_3, "https://rp/", {}, {}});
  const std::string needle = "<t:RequestedSecurityToken>";
  w.insert(w.find(needle) + needle.size(), a.xml);
  Result<ParsedWresult> parsed = parse_wresult(w);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), ErrorCode::kAmbiguous);
  EXPECT_NE(parsed.error().what().find("holds 2 elements"), std::string::npos) << parsed.error().message();
  EXPECT_EQ(parse_wresult("<x/>").error().code(), ErrorCode::kParse);
  EXPECT_EQ(parse_wresult("<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>").error().code(), ErrorCode::kParse);
}

TEST(AuthnRequest, RedirectBindingRoundTrip) {
  AuthnRequest r;
  r.id = "_req1";
  r.issuer = "https://rp/";
  r.destination = "https://idp/sts/saml2/sso";
  r.assertion_consumer_service_url = "https://rp/acs";
  r.protocol_binding = std::string(names::fed::kBindingHttpPost);
  r.issue_instant = *parse_instant("2024-01-01T00:00:00Z");
  const std::string xml_text = write_authn_request(r);
  Result<std::string> encoded = deflate_and_base64(xml_text);
  ASSERT_TRUE(encoded.ok());
  EXPECT_LT(encoded->size(), base64_encode(as_bytes(xml_text)).size());  // it did compress
  Result<std::string> inflated = inflate_from_base64(*encoded);
  ASSERT_TRUE(inflated.ok()) << inflated.error().message();
  EXPECT_EQ(*inflated, xml_text);
  Result<AuthnRequest> parsed = parse_authn_request(*inflated);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->id, "_req1");
  EXPECT_EQ(parsed->issuer, "https://rp/");
  EXPECT_EQ(parsed->destination, "https://idp/sts/saml2/sso");
  EXPECT_EQ(parsed->assertion_consumer_service_url, "https://rp/acs");
  EXPECT_EQ(parsed->issue_instant, r.issue_instant);
}

TEST(AuthnRequest, InflateRefusesBombsAndGarbage) {
  const std::string big(1 << 20, 'a');
  Result<std::string> bomb = deflate_and_base64(big);
  ASSERT_TRUE(bomb.ok());
  EXPECT_LT(bomb->size(), 4096u);
  EXPECT_EQ(inflate_from_base64(*bomb).error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(inflate_from_base64(base64_encode(as_bytes("not deflate at all"))).error().code(), ErrorCode::kParse);
  EXPECT_EQ(inflate_from_base64("!!").error().code(), ErrorCode::kParse);
  // Truncated stream.
  Result<std::string> whole = deflate_and_base64(std::string(1000, 'x') + "tail");
  Bytes raw = *base64_decode(*whole);
  raw.resize(raw.size() / 2);
  EXPECT_FALSE(inflate_from_base64(base64_encode(raw)).ok());
}

TEST(SamlResponse, WriteAndParse) {
  IssuedAssertion a = *write_assertion(sample_spec(TokenFormat::kSaml20), nullptr);
  Result<std::string> r = write_saml_response(a, {"_resp", "_req1", "https://rp/acs", "urn:issuer", {}});
  ASSERT_TRUE(r.ok());
  Result<ParsedResponse> p = parse_saml_response(*r);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->id, "_resp");
  EXPECT_EQ(p->in_response_to, "_req1");
  EXPECT_EQ(p->destination, "https://rp/acs");
  EXPECT_EQ(p->status_code, names::fed::kStatusSuccess);
  EXPECT_EQ(xml::attribute(p->assertion, "", "ID").value, "_a1");
}

TEST(Metadata, CarriesTheCertificateAndEndpoints) {
  Sts& sts = shared_sts();
  const std::string cert_b64 = base64_encode(sts.signing_certificate().der());
  const std::string wsfed = sts.wsfed_metadata("https://127.0.0.1:8443");
  xml::Document doc = *xml::parse(wsfed);
  EXPECT_EQ(xml::attribute(doc.root(), "", "entityID").value, "urn:parley:test-sts");
  xmlNode* role = *xml::xpath_one(doc, "/*/*[local-name()='RoleDescriptor']");
  EXPECT_EQ(xml::attribute(role, names::ns::kXsi, "type").value, "fed:SecurityTokenServiceType");
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//ds:X509Certificate")), cert_b64);
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "//wsfed:PassiveRequestorEndpoint/wsa:EndpointReference/wsa:Address")),
            "https://127.0.0.1:8443/sts/wsfed");
  EXPECT_EQ(xml::xpath(doc, "//wsfed:ClaimTypesOffered/*")->size(), 3u);

  xml::Document saml2 = *xml::parse(sts.saml2_metadata("https://127.0.0.1:8443"));
  EXPECT_EQ(xml::text_content(*xml::xpath_one(saml2, "//ds:X509Certificate")), cert_b64);
  Result<std::vector<xmlNode*>> sso = xml::xpath(saml2, "//*[local-name()='SingleSignOnService']");
  ASSERT_EQ(sso->size(), 2u);
  EXPECT_EQ(xml::attribute((*sso)[0], "", "Binding").value, names::fed::kBindingHttpRedirect);
  EXPECT_EQ(xml::attribute((*sso)[1], "", "Location").value, "https://127.0.0.1:8443/sts/saml2/sso");

  Result<x509::Certificate> pem = x509::Certificate::from_pem(certificate_pem(sts.signing_certificate()));
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->der(), sts.signing_certificate().der());
}

}  // namespace
}  // namespace parley::fed
