#include "harness/core/text.h"

#include <gtest/gtest.h>

namespace parley::core {
namespace {

TEST(Text, LowerAsciiTouchesOnlyAsciiLetters) {
  EXPECT_EQ(lower_ascii("Set-Cookie: HttpOnly; PATH=/A"), "set-cookie: httponly; path=/a");
  EXPECT_EQ(lower_ascii("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes stay as they are
}

TEST(Text, TrimOwsStripsSpacesTabsAndATrailingCr) {
  EXPECT_EQ(trim_ows(" \tFedAuth=abc \t\r"), "FedAuth=abc");
  EXPECT_EQ(trim_ows("   "), "");
  EXPECT_EQ(trim_ows("a b"), "a b");
}

TEST(Text, GlobMatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("wssc/0?/*", "wssc/03/context-echoed"));
  EXPECT_TRUE(glob_match("FedAuth*", "FedAuth"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZc"));
  EXPECT_FALSE(glob_match("wssc/0?/*", "wssc/10/replay"));
  EXPECT_FALSE(glob_match("a*b", "aXXbY"));
  EXPECT_FALSE(glob_match("?", ""));
  // Backtracking stays linear in practice: a pathological pattern answers at once.
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace parley::core
