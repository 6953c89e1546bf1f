#include "harness/core/x509.h"

#include <gtest/gtest.h>

#include "harness/core/x509_test_support.h"

namespace parley::x509 {
namespace {

const testing::TestPki& pki() {
  static const testing::TestPki p = testing::TestPki::make();
  return p;
}

Certificate cert(const std::string& pem) {
  auto c = Certificate::from_pem(pem);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  return *c;
}

TEST(Certificate, PemAndDerRoundTripWithSubjectAndThumbprint) {
  ASSERT_TRUE(pki().ok());
  Certificate c = cert(pki().client.certificate);
  EXPECT_EQ(c.subject(), "CN=parley test client");
  EXPECT_GT(c.der().size(), 500u);
  EXPECT_EQ(c.der()[0], 0x30);  // SEQUENCE
  auto again = Certificate::from_der(c.der());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->der(), c.der());
  auto sha1 = crypto::sha1(c.der());
  ASSERT_TRUE(sha1.ok());
  EXPECT_EQ(c.thumbprint_sha1(), *sha1);
  EXPECT_EQ(c.thumbprint_sha1().size(), 20u);
  auto key = c.public_key();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->bits(), 2048);
  EXPECT_FALSE(key->has_private());
}

TEST(Certificate, HostileInputIsRefused) {
  EXPECT_EQ(Certificate::from_der(Bytes{}).error().code(), ErrorCode::kParse);
  EXPECT_EQ(Certificate::from_der(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}).error().code(), ErrorCode::kParse);
  EXPECT_EQ(Certificate::from_der(Bytes(kMaxCertificateBytes + 1, 0x30)).error().code(), ErrorCode::kLimitExceeded);
  Bytes trailing = cert(pki().client.certificate).der();
  trailing.push_back(0);
  auto t = Certificate::from_der(trailing);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("trailing"), std::string::npos);
  EXPECT_EQ(Certificate::from_pem("hello").error().code(), ErrorCode::kParse);
}

TEST(TrustStore, ChainsToTheAnchorAndRefusesOthersWithTheReason) {
  auto store = TrustStore::from_pem(pki().ca.certificate);
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_EQ(store->size(), 1u);
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(store->verify(cert(pki().client.certificate), now).ok());

  Status untrusted = store->verify(cert(pki().untrusted_client.certificate), now);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code(), ErrorCode::kVerification);
  EXPECT_NE(untrusted.error().message().find("unable to get local issuer certificate"), std::string::npos)
      << untrusted.error().message();
  EXPECT_FALSE(TrustStore::is_validity_error(untrusted.error()));

  Status expired = store->verify(cert(pki().expired_client.certificate), now);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message().find("certificate has expired"), std::string::npos);
  EXPECT_NE(expired.error().message().find("CN=parley expired client"), std::string::npos);
  EXPECT_TRUE(TrustStore::is_validity_error(expired.error()));

  // The verification time is the caller's: the good certificate is expired 60 days on.
  Status later = store->verify(cert(pki().client.certificate), now + std::chrono::hours(24 * 60));
  ASSERT_FALSE(later.ok());
  EXPECT_TRUE(TrustStore::is_validity_error(later.error()));
  EXPECT_TRUE(store->verify(cert(pki().expired_client.certificate), now - std::chrono::hours(24 * 10)).ok());
}

TEST(TrustStore, SeveralAnchorsAndGarbage) {
  auto both = TrustStore::from_pem(pki().ca.certificate + pki().untrusted_ca.certificate);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);
  EXPECT_TRUE(both->verify(cert(pki().untrusted_client.certificate), std::chrono::system_clock::now()).ok());
  EXPECT_EQ(TrustStore::from_pem("no pem here").error().code(), ErrorCode::kParse);
}

TEST(Credentials, KeyMustMatchTheCertificate) {
  auto ok = Credentials::from_pem(pki().client.certificate, pki().client.private_key);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_TRUE(ok->private_key.has_private());
  auto wrong = Credentials::from_pem(pki().client.certificate, pki().server.private_key);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("does not belong to certificate 'CN=parley test client'"), std::string::npos);
  auto not_private = Credentials::from_pem(pki().client.certificate, pki().client.certificate);
  EXPECT_FALSE(not_private.ok());
}

}  // namespace
}  // namespace parley::x509
