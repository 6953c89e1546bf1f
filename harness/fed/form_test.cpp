#include "harness/fed/form.h"

#include <gtest/gtest.h>

namespace parley::fed {
namespace {

TEST(Form, ParsesAndDecodesFields) {
  Result<FormFields> f = parse_form("wa=wsignin1.0&wctx=a%2Fb+c&empty=&flag");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(*f, (FormFields{{"wa", "wsignin1.0"}, {"wctx", "a/b c"}, {"empty", ""}, {"flag", ""}}));
}

TEST(Form, RefusesBadEscapesAndLimits) {
  EXPECT_EQ(parse_form("a=%4").error().code(), ErrorCode::kParse);
  EXPECT_EQ(parse_form("a=%zz").error().code(), ErrorCode::kParse);
  FormLimits limits;
  limits.max_fields = 2;
  EXPECT_EQ(parse_form("a=1&b=2&c=3", limits).error().code(), ErrorCode::kLimitExceeded);
  limits = {};
  limits.max_value_bytes = 3;
  Result<FormFields> long_value = parse_form("a=1234", limits);
  ASSERT_FALSE(long_value.ok());
  EXPECT_EQ(long_value.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(long_value.error().where(), "form field a");
  limits = {};
  limits.max_bytes = 4;
  EXPECT_EQ(parse_form("a=123", limits).error().code(), ErrorCode::kLimitExceeded);
}

TEST(Form, DuplicateFieldIsAmbiguous) {
  const FormFields f{{"wresult", "x"}, {"wresult", "y"}};
  EXPECT_EQ(form_value(f, "wresult").error().code(), ErrorCode::kAmbiguous);
  EXPECT_EQ(*form_value(f, "wctx"), std::nullopt);
}

TEST(Form, EncodeDecodeRoundTrip) {
  const std::string text = "a b&c=d/é?%+";
  EXPECT_EQ(url_encode(text), "a%20b%26c%3Dd%2F%C3%A9%3F%25%2B");
  EXPECT_EQ(*url_decode(url_encode(text)), text);
  const FormFields fields{{"x y", "1&2"}, {"z", ""}};
  EXPECT_EQ(*parse_form(write_form(fields)), fields);
}

TEST(Form, SplitTarget) {
  EXPECT_EQ(split_target("/sts/wsfed?wa=x#frag"), (std::pair<std::string_view, std::string_view>{"/sts/wsfed", "wa=x"}));
  EXPECT_EQ(split_target("/a"), (std::pair<std::string_view, std::string_view>{"/a", ""}));
}

TEST(Form, AutoPostEscapesEverything) {
  const std::string page = auto_post_form("https://rp/?a=1&b=\"2\"", {{"wresult", "<t:RSTR a=\"1\">'&'"}});
  EXPECT_NE(page.find("action=\"https://rp/?a=1&amp;b=&quot;2&quot;\""), std::string::npos) << page;
  EXPECT_NE(page.find("name=\"wresult\" value=\"&lt;t:RSTR a=&quot;1&quot;&gt;&#39;&amp;&#39;\""), std::string::npos)
      << page;
  EXPECT_NE(page.find("document.forms[0].submit()"), std::string::npos);
}

TEST(Form, SignInAndSignOutUrls) {
  EXPECT_EQ(wsfed_signin_url("https://sts/sts/wsfed", "https://rp/", "https://rp/signin", "ru=/a"),
            "https://sts/sts/wsfed?wa=wsignin1.0&wtrealm=https%3A%2F%2Frp%2F&wreply=https%3A%2F%2Frp%2Fsignin"
            "&wctx=ru%3D%2Fa");
  EXPECT_EQ(wsfed_signin_url("https://sts/x?tenant=1", "urn:rp", "", ""),
            "https://sts/x?tenant=1&wa=wsignin1.0&wtrealm=urn%3Arp");
  EXPECT_EQ(wsfed_signout_url("https://sts/sts/wsfed", "https://rp/"),
            "https://sts/sts/wsfed?wa=wsignout1.0&wreply=https%3A%2F%2Frp%2F");
}

}  // namespace
}  // namespace parley::fed
