// Passive checks of WIF session cookies (FedAuth, FedAuth1, ...) in recorded browser flows:
// attributes, chunking, and deletion on sign-out (wcf-wif-wire-facts.md, "Chunked cookies").
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "harness/core/text.h"
#include "harness/wif/chunked_cookies.h"
#include "suites/passive/passive.h"

namespace parley::suites::passive {
namespace {

using engine::CaseInfo;
using engine::Observation;
using engine::Outcome;
using engine::PassiveSettings;
using engine::TallyObserver;

// A Set-Cookie header value, attributes as the browser reads them (RFC 6265 section 5.2).
struct SetCookieLine {
  std::string name, value, path, domain, expires;
  std::optional<long long> max_age;
  bool secure = false, http_only = false, has_path = false;
};

SetCookieLine parse_set_cookie(std::string_view header) {
  SetCookieLine c;
  std::size_t semi = header.find(';');
  std::string_view pair = header.substr(0, semi);
  std::size_t eq = pair.find('=');
  c.name = std::string(core::trim_ows(pair.substr(0, eq)));
  if (eq != std::string_view::npos) c.value = std::string(core::trim_ows(pair.substr(eq + 1)));
  while (semi != std::string_view::npos) {
    header.remove_prefix(semi + 1);
    semi = header.find(';');
    std::string_view attr = header.substr(0, semi);
    std::size_t aeq = attr.find('=');
    const std::string key = core::lower_ascii(core::trim_ows(attr.substr(0, aeq)));
    const std::string value = aeq == std::string_view::npos ? "" : std::string(core::trim_ows(attr.substr(aeq + 1)));
    if (key == "secure") c.secure = true;
    if (key == "httponly") c.http_only = true;
    if (key == "path") {
      c.path = value;
      c.has_path = true;
    }
    if (key == "domain") c.domain = value;
    if (key == "expires") c.expires = value;
    if (key == "max-age") {
      try {
        c.max_age = std::stoll(value);
      } catch (...) {
      }
    }
  }
  return c;
}

// The year of a cookie date ("Thu, 01-Jan-1970 00:00:00 GMT" or RFC 1123), 0 when none.
int cookie_year(std::string_view date) {
  for (std::size_t i = 0; i + 4 <= date.size(); ++i) {
    if (std::all_of(date.begin() + static_cast<long>(i), date.begin() + static_cast<long>(i + 4),
                    [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        (i + 4 == date.size() || date[i + 4] == ' ') && (i == 0 || date[i - 1] == ' ' || date[i - 1] == '-')) {
      return std::stoi(std::string(date.substr(i, 4)));
    }
  }
  return 0;
}

int capture_year(const capture::Message& m) {
  using namespace std::chrono;
  if (m.time.time_since_epoch().count() == 0) return 0;
  return static_cast<int>(year_month_day{floor<days>(m.time)}.year());
}

// A deletion: empty value, or an expiry in the past (a year before the capture's, or 1970), or
// Max-Age <= 0. Exact dates are not needed: WIF writes now - 1 day, ASP.NET Core the epoch.
bool is_deletion(const SetCookieLine& c, const capture::Message& response) {
  if (c.max_age && *c.max_age <= 0) return true;
  const int year = cookie_year(c.expires);
  const int now = capture_year(response);
  if (year != 0 && (year <= 1970 || (now != 0 && year < now))) return true;
  return c.value.empty() && !c.expires.empty();
}

// The chunk index of `name` for base `base` (FedAuth -> 0, FedAuth3 -> 3), or -1.
int chunk_index(std::string_view name, std::string_view base) {
  if (name.size() < base.size() || core::lower_ascii(name.substr(0, base.size())) != core::lower_ascii(base)) return -1;
  std::string_view rest = name.substr(base.size());
  if (rest.empty()) return 0;
  if (rest.size() > 4 || !std::all_of(rest.begin(), rest.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return -1;
  if (rest[0] == '0') return -1;
  return std::stoi(std::string(rest));
}

struct ExchangeCookies {
  std::map<int, std::string> request;         // chunk index -> value, from the Cookie header
  std::vector<std::pair<int, SetCookieLine>> set;  // chunk index, Set-Cookie
  bool request_has_cookie_header = false;
};

ExchangeCookies cookies_of(const Observation& o, const std::string& base) {
  ExchangeCookies out;
  if (o.exchange->request) {
    for (std::string_view header : o.exchange->request->headers.get_all("Cookie")) {
      out.request_has_cookie_header = true;
      auto jar = wif::ChunkedCookieJar::parse_cookie_header(header);
      if (!jar.ok()) continue;
      for (const auto& [name, value] : jar->cookies()) {
        const int i = chunk_index(name, base);
        if (i >= 0) out.request.emplace(i, value);
      }
    }
  }
  if (o.exchange->response) {
    for (std::string_view header : o.exchange->response->headers.get_all("Set-Cookie")) {
      SetCookieLine c = parse_set_cookie(header);
      const int i = chunk_index(c.name, base);
      if (i >= 0) out.set.emplace_back(i, std::move(c));
    }
  }
  return out;
}

bool is_sign_out(const capture::Message& request) {
  const std::string target = core::lower_ascii(request.target() + "&" + request.body.substr(0, 4096));
  return target.find("wa=wsignout1.0") != std::string::npos || target.find("wa=wsignoutcleanup1.0") != std::string::npos;
}

bool plain_http(const capture::Message& request) { return request.url.rfind("http://", 0) == 0; }

// Common NOT_APPLICABLE handling: an input whose cookies an exporter stripped says so.
class CookieObserver : public TallyObserver {
 public:
  CookieObserver(const PassiveSettings& s, std::string na)
      : TallyObserver(na + " (cookie name " + s.cookie_name + ", --cookie-name)"), base_(s.cookie_name) {}
  void end_input(const std::vector<std::string>& notes) override {
    for (const auto& n : notes) {
      if (n.find("cookies stripped") != std::string::npos) stripped_ = n;
    }
  }
  Outcome finish() override {
    if (checked_count() == 0 && !stripped_.empty()) {
      set_not_applicable_reason("the input's cookies were stripped by its exporter: " + stripped_);
    }
    return TallyObserver::finish();
  }

 protected:
  std::string base_;
  std::string stripped_;
};

class CookieAttributesCheck : public CookieObserver {
 public:
  explicit CookieAttributesCheck(const PassiveSettings& s) : CookieObserver(s, "no session cookie is set in the capture") {}
  void observe(const Observation& o) override {
    if (!o.exchange->response) return;
    const auto cookies = cookies_of(o, base_);
    const capture::Message* rs = &*o.exchange->response;
    for (const auto& [i, c] : cookies.set) {
      if (is_deletion(c, *rs)) continue;
      checked();
      const bool http = o.exchange->request && plain_http(*o.exchange->request);
      if (!c.secure) {
        if (http) {
          info(o, rs, "Set-Cookie " + c.name, "no Secure attribute (the site runs on plain HTTP: RequireSsl off)");
        } else {
          fail(o, rs, "Set-Cookie " + c.name, "no Secure attribute: the session token may travel in clear");
        }
      }
      if (!c.http_only) fail(o, rs, "Set-Cookie " + c.name, "no HttpOnly attribute: scripts can read the session token");
    }
  }
};

class CookiePathCheck : public CookieObserver {
 public:
  explicit CookiePathCheck(const PassiveSettings& s) : CookieObserver(s, "no session cookie is set in the capture") {}
  void observe(const Observation& o) override {
    if (!o.exchange->response) return;
    const auto cookies = cookies_of(o, base_);
    const capture::Message* rs = &*o.exchange->response;
    std::optional<std::string> first_path;
    for (const auto& [i, c] : cookies.set) {
      checked();
      if (!c.has_path) {
        fail(o, rs, "Set-Cookie " + c.name, "no Path attribute (WIF writes the application path)");
        continue;
      }
      if (c.path.empty() || c.path.back() != '/') {
        fail(o, rs, "Set-Cookie " + c.name, "Path '" + c.path + "' does not end with '/'");
      }
      if (!first_path) {
        first_path = c.path;
      } else if (*first_path != c.path) {
        fail(o, rs, "Set-Cookie " + c.name, "Path '" + c.path + "' differs from the other chunks' '" + *first_path + "'");
      }
    }
  }
};

class CookieChunkingCheck : public CookieObserver {
 public:
  explicit CookieChunkingCheck(const PassiveSettings& s)
      : CookieObserver(s, "no session cookie in the capture") {}
  void observe(const Observation& o) override {
    const auto cookies = cookies_of(o, base_);
    if (!cookies.request.empty()) {
      checked();
      int expected = 0;
      for (const auto& [i, v] : cookies.request) {
        if (i != expected) {
          fail(o, &*o.exchange->request, "Cookie",
               base_ + (i == 0 ? "" : std::to_string(i)) + " without " + base_ +
                   (expected == 0 ? "" : std::to_string(expected)) + ": WIF stops reading at the first missing chunk");
          break;
        }
        ++expected;
      }
    }
    if (!o.exchange->response) return;
    const capture::Message* rs = &*o.exchange->response;
    std::set<int> written;
    std::set<int> deleted;
    for (const auto& [i, c] : cookies.set) {
      if (is_deletion(c, *rs)) {
        deleted.insert(i);
        continue;
      }
      written.insert(i);
      if (c.value.size() > wif::kWifDefaultChunkSize) {
        info(o, rs, "Set-Cookie " + c.name, std::to_string(c.value.size()) + " characters: more than WIF's default " +
                                                std::to_string(wif::kWifDefaultChunkSize) + "-character chunk");
      }
    }
    if (written.empty()) return;
    checked();
    int expected = 0;
    for (int i : written) {
      if (i != expected) {
        fail(o, rs, "Set-Cookie " + base_ + std::to_string(i),
             "chunk " + std::to_string(i) + " written without chunk " + std::to_string(expected));
        break;
      }
      ++expected;
    }
    // Writing a shorter value deletes the higher chunks the request still carried.
    for (const auto& [i, v] : cookies.request) {
      if (i >= static_cast<int>(written.size()) && deleted.count(i) == 0) {
        fail(o, rs, "Set-Cookie", "the request carried " + base_ + (i == 0 ? "" : std::to_string(i)) +
                                      ", the new value has " + std::to_string(written.size()) +
                                      " chunk(s), and the stale chunk is not deleted");
      }
    }
  }
};

class SignOutCheck : public CookieObserver {
 public:
  explicit SignOutCheck(const PassiveSettings& s)
      : CookieObserver(s, "no sign-out request (wa=wsignout1.0 / wsignoutcleanup1.0) carrying a session cookie") {}
  void observe(const Observation& o) override {
    if (!o.exchange->request || !o.exchange->response || !is_sign_out(*o.exchange->request)) return;
    const auto cookies = cookies_of(o, base_);
    if (cookies.request.empty()) return;
    checked();
    const capture::Message* rs = &*o.exchange->response;
    for (const auto& [i, value] : cookies.request) {
      const std::string name = base_ + (i == 0 ? "" : std::to_string(i));
      bool found = false;
      for (const auto& [j, c] : cookies.set) {
        if (j == i && is_deletion(c, *rs)) found = true;
      }
      if (!found) fail(o, rs, "Set-Cookie " + name, "sign-out does not delete " + name + ", which the request carried");
    }
  }
};

CaseInfo info(std::string id, std::string title, std::vector<std::string> requirements, std::string expects) {
  CaseInfo i;
  i.id = std::move(id);
  i.title = std::move(title);
  i.requirements = std::move(requirements);
  i.role = "RP";
  i.sends = "nothing: a passive check over recorded browser flows (HAR, captures)";
  i.expects = std::move(expects);
  i.typical_causes = "cookie handler configuration (RequireSsl, HttpOnly, path) or a custom cookie handler";
  return i;
}

template <class T>
engine::Case make(CaseInfo i) {
  return engine::passive_case(std::move(i), [](const PassiveSettings& s) { return std::make_unique<T>(s); });
}

}  // namespace

Status register_wif(engine::Registry& r) {
  PARLEY_TRY(r.add(make<CookieAttributesCheck>(info("passive/wif/cookie-attributes",
                                                    "Session cookie chunks carry Secure and HttpOnly", {"RP-COOKIE-01", "RP-COOKIE-02"},
                                                    "Secure and HttpOnly on every chunk written"))));
  PARLEY_TRY(r.add(make<CookiePathCheck>(info("passive/wif/cookie-path",
                                              "Session cookie chunks carry one Path ending with '/'", {"RP-COOKIE-03"},
                                              "the same Path, ending with '/', on every chunk"))));
  PARLEY_TRY(r.add(make<CookieChunkingCheck>(
      info("passive/wif/cookie-chunking", "Chunks are contiguous; stale chunks are deleted", {"RP-CHUNK-03"},
           "FedAuth, FedAuth1, ... without gaps, each within the chunk size, stale chunks deleted"))));
  PARLEY_TRY(r.add(make<SignOutCheck>(info("passive/wif/sign-out", "Sign-out deletes every session cookie chunk",
                                           {"RP-OUT-01"}, "a deleting Set-Cookie for each chunk the request carried"))));
  return ok_status();
}

}  // namespace parley::suites::passive
