// Chunked cookies: a long cookie value split over several cookies, read back from a Cookie
// request header, and the Set-Cookie headers that write or delete it. Two incompatible styles:
//
// - WIF (System.IdentityModel.Services.ChunkedCookieHandler): FedAuth, FedAuth1, FedAuth2, ...
//   each at most chunk_size (default 2000, minimum 1000) characters of the base64 value; reading
//   stops at the first missing index; writing first deletes every chunk the request carried.
// - ASP.NET Core (ChunkingCookieManager): Name=chunks-N, then NameC1..NameCN; chunk_size
//   (default 4050) bounds the whole Set-Cookie value including attributes.
//
// Sources and exact behaviour: docs/design/wif-cookie-transforms.md, "Chunked cookies".
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/error.h"

namespace parley::wif {

enum class ChunkingStyle { kWif, kAspNetCore };
enum class SameSite { kUnspecified, kNone, kLax, kStrict };

Result<ChunkingStyle> parse_chunking_style(std::string_view text);  // "wif" | "aspnetcore"
Result<SameSite> parse_same_site(std::string_view text);            // "", "none", "lax", "strict"

struct CookieAttributes {
  std::string path = "/";   // empty = no Path attribute
  std::string domain;       // empty = no Domain attribute
  bool secure = true;       // WIF RequireSsl default
  bool http_only = true;    // WIF default
  std::optional<std::chrono::sys_seconds> expires;  // only for persistent sessions
  SameSite same_site = SameSite::kUnspecified;      // rendered only when specified
};

struct SetCookie {
  std::string name;
  std::string value;  // empty for deletions
  CookieAttributes attributes;
  bool deletion = false;
};

// One Set-Cookie header value (without "Set-Cookie: ") in the framework's own format:
//   WIF (System.Web HttpCookie): name=value; domain=D; expires=Thu, 01-Jan-1970 00:00:00 GMT;
//                                path=P; secure; HttpOnly; SameSite=Lax
//   ASP.NET Core (SetCookieHeaderValue): name=value; expires=Thu, 01 Jan 1970 00:00:00 GMT;
//                                domain=D; path=P; secure; samesite=lax; httponly
std::string render_set_cookie(const SetCookie& cookie, ChunkingStyle style);

// The date forms of the two renderers.
std::string format_wif_cookie_date(std::chrono::sys_seconds t);         // ddd, dd-MMM-yyyy HH:mm:ss GMT
std::string format_aspnetcore_cookie_date(std::chrono::sys_seconds t);  // RFC 1123 ("r")

// Bounds parley enforces on every read and write (WIF has none; clear errors instead of
// unbounded work on hostile input).
struct ChunkLimits {
  std::size_t max_chunks = 100;
  std::size_t max_total_size = 256u << 10;  // characters of the reassembled value
};

inline constexpr std::size_t kWifDefaultChunkSize = 2000;
inline constexpr std::size_t kWifMinimumChunkSize = 1000;
inline constexpr std::size_t kAspNetCoreDefaultChunkSize = 4050;

struct ChunkingOptions {
  ChunkingStyle style = ChunkingStyle::kWif;
  std::size_t chunk_size = kWifDefaultChunkSize;  // use kAspNetCoreDefaultChunkSize for kAspNetCore
  ChunkLimits limits;
};
ChunkingOptions default_chunking(ChunkingStyle style);

// Limits on a parsed Cookie header.
inline constexpr std::size_t kMaxCookieHeaderSize = 1u << 20;
inline constexpr std::size_t kMaxCookiesPerHeader = 1000;

// The cookies of one request, by name, in header order. Names compare case-insensitively
// (OrdinalIgnoreCase, as in System.Web and ASP.NET Core). When a name repeats (two paths), the
// first occurrence wins (System.Web's HttpCookieCollection.Get); duplicates() counts the others.
class ChunkedCookieJar {
 public:
  ChunkedCookieJar() = default;

  // A Cookie request header: "Cookie: a=1; b=2" or just "a=1; b=2".
  static Result<ChunkedCookieJar> parse_cookie_header(std::string_view header);
  // Set-Cookie header lines (each optionally prefixed "Set-Cookie:"), as a browser would apply
  // them to an empty jar: a deletion (empty value) removes the cookie; attributes are ignored.
  static Result<ChunkedCookieJar> parse_set_cookie_lines(std::string_view text);

  void set(std::string name, std::string value);  // replaces an existing value
  std::optional<std::string> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& cookies() const { return cookies_; }
  std::size_t duplicates() const { return duplicates_; }

  // Names of the chunks present for `base` in the style's order (WIF: base, base1, ... up to the
  // first missing; ASP.NET Core: base, baseC1..baseCN as far as present), at most max_chunks + 1.
  std::vector<std::string> chunk_names(std::string_view base, const ChunkingOptions& options) const;

  // Reassembles `base`. nullopt when the base cookie is absent. WIF: concatenation of base,
  // base1, ... (stops at the first missing index). ASP.NET Core: the plain value, or the
  // concatenation of C1..CN when the value is "chunks-N" (a missing chunk is an error).
  Result<std::optional<std::string>> reassemble(std::string_view base, const ChunkingOptions& options) const;

 private:
  std::vector<std::pair<std::string, std::string>> cookies_;
  std::size_t duplicates_ = 0;
};

// The (name, value) chunks for `value`. WIF: ceil(len / chunk_size) pieces. ASP.NET Core: one
// cookie when it fits chunk_size with its attributes, else "chunks-N" and NameC1..NameCN.
Result<std::vector<std::pair<std::string, std::string>>> split_chunks(std::string_view base, std::string_view value,
                                                                      const CookieAttributes& attributes,
                                                                      const ChunkingOptions& options);

// The Set-Cookie headers that write `value` as `base` in response to a request that carried
// `request`'s cookies. WIF: one header per chunk index, in index order: indices the new value
// uses carry it, higher indices the request carried are deleted. ASP.NET Core: deletions of
// stale chunks first, then the cookies. `now` dates WIF's deletions (now - 1 day).
Result<std::vector<SetCookie>> write_chunked_cookie(const ChunkedCookieJar& request, std::string_view base,
                                                    std::string_view value, const CookieAttributes& attributes,
                                                    std::chrono::sys_seconds now, const ChunkingOptions& options);

// The Set-Cookie headers that delete every chunk of `base` the request carried, with an expiry
// in the past and the same path and domain (WIF: now - 1 day; ASP.NET Core: the Unix epoch).
std::vector<SetCookie> delete_chunked_cookie(const ChunkedCookieJar& request, std::string_view base,
                                             const CookieAttributes& attributes, std::chrono::sys_seconds now,
                                             const ChunkingOptions& options);

}  // namespace parley::wif
