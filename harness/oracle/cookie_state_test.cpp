// The cookie-mode state codec and key ring: WCF's NBFX layout byte for byte, round trips,
// rotation, and every kind of damage refused with an error that names it.
#include "harness/oracle/cookie_state.h"

#include <gtest/gtest.h>

namespace parley::oracle::cookie {
namespace {

namespace nbfx = wif::nbfx;

CookieState small_state() {
  CookieState s;
  s.id = "uuid-1";
  s.context_id = "urn:uuid:00112233-4455-6677-8899-aabbccddeeff";
  for (std::uint8_t i = 1; i <= 16; ++i) s.key.push_back(i);
  s.effective_time = 0;
  s.expiry_time = 1;
  s.key_effective_time = 127;
  s.key_expiry_time = 638000000000000000;
  return s;
}

CookieState full_state() {
  CookieState s;
  s.id = "uuid-9f0c1d2e-0000-4000-8000-000000000001-3";
  s.context_id = "urn:uuid:9f0c1d2e-0000-4000-8000-000000000001";
  s.key = Bytes(32, 0xAB);
  s.key_generation = "urn:uuid:9f0c1d2e-0000-4000-8000-0000000000ff";
  s.effective_time = 639028224000000000;                        // 2026-01-01T00:00:00Z
  s.expiry_time = s.effective_time + 10LL * 3600 * 10'000'000;  // + 10 h
  s.key_effective_time = s.effective_time;
  s.key_expiry_time = s.effective_time + 3600LL * 10'000'000;
  s.principal = Principal{"alice", "UserName"};
  return s;
}

KeyRing ring_of(std::vector<std::pair<std::string, std::uint8_t>> keys) {
  std::vector<KeyRing::Key> k;
  for (auto& [id, fill] : keys) k.push_back({id, Bytes(32, fill)});
  auto r = KeyRing::create(std::move(k));
  EXPECT_TRUE(r.ok()) << r.error().message();
  return std::move(r).value();
}

TEST(CookieState, DictionaryIsWcfsSctClaimDictionary) {
  const auto& d = sct_claim_dictionary();
  EXPECT_EQ(d.size(), 50u);
  EXPECT_EQ(*d.find(0), "SecurityContextSecurityToken");
  EXPECT_EQ(*d.find(2), "Version");
  EXPECT_EQ(*d.find(22), "KeyExpiryTime");
  EXPECT_EQ(*d.find(76), "X500DistinguishedClaim");
  EXPECT_EQ(*d.find(98), "");
  EXPECT_EQ(d.find_id("GenericIdentity"), 48u);
}

TEST(CookieState, SerializesAsWcfsCookieSerializerWrites) {
  auto bytes = serialize_state(small_state());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  // ShortDictionaryElement names; Version OneText; Id Chars8; ContextId UniqueIdText (.NET GUID
  // byte order); Key Bytes8; times as the smallest integer record; all *WithEndElement.
  EXPECT_EQ(hex_encode(*bytes),
            "4200"                                      // <SecurityContextSecurityToken>
            "420283"                                    // <Version>1</Version>
            "42069906757569642d31"                      // <Id>uuid-1</Id>
            "4204ad33221100554477668899aabbccddeeff"    // <ContextId>urn:uuid:...</ContextId>
            "42089f100102030405060708090a0b0c0d0e0f10"  // <Key>base64</Key>
            "420e81"                                    // <EffectiveTime>0</EffectiveTime>
            "421083"                                    // <ExpiryTime>1</ExpiryTime>
            "4214897f"                                  // <KeyEffectiveTime>127</KeyEffectiveTime>
            "42168f0000b3a69ea1da08"  // <KeyExpiryTime>638000000000000000</KeyExpiryTime>
            "01");
  nbfx::DecodeOptions o;
  o.static_dictionary = &sct_claim_dictionary();
  auto xml = nbfx::decode(*bytes, o);
  ASSERT_TRUE(xml.ok());
  EXPECT_EQ(
      xml->xml,
      "<SecurityContextSecurityToken><Version>1</Version><Id>uuid-1</Id>"
      "<ContextId>urn:uuid:00112233-4455-6677-8899-aabbccddeeff</ContextId>"
      "<Key>AQIDBAUGBwgJCgsMDQ4PEA==</Key><EffectiveTime>0</EffectiveTime><ExpiryTime>1</"
      "ExpiryTime>"
      "<KeyEffectiveTime>127</KeyEffectiveTime><KeyExpiryTime>638000000000000000</KeyExpiryTime>"
      "</SecurityContextSecurityToken>");
}

TEST(CookieState, PrincipalIsWrittenAsIdentityAndClaimSet) {
  auto bytes = serialize_state(full_state());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  nbfx::DecodeOptions o;
  o.static_dictionary = &sct_claim_dictionary();
  auto xml = nbfx::decode(*bytes, o);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(
      xml->xml.find("<KeyGeneration>urn:uuid:9f0c1d2e-0000-4000-8000-0000000000ff</KeyGeneration>"
                    "<EffectiveTime>639028224000000000</EffectiveTime>"),
      std::string::npos)
      << xml->xml;
  EXPECT_NE(
      xml->xml.find(
          "<Identities><PrimaryIdentity><GenericIdentity AuthenticationType=\"UserName\">alice"
          "</GenericIdentity></PrimaryIdentity></Identities><ClaimSets><ClaimSet><PrimaryIssuer>"
          "<SystemClaimSet></SystemClaimSet></PrimaryIssuer><Claim><NameClaim Right=\"http://"
          "schemas.xmlsoap.org/ws/2005/05/identity/right/identity\">alice</NameClaim></Claim>"
          "<Claim><NameClaim>alice</NameClaim></Claim></ClaimSet></ClaimSets>"
          "</SecurityContextSecurityToken>"),
      std::string::npos)
      << xml->xml;
}

TEST(CookieState, RoundTrips) {
  for (const CookieState& s : {small_state(), full_state()}) {
    auto bytes = serialize_state(s);
    ASSERT_TRUE(bytes.ok());
    auto back = parse_state(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, s);
  }
  // WCF's reader takes the root's children in any order.
  auto reordered = nbfx::encode(
      "<SecurityContextSecurityToken><KeyExpiryTime>9</KeyExpiryTime><Key>AQID</Key><Id>x</Id>"
      "<ContextId>urn:example:ctx</ContextId><EffectiveTime>1</EffectiveTime><ExpiryTime>2</"
      "ExpiryTime>"
      "<KeyEffectiveTime>3</KeyEffectiveTime><Version>1</Version></SecurityContextSecurityToken>",
      [] {
        nbfx::EncodeOptions o;
        o.static_dictionary = &sct_claim_dictionary();
        return o;
      }());
  ASSERT_TRUE(reordered.ok());
  auto st = parse_state(*reordered);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->context_id, "urn:example:ctx");
  EXPECT_EQ(st->key, (Bytes{1, 2, 3}));
  EXPECT_EQ(st->key_expiry_time, 9);
}

TEST(CookieState, TimeConversionIsDotNetTicks) {
  const Clock::time_point t =
      Clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z
  auto ticks = to_ticks(t);
  ASSERT_TRUE(ticks.ok());
  EXPECT_EQ(*ticks, 639028224000000000);
  EXPECT_EQ(from_ticks(*ticks), t);
  EXPECT_EQ(from_ticks(kMaxTicks), Clock::time_point::max());  // year 9999: "never"
}

// Encodes XML text with the dictionary (the hostile-input tests build bad states this way).
Bytes state_bytes(std::string_view xml) {
  nbfx::EncodeOptions o;
  o.static_dictionary = &sct_claim_dictionary();
  auto b = nbfx::encode(xml, o);
  EXPECT_TRUE(b.ok()) << b.error().message();
  return b.ok() ? *b : Bytes{};
}

std::string state_xml(std::string_view replace_what, std::string_view with) {
  std::string xml =
      "<SecurityContextSecurityToken><Version>1</Version><Id>x</Id><ContextId>urn:uuid:1</"
      "ContextId><Key>AQID</Key>"
      "<EffectiveTime>1</EffectiveTime><ExpiryTime>2</ExpiryTime><KeyEffectiveTime>1</"
      "KeyEffectiveTime>"
      "<KeyExpiryTime>2</KeyExpiryTime></SecurityContextSecurityToken>";
  if (!replace_what.empty()) {
    const auto at = xml.find(replace_what);
    EXPECT_NE(at, std::string::npos) << replace_what;
    xml.replace(at, replace_what.size(), with);
  }
  return xml;
}

TEST(CookieState, BadStatesAreRefusedWithTheReason) {
  ASSERT_TRUE(parse_state(state_bytes(state_xml("", ""))).ok());
  struct Case {
    std::string_view what, with, expected;
  };
  const Case cases[] = {
      {"<Version>1</Version>", "<Version>2</Version>", "version 2 is not the supported 1"},
      {"<Key>AQID</Key>", "", "missing <Key>"},
      {"<Key>AQID</Key>", "<Key></Key>", "Key is empty"},
      {"<Id>x</Id>", "<Id>x</Id><Id>y</Id>", "element appears twice"},
      {"<Id>x</Id>", "<Id>x</Id><IsCookieMode>1</IsCookieMode>", "unknown element <IsCookieMode>"},
      {"<ExpiryTime>2</ExpiryTime>", "<ExpiryTime>3155378976000000000</ExpiryTime>",
       "ticks 3155378976000000000 are outside DateTime's range"},
      {"<KeyEffectiveTime>1</KeyEffectiveTime>", "<KeyEffectiveTime>-1</KeyEffectiveTime>",
       "outside DateTime"},
      {"<EffectiveTime>1</EffectiveTime>", "<EffectiveTime>5</EffectiveTime>",
       "EffectiveTime is after ExpiryTime"},
      {"<ExpiryTime>2</ExpiryTime>", "<ExpiryTime>soon</ExpiryTime>", "'soon' is not an Int64"},
      {"<Id>x</Id>", "<Id a=\"1\">x</Id>", "unexpected attribute 'a'"},
      {"<Key>AQID</Key>", "<Key>!!</Key>", "content is not base64"},
      {"<Id>x</Id>",
       "<Id>x</Id><Identities><PrimaryIdentity><GenericIdentity>alice</GenericIdentity>"
       "</PrimaryIdentity></Identities>",
       "Identities and ClaimSets come together"},
  };
  for (const Case& c : cases) {
    auto r = parse_state(state_bytes(state_xml(c.what, c.with)));
    ASSERT_FALSE(r.ok()) << c.with;
    EXPECT_NE(r.error().message().find(c.expected), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().where().rfind("dnse:Cookie", 0), 0u) << r.error().message();
  }
  // A name claim that names someone else than the identity.
  auto full = serialize_state(full_state());
  ASSERT_TRUE(full.ok());
  auto xml = nbfx::decode(*full, [] {
    nbfx::DecodeOptions o;
    o.static_dictionary = &sct_claim_dictionary();
    return o;
  }());
  ASSERT_TRUE(xml.ok());
  std::string text = xml->xml;
  text.replace(text.rfind("alice</NameClaim>"), 5, "mallory");
  auto r = parse_state(state_bytes(text));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.error().message().find("the name claim 'mallory' does not match the identity 'alice'"),
      std::string::npos)
      << r.error().message();
}

