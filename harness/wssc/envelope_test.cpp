#include "harness/wssc/envelope.h"

#include <gtest/gtest.h>

namespace parley::wssc {
namespace {

using names::ScFault;
using names::ScVersion;

TEST(Envelope, BuildWithAddressingAndParseBack) {
  for (SoapVersion soap : names::kAllSoapVersions) {
    for (AddressingVersion wsa : names::kAllAddressingVersions) {
      xml::Document doc = new_envelope(soap);
      AddressingHeaders h{"urn:example:Echo", "urn:uuid:m1", "http://127.0.0.1:1/app", "", "reply-here"};
      auto ids = add_addressing_headers(envelope_header(doc), wsa, h);
      EXPECT_EQ(ids.size(), 4u);  // Action, MessageID, ReplyTo, To
      xml::add_element(envelope_body(doc), "urn:example", "e", "Echo", "hi");
      auto reparsed = xml::parse(xml::serialize(doc));
      ASSERT_TRUE(reparsed.ok());
      auto view = parse_envelope(*reparsed);
      ASSERT_TRUE(view.ok()) << view.error().message();
      EXPECT_EQ(view->soap, soap);
      EXPECT_EQ(view->addressing, wsa);
      EXPECT_EQ(view->headers.action, "urn:example:Echo");
      EXPECT_EQ(view->headers.message_id, "urn:uuid:m1");
      EXPECT_EQ(view->headers.to, "http://127.0.0.1:1/app");
      EXPECT_EQ(view->headers.reply_to, "reply-here");
      ASSERT_NE(view->body_child, nullptr);
      EXPECT_EQ(xml::local_name(view->body_child), "Echo");
      EXPECT_TRUE(view->security_headers.empty());
    }
  }
}

TEST(Envelope, StructureErrors) {
  const char* bad[] = {
      "<Envelope xmlns='urn:not-soap'><Body/></Envelope>",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Header/></s:Envelope>",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/><s:Header/></s:Envelope>",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/><s:Body/></s:Envelope>",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Header>"
      "<a:Action xmlns:a='http://www.w3.org/2005/08/addressing'>x</a:Action>"
      "<b:To xmlns:b='http://schemas.xmlsoap.org/ws/2004/08/addressing'>y</b:To></s:Header><s:Body/></s:Envelope>",
  };
  for (const char* text : bad) {
    auto doc = xml::parse(text);
    ASSERT_TRUE(doc.ok()) << text;
    EXPECT_FALSE(parse_envelope(*doc).ok()) << text;
  }
}

TEST(Fault, Soap12SubcodeAndSoap11FaultcodeCarryTheScFault) {
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    for (SoapVersion soap : names::kAllSoapVersions) {
      Versions v{soap, AddressingVersion::k1_0, sc};
      const QName name = names::sc_fault(sc, ScFault::kBadContextToken);
      xml::Document doc = build_fault(v, name, "The security context token is unknown.", "urn:uuid:req");
      auto reparsed = xml::parse(xml::serialize(doc));
      ASSERT_TRUE(reparsed.ok());
      auto view = parse_envelope(*reparsed);
      ASSERT_TRUE(view.ok());
      EXPECT_EQ(view->headers.action, "http://www.w3.org/2005/08/addressing/fault");
      EXPECT_EQ(view->headers.relates_to, "urn:uuid:req");
      auto fault = parse_fault(*view);
      ASSERT_TRUE(fault.ok()) << fault.error().message();
      EXPECT_TRUE(fault->specific() == name);
      EXPECT_EQ(fault->reason, "The security context token is unknown.");
      if (soap == SoapVersion::k1_2) {
        EXPECT_TRUE(fault->code == names::kSoap12.sender);  // SC-9-06: Sender + Subcode
        ASSERT_EQ(fault->subcodes.size(), 1u);
      } else {
        EXPECT_TRUE(fault->code == name);  // SC-9-06: faultcode is the SC QName
        EXPECT_TRUE(fault->subcodes.empty());
      }
    }
  }
}

TEST(Fault, WcfRenewNeededUsesItsOwnAction) {
  Versions v;
  auto doc = build_fault(v, names::sc_fault(ScVersion::k1_3, ScFault::kRenewNeeded), "renew", "", true,
                         names::wcf::kSecureConversationFaultAction);
  auto view = parse_envelope(doc);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->headers.action, names::wcf::kSecureConversationFaultAction);
}

TEST(Fault, ParseErrors) {
  auto ok_body = xml::parse("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><x/></s:Body></s:Envelope>");
  auto view = parse_envelope(*ok_body);
  EXPECT_EQ(parse_fault(*view).error().code(), ErrorCode::kNotFound);
  auto undeclared = xml::parse(
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><s:Fault><s:Code>"
      "<s:Value>s:Sender</s:Value><s:Subcode><s:Value>q:Oops</s:Value></s:Subcode></s:Code></s:Fault>"
      "</s:Body></s:Envelope>");
  auto v2 = parse_envelope(*undeclared);
  auto f = parse_fault(*v2);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message(), "soap:Fault: fault code 'q:Oops' has an undeclared prefix [SC-9-06]");
}

TEST(Clark, RoundTrip) {
  const QName q = names::wss_fault(names::WssFault::kFailedCheck);
  std::string c = clark(q);
  EXPECT_EQ(c, "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}FailedCheck");
  auto back = from_clark(c);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(*back == q);
  EXPECT_FALSE(from_clark("nope").has_value());
}

}  // namespace
}  // namespace parley::wssc
