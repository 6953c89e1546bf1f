#include "harness/wif/chunked_cookies.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "harness/core/text.h"

namespace parley::wif {
namespace {

using std::chrono::days;
using std::chrono::sys_seconds;

constexpr const char* kWhere = "chunked cookie";
constexpr std::string_view kAspNetCoreCountPrefix = "chunks-";

// Cookie names compare like StringComparer.OrdinalIgnoreCase (HttpCookieCollection and ASP.NET
// Core's RequestCookieCollection both use it); values are taken as they are.
bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Strips a leading "Cookie:" / "Set-Cookie:" (any case).
std::string_view strip_header_name(std::string_view line, std::string_view header) {
  line = core::trim_ows(line);
  if (line.size() > header.size() && core::lower_ascii(line.substr(0, header.size())) == core::lower_ascii(header) &&
      line[header.size()] == ':') {
    return core::trim_ows(line.substr(header.size() + 1));
  }
  return line;
}

// RFC 7230 tchar: what a cookie name may hold.
bool is_token_char(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// RFC 6265 cookie-octet.
bool is_cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E);
}

Status check_name(std::string_view name) {
  if (name.empty()) return Error(ErrorCode::kInvalidArgument, "cookie name is empty", kWhere);
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_token_char(static_cast<unsigned char>(name[i]))) {
      return Error(ErrorCode::kInvalidArgument,
                   "cookie name '" + std::string(name) + "' has a character not allowed in a token at position " +
                       std::to_string(i),
                   kWhere);
    }
  }
  return ok_status();
}

Status check_value(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!is_cookie_octet(static_cast<unsigned char>(value[i]))) {
      return Error(ErrorCode::kInvalidArgument,
                   "cookie value has a character a cookie cannot carry (RFC 6265 cookie-octet) at position " +
                       std::to_string(i),
                   kWhere);
    }
  }
  return ok_status();
}

const char* kDayNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// "<ddd>, <dd><sep><MMM><sep><yyyy> HH:mm:ss GMT"
std::string format_cookie_date(sys_seconds t, char sep) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::weekday wd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  std::string year = std::to_string(static_cast<int>(ymd.year()));
  while (year.size() < 4) year.insert(year.begin(), '0');
  return std::string(kDayNames[wd.c_encoding()]) + ", " + two(static_cast<unsigned>(ymd.day())) + sep +
         kMonthNames[static_cast<unsigned>(ymd.month()) - 1] + sep + year + " " +
         two(static_cast<unsigned>(hms.hours().count())) + ":" + two(static_cast<unsigned>(hms.minutes().count())) +
         ":" + two(static_cast<unsigned>(hms.seconds().count())) + " GMT";
}

std::string wif_chunk_name(std::string_view base, std::size_t index) {
  return index == 0 ? std::string(base) : std::string(base) + std::to_string(index);
}

std::string aspnetcore_chunk_name(std::string_view base, std::size_t index) {
  return std::string(base) + "C" + std::to_string(index);
}

// ChunkingCookieManager.ParseChunksCount: "chunks-" + digits (int32), else 0.
std::size_t parse_chunks_count(std::string_view value) {
  if (value.substr(0, kAspNetCoreCountPrefix.size()) != kAspNetCoreCountPrefix) return 0;
  std::string_view digits = value.substr(kAspNetCoreCountPrefix.size());
  if (digits.empty()) return 0;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (n > 0x7FFFFFFF) return 0;  // int.TryParse fails: not a chunk count
  }
  return static_cast<std::size_t>(n);
}

Status check_options(const ChunkingOptions& o) {
  if (o.style == ChunkingStyle::kWif && o.chunk_size < kWifMinimumChunkSize) {
    return Error(ErrorCode::kInvalidArgument,
                 "chunk size " + std::to_string(o.chunk_size) +
                     " is below WIF's minimum of 1000 (ChunkedCookieHandler.MinimumChunkSize)",
                 kWhere);
  }
  if (o.chunk_size == 0) return Error(ErrorCode::kInvalidArgument, "chunk size is 0", kWhere);
  return ok_status();
}

