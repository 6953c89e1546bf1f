// Chunked cookie reassembly (harness/wif/chunked_cookies.h): a Cookie header or Set-Cookie lines
// in, the FedAuth value reassembled in both styles, then written and deleted as a response would.
#include <chrono>

#include "fuzz/fuzz_target.h"
#include "harness/wif/chunked_cookies.h"

namespace parley::fuzz {
namespace {

void exercise(const wif::ChunkedCookieJar& jar) {
  const std::chrono::sys_seconds now{std::chrono::seconds(1767225600)};
  for (wif::ChunkingStyle style : {wif::ChunkingStyle::kWif, wif::ChunkingStyle::kAspNetCore}) {
    wif::ChunkingOptions options = wif::default_chunking(style);
    for (const char* base : {"FedAuth", ".AspNetCore.Cookies"}) {
      (void)jar.chunk_names(base, options);
      auto value = jar.reassemble(base, options);
      if (!value.ok() || !value->has_value()) continue;
      wif::CookieAttributes attributes;
      auto written = wif::write_chunked_cookie(jar, base, **value, attributes, now, options);
      if (written.ok()) {
        for (const wif::SetCookie& c : *written) (void)wif::render_set_cookie(c, style);
      }
      for (const wif::SetCookie& c : wif::delete_chunked_cookie(jar, base, attributes, now, options)) {
        (void)wif::render_set_cookie(c, style);
      }
    }
  }
}

void run(Input data) {
  const std::string_view text = as_text(data);
  if (auto jar = wif::ChunkedCookieJar::parse_cookie_header(text); jar.ok()) exercise(*jar);
  if (auto jar = wif::ChunkedCookieJar::parse_set_cookie_lines(text); jar.ok()) exercise(*jar);
}

std::vector<std::string> seeds() {
  return {
      "Cookie: FedAuth=77u/PD94bWw; FedAuth1=dmVyc2lvbj0; FedAuth2=IjEuMCIg; other=1",
      "FedAuth=abc; fedauth1=def; FedAuth3=gap",
      ".AspNetCore.Cookies=chunks-3; .AspNetCore.CookiesC1=aaa; .AspNetCore.CookiesC2=bbb; .AspNetCore.CookiesC3=ccc",
      "Set-Cookie: FedAuth=abc; path=/; secure; HttpOnly\nSet-Cookie: FedAuth1=def; path=/\n"
      "Set-Cookie: FedAuth2=; expires=Thu, 01-Jan-1970 00:00:00 GMT; path=/\n",
  };
}

}  // namespace
PARLEY_FUZZ_TARGET("chunked_cookies", run, nullptr, seeds);
}  // namespace parley::fuzz
