// Session token model and WIF serialization. "RS" = the .NET Framework 4.x reference source of
// System.IdentityModel.Tokens.SessionSecurityToken (GetObjectData / the deserializing
// constructor), SessionSecurityTokenHandler.WriteToken / ReadToken and SessionDictionary; the
// layout facts and how sure each is: docs/design/wif-session-token.md.
#include "harness/wif/session_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::wif {
namespace {

Bytes H(std::string_view hex) {
  auto b = hex_decode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

constexpr Ticks kEffective = 638400000000000000;      // 2024-01-04T21:20:00Z
constexpr Ticks kExpiry = kEffective + 360000000000;  // + 10 h (WIF default lifetime)

Claim name_claim(std::string value) {
  Claim c;
  c.type = std::string(names::wif::kClaimTypeName);
  c.value = std::move(value);
  c.value_type = std::string(names::wif::kClaimValueTypeString);
  c.issuer = "https://sts.example/";
  c.original_issuer = "https://sts.example/";
  return c;
}

ClaimsIdentity federation_identity(std::string name) {
  ClaimsIdentity id;
  id.authentication_type = "Federation";
  id.name_claim_type = std::string(names::wif::kClaimTypeName);
  id.role_claim_type = std::string(names::wif::kClaimTypeRole);
  id.claims.push_back(name_claim(std::move(name)));
  return id;
}

SessionToken minimal_token() {
  SessionToken t;
  t.id = "_6f3b1c0a-2d4e-4f5a-8b9c-0d1e2f3a4b5c-1";
  t.context_id = "urn:uuid:00112233-4455-6677-8899-aabbccddeeff";
  t.key = H("000102030405060708090a0b0c0d0e0f");
  t.effective_time = kEffective;
  t.expiry_time = kExpiry;
  t.key_effective_time = kEffective;
  t.key_expiry_time = kExpiry;
  t.persistent = true;
  t.endpoint_id = "https://rp.example/";
  t.identities.push_back(federation_identity("alice"));
  return t;
}

// minimal_token() as RS GetObjectData lays it out, assembled record by record by hand.
const char* const kMinimalStateHex =
    "4244"        // <SessionToken> (ShortDictionaryElement, id 68)
    "0658a8"      // PersistentTrue="" (id 88, EmptyText)
    "4204990131"  // <Version>1</Version> (id 4, Chars8TextWithEndElement)
    "4206993d687474703a2f2f646f63732e6f617369732d6f70656e2e6f72672f77732d73782f77732d73656375726563"
    "6f6e76657273"
    "6174696f6e2f323030353132"  // <SecureConversationVersion> WS-SC 1.3 namespace
    "423c99275f36663362316330612d326434652d346635612d386239632d3064316532663361346235632d31"  // <Id>
    "4242ad33221100554477668899aabbccddeeff"    // <ContextId> UniqueIdTextWithEndElement
    "422e9f10000102030405060708090a0b0c0d0e0f"  // <Key> Bytes8TextWithEndElement
    "42308f00009ce86a0ddc08"                    // <EffectiveTime> Int64TextWithEndElement
    "42328f001048babe0ddc08"                    // <ExpiryTime>
    "42368f00009ce86a0ddc08"                    // <KeyEffectiveTime>
    "42388f001048babe0ddc08"                    // <KeyExpiryTime>
    "424c"                                      // <ClaimsPrincipal>
    "4254"                                      // <Identities>
    "4252"                                      // <Identity>
    "0624980a46656465726174696f6e"              // AuthenticationType="Federation"
    "0626983a687474703a2f2f736368656d61732e786d6c736f61702e6f72672f77732f323030352f30352f6964656e74"
    "6974792f636c"
    "61696d732f6e616d65"  // NameClaimType
    "0628983c687474703a2f2f736368656d61732e6d6963726f736f66742e636f6d2f77732f323030382f30362f696465"
    "6e746974792f"
    "636c61696d732f726f6c65"                            // RoleClaimType
    "420e"                                              // <ClaimCollection>
    "4200"                                              // <Claim>
    "0608981468747470733a2f2f7374732e6578616d706c652f"  // Issuer
    "060a981468747470733a2f2f7374732e6578616d706c652f"  // OriginalIssuer
    "061c983a687474703a2f2f736368656d61732e786d6c736f61702e6f72672f77732f323030352f30352f6964656e74"
    "6974792f636c"
    "61696d732f6e616d65"  // Type
    "06169805616c696365"  // Value="alice"
    "06189827687474703a2f2f7777772e77332e6f72672f323030312f584d4c536368656d6123737472696e67"  // ValueType
    "01"                                              // </Claim>
    "01"                                              // </ClaimCollection>
    "01"                                              // </Identity>
    "01"                                              // </Identities>
    "01"                                              // </ClaimsPrincipal>
    "425e991368747470733a2f2f72702e6578616d706c652f"  // <EndpointId>
    "01";                                             // </SessionToken>

// --- the dictionary -------------------------------------------------------------------------

TEST(SessionDictionary, HasWifs63StringsAtEvenIds) {
  const auto& d = session_dictionary();
  EXPECT_EQ(d.size(), 63u);  // wire facts B: 63 entries
  EXPECT_EQ(*d.find(0), "Claim");
  EXPECT_EQ(*d.find(30), "subjectID");
  EXPECT_EQ(*d.find(44), "");  // EmptyString, the namespace of every name
  EXPECT_EQ(*d.find(68), "SessionToken");
  EXPECT_EQ(*d.find(72), "BootStrapToken");
  EXPECT_EQ(*d.find(80), "WindowIdentity");  // sic, RS spells it so
  EXPECT_EQ(*d.find(124), "ReferenceModeTrue");
  EXPECT_EQ(d.find(126), nullptr);
  EXPECT_EQ(d.find(1), nullptr);
}

// --- the state --------------------------------------------------------------------------------

TEST(SessionState, MinimalTokenHasTheHandAssembledLayout) {
  auto bytes = serialize_session_state(minimal_token());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  EXPECT_EQ(hex_encode(*bytes), kMinimalStateHex);
  auto back = parse_session_state(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, minimal_token());
}

TEST(SessionState, DecodesAsTheExpectedXml) {
  nbfx::DecodeOptions o;
  o.static_dictionary = &session_dictionary();
  auto d = nbfx::decode(H(kMinimalStateHex), o);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->xml.rfind(
                "<SessionToken PersistentTrue=\"\"><Version>1</Version><SecureConversationVersion>"
                "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512</"
                "SecureConversationVersion>",
                0),
            0u)
      << d->xml;
  EXPECT_NE(
      d->xml.find(
          "<ContextId>urn:uuid:00112233-4455-6677-8899-aabbccddeeff</ContextId>"
          "<Key>AAECAwQFBgcICQoLDA0ODw==</Key><EffectiveTime>638400000000000000</EffectiveTime>"),
      std::string::npos)
      << d->xml;
}

SessionToken rich_token() {
  SessionToken t = minimal_token();
  t.persistent = false;
  t.context = "app-context <&>";
  t.key_generation = "urn:uuid:0f0e0d0c-0b0a-0908-0706-050403020100";
  t.key = Bytes(32, 0xA5);
  t.key_effective_time = kEffective + 10;
  t.key_expiry_time = kExpiry - 10;
  t.secure_conversation_version = names::ScVersion::kFeb2005;
  // Several identities; claims with properties; an actor chain three deep; a bootstrap token.
  ClaimsIdentity first = federation_identity("alice");
  first.label = "primary";
  Claim role;
  role.type = std::string(names::wif::kClaimTypeRole);
  role.value = "Admins";
  role.value_type = std::string(names::wif::kClaimValueTypeString);
  role.issuer = "LOCAL AUTHORITY";
  role.properties = {
      {"http://schemas.xmlsoap.org/ws/2005/05/identity/claimproperties/samlnameidformat", "urn:x"},
      {"p2", "v\xC3\xA9"}};
  first.claims.push_back(role);
  Claim empty_value = name_claim("");
  empty_value.original_issuer.clear();
  first.claims.push_back(empty_value);
  ClaimsIdentity actor1 = federation_identity("service-a");
  ClaimsIdentity actor2 = federation_identity("service-b");
  actor2.bootstrap_token = H("0001000000ffffffff01");
  ClaimsIdentity actor3;
  actor3.authentication_type = "Kerberos";
  actor2.actor = std::make_unique<ClaimsIdentity>(actor3);
  actor1.actor = std::make_unique<ClaimsIdentity>(actor2);
  first.actor = std::make_unique<ClaimsIdentity>(actor1);
  first.bootstrap_token = Bytes(300, 0x42);  // Bytes16Text
  t.identities = {first};
  ClaimsIdentity second;  // no attributes at all, no claims
  t.identities.push_back(second);
  ClaimsIdentity windows = federation_identity("CONTOSO\\bob");
  windows.windows_logon_name = "CONTOSO\\bob";
  t.identities.push_back(windows);
  return t;
}

TEST(SessionState, RoundTripsEveryModelField) {
  const SessionToken t = rich_token();
  auto bytes = serialize_session_state(t);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  auto back = parse_session_state(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, t);
  ASSERT_EQ(back->identities.size(), 3u);
  ASSERT_NE(back->identities[0].actor, nullptr);
  ASSERT_NE(back->identities[0].actor->actor, nullptr);
  ASSERT_NE(back->identities[0].actor->actor->actor, nullptr);
  EXPECT_EQ(back->identities[0].actor->actor->actor->authentication_type, "Kerberos");
  EXPECT_EQ(back->identities[0].claims[1].properties[1].second, "v\xC3\xA9");
  // A KeyGeneration that is a GUID UniqueId is written as UniqueIdText (RS XmlUtil).
  EXPECT_NE(hex_encode(*bytes).find("4234ad0c0d0e0f0a0b08090706050403020100"), std::string::npos);
}

TEST(SessionState, ReferenceModeWrapperAndNoPrincipal) {
  SessionToken t = minimal_token();
  t.reference_mode = true;
  t.has_principal = false;
  t.identities.clear();
  t.endpoint_id.clear();
  t.key_generation = "not-a-guid";  // a UniqueId that is not a GUID is written as text
  auto bytes = serialize_session_state(t);
  ASSERT_TRUE(bytes.ok());
  // SessionToken PersistentTrue="" ReferenceModeTrue=""
  EXPECT_EQ(hex_encode(*bytes).substr(0, 16), "42440658a8067ca8");
  // <EndpointId></EndpointId> with EmptyTextWithEndElement, then </SessionToken>.
  EXPECT_EQ(hex_encode(*bytes).substr(hex_encode(*bytes).size() - 8), "425ea901");
  auto back = parse_session_state(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, t);

  SessionToken w = minimal_token();
  w.sct_wrapper = true;
  w.sct_authorization_policy =
      SctAuthorizationClaim{"UpnClaim", std::nullopt, "bob@contoso.example"};
  auto wb = serialize_session_state(w);
  ASSERT_TRUE(wb.ok());
  EXPECT_EQ(hex_encode(*wb).substr(0, 4), "4202");  // <SecurityContextToken>: no attributes
  auto wback = parse_session_state(*wb);
  ASSERT_TRUE(wback.ok()) << wback.error().message();
  EXPECT_EQ(*wback, w);  // persistent stays true: RS only clears it for a SessionToken root

  w.sct_authorization_policy =
      SctAuthorizationClaim{"WindowsSidClaim", "http://example/right", "AQUAAAAAAAUVAAAA"};
  wb = serialize_session_state(w);
  ASSERT_TRUE(wb.ok());
  wback = parse_session_state(*wb);
  ASSERT_TRUE(wback.ok());
  EXPECT_EQ(*wback, w);
}

TEST(SessionState, SerializationRefusesWhatWifCannotCarry) {
  SessionToken t = minimal_token();
  t.id.clear();
  EXPECT_EQ(serialize_session_state(t).error().where(), "SessionToken/Id");
  t = minimal_token();
  t.identities[0].claims[0].properties = {{"", "v"}};
  auto r = serialize_session_state(t);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("ClaimProperties"), std::string::npos) << r.error().message();
  t = minimal_token();
  t.expiry_time = -1;
  EXPECT_FALSE(serialize_session_state(t).ok());
  t = minimal_token();
  ClaimsIdentity* cur = &t.identities[0];
  for (int i = 0; i < 12; ++i) {
    cur->actor = std::make_unique<ClaimsIdentity>();
    cur = cur->actor.get();
  }
  EXPECT_FALSE(serialize_session_state(t).ok());
}