TEST(CookieState, BadNbfxIsAParseErrorNamingTheRecord) {
  auto bytes = serialize_state(small_state());
  ASSERT_TRUE(bytes.ok());
  for (std::size_t n = 0; n < bytes->size(); ++n) {  // every truncation
    auto r = parse_state(ByteView(*bytes).first(n));
    ASSERT_FALSE(r.ok()) << n;
  }
  auto r = parse_state(ByteView(*bytes).first(12));
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("not valid .NET Binary XML"), std::string::npos)
      << r.error().message();
  Bytes unknown_id = {0x42, 0xC8, 0x01,
                      0x01};  // ShortDictionaryElement id 200: not in the dictionary
  r = parse_state(unknown_id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("200"), std::string::npos) << r.error().message();
  r = parse_state(Bytes(20000, 0x40), StateLimits{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
}

TEST(KeyRing, FileFormat) {
  auto ring = KeyRing::parse(
      "# parley cookie key ring: first key seals\n"
      "\n"
      "k2 " +
      std::string(64, 'a') +
      "\r\n"
      "  k1\tbase64:" +
      base64_encode(Bytes(32, 1)) + "  \n");
  ASSERT_TRUE(ring.ok()) << ring.error().message();
  EXPECT_EQ(ring->current_id(), "k2");
  EXPECT_EQ(ring->ids(), (std::vector<std::string>{"k2", "k1"}));
  EXPECT_EQ(ring->sealer().current_key_id(), "k2");

  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {"", "holds no key"},
      {"# only a comment\n", "holds no key"},
      {"k1\n", "line 1: expected \"ID KEY\""},
      {"k1 " + std::string(64, 'a') + " extra\n", "line 1: expected \"ID KEY\""},
      {"k1 " + std::string(64, 'a') + "\nk2 abcd\n", "key 'k2' is 2 bytes; AES-256 needs 32"},
      {"k1 " + std::string(64, 'a') + "\nk1 " + std::string(64, 'b') + "\n",
       "key id 'k1' appears twice"},
      {"k/1 " + std::string(64, 'a') + "\n", "key id 'k/1' must be"},
      {"\n\nk1 " + std::string(63, 'a') + "z\n", "line 3: key 'k1' is neither hex nor base64"},
  };
  for (const Case& c : cases) {
    auto r = KeyRing::parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message().find(c.expected), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().find(std::string(16, 'a')), std::string::npos)
        << "key material in the error";
  }
  auto inline_keys =
      KeyRing::parse_lines({"new " + std::string(64, '1'), "old " + std::string(64, '2')});
  ASSERT_TRUE(inline_keys.ok());
  EXPECT_EQ(inline_keys->current_id(), "new");
}

