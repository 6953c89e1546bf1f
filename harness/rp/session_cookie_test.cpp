// The FedAuth session cookie both ways, every way a cookie is refused, and the cookie faults.
#include "harness/rp/session_cookie.h"

#include <gtest/gtest.h>

#include "harness/wssc/tokens.h"

namespace parley::rp {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kNow = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());

wif::MachineKeyConfig machine_key() {
  wif::MachineKeyConfig c;
  c.decryption_key = Bytes(32, 0x11);
  c.validation_key = Bytes(64, 0x22);
  return c;
}

CookieProtection protection(const wif::MachineKeyConfig& mk = machine_key()) {
  CookieProtection p;
  p.transforms.push_back(std::make_shared<wif::DeflateCookieTransform>());
  auto t = wif::MachineKeyCookieTransform::create(mk);
  EXPECT_TRUE(t.ok());
  p.transforms.push_back(std::make_shared<wif::MachineKeyCookieTransform>(std::move(*t)));
  p.machine_key = mk;
  return p;
}

SessionCookieConfig config(SessionMode mode = SessionMode::kValue) {
  SessionCookieConfig c;
  c.attributes.path = "/app/";
  c.endpoint_id = "/app/";
  c.mode = mode;
  c.max_clock_skew = 60s;
  return c;
}

wif::SessionToken token(Clock::time_point from = kNow, Clock::time_point to = kNow + 1h, int claims = 3) {
  wif::SessionToken t;
  t.context_id = wssc::new_uuid_urn();
  t.id = "_" + t.context_id.substr(9) + "-1";
  t.key = Bytes(16, 0x5a);
  t.effective_time = t.key_effective_time = to_ticks(from);
  t.expiry_time = t.key_expiry_time = to_ticks(to);
  t.endpoint_id = "/app/";
  wif::ClaimsIdentity id;
  id.authentication_type = "Federation";
  for (int i = 0; i < claims; ++i) {
    id.claims.push_back({std::string(names::wif::kClaimTypeName), "user-" + std::to_string(i) + std::string(40, 'x'),
                         std::string(names::wif::kClaimValueTypeString), "urn:parley:sts", "urn:parley:sts", {}});
  }
  id.bootstrap_token = to_bytes("<saml:Assertion/>");
  t.identities.push_back(std::move(id));
  return t;
}

// What a browser would send back after applying the Set-Cookie headers.
wif::ChunkedCookieJar browser(const std::vector<wif::SetCookie>& set, wif::ChunkedCookieJar jar = {}) {
  for (const auto& c : set) {
    if (c.deletion) {
      wif::ChunkedCookieJar kept;
      for (const auto& [n, v] : jar.cookies()) {
        if (n != c.name) kept.set(n, v);
      }
      jar = kept;
    } else {
      jar.set(c.name, c.value);
    }
  }
  return jar;
}

std::string whole_value(const wif::ChunkedCookieJar& jar) {
  return **jar.reassemble("FedAuth", wif::default_chunking(wif::ChunkingStyle::kWif));
}

wif::ChunkedCookieJar single(std::string value) {
  wif::ChunkedCookieJar jar;
  jar.set("FedAuth", std::move(value));
  return jar;
}

struct Fixture {
  explicit Fixture(SessionMode mode = SessionMode::kValue, FaultSet faults = {},
                   SessionCookieConfig cfg = config())
      : cache(std::make_shared<MruSessionCache>()) {
    cfg.mode = mode;
    codec = std::make_unique<SessionCookieCodec>(cfg, protection(), cache, faults);
  }
  std::shared_ptr<MruSessionCache> cache;
  std::unique_ptr<SessionCookieCodec> codec;

  wif::ChunkedCookieJar issued(const wif::SessionToken& t) {
    auto set = codec->issue(t, {}, kNow);
    EXPECT_TRUE(set.ok()) << set.error().message();
    return browser(*set);
  }
  Result<std::optional<wif::SessionToken>> read(const wif::ChunkedCookieJar& jar, Clock::time_point at = kNow) {
    return codec->read(jar, at);
  }
};