// Builds a state with the NBFX writer directly, to feed the reader layouts WIF would refuse.
Bytes state_with(const std::function<Status(nbfx::Writer&)>& body) {
  nbfx::EncodeOptions o;
  o.static_dictionary = &session_dictionary();
  nbfx::Writer w(o);
  Status s = body(w);
  EXPECT_TRUE(s.ok()) << s.error().message();
  auto b = w.finish();
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

Status el(nbfx::Writer& w, std::string_view name, const nbfx::TextValue& v) {
  PARLEY_TRY(w.start_element("", name));
  PARLEY_TRY(w.text(v));
  return w.end_element();
}

// The fixed head of a state, up to KeyExpiryTime; `skip` leaves one element out.
Status head(nbfx::Writer& w, std::string_view skip = "", std::string_view version = "1") {
  using nbfx::TextValue;
  PARLEY_TRY(w.start_element("", "SessionToken"));
  if (skip != "Version") PARLEY_TRY(el(w, "Version", TextValue::chars(version)));
  PARLEY_TRY(el(w, "SecureConversationVersion", TextValue::chars(names::ns::kWsc13)));
  if (skip != "Id") PARLEY_TRY(el(w, "Id", TextValue::chars("_id")));
  if (skip != "ContextId") PARLEY_TRY(el(w, "ContextId", TextValue::chars("ctx")));
  PARLEY_TRY(el(w, "Key", TextValue::bytes(Bytes(16, 1))));
  PARLEY_TRY(el(w, "EffectiveTime", TextValue::integer(1)));
  PARLEY_TRY(el(w, "ExpiryTime", TextValue::integer(2)));
  PARLEY_TRY(el(w, "KeyEffectiveTime", TextValue::integer(1)));
  return el(w, "KeyExpiryTime", TextValue::integer(2));
}

std::string parse_error(const Bytes& b) {
  auto r = parse_session_state(b);
  return r.ok() ? "OK" : r.error().message();
}

TEST(SessionState, ParseErrorsNameTheElementAndRule) {
  using nbfx::TextValue;
  // The head alone (no principal, no EndpointId) is a valid state.
  auto ok = parse_session_state(state_with([](nbfx::Writer& w) -> Status {
    PARLEY_TRY(head(w));
    return w.end_element();
  }));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_FALSE(ok->has_principal);
  EXPECT_EQ(ok->key, Bytes(16, 1));

  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w, "ContextId"));
              return w.end_element();
            })),
            "SessionToken: expected <ContextId>, found <Key> (the layout order is fixed)");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w, "", "2"));
              return w.end_element();
            })),
            "SessionToken/Version: version '2' is not the supported \"1\"");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w));
              PARLEY_TRY(el(w, "Claim", TextValue::chars("x")));
              return w.end_element();
            })),
            "SessionToken: unexpected element <Claim>");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(w.start_element("", "Identity"));
              return w.end_element();
            })),
            "session state: root element is <Identity>, expected <SessionToken> or "
            "<SecurityContextToken>");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w));
              PARLEY_TRY(w.start_element("", "ClaimsPrincipal"));
              PARLEY_TRY(w.start_element("", "Identities"));
              PARLEY_TRY(w.start_element("", "Identity"));
              PARLEY_TRY(w.start_element("", "ClaimCollection"));
              PARLEY_TRY(w.start_element("", "Claim"));
              PARLEY_TRY(w.attribute("", "Value", TextValue::chars("v")));
              for (int i = 0; i < 5; ++i) PARLEY_TRY(w.end_element());
              return w.end_element();
            })),
            "SessionToken/ClaimsPrincipal/Identities/Identity[0]/ClaimCollection/Claim[0]: Type "
            "attribute missing");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w));
              PARLEY_TRY(w.start_element("", "ClaimsPrincipal"));
              PARLEY_TRY(w.start_element("", "Identities"));
              PARLEY_TRY(w.start_element("", "Identity"));
              PARLEY_TRY(w.start_element("", "ClaimCollection"));
              PARLEY_TRY(w.start_element("", "Claim"));
              PARLEY_TRY(w.attribute("", "Type", TextValue::chars("t")));
              PARLEY_TRY(w.attribute("", "Value", TextValue::chars("v")));
              PARLEY_TRY(w.start_element("", "ClaimProperties"));
              PARLEY_TRY(w.start_element("", "ClaimProperty"));
              PARLEY_TRY(w.attribute("", "ClaimPropertyName", TextValue::chars("n")));
              for (int i = 0; i < 7; ++i) PARLEY_TRY(w.end_element());
              return w.end_element();
            })),
            "SessionToken/ClaimsPrincipal/Identities/Identity[0]/ClaimCollection/Claim[0]/"
            "ClaimProperties/"
            "ClaimProperty[0]: ClaimPropertyValue missing or empty");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(head(w));
              PARLEY_TRY(el(w, "EndpointId", TextValue::chars("e")));
              PARLEY_TRY(w.start_element("", "Key"));
              PARLEY_TRY(w.end_element());
              return w.end_element();
            })),
            "SessionToken: unexpected element <Key>");
  // Ticks that are not an Int64, or outside DateTime's range.
  EXPECT_EQ(
      parse_error(state_with([](nbfx::Writer& w) -> Status {
        PARLEY_TRY(w.start_element("", "SessionToken"));
        PARLEY_TRY(el(w, "Version", TextValue::chars("1")));
        PARLEY_TRY(el(w, "SecureConversationVersion", TextValue::chars(names::ns::kWscFeb2005)));
        PARLEY_TRY(el(w, "Id", TextValue::chars("_id")));
        PARLEY_TRY(el(w, "ContextId", TextValue::chars("ctx")));
        PARLEY_TRY(el(w, "Key", TextValue::chars("AAAA")));
        PARLEY_TRY(el(w, "EffectiveTime", TextValue::integer(-5)));
        return w.end_element();
      })),
      "SessionToken/EffectiveTime: ticks -5 are outside DateTime's range 0..3155378975999999999");
  EXPECT_EQ(parse_error(state_with([](nbfx::Writer& w) -> Status {
              PARLEY_TRY(w.start_element("", "SessionToken"));
              PARLEY_TRY(el(w, "Version", TextValue::chars("1")));
              PARLEY_TRY(el(w, "SecureConversationVersion", TextValue::chars("urn:other")));
              return w.end_element();
            })),
            "SessionToken/SecureConversationVersion: 'urn:other' is neither the WS-SC Feb 2005 nor "
            "the 1.3 namespace");
  // A name outside the session dictionary is an NBFX error naming the id.
  std::string msg =
      parse_error(H("42"
                    "7e"
                    "01"));
  EXPECT_NE(msg.find("DictionaryString id 126 is not in the static (even ids) dictionary"),
            std::string::npos)
      << msg;
  // Prefixed element: the state has no namespaces.
  msg =
      parse_error(H("44"
                    "44"
                    "01"));
  EXPECT_NE(msg.find("no namespaces"), std::string::npos) << msg;
}

