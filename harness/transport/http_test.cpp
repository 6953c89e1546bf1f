#include "harness/transport/http.h"

#include <gtest/gtest.h>

namespace parley::transport {
namespace {

TEST(HttpHeaders, LookupIgnoresCaseAndKeepsOrderAndDuplicates) {
  HttpHeaders h;
  h.add("Set-Cookie", "a=1");
  h.add("Content-Type", "text/xml");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  ASSERT_EQ(h.get_all("Set-Cookie").size(), 2u);
  EXPECT_EQ(h.get_all("Set-Cookie")[1], "b=2");
  EXPECT_FALSE(h.get("Content-Length").has_value());
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.fields()[2].name, "set-cookie");  // spelling as given
}

TEST(HttpHeaders, SetReplacesEveryFieldAtThePositionOfTheFirst) {
  HttpHeaders h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  h.set("A", "x");
  EXPECT_EQ(h, (HttpHeaders{{"A", "x"}, {"B", "2"}}));
  h.set("C", "y");
  EXPECT_EQ(h.fields().back(), (HttpHeaders::Field{"C", "y"}));
  EXPECT_EQ(h.remove("b"), 1u);
  EXPECT_EQ(h.remove("b"), 0u);
  EXPECT_EQ(h.size(), 2u);
}

TEST(HttpHeaders, ValidationRefusesInjectionAndNonTokens) {
  EXPECT_TRUE(validate_header_field("X-Ok", "any value; with \"quotes\"").ok());
  EXPECT_TRUE(validate_header_field("X-Empty", "").ok());
  auto crlf = validate_header_field("X-A", "1\r\nX-Injected: 2");
  ASSERT_FALSE(crlf.ok());
  EXPECT_NE(crlf.error().what().find("CR, LF or NUL"), std::string::npos);
  EXPECT_FALSE(validate_header_field("X-A", std::string("a\0b", 3)).ok());
  EXPECT_FALSE(validate_header_field("Bad Name", "v").ok());
  EXPECT_FALSE(validate_header_field("Bad:Name", "v").ok());
  EXPECT_FALSE(validate_header_field("", "v").ok());
}

TEST(ParseHead, KeepsOrderSpellingAndJoinsObsFold) {
  ParsedHead p = parse_head(
      "HTTP/1.1 200 OK\r\nX-B:  two \r\nx-a: 1\r\n folded\r\nX-B: again\r\n\r\nnot a header");
  EXPECT_EQ(p.start_line, "HTTP/1.1 200 OK");
  ASSERT_EQ(p.headers.size(), 3u);
  EXPECT_EQ(p.headers.fields()[0], (HttpHeaders::Field{"X-B", "two"}));
  EXPECT_EQ(p.headers.fields()[1], (HttpHeaders::Field{"x-a", "1 folded"}));
  EXPECT_EQ(p.headers.get_all("x-b").size(), 2u);
}

TEST(ParseHead, ToleratesBareLineFeedsAndMissingColon) {
  ParsedHead p = parse_head("GET / HTTP/1.1\nHost: h\nbroken\n\n");
  EXPECT_EQ(p.start_line, "GET / HTTP/1.1");
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers.fields()[1], (HttpHeaders::Field{"broken", ""}));
}

}  // namespace
}  // namespace parley::transport