TEST(Cookie, SealOpenAndRotation) {
  const CookieState s = full_state();
  KeyRing old_only = ring_of({{"old", 1}});
  auto sealed = seal_cookie(old_only, s);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message();
  // Header: format version 1, key id length, key id; then nonce, ciphertext, tag.
  EXPECT_EQ(hex_encode(ByteView(*sealed).first(5)), "01036f6c64");
  auto opened = open_cookie(old_only, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(*opened, s);

  // Rotation: a new current key; cookies sealed under the old one still open.
  KeyRing rotated = ring_of({{"new", 2}, {"old", 1}});
  opened = open_cookie(rotated, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(*opened, s);
  auto resealed = seal_cookie(rotated, s);
  ASSERT_TRUE(resealed.ok());
  EXPECT_EQ(hex_encode(ByteView(*resealed).first(5)), "01036e6577");  // sealed under "new"
  EXPECT_FALSE(open_cookie(old_only, *resealed).ok());

  // The old key removed: its cookies no longer open.
  KeyRing new_only = ring_of({{"new", 2}});
  auto r = open_cookie(new_only, *sealed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.error().message().find("unknown key id 'old' (key ring: new)"), std::string::npos)
      << r.error().message();

  // Same id, other key material (another farm): the tag does not verify.
  KeyRing impostor = ring_of({{"old", 9}});
  r = open_cookie(impostor, *sealed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kVerification);
  EXPECT_NE(r.error().message().find("authentication tag mismatch under key 'old'"),
            std::string::npos)
      << r.error().message();
}

TEST(Cookie, EveryFlippedBitAndEveryTruncationFails) {
  KeyRing ring = ring_of({{"k1", 3}});
  auto sealed = seal_cookie(ring, small_state());
  ASSERT_TRUE(sealed.ok());
  for (std::size_t bit = 0; bit < sealed->size() * 8; ++bit) {
    Bytes damaged = *sealed;
    damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto r = open_cookie(ring, damaged);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_NE(r.error().code(), ErrorCode::kInternal);
  }
  for (std::size_t n = 0; n < sealed->size(); ++n) {
    ASSERT_FALSE(open_cookie(ring, ByteView(*sealed).first(n)).ok()) << n;
  }
  // The format version byte is authenticated and checked.
  Bytes v2 = *sealed;
  v2[0] = 0x02;
  auto r = open_cookie(ring, v2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unknown format version 0x02"), std::string::npos)
      << r.error().message();
  r = open_cookie(ring, ByteView(*sealed).first(20));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("shorter than header"), std::string::npos)
      << r.error().message();
}

TEST(Cookie, SizeLimits) {
  KeyRing ring = ring_of({{"k1", 3}});
  CookieLimits tight;
  tight.max_cookie_bytes = 64;
  auto r = seal_cookie(ring, full_state(), tight);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  auto o = open_cookie(ring, Bytes(9000, 1));
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(o.error().message().find("9000 bytes, over the limit of 8192"), std::string::npos);
  CookieState big = full_state();
  big.key = Bytes(600, 1);  // over StateLimits::max_key_bytes once opened
  auto sealed = seal_cookie(ring, big);
  ASSERT_TRUE(sealed.ok());
  o = open_cookie(ring, *sealed);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code(), ErrorCode::kLimitExceeded);
}

TEST(CookieState, SerializeRefusesWhatCannotBeRead) {
  CookieState s = small_state();
  s.id.clear();
  EXPECT_FALSE(serialize_state(s).ok());
  s = small_state();
  s.key_expiry_time = kMaxTicks + 1;
  auto r = serialize_state(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("outside 0..3155378975999999999 ticks"), std::string::npos);
  s = small_state();
  s.key_effective_time = 5;
  s.key_expiry_time = 4;
  EXPECT_FALSE(serialize_state(s).ok());
}

}  // namespace
}  // namespace parley::oracle::cookie