TEST(SessionState, ActorDepthIsBounded) {
  auto deep = [](int levels) {
    return state_with([levels](nbfx::Writer& w) -> Status {
      PARLEY_TRY(head(w));
      PARLEY_TRY(w.start_element("", "ClaimsPrincipal"));
      PARLEY_TRY(w.start_element("", "Identities"));
      PARLEY_TRY(w.start_element("", "Identity"));
      for (int i = 0; i < levels; ++i) {
        PARLEY_TRY(w.start_element("", "Actor"));
        PARLEY_TRY(w.start_element("", "Identity"));
      }
      for (int i = 0; i < 2 * levels + 3; ++i) PARLEY_TRY(w.end_element());
      return w.end_element();
    });
  };
  EXPECT_TRUE(parse_session_state(deep(8)).ok());
  auto r = parse_session_state(deep(9));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(r.error().message().find("max_actor_depth 8"), std::string::npos);
  // The NBFX depth limit stops much deeper chains before the model does.
  r = parse_session_state(deep(40));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("max_depth"), std::string::npos) << r.error().message();
}

TEST(SessionState, TruncationAtEveryOffsetIsAnError) {
  auto minimal = serialize_session_state(minimal_token());
  ASSERT_TRUE(minimal.ok());
  for (std::size_t n = 0; n < minimal->size(); ++n) {
    EXPECT_FALSE(parse_session_state(ByteView(*minimal).first(n)).ok()) << n;
  }
  // The rich token (about 2.6 KB) at every 7th offset and the last 64, to keep the test short.
  auto rich = serialize_session_state(rich_token());
  ASSERT_TRUE(rich.ok());
  for (std::size_t n = 0; n < rich->size(); ++n) {
    if (n % 7 != 0 && n + 64 < rich->size()) continue;
    EXPECT_FALSE(parse_session_state(ByteView(*rich).first(n)).ok()) << n;
  }
}

