#include "harness/wif/chunked_cookies.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::wif {
namespace {

using namespace std::chrono;

const sys_seconds kNow = sys_days{year{2024} / January / 2} + hours{3} + minutes{4} + seconds{5};
const std::string kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

ChunkedCookieJar jar(std::string_view header) {
  auto j = ChunkedCookieJar::parse_cookie_header(header);
  EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().message());
  return j.ok() ? *j : ChunkedCookieJar{};
}

std::vector<std::string> rendered(const Result<std::vector<SetCookie>>& cookies, ChunkingStyle style) {
  EXPECT_TRUE(cookies.ok()) << (cookies.ok() ? "" : cookies.error().message());
  std::vector<std::string> out;
  if (cookies.ok()) {
    for (const auto& c : *cookies) out.push_back(render_set_cookie(c, style));
  }
  return out;
}

// ASP.NET Core's CookieOptions defaults: Path "/", nothing else.
CookieAttributes aspnetcore_defaults() {
  CookieAttributes a;
  a.secure = false;
  a.http_only = false;
  return a;
}

ChunkingOptions aspnetcore(std::size_t chunk_size) {
  ChunkingOptions o = default_chunking(ChunkingStyle::kAspNetCore);
  o.chunk_size = chunk_size;
  return o;
}

// --- parsing -----------------------------------------------------------------------------------

TEST(CookieHeader, ParsesNamesAndValuesInOrder) {
  auto j = jar("Cookie: FedAuth=AAA; FedAuth1=BB==;other=x=y;  spaced = v ");
  ASSERT_EQ(j.cookies().size(), 4u);
  EXPECT_EQ(*j.get("FedAuth"), "AAA");
  EXPECT_EQ(*j.get("FedAuth1"), "BB==");
  EXPECT_EQ(*j.get("other"), "x=y");
  EXPECT_EQ(*j.get("spaced"), "v");
  EXPECT_FALSE(j.get("FedAuth2"));
  EXPECT_EQ(jar("a=1").cookies().size(), 1u);
  EXPECT_EQ(jar("cookie:a=1;").cookies().size(), 1u);
  EXPECT_TRUE(jar("").cookies().empty());
}

TEST(CookieHeader, FirstOccurrenceWinsAndErrorsAreClear) {
  auto j = jar("FedAuth=first; FedAuth=second; fedauth=third; FEDAUTH1=chunk");
  EXPECT_EQ(*j.get("FedAuth"), "first");
  EXPECT_EQ(*j.get("fedAuth"), "first");
  EXPECT_EQ(j.duplicates(), 2u);
  // Names compare case-insensitively, as HttpCookieCollection does.
  EXPECT_EQ(*j.reassemble("FedAuth", default_chunking(ChunkingStyle::kWif)), "firstchunk");
  auto bad = ChunkedCookieJar::parse_cookie_header("FedAuth=a; garbage; b=2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Cookie header: 'garbage' is not name=value");
  std::string many;
  for (int i = 0; i < 1001; ++i) many += "c" + std::to_string(i) + "=1;";
  auto too_many = ChunkedCookieJar::parse_cookie_header(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().message(), "Cookie header: more than 1000 cookies");
  EXPECT_EQ(too_many.error().code(), ErrorCode::kLimitExceeded);
  auto huge = ChunkedCookieJar::parse_cookie_header(std::string((1u << 20) + 1, 'a'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), ErrorCode::kLimitExceeded);
}

TEST(SetCookieLines, AppliedInOrderDeletionsRemove) {
  auto j = ChunkedCookieJar::parse_set_cookie_lines(
      "Set-Cookie: FedAuth=AAA; path=/; secure; HttpOnly\r\n"
      "Set-Cookie: FedAuth1=BBB; path=/\n"
      "FedAuth2=CCC; path=/\n"
      "Set-Cookie: FedAuth2=; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/\n");
  ASSERT_TRUE(j.ok()) << j.error().message();
  ASSERT_EQ(j->cookies().size(), 2u);
  EXPECT_EQ(*j->reassemble("FedAuth", default_chunking(ChunkingStyle::kWif)), "AAABBB");
}

