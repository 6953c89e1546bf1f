#include "harness/wif/machine_key.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::wif {
namespace {

// Expected values were computed by tests/crosscheck/test_wif_cookie_reference.py (Python
// `cryptography` KBKDFHMAC / AES / hmac), which shares no code with parley.

Bytes range_bytes(int from, int count) {
  Bytes b;
  for (int i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(from + i));
  return b;
}

const Bytes kDecryptionKey = range_bytes(0x00, 32);
const Bytes kValidationKey = range_bytes(0x00, 64);
const Bytes kIv = range_bytes(0x80, 16);

MachineKeyConfig config(std::size_t dk = 32, std::size_t vk = 64,
                        MachineKeyValidation v = MachineKeyValidation::kHmacSha256) {
  return {Bytes(kDecryptionKey.begin(), kDecryptionKey.begin() + static_cast<std::ptrdiff_t>(dk)),
          Bytes(kValidationKey.begin(), kValidationKey.begin() + static_cast<std::ptrdiff_t>(vk)), v};
}

std::string protect_hex(const MachineKeyConfig& c, MachineKeyPurpose p, std::string_view data) {
  auto protector = MachineKeyProtector::create(c, std::move(p));
  EXPECT_TRUE(protector.ok()) << (protector.ok() ? "" : protector.error().message());
  if (!protector.ok()) return "<error>";
  auto out = protector->protect_with_iv(as_bytes(data), kIv);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message());
  return out.ok() ? hex_encode(*out) : "<error>";
}

TEST(MachineKeyPurposes, LabelAndContextAsAspNetBuildsThem) {
  const MachineKeyPurpose wif = wif_machine_key_transform_purpose();
  EXPECT_EQ(wif.primary, "User.MachineKey.Protect");
  ASSERT_EQ(wif.specific.size(), 1u);
  EXPECT_EQ(hex_encode(*purpose_label(wif)), hex_encode(as_bytes("User.MachineKey.Protect")));
  // 0x31 = 49, the UTF-8 length of the purpose; wire facts B.
  EXPECT_EQ(hex_encode(*purpose_context(wif)),
            "3153797374656d2e4964656e746974794d6f64656c2e53657276696365732e4d616368696e654b65795472616e73666f726d");
  EXPECT_TRUE(purpose_context({"User.MachineKey.Protect", {}})->empty());
}

TEST(MachineKeyPurposes, SevenBitLengthPrefixCountsUtf8Bytes) {
  EXPECT_EQ(hex_encode(binary_writer_string("a")), "0161");
  EXPECT_EQ(hex_encode(binary_writer_string("\xc3\xa9")), "02c3a9");  // U+00E9: 2 bytes, 1 char
  EXPECT_EQ(hex_encode(binary_writer_string(std::string(200, 'x'))).substr(0, 4), "c801");
  EXPECT_EQ(hex_encode(binary_writer_string(std::string(16384, 'x'))).substr(0, 6), "808001");
  EXPECT_EQ(hex_encode(binary_writer_string("")), "00");
}

