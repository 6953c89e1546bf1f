#include "harness/wssc/security.h"

#include <gtest/gtest.h>

namespace parley::wssc {
namespace {

using names::ScVersion;
using names::WssFault;

ContextKey test_context(ScVersion v = ScVersion::k1_3) {
  ContextKey c;
  c.sct.version = v;
  c.sct.identifier = "urn:uuid:11111111-2222-4333-8444-555555555555";
  c.key = *hex_decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  return c;
}

// A client request: addressing headers, an Echo body, secured with `options`.
xml::Document secured_request(const Versions& v, const ContextKey& ctx, const ProtectOptions& options = {}) {
  xml::Document doc = new_envelope(v.soap);
  AddressingHeaders h{"urn:example:Echo", "urn:uuid:m1", "http://127.0.0.1:9/app", "", ""};
  auto ids = add_addressing_headers(envelope_header(doc), v.addressing, h);
  xml::add_element(envelope_body(doc), "urn:example", "e", "Echo", "hello");
  auto info = secure_envelope(doc, ctx, options, ids);
  EXPECT_TRUE(info.ok()) << info.error().message();
  // Every test opens a re-parsed copy: what a receiver sees is the bytes, not our tree.
  auto reparsed = xml::parse(xml::serialize(doc));
  EXPECT_TRUE(reparsed.ok());
  return std::move(reparsed).value();
}

std::string fault_of(const Error& e) { return e.fault(); }
std::string wss_clark(WssFault f) { return clark(names::wss_fault(f)); }

TEST(Security, RoundTripEveryVersionCombination) {
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    for (SoapVersion soap : names::kAllSoapVersions) {
      for (AddressingVersion wsa : names::kAllAddressingVersions) {
        Versions v{soap, wsa, sc};
        ContextKey ctx = test_context(sc);
        xml::Document doc = secured_request(v, ctx);
        SingleContextResolver resolver(ctx);
        auto opened = open_envelope(doc, resolver);
        ASSERT_TRUE(opened.ok()) << opened.error().message();
        EXPECT_TRUE(opened->signed_with_derived_key);
        ASSERT_EQ(opened->dkts.size(), 1u);
        EXPECT_EQ(opened->dkts[0].length, 24u);
        EXPECT_EQ(opened->dkts[0].version, sc);
        EXPECT_EQ(opened->covered_ids.size(), 5u);  // Timestamp, Body, Action, MessageID, To
        EXPECT_EQ(opened->context.sct.identifier, ctx.sct.identifier);
        ASSERT_NE(opened->envelope.body_child, nullptr);
        EXPECT_EQ(xml::text_content(opened->envelope.body_child), "hello");
        EXPECT_FALSE(opened->body_was_encrypted);
      }
    }
  }
}

TEST(Security, EncryptedBodyIsDecryptedThenVerified) {
  ProtectOptions o;
  o.encrypt_body = true;
  ContextKey ctx = test_context();
  xml::Document doc = secured_request(Versions{}, ctx, o);
  const std::string wire = xml::serialize(doc);
  EXPECT_EQ(wire.find("hello"), std::string::npos);  // the Body travels encrypted
  EXPECT_NE(wire.find("ReferenceList"), std::string::npos);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_TRUE(opened->body_was_encrypted);
  EXPECT_EQ(opened->dkts.size(), 2u);  // signing and encryption keys are separate (SC-7-18)
  EXPECT_EQ(xml::text_content(opened->envelope.body_child), "hello");
}

TEST(Security, DirectContextKeyAndIdentifierReference) {
  ProtectOptions o;
  o.derived_keys = false;
  o.include_sct = false;  // the way a WCF service answers: reference by Identifier
  ContextKey ctx = test_context();
  ctx.sct.instance = "urn:uuid:instance-2";
  xml::Document doc = secured_request(Versions{}, ctx, o);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_FALSE(opened->signed_with_derived_key);
  EXPECT_EQ(opened->context.sct.instance, "urn:uuid:instance-2");

  OpenPolicy derived_only;
  derived_only.allow_direct_context_key = false;
  xml::Document again = secured_request(Versions{}, ctx, o);
  auto refused = open_envelope(again, resolver, derived_only);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().requirement(), "SC-7-17");
}

TEST(Security, UnknownContextIsBadContextToken) {
  xml::Document doc = secured_request(Versions{}, test_context());
  ContextKey other = test_context();
  other.sct.identifier = "urn:uuid:someone-else";
  SingleContextResolver resolver(other);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(fault_of(opened.error()),
            "{http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512}BadContextToken");
  EXPECT_EQ(opened.error().requirement(), "SC-8-05");
}

