#include "harness/wif/cookie_transforms.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>
#include <string>

namespace parley::wif {
namespace {

// Expected values come from tests/crosscheck/test_wif_cookie_reference.py (Python
// `cryptography`, hmac, zlib), which shares no code with parley.

// A 1024-bit test key (only for tests: small keeps the expected hex short).
constexpr const char* kKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAMsfG/jOclGoF6Ye\n"
    "JkhrRXV2n/vPuSBn3N3/TjWCJZVXG+BzTXD8GWf0VDCn5Xk5i84boiAxkxoMIE8h\n"
    "xH8hHvz5Zh76aNsWFKvUQn7BDt409ROmGTRAkLUUwBPLaI7C/nOZEv4/+oqR0A+2\n"
    "YifB08GBbiaFrWtHzo0wRf7XK/MfAgMBAAECgYABF0mvLGyww5Zc7gyGlwzodJqn\n"
    "X5Y+9k/ZYWWqI+jPxIgBzJy93pzEUiuhl0VEQWre0IcuZRXFLgt+YVAM3sCr2LeS\n"
    "JiVGKBegAd3sfV0jWQagkPj3G25oslvpx2LkVKhK110iGNTruSFuFludgR+2MLDF\n"
    "SwtswltTZYEDfTyVAQJBAOx7GuPtDd07IA2/j0Of5sVbFDm4dNCzG89bwezhdlrx\n"
    "qiry3aZfOdPbd6S7Qa4e1o/6D3QVyONA5R+BWWIVV/sCQQDb4x0FctrGGXk8YTi8\n"
    "P+dREwWIWt8mCSRZT9sbIXuksA9/mT8rxoxXTG9+9YtbjLB4BwLW42nTCXjqptVG\n"
    "fbQtAkEA4Goe5afDnWuLiqB8I0+uXyGEuxX5/UfLn2dTTCnV+I4Xz7Q0dbsulIdU\n"
    "LgbqWIO5WF6UpbQ6tLaT+Ob2XOcmWwJARXA7QfU7UUPKHV82Y3xquBehr6XCwmgw\n"
    "qmOldbPlL+TJgCoM4O4ac5cXvqgcEhUjxUOxidrXGGXtYWy9/TzFIQJBALYawHWx\n"
    "0hZBcnq0+b48agDlc4kdHY/uYSt/O3JQisWin8wljbAOt9a6/GQ3p1KUTkY8Ey7B\n"
    "f4rigrU5nI7RgSI=\n"
    "-----END PRIVATE KEY-----\n";

// RsaSignature of "hello" under kKeyPem (PKCS#1 v1.5 is deterministic).
constexpr const char* kSignedHello =
    "800000003a63ce4afed4c4ed6814b87dbc2f913902ca9894ea4e55ac5cb12b0c58e05fdfe6761bbea5353a8d461af49b15fbf7"
    "0c249604fccbeca60ec6683937aaf55a05f9349228fac6222f3907502a4c1d4668b1ebf883cf61e375ae974caaf4b5a46d39b6"
    "c957900c603fa3e5b8ba78cb24371fa37f22841e7f7c1f794fe44312146e68656c6c6f";

// RsaEncryption of "hello" to kKeyPem, made by the Python reference (AES key 20..3f, IV 60..6f).
constexpr const char* kEncryptedHello =
    "d039d365d3f37e11963d22fa9960fe29ce18e8dd200f7490b7357b386f2b28c3800000004101ba19f1f18eb8cc018981300c12"
    "e1a2476b96420fc036a1a386aeeeb43400cbb74270a6f638be35f164c2d94408d4570763432b3b7876cd2c480241fd12900f5a"
    "c9a23c39592a10dac913642f5f9b7b69c563392161340227bb2bb3c91d3e83194bcf7d435c0ee4e817def4e72e7ad6aeed2d6a"
    "62d73762104a0aa2c64681100000006221eea906e528f28ba815f40b3bfab4";

Bytes h(std::string_view hex) { return *hex_decode(hex); }
Bytes range_bytes(int from, int count) {
  Bytes b;
  for (int i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(from + i));
  return b;
}
crypto::RsaKey test_key() { return *crypto::RsaKey::from_pem(kKeyPem); }

std::string error_of(const Result<Bytes>& r) { return r.ok() ? "<accepted: " + hex_encode(*r) + ">" : r.error().message(); }

Bytes raw_deflate(ByteView data, int level = 9) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  // total_out, not size - avail_out: GCC's -O1 flow analysis cannot bound the subtraction.
  const auto produced = static_cast<std::size_t>(zs.total_out);
  deflateEnd(&zs);
  if (produced <= out.size()) out.resize(produced);
  return out;
}

// --- Deflate -----------------------------------------------------------------------------------

TEST(Deflate, DecodesKnownRawStreams) {
  DeflateCookieTransform deflate;
  // RFC 1951 stored block by hand: BFINAL=1 BTYPE=00, LEN=3, NLEN=~3, "abc".
  EXPECT_EQ(to_string(*deflate.decode(h("010300fcff616263"))), "abc");
  // Python zlib.compressobj(9, DEFLATED, -15).
  EXPECT_EQ(to_string(*deflate.decode(h("cb48cdc9c957c8402701"))), "hello hello hello hello");
}

TEST(Deflate, RoundTripIsRawDeflate) {
  DeflateCookieTransform deflate;
  const std::string text(5000, 'x');
  auto encoded = deflate.encode(as_bytes(text));
  ASSERT_TRUE(encoded.ok());
  EXPECT_LT(encoded->size(), 100u);
  // No zlib header (0x78 ..) and no gzip header (1f 8b): the first byte is a block header.
  EXPECT_NE((*encoded)[0], 0x78);
  EXPECT_NE((*encoded)[0], 0x1f);
  EXPECT_EQ(to_string(*deflate.decode(*encoded)), text);
}

TEST(Deflate, CapAllowsExactlyOneMebibyte) {
  DeflateCookieTransform deflate;
  EXPECT_EQ(deflate.max_decompressed_size(), 1048576u);
  auto exact = deflate.decode(raw_deflate(Bytes(1048576, 0)));
  ASSERT_TRUE(exact.ok()) << exact.error().message();
  EXPECT_EQ(exact->size(), 1048576u);
  EXPECT_EQ(error_of(deflate.decode(raw_deflate(Bytes(1048577, 0)))),
            "Deflate: inflated size exceeds 1048576 bytes");
}

TEST(Deflate, BombIsRefusedWithTheConfiguredCap) {
  // 64 MiB of zeros compress to about 64 KiB; the decoder stops one byte past the cap.
  Bytes bomb = raw_deflate(Bytes(64u << 20, 0), 1);
  EXPECT_EQ(error_of(DeflateCookieTransform().decode(bomb)), "Deflate: inflated size exceeds 1048576 bytes");
  EXPECT_EQ(error_of(DeflateCookieTransform(100).decode(raw_deflate(Bytes(101, 'a')))),
            "Deflate: inflated size exceeds 100 bytes");
  EXPECT_TRUE(DeflateCookieTransform(100).decode(raw_deflate(Bytes(100, 'a'))).ok());
  auto r = DeflateCookieTransform().decode(bomb);
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
}

TEST(Deflate, CorruptTruncatedTrailingAndEmpty) {
  DeflateCookieTransform deflate;
  Bytes stream = raw_deflate(as_bytes("hello hello hello hello"));
  EXPECT_EQ(error_of(deflate.decode(ByteView(stream).first(stream.size() - 2))),
            "Deflate: truncated DEFLATE stream (no final block)");
  Bytes trailing = stream;
  trailing.push_back(0x00);
  EXPECT_EQ(error_of(deflate.decode(trailing)), "Deflate: 1 bytes follow the end of the DEFLATE stream");
  // BTYPE=11 is reserved.
  EXPECT_EQ(error_of(deflate.decode(h("07"))), "Deflate: not a valid raw DEFLATE stream (invalid block type)");
  // A zlib-wrapped stream is not raw DEFLATE.
  EXPECT_EQ(error_of(deflate.decode(h("789ccb48cdc9c90700062c0215"))).rfind("Deflate: not a valid raw DEFLATE", 0), 0u);
  EXPECT_EQ(error_of(deflate.decode(Bytes{})), "Deflate: refusing an empty value (WIF does too)");
  EXPECT_EQ(error_of(deflate.encode(Bytes{})), "Deflate: refusing an empty value (WIF does too)");
  EXPECT_EQ(error_of(DeflateCookieTransform(10).encode(Bytes(11, 'a'))),
            "Deflate: value of 11 bytes exceeds the 10-byte limit readers enforce when inflating");
}

// --- RSA ---------------------------------------------------------------------------------------

TEST(RsaKeyXml, MatchesDotNetToXmlString) {
  auto xml = dotnet_rsa_public_xml(test_key());
  ASSERT_TRUE(xml.ok());
  EXPECT_EQ(*xml,
            "<RSAKeyValue><Modulus>yx8b+M5yUagXph4mSGtFdXaf+8+5IGfc3f9ONYIllVcb4HNNcPwZZ/RUMKfleTmLzhuiIDGTGgwgTyHEfyEe/"
            "PlmHvpo2xYUq9RCfsEO3jT1E6YZNECQtRTAE8tojsL+c5kS/j/6ipHQD7ZiJ8HTwYFuJoWta0fOjTBF/tcr8x8=</Modulus>"
            "<Exponent>AQAB</Exponent></RSAKeyValue>");
  EXPECT_EQ(hex_encode(*rsa_key_hash(test_key())), "d039d365d3f37e11963d22fa9960fe29ce18e8dd200f7490b7357b386f2b28c3");
  // The public half hashes the same: the hash identifies the key pair.
  EXPECT_EQ(*rsa_key_hash(*test_key().public_only()), *rsa_key_hash(test_key()));
}

TEST(RsaSignature, KnownAnswerAndDecode) {
  auto t = RsaSignatureCookieTransform::create({test_key()});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(hex_encode(*t->encode(as_bytes("hello"))), kSignedHello);
  auto verifier = RsaSignatureCookieTransform::create({*test_key().public_only()});
  EXPECT_EQ(to_string(*verifier->decode(h(kSignedHello))), "hello");
}

TEST(RsaSignature, TamperingIsRefused) {
  auto t = *RsaSignatureCookieTransform::create({*test_key().public_only()});
  const Bytes good = h(kSignedHello);
  Bytes payload = good;
  payload.back() ^= 0x01;
  EXPECT_EQ(error_of(t.decode(payload)), "RsaSignature: signature does not verify (RSA PKCS#1 v1.5 SHA-256, 1 key(s) tried)");
  Bytes sig = good;
  sig[10] ^= 0x80;
  EXPECT_EQ(error_of(t.decode(sig)).rfind("RsaSignature: signature does not verify", 0), 0u);
  Bytes negative = good;
  negative[3] = 0x80;
  EXPECT_EQ(error_of(t.decode(negative)), "RsaSignature: signature length is negative (-2147483520)");
  Bytes no_payload = h("04000000aabbccdd");
  EXPECT_EQ(error_of(t.decode(no_payload)), "RsaSignature: signature length 4 leaves no payload in 8 bytes");
  EXPECT_EQ(error_of(t.decode(h("0400"))), "RsaSignature: input shorter than the 4-byte signature length");
  // Big-endian length (what WIF's source comment claims) is not what WIF writes.
  Bytes big_endian = good;
  big_endian[0] = 0, big_endian[3] = 0x80;
  EXPECT_EQ(error_of(t.decode(big_endian)), "RsaSignature: signature length is negative (-2147483648)");
}

TEST(RsaSignature, AnyConfiguredKeyVerifiesAndSigningNeedsAPrivateKey) {
  auto other = *crypto::RsaKey::generate(1024);
  auto both = *RsaSignatureCookieTransform::create({other, *test_key().public_only()});
  EXPECT_EQ(to_string(*both.decode(h(kSignedHello))), "hello");
  auto wrong = *RsaSignatureCookieTransform::create({other});
  EXPECT_EQ(error_of(wrong.decode(h(kSignedHello))).rfind("RsaSignature: signature does not verify", 0), 0u);
  auto public_only = *RsaSignatureCookieTransform::create({*test_key().public_only()});
  EXPECT_EQ(error_of(public_only.encode(as_bytes("x"))), "RsaSignature: signing needs a private key");
  EXPECT_FALSE(RsaSignatureCookieTransform::create({}).ok());
}

TEST(RsaEncryption, DecodesTheReferenceBlob) {
  auto t = RsaEncryptionCookieTransform::create({test_key()});
  ASSERT_TRUE(t.ok());
  auto out = t->decode(h(kEncryptedHello));
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(to_string(*out), "hello");
}

TEST(RsaEncryption, LayoutOfWhatParleyWrites) {
  auto encryptor = *RsaEncryptionCookieTransform::create({*test_key().public_only()});
  auto blob = encryptor.encode_with(as_bytes("hello"), range_bytes(0x20, 32), range_bytes(0x60, 16));
  ASSERT_TRUE(blob.ok()) << blob.error().message();
  ASSERT_EQ(blob->size(), 32u + 4 + 128 + 4 + 16);
  EXPECT_EQ(hex_encode(ByteView(*blob).first(32)), "d039d365d3f37e11963d22fa9960fe29ce18e8dd200f7490b7357b386f2b28c3");
  EXPECT_EQ(hex_encode(ByteView(*blob).subspan(32, 4)), "80000000");
  EXPECT_EQ(hex_encode(ByteView(*blob).subspan(164, 4)), "10000000");
  // The AES part is deterministic given key and IV: same bytes as the reference blob.
  EXPECT_EQ(hex_encode(ByteView(*blob).subspan(168)), "6221eea906e528f28ba815f40b3bfab4");
  auto decryptor = *RsaEncryptionCookieTransform::create({test_key()});
  EXPECT_EQ(to_string(*decryptor.decode(*blob)), "hello");
  // Random key and IV by default: two encodings differ and both decode.
  auto a = *encryptor.encode(as_bytes("hello"));
  auto b = *encryptor.encode(as_bytes("hello"));
  EXPECT_NE(a, b);
  EXPECT_EQ(to_string(*decryptor.decode(a)), "hello");
  // Only a private key decrypts.
  EXPECT_EQ(error_of(encryptor.decode(a)), "RsaEncryption: the matching key has no private part");
}

TEST(RsaEncryption, TamperingIsRefused) {
  auto t = *RsaEncryptionCookieTransform::create({test_key()});
  const Bytes good = h(kEncryptedHello);
  Bytes hash = good;
  hash[0] ^= 0x01;
  EXPECT_EQ(error_of(t.decode(hash)),
            "RsaEncryption: no decryption key matches the key hash "
            "d139d365d3f37e11963d22fa9960fe29ce18e8dd200f7490b7357b386f2b28c3 (1 key(s) configured)");
  Bytes wrapped = good;
  wrapped[40] ^= 0x01;
  EXPECT_EQ(error_of(t.decode(wrapped)), "RsaEncryption: RSA-OAEP decryption of the AES key and IV failed");
  Bytes ciphertext = good;
  ciphertext.back() ^= 0x01;
  EXPECT_EQ(error_of(t.decode(ciphertext)).rfind("RsaEncryption: AES-256-CBC decryption failed", 0), 0u);
  Bytes huge = good;
  huge[35] = 0x7f;
  EXPECT_EQ(error_of(t.decode(huge)), "RsaEncryption: encrypted key length 2130706560 exceeds the 148 bytes that remain");
  Bytes negative = good;
  negative[35] = 0xff;
  EXPECT_EQ(error_of(t.decode(negative)), "RsaEncryption: encrypted key length is negative (-16777088)");
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(error_of(t.decode(trailing)), "RsaEncryption: 1 bytes follow the ciphertext");
  EXPECT_EQ(error_of(t.decode(ByteView(good).first(20))),
            "RsaEncryption: input of 20 bytes is shorter than the 32-byte key hash");
  EXPECT_EQ(error_of(t.decode(ByteView(good).first(34))),
            "RsaEncryption: truncated before the length of the encrypted key (offset 32)");
  EXPECT_EQ(error_of(t.decode(ByteView(good).first(good.size() - 1))),
            "RsaEncryption: ciphertext length 16 exceeds the 15 bytes that remain");
}

TEST(RsaEncryption, SecondKeyOfTheRingDecrypts) {
  auto other = *crypto::RsaKey::generate(1024);
  auto ring = *RsaEncryptionCookieTransform::create({other, test_key()});
  EXPECT_EQ(to_string(*ring.decode(h(kEncryptedHello))), "hello");
  EXPECT_FALSE(RsaEncryptionCookieTransform::create({}).ok());
}

// --- MachineKey --------------------------------------------------------------------------------

TEST(MachineKeyTransform, IsMachineKeyProtectWithTheWifPurpose) {
  MachineKeyConfig config{range_bytes(0, 32), range_bytes(0, 64), MachineKeyValidation::kHmacSha256};
  auto t = MachineKeyCookieTransform::create(config);
  ASSERT_TRUE(t.ok());
  t->set_fixed_iv(range_bytes(0x80, 16));
  const std::string expected =
      "808182838485868788898a8b8c8d8e8f370ff1c4fda580a9b63d024d5e3dd2ad"
      "9a86c6869f644f19525f72d2b1c5b7f9ac954eb4e1f27268e26ea0f842b8614d";
  EXPECT_EQ(hex_encode(*t->encode(as_bytes("hello"))), expected);
  EXPECT_EQ(to_string(*t->decode(h(expected))), "hello");
  Bytes bad = h(expected);
  bad[20] ^= 1;
  EXPECT_EQ(error_of(t->decode(bad)).rfind("MachineKey: HMAC mismatch", 0), 0u);
  EXPECT_EQ(error_of(t->encode(Bytes{})), "MachineKey: refusing an empty value (WIF does too)");
}

// --- AEAD --------------------------------------------------------------------------------------

AeadCookieTransform aead(std::vector<AeadKey> keys) {
  auto t = AeadCookieTransform::create(std::move(keys));
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message());
  t->set_nonce_source([] { return Result<Bytes>(range_bytes(0xa0, 12)); });
  return std::move(*t);
}