TEST(SessionCookie, ByValueRoundTripKeepsEveryField) {
  Fixture f;
  const wif::SessionToken t = token();
  auto set = f.codec->issue(t, {}, kNow);
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->size(), 1u);
  const wif::SetCookie& c = set->front();
  EXPECT_EQ(c.name, "FedAuth");
  EXPECT_EQ(c.attributes.path, "/app/");
  EXPECT_TRUE(c.attributes.secure);
  EXPECT_TRUE(c.attributes.http_only);
  EXPECT_FALSE(c.attributes.expires.has_value());  // a session cookie unless persistent
  auto sct = wif::read_security_context_token(to_string(*base64_decode(c.value)));
  ASSERT_TRUE(sct.ok());
  EXPECT_EQ(sct->context_id, t.context_id);
  EXPECT_TRUE(sct->cookie.has_value());
  auto back = f.read(browser(*set));
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, t);
}

TEST(SessionCookie, LargeTokensAreChunkedAndReassembled) {
  SessionCookieConfig cfg = config();
  cfg.chunking.chunk_size = 1000;
  Fixture f(SessionMode::kValue, {}, cfg);
  const wif::SessionToken t = token(kNow, kNow + 1h, 200);
  auto set = f.codec->issue(t, {}, kNow);
  ASSERT_TRUE(set.ok());
  ASSERT_GE(set->size(), 3u);
  EXPECT_EQ((*set)[1].name, "FedAuth1");
  EXPECT_EQ((*set)[2].name, "FedAuth2");
  for (std::size_t i = 0; i + 1 < set->size(); ++i) EXPECT_EQ((*set)[i].value.size(), 1000u);
  EXPECT_EQ(**f.read(browser(*set)), t);
}

TEST(SessionCookie, ReferenceModeKeepsTheTokenInTheCache) {
  Fixture f(SessionMode::kReference);
  const wif::SessionToken t = token(kNow, kNow + 1h, 200);
  auto set = f.codec->issue(t, {}, kNow);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->size(), 1u);
  EXPECT_LT(set->front().value.size(), 600u);  // the SCT without <Cookie>
  auto sct = wif::read_security_context_token(to_string(*base64_decode(set->front().value)));
  ASSERT_TRUE(sct.ok());
  EXPECT_FALSE(sct->cookie.has_value());
  EXPECT_EQ(f.cache->size(), 1u);
  auto back = f.read(browser(*set));
  ASSERT_TRUE(back.ok()) << back.error().message();
  wif::SessionToken expected = t;
  expected.reference_mode = true;
  EXPECT_EQ(**back, expected);
  // Forgotten (sign-out) or evicted: the same cookie no longer works.
  ASSERT_TRUE(f.codec->forget(t.context_id, t.key_generation).ok());
  auto gone = f.read(browser(*set));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(gone.error().message().find("no cached session for " + t.context_id), std::string::npos);
}

TEST(SessionCookie, ModesDoNotReadEachOthersCookies) {
  Fixture by_value;
  Fixture by_reference(SessionMode::kReference);
  const wif::SessionToken t = token();
  auto v = by_reference.read(by_value.issued(t));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("keeps sessions by reference"), std::string::npos);
  auto r = by_value.read(by_reference.issued(t));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no <Cookie> element"), std::string::npos);
}

TEST(SessionCookie, NoCookieIsNoSession) {
  Fixture f;
  auto r = f.read({});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(SessionCookie, ExpiryAndNotYetValidUseTheSkew) {
  Fixture f;
  auto jar = f.issued(token(kNow, kNow + 10min));
  EXPECT_TRUE(f.read(jar, kNow + 10min + 59s).ok());  // inside the 60 s skew
  auto expired = f.read(jar, kNow + 10min + 61s);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().requirement(), "RP-SESS-02");
  EXPECT_NE(expired.error().message().find("the session expired at"), std::string::npos);

  auto future = f.issued(token(kNow + 5min, kNow + 1h));
  auto early = f.read(future, kNow);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().requirement(), "RP-SESS-03");
  EXPECT_TRUE(f.read(future, kNow + 4min + 1s).ok());
}

TEST(SessionCookie, EndpointIdMustMatch) {
  Fixture f;
  wif::SessionToken t = token();
  t.endpoint_id = "/other/";
  auto r = f.read(f.issued(t));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().requirement(), "RP-SESS-06");
  t.endpoint_id = "";  // unscoped tokens are accepted, as WIF does
  EXPECT_TRUE(f.read(f.issued(t)).ok());
}

