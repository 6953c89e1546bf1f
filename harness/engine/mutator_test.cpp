// The mutator's edits on real signed messages of the reference client, judged by the real
// oracle: each edit does what it says, an XPath that matches nothing is an error, and a
// re-signed message verifies again.
#include "harness/engine/mutator.h"

#include <gtest/gtest.h>

#include "harness/oracle/client.h"
#include "harness/oracle/service.h"

namespace parley::engine {
namespace {

constexpr std::string_view kBody = "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>";

struct Fixture {
  Fixture() : service(oracle::ServiceConfig{}) {
    oracle::ClientConfig c;
    c.sts_url = "http://127.0.0.1:1/sts";
    c.service_url = "http://127.0.0.1:1/service";
    client = std::make_unique<oracle::Client>(c, [this](const std::string&, const oracle::SoapRequest& r) {
      return Result<oracle::SoapResponse>(service.handle(r));
    });
    EXPECT_TRUE(client->issue().ok());
  }
  xml::Document message(bool derived = true) {
    wssc::ProtectOptions o = client->protect_options();
    o.derived_keys = derived;
    return std::move(*client->application_request(kBody, *client->context(), o));
  }
  // "OK" or the most specific fault's local name.
  std::string send(const xml::Document& doc) {
    oracle::SoapRequest r;
    r.content_type = "application/soap+xml; charset=utf-8";
    r.body = xml::serialize(doc);
    auto response = service.handle(r);
    auto parsed = xml::parse(response.body);
    auto view = wssc::parse_envelope(*parsed);
    auto fault = wssc::parse_fault(*view);
    return fault.ok() ? fault->specific().local : "OK";
  }
  oracle::Service service;
  std::unique_ptr<oracle::Client> client;
};

TEST(Mutator, EditsDoWhatTheySay) {
  Fixture f;
  xml::Document doc = f.message();
  ASSERT_TRUE(mutate::set_text(doc, "//*[local-name()='Echo']", "a < b").ok());
  EXPECT_NE(xml::serialize(doc).find(">a &lt; b<"), std::string::npos);
  ASSERT_TRUE(mutate::set_attribute(doc, "//wsc:DerivedKeyToken", "", "Algorithm", "urn:x").ok());
  const std::size_t dkts = xml::xpath(doc, "//wsc:DerivedKeyToken")->size();
  ASSERT_GE(dkts, 1u);
  EXPECT_EQ(xml::xpath(doc, "//wsc:DerivedKeyToken[@Algorithm='urn:x']")->size(), dkts);
  ASSERT_TRUE(mutate::remove_attribute(doc, "//wsc:DerivedKeyToken", "", "Algorithm").ok());
  EXPECT_TRUE(xml::xpath(doc, "//wsc:DerivedKeyToken[@Algorithm]")->empty());
  ASSERT_TRUE(mutate::duplicate(doc, "//wsu:Timestamp", /*strip_ids=*/true).ok());
  EXPECT_EQ(xml::xpath(doc, "//wsse:Security/wsu:Timestamp")->size(), 2u);
  EXPECT_EQ(xml::xpath(doc, "//wsse:Security/wsu:Timestamp[@wsu:Id]")->size(), 1u);
  ASSERT_TRUE(mutate::remove(doc, "//wsse:Security/wsu:Timestamp[not(@wsu:Id)]").ok());
  ASSERT_TRUE(mutate::rename(doc, "//wsc:DerivedKeyToken/wsc:Offset", "Generation").ok());
  EXPECT_EQ(xml::xpath(doc, "//wsc:DerivedKeyToken/wsc:Generation")->size(), 1u);
  ASSERT_TRUE(mutate::insert_before(doc, "//wsc:DerivedKeyToken/wsc:Nonce",
                                    "<wsc:Label xmlns:wsc='" + std::string(names::ns::kWsc13) + "'>L</wsc:Label>")
                  .ok());
  EXPECT_EQ(xml::text_content(*xml::xpath_one(doc, "(//wsc:DerivedKeyToken/wsc:Label)[1]")), "L");
}

TEST(Mutator, AnXPathThatMatchesNothingIsAnError) {
  Fixture f;
  xml::Document doc = f.message();
  for (Status s : {mutate::set_text(doc, "//nothing", "x"), mutate::remove(doc, "//nothing"),
                   mutate::duplicate(doc, "//nothing"), mutate::move(doc, "//nothing", "//wsse:Security"),
                   mutate::wrap(doc, "//nothing", "//wsse:Security", "")}) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(s.error().where(), "//nothing");
  }
  EXPECT_FALSE(mutate::move(doc, "//wsse:Security", "//wsse:Security/wsu:Timestamp").ok());  // into itself
}

TEST(Mutator, WrappingMovesTheSignedElementAndTheOracleNotices) {
  Fixture f;
  xml::Document doc = f.message();
  ASSERT_TRUE(mutate::wrap(doc, "/*/*[local-name()='Body']", "/*/*[local-name()='Header']",
                           "<s:Body xmlns:s='" + std::string(names::ns::kSoap12) +
                               "'><e:Echo xmlns:e='urn:example'>evil</e:Echo></s:Body>")
                  .ok());
  EXPECT_EQ(xml::xpath(doc, "//Wrapper/*[local-name()='Body']")->size(), 1u);
  EXPECT_EQ(f.send(doc), "InvalidSecurity");
}

TEST(Mutator, ResignRestoresAValidSignatureAfterAnEdit) {
  for (bool derived : {true, false}) {
    Fixture f;
    xml::Document doc = f.message(derived);
    ASSERT_TRUE(mutate::set_text(doc, "//*[local-name()='Echo']", "changed after signing").ok());
    xml::Document tampered = std::move(*xml::parse(xml::serialize(doc)));
    EXPECT_EQ(f.send(tampered), "FailedCheck");
    ASSERT_TRUE(mutate::resign_with_context(doc, *f.client->context()).ok());
    EXPECT_EQ(f.send(doc), "OK") << derived;
  }
}

TEST(Mutator, ResignFollowsAnEditedDerivedKeyToken) {
  // Offset 0 -> Generation 1 (offset 24): re-signed with the key the token now names, the
  // message verifies (the receiver honours Generation).
  Fixture f;
  xml::Document doc = f.message();
  auto uri = xml::xpath_one(doc, "//ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference/@URI");
  ASSERT_TRUE(uri.ok());
  const std::string dkt = "//wsc:DerivedKeyToken[@wsu:Id='" + xml::text_content(*uri).substr(1) + "']";
  ASSERT_TRUE(mutate::rename(doc, dkt + "/wsc:Offset", "Generation").ok());
  ASSERT_TRUE(mutate::set_text(doc, dkt + "/wsc:Generation", "1").ok());
  ASSERT_TRUE(mutate::resign_with_context(doc, *f.client->context()).ok());
  EXPECT_EQ(f.send(doc), "OK");
  // With a key of the attacker's choosing it does not.
  ASSERT_TRUE(mutate::resign(doc, Bytes(24, 0x41)).ok());
  EXPECT_EQ(f.send(doc), "FailedCheck");
}

}  // namespace
}  // namespace parley::engine
