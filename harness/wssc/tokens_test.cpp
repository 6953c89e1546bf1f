#include "harness/wssc/tokens.h"

#include <gtest/gtest.h>

#include "harness/core/xml.h"

namespace parley::wssc {
namespace {

namespace ns = names::ns;

const std::string kWsc13 = std::string(ns::kWsc13);
const std::string kWsse = std::string(ns::kWsse);

xml::Document parse_ok(std::string_view text) {
  auto doc = xml::parse(text);
  EXPECT_TRUE(doc.ok()) << doc.error().message();
  return std::move(doc).value();
}

// A scratch document with a root to build under.
xml::Document scratch() { return xml::new_document("urn:test", "t", "Root"); }

// ---- SecurityContextToken ---------------------------------------------------------------------

TEST(Sct, ParsesWcfCookieModeTokenAndKeepsTheCookieByteExact) {
  auto doc = parse_ok(
      "<c:SecurityContextToken u:Id=\"uuid-1\" xmlns:c=\"" + kWsc13 +
      "\" xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">"
      "<c:Identifier>urn:uuid:0f0e0d0c-0000-4000-8000-000000000001</c:Identifier>"
      "<c:Instance>urn:uuid:0f0e0d0c-0000-4000-8000-000000000002</c:Instance>"
      "<dnse:Cookie xmlns:dnse=\"http://schemas.microsoft.com/ws/2006/05/security\">AQID</dnse:Cookie>"
      "</c:SecurityContextToken>");
  auto sct = parse_sct(doc.root());
  ASSERT_TRUE(sct.ok()) << sct.error().message();
  EXPECT_EQ(sct->version, ScVersion::k1_3);
  EXPECT_EQ(sct->wsu_id, "uuid-1");
  EXPECT_EQ(sct->identifier, "urn:uuid:0f0e0d0c-0000-4000-8000-000000000001");
  EXPECT_EQ(sct->instance, "urn:uuid:0f0e0d0c-0000-4000-8000-000000000002");
  ASSERT_EQ(sct->extensions.size(), 1u);
  EXPECT_EQ(sct->extensions[0],
            "<dnse:Cookie xmlns:dnse=\"http://schemas.microsoft.com/ws/2006/05/security\">AQID</dnse:Cookie>");
  ASSERT_TRUE(sct->cookie.has_value());
  EXPECT_EQ(*sct->cookie, (Bytes{1, 2, 3}));

  // Built again, the token parses to the same model and the extension is byte-identical.
  auto out = scratch();
  auto el = append_sct(out.root(), *sct);
  ASSERT_TRUE(el.ok()) << el.error().message();
  auto again = parse_sct(*el);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(*again, *sct);
}

TEST(Sct, Feb2005Namespace) {
  SecurityContextToken sct;
  sct.version = ScVersion::kFeb2005;
  sct.identifier = "urn:uuid:1";
  auto out = scratch();
  auto el = append_sct(out.root(), sct);
  ASSERT_TRUE(el.ok());
  EXPECT_EQ(xml::namespace_uri(*el), ns::kWscFeb2005);
  EXPECT_EQ(parse_sct(*el)->version, ScVersion::kFeb2005);
}

TEST(Sct, ErrorsCiteTheRequirement) {
  SecurityContextToken sct;
  sct.identifier = "urn:uuid:abc";
  {
    auto out = scratch();
    SctDeviations d;
    d.two_identifiers = true;
    auto el = append_sct(out.root(), sct, d);
    auto e = parse_sct(*el);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().requirement(), "SC-2-01");
    EXPECT_EQ(e.error().message(),
              "wsc:SecurityContextToken: has 2 wsc:Identifier children, exactly one is required [SC-2-01]");
  }
  {
    auto out = scratch();
    SctDeviations d;
    d.relative_identifier = true;
    auto el = append_sct(out.root(), sct, d);
    auto e = parse_sct(*el);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().message(),
              "wsc:SecurityContextToken/wsc:Identifier: 'context-abc' is not an absolute URI [SC-2-02]");
  }
  auto wrong_ns = parse_ok("<SecurityContextToken xmlns=\"urn:other\"><Identifier>urn:x</Identifier></SecurityContextToken>");
  EXPECT_EQ(parse_sct(wrong_ns.root()).error().requirement(), "SC-2-01");
}