// --- BinaryFormatter frame --------------------------------------------------------------------

TEST(CookiePayload, BinaryFormatterFrameLayout) {
  const Bytes state = H("4244010203");
  const Bytes framed = wrap_binary_formatter(state);
  const std::string lib =
      "System.IdentityModel, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
  const std::string cls = "System.IdentityModel.Tokens.SessionSecurityToken";
  // [MS-NRBF] records, assembled by hand: header, BinaryLibrary, ClassWithMembersAndTypes,
  // MemberReference, ArraySinglePrimitive, MessageEnd.
  std::string want = "0001000000ffffffff0100000000000000";
  want += "0c02000000" + hex_encode(Bytes{static_cast<std::uint8_t>(lib.size())}) +
          hex_encode(to_bytes(lib));
  want += "0501000000" + hex_encode(Bytes{static_cast<std::uint8_t>(cls.size())}) +
          hex_encode(to_bytes(cls));
  want +=
      "01000000"
      "0c" +
      hex_encode(to_bytes("SessionToken")) +
      "0702"
      "02000000";
  want += "0903000000";
  want +=
      "0f03000000"
      "05000000"
      "02"
      "4244010203";
  want += "0b";
  EXPECT_EQ(hex_encode(framed), want);
  auto back = unwrap_binary_formatter(framed);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, state);
  for (std::size_t n = 0; n < framed.size(); ++n) {
    auto cut = unwrap_binary_formatter(ByteView(framed).first(n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.error().where(), "BinaryFormatter frame");
  }
  Bytes trailing = framed;
  trailing.push_back(0);
  EXPECT_NE(unwrap_binary_formatter(trailing).error().message().find("after MessageEnd"),
            std::string::npos);
  Bytes long_array = framed;
  long_array[framed.size() - 11] = 0x7F;  // Length low byte of ArraySinglePrimitive
  EXPECT_FALSE(unwrap_binary_formatter(long_array).ok());
}

