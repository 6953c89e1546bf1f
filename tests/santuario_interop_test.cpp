// Signatures made by harness/core verify with Apache Santuario Java, and signatures Santuario
// makes verify with harness/core (an independent implementation: no shared code, other
// language, other C14N engine). Real processes: scripts/santuario runs a JVM.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "tests/command.h"

namespace parley {
namespace {

const std::filesystem::path kRoot = PARLEY_SOURCE_DIR;

constexpr std::string_view kEnvelope = R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Header><a:Action s:mustUnderstand="1" u:Id="_2">urn:example:Echo</a:Action><o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:mustUnderstand="1"><u:Timestamp u:Id="_0"><u:Created>2026-11-21T10:00:00.000Z</u:Created><u:Expires>2026-11-21T10:05:00.000Z</u:Expires></u:Timestamp></o:Security></s:Header><s:Body u:Id="_1"><e:Echo xmlns:e="urn:example">hi &amp; bye</e:Echo></s:Body></s:Envelope>)";

using test_support::CommandResult;
using test_support::run_command;

std::string santuario(const std::string& args) {
  return (kRoot / "scripts" / "santuario").string() + " " + args;
}

class SantuarioInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(xmlsec::initialize().ok());
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("parley-santuario-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, std::string_view text) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Signs Body, Timestamp and Action with harness/core; returns the serialized document.
  std::string sign_with_parley(const xmlsec::SignatureKey& key, xmlsec::SignatureMethod method,
                               xmlsec::DigestMethod digest) {
    auto doc = xml::parse(kEnvelope);
    EXPECT_TRUE(doc.ok());
    auto security = xml::xpath_one(*doc, "/s12:Envelope/s12:Header/wsse:Security");
    EXPECT_TRUE(security.ok()) << security.error().message();
    xmlsec::SignOptions options;
    options.method = method;
    options.digest = digest;
    options.reference_ids = {"_0", "_1", "_2"};
    auto sig = xmlsec::sign(*doc, *security, options, key);
    EXPECT_TRUE(sig.ok()) << sig.error().message();
    return xml::serialize(*doc);
  }

  std::filesystem::path dir_;
};

const Bytes kHmacKey = *hex_decode("00112233445566778899aabbccddeeff0001020304050607");  // has zero bytes

TEST_F(SantuarioInterop, ParleyHmacSha1SignatureVerifiesInSantuario) {
  std::string signed_doc = sign_with_parley(xmlsec::SignatureKey::hmac(kHmacKey),
                                            xmlsec::SignatureMethod::kHmacSha1, xmlsec::DigestMethod::kSha1);
  std::string file = write("signed.xml", signed_doc);
  auto ok = run_command(santuario("verify --hmac-key " + hex_encode(kHmacKey) + " " + file));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("#_0"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("#_1"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("#_2"), std::string::npos) << ok.output;

  // The same document with another key must fail in Santuario too (the check can fail).
  Bytes other = kHmacKey;
  other[0] ^= 1;
  auto bad = run_command(santuario("verify --hmac-key " + hex_encode(other) + " " + file));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
}

TEST_F(SantuarioInterop, ParleyRsaSha256SignatureVerifiesInSantuario) {
  auto rsa = crypto::RsaKey::generate(2048);
  ASSERT_TRUE(rsa.ok());
  std::string signed_doc = sign_with_parley(xmlsec::SignatureKey::rsa(*rsa),
                                            xmlsec::SignatureMethod::kRsaSha256, xmlsec::DigestMethod::kSha256);
  std::string pem = write("pub.pem", *rsa->public_pem());
  auto ok = run_command(santuario("verify --public-key-pem " + pem + " " + write("signed.xml", signed_doc)));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST_F(SantuarioInterop, SantuarioHmacSignatureVerifiesInParleyAndTamperingFails) {
  std::string in = write("in.xml", kEnvelope);
  std::string out = (dir_ / "out.xml").string();
  auto signed_run = run_command(santuario("sign-hmac --key " + hex_encode(kHmacKey) +
                                  " --alg hmac-sha1 --ids \"_0 _1\" --parent-xpath-localname Security " + in + " " + out));
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.output;
  std::string signed_doc = read(out);

  auto doc = xml::parse(signed_doc);
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  auto sig = xml::xpath_one(*doc, "//ds:Signature");
  ASSERT_TRUE(sig.ok());
  auto v = xmlsec::verify(*doc, *sig, xmlsec::SignatureKey::hmac(kHmacKey));
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->references.size(), 2u);
  EXPECT_EQ(v->references[0].uri, "#_0");
  EXPECT_EQ(xml::local_name(v->references[0].element), "Timestamp");
  EXPECT_EQ(v->references[1].uri, "#_1");
  EXPECT_EQ(xml::local_name(v->references[1].element), "Body");

  // Change the body text after signing: parley must refuse.
  std::string tampered = signed_doc;
  auto at = tampered.find("hi &amp; bye");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, 2, "HI");
  auto tdoc = xml::parse(tampered);
  ASSERT_TRUE(tdoc.ok());
  auto tsig = xml::xpath_one(*tdoc, "//ds:Signature");
  ASSERT_TRUE(tsig.ok());
  auto tv = xmlsec::verify(*tdoc, *tsig, xmlsec::SignatureKey::hmac(kHmacKey));
  ASSERT_FALSE(tv.ok());
  EXPECT_EQ(tv.error().code(), ErrorCode::kVerification) << tv.error().message();
}

TEST_F(SantuarioInterop, SantuarioRsaSignatureVerifiesInParley) {
  auto rsa = crypto::RsaKey::generate(2048);
  ASSERT_TRUE(rsa.ok());
  std::string key_file = write("key.pem", *rsa->private_pem());
  std::string in = write("in.xml", kEnvelope);
  std::string out = (dir_ / "out.xml").string();
  auto signed_run = run_command(santuario("sign-rsa --key-pem " + key_file + " --alg rsa-sha256 --ids \"_1\" " +
                                  "--parent-xpath-localname Security " + in + " " + out));
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.output;
  auto doc = xml::parse(read(out));
  ASSERT_TRUE(doc.ok());
  auto sig = xml::xpath_one(*doc, "//ds:Signature");
  ASSERT_TRUE(sig.ok());
  auto pub = rsa->public_only();
  auto v = xmlsec::verify(*doc, *sig, xmlsec::SignatureKey::rsa(*pub));
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->references.size(), 1u);
  EXPECT_EQ(xml::local_name(v->references[0].element), "Body");
  // An unrelated RSA key must not verify it.
  auto other = crypto::RsaKey::generate(2048);
  EXPECT_FALSE(xmlsec::verify(*doc, *sig, xmlsec::SignatureKey::rsa(*other)).ok());
}

TEST_F(SantuarioInterop, ExclusiveC14nAgreesOnAWholeEnvelopeAndEachPart) {
  auto doc = xml::parse(kEnvelope);
  ASSERT_TRUE(doc.ok());
  std::string file = write("env.xml", kEnvelope);
  for (const char* id : {"_0", "_1", "_2"}) {
    auto node = xml::find_by_id(*doc, id);
    ASSERT_TRUE(node.ok());
    xml::C14nOptions options;
    auto ours = xml::canonicalize(*doc, *node, options);
    ASSERT_TRUE(ours.ok());
    auto theirs = run_command(santuario(std::string("c14n --method exclusive --id ") + id + " " + file));
    ASSERT_EQ(theirs.exit_code, 0) << theirs.output;
    EXPECT_EQ(*ours, theirs.output) << id;
  }
}

}  // namespace
}  // namespace parley