// --- rendering ---------------------------------------------------------------------------------

TEST(Render, WifAttributeOrderAndDates) {
  SetCookie c{"FedAuth", "AAA", {}, false};
  EXPECT_EQ(render_set_cookie(c, ChunkingStyle::kWif), "FedAuth=AAA; path=/; secure; HttpOnly");
  c.attributes.domain = "example.org";
  c.attributes.expires = kNow;
  c.attributes.path = "/app/";
  c.attributes.same_site = SameSite::kLax;
  EXPECT_EQ(render_set_cookie(c, ChunkingStyle::kWif),
            "FedAuth=AAA; domain=example.org; expires=Tue, 02-Jan-2024 03:04:05 GMT; path=/app/; secure; HttpOnly; "
            "SameSite=Lax");
  EXPECT_EQ(render_set_cookie(c, ChunkingStyle::kAspNetCore),
            "FedAuth=AAA; expires=Tue, 02 Jan 2024 03:04:05 GMT; domain=example.org; path=/app/; secure; samesite=lax; "
            "httponly");
  EXPECT_EQ(format_aspnetcore_cookie_date(sys_seconds{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_wif_cookie_date(sys_days{year{2000} / February / 29}), "Tue, 29-Feb-2000 00:00:00 GMT");
  EXPECT_EQ(*parse_same_site("Strict"), SameSite::kStrict);
  EXPECT_FALSE(parse_same_site("sometimes").ok());
  EXPECT_EQ(*parse_chunking_style("aspnetcore"), ChunkingStyle::kAspNetCore);
}

// --- WIF ---------------------------------------------------------------------------------------

TEST(WifChunks, SplitIn2000CharacterChunks) {
  const std::string value(4500, 'A');
  auto chunks = split_chunks("FedAuth", value, {}, default_chunking(ChunkingStyle::kWif));
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[0].first, "FedAuth");
  EXPECT_EQ((*chunks)[1].first, "FedAuth1");
  EXPECT_EQ((*chunks)[2].first, "FedAuth2");
  EXPECT_EQ((*chunks)[0].second.size(), 2000u);
  EXPECT_EQ((*chunks)[2].second.size(), 500u);
  auto exact = split_chunks("FedAuth", std::string(2000, 'A'), {}, default_chunking(ChunkingStyle::kWif));
  EXPECT_EQ(exact->size(), 1u);
}

TEST(WifChunks, ChunkSizeMinimumAndLimits) {
  ChunkingOptions o = default_chunking(ChunkingStyle::kWif);
  o.chunk_size = 999;
  auto small = split_chunks("FedAuth", "AAAA", {}, o);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().message(),
            "chunked cookie: chunk size 999 is below WIF's minimum of 1000 (ChunkedCookieHandler.MinimumChunkSize)");
  o.chunk_size = 1000;
  o.limits.max_chunks = 3;
  auto many = split_chunks("FedAuth", std::string(3001, 'A'), {}, o);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().message(), "chunked cookie: 'FedAuth' needs 4 chunks; the limit is 3");
  o.limits.max_total_size = 100;
  EXPECT_EQ(split_chunks("FedAuth", std::string(101, 'A'), {}, o).error().message(),
            "chunked cookie: 'FedAuth' is 101 characters; the limit is 100");
  EXPECT_EQ(split_chunks("FedAuth", "", {}, o).error().message(), "chunked cookie: the value to write is empty");
  EXPECT_EQ(split_chunks("FedAuth", "a;b", {}, default_chunking(ChunkingStyle::kWif)).error().message(),
            "chunked cookie: cookie value has a character a cookie cannot carry (RFC 6265 cookie-octet) at position 1");
  EXPECT_EQ(split_chunks("Fed Auth", "a", {}, default_chunking(ChunkingStyle::kWif)).error().message(),
            "chunked cookie: cookie name 'Fed Auth' has a character not allowed in a token at position 3");
}