const AeadKey kK1{"k1", range_bytes(0x40, 32)};
const AeadKey kK2{"k2", range_bytes(0x60, 32)};
constexpr const char* kAeadHelloK1 = "01026b31a0a1a2a3a4a5a6a7a8a9aaabbfea6a538d421423de53755cffb4713fe2439df965";

TEST(Aead, KnownAnswerLayout) {
  auto t = aead({kK1});
  EXPECT_EQ(hex_encode(*t.encode(as_bytes("hello"))), kAeadHelloK1);
  EXPECT_EQ(to_string(*t.decode(h(kAeadHelloK1))), "hello");
}

TEST(Aead, KeyRotationNewestEncodesOldStillDecodes) {
  auto rotated = aead({kK1, kK2});
  EXPECT_EQ(rotated.current_key_id(), "k2");
  auto fresh = *rotated.encode(as_bytes("hello"));
  EXPECT_EQ(hex_encode(ByteView(fresh).first(4)), "01026b32");  // "k2"
  EXPECT_EQ(to_string(*rotated.decode(h(kAeadHelloK1))), "hello");
  EXPECT_EQ(to_string(*rotated.decode(fresh)), "hello");
  auto retired = aead({kK2});
  EXPECT_EQ(error_of(retired.decode(h(kAeadHelloK1))), "Aead: unknown key id 'k1' (key ring: k2)");
  // Random nonces by default.
  auto random = *AeadCookieTransform::create({kK1});
  EXPECT_NE(*random.encode(as_bytes("hello")), *random.encode(as_bytes("hello")));
}