TEST(CookiePayload, DecodeDetectsTheFraming) {
  const SessionToken t = minimal_token();
  auto framed = encode_cookie_payload(t);
  auto raw = encode_cookie_payload(t, CookieFraming::kRawNbfx);
  ASSERT_TRUE(framed.ok() && raw.ok());
  EXPECT_EQ(hex_encode(*raw), kMinimalStateHex);
  EXPECT_EQ((*framed)[0], 0x00);
  auto a = decode_cookie_payload(*framed);
  auto b = decode_cookie_payload(*raw);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, t);
  EXPECT_EQ(*b, t);
}

// --- SCT XML ----------------------------------------------------------------------------------

TEST(SecurityContextTokenXml, WriterLayout) {
  SessionToken t = minimal_token();
  const Bytes cookie = H("0102030405");
  const std::string xml = write_security_context_token(t, cookie);
  EXPECT_EQ(xml,
            "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            "<SecurityContextToken p1:Id=\"_6f3b1c0a-2d4e-4f5a-8b9c-0d1e2f3a4b5c-1\" "
            "xmlns:p1=\"http://docs.oasis-open.org/wss/2004/01/"
            "oasis-200401-wss-wssecurity-utility-1.0.xsd\" "
            "xmlns=\"http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512\">"
            "<Identifier>urn:uuid:00112233-4455-6677-8899-aabbccddeeff</Identifier>"
            "<Cookie xmlns=\"http://schemas.microsoft.com/ws/2006/05/security\">AQIDBAU=</Cookie>"
            "</SecurityContextToken>");
  auto parsed = read_security_context_token(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->version, names::ScVersion::k1_3);
  EXPECT_EQ(parsed->id, t.id);
  EXPECT_EQ(parsed->context_id, t.context_id);
  EXPECT_FALSE(parsed->instance.has_value());
  ASSERT_TRUE(parsed->cookie.has_value());
  EXPECT_EQ(*parsed->cookie, cookie);
  EXPECT_TRUE(check_cookie_matches(*parsed, t).ok());
}