TEST(Security, TamperedBodyOrWrongKeyFailsCheck) {
  ContextKey ctx = test_context();
  xml::Document doc = secured_request(Versions{}, ctx);
  std::string wire = xml::serialize(doc);
  wire.replace(wire.find("hello"), 5, "HELLO");
  auto tampered = xml::parse(wire);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(*tampered, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(fault_of(opened.error()), wss_clark(WssFault::kFailedCheck));

  ContextKey wrong = ctx;
  wrong.key[0] ^= 1;
  SingleContextResolver wrong_resolver(wrong);
  xml::Document doc2 = secured_request(Versions{}, ctx);
  auto opened2 = open_envelope(doc2, wrong_resolver);
  ASSERT_FALSE(opened2.ok());
  EXPECT_EQ(fault_of(opened2.error()), wss_clark(WssFault::kFailedCheck));
}

TEST(Security, ExpiredOrFutureTimestampIsMessageExpired) {
  ContextKey ctx = test_context();
  ProtectOptions o;
  o.now = Clock::now() - std::chrono::hours(1);
  xml::Document doc = secured_request(Versions{}, ctx, o);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(fault_of(opened.error()), wss_clark(WssFault::kMessageExpired));
  EXPECT_EQ(opened.error().requirement(), "WSS-10-03");

  o.now = Clock::now() + std::chrono::hours(1);
  xml::Document future = secured_request(Versions{}, ctx, o);
  EXPECT_EQ(fault_of(open_envelope(future, resolver).error()), wss_clark(WssFault::kMessageExpired));
}

TEST(Security, SignatureWrappingOfTheBodyIsRefused) {
  ContextKey ctx = test_context();
  xml::Document doc = secured_request(Versions{}, ctx);
  // Move the signed Body under a header wrapper and put an unsigned Body in its place.
  xmlNode* body = envelope_body(doc);
  xmlNode* header = envelope_header(doc);
  xmlNode* wrapper = xml::add_element(header, "urn:attacker", "x", "Wrapper");
  xmlUnlinkNode(body);
  xmlAddChild(wrapper, body);
  xmlNode* fake = xml::add_element(doc.root(), xml::namespace_uri(doc.root()), "s", "Body");
  xml::add_element(fake, "urn:example", "e", "Echo", "transfer all the money");
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().requirement(), "SC-10-01");
  EXPECT_EQ(fault_of(opened.error()), wss_clark(WssFault::kInvalidSecurity));
}

TEST(Security, SenderDeviationsAreRefusedWithTheRightFault) {
  ContextKey ctx = test_context();
  SingleContextResolver resolver(ctx);
  struct Case {
    const char* name;
    void (*set)(ProtectOptions&);
    WssFault fault;
    const char* requirement;
  } cases[] = {
      {"no nonce", [](ProtectOptions& o) { o.deviations.dkt.omit_nonce = true; }, WssFault::kInvalidSecurityToken,
       "SC-7-08"},
      {"unknown algorithm", [](ProtectOptions& o) { o.deviations.dkt.algorithm = "urn:example:p_md5"; },
       WssFault::kUnsupportedAlgorithm, "SC-7-04"},
      {"wrong label used for the key", [](ProtectOptions& o) { o.deviations.dkt.derive_with_wrong_label = true; },
       WssFault::kFailedCheck, ""},
      {"length before offset", [](ProtectOptions& o) { o.deviations.dkt.length_before_offset = true; },
       WssFault::kInvalidSecurityToken, "SC-7-01"},
      {"no Length, a 24-byte key",
       [](ProtectOptions& o) {
         o.signature_key_length = 32;
         o.deviations.dkt.derive_length = 24;
       },
       WssFault::kFailedCheck, ""},
      {"Generation 1, the key at offset 0",
       [](ProtectOptions& o) {
         o.dkt.generation = 1;
         o.deviations.dkt.derive_offset = 0;
       },
       WssFault::kFailedCheck, ""},
  };
  for (const auto& c : cases) {
    ProtectOptions o;
    c.set(o);
    xml::Document doc = secured_request(Versions{}, ctx, o);
    auto opened = open_envelope(doc, resolver);
    ASSERT_FALSE(opened.ok()) << c.name;
    EXPECT_EQ(fault_of(opened.error()), wss_clark(c.fault)) << c.name << ": " << opened.error().message();
    if (*c.requirement != 0) {
      EXPECT_EQ(opened.error().requirement(), c.requirement) << c.name;
    }
  }
}

