// The reference RP in-process: sign-in through the test STS (its tokens posted straight to the
// sign-in endpoint), the protected resource, whoami, re-issue, sign-out, every re-authentication
// path, and the sign-in faults.
#include "harness/rp/relying_party.h"

#include <gtest/gtest.h>

#include "harness/fed/form.h"

namespace parley::rp {
namespace {

using namespace std::chrono_literals;
using transport::HttpRequest;
using transport::HttpResponse;

constexpr std::string_view kBase = "https://rp.example:8443";

RpConfig base_config(std::string extra = "") {
  auto c = parse_rp_config("[rp]\n" + extra + "\n[sts]\n");
  EXPECT_TRUE(c.ok()) << c.error().message();
  return std::move(*c);
}

struct Rp {
  explicit Rp(RpConfig config) {
    auto r = RelyingParty::create(std::move(config));
    EXPECT_TRUE(r.ok()) << r.error().message();
    party = std::move(*r);
    party->set_base_url(std::string(kBase));
    now = Clock::now();  // after the STS made its keys: its tokens are dated from about here
  }
  std::unique_ptr<RelyingParty> party;
  wif::ChunkedCookieJar jar;
  Clock::time_point now = Clock::now();

  HttpResponse send(HttpRequest req, bool keep_cookies = true) {
    std::string cookie;
    for (const auto& [n, v] : jar.cookies()) cookie += (cookie.empty() ? "" : "; ") + n + "=" + v;
    if (!cookie.empty()) req.headers.add("Cookie", cookie);
    HttpResponse r = party->handle(req, transport::ConnectionInfo{}, now);
    if (keep_cookies) apply(r);
    return r;
  }
  void apply(const HttpResponse& r) {
    std::string lines;
    for (auto v : r.headers.get_all("Set-Cookie")) lines += "Set-Cookie: " + std::string(v) + "\n";
    for (const auto& [n, v] : jar.cookies()) {
      bool replaced = false;
      for (auto sv : r.headers.get_all("Set-Cookie")) replaced = replaced || sv.starts_with(n + "=");
      if (!replaced) lines = "Set-Cookie: " + n + "=" + v + "\n" + lines;
    }
    jar = *wif::ChunkedCookieJar::parse_set_cookie_lines(lines);
  }
  HttpResponse get(std::string target) {
    HttpRequest req;
    req.target = std::move(target);
    return send(std::move(req));
  }
  HttpResponse post_wresult(const std::string& wresult, std::string wctx = "/app/whoami") {
    HttpRequest req;
    req.method = "POST";
    req.target = party->config().signin_path;
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    req.body = fed::write_form(
        {{"wa", std::string(names::fed::kWaSignIn)}, {"wresult", wresult}, {"wctx", std::move(wctx)}});
    return send(std::move(req));
  }
  std::string wresult(fed::StsBehaviour b = fed::StsBehaviour::kNormal) {
    auto w = party->sts()->issue_wresult(party->config().realm, b);
    EXPECT_TRUE(w.ok()) << w.error().message();
    return w.ok() ? *w : std::string();
  }
  HttpResponse sign_in() { return post_wresult(wresult()); }
};

constexpr std::string_view kKeys =
    "[rp.cookie]\nmachine_key_decryption_key = \"1111111111111111111111111111111111111111111111111111111111111111\"\n"
    "machine_key_validation_key = \"2222222222222222222222222222222222222222222222222222222222222222\"\n";

bool is_redirect_to_sts(const HttpResponse& r) {
  auto loc = r.headers.get("Location");
  return r.status == 302 && loc && loc->starts_with(std::string(kBase) + "/sts/wsfed?wa=wsignin1.0");
}

// Set-Cookie deletions (empty value, Expires in the past) among the answer's headers.
std::size_t deletions(const HttpResponse& r) {
  std::size_t n = 0;
  for (auto v : r.headers.get_all("Set-Cookie")) n += v.find("=;") != std::string_view::npos ? 1 : 0;
  return n;
}

nlohmann::json whoami(Rp& rp) {
  HttpResponse r = rp.get("/app/whoami");
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? nlohmann::json::parse(r.body) : nlohmann::json::object();
}

std::string session_id(Rp& rp) { return whoami(rp)["session"]["session_id"].get<std::string>(); }

TEST(RelyingParty, SignInSetsTheSessionAndRedirectsToWctx) {
  Rp rp(base_config());
  HttpResponse r = rp.sign_in();
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(r.headers.get("Location"), "/app/whoami");
  auto set = r.headers.get_all("Set-Cookie");
  // The signed assertion rides along as the bootstrap token: more than one 2000-character chunk.
  ASSERT_GE(set.size(), 2u);
  EXPECT_TRUE(set[0].starts_with("FedAuth=")) << set[0];
  EXPECT_TRUE(set[1].starts_with("FedAuth1=")) << set[1];
  for (auto c : set) {
    EXPECT_NE(c.find("; path=/app/; secure; HttpOnly"), std::string_view::npos) << c;
    EXPECT_EQ(c.find("expires="), std::string_view::npos) << c;
  }
  HttpResponse page = rp.get("/app/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Signed in as alice"), std::string::npos);
  HttpResponse who = rp.get("/app/whoami");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.headers.get("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(who.body);
  EXPECT_EQ(j["schema"], "parley-whoami/1");
  EXPECT_EQ(j["mode"], "value");
  EXPECT_TRUE(j["session"]["session_id"].get<std::string>().starts_with("urn:uuid:"));
  EXPECT_EQ(j["session"]["reference_mode"], false);
  EXPECT_EQ(j["session"]["endpoint_id"], "/app/");
  EXPECT_EQ(j["identities"][0]["authentication_type"], "Federation");
  EXPECT_EQ(j["identities"][0]["name"], "alice");
  auto bootstrap = base64_decode(j["identities"][0]["bootstrap_token"].get<std::string>());
  ASSERT_TRUE(bootstrap.ok());
  EXPECT_NE(to_string(*bootstrap).find("Assertion"), std::string::npos);
}

TEST(RelyingParty, UnauthenticatedRedirectsToTheStsOrAnswers401) {
  Rp rp(base_config());
  HttpResponse r = rp.get("/app/page?x=1");
  ASSERT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.get("Location"),
            std::string(kBase) +
                "/sts/wsfed?wa=wsignin1.0&wtrealm=urn%3Aparley%3Arp&wreply=https%3A%2F%2Frp.example%3A8443%2Fapp%2F"
                "signin&wctx=%2Fapp%2Fpage%3Fx%3D1");
  EXPECT_EQ(deletions(r), 0u);  // no cookie, nothing to delete

