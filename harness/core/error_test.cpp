#include "harness/core/error.h"

#include <gtest/gtest.h>

#include <memory>

namespace parley {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(ErrorCode::kInvalidArgument, "must be positive", "parse_positive");
  return v;
}

Result<int> doubled(int v) {
  PARLEY_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check(int v) {
  PARLEY_TRY(parse_positive(v));
  return ok_status();
}

TEST(Error, MessageJoinsWhereAndWhat) {
  Error e(ErrorCode::kParse, "unexpected element wsc:Foo", "DerivedKeyToken");
  EXPECT_EQ(e.message(), "DerivedKeyToken: unexpected element wsc:Foo");
  e.within("Security header");
  EXPECT_EQ(e.where(), "Security header: DerivedKeyToken");
  EXPECT_EQ(Error(ErrorCode::kIo, "no such file").message(), "no such file");
  EXPECT_EQ(to_string(ErrorCode::kLimitExceeded), "limit exceeded");
  Error cited(ErrorCode::kParse, "Length before Offset", "wsc:DerivedKeyToken");
  cited.cite("SC-7-01");
  EXPECT_EQ(cited.requirement(), "SC-7-01");
  EXPECT_EQ(cited.message(), "wsc:DerivedKeyToken: Length before Offset [SC-7-01]");
}

TEST(Error, ResultCarriesValueOrError) {
  Result<int> good = doubled(21);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "parse_positive: must be positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_EQ(check(0).error().what(), "must be positive");
}

TEST(Error, ResultHoldsMoveOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace parley
