// The side-by-side benchmark messages (bench/sbs_messages.h, scripts/bench-sbs) are messages
// both sides accept: parley's open_envelope and Apache WSS4J 1.6 (scripts/wss4j verify, a real
// JVM) verify every signed and signed + encrypted file, with the context key the generator
// writes out, and find the Body it was given. What sbs_bench's signer makes from the unsecured
// files is accepted by WSS4J, and what WSS4J's signer makes from them by parley, so both sides
// time work that succeeds.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bench/sbs_messages.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"
#include "harness/wssc/envelope.h"
#include "tests/command.h"

namespace parley::bench {
namespace {

const std::filesystem::path kRoot = PARLEY_SOURCE_DIR;

using test_support::CommandResult;
using test_support::run_command;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult wss4j_verify(const std::filesystem::path& file) {
  return run_command((kRoot / "scripts" / "wss4j").string() + " verify --sct-id " + std::string(kSbsIdentifier) +
             " --key " + std::string(kSbsKeyHex) + " " + file.string());
}

std::vector<std::string> lines_with(const std::string& output, std::string_view tag) {
  std::vector<std::string> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(std::string(tag) + " ", 0) == 0) out.push_back(line);
  }
  return out;
}

class SbsMessages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(xmlsec::initialize().ok());
    dir_ = std::filesystem::temp_directory_path() / ("parley-sbs-" + std::to_string(getpid()));
    SbsOptions o;
    o.cold_messages = 3;
    auto written = write_sbs_messages(dir_, o);
    ASSERT_TRUE(written.ok()) << written.error().message();
    set_ = new SbsSet(std::move(*written));
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
    std::filesystem::remove_all(dir_);
  }
  static std::filesystem::path dir_;
  static SbsSet* set_;
};
std::filesystem::path SbsMessages::dir_;
SbsSet* SbsMessages::set_ = nullptr;

// parley opens the file and finds the Body the generator was given.
void expect_parley_opens(const std::filesystem::path& file, std::size_t body_bytes, bool encrypted) {
  SCOPED_TRACE(file.string());
  auto doc = xml::parse(read_file(file));
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  wssc::SingleContextResolver resolver(sbs_context());
  auto opened = wssc::open_envelope(*doc, resolver);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_TRUE(opened->signed_with_derived_key);
  EXPECT_EQ(opened->body_was_encrypted, encrypted);
  EXPECT_EQ(opened->context.sct.identifier, kSbsIdentifier);
  EXPECT_EQ(opened->dkts.size(), encrypted ? 2u : 1u);
  ASSERT_NE(opened->envelope.body_child, nullptr);
  EXPECT_EQ(*xml::canonicalize(opened->envelope.body_child), sbs_body(body_bytes));
}

// WSS4J verifies the file (HMAC-SHA1 over Timestamp, Body, Action, To; decrypts with AES-256)
// and its Body is the generator's.
void expect_wss4j_accepts(const std::filesystem::path& file, std::size_t body_bytes, bool encrypted) {
  SCOPED_TRACE(file.string());
  auto result = wss4j_verify(file);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto signs = lines_with(result.output, "SIGN");
  ASSERT_EQ(signs.size(), 1u) << result.output;
  for (const char* part : {"#hmac-sha1 ", "=Timestamp", "=Body", "=Action", "=To"}) {
    EXPECT_NE(signs[0].find(part), std::string::npos) << part << ": " << signs[0];
  }
  EXPECT_EQ(lines_with(result.output, "DKT").size(), encrypted ? 2u : 1u) << result.output;
  auto encs = lines_with(result.output, "ENCR");
  ASSERT_EQ(encs.size(), encrypted ? 1u : 0u) << result.output;
  if (encrypted) {
    EXPECT_NE(encs[0].find("=Body(content) http://www.w3.org/2001/04/xmlenc#aes256-cbc"), std::string::npos) << encs[0];
  }
  EXPECT_EQ(lines_with(result.output, "BODY"), std::vector<std::string>{"BODY " + sbs_body(body_bytes)});
}