TEST(Aead, TamperingIsRefused) {
  auto t = aead({kK1, kK2});
  const Bytes good = h(kAeadHelloK1);
  for (std::size_t i = 4; i < good.size(); ++i) {  // nonce, ciphertext, tag
    Bytes bad = good;
    bad[i] ^= 0x01;
    EXPECT_EQ(error_of(t.decode(bad)), "Aead: authentication tag mismatch under key 'k1' (wrong key or tampered cookie)")
        << "byte " << i;
  }
  Bytes relabelled = good;
  relabelled[3] = '2';  // claims k2: the header is authenticated, and k2 is the wrong key anyway
  EXPECT_EQ(error_of(t.decode(relabelled)), "Aead: authentication tag mismatch under key 'k2' (wrong key or tampered cookie)");
  Bytes version = good;
  version[0] = 0x02;
  EXPECT_EQ(error_of(t.decode(version)), "Aead: unknown format version 0x02 (expected 0x01)");
  EXPECT_EQ(error_of(t.decode(h("0100"))), "Aead: missing or empty key id");
  EXPECT_EQ(error_of(t.decode(ByteView(good).first(20))),
            "Aead: input of 20 bytes is shorter than header (4) + nonce (12) + tag (16)");
}

TEST(Aead, KeyRingIsValidated) {
  EXPECT_EQ(AeadCookieTransform::create({}).error().message(), "Aead: the key ring is empty");
  EXPECT_EQ(AeadCookieTransform::create({{"k1", Bytes(16, 1)}}).error().message(),
            "Aead: key 'k1' must be 32 bytes (AES-256), got 16");
  EXPECT_EQ(AeadCookieTransform::create({kK1, kK1}).error().message(), "Aead: key id 'k1' appears twice");
  EXPECT_EQ(AeadCookieTransform::create({{"a b", Bytes(32, 1)}}).error().message(),
            "Aead: key id 'a b' must be printable ASCII without spaces");
  EXPECT_EQ(AeadCookieTransform::create({{"", Bytes(32, 1)}}).error().message(),
            "Aead: key id must be 1..255 bytes, got 0");
}