  Rp r401(base_config("unauthenticated = \"401\""));
  HttpResponse u = r401.get("/app/");
  EXPECT_EQ(u.status, 401);
  EXPECT_EQ(u.headers.get("WWW-Authenticate"), "WSFederation realm=\"urn:parley:rp\"");
  EXPECT_NE(u.body.find("sign in at " + std::string(kBase) + "/sts/wsfed?wa=wsignin1.0"), std::string::npos);

  EXPECT_EQ(rp.get("/elsewhere").status, 404);
  HttpResponse root = rp.get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.headers.get("Location"), "/app/");
  EXPECT_EQ(rp.get("/app/signin").status, 405);  // the STS POSTs
}

TEST(RelyingParty, WctxIsOnlyFollowedInsideTheProtectedArea) {
  for (const char* wctx : {"https://evil.example/", "//evil.example/app/", "/other/", ""}) {
    Rp rp(base_config());
    HttpResponse r = rp.post_wresult(rp.wresult(), wctx);
    ASSERT_EQ(r.status, 302);
    EXPECT_EQ(r.headers.get("Location"), "/app/") << wctx;
  }
}

TEST(RelyingParty, Saml2PostSignIn) {
  Rp rp(base_config("signin_method = \"saml2\""));
  HttpResponse r = rp.get("/app/x");
  ASSERT_EQ(r.status, 302);
  const std::string loc(*r.headers.get("Location"));
  ASSERT_TRUE(loc.starts_with(std::string(kBase) + "/sts/saml2/sso?SAMLRequest=")) << loc;
  EXPECT_NE(loc.find("&RelayState=%2Fapp%2Fx"), std::string::npos) << loc;
  // The STS's own SSO endpoint answers the redirect with the auto-post form.
  HttpRequest sso;
  sso.target = loc.substr(kBase.size());
  sso.headers.add("Host", "rp.example:8443");
  HttpResponse form = rp.send(sso, false);
  ASSERT_EQ(form.status, 200) << form.body;
  ASSERT_NE(form.body.find("SAMLResponse"), std::string::npos);

  fed::AuthnRequest authn;
  authn.issuer = "urn:parley:rp";
  authn.assertion_consumer_service_url = std::string(kBase) + "/app/signin";
  auto response = rp.party->sts()->issue_saml_response(authn);
  ASSERT_TRUE(response.ok()) << response.error().message();
  HttpRequest post;
  post.method = "POST";
  post.target = "/app/signin";
  post.body = fed::write_form({{"SAMLResponse", base64_encode(as_bytes(*response))}, {"RelayState", "/app/x"}});
  HttpResponse in = rp.send(post);
  ASSERT_EQ(in.status, 302) << in.body;
  EXPECT_EQ(in.headers.get("Location"), "/app/x");
  EXPECT_EQ(whoami(rp)["identities"][0]["name"], "alice");
}

