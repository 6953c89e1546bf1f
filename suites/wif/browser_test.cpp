// The wif-session suite's browser (RFC 6265 jar, auto-POST forms, URL resolution) against a
// real loopback server, and the suite's registration: every case cites wif-session rows and
// every reference-RP fault's requirements are cited by some case.
#include "suites/wif/browser.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/engine/requirements.h"
#include "harness/rp/faults.h"
#include "harness/transport/http_server.h"
#include "suites/suites.h"

namespace parley::suites::wif_suite {
namespace {

TEST(SetCookie, ParsesNameValueAndAttributesCaseInsensitively) {
  auto f = parse_set_cookie("FedAuth1=abc=; Path=/app/; SECURE; HttpOnly; expires=Thu, 01-Jan-1970 00:00:00 GMT");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->name, "FedAuth1");
  EXPECT_EQ(f->value, "abc=");
  EXPECT_EQ(f->attribute("path"), "/app/");
  EXPECT_TRUE(f->has("secure"));
  EXPECT_TRUE(f->has("httponly"));
  EXPECT_FALSE(f->has("domain"));
  EXPECT_TRUE(f->is_deletion(std::chrono::system_clock::now()));
  auto live = parse_set_cookie("a=1; Max-Age=60; Expires=Thu, 01-Jan-1970 00:00:00 GMT");
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->is_deletion(std::chrono::system_clock::now())) << "Max-Age wins over Expires";
  EXPECT_FALSE(parse_set_cookie("novalue").ok());
  EXPECT_FALSE(parse_set_cookie("=x").ok());
}

TEST(AutoPostForm, ReadsActionAndFieldsWithEntitiesDecoded) {
  const std::string page =
      "<html><body onload='document.forms[0].submit()'><form method='POST' action='/app/signin'>"
      "<input type='hidden' name='wa' value='wsignin1.0'/><input type=hidden name=wresult "
      "value='&lt;t:RequestSecurityTokenResponse a=&quot;1&quot;&gt;'><input type=submit value=Go></form></body></html>";
  auto form = parse_auto_post_form(page, "https://127.0.0.1:8443/sts/wsfed?wa=wsignin1.0");
  ASSERT_TRUE(form.ok()) << form.error().message();
  EXPECT_EQ(form->action, "https://127.0.0.1:8443/app/signin");
  ASSERT_EQ(form->fields.size(), 2u);
  EXPECT_EQ(form->fields[1].second, "<t:RequestSecurityTokenResponse a=\"1\">");
  EXPECT_FALSE(parse_auto_post_form("<html><p>no form</p></html>", "https://h/").ok());
}

TEST(ResolveUrl, RelativeReferencesAgainstTheBase) {
  EXPECT_EQ(*resolve_url("https://h:1/app/x?q=1", "/app/page"), "https://h:1/app/page");
  EXPECT_EQ(*resolve_url("https://h:1/app/x", "y"), "https://h:1/app/y");
  EXPECT_EQ(*resolve_url("https://h:1/app/x", "https://other/z"), "https://other/z");
}

struct Fixture {
  oracle::TargetProfile profile;
  engine::RunSettings settings;
  std::unique_ptr<engine::CaseContext> ctx;
  std::unique_ptr<transport::HttpServer> server;

  explicit Fixture(transport::HttpServer::Handler handler) {
    profile.kind = "relying-party";
    profile.relying_party.emplace();
    profile.relying_party->cookie_name = "FedAuth";
    settings.request_timeout = std::chrono::seconds(5);
    ctx = std::make_unique<engine::CaseContext>(profile, settings, 1);
    transport::HttpServer::Options o;
    o.bind_address = "127.0.0.1";
    server = std::make_unique<transport::HttpServer>(o, std::move(handler));
    EXPECT_TRUE(server->start().ok());
  }
  ~Fixture() { server->stop(); }
  std::string url(const std::string& path) const { return server->url(path); }
};