// Reading: the request carries more chunks than allowed (counting stopped at the limit).
Error too_many_chunks(const ChunkLimits& limits, std::string_view base) {
  return Error(ErrorCode::kLimitExceeded,
               "'" + std::string(base) + "' has more than " + std::to_string(limits.max_chunks) +
                   " chunks; the limit is " + std::to_string(limits.max_chunks),
               kWhere);
}

// Writing: the value would need `n` chunks.
Error needs_too_many_chunks(std::size_t n, const ChunkLimits& limits, std::string_view base) {
  return Error(ErrorCode::kLimitExceeded,
               "'" + std::string(base) + "' needs " + std::to_string(n) + " chunks; the limit is " +
                   std::to_string(limits.max_chunks),
               kWhere);
}

Error too_large(std::size_t n, const ChunkLimits& limits, std::string_view base) {
  return Error(ErrorCode::kLimitExceeded,
               "'" + std::string(base) + "' is " + std::to_string(n) + " characters; the limit is " +
                   std::to_string(limits.max_total_size),
               kWhere);
}

SetCookie deletion(std::string name, const CookieAttributes& attributes, sys_seconds now, ChunkingStyle style) {
  SetCookie c;
  c.name = std::move(name);
  c.deletion = true;
  if (style == ChunkingStyle::kWif) {
    // new HttpCookie(name, null) { Path, Domain, Expires = UtcNow.AddDays(-1) }: Secure,
    // HttpOnly and SameSite come from <httpCookies>, whose defaults add none of them.
    c.attributes.path = attributes.path;
    c.attributes.domain = attributes.domain;
    c.attributes.secure = false;
    c.attributes.http_only = false;
    c.attributes.expires = now - days(1);
  } else {
    // new CookieOptions(options) { Expires = DateTimeOffset.UnixEpoch, MaxAge = null }.
    c.attributes = attributes;
    c.attributes.expires = sys_seconds{};
  }
  return c;
}

}  // namespace

Result<ChunkingStyle> parse_chunking_style(std::string_view text) {
  const std::string t = core::lower_ascii(text);
  if (t == "wif") return ChunkingStyle::kWif;
  if (t == "aspnetcore" || t == "asp.net-core" || t == "aspnet-core") return ChunkingStyle::kAspNetCore;
  return Error(ErrorCode::kInvalidArgument, "chunking style '" + std::string(text) + "' is not wif or aspnetcore",
               kWhere);
}

Result<SameSite> parse_same_site(std::string_view text) {
  const std::string t = core::lower_ascii(text);
  if (t.empty() || t == "unspecified") return SameSite::kUnspecified;
  if (t == "none") return SameSite::kNone;
  if (t == "lax") return SameSite::kLax;
  if (t == "strict") return SameSite::kStrict;
  return Error(ErrorCode::kInvalidArgument, "SameSite '" + std::string(text) + "' is not none, lax or strict",
               kWhere);
}

std::string format_wif_cookie_date(sys_seconds t) { return format_cookie_date(t, '-'); }
std::string format_aspnetcore_cookie_date(sys_seconds t) { return format_cookie_date(t, ' '); }