TEST_F(SbsMessages, TheSetIsWhatTheManifestSays) {
  ASSERT_EQ(set_->messages.size(), 2u);
  EXPECT_EQ(set_->messages[0].size_name, "1k");
  EXPECT_EQ(set_->messages[1].size_name, "64k");
  EXPECT_EQ(sbs_body(1024).size(), 1024u);
  auto manifest = nlohmann::json::parse(read_file(set_->context_json));
  EXPECT_EQ(manifest["identifier"], kSbsIdentifier);
  EXPECT_EQ(manifest["key_hex"], kSbsKeyHex);
  EXPECT_EQ(manifest["messages"][1]["signed"], "signed-64k.xml");
  EXPECT_EQ(manifest["cold"]["count"], 3);
  EXPECT_EQ(set_->cold.size(), 3u);
  // The unsecured file is the signed one without its Security header: same addressing headers
  // (Action, MessageID, ReplyTo, To, each with a wsu:Id), no wsse:Security.
  for (const SbsMessage& m : set_->messages) {
    auto unsecured = xml::parse(read_file(m.unsecured));
    ASSERT_TRUE(unsecured.ok());
    EXPECT_EQ(wssc::security_header(*unsecured, false), nullptr);
    EXPECT_EQ(header_ids(*unsecured).size(), 4u);
  }
  const std::string keys = read_file(set_->keys_toml);
  EXPECT_NE(keys.find("key = \"" + std::string(kSbsKeyHex) + "\""), std::string::npos) << keys;
}

TEST_F(SbsMessages, ParleyOpensEveryMessage) {
  for (const SbsMessage& m : set_->messages) {
    expect_parley_opens(m.signed_only, m.body_bytes, false);
    expect_parley_opens(m.encrypted, m.body_bytes, true);
  }
  for (const auto& cold : set_->cold) expect_parley_opens(cold, 1024, false);
}

TEST_F(SbsMessages, Wss4jAcceptsEveryMessage) {
  for (const SbsMessage& m : set_->messages) {
    expect_wss4j_accepts(m.signed_only, m.body_bytes, false);
    expect_wss4j_accepts(m.encrypted, m.body_bytes, true);
  }
  expect_wss4j_accepts(set_->cold.front(), 1024, false);
}

// What sbs_bench's signer times (parse the unsecured file, secure_envelope over the header ids,
// serialize) is a message WSS4J and parley accept.
TEST_F(SbsMessages, TheBenchSignerProducesAcceptedMessages) {
  const SbsMessage& m = set_->messages.front();
  auto doc = xml::parse(read_file(m.unsecured));
  ASSERT_TRUE(doc.ok());
  auto info = wssc::secure_envelope(*doc, sbs_context(), sbs_protect_options(true), header_ids(*doc));
  ASSERT_TRUE(info.ok()) << info.error().message();
  const auto file = dir_ / "bench-signed.xml";
  std::ofstream(file, std::ios::binary) << xml::serialize(*doc);
  expect_parley_opens(file, m.body_bytes, true);
  expect_wss4j_accepts(file, m.body_bytes, true);
}

// And the other way: what Wss4jBench's signer times (Wss4jShim's protectDocument, through
// `scripts/wss4j protect`) from the same unsecured file opens in parley.
TEST_F(SbsMessages, Wss4jProtectedBenchInputOpensInParley) {
  const SbsMessage& m = set_->messages.front();
  for (bool encrypt : {false, true}) {
    SCOPED_TRACE(encrypt ? "signed and encrypted" : "signed");
    const auto out = dir_ / (encrypt ? "wss4j-encrypted.xml" : "wss4j-signed.xml");
    auto result = run_command((kRoot / "scripts" / "wss4j").string() + " protect --sct-id " + std::string(kSbsIdentifier) +
                      " --key " + std::string(kSbsKeyHex) + " --version " + std::string(kSbsShimVersion) +
                      (encrypt ? " --encrypt " : " ") + m.unsecured.string() + " " + out.string());
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_parley_opens(out, m.body_bytes, encrypt);
  }
}

}  // namespace
}  // namespace parley::bench