TEST(SessionCookie, DamagedCookiesAreErrorsNamingTheLayer) {
  Fixture f;
  const std::string value = whole_value(f.issued(token()));
  struct Damage {
    std::string name;
    std::string value;
    std::string where;
  };
  std::string xml = to_string(*base64_decode(value));
  std::string tampered_xml = xml;
  // A character inside <Cookie>: the MachineKey HMAC fails.
  tampered_xml[tampered_xml.find("</Cookie>") - 10] ^= 0x01;
  std::string other_id = xml;
  other_id.replace(other_id.find("urn:uuid:") + 9, 8, "00000000");
  const std::vector<Damage> cases = {
      {"not base64", "%%%%", "base64"},
      {"truncated base64", value.substr(0, value.size() / 2) + "A", ""},
      {"base64 of junk", base64_encode(as_bytes("hello")), ""},
      {"truncated XML", base64_encode(as_bytes(xml.substr(0, xml.size() - 30))), ""},
      {"tampered cookie", base64_encode(as_bytes(tampered_xml)), ""},
      {"identifier swapped", base64_encode(as_bytes(other_id)), ""},
  };
  for (const auto& d : cases) {
    auto r = f.read(single(d.value));
    EXPECT_FALSE(r.ok()) << d.name;
  }
  // Another farm's key: the HMAC does not verify.
  wif::MachineKeyConfig other = machine_key();
  other.validation_key = Bytes(64, 0x33);
  SessionCookieCodec foreign(config(), protection(other), nullptr);
  auto r = foreign.read(single(value), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("HMAC mismatch"), std::string::npos) << r.error().message();
}

TEST(SessionCookie, ChunkCountIsBounded) {
  Fixture f;
  const std::string value = whole_value(f.issued(token()));
  ASSERT_GT(value.size(), 200u);
  // 150 chunks of a valid value: WIF itself has no limit, parley's is 100 (RP-CHUNK-01).
  wif::ChunkedCookieJar jar;
  const std::size_t n = 150;
  const std::size_t per = (value.size() + n - 1) / n;
  for (std::size_t i = 0; i * per < value.size(); ++i) {
    jar.set(i == 0 ? "FedAuth" : "FedAuth" + std::to_string(i), value.substr(i * per, per));
  }
  ASSERT_GT(jar.cookies().size(), 100u);
  auto r = f.read(jar);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  FaultSet unbounded;
  unbounded.add(Fault::kUnboundedChunks);
  Fixture faulty(SessionMode::kValue, unbounded);
  EXPECT_TRUE(faulty.read(jar).ok());
}

TEST(SessionCookie, ReissueDeletesStaleChunksUnlessFaulted) {
  SessionCookieConfig cfg = config();
  cfg.chunking.chunk_size = 1000;
  Fixture f(SessionMode::kValue, {}, cfg);
  auto big = f.issued(token(kNow, kNow + 1h, 200));
  ASSERT_GE(big.cookies().size(), 3u);
  auto small = f.codec->issue(token(kNow, kNow + 1h, 0), big, kNow);
  ASSERT_TRUE(small.ok());
  std::size_t deletions = 0;
  for (const auto& c : *small) deletions += c.deletion ? 1 : 0;
  const std::size_t written = small->size() - deletions;
  ASSERT_LT(written, big.cookies().size());
  EXPECT_EQ(deletions, big.cookies().size() - written);
  EXPECT_EQ(browser(*small, big).cookies().size(), written);

  FaultSet stale;
  stale.add(Fault::kStaleChunksOnReissue);
  Fixture faulty(SessionMode::kValue, stale, cfg);
  auto kept = faulty.codec->issue(token(kNow, kNow + 1h, 0), big, kNow);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->size(), written);  // no deletions
  auto jar = browser(*kept, big);
  EXPECT_EQ(jar.cookies().size(), big.cookies().size());
  EXPECT_FALSE(faulty.read(jar).ok());  // the stale FedAuth1.. are glued onto the new value
}

