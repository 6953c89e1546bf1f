#include "harness/wssc/trust.h"

#include <gtest/gtest.h>

#include "harness/core/xml.h"

namespace parley::wssc {
namespace {

using names::TrustVersion;

xml::Document scratch() { return xml::new_document("urn:test", "t", "Root"); }

RequestSecurityToken issue_request(TrustVersion v) {
  RequestSecurityToken rst;
  rst.version = v;
  rst.token_type = std::string(v == TrustVersion::kFeb2005 ? names::kScFeb2005.sct_token_type
                                                           : names::kSc13.sct_token_type);
  rst.request_type = std::string(names::trust(v).request_issue);
  rst.entropy = KeyMaterial{KeyMaterial::Kind::kBinarySecret, Bytes(32, 0x01),
                            std::string(names::trust(v).binary_secret_nonce), {}, {}};
  rst.key_size = 256;
  return rst;
}

TEST(Rst, IssueRoundTripInWcfOrderForBothVersions) {
  for (TrustVersion v : names::kAllTrustVersions) {
    auto out = scratch();
    xmlNode* el = append_rst(out.root(), issue_request(v));
    std::vector<std::string> order;
    for (xmlNode* c : xml::child_elements(el)) order.emplace_back(xml::local_name(c));
    EXPECT_EQ(order, (std::vector<std::string>{"TokenType", "RequestType", "Entropy", "KeySize"}));
    EXPECT_EQ(xml::namespace_uri(el), names::trust(v).ns);
    auto back = parse_rst(el);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->version, v);
    EXPECT_EQ(back->request_type, names::trust(v).request_issue);
    EXPECT_EQ(back->key_size, 256u);
    ASSERT_TRUE(back->entropy.has_value());
    EXPECT_EQ(back->entropy->secret, Bytes(32, 0x01));
    EXPECT_EQ(back->entropy->type, names::trust(v).binary_secret_nonce);
  }
}

TEST(Rst, RenewAndCancelTargets) {
  RequestSecurityToken rst = issue_request(TrustVersion::k1_3);
  rst.request_type = std::string(names::kTrust13.request_cancel);
  rst.entropy.reset();
  rst.key_size.reset();
  SecurityContextToken sct;
  sct.identifier = "urn:uuid:c";
  rst.cancel_target = SecurityTokenReference::to_identifier(sct);
  auto out = scratch();
  auto back = parse_rst(append_rst(out.root(), rst));
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->cancel_target.has_value());
  EXPECT_EQ(back->cancel_target->uri, "urn:uuid:c");
}

TEST(Rst, ShapeErrors) {
  auto doc = xml::parse(
      "<t:RequestSecurityToken xmlns:t='http://docs.oasis-open.org/ws-sx/ws-trust/200512'>"
      "<t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType>"
      "<t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType>"
      "</t:RequestSecurityToken>");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(parse_rst(doc->root()).error().message(),
            "wst:RequestSecurityToken: has 2 wst:RequestType elements, exactly one is required [SC-3-02]");

  auto mixed = xml::parse(
      "<t:RequestSecurityToken xmlns:t='http://docs.oasis-open.org/ws-sx/ws-trust/200512'>"
      "<t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>"
      "</t:RequestSecurityToken>");
  EXPECT_EQ(parse_rst(mixed->root()).error().requirement(), "WST-3.1-01");

  auto bs = xml::parse(
      "<t:RequestSecurityToken xmlns:t='http://docs.oasis-open.org/ws-sx/ws-trust/200512'>"
      "<t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType>"
      "<t:Entropy><t:BinarySecret Type='http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce'>AQ==</t:BinarySecret>"
      "</t:Entropy></t:RequestSecurityToken>");
  EXPECT_EQ(parse_rst(bs->root()).error().requirement(), "WST-3.3-01");

  auto target = xml::parse(
      "<t:RequestSecurityToken xmlns:t='http://docs.oasis-open.org/ws-sx/ws-trust/200512'>"
      "<t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew</t:RequestType>"
      "<t:RenewTarget/></t:RequestSecurityToken>");
  EXPECT_EQ(parse_rst(target->root()).error().message(),
            "wst:RequestSecurityToken/wst:RenewTarget: must hold exactly one wsse:SecurityTokenReference [SC-5-01]");
}