TEST(RelyingParty, EveryBadCookieIsACleanReauthenticationWithTheCookiesDeleted) {
  Rp good(base_config());
  ASSERT_EQ(good.sign_in().status, 302);
  const auto chunks = good.jar.cookies();
  std::string whole;
  for (const auto& [n, v] : chunks) whole += v;
  std::string xml = to_string(*base64_decode(whole));
  std::string tampered = xml;
  tampered[tampered.find("</Cookie>") - 20] ^= 0x02;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", "FedAuth=%%%%not-base64"},
      {"truncated", "FedAuth=" + whole.substr(0, whole.size() / 2)},
      {"missing middle chunk",
       "FedAuth=" + chunks[0].second + "; FedAuth2=" + (chunks.size() > 2 ? chunks[2].second : "x")},
      {"tampered", "FedAuth=" + base64_encode(as_bytes(tampered))},
      {"not xml", "FedAuth=" + base64_encode(as_bytes("<<<<"))},
      {"empty", "FedAuth="},
  };
  for (const auto& [name, cookie] : cases) {
    Rp rp(base_config());
    HttpRequest req;
    req.target = "/app/whoami";
    req.headers.add("Cookie", cookie);
    HttpResponse r = rp.party->handle(req, {}, Clock::now());
    EXPECT_TRUE(is_redirect_to_sts(r)) << name << ": " << r.status << " " << r.body;
    EXPECT_GE(deletions(r), 1u) << name;
  }
  // An unparseable Cookie header: still a re-authentication.
  HttpRequest bad;
  bad.target = "/app/";
  bad.headers.add("Cookie", "=novalue");
  EXPECT_TRUE(is_redirect_to_sts(good.party->handle(bad, {}, Clock::now())));

  // Expired and not yet valid (the RP's clock moved).
  good.now = Clock::now() + 11h;
  HttpResponse expired = good.get("/app/");
  EXPECT_TRUE(is_redirect_to_sts(expired)) << expired.body;
  EXPECT_NE(expired.body.find("the session expired at"), std::string::npos) << expired.body;
}

TEST(RelyingParty, ExpiredAndFutureSessionsFromTheClock) {
  Rp rp(base_config("max_clock_skew_seconds = 0"));
  ASSERT_EQ(rp.sign_in().status, 302);
  const auto jar = rp.jar;
  rp.now += 2h;  // the STS token lived 1 h: the session was capped to it
  HttpResponse r = rp.get("/app/");
  EXPECT_TRUE(is_redirect_to_sts(r));
  EXPECT_NE(r.body.find("the session expired at"), std::string::npos) << r.body;
  rp.jar = jar;
  rp.now = Clock::now() - 10min;
  HttpResponse early = rp.get("/app/");
  EXPECT_TRUE(is_redirect_to_sts(early));
  EXPECT_NE(early.body.find("not valid before"), std::string::npos) << early.body;
}