std::string render_set_cookie(const SetCookie& cookie, ChunkingStyle style) {
  const CookieAttributes& a = cookie.attributes;
  std::string s = cookie.name + "=" + cookie.value;
  if (style == ChunkingStyle::kWif) {
    // System.Web HttpCookie.GetSetCookieHeader order: domain, expires, path, secure, HttpOnly, SameSite.
    if (!a.domain.empty()) s += "; domain=" + a.domain;
    if (a.expires) s += "; expires=" + format_wif_cookie_date(*a.expires);
    if (!a.path.empty()) s += "; path=" + a.path;
    if (a.secure) s += "; secure";
    if (a.http_only) s += "; HttpOnly";
    switch (a.same_site) {
      case SameSite::kUnspecified: break;
      case SameSite::kNone: s += "; SameSite=None"; break;
      case SameSite::kLax: s += "; SameSite=Lax"; break;
      case SameSite::kStrict: s += "; SameSite=Strict"; break;
    }
  } else {
    // Microsoft.Net.Http.Headers.SetCookieHeaderValue.ToString order.
    if (a.expires) s += "; expires=" + format_aspnetcore_cookie_date(*a.expires);
    if (!a.domain.empty()) s += "; domain=" + a.domain;
    if (!a.path.empty()) s += "; path=" + a.path;
    if (a.secure) s += "; secure";
    switch (a.same_site) {
      case SameSite::kUnspecified: break;
      case SameSite::kNone: s += "; samesite=none"; break;
      case SameSite::kLax: s += "; samesite=lax"; break;
      case SameSite::kStrict: s += "; samesite=strict"; break;
    }
    if (a.http_only) s += "; httponly";
  }
  return s;
}

ChunkingOptions default_chunking(ChunkingStyle style) {
  ChunkingOptions o;
  o.style = style;
  o.chunk_size = style == ChunkingStyle::kWif ? kWifDefaultChunkSize : kAspNetCoreDefaultChunkSize;
  return o;
}

// --- the jar -----------------------------------------------------------------------------------

void ChunkedCookieJar::set(std::string name, std::string value) {
  for (auto& [n, v] : cookies_) {
    if (same_name(n, name)) {
      v = std::move(value);
      return;
    }
  }
  cookies_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> ChunkedCookieJar::get(std::string_view name) const {
  for (const auto& [n, v] : cookies_) {
    if (same_name(n, name)) return v;
  }
  return std::nullopt;
}

Result<ChunkedCookieJar> ChunkedCookieJar::parse_cookie_header(std::string_view header) {
  if (header.size() > kMaxCookieHeaderSize) {
    return Error(ErrorCode::kLimitExceeded,
                 "Cookie header of " + std::to_string(header.size()) + " bytes is over the limit of " +
                     std::to_string(kMaxCookieHeaderSize),
                 "Cookie header");
  }
  std::string_view rest = strip_header_name(header, "Cookie");
  ChunkedCookieJar jar;
  std::size_t count = 0;
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    std::string_view pair = core::trim_ows(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Error(ErrorCode::kParse, "'" + std::string(pair.substr(0, 40)) + "' is not name=value",
                   "Cookie header");
    }
    if (++count > kMaxCookiesPerHeader) {
      return Error(ErrorCode::kLimitExceeded, "more than " + std::to_string(kMaxCookiesPerHeader) + " cookies",
                   "Cookie header");
    }
    std::string name(core::trim_ows(pair.substr(0, eq)));
    std::string value(core::trim_ows(pair.substr(eq + 1)));
    if (jar.get(name)) {
      ++jar.duplicates_;  // first occurrence wins
      continue;
    }
    jar.cookies_.emplace_back(std::move(name), std::move(value));
  }
  return jar;
}

Result<ChunkedCookieJar> ChunkedCookieJar::parse_set_cookie_lines(std::string_view text) {
  if (text.size() > kMaxCookieHeaderSize) {
    return Error(ErrorCode::kLimitExceeded, "Set-Cookie input over the limit of " +
                                                std::to_string(kMaxCookieHeaderSize) + " bytes",
                 "Set-Cookie");
  }
  ChunkedCookieJar jar;
  std::size_t count = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = strip_header_name(text.substr(0, nl), "Set-Cookie");
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    if (++count > kMaxCookiesPerHeader) {
      return Error(ErrorCode::kLimitExceeded, "more than " + std::to_string(kMaxCookiesPerHeader) + " lines",
                   "Set-Cookie");
    }
    std::string_view pair = core::trim_ows(line.substr(0, line.find(';')));
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Error(ErrorCode::kParse, "'" + std::string(pair.substr(0, 40)) + "' is not name=value", "Set-Cookie");
    }
    std::string name(core::trim_ows(pair.substr(0, eq)));
    std::string value(core::trim_ows(pair.substr(eq + 1)));
    if (value.empty()) {
      std::erase_if(jar.cookies_, [&](const auto& c) { return same_name(c.first, name); });
    } else {
      jar.set(std::move(name), std::move(value));
    }
  }
  return jar;
}

