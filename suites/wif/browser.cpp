#include "suites/wif/browser.h"

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cctype>

#include "harness/core/bytes.h"
#include "harness/core/text.h"
#include "harness/fed/saml.h"

namespace parley::suites::wif_suite {
namespace {

using Clock = std::chrono::system_clock;

// libcurl's URL API handle, freed on every path.
struct UrlHandle {
  CURLU* h = curl_url();
  ~UrlHandle() { curl_url_cleanup(h); }
  std::optional<std::string> get(CURLUPart part) const {
    char* out = nullptr;
    if (curl_url_get(h, part, &out, 0) != CURLUE_OK || out == nullptr) return std::nullopt;
    std::string s(out);
    curl_free(out);
    return s;
  }
};

struct UrlParts {
  std::string scheme;
  std::string host;
  std::string path;
};
std::optional<UrlParts> url_parts(const std::string& url) {
  UrlHandle u;
  if (u.h == nullptr || curl_url_set(u.h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  UrlParts p;
  p.scheme = core::lower_ascii(u.get(CURLUPART_SCHEME).value_or(""));
  p.host = core::lower_ascii(u.get(CURLUPART_HOST).value_or(""));
  p.path = u.get(CURLUPART_PATH).value_or("/");
  if (p.path.empty() || p.path[0] != '/') p.path = "/";
  return p;
}

// RFC 6265 s.5.1.3.
bool domain_match(const std::string& host, const std::string& domain) {
  if (host == domain) return true;
  if (host.size() <= domain.size() || !host.ends_with(domain) || host[host.size() - domain.size() - 1] != '.') {
    return false;
  }
  // The host must be a name, not an IP address.
  return host.find_first_not_of("0123456789.") != std::string::npos;
}

// RFC 6265 s.5.1.4.
bool path_match(const std::string& request_path, const std::string& cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

std::string default_path(const std::string& request_path) {
  const auto slash = request_path.rfind('/');
  if (request_path.empty() || request_path[0] != '/' || slash == 0 || slash == std::string::npos) return "/";
  return request_path.substr(0, slash);
}

std::optional<Clock::time_point> cookie_date(const std::string& text) {
  // libcurl's cookie-date parser takes RFC 1123 and the "Thu, 01-Jan-1970 00:00:00 GMT" form.
  const time_t t = curl_getdate(text.c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return Clock::from_time_t(t);
}

std::optional<Clock::time_point> expiry_of(const SetCookieField& f, Clock::time_point now) {
  if (auto max_age = f.attribute("max-age")) {
    // Max-Age wins over Expires (s.5.3 step 3).
    const std::string& v = *max_age;
    if (!v.empty() && v.find_first_not_of("-0123456789") == std::string::npos && v.size() < 12) {
      const long long secs = std::stoll(v);
      return secs <= 0 ? Clock::time_point{} : now + std::chrono::seconds(secs);
    }
  }
  if (auto expires = f.attribute("expires")) return cookie_date(*expires);
  return std::nullopt;
}

std::string shorten(const std::string& body) {
  constexpr std::size_t kMax = std::size_t{64} << 10;
  if (body.size() <= kMax) return body;
  return body.substr(0, 4096) + "\n[parley: " + std::to_string(body.size() - 4096) + " more bytes not recorded]";
}

std::string add_query(const std::string& url, std::string_view query) {
  if (query.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

}  // namespace

std::optional<std::string> SetCookieField::attribute(std::string_view lower_name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : attributes) {
    if (k == lower_name) out = v;
  }
  return out;
}

bool SetCookieField::is_deletion(Clock::time_point now) const {
  auto when = expiry_of(*this, now);
  return when && *when <= now;
}

Result<SetCookieField> parse_set_cookie(std::string_view line) {
  SetCookieField f;
  f.raw = std::string(line);
  const auto semi = line.find(';');
  std::string_view pair = line.substr(0, semi);
  const auto eq = pair.find('=');
  if (eq == std::string_view::npos) return Error(ErrorCode::kParse, "no '=' in the name-value pair", "Set-Cookie");
  f.name = std::string(core::trim_ows(pair.substr(0, eq)));
  f.value = std::string(core::trim_ows(pair.substr(eq + 1)));
  if (f.name.empty()) return Error(ErrorCode::kParse, "empty cookie name", "Set-Cookie");
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : line.substr(semi + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    std::string_view av = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const auto aeq = av.find('=');
    std::string name = core::lower_ascii(core::trim_ows(av.substr(0, aeq)));
    std::string value = aeq == std::string_view::npos ? std::string() : std::string(core::trim_ows(av.substr(aeq + 1)));
    if (!name.empty()) f.attributes.emplace_back(std::move(name), std::move(value));
    if (f.attributes.size() > 64) return Error(ErrorCode::kLimitExceeded, "more than 64 attributes", "Set-Cookie");
  }
  return f;
}

std::optional<std::string> BrowserResponse::location() const {
  auto l = headers.get("Location");
  if (!l) return std::nullopt;
  auto resolved = resolve_url(url, *l);
  return resolved.ok() ? std::optional<std::string>(*resolved) : std::optional<std::string>(std::string(*l));
}

std::string BrowserResponse::describe() const {
  if (!answered()) return "no answer: " + error;
  std::string s = "HTTP " + std::to_string(status);
  if (auto l = location(); l && status >= 300 && status < 400) s += " to " + (l->size() > 120 ? l->substr(0, 117) + "..." : *l);
  return s;
}

Result<std::string> resolve_url(std::string_view base, std::string_view reference) {
  UrlHandle u;
  if (u.h == nullptr) return Error(ErrorCode::kInternal, "curl_url failed", "url");
  const std::string b(base), r(reference);
  if (curl_url_set(u.h, CURLUPART_URL, b.c_str(), 0) != CURLUE_OK) {
    return Error(ErrorCode::kParse, "'" + b + "' is not a URL", "url");
  }
  // With a base already set, CURLUPART_URL resolves a relative reference against it.
  if (curl_url_set(u.h, CURLUPART_URL, r.c_str(), 0) != CURLUE_OK) {
    return Error(ErrorCode::kParse, "'" + r + "' is not a URL reference", "url");
  }
  auto out = u.get(CURLUPART_URL);
  if (!out) return Error(ErrorCode::kParse, "cannot resolve '" + r + "'", "url");
  return *out;
}

Result<AutoPostForm> parse_auto_post_form(std::string_view html, std::string_view page_url) {
  if (html.size() > (std::size_t{4} << 20)) return Error(ErrorCode::kLimitExceeded, "page over 4 MiB", "auto-post form");
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NOBLANKS);
  if (doc == nullptr) return Error(ErrorCode::kParse, "not HTML", "auto-post form");
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> owner(doc, xmlFreeDoc);
  auto attr = [](xmlNodePtr n, const char* name) -> std::optional<std::string> {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (v == nullptr) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
  };
  AutoPostForm form;
  xmlNodePtr form_node = nullptr;
  // Depth-first, iteratively: a hostile page cannot recurse us off the stack.
  std::vector<xmlNodePtr> stack{xmlDocGetRootElement(doc)};
  std::size_t visited = 0;
  while (!stack.empty() && ++visited < 100000) {
    xmlNodePtr n = stack.back();
    stack.pop_back();
    if (n == nullptr) continue;
    if (n->type == XML_ELEMENT_NODE) {
      const std::string name = core::lower_ascii(reinterpret_cast<const char*>(n->name));
      if (name == "form" && form_node == nullptr) {
        form_node = n;
        auto action = attr(n, "action");
        if (!action) return Error(ErrorCode::kParse, "the form has no action", "auto-post form");
        PARLEY_ASSIGN_OR_RETURN(form.action, resolve_url(page_url, *action));
      } else if (name == "input" && form_node != nullptr) {
        auto field = attr(n, "name");
        if (field && !field->empty()) form.fields.emplace_back(*field, attr(n, "value").value_or(""));
        if (form.fields.size() > 64) return Error(ErrorCode::kLimitExceeded, "more than 64 fields", "auto-post form");
      }
    }
    // Children in document order: pushed last to first.
    std::vector<xmlNodePtr> children;
    for (xmlNodePtr c = n->children; c != nullptr; c = c->next) children.push_back(c);
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  if (form_node == nullptr) return Error(ErrorCode::kParse, "the page has no <form>", "auto-post form");
  return form;
}

Browser::Browser(engine::CaseContext& ctx, BrowserLimits limits) : ctx_(ctx), limits_(limits) {
  transport::HttpClient::Options o;
  const auto& s = ctx.settings();
  o.connect_timeout = std::min<std::chrono::milliseconds>(s.request_timeout, std::chrono::seconds(10));
  o.total_timeout = s.request_timeout;
  o.max_body_bytes = limits_.max_body_bytes;
  o.max_header_bytes = std::size_t{1} << 20;  // a re-authentication deleting hundreds of chunks
  o.follow_redirects = false;
  if (ctx.profile().relying_party) o.ca_file = ctx.profile().relying_party->ca_file;
  http_ = std::make_unique<transport::HttpClient>(o);
  http_->set_deadline(std::chrono::steady_clock::now() + ctx.budget());
}

Browser::~Browser() = default;

std::string Browser::cookie_header(const std::string& url) const {
  auto parts = url_parts(url);
  if (!parts) return "";
  const auto now = Clock::now();
  std::vector<const JarCookie*> send;
  for (const auto& c : jar_) {
    if (c.expires && *c.expires <= now) continue;
    if (c.host_only ? parts->host != c.domain : !domain_match(parts->host, c.domain)) continue;
    if (!path_match(parts->path, c.path)) continue;
    if (c.secure && parts->scheme != "https") continue;
    send.push_back(&c);
  }
  // Longer paths first (s.5.4 step 2); otherwise jar order (creation order).
  std::stable_sort(send.begin(), send.end(), [](auto* a, auto* b) { return a->path.size() > b->path.size(); });
  std::string header;
  for (const auto* c : send) header += (header.empty() ? "" : "; ") + c->name + "=" + c->value;
  return header;
}

void Browser::store(const std::string& url, const SetCookieField& f, Clock::time_point now) {
  auto parts = url_parts(url);
  if (!parts) return;
  JarCookie c;
  c.name = f.name;
  c.value = f.value;
  if (c.name.size() + c.value.size() > limits_.max_cookie_bytes) {
    ctx_.note("the browser dropped cookie " + c.name + ": " + std::to_string(c.name.size() + c.value.size()) +
              " bytes, over the " + std::to_string(limits_.max_cookie_bytes) + " a browser keeps (RFC 6265 s.6.1)");
    return;
  }
  std::string domain = core::lower_ascii(f.attribute("domain").value_or(""));
  if (!domain.empty() && domain[0] == '.') domain.erase(0, 1);
  if (!domain.empty()) {
    if (!domain_match(parts->host, domain)) {
      ctx_.note("the browser ignored cookie " + c.name + ": Domain=" + domain + " does not domain-match " + parts->host +
                " (RFC 6265 s.5.3 step 6)");
      return;
    }
    c.host_only = false;
    c.domain = domain;
  } else {
    c.domain = parts->host;
  }
  const std::string path = f.attribute("path").value_or("");
  c.path = !path.empty() && path[0] == '/' ? path : default_path(parts->path);
  c.secure = f.has("secure");
  c.http_only = f.has("httponly");
  if (c.secure && parts->scheme != "https") return;  // s.5.3 (RFC 6265bis): Secure only from a secure origin
  c.expires = expiry_of(f, now);
  std::erase_if(jar_, [&](const JarCookie& old) {
    return old.name == c.name && old.domain == c.domain && old.path == c.path;
  });
  if (c.expires && *c.expires <= now) return;  // a deletion
  if (jar_.size() >= limits_.max_cookies) {
    ctx_.note("the browser's jar is full (" + std::to_string(limits_.max_cookies) + " cookies): " + c.name + " dropped");
    return;
  }
  jar_.push_back(std::move(c));
}

void Browser::set_cookie(JarCookie cookie) {
  std::erase_if(jar_, [&](const JarCookie& old) {
    return old.name == cookie.name && old.domain == cookie.domain && old.path == cookie.path;
  });
  jar_.push_back(std::move(cookie));
}

std::vector<JarCookie> Browser::session_cookies() const {
  const auto& rp = *ctx_.profile().relying_party;
  std::vector<JarCookie> out;
  for (const auto& c : jar_) {
    if (rp.is_session_cookie(c.name)) out.push_back(c);
  }
  if (rp.cookie_pattern.empty()) {
    // WIF order: Name, Name1, Name2, ...
    auto index = [&](const JarCookie& c) -> std::size_t {
      const std::string rest = c.name.substr(rp.cookie_name.size());
      return rest.empty() ? 0 : static_cast<std::size_t>(std::stoull(rest.substr(0, 9)));
    };
    std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return index(a) < index(b); });
  }
  return out;
}

std::string Browser::session_value() const {
  std::string v;
  for (const auto& c : session_cookies()) v += c.value;
  return v;
}

BrowserResponse Browser::exchange(const std::string& method, const std::string& url, std::string body,
                                  std::string content_type, const std::string& label, const RequestOptions& options) {
  transport::HttpRequest request;
  request.method = method;
  const std::string cookies = options.cookie_header.value_or(cookie_header(url));
  if (!cookies.empty()) request.headers.add("Cookie", cookies);
  if (!content_type.empty()) request.headers.add("Content-Type", content_type);
  request.body = std::move(body);

  engine::EvidenceExchange x;
  x.label = label;
  x.url = url;
  x.request_content_type = content_type;
  x.request_body = method + " " + url + "\n";
  for (const auto& f : request.headers) x.request_body += f.name + ": " + shorten(f.value) + "\n";
  if (!request.body.empty()) x.request_body += "\n" + shorten(request.body);

  BrowserResponse r;
  r.url = url;
  if (ctx_.out_of_time()) {
    r.error = "the case's time budget ran out before this request (--case-timeout)";
  } else {
    transport::Exchange e = http_->exchange(url, request);
    if (e.error) {
      r.error = e.error->message();
    } else {
      r.status = e.response.status;
      r.headers = e.response.headers;
      r.body = std::move(e.response.body);
    }
  }
  x.error = r.error;
  x.response_status = r.status;
  if (auto ct = r.headers.get("Content-Type")) x.response_content_type = std::string(*ct);
  for (const auto& f : r.headers) x.response_body += f.name + ": " + shorten(f.value) + "\n";
  x.response_body += "\n" + shorten(r.body);
  ctx_.evidence().exchanges.push_back(std::move(x));

  const auto now = Clock::now();
  for (auto line : r.headers.get_all("Set-Cookie")) {
    auto f = parse_set_cookie(line);
    if (!f.ok()) {
      ctx_.note("an unparsable Set-Cookie from " + url + ": " + f.error().message());
      continue;
    }
    if (options.store_cookies) store(url, *f, now);
    r.set_cookies.push_back(std::move(*f));
  }
  return r;
}

BrowserResponse Browser::get(const std::string& url, const std::string& label, const RequestOptions& options) {
  return exchange("GET", url, {}, {}, label, options);
}

BrowserResponse Browser::post_form(const std::string& url, const fed::FormFields& fields, const std::string& label,
                                   const RequestOptions& options) {
  return exchange("POST", url, fed::write_form(fields), "application/x-www-form-urlencoded", label, options);
}

BrowserResponse Browser::navigate(const std::string& url, const std::string& label) {
  BrowserResponse r = get(url, label);
  const std::string sts = ctx_.profile().relying_party->sts_url;
  for (int hop = 0; hop < limits_.max_redirects; ++hop) {
    if (r.status < 300 || r.status >= 400) return r;
    auto next = r.location();
    if (!next || next->starts_with(sts.substr(0, sts.find('?')))) return r;
    r = get(*next, label + " (redirect " + std::to_string(hop + 1) + ")");
  }
  if (r.status >= 300 && r.status < 400) {
    r.error = "more than " + std::to_string(limits_.max_redirects) + " redirects";
  }
  return r;
}

std::string Browser::signin_url() const {
  const auto& rp = *ctx_.profile().relying_party;
  const std::string reply = rp.signin_url.empty() ? rp.protected_url : rp.signin_url;
  if (rp.signin_method == "wsfed") return fed::wsfed_signin_url(rp.sts_url, rp.realm, reply, "");
  fed::AuthnRequest authn;
  authn.issuer = rp.realm;
  authn.destination = rp.sts_url;
  authn.assertion_consumer_service_url = reply;
  authn.protocol_binding = std::string(names::fed::kBindingHttpPost);
  auto encoded = fed::deflate_and_base64(fed::write_authn_request(authn));
  return add_query(rp.sts_url, fed::write_form({{"SAMLRequest", encoded.ok() ? *encoded : std::string()}}));
}

Result<SignInResult> Browser::sign_in_at(const std::string& sts_signin_url, const std::string& label,
                                         std::string_view sts_query) {
  const std::string url = add_query(sts_signin_url, sts_query);
  BrowserResponse page = get(url, label + ": STS");
  if (page.status != 200) {
    return Error(ErrorCode::kIo, "the STS answered the sign-in request with " + page.describe(), url);
  }
  auto form = parse_auto_post_form(page.body, url);
  if (!form.ok()) return std::move(form.error().within("the STS's answer"));
  SignInResult out;
  out.form = std::move(*form);
  for (const auto& [k, v] : out.form.fields) {
    if (k == "wresult") out.token_xml = v;
    if (k == "SAMLResponse") {
      auto xml = base64_decode(v);
      if (xml.ok()) out.token_xml = to_string(*xml);
    }
  }
  out.answer = post_form(out.form.action, out.form.fields, label + ": token to the RP");
  if (!out.answer.answered()) return Error(ErrorCode::kIo, out.answer.describe(), out.form.action);
  const auto now = Clock::now();
  const auto& rp = *ctx_.profile().relying_party;
  for (const auto& c : out.answer.set_cookies) {
    if (rp.is_session_cookie(c.name) && !c.is_deletion(now) && !c.value.empty()) out.session_set_cookies.push_back(c);
  }
  return out;
}

Result<SignInResult> Browser::sign_in(const std::string& label, std::string_view sts_query) {
  const auto& rp = *ctx_.profile().relying_party;
  BrowserResponse first = get(rp.protected_url, label + ": protected URL");
  if (!first.answered()) return Error(ErrorCode::kIo, first.describe(), rp.protected_url);
  std::string start;
  if (first.status >= 300 && first.status < 400 && first.location()) {
    start = *first.location();
  } else if (first.status == 401) {
    start = signin_url();  // a 401 names no URL a browser could follow: parley builds the request
  } else {
    return Error(ErrorCode::kIo,
                 "the protected URL without a session answered " + first.describe() + ", not a sign-in redirect or 401",
                 rp.protected_url);
  }
  return sign_in_at(start, label, sts_query);
}

}  // namespace parley::suites::wif_suite