RequestSecurityTokenResponse combined_entropy_response(TrustVersion v) {
  RequestSecurityTokenResponse r;
  r.version = v;
  r.token_type = std::string(names::sc(v == TrustVersion::kFeb2005 ? names::ScVersion::kFeb2005
                                                                   : names::ScVersion::k1_3)
                                 .sct_token_type);
  SecurityContextToken sct;
  sct.version = v == TrustVersion::kFeb2005 ? names::ScVersion::kFeb2005 : names::ScVersion::k1_3;
  sct.wsu_id = "uuid-1";
  sct.identifier = "urn:uuid:ctx";
  r.requested_token = sct;
  r.attached_reference = SecurityTokenReference::to_id("uuid-1", names::sc(sct.version).sct_token_type);
  r.unattached_reference = SecurityTokenReference::to_identifier(sct);
  r.proof = KeyMaterial{KeyMaterial::Kind::kComputedKey, {}, {}, std::string(names::trust(v).computed_key_psha1), {}};
  r.entropy = KeyMaterial{KeyMaterial::Kind::kBinarySecret, Bytes(32, 0x02),
                          std::string(names::trust(v).binary_secret_nonce), {}, {}};
  r.lifetime = Lifetime{"2026-11-21T10:00:00.000Z", "2026-11-22T01:00:00.000Z"};
  r.key_size = 256;
  return r;
}

TEST(Rstr, CombinedEntropyGivesTheCatalogComputedKey) {
  for (TrustVersion v : names::kAllTrustVersions) {
    TrustResponse resp;
    resp.collection = v == TrustVersion::k1_3;
    resp.responses.push_back(combined_entropy_response(v));
    auto out = scratch();
    xmlNode* el = append_trust_response(out.root(), resp);
    EXPECT_EQ(xml::local_name(el), v == TrustVersion::k1_3 ? "RequestSecurityTokenResponseCollection"
                                                           : "RequestSecurityTokenResponse");
    auto back = parse_trust_response(el);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->collection, v == TrustVersion::k1_3);
    ASSERT_EQ(back->responses.size(), 1u);
    const auto& r = back->responses[0];
    EXPECT_EQ(r.requested_token->identifier, "urn:uuid:ctx");
    EXPECT_EQ(r.attached_reference->uri, "#uuid-1");
    EXPECT_EQ(r.unattached_reference->uri, "urn:uuid:ctx");
    EXPECT_EQ(r.lifetime->expires, "2026-11-22T01:00:00.000Z");
    auto key = issued_key(r, Bytes(32, 0x01), 256);
    ASSERT_TRUE(key.ok()) << key.error().message();
    EXPECT_EQ(hex_encode(*key), "e7dee695899af2c5b5603c57cc0bbfb1cef01b0c5b4c1f113a95b064cebd65ed");
  }
}

TEST(Rstr, IssuedKeyForms) {
  RequestSecurityTokenResponse r = combined_entropy_response(TrustVersion::k1_3);
  auto no_client = issued_key(r, std::nullopt, 256);
  ASSERT_FALSE(no_client.ok());
  EXPECT_EQ(no_client.error().requirement(), "SC-3-08");

  r.proof = KeyMaterial{KeyMaterial::Kind::kBinarySecret, Bytes(16, 9), {}, {}, {}};
  EXPECT_EQ(*issued_key(r, Bytes(32, 1), 256), Bytes(16, 9));

  r.proof.reset();
  r.entropy.reset();
  EXPECT_EQ(*issued_key(r, Bytes(32, 1), 256), Bytes(32, 1));  // client entropy only
  EXPECT_EQ(issued_key(r, std::nullopt, 256).error().requirement(), "SC-3-04");
}

TEST(Rstr, CancelledAndLifetimeErrors) {
  RequestSecurityTokenResponse r;
  r.requested_token_cancelled = true;
  auto out = scratch();
  auto back = parse_rstr(append_rstr(out.root(), r));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->requested_token_cancelled);
  EXPECT_FALSE(back->requested_token.has_value());

  r.lifetime = Lifetime{"2026-11-21T10:00:00Z", "2026-11-21T09:00:00Z"};
  EXPECT_EQ(parse_rstr(append_rstr(out.root(), r)).error().requirement(), "WST-LT-01");
  r.lifetime = Lifetime{"2026-11-21T10:00:00+02:00", ""};
  EXPECT_EQ(parse_rstr(append_rstr(out.root(), r)).error().requirement(), "WST-LT-01");
}

}  // namespace
}  // namespace parley::wssc