// --- pipeline ----------------------------------------------------------------------------------

TEST(Pipeline, EncodesInOrderDecodesInReverse) {
  CookieTransformPipeline pipeline;
  pipeline.add(std::make_shared<DeflateCookieTransform>())
      .add(std::make_shared<RsaEncryptionCookieTransform>(*RsaEncryptionCookieTransform::create({test_key()})))
      .add(std::make_shared<RsaSignatureCookieTransform>(*RsaSignatureCookieTransform::create({test_key()})));
  EXPECT_EQ(pipeline.names(), (std::vector<std::string>{"Deflate", "RsaEncryption", "RsaSignature"}));
  const std::string token(3000, 't');
  auto cookie = pipeline.encode(as_bytes(token));
  ASSERT_TRUE(cookie.ok()) << cookie.error().message();
  // The outermost layer is the signature: int32 LE 128, then the signature.
  EXPECT_EQ(hex_encode(ByteView(*cookie).first(4)), "80000000");
  auto back = pipeline.decode(*cookie);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(to_string(*back), token);

  // The first transform to fail on decode (the outermost) reports the error unchanged.
  Bytes tampered = *cookie;
  tampered.back() ^= 1;
  EXPECT_EQ(error_of(pipeline.decode(tampered)).rfind("RsaSignature: signature does not verify", 0), 0u);
}