TEST(BrowserJar, StoresSendsAndDeletesAsRfc6265Says) {
  Fixture fx([](const transport::HttpRequest& req, const transport::ConnectionInfo&) {
    transport::HttpResponse r;
    r.body = std::string(req.headers.get("Cookie").value_or(""));
    if (req.target == "/app/set") {
      r.headers.add("Set-Cookie", "FedAuth=v0; Path=/app/; HttpOnly");
      r.headers.add("Set-Cookie", "FedAuth1=v1; Path=/app/");
      r.headers.add("Set-Cookie", "root=r; Path=/");
      r.headers.add("Set-Cookie", "sec=s; Path=/; Secure");  // over http: not stored
      r.headers.add("Set-Cookie", "foreign=f; Domain=example.org");  // not our host: ignored
      r.headers.add("Set-Cookie", std::string("big=") + std::string(5000, 'x'));  // over 4096: dropped
    } else if (req.target == "/app/delete") {
      r.headers.add("Set-Cookie", "FedAuth1=; Path=/app/; expires=Thu, 01-Jan-1970 00:00:00 GMT");
    }
    return r;
  });
  Browser b(*fx.ctx);
  BrowserResponse set = b.get(fx.url("/app/set"), "set");
  ASSERT_TRUE(set.answered()) << set.error;
  EXPECT_EQ(set.set_cookies.size(), 6u);
  EXPECT_EQ(b.cookies().size(), 3u);
  EXPECT_EQ(b.cookie_header(fx.url("/app/page")), "FedAuth=v0; FedAuth1=v1; root=r");
  EXPECT_EQ(b.cookie_header(fx.url("/application")), "root=r") << "/app/ does not path-match /application";
  EXPECT_EQ(b.session_value(), "v0v1");
  EXPECT_EQ(b.get(fx.url("/app/echo"), "echo").body, "FedAuth=v0; FedAuth1=v1; root=r");
  RequestOptions mutant;
  mutant.cookie_header = "FedAuth=forged";
  mutant.store_cookies = false;
  EXPECT_EQ(b.get(fx.url("/app/delete"), "mutant", mutant).body, "FedAuth=forged");
  EXPECT_EQ(b.cookies().size(), 3u) << "a mutant's Set-Cookie leaves the jar alone";
  b.get(fx.url("/app/delete"), "delete");
  EXPECT_EQ(b.session_value(), "v0");
  EXPECT_GE(fx.ctx->evidence().exchanges.size(), 4u);
  EXPECT_NE(fx.ctx->evidence().exchanges.front().response_body.find("Set-Cookie: FedAuth=v0"), std::string::npos);
}

TEST(BrowserJar, RedirectsAreCountedAndBounded) {
  Fixture fx([](const transport::HttpRequest& req, const transport::ConnectionInfo&) {
    transport::HttpResponse r;
    r.status = 302;
    r.headers.add("Location", req.target == "/a" ? "/b" : "/a");
    return r;
  });
  fx.profile.relying_party->sts_url = "https://sts.invalid/";
  BrowserLimits limits;
  limits.max_redirects = 3;
  Browser b(*fx.ctx, limits);
  BrowserResponse r = b.navigate(fx.url("/a"), "loop");
  EXPECT_FALSE(r.answered());
  EXPECT_NE(r.error.find("more than 3 redirects"), std::string::npos);
  EXPECT_EQ(fx.ctx->evidence().exchanges.size(), 4u);
}

TEST(WifSessionSuite, CasesCiteTheirCatalogAndCoverEveryFault) {
  engine::Registry registry;
  ASSERT_TRUE(register_suite("wif-session", registry).ok());
  const auto& catalog = engine::RequirementCatalog::builtin();
  std::set<std::string> cited;
  for (const auto& c : registry.all()) {
    EXPECT_TRUE(c.info.id.starts_with("wif/")) << c.info.id;
    EXPECT_EQ(c.info.role, "RP") << c.info.id;
    for (const auto& r : c.info.requirements) {
      ASSERT_NE(catalog.find(r), nullptr) << r;
      EXPECT_EQ(catalog.find(r)->catalog, "wif-session") << c.info.id << " cites " << r;
      cited.insert(r);
    }
  }
  for (const auto& r : catalog.all()) {
    if (r.catalog == "wif-session") {
      EXPECT_TRUE(cited.count(r.id)) << r.id << " is cited by no case";
    }
  }
  for (const auto& f : rp::all_faults()) {
    for (auto r : f.requirements) EXPECT_TRUE(cited.count(std::string(r))) << f.name << ": " << r;
  }
  EXPECT_EQ(suite_kind("wif-session"), "relying-party");
  EXPECT_EQ(suite_catalog("wif-session"), "wif-session");
}

}  // namespace
}  // namespace parley::suites::wif_suite