// ---- SecurityTokenReference -------------------------------------------------------------------

TEST(Str, ReferenceFormsRoundTrip) {
  SecurityContextToken sct;
  sct.identifier = "urn:uuid:ctx";
  sct.instance = "urn:uuid:gen2";
  auto by_identifier = SecurityTokenReference::to_identifier(sct);
  auto by_id = SecurityTokenReference::to_id("uuid-7", names::kSc13.sct_token_type);
  EXPECT_EQ(by_id.local_id(), "uuid-7");
  EXPECT_EQ(by_identifier.local_id(), std::nullopt);

  for (const auto& str : {by_identifier, by_id}) {
    auto out = scratch();
    xmlNode* el = append_str(out.root(), str);
    auto back = parse_str(el);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, str);
  }
  // The Instance travels as @wsc:Instance on the Reference (SC-8-03).
  auto out = scratch();
  xmlNode* el = append_str(out.root(), by_identifier);
  auto ref = xml::child_elements(el)[0];
  EXPECT_EQ(xml::attribute(ref, ns::kWsc13, "Instance").value, "urn:uuid:gen2");
  EXPECT_EQ(xml::attribute(ref, "", "ValueType").value, names::kSc13.sct_token_type);
}

TEST(Str, ImpliedDerivedKeyAttributes) {
  auto doc = parse_ok("<o:SecurityTokenReference xmlns:o=\"" + kWsse + "\" xmlns:c=\"" + kWsc13 +
                      "\" c:Nonce=\"gIGCg4SFhoeIiYqLjI2Ojw==\" c:Length=\"24\">"
                      "<o:Reference URI=\"#uuid-1\"/></o:SecurityTokenReference>");
  auto str = parse_str(doc.root());
  ASSERT_TRUE(str.ok()) << str.error().message();
  ASSERT_TRUE(str->implied_nonce.has_value());
  EXPECT_EQ(hex_encode(*str->implied_nonce), "808182838485868788898a8b8c8d8e8f");
  EXPECT_EQ(str->implied_length, 24u);

  auto feb = parse_ok("<o:SecurityTokenReference xmlns:o=\"" + kWsse +
                      "\" xmlns:c=\"http://schemas.xmlsoap.org/ws/2005/02/sc\" c:Nonce=\"AAAA\" c:Length=\"24\">"
                      "<o:Reference URI=\"#uuid-1\"/></o:SecurityTokenReference>");
  EXPECT_EQ(parse_str(feb.root()).error().requirement(), "SC-7-16");
}

TEST(Str, KeyIdentifierAndBadForms) {
  auto doc = parse_ok("<o:SecurityTokenReference xmlns:o=\"" + kWsse +
                      "\"><o:KeyIdentifier ValueType=\"vt\" EncodingType=\"et\"> AQID </o:KeyIdentifier>"
                      "</o:SecurityTokenReference>");
  auto str = parse_str(doc.root());
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(str->form, SecurityTokenReference::Form::kKeyIdentifier);
  EXPECT_EQ(str->key_identifier, "AQID");
  EXPECT_EQ(str->value_type, "vt");

  auto empty = parse_ok("<o:SecurityTokenReference xmlns:o=\"" + kWsse + "\"/>");
  EXPECT_EQ(parse_str(empty.root()).error().message(),
            "wsse:SecurityTokenReference: must hold exactly one reference element, has 0 [WSS-7-01]");
  auto keyname = parse_ok("<o:SecurityTokenReference xmlns:o=\"" + kWsse +
                          "\"><ds:KeyName xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">k</ds:KeyName>"
                          "</o:SecurityTokenReference>");
  EXPECT_NE(parse_str(keyname.root()).error().message().find("unsupported reference form <ds:KeyName>"),
            std::string::npos);
}

// ---- DerivedKeyToken --------------------------------------------------------------------------

const Bytes kSecret = [] {
  Bytes b;
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}();
const Bytes kNonce = *hex_decode("808182838485868788898a8b8c8d8e8f");