TEST(SessionCookie, DeletionsCoverEveryChunk) {
  SessionCookieConfig cfg = config();
  cfg.chunking.chunk_size = 1000;
  Fixture f(SessionMode::kValue, {}, cfg);
  auto jar = f.issued(token(kNow, kNow + 1h, 200));
  auto del = f.codec->deletions(jar, kNow);
  ASSERT_EQ(del.size(), jar.cookies().size());
  for (const auto& c : del) {
    EXPECT_TRUE(c.deletion);
    EXPECT_EQ(c.attributes.path, "/app/");
    ASSERT_TRUE(c.attributes.expires.has_value());
    EXPECT_LT(*c.attributes.expires, std::chrono::time_point_cast<std::chrono::seconds>(kNow));
  }
  FaultSet partial;
  partial.add(Fault::kPartialSignoutDeletion);
  Fixture faulty(SessionMode::kValue, partial, cfg);
  auto some = faulty.codec->deletions(jar, kNow);
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].name, "FedAuth");
}

TEST(SessionCookie, AttributeFaults) {
  const wif::SessionToken t = token();
  auto attrs = [&](std::initializer_list<Fault> faults, bool persistent = false) {
    FaultSet set;
    for (Fault x : faults) set.add(x);
    SessionCookieConfig cfg = config();
    cfg.persistent = persistent;
    Fixture f(SessionMode::kValue, set, cfg);
    return (*f.codec->issue(t, {}, kNow)).front().attributes;
  };
  const auto clean = attrs({});
  EXPECT_TRUE(clean.secure);
  EXPECT_TRUE(clean.http_only);
  EXPECT_EQ(clean.path, "/app/");
  EXPECT_FALSE(clean.expires);
  EXPECT_FALSE(attrs({Fault::kDropSecure}).secure);
  EXPECT_FALSE(attrs({Fault::kDropHttpOnly}).http_only);
  EXPECT_EQ(attrs({Fault::kRootCookiePath}).path, "/");
  const auto persistent = attrs({Fault::kPersistentCookie});
  ASSERT_TRUE(persistent.expires);
  EXPECT_EQ(*persistent.expires, std::chrono::time_point_cast<std::chrono::seconds>(kNow + 1h));
  EXPECT_EQ(*attrs({}, true).expires, std::chrono::time_point_cast<std::chrono::seconds>(kNow + 1h));
}

TEST(SessionCookie, TokenFaults) {
  auto faulty = [](Fault x) {
    FaultSet s;
    s.add(x);
    return Fixture(SessionMode::kValue, s);
  };
  {
    Fixture f = faulty(Fault::kAcceptExpiredSession);
    EXPECT_TRUE(f.read(f.issued(token(kNow - 2h, kNow - 1h))).ok());
    EXPECT_FALSE(Fixture().read(f.issued(token(kNow - 2h, kNow - 1h))).ok());
  }
  {
    Fixture f = faulty(Fault::kIgnoreNotYetValid);
    EXPECT_TRUE(f.read(f.issued(token(kNow + 1h, kNow + 2h))).ok());
  }
  {
    Fixture f = faulty(Fault::kIgnoreEndpointId);
    wif::SessionToken t = token();
    t.endpoint_id = "/other/";
    EXPECT_TRUE(f.read(f.issued(t)).ok());
  }
  {
    // The MAC is the last 32 bytes of the MachineKey output: flip a bit in it.
    Fixture f = faulty(Fault::kSkipCookieIntegrity);
    const std::string value = whole_value(f.issued(token()));
    std::string xml = to_string(*base64_decode(value));
    const auto open = xml.find("<Cookie");
    const auto start = xml.find('>', open) + 1;
    const auto end = xml.find("</Cookie>");
    Bytes cookie = *base64_decode(xml.substr(start, end - start));
    cookie.back() ^= 0x01;
    xml.replace(start, end - start, base64_encode(cookie));
    const auto jar = single(base64_encode(as_bytes(xml)));
    auto accepted = f.read(jar);
    EXPECT_TRUE(accepted.ok()) << accepted.error().message();
    auto refused = Fixture().read(jar);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message().find("HMAC mismatch"), std::string::npos);
  }
}

}  // namespace
}  // namespace parley::rp
