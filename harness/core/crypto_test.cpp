#include "harness/core/crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::crypto {
namespace {

Bytes h(std::string_view hex) { return *hex_decode(hex); }
std::string hx(const Result<Bytes>& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? hex_encode(*r) : std::string("<error>");
}
Bytes range_bytes(int from, int count) {
  Bytes b;
  for (int i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(from + i));
  return b;
}

// Catalog section 1 inputs: secret 00..1f, nonce 80..8f.
const Bytes kSecret = range_bytes(0x00, 32);
const Bytes kNonce = range_bytes(0x80, 16);

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(hx(sha1(as_bytes("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hx(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_size(HashAlgorithm::kSha512), 64u);
}

TEST(Hmac, Rfc2202AndRfc4231) {
  Bytes key(20, 0x0b);
  EXPECT_EQ(hx(hmac(HashAlgorithm::kSha1, key, as_bytes("Hi There"))),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hx(hmac(HashAlgorithm::kSha256, key, as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hx(hmac(HashAlgorithm::kSha512, key, as_bytes("Hi There"))),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

TEST(Random, LengthAndVariety) {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(random_bytes(0)->empty());
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal(h("0102"), h("0102")));
  EXPECT_FALSE(constant_time_equal(h("0102"), h("0103")));
  EXPECT_FALSE(constant_time_equal(h("0102"), h("010203")));
  EXPECT_TRUE(constant_time_equal(Bytes{}, Bytes{}));
}

TEST(PSha1, CatalogKnownAnswers) {
  DerivationParams p;
  p.nonce = kNonce;
  EXPECT_EQ(hx(derive_key(kSecret, p)),
            "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e");
  p.length = 16;
  EXPECT_EQ(hx(derive_key(kSecret, p)), "9512a4ae433928e6d24bb0c59d52e622");
  p.length = 32;
  p.offset = *generation_offset(1, 32);
  EXPECT_EQ(p.offset, 32u);
  EXPECT_EQ(hx(derive_key(kSecret, p)),
            "2dd3247301217e5cf7893c11cd6fe37caaacb0240a0f6a2710c4072ddcdad76f");
}

TEST(PSha1, RepeatedDerivationsAreIndependent) {
  // OpenSSL 3.0 appends seeds when a TLS1-PRF context is reused; each call must start fresh.
  DerivationParams p;
  p.nonce = kNonce;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hx(derive_key(kSecret, p)),
              "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e");
  }
}

TEST(PSha1, OffsetSlicesTheStream) {
  auto whole = p_sha1(kSecret, as_bytes("seed"), 0, 64);
  auto tail = p_sha1(kSecret, as_bytes("seed"), 40, 24);
  ASSERT_TRUE(whole.ok() && tail.ok());
  EXPECT_EQ(Bytes(whole->begin() + 40, whole->end()), *tail);
}

TEST(PSha1, EmptySecretIsAValidHmacKey) {
  // Cross-checked with Python: hmac.new(b'', ...) P_hash over seed "seed".
  EXPECT_EQ(hx(p_sha1(Bytes{}, as_bytes("seed"), 0, 20)), "43ef5c31efbdcd50fae914f16c98c4b1063482c3");
}

TEST(PSha1, RefusesBadParameters) {
  auto empty_seed = p_sha1(kSecret, Bytes{}, 0, 32);
  ASSERT_FALSE(empty_seed.ok());
  EXPECT_EQ(empty_seed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(empty_seed.error().message().find("seed is empty"), std::string::npos);

  auto zero = p_sha1(kSecret, as_bytes("x"), 0, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message().find("at least 1 byte"), std::string::npos);

  auto huge = p_sha1(kSecret, as_bytes("x"), 0, std::uint64_t{1} << 31);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(huge.error().message().find("exceeds the limit of 1048576 bytes"), std::string::npos);

  auto wrap = p_sha1(kSecret, as_bytes("x"), UINT64_MAX, 2);
  ASSERT_FALSE(wrap.ok());
  EXPECT_EQ(wrap.error().code(), ErrorCode::kLimitExceeded);

  auto overflow = generation_offset(UINT64_MAX / 2, 32);
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.error().message().find("overflows 64 bits"), std::string::npos);
}

TEST(CkPSha1, CatalogKnownAnswer) {
  EXPECT_EQ(hx(ck_psha1(Bytes(32, 0x01), Bytes(32, 0x02), 256)),
            "e7dee695899af2c5b5603c57cc0bbfb1cef01b0c5b4c1f113a95b064cebd65ed");
  EXPECT_EQ(hx(ck_psha1(Bytes(32, 0x01), Bytes(32, 0x02), 128)), "e7dee695899af2c5b5603c57cc0bbfb1");
}

TEST(CkPSha1, RefusesBadKeySizes) {
  EXPECT_FALSE(ck_psha1(Bytes(32, 1), Bytes(32, 2), 0).ok());
  auto odd = ck_psha1(Bytes(32, 1), Bytes(32, 2), 100);
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().message().find("multiple of 8"), std::string::npos);
  EXPECT_FALSE(ck_psha1(Bytes{}, Bytes(32, 2), 256).ok());
}

TEST(Kbkdf, HmacSha512CounterModeMatchesPython) {
  // Expected values computed with Python's hmac/hashlib (SP 800-108 loop written out).
  std::string context = "\x31System.IdentityModel.Services.MachineKeyTransform";
  EXPECT_EQ(hx(kbkdf_hmac_counter(HashAlgorithm::kSha512, range_bytes(0, 32),
                                  as_bytes("User.MachineKey.Protect"), as_bytes(context), 32)),
            "bd914d5fe47d74f39f01287114d22e5a36673b13f7d615d5c9dd92816e628250");
  EXPECT_EQ(hx(kbkdf_hmac_counter(HashAlgorithm::kSha512, range_bytes(0, 64), as_bytes("label"),
                                  as_bytes("context"), 80)),
            "c9d38d4bd8a6910c927a52dbaa5e8b827269a320b9c15137e11fb43495119f22"
            "a96a33183ea61376d74fff244c20636e5285034795de32d6f666e218d99bd535"
            "141536ef2e751461023df3c56e0ac015");
}

TEST(AesCbc, NistSp800_38aBlockAndPadding) {
  Bytes key = h("2b7e151628aed2a6abf7158809cf4f3c");
  Bytes iv = range_bytes(0, 16);
  Bytes pt = h("6bc1bee22e409f96e93d7e117393172a");
  auto ct = aes_cbc_encrypt(key, iv, pt);
  ASSERT_TRUE(ct.ok());
  ASSERT_EQ(ct->size(), 32u);  // one block of data + one block of PKCS#7 padding
  EXPECT_EQ(hex_encode(ByteView(ct->data(), 16)), "7649abac8119b246cee98e9b12e9197d");
  auto back = aes_cbc_decrypt(key, iv, *ct);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, pt);

  Bytes wrong_key = key;
  wrong_key[0] ^= 1;
  auto bad = aes_cbc_decrypt(wrong_key, iv, *ct);
  // A wrong key usually breaks the padding; when it does not, the plaintext differs.
  EXPECT_TRUE(!bad.ok() || *bad != pt);
  EXPECT_FALSE(aes_cbc_decrypt(key, iv, Bytes(15, 0)).ok());
  EXPECT_FALSE(aes_cbc_encrypt(Bytes(17, 0), iv, pt).ok());
  EXPECT_FALSE(aes_cbc_encrypt(key, Bytes(8, 0), pt).ok());
}

TEST(AesGcm, McGrewViegaTestCase3) {
  Bytes key = h("feffe9928665731c6d6a8f9467308308");
  Bytes iv = h("cafebabefacedbaddecaf888");
  Bytes pt = h(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
  auto ct = aes_gcm_encrypt(key, iv, Bytes{}, pt);
  EXPECT_EQ(hx(ct),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
            "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
            "4d5c2af327cd64a62cf35abd2ba6fab4");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(*aes_gcm_decrypt(key, iv, Bytes{}, *ct), pt);
  Bytes tampered = *ct;
  tampered[3] ^= 0x80;
  auto bad = aes_gcm_decrypt(key, iv, Bytes{}, tampered);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kVerification);
  EXPECT_FALSE(aes_gcm_decrypt(key, iv, as_bytes("aad"), *ct).ok());
}

class RsaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { key_ = new RsaKey(*RsaKey::generate(2048)); }
  static void TearDownTestSuite() { delete key_; }
  static RsaKey* key_;
};
RsaKey* RsaTest::key_ = nullptr;

TEST_F(RsaTest, OaepRoundTripAndPublicOnly) {
  ASSERT_EQ(key_->bits(), 2048);
  auto pub = key_->public_only();
  ASSERT_TRUE(pub.ok());
  EXPECT_FALSE(pub->has_private());
  Bytes secret = range_bytes(1, 32);
  auto ct = rsa_oaep_sha1_encrypt(*pub, secret);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->size(), 256u);
  EXPECT_EQ(*rsa_oaep_sha1_decrypt(*key_, *ct), secret);
  EXPECT_FALSE(rsa_oaep_sha1_decrypt(*pub, *ct).ok());
  Bytes corrupt = *ct;
  corrupt[10] ^= 1;
  auto bad = rsa_oaep_sha1_decrypt(*key_, corrupt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kVerification);
}

TEST_F(RsaTest, Pkcs1Sha256SignVerify) {
  auto sig = rsa_pkcs1_sha256_sign(*key_, as_bytes("payload"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 256u);
  auto pub = key_->public_only();
  EXPECT_TRUE(rsa_pkcs1_sha256_verify(*pub, as_bytes("payload"), *sig).ok());
  auto bad = rsa_pkcs1_sha256_verify(*pub, as_bytes("payloaD"), *sig);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kVerification);
  // PKCS#1 v1.5 is deterministic: the same input signs to the same bytes.
  EXPECT_EQ(*rsa_pkcs1_sha256_sign(*key_, as_bytes("payload")), *sig);
}

TEST_F(RsaTest, PemRoundTripAndGarbage) {
  auto pem = key_->private_pem();
  ASSERT_TRUE(pem.ok());
  auto again = RsaKey::from_pem(*pem);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->has_private());
  EXPECT_EQ(*again->public_pem(), *key_->public_pem());
  auto garbage = RsaKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message().find("cannot read an RSA key"), std::string::npos);
  EXPECT_FALSE(RsaKey::from_der_certificate(h("3003020100")).ok());
}