TEST(Pipeline, DeflateThenMachineKeyAsWifWebFarms) {
  MachineKeyConfig config{range_bytes(0, 32), range_bytes(0, 64), MachineKeyValidation::kHmacSha256};
  CookieTransformPipeline pipeline;
  pipeline.add(std::make_shared<DeflateCookieTransform>())
      .add(std::make_shared<MachineKeyCookieTransform>(*MachineKeyCookieTransform::create(config)));
  auto cookie = pipeline.encode(as_bytes("hello hello hello hello"));
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(to_string(*pipeline.decode(*cookie)), "hello hello hello hello");
  // Decoding a MachineKey blob whose plaintext is not DEFLATE fails in Deflate, after MachineKey.
  CookieTransformPipeline machine_key_only;
  machine_key_only.add(std::make_shared<MachineKeyCookieTransform>(*MachineKeyCookieTransform::create(config)));
  auto not_deflate = machine_key_only.encode(h("07"));
  EXPECT_EQ(error_of(pipeline.decode(*not_deflate)), "Deflate: not a valid raw DEFLATE stream (invalid block type)");
  EXPECT_TRUE(CookieTransformPipeline().empty());
  EXPECT_EQ(to_string(*CookieTransformPipeline().decode(as_bytes("x"))), "x");
}

}  // namespace
}  // namespace parley::wif