DerivedKeyToken wcf_signing_dkt() {
  DerivedKeyToken dkt;
  dkt.wsu_id = "_1";
  dkt.str = SecurityTokenReference::to_id("uuid-1", names::kSc13.sct_token_type);
  dkt.offset = 0;
  dkt.length = 24;
  dkt.nonce = kNonce;
  return dkt;
}

TEST(Dkt, WcfShapeOffsetBeforeLengthAndNoLabel) {
  auto out = scratch();
  xmlNode* el = append_dkt(out.root(), wcf_signing_dkt());
  std::vector<std::string> names;
  for (xmlNode* c : xml::child_elements(el)) names.emplace_back(xml::local_name(c));
  EXPECT_EQ(names, (std::vector<std::string>{"SecurityTokenReference", "Offset", "Length", "Nonce"}));
  auto parsed = parse_dkt(el);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, wcf_signing_dkt());
  // Default label, offset 0, length 24: the first 24 bytes of the catalog's known answer.
  auto key = parsed->derive(kSecret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(hex_encode(*key), "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3b");
}

TEST(Dkt, DefaultsFromTheSpec) {
  DerivedKeyToken dkt;
  dkt.nonce = kNonce;
  EXPECT_EQ(dkt.effective_length(), 32u);
  EXPECT_EQ(dkt.effective_label(), "WS-SecureConversationWS-SecureConversation");
  EXPECT_EQ(*dkt.effective_offset(), 0u);
  EXPECT_EQ(hex_encode(*dkt.derive(kSecret)), "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e");
  dkt.generation = 1;
  EXPECT_EQ(*dkt.effective_offset(), 32u);
  EXPECT_EQ(hex_encode(*dkt.derive(kSecret)), "2dd3247301217e5cf7893c11cd6fe37caaacb0240a0f6a2710c4072ddcdad76f");
  dkt.label = "custom";
  EXPECT_NE(hex_encode(*dkt.derive(kSecret)), "2dd3247301217e5cf7893c11cd6fe37caaacb0240a0f6a2710c4072ddcdad76f");
}

struct DeviationCase {
  const char* name;
  DktDeviations deviations;
  const char* requirement;
  const char* message;
};

TEST(Dkt, EachDeviationIsRefusedWithItsRequirement) {
  auto make = [](auto set) {
    DktDeviations d;
    set(d);
    return d;
  };
  const DeviationCase cases[] = {
      {"length before offset", make([](DktDeviations& d) { d.length_before_offset = true; }), "SC-7-01",
       "wsc:DerivedKeyToken: wsc:Length without a preceding wsc:Generation or wsc:Offset [SC-7-01]"},
      {"offset and generation", make([](DktDeviations& d) { d.offset_and_generation = true; }), "SC-7-02",
       "wsc:DerivedKeyToken: wsc:Generation and wsc:Offset both present (or repeated) [SC-7-02]"},
      {"no nonce", make([](DktDeviations& d) { d.omit_nonce = true; }), "SC-7-08",
       "wsc:DerivedKeyToken: no wsc:Nonce [SC-7-08]"},
      {"empty nonce", make([](DktDeviations& d) { d.empty_nonce = true; }), "SC-7-08",
       "wsc:DerivedKeyToken: wsc:Nonce is empty [SC-7-08]"},
      {"negative offset", make([](DktDeviations& d) { d.raw_offset = "-1"; }), "SC-7-20",
       "wsc:DerivedKeyToken/<c:Offset>: '-1' is not an xs:unsignedLong [SC-7-20]"},
      {"non-numeric length", make([](DktDeviations& d) { d.raw_length = "twenty"; }), "SC-7-20",
       "wsc:DerivedKeyToken/<c:Length>: 'twenty' is not an xs:unsignedLong [SC-7-20]"},
      {"huge length", make([](DktDeviations& d) { d.raw_length = "2147483648"; }), "SC-7-19",
       "wsc:DerivedKeyToken: derived key length 2147483648 bytes is outside 16..32 [SC-7-19]"},
      {"offset overflow", make([](DktDeviations& d) { d.raw_offset = "18446744073709551616"; }), "SC-7-20",
       "wsc:DerivedKeyToken/<c:Offset>: '18446744073709551616' exceeds the xs:unsignedLong range [SC-7-20]"},
      {"Feb 2005 algorithm in a 1.3 token",
       make([](DktDeviations& d) { d.algorithm = std::string(names::kScFeb2005.p_sha1); }), "SC-7-03",
       "wsc:DerivedKeyToken/@Algorithm: P_SHA1 URI of WS-SC Feb 2005 in a WS-SC 1.3 token [SC-7-03]"},
      {"unknown algorithm", make([](DktDeviations& d) { d.algorithm = "urn:example:p_md5"; }), "SC-7-04",
       "wsc:DerivedKeyToken/@Algorithm: unknown derivation algorithm 'urn:example:p_md5' [SC-7-04]"},
  };
  for (const auto& c : cases) {
    auto out = scratch();
    xmlNode* el = append_dkt(out.root(), wcf_signing_dkt(), c.deviations);
    auto parsed = parse_dkt(el);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.error().requirement(), c.requirement) << c.name;
    EXPECT_EQ(parsed.error().message(), c.message) << c.name;
  }
}