TEST(MachineKeyPurposes, RefusesWhatAspNetRefuses) {
  for (const char* bad : {"", "   ", "\t\n", "\xe3\x80\x80" /* U+3000 ideographic space */}) {
    auto r = purpose_context({"User.MachineKey.Protect", {"ok", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message(),
              "MachineKey: specific #2 purpose is empty or white space only (ASP.NET refuses it)");
  }
  auto utf8 = purpose_label({"User\xff", {}});
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.error().message(), "MachineKey: primary purpose is not valid UTF-8 (byte 4)");
  EXPECT_FALSE(purpose_label({"\xc0\xaf", {}}).ok());      // overlong '/'
  EXPECT_FALSE(purpose_label({"\xed\xa0\x80", {}}).ok());  // UTF-16 surrogate
  EXPECT_FALSE(purpose_label({"\xe2\x82", {}}).ok());      // truncated
  EXPECT_TRUE(purpose_label({"caf\xc3\xa9 \xf0\x9f\x8d\xaa", {}}).ok());
}

TEST(MachineKeyValidationNames, ParseAndSizes) {
  EXPECT_EQ(*parse_machine_key_validation("SHA1"), MachineKeyValidation::kHmacSha1);
  EXPECT_EQ(*parse_machine_key_validation("hmacsha1"), MachineKeyValidation::kHmacSha1);
  EXPECT_EQ(*parse_machine_key_validation("HMACSHA384"), MachineKeyValidation::kHmacSha384);
  EXPECT_EQ(mac_size(MachineKeyValidation::kHmacSha1), 20u);
  EXPECT_EQ(mac_size(MachineKeyValidation::kHmacSha384), 48u);
  EXPECT_EQ(mac_size(MachineKeyValidation::kHmacSha512), 64u);
  EXPECT_EQ(to_string(MachineKeyValidation::kHmacSha256), "HMACSHA256");
  auto bad = parse_machine_key_validation("MD5");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(bad.error().message().find("'MD5' is not one of"), std::string::npos);
}

TEST(MachineKeyDerivation, KeysAreSp800108OfEachMasterKey) {
  auto keys = derive_machine_keys(config(), wif_machine_key_transform_purpose());
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  EXPECT_EQ(hex_encode(keys->encryption), "bd914d5fe47d74f39f01287114d22e5a36673b13f7d615d5c9dd92816e628250");
  EXPECT_EQ(hex_encode(keys->validation),
            "08177f396dcb3edb7fec93e3cb13e456054104dd516a9208fb21fc90726ee754"
            "37a2f04c5df0049f3f3bbda0f46d205c53bb1bedfbb8df883fe2450e6b648ddd");
}

TEST(MachineKeyProtect, KnownAnswersForEveryValidationAndKeySize) {
  const auto wif = wif_machine_key_transform_purpose();
  EXPECT_EQ(protect_hex(config(), wif, "hello"),
            "808182838485868788898a8b8c8d8e8f370ff1c4fda580a9b63d024d5e3dd2ad"
            "9a86c6869f644f19525f72d2b1c5b7f9ac954eb4e1f27268e26ea0f842b8614d");
  EXPECT_EQ(protect_hex(config(16, 20, MachineKeyValidation::kHmacSha1), wif, "hello"),
            "808182838485868788898a8b8c8d8e8faacee19cca2a9853d329445fafa6bbd3"
            "7b5b92875dc1f7dd9bccc435b7f25b749902be3c");
  EXPECT_EQ(protect_hex(config(24, 48, MachineKeyValidation::kHmacSha384), wif, "hello"),
            "808182838485868788898a8b8c8d8e8ffa8d2f15386030eac8eb7e0dd58abe09"
            "fe446583d74f62894dcd7fa5d16b95b01cb19e3ab68e0addb6684b7a3023cf9a"
            "9f9cc5b83356d972176092365a646916");
  // Empty data: one block of padding.
  EXPECT_EQ(protect_hex(config(32, 64, MachineKeyValidation::kHmacSha512), wif, ""),
            "808182838485868788898a8b8c8d8e8f0918f5e4d110d2e8aa7aa4591197d7f1"
            "d2d722e4b8e0c18bad6425f5d46baa6d5ddef52818293d4703fe5cd34815cc04"
            "368941cc513a8b1ad94d10df3814a64e40d871d933d7dda4a7573fc4ddde9ede");
  EXPECT_EQ(protect_hex(config(), {"User.MachineKey.Protect", {}}, "hello"),
            "808182838485868788898a8b8c8d8e8f8ffa3023d14edecc1a698c9f374ab544"
            "9bf1bc8c2b2f9d6114259e5d12b76975af1a0aae003843ff44e3172acef2d535");
  EXPECT_EQ(protect_hex(config(), {"User.MachineKey.Protect", {"a", "b\xc3\xa9"}}, "hello"),
            "808182838485868788898a8b8c8d8e8faa42f9a38c1b21982a51477c9975e53c"
            "34f0929f7d0c167035f1908ded9103af25531c856eda07dd157003d27bbda075");
}

TEST(MachineKeyProtect, RandomIvRoundTripsAndDiffers) {
  auto p = MachineKeyProtector::create(config(), wif_machine_key_transform_purpose());
  ASSERT_TRUE(p.ok());
  auto a = p->protect(as_bytes("session token"));
  auto b = p->protect(as_bytes("session token"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->size(), 16u + 16u + 32u);
  EXPECT_EQ(to_string(*p->unprotect(*a)), "session token");
  EXPECT_EQ(to_string(*p->unprotect(*b)), "session token");
}

TEST(MachineKeyUnprotect, KnownAnswer) {
  auto p = MachineKeyProtector::create(config(), wif_machine_key_transform_purpose());
  auto out = p->unprotect(*hex_decode(
      "808182838485868788898a8b8c8d8e8f370ff1c4fda580a9b63d024d5e3dd2ad"
      "9a86c6869f644f19525f72d2b1c5b7f9ac954eb4e1f27268e26ea0f842b8614d"));
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(to_string(*out), "hello");
}

class MachineKeyTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = MachineKeyProtector::create(config(), wif_machine_key_transform_purpose());
    ASSERT_TRUE(p.ok());
    protector_.emplace(std::move(*p));
    blob_ = *protector_->protect_with_iv(as_bytes("hello"), kIv);
  }
  std::string unprotect_error(ByteView data) {
    auto r = protector_->unprotect(data);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "<accepted>" : r.error().message();
  }
  std::optional<MachineKeyProtector> protector_;
  Bytes blob_;
};

