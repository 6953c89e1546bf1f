#include "harness/report/report_signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/core/crypto.h"

namespace parley::report {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string pem_of(EVP_PKEY* key, bool private_part) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_part) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair generate(const char* type) {
  EVP_PKEY* key = std::string(type) == "EC" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                  : std::string(type) == "RSA" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                                               : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  KeyPair kp{pem_of(key, true), pem_of(key, false)};
  EVP_PKEY_free(key);
  return kp;
}

class ReportSignature : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("parley-sig-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(dir_);
    write(dir_ / "report.json", "{\"schema\": \"parley-report/1\"}\n");
    write(dir_ / "index.html", "<!DOCTYPE html>\n");
    write(dir_ / "sub" / "b.txt", "b\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> problems(const std::string& key_pem) {
    auto v = verify_report(dir_.string(), key_pem);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message());
    EXPECT_EQ(v->intact, v->problems.empty());
    return v->problems;
  }

  fs::path dir_;
};

TEST_P(ReportSignature, DetectsEveryKindOfTampering) {
  const KeyPair kp = generate(GetParam());
  ASSERT_TRUE(sign_report(dir_.string(), kp.private_pem).ok());
  const std::string manifest = *report_manifest(dir_.string());
  EXPECT_EQ(manifest.substr(0, manifest.find('\n')), "parley-report-manifest/1");
  EXPECT_NE(manifest.find("  index.html\n"), std::string::npos);
  EXPECT_LT(manifest.find("  index.html\n"), manifest.find("  report.json\n"));  // sorted by path
  EXPECT_NE(manifest.find("  sub/b.txt\n"), std::string::npos);
  EXPECT_EQ(manifest.find("report.sig"), std::string::npos);
  EXPECT_TRUE(problems(kp.public_pem).empty());
  EXPECT_TRUE(problems(kp.private_pem).empty());  // its public half

  write(dir_ / "index.html", "<!DOCTYPE html>\n<!-- edited -->\n");
  EXPECT_EQ(problems(kp.public_pem), std::vector<std::string>{"changed: index.html"});
  write(dir_ / "index.html", "<!DOCTYPE html>\n");
  write(dir_ / "extra.txt", "x");
  EXPECT_EQ(problems(kp.public_pem), std::vector<std::string>{"added: extra.txt"});
  fs::remove(dir_ / "extra.txt");
  fs::remove(dir_ / "sub" / "b.txt");
  EXPECT_EQ(problems(kp.public_pem), std::vector<std::string>{"removed: sub/b.txt"});
  write(dir_ / "sub" / "b.txt", "b\n");
  EXPECT_TRUE(problems(kp.public_pem).empty());

  // Another signer's key, and a manifest edited to match an edited file.
  const KeyPair other = generate(GetParam());
  ASSERT_EQ(problems(other.public_pem).size(), 1u);
  EXPECT_NE(problems(other.public_pem)[0].find("does not verify with the key given"), std::string::npos);
  auto sig = nlohmann::json::parse(read(dir_ / "report.sig"));
  std::string m = sig["manifest"];
  m.replace(0, 64, std::string(64, '0'));
  m[m.find('\n') + 1] = '0';
  sig["manifest"] = m;
  write(dir_ / "report.sig", sig.dump());
  ASSERT_EQ(problems(kp.public_pem).size(), 1u);
  EXPECT_NE(problems(kp.public_pem)[0].find("does not verify"), std::string::npos);
  write(dir_ / "report.sig", "garbage");
  EXPECT_EQ(problems(kp.public_pem), std::vector<std::string>{"changed: report.sig (not a parley-report-signature/1 document)"});
  fs::remove(dir_ / "report.sig");
  EXPECT_EQ(problems(kp.public_pem), std::vector<std::string>{"missing: report.sig (the directory is not signed)"});
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, ReportSignature, ::testing::Values("RSA", "EC", "ED25519"));

TEST(ReportSignatureKeys, WrongKeyTypeAndUnusableKeysAreErrors) {
  const KeyPair rsa = generate("RSA");
  const KeyPair ec = generate("EC");
  const fs::path dir = fs::temp_directory_path() / ("parley-sig-keys-" + std::to_string(::getpid()));
  write(dir / "report.json", "{}");
  ASSERT_TRUE(sign_report(dir.string(), rsa.private_pem).ok());
  auto v = verify_report(dir.string(), ec.public_pem);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->problems, std::vector<std::string>{"signature: made with rsa-pkcs1-sha256, the key given is for ecdsa-sha256"});
  EXPECT_FALSE(verify_report(dir.string(), "not a key").ok());
  EXPECT_FALSE(sign_report(dir.string(), rsa.public_pem).ok());  // a public key cannot sign
  fs::create_symlink("report.json", dir / "link.json");
  auto s = sign_report(dir.string(), rsa.private_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("symbolic link"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace parley::report