TEST(Digest, Sha384AndHmacSha384) {
  // FIPS 180-2 "abc" and RFC 4231 test case 1 (needed by ASP.NET MachineKey HMACSHA384).
  EXPECT_EQ(hx(digest(HashAlgorithm::kSha384, as_bytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(hx(hmac(HashAlgorithm::kSha384, Bytes(20, 0x0b), as_bytes("Hi There"))),
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
            "faea9ea9076ede7f4af152e8b2fa9cb6");
  EXPECT_EQ(digest_size(HashAlgorithm::kSha384), 48u);
  EXPECT_EQ(to_string(HashAlgorithm::kSha384), "SHA-384");
}

TEST(RsaPublicNumbers, FixedKeyModulusAndExponent) {
  // Modulus as printed by `openssl rsa -noout -modulus` for this key.
  const char* pem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDLHxv4znJRqBemHiZIa0V1dp/7\n"
      "z7kgZ9zd/041giWVVxvgc01w/Bln9FQwp+V5OYvOG6IgMZMaDCBPIcR/IR78+WYe\n"
      "+mjbFhSr1EJ+wQ7eNPUTphk0QJC1FMATy2iOwv5zmRL+P/qKkdAPtmInwdPBgW4m\n"
      "ha1rR86NMEX+1yvzHwIDAQAB\n"
      "-----END PUBLIC KEY-----\n";
  auto key = RsaKey::from_pem(pem);
  ASSERT_TRUE(key.ok());
  auto numbers = rsa_public_numbers(*key);
  ASSERT_TRUE(numbers.ok()) << numbers.error().message();
  EXPECT_EQ(hex_encode(numbers->modulus),
            "cb1f1bf8ce7251a817a61e26486b4575769ffbcfb92067dcddff4e35822595571be0734d70fc1967f45430"
            "a7e579398bce1ba22031931a0c204f21c47f211efcf9661efa68db1614abd4427ec10ede34f513a6193440"
            "90b514c013cb688ec2fe739912fe3ffa8a91d00fb66227c1d3c1816e2685ad6b47ce8d3045fed72bf31f");
  EXPECT_EQ(hex_encode(numbers->exponent), "010001");  // minimal octets, no leading zero
}

TEST_F(RsaTest, PublicNumbersOfPrivateAndPublicKeyAgree) {
  auto priv = rsa_public_numbers(*key_);
  auto pub = rsa_public_numbers(*key_->public_only());
  ASSERT_TRUE(priv.ok() && pub.ok());
  EXPECT_EQ(priv->modulus, pub->modulus);
  EXPECT_EQ(priv->modulus.size(), 256u);
  EXPECT_NE(priv->modulus[0], 0);
  EXPECT_EQ(hex_encode(priv->exponent), "010001");
}

}  // namespace
}  // namespace parley::crypto
