// Passive checks through the engine's analyze_inputs over the committed recordings, and the
// --keys file.
#include <gtest/gtest.h>

#include <filesystem>

#include "suites/passive/passive.h"

namespace parley::suites {
namespace {

std::string recording(const std::string& rel) {
  return (std::filesystem::path(PARLEY_SOURCE_DIR) / "vectors" / "recordings" / rel).string();
}

const engine::CaseResult& result(const engine::AnalyzeResult& r, std::string_view id) {
  for (const auto& c : r.run.results) {
    if (c.test_case->info.id == id) return c;
  }
  throw std::runtime_error("no result for " + std::string(id));
}

engine::AnalyzeResult analyze(const std::vector<std::string>& inputs, const engine::AnalysisKeys* keys = nullptr) {
  // Results point at the registry's cases: it outlives them.
  static const engine::Registry registry = [] {
    engine::Registry reg;
    EXPECT_TRUE(register_passive(reg).ok());
    return reg;
  }();
  engine::AnalyzeOptions options;
  options.settings.keys = keys;
  return engine::analyze_inputs(registry, inputs, options);
}

TEST(PassiveChecks, TheDefaultOracleRecordingPassesAndItsSignaturesVerify) {
  auto r = analyze({recording("oracle/default.jsonl")});
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].exchanges, 5u);
  EXPECT_TRUE(r.inputs[0].errors.empty());
  EXPECT_EQ(r.run.summary.exit_code, 0);
  EXPECT_EQ(r.run.summary.counts[static_cast<int>(engine::Verdict::kFail)], 0u);
  const auto& verify = result(r, "passive/wssc/signature-verify");
  EXPECT_EQ(verify.verdict, engine::Verdict::kPass) << verify.reason;
  EXPECT_NE(verify.reason.find("8 signature(s) verified"), std::string::npos) << verify.reason;
  ASSERT_FALSE(verify.evidence.notes.empty());
  EXPECT_NE(verify.evidence.notes[0].find("covers wsu:Timestamp[@wsu:Id='_0'], s:Body[@wsu:Id='_1'], wsa:Action"), std::string::npos) << verify.evidence.notes[0];
  EXPECT_EQ(result(r, "passive/wssc/dkt-fields").verdict, engine::Verdict::kPass);
  EXPECT_EQ(result(r, "passive/wif/sign-out").verdict, engine::Verdict::kNotApplicable);
}

TEST(PassiveChecks, ATamperIsFlaggedWithItsExchangeAndElement) {
  auto r = analyze({recording("tampered/body-altered.jsonl")});
  const auto& verify = result(r, "passive/wssc/signature-verify");
  EXPECT_EQ(verify.verdict, engine::Verdict::kFail);
  EXPECT_NE(verify.reason.find("body-altered.jsonl exchange 1 request, ds:Signature: "), std::string::npos)
      << verify.reason;
  EXPECT_NE(verify.reason.find("DigestValue does not match"), std::string::npos) << verify.reason;
  ASSERT_FALSE(verify.evidence.exchanges.empty());
  EXPECT_NE(verify.evidence.exchanges[0].request_body.find(">ho</e:Echo>"), std::string::npos);
  EXPECT_EQ(r.run.summary.exit_code, 1);
}

TEST(PassiveChecks, WithoutTheIssuanceTheKeyComesFromTheKeysFileOrTheCheckIsNotApplicable) {
  // The tampered captures hold the issuance; a capture of the calls alone has no key material.
  auto r = analyze({recording("svclog/wcf-sample.svclog")});
  const auto& verify = result(r, "passive/wssc/signature-verify");
  EXPECT_EQ(verify.verdict, engine::Verdict::kNotApplicable);
  EXPECT_NE(verify.reason.find("service level"), std::string::npos) << verify.reason;
}

TEST(AnalysisKeys, ParsesContextsAndRefusesUnknownKeys) {
  auto keys = parse_analysis_keys(R"(
[[context]]
identifier = "urn:uuid:1"
key = "00112233"
[[context]]
identifier = "urn:uuid:2"
instance = "urn:uuid:i"
key = "base64:AAEC"
[[cookie]]
key = "ff"
)",
                                  "k.toml");
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  ASSERT_EQ(keys->contexts.size(), 2u);
  EXPECT_EQ(keys->contexts[0].identifier, "urn:uuid:1");
  EXPECT_EQ(keys->contexts[0].key, (Bytes{0x00, 0x11, 0x22, 0x33}));
  EXPECT_EQ(keys->contexts[1].instance, "urn:uuid:i");
  EXPECT_EQ(keys->contexts[1].key, (Bytes{0, 1, 2}));
  EXPECT_EQ(keys->cookie_keys.size(), 1u);
  auto typo = parse_analysis_keys("[[contexts]]\nkey = \"00\"\n", "k.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message().find("unknown key 'contexts'"), std::string::npos);
  auto no_id = parse_analysis_keys("[[context]]\nkey = \"00\"\n", "k.toml");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.error().message().find("context[0]"), std::string::npos) << no_id.error().message();
  auto bad_hex = parse_analysis_keys("[[context]]\nidentifier = \"u\"\nkey = \"zz\"\n", "k.toml");
  EXPECT_FALSE(bad_hex.ok());
}

}  // namespace
}  // namespace parley::suites
