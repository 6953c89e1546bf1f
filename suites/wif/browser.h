// A small browser for the relying-party cases: HTTP(S) through harness/transport's libcurl
// client, a cookie jar that stores and sends cookies the way RFC 6265 s.5.3 / s.5.4 say (domain
// and path matching, Secure, deletion by a past Expires or Max-Age), no automatic redirects (the
// cases look at every hop), the STS's auto-POST form parsed with libxml2's HTML parser, and the
// passive sign-in through parley's test STS. Every exchange is recorded as case evidence.
//
// Limits, because the RP under test may be hostile: redirects followed per navigation, response
// body size, cookies in the jar and bytes per cookie (4096, what RFC 6265 s.6.1 asks browsers to
// keep at least and what they keep at most).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/case.h"
#include "harness/fed/form.h"
#include "harness/transport/http_client.h"

namespace parley::suites::wif_suite {

// One Set-Cookie field as received (RFC 6265 s.5.2): name, value and the attributes in order,
// names lower-cased ("secure", "httponly", "path", ...; flags have an empty value).
struct SetCookieField {
  std::string raw;
  std::string name;
  std::string value;
  std::vector<std::pair<std::string, std::string>> attributes;

  std::optional<std::string> attribute(std::string_view lower_name) const;  // the last one wins (s.5.3)
  bool has(std::string_view lower_name) const { return attribute(lower_name).has_value(); }
  // An expiry in the past (Expires or Max-Age <= 0): the server deletes the cookie.
  bool is_deletion(std::chrono::system_clock::time_point now) const;
};
Result<SetCookieField> parse_set_cookie(std::string_view line);

// A cookie in the jar (RFC 6265 s.5.3).
struct JarCookie {
  std::string name;
  std::string value;
  std::string domain;
  bool host_only = true;
  std::string path = "/";
  bool secure = false;
  bool http_only = false;
  std::optional<std::chrono::system_clock::time_point> expires;  // nullopt: a session cookie
};

struct BrowserResponse {
  std::string url;
  int status = 0;  // 0: no answer (see error)
  transport::HttpHeaders headers;
  std::string body;
  std::vector<SetCookieField> set_cookies;
  std::string error;  // transport failure; "" when an answer came

  bool answered() const { return error.empty(); }
  std::optional<std::string> location() const;  // resolved against url
  std::string describe() const;                  // "HTTP 302 to https://...", "no answer: ..."
};

// What the auto-POST page of an STS holds.
struct AutoPostForm {
  std::string action;  // resolved against the page's URL
  fed::FormFields fields;
};
// The first <form> of an HTML page and its <input name=... value=...> fields (libxml2's HTML
// parser; entities decoded). kParse when the page has no form with an action.
Result<AutoPostForm> parse_auto_post_form(std::string_view html, std::string_view page_url);

// `reference` resolved against `base` (RFC 3986 s.5, by libcurl's URL API).
Result<std::string> resolve_url(std::string_view base, std::string_view reference);

struct BrowserLimits {
  int max_redirects = 10;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::size_t max_cookies = 300;
  std::size_t max_cookie_bytes = 4096;  // name + value
};

// Per-request options.
struct RequestOptions {
  // Sent as the Cookie field instead of the jar's cookies ("" sends none).
  std::optional<std::string> cookie_header;
  // Whether the answer's Set-Cookie fields change the jar (mutants leave it alone, so the
  // control after a mutant still has the real session).
  bool store_cookies = true;
};

// The result of a passive sign-in.
struct SignInResult {
  BrowserResponse answer;        // the RP's answer to the posted token (302 + cookies, normally)
  AutoPostForm form;             // what the STS had the browser post (replay cases post it again)
  std::string token_xml;         // the assertion (wresult or decoded SAMLResponse), for its Conditions
  std::vector<SetCookieField> session_set_cookies;  // the answer's session cookies (not deletions)
};

class Browser {
 public:
  Browser(engine::CaseContext& ctx, BrowserLimits limits = {});
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  BrowserResponse get(const std::string& url, const std::string& label, const RequestOptions& options = {});
  BrowserResponse post_form(const std::string& url, const fed::FormFields& fields, const std::string& label,
                            const RequestOptions& options = {});
  // GET, following redirects (at most limits.max_redirects) while they stay away from the STS.
  BrowserResponse navigate(const std::string& url, const std::string& label);

  // The Cookie field the jar sends to `url` (RFC 6265 s.5.4), "" when none.
  std::string cookie_header(const std::string& url) const;
  const std::vector<JarCookie>& cookies() const { return jar_; }
  // The profile's session cookies in the jar (cookie_name and its chunks, or cookie_pattern),
  // chunk order for WIF names.
  std::vector<JarCookie> session_cookies() const;
  // The reassembled session value: the chunks' values concatenated in order.
  std::string session_value() const;
  void set_cookie(JarCookie cookie);
  void clear_cookies() { jar_.clear(); }

  // The passive sign-in: the protected URL, the RP's redirect to the STS (or, for an RP that
  // answers 401, a sign-in request parley builds from the profile), the STS with `sts_query`
  // added (e.g. "parley-token=expired"), its auto-POST to the RP. Errors say which hop failed.
  Result<SignInResult> sign_in(const std::string& label, std::string_view sts_query = "");
  // The STS half only, from a sign-in URL (the RP's redirect target).
  Result<SignInResult> sign_in_at(const std::string& sts_signin_url, const std::string& label,
                                  std::string_view sts_query = "");
  // The sign-in URL parley builds itself (for 401 RPs and for sign-ins that do not start at the RP).
  std::string signin_url() const;

  engine::CaseContext& context() { return ctx_; }

 private:
  BrowserResponse exchange(const std::string& method, const std::string& url, std::string body,
                           std::string content_type, const std::string& label, const RequestOptions& options);
  void store(const std::string& url, const SetCookieField& field, std::chrono::system_clock::time_point now);

  engine::CaseContext& ctx_;
  BrowserLimits limits_;
  std::unique_ptr<transport::HttpClient> http_;
  std::vector<JarCookie> jar_;
};

}  // namespace parley::suites::wif_suite
