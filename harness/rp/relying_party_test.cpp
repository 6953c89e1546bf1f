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
  auto c = parse_rp_config("[rp]\nmode = \"value\"\n" + extra + "\n[sts]\n");
  EXPECT_TRUE(c.ok()) << c.error().message();
  return std::move(*c);
}

struct Rp {
  explicit Rp(RpConfig config) {
    auto r = RelyingParty::create(std::move(config));
    EXPECT_TRUE(r.ok()) << r.error().message();
    party = std::move(*r);
    party->set_base_url(std::string(kBase));
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
    req.body = fed::write_form({{"wa", "wsignin1.0"}, {"wresult", wresult}, {"wctx", std::move(wctx)}});
    return send(std::move(req));
  }
  std::string wresult(fed::StsBehaviour b = fed::StsBehaviour::kNormal) {
    auto w = party->sts()->issue_wresult(party->config().realm, b);
    EXPECT_TRUE(w.ok()) << w.error().message();
    return w.ok() ? *w : std::string();
  }
  HttpResponse sign_in() { return post_wresult(wresult()); }
};

TEST(RelyingParty, SignInSetsTheSessionAndRedirectsToWctx) {
  Rp rp(base_config());
  HttpResponse r = rp.sign_in();
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(r.headers.get("Location"), "/app/whoami");
  auto set = r.headers.get_all("Set-Cookie");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_TRUE(set[0].starts_with("FedAuth=")) << set[0];
  EXPECT_NE(set[0].find("; path=/app/; secure; HttpOnly"), std::string_view::npos) << set[0];
  EXPECT_EQ(set[0].find("expires="), std::string_view::npos);
  HttpResponse who = rp.get("/app/whoami");
  ASSERT_EQ(who.status, 200) << who.body;
  auto j = nlohmann::json::parse(who.body);
  EXPECT_EQ(j["schema"], "parley-whoami/1");
  EXPECT_EQ(j["mode"], "value");
  EXPECT_TRUE(j["session"]["session_id"].get<std::string>().starts_with("urn:uuid:"));
  EXPECT_EQ(j["identities"][0]["authentication_type"], "Federation");
  EXPECT_EQ(j["identities"][0]["name"], "alice");
  auto bootstrap = base64_decode(j["identities"][0]["bootstrap_token"].get<std::string>());
  ASSERT_TRUE(bootstrap.ok());
  EXPECT_NE(to_string(*bootstrap).find("Assertion"), std::string::npos);
}

}  // namespace
}  // namespace parley::rp