TEST(SecurityContextTokenXml, ReferenceModeHasNoCookie) {
  SessionToken t = minimal_token();
  t.reference_mode = true;
  t.key_generation = "urn:uuid:0f0e0d0c-0b0a-0908-0706-050403020100";
  t.secure_conversation_version = names::ScVersion::kFeb2005;
  SctWriteOptions o;
  o.utf8_bom = false;
  o.xml_declaration = false;
  const std::string xml = write_security_context_token(t, H("ff"), o);
  EXPECT_EQ(xml.find("Cookie"), std::string::npos);
  EXPECT_NE(xml.find("<Instance>urn:uuid:0f0e0d0c-0b0a-0908-0706-050403020100</Instance>"),
            std::string::npos);
  EXPECT_NE(xml.find("xmlns=\"http://schemas.xmlsoap.org/ws/2005/02/sc\""), std::string::npos);
  auto parsed = read_security_context_token(xml);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->version, names::ScVersion::kFeb2005);
  EXPECT_FALSE(parsed->cookie.has_value());
  EXPECT_EQ(parsed->instance, t.key_generation);
}

TEST(SecurityContextTokenXml, ParseAndMatchErrors) {
  auto r = read_security_context_token(
      "<SecurityContextToken xmlns=\"urn:x\"><Identifier>a</Identifier></SecurityContextToken>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a WS-SC Feb 2005 or 1.3 SecurityContextToken"),
            std::string::npos);
  const std::string ns = std::string(names::ns::kWsc13);
  r = read_security_context_token("<SecurityContextToken xmlns=\"" + ns +
                                  "\"><Instance>1</Instance></SecurityContextToken>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where(), "SecurityContextToken/Identifier");
  r = read_security_context_token("<SecurityContextToken xmlns=\"" + ns +
                                  "\"><Identifier>a</Identifier><Extra/></SecurityContextToken>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unexpected element"), std::string::npos);
  r = read_security_context_token(
      "<SecurityContextToken xmlns=\"" + ns + "\"><Identifier>a</Identifier><Cookie xmlns=\"" +
      std::string(names::ns::kDnse) + "\">!!</Cookie></SecurityContextToken>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("SecurityContextToken/Cookie"), std::string::npos);

  SessionToken t = minimal_token();
  SecurityContextTokenXml sct;
  sct.id = t.id;
  sct.context_id = "urn:uuid:ffffffff-4455-6677-8899-aabbccddeeff";
  auto m = check_cookie_matches(sct, t);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::kVerification);
  EXPECT_NE(m.error().message().find("differs from Identifier"), std::string::npos);
  sct.context_id = t.context_id;
  sct.id = "_other";
  EXPECT_NE(check_cookie_matches(sct, t).error().message().find("differs from wsu:Id"),
            std::string::npos);
}