TEST(Dkt, ReceiverLimits) {
  DerivedKeyToken dkt = wcf_signing_dkt();
  dkt.offset.reset();
  dkt.generation = 3;  // offset 72 > 64
  auto out = scratch();
  auto e = parse_dkt(append_dkt(out.root(), dkt));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "wsc:DerivedKeyToken: offset 72 bytes exceeds 64 [SC-7-19]");

  DerivedKeyToken big_gen = wcf_signing_dkt();
  big_gen.offset.reset();
  big_gen.generation = std::uint64_t{1} << 62;  // x 24 overflows
  auto e2 = parse_dkt(append_dkt(out.root(), big_gen));
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().requirement(), "SC-7-19");

  DerivedKeyToken long_label = wcf_signing_dkt();
  long_label.label = std::string(129, 'L');
  EXPECT_EQ(parse_dkt(append_dkt(out.root(), long_label)).error().message(),
            "wsc:DerivedKeyToken: wsc:Label of 129 characters exceeds 128 [SC-7-19]");

  DerivedKeyToken long_nonce = wcf_signing_dkt();
  long_nonce.nonce = Bytes(129, 7);
  EXPECT_EQ(parse_dkt(append_dkt(out.root(), long_nonce)).error().requirement(), "SC-7-19");

  // A permissive receiver (an analyzer) can lift the limits.
  DktLimits lax;
  lax.max_offset = 1 << 20;
  EXPECT_TRUE(parse_dkt(append_dkt(out.root(), dkt), lax).ok());
}

TEST(Dkt, UnexpectedChildAndOrder) {
  auto doc = parse_ok("<c:DerivedKeyToken xmlns:c=\"" + kWsc13 +
                      "\"><c:Nonce>AAECAwQFBgcICQoLDA0ODw==</c:Nonce><c:Label>x</c:Label></c:DerivedKeyToken>");
  EXPECT_EQ(parse_dkt(doc.root()).error().message(),
            "wsc:DerivedKeyToken: <c:Label> out of schema order (STR, Properties, Generation|Offset, Length, "
            "Label, Nonce) [SC-7-01]");
  auto extra = parse_ok("<c:DerivedKeyToken xmlns:c=\"" + kWsc13 + "\"><c:Bogus/></c:DerivedKeyToken>");
  EXPECT_EQ(parse_dkt(extra.root()).error().message(),
            "wsc:DerivedKeyToken: unexpected child element <c:Bogus> [SC-7-01]");
}

// ---- Timestamp --------------------------------------------------------------------------------