TEST(WifChunks, ReadingStopsAtTheFirstMissingIndex) {
  const auto wif = default_chunking(ChunkingStyle::kWif);
  auto j = jar("FedAuth=AA; FedAuth1=BB; FedAuth3=DD; FedAuthX=no");
  EXPECT_EQ(*j.reassemble("FedAuth", wif), "AABB");
  EXPECT_EQ(j.chunk_names("FedAuth", wif), (std::vector<std::string>{"FedAuth", "FedAuth1"}));
  EXPECT_FALSE(j.reassemble("Missing", wif)->has_value());
  // FedAuth1 alone is not a cookie: reading starts at the base name.
  EXPECT_FALSE(jar("FedAuth1=BB").reassemble("FedAuth", wif)->has_value());
}

TEST(WifChunks, ReadingIsBounded) {
  ChunkingOptions o = default_chunking(ChunkingStyle::kWif);
  o.limits.max_chunks = 3;
  auto j = jar("F=a; F1=b; F2=c; F3=d");
  auto r = j.reassemble("F", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "chunked cookie: 'F' has more than 3 chunks; the limit is 3");
  o.limits.max_chunks = 10;
  o.limits.max_total_size = 3;
  EXPECT_EQ(j.reassemble("F", o).error().message(), "chunked cookie: 'F' is 4 characters; the limit is 3");
}

TEST(WifChunks, WritingDeletesStaleChunksInIndexOrder) {
  // The request carried four chunks; the new value needs two.
  auto request = jar("FedAuth=old0; FedAuth1=old1; FedAuth2=old2; FedAuth3=old3");
  const std::string value = std::string(2000, 'A') + "BBB";
  auto out = write_chunked_cookie(request, "FedAuth", value, {}, kNow, default_chunking(ChunkingStyle::kWif));
  auto lines = rendered(out, ChunkingStyle::kWif);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "FedAuth=" + std::string(2000, 'A') + "; path=/; secure; HttpOnly");
  EXPECT_EQ(lines[1], "FedAuth1=BBB; path=/; secure; HttpOnly");
  EXPECT_EQ(lines[2], "FedAuth2=; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/");
  EXPECT_EQ(lines[3], "FedAuth3=; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/");
  EXPECT_TRUE((*out)[2].deletion);
  EXPECT_FALSE((*out)[1].deletion);
}

TEST(WifChunks, PersistentSessionsCarryExpiresAndDomain) {
  CookieAttributes a;
  a.path = "/app/";
  a.domain = "example.org";
  a.expires = kNow + hours{10};
  auto out = write_chunked_cookie(ChunkedCookieJar{}, "FedAuth", "AAAA", a, kNow, default_chunking(ChunkingStyle::kWif));
  EXPECT_EQ(rendered(out, ChunkingStyle::kWif),
            (std::vector<std::string>{
                "FedAuth=AAAA; domain=example.org; expires=Tue, 02-Jan-2024 13:04:05 GMT; path=/app/; secure; HttpOnly"}));
}

TEST(WifChunks, DeletionExpiresEveryChunkWithSamePathAndDomain) {
  CookieAttributes a;
  a.path = "/app/";
  a.domain = "example.org";
  auto out = delete_chunked_cookie(jar("FedAuth=a; FedAuth1=b; FedAuth2=c; FedAuth4=e"), "FedAuth", a, kNow,
                                   default_chunking(ChunkingStyle::kWif));
  std::vector<std::string> lines;
  for (const auto& c : out) lines.push_back(render_set_cookie(c, ChunkingStyle::kWif));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "FedAuth=; domain=example.org; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/app/",
                       "FedAuth1=; domain=example.org; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/app/",
                       "FedAuth2=; domain=example.org; expires=Mon, 01-Jan-2024 03:04:05 GMT; path=/app/",
                   }));
  EXPECT_TRUE(delete_chunked_cookie(jar("other=1"), "FedAuth", a, kNow, default_chunking(ChunkingStyle::kWif)).empty());
}

