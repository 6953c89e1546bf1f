#include "harness/core/bytes.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(Hex, RoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "0001abff");
  EXPECT_EQ(*hex_decode("0001ABff"), b);
  EXPECT_TRUE(hex_decode("")->empty());
}

TEST(Hex, ErrorsNameTheProblem) {
  auto odd = hex_decode("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().message(), "hex: odd number of hex digits (3)");
  auto bad = hex_decode("00zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "hex: not a hex digit: 'z' at position 2");
  EXPECT_EQ(hex_decode("0 ").error().message(), "hex: not a hex digit: byte 0x20 at position 1");
}

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(to_string(*decoded), plain);
  }
}

TEST(Base64, SkipsXmlWhitespace) {
  EXPECT_EQ(to_string(*base64_decode("Zm9v\r\n YmFy\t")), "foobar");
}

TEST(Base64, StrictErrors) {
  EXPECT_EQ(base64_decode("Zm9").error().message(),
            "base64: truncated input: length is not a multiple of 4 characters");
  EXPECT_EQ(base64_decode("Zm9v!").error().message(),
            "base64: not a base64 character: '!' at position 4");
  EXPECT_EQ(base64_decode("Z===").error().message(), "base64: misplaced padding '=' at position 1");
  EXPECT_EQ(base64_decode("Zg==Zg==").error().message(), "base64: data after padding at position 4");
  EXPECT_EQ(base64_decode("Zh==").error().message(), "base64: non-zero trailing bits before padding");
}

TEST(DecodeHexOrBase64, BothForms) {
  EXPECT_EQ(to_string(*decode_hex_or_base64("666f6f")), "foo");
  EXPECT_EQ(to_string(*decode_hex_or_base64("base64:Zm9v")), "foo");
  EXPECT_FALSE(decode_hex_or_base64("base64:Zm9").ok());
}

}  // namespace
}  // namespace parley