// Found by fuzz/fuzz_trust.cpp (fuzz/regressions/trust/): years the nanosecond clock cannot hold
// overflowed (undefined behaviour) instead of being refused.
TEST(Timestamp, YearsOutsideTheClockAreRefusedNotOverflowed) {
  for (const char* text : {"1013-01-01T00:00:00.000Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                           "1677-09-21T00:12:43Z", "2262-04-11T23:47:17Z"}) {
    auto t = parse_utc(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.error().message().find("is outside 1678..2261"), std::string::npos) << t.error().message();
  }
  EXPECT_EQ(format_utc(*parse_utc("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(*parse_utc("2261-12-31T23:59:59.999Z")), "2261-12-31T23:59:59.999Z");
}

TEST(Timestamp, FormatAndParseUtc) {
  auto t = parse_utc("2026-11-21T10:00:00.123Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_utc(*t), "2026-11-21T10:00:00.123Z");
  EXPECT_EQ(format_utc(*parse_utc("2026-11-21T10:00:00+00:00")), "2026-11-21T10:00:00.000Z");
  EXPECT_EQ(format_utc(*parse_utc("2026-11-21T10:00:00.1234567Z")), "2026-11-21T10:00:00.123Z");
  EXPECT_EQ(parse_utc("2026-11-21T10:00:00+01:00").error().message(),
            "dateTime: '2026-11-21T10:00:00+01:00' is not a UTC xs:dateTime: time zone '+01:00' is not UTC "
            "[WSS-10-02]");
  EXPECT_FALSE(parse_utc("2026-11-21T10:00:00").ok());
  EXPECT_FALSE(parse_utc("2026-02-30T10:00:00Z").ok());
  EXPECT_FALSE(parse_utc("yesterday").ok());
}

TEST(Timestamp, RoundTripAndOrder) {
  auto now = *parse_utc("2026-11-21T10:00:00Z");
  Timestamp ts = make_timestamp(now, std::chrono::minutes(5));
  EXPECT_EQ(ts.created, "2026-11-21T10:00:00.000Z");
  EXPECT_EQ(ts.expires, "2026-11-21T10:05:00.000Z");
  auto out = scratch();
  auto back = parse_timestamp(append_timestamp(out.root(), ts));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->created, ts.created);
  EXPECT_EQ(back->wsu_id, "_0");
  std::swap(ts.created, ts.expires);
  EXPECT_EQ(parse_timestamp(append_timestamp(out.root(), ts)).error().message(),
            "wsu:Timestamp: wsu:Expires is before wsu:Created [WSS-10-02]");
}

// ---- UsernameToken / BinarySecurityToken ------------------------------------------------------

TEST(UsernameToken, DigestKnownAnswerFromPython) {
  // base64(sha1(nonce 00..0f + "2026-11-21T10:00:00.000Z" + "secret")), computed with hashlib.
  UsernameToken t;
  t.username = "alice";
  t.digest = true;
  t.nonce = *hex_decode("000102030405060708090a0b0c0d0e0f");
  t.created = "2026-11-21T10:00:00.000Z";
  t.password = "liKhof+TqV55wSkDKoqFjeQYuzk=";
  EXPECT_TRUE(t.verify_password("secret"));
  EXPECT_FALSE(t.verify_password("Secret"));
  auto out = scratch();
  auto back = parse_username_token(append_username_token(out.root(), t));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(back->digest);
  EXPECT_TRUE(back->verify_password("secret"));
}

TEST(UsernameToken, TextAndFreshDigest) {
  UsernameToken text;
  text.username = "bob";
  text.password = "pw";
  EXPECT_TRUE(text.verify_password("pw"));
  EXPECT_FALSE(text.verify_password("pw2"));
  auto fresh = UsernameToken::with_digest("bob", "pw", Clock::now());
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->verify_password("pw"));
  EXPECT_EQ(fresh->nonce->size(), 16u);
  auto doc = parse_ok("<o:UsernameToken xmlns:o=\"" + kWsse + "\"><o:Password>x</o:Password></o:UsernameToken>");
  EXPECT_EQ(parse_username_token(doc.root()).error().message(), "wsse:UsernameToken: no wsse:Username");
}

TEST(Bst, RoundTrip) {
  BinarySecurityToken t;
  t.value = {0x30, 0x82, 0x01};
  auto out = scratch();
  auto back = parse_bst(append_bst(out.root(), t));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->value, t.value);
  EXPECT_EQ(back->value_type, names::wss::kX509v3);
}

TEST(Ids, FreshIdsAreDistinctAndShaped) {
  std::string a = new_uuid_urn();
  std::string b = new_uuid_urn();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("urn:uuid:", 0), 0u);
  EXPECT_EQ(a.size(), 9u + 36u);
  EXPECT_EQ(new_wsu_id().rfind("uuid-", 0), 0u);
}

}  // namespace
}  // namespace parley::wssc