TEST(WifChunks, RoundTripThroughSetCookieLines) {
  const std::string value(5555, 'Q');
  auto out = write_chunked_cookie(ChunkedCookieJar{}, "FedAuth", value, {}, kNow, default_chunking(ChunkingStyle::kWif));
  std::string text;
  for (const auto& line : rendered(out, ChunkingStyle::kWif)) text += "Set-Cookie: " + line + "\n";
  auto back = ChunkedCookieJar::parse_set_cookie_lines(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back->reassemble("FedAuth", default_chunking(ChunkingStyle::kWif)), value);
}

// --- ASP.NET Core: expected strings from aspnetcore's CookieChunkingTests ---------------------

TEST(AspNetCoreChunks, AppendLargeCookieWithLimitChunked) {
  auto out = write_chunked_cookie(ChunkedCookieJar{}, "TestCookie", kAlphabet, aspnetcore_defaults(), kNow, aspnetcore(44));
  EXPECT_EQ(rendered(out, ChunkingStyle::kAspNetCore),
            (std::vector<std::string>{"TestCookie=chunks-3; path=/", "TestCookieC1=abcdefghijklmnopqrstuv; path=/",
                                      "TestCookieC2=wxyz0123456789ABCDEFGH; path=/",
                                      "TestCookieC3=IJKLMNOPQRSTUVWXYZ; path=/"}));
}

TEST(AspNetCoreChunks, SmallerValueDeletesOldChunks) {
  auto request = jar(
      "TestCookie=chunks-7; TestCookieC1=abcdefghi; TestCookieC2=jklmnopqr; TestCookieC3=stuvwxyz0; "
      "TestCookieC4=123456789; TestCookieC5=ABCDEFGHI; TestCookieC6=JKLMNOPQR; TestCookieC7=STUVWXYZ");
  const std::string epoch = "; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  auto single = write_chunked_cookie(request, "TestCookie", "ShortValue", aspnetcore_defaults(), kNow, aspnetcore(31));
  std::vector<std::string> expected;
  for (int i = 1; i <= 7; ++i) expected.push_back("TestCookieC" + std::to_string(i) + "=" + epoch);
  expected.push_back("TestCookie=ShortValue; path=/");
  EXPECT_EQ(rendered(single, ChunkingStyle::kAspNetCore), expected);

  auto two = write_chunked_cookie(request, "TestCookie", "abcdefghijklmnopqr", aspnetcore_defaults(), kNow, aspnetcore(31));
  expected.clear();
  for (int i = 3; i <= 7; ++i) expected.push_back("TestCookieC" + std::to_string(i) + "=" + epoch);
  expected.insert(expected.end(), {"TestCookie=chunks-2; path=/", "TestCookieC1=abcdefghi; path=/",
                                   "TestCookieC2=jklmnopqr; path=/"});
  EXPECT_EQ(rendered(two, ChunkingStyle::kAspNetCore), expected);
}