// --- time and JSON ----------------------------------------------------------------------------

TEST(SessionTokenTime, Iso8601) {
  EXPECT_EQ(*ticks_to_iso8601(0), "0001-01-01T00:00:00.0000000Z");
  EXPECT_EQ(*ticks_to_iso8601(kUnixEpochTicks), "1970-01-01T00:00:00.0000000Z");
  EXPECT_EQ(*ticks_to_iso8601(kMaxTicks), "9999-12-31T23:59:59.9999999Z");
  EXPECT_EQ(*ticks_to_iso8601(kEffective), "2024-01-04T21:20:00.0000000Z");
  EXPECT_EQ(*ticks_to_iso8601(638396640000000000), "2024-01-01T00:00:00.0000000Z");
  EXPECT_FALSE(ticks_to_iso8601(-1).ok());
  EXPECT_EQ(*ticks_from_iso8601("2024-01-04T21:20:00Z"), kEffective);
  EXPECT_EQ(*ticks_from_iso8601("2024-01-05T07:20:00.5Z"), kExpiry + 5000000);
  EXPECT_EQ(*ticks_from_iso8601("9999-12-31T23:59:59.9999999Z"), kMaxTicks);
  for (const char* bad :
       {"2024-01-01T00:00:00", "2024-01-01T00:00:00+01:00", "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-01-01T00:00:00.12345678Z", "2024-01-01 00:00:00Z", ""}) {
    EXPECT_FALSE(ticks_from_iso8601(bad).ok()) << bad;
  }
}