TEST(RelyingParty, SignOutDeletesEveryChunkAndRedirectsToTheSts) {
  for (const char* target : {"/app/signout", "/app/?wa=wsignout1.0"}) {
    Rp rp(base_config());
    ASSERT_EQ(rp.sign_in().status, 302);
    const std::size_t chunks = rp.jar.cookies().size();
    ASSERT_GE(chunks, 2u);
    HttpResponse out = rp.get(target);
    ASSERT_EQ(out.status, 302) << target;
    EXPECT_EQ(out.headers.get("Location"),
              std::string(kBase) + "/sts/wsfed?wa=wsignout1.0&wreply=https%3A%2F%2Frp.example%3A8443%2Fapp%2F");
    EXPECT_EQ(deletions(out), chunks);
    EXPECT_TRUE(rp.jar.cookies().empty());
    EXPECT_TRUE(is_redirect_to_sts(rp.get("/app/")));
  }
  Rp rp(base_config());
  ASSERT_EQ(rp.sign_in().status, 302);
  HttpResponse cleanup = rp.get("/app/?wa=wsignoutcleanup1.0");
  EXPECT_EQ(cleanup.status, 200);
  EXPECT_GE(deletions(cleanup), 2u);
}

TEST(RelyingParty, ReferenceModeSignOutForgetsTheSession) {
  Rp rp(base_config("mode = \"reference\""));
  ASSERT_EQ(rp.sign_in().status, 302);
  ASSERT_EQ(rp.jar.cookies().size(), 1u);  // a small cookie: the token stays in the cache
  EXPECT_EQ(whoami(rp)["session"]["reference_mode"], true);
  const auto before = rp.jar;
  ASSERT_EQ(rp.get("/app/signout").status, 302);
  rp.jar = before;  // the old cookie, replayed after sign-out
  HttpResponse r = rp.get("/app/");
  EXPECT_TRUE(is_redirect_to_sts(r));
  EXPECT_NE(r.body.find("no cached session"), std::string::npos) << r.body;

  RpConfig faulty = base_config("mode = \"reference\"");
  faulty.faults.add(Fault::kKeepCacheEntryOnSignout);
  Rp f(std::move(faulty));
  ASSERT_EQ(f.sign_in().status, 302);
  const auto kept = f.jar;
  ASSERT_EQ(f.get("/app/signout").status, 302);
  f.jar = kept;
  EXPECT_EQ(f.get("/app/").status, 200);
}

TEST(RelyingParty, SlidingReissuesPastHalfTheLifetime) {
  Rp rp(base_config("sliding = true\nsession_lifetime_seconds = 600"));
  ASSERT_EQ(rp.sign_in().status, 302);
  const auto first = whoami(rp);
  rp.now += 200s;  // a third of the lifetime: no re-issue
  EXPECT_TRUE(rp.get("/app/").headers.get_all("Set-Cookie").empty());
  rp.now += 200s;  // two thirds
  HttpResponse r = rp.get("/app/");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.get_all("Set-Cookie").empty());
  const auto second = whoami(rp);
  EXPECT_EQ(second["session"]["session_id"], first["session"]["session_id"]);
  EXPECT_NE(second["session"]["token_id"], first["session"]["token_id"]);
  EXPECT_FALSE(second["session"]["key_generation"].is_null());
  EXPECT_GT(second["session"]["valid_to"].get<std::string>(), first["session"]["valid_to"].get<std::string>());
  rp.now += 500s;  // past the first expiry, inside the re-issued one
  EXPECT_EQ(rp.get("/app/").status, 200);

  Rp fixed(base_config("session_lifetime_seconds = 600"));
  ASSERT_EQ(fixed.sign_in().status, 302);
  fixed.now += 400s;
  EXPECT_TRUE(fixed.get("/app/").headers.get_all("Set-Cookie").empty());
}

RpConfig with_fault(Fault f, std::string extra = "") {
  RpConfig c = base_config(std::move(extra));
  c.faults.add(f);
  return c;
}