std::vector<std::string> ChunkedCookieJar::chunk_names(std::string_view base, const ChunkingOptions& options) const {
  std::vector<std::string> names;
  const auto value = get(base);
  if (!value) return names;
  names.emplace_back(base);
  const std::size_t cap = options.limits.max_chunks + 1;
  if (options.style == ChunkingStyle::kWif) {
    for (std::size_t i = 1; names.size() < cap; ++i) {
      std::string n = wif_chunk_name(base, i);
      if (!get(n)) break;
      names.push_back(std::move(n));
    }
  } else {
    const std::size_t count = parse_chunks_count(*value);
    for (std::size_t i = 1; i <= count && names.size() < cap; ++i) {
      std::string n = aspnetcore_chunk_name(base, i);
      const auto chunk = get(n);
      if (!chunk || chunk->empty()) break;
      names.push_back(std::move(n));
    }
  }
  return names;
}

Result<std::optional<std::string>> ChunkedCookieJar::reassemble(std::string_view base,
                                                                 const ChunkingOptions& options) const {
  const ChunkLimits& limits = options.limits;
  const auto value = get(base);
  if (!value) return std::optional<std::string>{};
  std::string out;
  if (options.style == ChunkingStyle::kWif) {
    const std::vector<std::string> names = chunk_names(base, options);
    if (names.size() > limits.max_chunks) return too_many_chunks(limits, base);
    for (const auto& n : names) {
      out += *get(n);
      if (out.size() > limits.max_total_size) return too_large(out.size(), limits, base);
    }
    return std::optional<std::string>(std::move(out));
  }
  const std::size_t count = parse_chunks_count(*value);
  if (count == 0) {
    if (value->size() > limits.max_total_size) return too_large(value->size(), limits, base);
    return std::optional<std::string>(*value);
  }
  if (count > limits.max_chunks) return too_many_chunks(limits, base);
  for (std::size_t i = 1; i <= count; ++i) {
    const auto chunk = get(aspnetcore_chunk_name(base, i));
    if (!chunk || chunk->empty()) {
      // ChunkingCookieManager with ThrowForPartialCookies: a FormatException; parley always refuses.
      return Error(ErrorCode::kParse,
                   "'" + std::string(base) + "' is incomplete: only " + std::to_string(i - 1) + " of the " +
                       std::to_string(count) + " chunks announced by \"chunks-" + std::to_string(count) +
                       "\" are present (" + aspnetcore_chunk_name(base, i) + " is missing)",
                   kWhere);
    }
    out += *chunk;
    if (out.size() > limits.max_total_size) return too_large(out.size(), limits, base);
  }
  return std::optional<std::string>(std::move(out));
}

// --- split, write, delete ----------------------------------------------------------------------

