// Generic relying-party behaviour, for any product: the unauthenticated answer, the sign-in
// round trip and the attributes of the session cookie (RFC 6265, OWASP session management).
#include "suites/suites.h"
#include "suites/wif/support.h"

namespace parley::suites::wif_session {
namespace {

using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
using namespace wif_suite;

// RP-UNAUTH-01: no session -> the declared answer, and a redirect names the realm.
Outcome unauthenticated(CaseContext& ctx) {
  Browser b(ctx);
  BrowserResponse r = b.get(rp(ctx).protected_url, "protected URL without a session");
  switch (see(ctx, r)) {
    case Seen::kReauthentication: break;
    case Seen::kAuthenticated: return Outcome::fail("the protected URL was served without a session: " + r.describe());
    case Seen::kNoAnswer: return Outcome::error(r.describe());
    case Seen::kServerError: return Outcome::fail("the protected URL without a session answered " + r.describe());
    case Seen::kOtherRefusal:
    case Seen::kOther:
      return Outcome::fail("the protected URL without a session answered " + r.describe() + ", not the declared " +
                           rp(ctx).unauthenticated + " answer");
  }
  if (rp(ctx).unauthenticated == "401") return Outcome::pass("401 without a session, as declared");
  const std::string location = *r.location();
  const std::string query = location.substr(std::min(location.size(), location.find('?') + 1));
  auto fields = fed::parse_form(query);
  if (!fields.ok()) return Outcome::fail("the sign-in redirect's query does not parse: " + fields.error().message());
  if (rp(ctx).signin_method == "wsfed") {
    auto wa = fed::form_value(*fields, "wa");
    auto realm = fed::form_value(*fields, "wtrealm");
    if (!wa.ok() || !*wa || **wa != "wsignin1.0") return Outcome::fail("the sign-in redirect has no wa=wsignin1.0");
    if (!realm.ok() || !*realm || **realm != rp(ctx).realm) {
      return Outcome::fail("the sign-in redirect's wtrealm is not the profile's realm " + rp(ctx).realm);
    }
    return Outcome::pass("302 to the STS with wa=wsignin1.0 and wtrealm=" + rp(ctx).realm);
  }
  auto request = fed::form_value(*fields, "SAMLRequest");
  if (!request.ok() || !*request) return Outcome::fail("the SAML sign-in redirect carries no SAMLRequest");
  return Outcome::pass("302 to the STS with a SAMLRequest (HTTP-Redirect binding)");
}

// RP-SESS-09: the whole round trip, then the session serves the protected URL and whoami.
Outcome sign_in_round_trip(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::fail("a normal sign-in through the STS did not give a session: " + s.error().message());
  BrowserResponse again = control(*s->browser, "the protected URL again");
  if (see(ctx, again) != Seen::kAuthenticated) {
    return Outcome::fail("the session served the protected URL once, then " + again.describe());
  }
  return Outcome::pass("signed in through the STS; the session cookie (" +
                       std::to_string(s->signin.session_set_cookies.size()) +
                       " Set-Cookie) serves the protected URL on every request");
}

// The session cookies of a fresh sign-in's answer, or the reason there are none.
using CookieCheck = std::function<Outcome(CaseContext&, const std::vector<SetCookieField>&)>;
Outcome on_session_cookies(CaseContext& ctx, const CookieCheck& check) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  return check(ctx, s->signin.session_set_cookies);
}

Outcome each_has(const std::vector<SetCookieField>& cookies, const char* attribute, const std::string& why) {
  for (const auto& c : cookies) {
    if (!c.has(attribute)) return Outcome::fail("session cookie " + c.name + " lacks " + why + ": " + c.raw.substr(0, 200));
  }
  return Outcome::pass("every session cookie (" + std::to_string(cookies.size()) + ") carries " + why);
}

// The directory of the protected URL's path ("/app/" for "https://h/app/" or "https://h/app/x").
std::string protected_directory(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return "/";
  std::string path = url.substr(slash, url.find_first_of("?#", slash) - slash);
  return path.substr(0, path.rfind('/') + 1);
}

std::string host_of(const std::string& url) {
  const auto scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::string host = url.substr(start, url.find_first_of("/:?#", start) - start);
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return host;
}

Outcome check_path(CaseContext& ctx, const std::vector<SetCookieField>& cookies) {
  const std::string dir = protected_directory(rp(ctx).protected_url);
  for (const auto& c : cookies) {
    const std::string path = c.attribute("path").value_or("");
    if (path.empty()) {
      return Outcome::fail("session cookie " + c.name + " has no Path: the browser's default path depends on the URL "
                           "that set it");
    }
    if (path == "/" && dir != "/") {
      return Outcome::fail("session cookie " + c.name + " has Path=/ although the application is " + dir +
                           ": every other application on the host receives the session");
    }
    if (!dir.starts_with(path)) {
      return Outcome::fail("session cookie " + c.name + " has Path=" + path + ", which does not cover the protected " +
                           dir + ": the browser would not send it back");
    }
  }
  return Outcome::pass("the session cookies are scoped to Path=" + cookies.front().attribute("path").value_or("") +
                       " (protected path " + dir + ")");
}

Outcome check_expires(CaseContext& ctx, const std::vector<SetCookieField>& cookies) {
  const bool persistent = rp(ctx).persistent;
  for (const auto& c : cookies) {
    const bool has = c.has("expires") || c.has("max-age");
    if (has && !persistent) {
      return Outcome::fail("session cookie " + c.name + " carries " + (c.has("expires") ? "Expires" : "Max-Age") +
                           " although the profile declares no persistent sessions: it outlives the browser session");
    }
    if (!has && persistent) {
      return Outcome::fail("session cookie " + c.name + " has no Expires although the profile declares persistent "
                           "sessions");
    }
  }
  return Outcome::pass(persistent ? "persistent sessions: every session cookie carries an expiry"
                                  : "no Expires / Max-Age: the session cookies end with the browser session");
}

Outcome check_same_site(CaseContext&, const std::vector<SetCookieField>& cookies) {
  std::string seen;
  for (const auto& c : cookies) {
    auto ss = c.attribute("samesite");
    if (!ss) continue;
    std::string v = *ss;
    for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "none" && !c.has("secure")) {
      return Outcome::fail("session cookie " + c.name + " has SameSite=None without Secure: browsers drop it");
    }
    if (v != "none" && v != "lax" && v != "strict") {
      return Outcome::fail("session cookie " + c.name + " has SameSite=" + *ss + ", not Lax, Strict or None");
    }
    seen = *ss;
  }
  if (seen.empty()) {
    return Outcome::info("no SameSite attribute (WIF writes none): current browsers treat the cookie as Lax, which a "
                         "passive sign-in's cross-site POST does not need for the session cookie itself");
  }
  return Outcome::pass("SameSite=" + seen);
}