TEST(RelyingParty, SignInTokenChecksAndTheirFaults) {
  struct Row {
    fed::StsBehaviour behaviour;
    Fault fault;
    std::string refusal;
  };
  const std::vector<Row> rows = {
      {fed::StsBehaviour::kWrongAudience, Fault::kAcceptWrongAudience, "udience"},
      {fed::StsBehaviour::kUntrustedSigner, Fault::kAcceptUntrustedSignature, "certificate"},
  };
  for (const auto& row : rows) {
    Rp clean(base_config());
    HttpResponse refused = clean.post_wresult(clean.wresult(row.behaviour));
    EXPECT_EQ(refused.status, 401) << fed::to_string(row.behaviour);
    EXPECT_NE(refused.body.find(row.refusal), std::string::npos) << refused.body;
    EXPECT_TRUE(refused.headers.get_all("Set-Cookie").empty());
    Rp faulty(with_fault(row.fault));
    HttpResponse accepted = faulty.post_wresult(faulty.wresult(row.behaviour));
    EXPECT_EQ(accepted.status, 302) << fault_info(row.fault).name << ": " << accepted.body;
  }
  // Replay: the same token twice.
  Rp clean(base_config());
  const std::string token = clean.wresult();
  EXPECT_EQ(clean.post_wresult(token).status, 302);
  HttpResponse again = clean.post_wresult(token);
  EXPECT_EQ(again.status, 401);
  EXPECT_NE(again.body.find("_"), std::string::npos);
  Rp faulty(with_fault(Fault::kAcceptReplayedSignin));
  const std::string t2 = faulty.wresult();
  EXPECT_EQ(faulty.post_wresult(t2).status, 302);
  EXPECT_EQ(faulty.post_wresult(t2).status, 302);
  // Unsigned and expired tokens are refused whatever the faults.
  Rp any(with_fault(Fault::kAcceptUntrustedSignature));
  EXPECT_EQ(any.post_wresult(any.wresult(fed::StsBehaviour::kUnsigned)).status, 401);
  EXPECT_EQ(any.post_wresult(any.wresult(fed::StsBehaviour::kExpired)).status, 401);
}

TEST(RelyingParty, EverySignInGetsAFreshSessionIdUnlessFixationFault) {
  Rp rp(base_config());
  ASSERT_EQ(rp.sign_in().status, 302);
  const std::string first = session_id(rp);
  ASSERT_EQ(rp.sign_in().status, 302);  // the browser still carries the first session's cookie
  EXPECT_NE(session_id(rp), first);

  Rp faulty(with_fault(Fault::kReuseSessionId));
  ASSERT_EQ(faulty.sign_in().status, 302);
  const std::string planted = session_id(faulty);
  ASSERT_EQ(faulty.sign_in().status, 302);
  EXPECT_EQ(session_id(faulty), planted);
}

TEST(RelyingParty, SessionIsCappedByTheSignInTokenUnlessFaulted) {
  // STS tokens live 1 h (its default); the session lifetime is 10 h.
  Rp rp(base_config());
  ASSERT_EQ(rp.sign_in().status, 302);
  const auto to = wif::ticks_from_iso8601(whoami(rp)["session"]["valid_to"].get<std::string>());
  ASSERT_TRUE(to.ok());
  EXPECT_LE(from_ticks(*to), rp.now + 1h + 1s);
  Rp faulty(with_fault(Fault::kSessionOutlivesToken));
  ASSERT_EQ(faulty.sign_in().status, 302);
  const auto long_to = wif::ticks_from_iso8601(whoami(faulty)["session"]["valid_to"].get<std::string>());
  EXPECT_GE(from_ticks(*long_to), faulty.now + 10h - 1s);
}

TEST(RelyingParty, ServerErrorFaultAnswers500ForABadCookie) {
  Rp rp(with_fault(Fault::kServerErrorOnBadCookie));
  HttpRequest req;
  req.target = "/app/";
  req.headers.add("Cookie", "FedAuth=garbage");
  EXPECT_EQ(rp.party->handle(req, {}, Clock::now()).status, 500);
  req.headers.set("Cookie", "other=1");
  EXPECT_EQ(rp.party->handle(req, {}, Clock::now()).status, 302);  // no cookie is not a bad cookie
}

}  // namespace
}  // namespace parley::rp
