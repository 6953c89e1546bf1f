#include "harness/report/machine_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace parley::report {
namespace {

TEST(Redact, ProfileAssignmentsElementsAndHeaders) {
  EXPECT_EQ(redact("username = \"alice\"\npassword = \"wonderland\"\nsct_key = \"0011\"\n"),
            "username = \"alice\"\npassword = \"[redacted]\"\nsct_key = \"[redacted]\"\n");
  EXPECT_EQ(redact("<o:Password Type=\"x\">pw</o:Password><t:BinarySecret>AAAA</t:BinarySecret><c:Nonce/>"),
            "<o:Password Type=\"x\">[redacted]</o:Password><t:BinarySecret>[redacted]</t:BinarySecret><c:Nonce/>");
  EXPECT_EQ(redact("Host: x\r\nAuthorization: Basic YWxpY2U=\r\nCookie: FedAuth=abc\r\n"),
            "Host: x\r\nAuthorization: [redacted]\r\nCookie: [redacted]\r\n");
  EXPECT_EQ(redact("<e:Echo>hi</e:Echo>"), "<e:Echo>hi</e:Echo>");
  // Hostile shapes: unterminated tags, a megabyte without newlines.
  EXPECT_EQ(redact("<Password>x"), "<Password>[redacted]");
  EXPECT_EQ(redact("<Password"), "<Password");
  EXPECT_EQ(redact(std::string(1 << 20, 'a')).size(), std::size_t{1} << 20);
}

engine::RunResult sample_run(engine::Registry& registry) {
  engine::CaseInfo a;
  a.id = "wssc/03/a";
  a.title = "A";
  a.requirements = {"SC-3-01"};
  engine::CaseInfo b = a;
  b.id = "wssc/08/b";
  b.requirements = {"SC-8-05"};
  EXPECT_TRUE(registry.add({a, [](engine::CaseContext&) { return engine::Outcome::pass("fine"); }}).ok());
  EXPECT_TRUE(registry.add({b, [](engine::CaseContext&) { return engine::Outcome::fail("bad <&> \"x\"\x01"); }}).ok());
  oracle::TargetProfile profile;
  engine::RunOptions o;
  o.settings.send = [](const std::string&, const oracle::SoapRequest&) -> Result<oracle::SoapResponse> {
    return Error(ErrorCode::kIo, "unused");
  };
  return engine::run_cases(registry, profile, o);
}

TEST(MachineReport, JsonCarriesVerdictsRequirementsAndSummary) {
  engine::Registry registry;
  auto run = sample_run(registry);
  RunInfo info;
  info.suite = "wssc-service";
  info.tool_version = "0.1.0";
  auto doc = nlohmann::json::parse(report_json(run, oracle::TargetProfile{}, info));
  EXPECT_EQ(doc["schema"], "parley-report/1");
  ASSERT_EQ(doc["cases"].size(), 2u);
  EXPECT_EQ(doc["cases"][0]["verdict"], "PASS");
  EXPECT_EQ(doc["cases"][0]["requirements"][0]["id"], "SC-3-01");
  EXPECT_EQ(doc["cases"][0]["level"], "MUST");
  // SC-8-05 is a SHOULD: its FAIL is capped at WARN.
  EXPECT_EQ(doc["cases"][1]["verdict"], "WARN");
  EXPECT_EQ(doc["cases"][1]["raw_verdict"], "FAIL");
  EXPECT_EQ(doc["summary"]["by_verdict"]["PASS"], 1);
  EXPECT_EQ(doc["summary"]["exit_code"], 0);
}

TEST(MachineReport, JunitEscapesAndClassifies) {
  engine::Registry registry;
  auto run = sample_run(registry);
  RunInfo info;
  info.suite = "wssc-service";
  std::string xml = junit_xml(run, info);
  EXPECT_NE(xml.find("classname=\"wssc.03\" name=\"wssc/03/a\""), std::string::npos);
  EXPECT_NE(xml.find("bad &lt;&amp;&gt; &quot;x&quot;?"), std::string::npos);
  EXPECT_EQ(xml.find("<failure"), std::string::npos);  // WARN is not a failure unless strict
  info.strict = true;
  EXPECT_NE(junit_xml(run, info).find("<failure type=\"WARN\""), std::string::npos);
}

TEST(MachineReport, AtomicWrite) {
  const std::string path = ::testing::TempDir() + "/parley-report-atomic.json";
  ASSERT_TRUE(write_atomically(path, "{}").ok());
  EXPECT_FALSE(write_atomically("/nonexistent/dir/x.json", "{}").ok());
}

}  // namespace
}  // namespace parley::report