Outcome check_domain(CaseContext& ctx, const std::vector<SetCookieField>& cookies) {
  const std::string host = host_of(rp(ctx).protected_url);
  for (const auto& c : cookies) {
    auto d = c.attribute("domain");
    if (!d || d->empty()) continue;
    std::string domain = *d;
    if (domain[0] == '.') domain.erase(0, 1);
    for (char& ch : domain) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (domain != host && !(host.ends_with("." + domain))) {
      return Outcome::fail("session cookie " + c.name + " has Domain=" + *d + ", which the RP's host " + host +
                           " does not domain-match: browsers drop it");
    }
    if (domain != host) {
      return Outcome::warn("session cookie " + c.name + " has Domain=" + *d + ": every host under it receives the "
                           "session (fine for a farm behind one parent domain, wider than needed otherwise)");
    }
  }
  return Outcome::pass("the session cookies are host-only or scoped to the RP's own host " + host);
}

// RP-COOKIE-03 as a browser sees it: the jar sends the session to the protected path and not
// to the application root outside it.
Outcome cookie_scope(CaseContext& ctx) {
  auto s = signed_in(ctx);
  if (!s.ok()) return Outcome::prereq_failed(s.error().message());
  const auto& p = rp(ctx);
  auto sent = [&](const std::string& url) {
    const std::string header = s->browser->cookie_header(url);
    for (const auto& c : s->browser->session_cookies()) {
      if (header.find(c.name + "=") != std::string::npos) return true;
    }
    return false;
  };
  if (!sent(p.protected_url)) return Outcome::fail("the browser does not send the session cookie to the protected URL");
  const std::string dir = protected_directory(p.protected_url);
  if (dir == "/") return Outcome::not_applicable("the protected area is the whole host (/): nothing lies outside it");
  const std::string outside = p.protected_url.substr(0, p.protected_url.find(dir)) + "/parley-outside" +
                              std::to_string(ctx.rng()() % 100000);
  if (sent(outside)) {
    return Outcome::fail("the browser sends the session cookie to " + outside + ", outside the protected path " + dir);
  }
  return Outcome::pass("the browser sends the session cookie under " + dir + " only (not to " + outside + ")");
}

}  // namespace