TEST(AspNetCoreChunks, ReassembleAndMissingChunk) {
  auto request = jar(
      "TestCookie=chunks-7; TestCookieC1=abcdefghi; TestCookieC2=jklmnopqr; TestCookieC3=stuvwxyz0; "
      "TestCookieC4=123456789; TestCookieC5=ABCDEFGHI; TestCookieC6=JKLMNOPQR; TestCookieC7=STUVWXYZ");
  EXPECT_EQ(*request.reassemble("TestCookie", aspnetcore(4050)), kAlphabet);
  auto missing = jar("TestCookie=chunks-7; TestCookieC1=abcdefghi; TestCookieC3=stuvwxyz0");
  auto r = missing.reassemble("TestCookie", aspnetcore(4050));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "chunked cookie: 'TestCookie' is incomplete: only 1 of the 7 chunks announced by \"chunks-7\" are present "
            "(TestCookieC2 is missing)");
  // Not a chunk count: the value itself.
  EXPECT_EQ(*jar("TestCookie=chunks-x").reassemble("TestCookie", aspnetcore(4050)), "chunks-x");
  EXPECT_EQ(*jar("TestCookie=plain").reassemble("TestCookie", aspnetcore(4050)), "plain");
  auto huge = jar("TestCookie=chunks-2147483647").reassemble("TestCookie", aspnetcore(4050));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message(), "chunked cookie: 'TestCookie' has more than 100 chunks; the limit is 100");
}

TEST(AspNetCoreChunks, DeleteWithOptionsStopsAtMissingChunk) {
  CookieAttributes a = aspnetcore_defaults();
  a.domain = "foo.com";
  a.secure = true;
  auto out = delete_chunked_cookie(jar("TestCookie=chunks-7;TestCookieC1=1;TestCookieC2=2;TestCookieC4=4"),
                                   "TestCookie", a, kNow, aspnetcore(4050));
  std::vector<std::string> lines;
  for (const auto& c : out) lines.push_back(render_set_cookie(c, ChunkingStyle::kAspNetCore));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "TestCookie=; expires=Thu, 01 Jan 1970 00:00:00 GMT; domain=foo.com; path=/; secure",
                       "TestCookieC1=; expires=Thu, 01 Jan 1970 00:00:00 GMT; domain=foo.com; path=/; secure",
                       "TestCookieC2=; expires=Thu, 01 Jan 1970 00:00:00 GMT; domain=foo.com; path=/; secure",
                   }));
}

TEST(AspNetCoreChunks, FitsWhenTheWholeHeaderFitsAndRefusesTinyChunkSizes) {
  // "TestCookie=; path=/" is 19 characters: a 62-character value fits in 82, not in 81.
  auto fits = split_chunks("TestCookie", kAlphabet, aspnetcore_defaults(), aspnetcore(82));
  EXPECT_EQ(fits->size(), 1u);
  auto chunked = split_chunks("TestCookie", kAlphabet, aspnetcore_defaults(), aspnetcore(81));
  EXPECT_EQ((*chunked)[0].second, "chunks-2");
  auto tiny = split_chunks("TestCookie", kAlphabet, aspnetcore_defaults(), aspnetcore(28));
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.error().message(),
            "chunked cookie: chunk size 28 leaves no room for data: name and attributes take 19 characters, ASP.NET "
            "Core needs 10 more");
  // The default 4050 budget counts attributes, so a full header never exceeds it.
  CookieAttributes a = aspnetcore_defaults();
  a.domain = "example.org";
  a.secure = true;
  a.http_only = true;
  a.same_site = SameSite::kLax;
  auto out = write_chunked_cookie(ChunkedCookieJar{}, ".AspNetCore.Cookies", std::string(20000, 'z'), a, kNow,
                                  aspnetcore(4050));
  for (const auto& line : rendered(out, ChunkingStyle::kAspNetCore)) EXPECT_LE(line.size(), 4050u);
  // Template ".AspNetCore.Cookies=; domain=example.org; path=/; secure; samesite=lax; httponly" is
  // 80 characters: 4050 - 80 - 3 = 3967 per chunk, 20000 / 3967 -> 6 chunks.
  EXPECT_EQ(rendered(out, ChunkingStyle::kAspNetCore).size(), 7u);
  EXPECT_EQ(rendered(out, ChunkingStyle::kAspNetCore)[0].substr(0, 29), ".AspNetCore.Cookies=chunks-6;");
}

}  // namespace
}  // namespace parley::wif