// A sender that varies its DKTs (DktShape) writes what it derives: every shape opens, and each
// written token, read back, derives the key the sender signed with.
TEST(Security, ShapedDerivedKeysOpenAndDeriveWhatTheTokenSays) {
  struct Shape {
    const char* name;
    DktShape dkt;
  };
  std::vector<Shape> shapes;
  {
    DktShape g;
    g.generation = 1;
    g.length = 24;
    g.label = "parley custom label";
    shapes.push_back({"Generation 1, Length 24, custom Label", g});
    DktShape off;
    off.offset = 16;
    shapes.push_back({"Offset 16", off});
    for (std::size_t n : {16u, 32u, 64u}) {
      DktShape nonce;
      nonce.nonce_bytes = n;
      shapes.push_back({n == 16 ? "nonce 16" : n == 32 ? "nonce 32" : "nonce 64", nonce});
    }
    DktShape alg;
    alg.write_algorithm = true;
    alg.length = 32;  // written although it is the default
    shapes.push_back({"@Algorithm and Length 32", alg});
    DktShape chain;
    chain.chain = 2;
    shapes.push_back({"chain of 2", chain});
  }
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    const Versions v{names::SoapVersion::k1_2, sc == ScVersion::k1_3 ? AddressingVersion::k1_0 : AddressingVersion::k2004_08, sc};
    ContextKey ctx = test_context(sc);
    for (const auto& shape : shapes) {
      SCOPED_TRACE(std::string(shape.name) + " " + std::string(names::sc(sc).label));
      ProtectOptions o;
      o.dkt = shape.dkt;
      xml::Document doc = new_envelope(v.soap);
      AddressingHeaders h{"urn:example:Echo", "urn:uuid:m1", "http://127.0.0.1:9/app", "", ""};
      auto ids = add_addressing_headers(envelope_header(doc), v.addressing, h);
      xml::add_element(envelope_body(doc), "urn:example", "e", "Echo", "hello");
      auto info = secure_envelope(doc, ctx, o, ids);
      ASSERT_TRUE(info.ok()) << info.error().message();
      ASSERT_EQ(info->dkts.size(), 1 + shape.dkt.chain);
      const DerivedKeyToken& signing = info->dkts.back();
      EXPECT_EQ(signing.generation, shape.dkt.generation);
      EXPECT_EQ(signing.offset, shape.dkt.generation ? std::nullopt : shape.dkt.offset ? shape.dkt.offset
                                                                                         : std::optional<std::uint64_t>(0));
      EXPECT_EQ(signing.length, shape.dkt.length.value_or(24));
      EXPECT_EQ(signing.label, shape.dkt.label);
      ASSERT_TRUE(signing.nonce);
      EXPECT_EQ(signing.nonce->size(), shape.dkt.nonce_bytes);
      EXPECT_EQ(signing.algorithm, shape.dkt.write_algorithm ? std::string(names::sc(sc).p_sha1) : "");
      // Each key is what its token derives from its source (the context, or the link before).
      Bytes source = ctx.key;
      for (std::size_t i = 0; i < info->dkts.size(); ++i) {
        auto derived = info->dkts[i].derive(source);
        ASSERT_TRUE(derived.ok()) << derived.error().message();
        EXPECT_EQ(hex_encode(*derived), hex_encode(info->derived_keys[i])) << "DKT " << i;
        source = *derived;
      }
      EXPECT_EQ(info->derived_keys.back().size(), shape.dkt.length.value_or(24));
      if (shape.dkt.generation) {
        DerivedKeyToken at_zero = signing;
        at_zero.generation.reset();
        EXPECT_NE(hex_encode(*at_zero.derive(ctx.key)), hex_encode(info->derived_keys.back()));
        EXPECT_EQ(*signing.effective_offset(), 24u);  // Generation 1 x Length 24
      }
      // The receiver reads the same tokens from the bytes and opens the message.
      auto reparsed = xml::parse(xml::serialize(doc));
      ASSERT_TRUE(reparsed.ok());
      SingleContextResolver resolver(ctx);
      auto opened = open_envelope(*reparsed, resolver);
      ASSERT_TRUE(opened.ok()) << opened.error().message();
      EXPECT_TRUE(opened->signed_with_derived_key);
      ASSERT_EQ(opened->dkts.size(), info->dkts.size());
      for (std::size_t i = 0; i < info->dkts.size(); ++i) {
        EXPECT_EQ(opened->dkts[i].generation, info->dkts[i].generation);
        EXPECT_EQ(opened->dkts[i].offset, info->dkts[i].offset);
        EXPECT_EQ(opened->dkts[i].length, info->dkts[i].length);
        EXPECT_EQ(opened->dkts[i].label, info->dkts[i].label);
        EXPECT_EQ(opened->dkts[i].nonce, info->dkts[i].nonce);
        EXPECT_EQ(opened->dkts[i].algorithm, info->dkts[i].algorithm);
      }
      EXPECT_EQ(xml::text_content(opened->envelope.body_child), "hello");
      // A receiver that ignores Generation or Label derives another key: the signature fails.
      if (shape.dkt.generation || shape.dkt.label) {
        auto again = xml::parse(xml::serialize(doc));
        OpenPolicy sloppy;
        sloppy.faults.ignore_dkt_generation = true;
        sloppy.faults.ignore_dkt_label = true;
        auto refused = open_envelope(*again, resolver, sloppy);
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(fault_of(refused.error()), wss_clark(WssFault::kFailedCheck));
      }
    }
  }
}