Status register_01_cookies(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wif/01/unauthenticated", "Without a session the RP asks for a sign-in, as declared",
                     {"RP-UNAUTH-01"}, "RP", {}, false,
                     "GET the protected URL with no cookie.",
                     "The declared answer: 302 to the STS (wa=wsignin1.0, wtrealm = the realm; or a SAMLRequest) or 401.",
                     "The resource served to anyone; a login page of another kind; a 500 without a session."},
                    unauthenticated}));
  PARLEY_TRY(r.add({{"wif/01/sign-in", "A sign-in through the STS gives a session that serves the protected URL",
                     {"RP-SESS-09", "RP-UNAUTH-01"}, "RP", {}, false,
                     "The passive sign-in: protected URL, the STS, its auto-POST of the token to the RP; then the "
                     "protected URL twice with the cookies set.",
                     "Session cookies in the answer to the token; 200 for the protected URL.",
                     "The RP does not trust parley's STS (its signing certificate, issuer, realm); cookies scoped so "
                     "that the browser does not send them back."},
                    sign_in_round_trip}));
  PARLEY_TRY(r.add({{"wif/02/cookie-secure", "Session cookies carry Secure", {"RP-COOKIE-01"}, "RP", {}, false,
                     "A sign-in; the Set-Cookie fields of the session.", "Secure on every session cookie.",
                     "requireSsl=\"false\" in <cookieHandler>."},
                    [](CaseContext& ctx) {
                      return on_session_cookies(ctx, [](CaseContext&, const auto& c) {
                        return each_has(c, "secure", "the Secure attribute");
                      });
                    }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-httponly", "Session cookies carry HttpOnly", {"RP-COOKIE-02"}, "RP", {}, false,
                     "A sign-in; the Set-Cookie fields of the session.", "HttpOnly on every session cookie.",
                     "hideFromScript=\"false\" in <cookieHandler>."},
                    [](CaseContext& ctx) {
                      return on_session_cookies(ctx, [](CaseContext&, const auto& c) {
                        return each_has(c, "httponly", "the HttpOnly attribute");
                      });
                    }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-path", "Session cookies are scoped to the protected path", {"RP-COOKIE-03"}, "RP",
                     {}, false, "A sign-in; the Path of each session cookie.",
                     "Path = the protected application path (WIF: the application path with a trailing slash).",
                     "path=\"/\" in <cookieHandler>; an application that sets its own cookie path."},
                    [](CaseContext& ctx) { return on_session_cookies(ctx, check_path); }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-expires", "Expires only for persistent sessions", {"RP-COOKIE-04"}, "RP", {}, false,
                     "A sign-in; Expires / Max-Age of each session cookie.",
                     "No expiry unless the profile declares persistent = true.",
                     "persistentCookiesOnPassiveRedirects=\"true\"; IsPersistent set by the application."},
                    [](CaseContext& ctx) { return on_session_cookies(ctx, check_expires); }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-samesite", "SameSite, when set, is valid (None only with Secure)",
                     {"RP-COOKIE-05"}, "RP", {}, false, "A sign-in; SameSite of each session cookie.",
                     "Absent (INFO), Lax or Strict, or None together with Secure.",
                     "SameSite=None on a cookie without Secure (browsers drop it)."},
                    [](CaseContext& ctx) { return on_session_cookies(ctx, check_same_site); }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-domain", "Session cookies are host-only or scoped to the RP's host",
                     {"RP-COOKIE-06"}, "RP", {}, false, "A sign-in; Domain of each session cookie.",
                     "No Domain, or the RP's own host; a parent domain is WARN; a foreign one FAIL.",
                     "domain=\"...\" in <cookieHandler> set to a shared parent domain."},
                    [](CaseContext& ctx) { return on_session_cookies(ctx, check_domain); }}));
  PARLEY_TRY(r.add({{"wif/02/cookie-scope", "The browser sends the session only under the protected path",
                     {"RP-COOKIE-03"}, "RP", {}, false,
                     "A sign-in; the Cookie field parley's RFC 6265 jar would send to the protected URL and to a path "
                     "outside it.",
                     "The session cookies go to the protected URL and not outside it.",
                     "Path=/; a Domain wider than the host."},
                    cookie_scope}));
  return ok_status();
}

}  // namespace parley::suites::wif_session