TEST_F(MachineKeyTamper, EveryFlippedByteIsAnHmacMismatch) {
  for (std::size_t i = 0; i < blob_.size(); ++i) {
    Bytes bad = blob_;
    bad[i] ^= 0x01;
    EXPECT_EQ(unprotect_error(bad).rfind("MachineKey: HMAC mismatch (HMACSHA256; ", 0), 0u) << "byte " << i;
  }
}

TEST_F(MachineKeyTamper, WrongPurposeKeyOrAlgorithmIsAnHmacMismatch) {
  auto other_purpose = MachineKeyProtector::create(config(), {"User.MachineKey.Protect", {"other"}});
  EXPECT_EQ(other_purpose->unprotect(blob_).error().code(), ErrorCode::kVerification);
  MachineKeyConfig other_key = config();
  other_key.validation_key[0] ^= 1;
  EXPECT_EQ(MachineKeyProtector::create(other_key, wif_machine_key_transform_purpose())->unprotect(blob_).error().what()
                .rfind("HMAC mismatch", 0),
            0u);
  // Right HMAC key, wrong decryption key: the MAC passes, the padding check catches it.
  MachineKeyConfig other_aes = config();
  other_aes.decryption_key[0] ^= 1;
  auto r = MachineKeyProtector::create(other_aes, wif_machine_key_transform_purpose())->unprotect(blob_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "MachineKey: AES-CBC padding is invalid although the HMAC verified (wrong decryption key)");
}

TEST_F(MachineKeyTamper, TooShortAndTruncated) {
  EXPECT_EQ(unprotect_error(ByteView(blob_).first(48)),
            "MachineKey: input of 48 bytes is too short: IV (16) + ciphertext + HMACSHA256 (32) needs more than 48");
  EXPECT_EQ(unprotect_error(Bytes{}).rfind("MachineKey: input of 0 bytes is too short", 0), 0u);
  EXPECT_EQ(unprotect_error(ByteView(blob_).first(blob_.size() - 1)).rfind("MachineKey: HMAC mismatch", 0), 0u);
}

TEST(MachineKeyConfigErrors, KeySizesAndIv) {
  auto bad_aes = MachineKeyProtector::create(config(20), wif_machine_key_transform_purpose());
  ASSERT_FALSE(bad_aes.ok());
  EXPECT_EQ(bad_aes.error().message(), "MachineKey: decryption key must be 16, 24 or 32 bytes for AES, got 20");
  auto no_hmac_key = MachineKeyProtector::create(config(32, 0), wif_machine_key_transform_purpose());
  ASSERT_FALSE(no_hmac_key.ok());
  EXPECT_EQ(no_hmac_key.error().message(), "MachineKey: validation key is empty");
  auto p = MachineKeyProtector::create(config(), wif_machine_key_transform_purpose());
  auto bad_iv = p->protect_with_iv(as_bytes("x"), Bytes(12, 0));
  ASSERT_FALSE(bad_iv.ok());
  EXPECT_EQ(bad_iv.error().message(), "MachineKey: IV must be 16 bytes, got 12");
  auto bad_purpose = MachineKeyProtector::create(config(), {"", {}});
  ASSERT_FALSE(bad_purpose.ok());
  EXPECT_EQ(bad_purpose.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::wif