TEST(Security, ImpliedDerivedKeyOpens) {
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    for (bool include_sct : {true, false}) {
      // Known receiver limitation (reported): with no SCT or DKT in the header, open_envelope
      // takes the version of an Identifier reference to be 1.3, so a Feb 2005 message keyed
      // through a reference by Identifier alone is refused (SC-8-02).
      if (sc == ScVersion::kFeb2005 && !include_sct) continue;
      ContextKey ctx = test_context(sc);
      ProtectOptions o;
      o.dkt.implied = true;
      o.include_sct = include_sct;
      const Versions v{names::SoapVersion::k1_2,
                       sc == ScVersion::k1_3 ? AddressingVersion::k1_0 : AddressingVersion::k2004_08, sc};
      xml::Document doc = secured_request(v, ctx, o);
      const std::string wire = xml::serialize(doc);
      EXPECT_EQ(wire.find("DerivedKeyToken"), std::string::npos);
      EXPECT_NE(wire.find(":Nonce=\""), std::string::npos);
      // Feb 2005 defines no @wsc:Length (SC-7-16): the implied key is 32 bytes there.
      if (sc == ScVersion::k1_3) {
        EXPECT_NE(wire.find(":Length=\"24\""), std::string::npos);
      } else {
        EXPECT_EQ(wire.find(":Length="), std::string::npos);
      }
      SingleContextResolver resolver(ctx);
      auto opened = open_envelope(doc, resolver);
      ASSERT_TRUE(opened.ok()) << opened.error().message();
      EXPECT_TRUE(opened->signed_with_derived_key);
      EXPECT_TRUE(opened->dkts.empty());
    }
  }
}

TEST(Security, DktWithoutSourceIsUnknownDerivationSource) {
  ContextKey ctx = test_context();
  ProtectOptions o;
  o.include_sct = false;
  o.deviations.dkt.omit_str = true;
  xml::Document doc = secured_request(Versions{}, ctx, o);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(fault_of(opened.error()),
            "{http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512}UnknownDerivationSource");
  EXPECT_EQ(opened.error().requirement(), "SC-7-11");
}

TEST(Security, RawGenerationIsWrittenAsGiven) {
  ContextKey ctx = test_context();
  ProtectOptions o;
  o.dkt.generation = 0;
  o.deviations.dkt.raw_generation = "4611686018427387904";  // 2^62: x 24 overflows 64 bits
  xml::Document doc = secured_request(Versions{}, ctx, o);
  EXPECT_NE(xml::serialize(doc).find("<c:Generation>4611686018427387904</c:Generation><c:Length>24</c:Length>"),
            std::string::npos);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(fault_of(opened.error()), wss_clark(WssFault::kInvalidSecurityToken));
  EXPECT_EQ(opened.error().requirement(), "SC-7-19");
}

TEST(Security, TwoSecurityHeadersAreRefused) {
  ContextKey ctx = test_context();
  xml::Document doc = secured_request(Versions{}, ctx);
  xmlNode* header = envelope_header(doc);
  xml::add_element(header, names::ns::kWsse, "o", "Security");
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().requirement(), "WSS-5-01");
}

TEST(Security, SignatureConfirmationTravelsSigned) {
  ContextKey ctx = test_context();
  ProtectOptions o;
  o.confirm_signature_values = {"c2lnbmF0dXJlLXZhbHVl"};
  xml::Document doc = secured_request(Versions{}, ctx, o);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(opened->signature_confirmations, (std::vector<std::string>{"c2lnbmF0dXJlLXZhbHVl"}));
  EXPECT_EQ(opened->covered_ids.size(), 6u);
}

TEST(Security, KeyIdentifierReferenceToAContextIsRefused) {
  ContextKey ctx = test_context();
  xml::Document doc = secured_request(Versions{}, ctx);
  // Replace the signature's KeyInfo STR with a KeyIdentifier (SC-2-07).
  auto strs = xml::xpath(doc, "//ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference");
  ASSERT_TRUE(strs.ok());
  ASSERT_EQ(strs->size(), 1u);
  xmlNode* str = (*strs)[0];
  xmlNode* ref = xml::child_elements(str)[0];
  xmlUnlinkNode(ref);
  xmlFreeNode(ref);
  xmlNode* ki = xml::add_element(str, names::ns::kWsse, "o", "KeyIdentifier", "AAAA");
  xml::set_attribute(ki, "", "", "ValueType", names::kSc13.sct_token_type);
  SingleContextResolver resolver(ctx);
  auto opened = open_envelope(doc, resolver);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().requirement(), "SC-2-07");
}

}  // namespace
}  // namespace parley::wssc