Result<std::vector<std::pair<std::string, std::string>>> split_chunks(std::string_view base, std::string_view value,
                                                                      const CookieAttributes& attributes,
                                                                      const ChunkingOptions& options) {
  PARLEY_TRY(check_options(options));
  PARLEY_TRY(check_name(base));
  if (value.empty()) return Error(ErrorCode::kInvalidArgument, "the value to write is empty", kWhere);
  PARLEY_TRY(check_value(value));
  const ChunkLimits& limits = options.limits;
  if (value.size() > limits.max_total_size) return too_large(value.size(), limits, base);
  std::vector<std::pair<std::string, std::string>> out;
  if (options.style == ChunkingStyle::kWif) {
    const std::size_t count = (value.size() + options.chunk_size - 1) / options.chunk_size;
    if (count > limits.max_chunks) return needs_too_many_chunks(count, limits, base);
    for (std::size_t i = 0; i < count; ++i) {
      out.emplace_back(wif_chunk_name(base, i), std::string(value.substr(i * options.chunk_size, options.chunk_size)));
    }
    return out;
  }
  // ChunkingCookieManager.AppendResponseCookie: the budget counts the rendered attributes.
  SetCookie templ{std::string(base), "", attributes, false};
  const std::size_t template_length = render_set_cookie(templ, ChunkingStyle::kAspNetCore).size();
  if (options.chunk_size > template_length + value.size()) {
    out.emplace_back(std::string(base), std::string(value));
    return out;
  }
  if (options.chunk_size < template_length + 10) {
    return Error(ErrorCode::kInvalidArgument,
                 "chunk size " + std::to_string(options.chunk_size) + " leaves no room for data: name and attributes take " +
                     std::to_string(template_length) + " characters, ASP.NET Core needs 10 more",
                 kWhere);
  }
  const std::size_t per_cookie = options.chunk_size - template_length - 3;  // 3 for the "Cnn" suffix
  const std::size_t count = (value.size() + per_cookie - 1) / per_cookie;
  if (count > limits.max_chunks) return needs_too_many_chunks(count, limits, base);
  out.emplace_back(std::string(base), std::string(kAspNetCoreCountPrefix) + std::to_string(count));
  for (std::size_t i = 1; i <= count; ++i) {
    out.emplace_back(aspnetcore_chunk_name(base, i), std::string(value.substr((i - 1) * per_cookie, per_cookie)));
  }
  return out;
}

Result<std::vector<SetCookie>> write_chunked_cookie(const ChunkedCookieJar& request, std::string_view base,
                                                    std::string_view value, const CookieAttributes& attributes,
                                                    sys_seconds now, const ChunkingOptions& options) {
  PARLEY_ASSIGN_OR_RETURN(auto chunks, split_chunks(base, value, attributes, options));
  std::vector<SetCookie> out;
  if (options.style == ChunkingStyle::kWif) {
    const std::vector<std::string> existing = request.chunk_names(base, options);
    // WriteInternal: DeleteInternal sets a deletion for each request chunk, then each new chunk
    // replaces the deletion of the same name in place (HttpCookieCollection.Set).
    const std::size_t n = std::max(chunks.size(), existing.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (i < chunks.size()) {
        out.push_back({chunks[i].first, chunks[i].second, attributes, false});
      } else {
        out.push_back(deletion(existing[i], attributes, now, options.style));
      }
    }
    return out;
  }
  // ASP.NET Core DeleteChunks: request chunks C(new+1)..C(announced), stopping at the first one
  // the request lacks; then the new cookies.
  const std::size_t new_parts = chunks.size() == 1 ? 0 : chunks.size() - 1;
  const auto announced = request.get(base);
  const std::size_t request_parts = announced ? parse_chunks_count(*announced) : 0;
  for (std::size_t i = new_parts + 1; i <= request_parts; ++i) {
    std::string name = aspnetcore_chunk_name(base, i);
    const auto present = request.get(name);
    if (!present || present->empty()) break;
    out.push_back(deletion(std::move(name), attributes, now, options.style));
  }
  for (auto& [name, v] : chunks) out.push_back({name, v, attributes, false});
  return out;
}

std::vector<SetCookie> delete_chunked_cookie(const ChunkedCookieJar& request, std::string_view base,
                                             const CookieAttributes& attributes, sys_seconds now,
                                             const ChunkingOptions& options) {
  std::vector<SetCookie> out;
  std::vector<std::string> names = request.chunk_names(base, options);
  if (options.style == ChunkingStyle::kAspNetCore && names.empty()) {
    names.emplace_back(base);  // DeleteCookie always expires the base cookie
  }
  for (auto& n : names) out.push_back(deletion(std::move(n), attributes, now, options.style));
  return out;
}

}  // namespace parley::wif