TEST(SessionTokenJson, ExactFormAndRoundTrip) {
  const nlohmann::json j = to_json(minimal_token());
  const nlohmann::json want = nlohmann::json::parse(R"({
    "id": "_6f3b1c0a-2d4e-4f5a-8b9c-0d1e2f3a4b5c-1",
    "context_id": "urn:uuid:00112233-4455-6677-8899-aabbccddeeff",
    "key_generation": null,
    "key": "AAECAwQFBgcICQoLDA0ODw==",
    "effective_time": "2024-01-04T21:20:00.0000000Z",
    "expiry_time": "2024-01-05T07:20:00.0000000Z",
    "key_effective_time": "2024-01-04T21:20:00.0000000Z",
    "key_expiry_time": "2024-01-05T07:20:00.0000000Z",
    "secure_conversation_version": "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512",
    "persistent": true,
    "reference_mode": false,
    "context": "",
    "endpoint_id": "https://rp.example/",
    "sct_wrapper": false,
    "identities": [{
      "authentication_type": "Federation",
      "label": "",
      "name_claim_type": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
      "role_claim_type": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
      "claims": [{
        "type": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "value": "alice",
        "value_type": "http://www.w3.org/2001/XMLSchema#string",
        "issuer": "https://sts.example/",
        "original_issuer": "https://sts.example/",
        "properties": []
      }],
      "actor": null,
      "bootstrap_token": null
    }],
    "sct_authorization_policy": null
  })");
  EXPECT_EQ(j, want) << j.dump(2);
  for (const SessionToken& t : {minimal_token(), rich_token()}) {
    auto back = session_token_from_json(to_json(t));
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, t);
  }
  SessionToken none = minimal_token();
  none.has_principal = false;
  none.identities.clear();
  none.sct_wrapper = true;
  none.sct_authorization_policy = SctAuthorizationClaim{"SystemClaim", std::nullopt, ""};
  auto back = session_token_from_json(to_json(none));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, none);
}

TEST(SessionTokenJson, ErrorsNameTheMember) {
  nlohmann::json j = to_json(minimal_token());
  j["expiry_time"] = kExpiry;  // ticks are accepted too
  auto ok = session_token_from_json(j);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->expiry_time, kExpiry);
  j["colour"] = "blue";
  EXPECT_EQ(session_token_from_json(j).error().message(), "unknown member 'colour'");
  j.erase("colour");
  j["identities"][0]["claims"][0]["value"] = 5;
  EXPECT_EQ(session_token_from_json(j).error().where(), "identities[0].claims[0].value");
  j = to_json(minimal_token());
  j["key"] = "!!";
  EXPECT_EQ(session_token_from_json(j).error().where(), "key");
  j = to_json(minimal_token());
  j["effective_time"] = "yesterday";
  EXPECT_EQ(session_token_from_json(j).error().where(), "effective_time");
  j = to_json(minimal_token());
  j["secure_conversation_version"] = "urn:x";
  EXPECT_FALSE(session_token_from_json(j).ok());
  j = to_json(minimal_token());
  j.erase("effective_time");
  EXPECT_NE(session_token_from_json(j).error().message().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace parley::wif
