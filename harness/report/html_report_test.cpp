#include "harness/report/html_report.h"

#include <gtest/gtest.h>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/report/redaction.h"
#include "harness/report/report_diff.h"
#include "harness/report/report_document.h"
#include "harness/report/report_merge.h"

namespace parley::report {
namespace {

using nlohmann::json;

json an_exchange(const std::string& request, const std::string& response) {
  return {{"label", "control"},
          {"url", "http://127.0.0.1:1/service"},
          {"request", {{"content_type", "application/soap+xml"}, {"body", request}}},
          {"response", {{"status", 200}, {"content_type", "application/soap+xml"}, {"body", response}}},
          {"error", ""}};
}

json a_case(const std::string& id, const std::string& verdict, const std::string& reason, json exchanges = json::array()) {
  return {{"id", id},
          {"title", "a title"},
          {"requirements", {{{"id", "SC-3-09"}, {"text", "KeySize honoured"}, {"quoted", false}, {"source", "catalog"}}}},
          {"spec", "WS-SecureConversation"},
          {"section", "3"},
          {"level", "MUST"},
          {"role", "SVC"},
          {"verdict", verdict},
          {"reason", reason},
          {"duration_ms", 3},
          {"replay", "parley run --target t.toml --filter " + id},
          {"evidence", {{"exchanges", exchanges}, {"keys", json::array()}, {"notes", json::array()}}}};
}

json a_report(json cases) {
  json by = {{"PASS", 0}, {"FAIL", 0}, {"WARN", 0}, {"INFO", 0}, {"NOT_APPLICABLE", 0}, {"PREREQ_FAILED", 0}, {"ERROR", 0}};
  for (const auto& c : cases) by[c["verdict"].get<std::string>()] = by[c["verdict"].get<std::string>()].get<int>() + 1;
  return {{"schema", "parley-report/1"},
          {"tool", {{"name", "parley"}, {"version", "0.1.0"}, {"build_id", "x"}}},
          {"catalog_digest", std::string(64, 'a')},
          {"suite", "wssc-service"},
          {"target", {{"name", "target one"}, {"kind", "wssc-service"}, {"profile_path", "t.toml"}, {"profile", ""}}},
          {"started", "2024-01-01T00:00:00.000Z"},
          {"finished", "2024-01-01T00:00:01.000Z"},
          {"seed", 1},
          {"summary",
           {{"by_verdict", by},
            {"total", cases.size()},
            {"applicable", cases.size()},
            {"failures", 0},
            {"disclaimed_capabilities", json::array()},
            {"exit_code", 0}}},
          {"cases", cases}};
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

TEST(HtmlEscape, EscapesMarkupQuotesAndControlCharacters) {
  EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(html_escape("\"onload='x' & y"), "&quot;onload=&#39;x&#39; &amp; y");
  EXPECT_EQ(html_escape(std::string("a\0b\x1b", 4) + "\n\t"), "a&#xFFFD;b&#xFFFD;\n\t");
  EXPECT_EQ(html_escape("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(Utf8Prefix, NeverSplitsASequence) {
  const std::string s = "a\xC3\xA9z";  // a, e-acute (2 bytes), z
  EXPECT_EQ(utf8_prefix(s, 1), "a");
  EXPECT_EQ(utf8_prefix(s, 2), "a");
  EXPECT_EQ(utf8_prefix(s, 3), "a\xC3\xA9");
  EXPECT_EQ(utf8_prefix(s, 10), s);
}

TEST(PrettyXml, IndentsWellFormedXmlAndRefusesTheRest) {
  EXPECT_EQ(pretty_xml("<a xmlns='urn:x'>  <b>x y</b><c/></a>").value_or("-"),
            "<a xmlns=\"urn:x\">\n  <b>x y</b>\n  <c/>\n</a>");
  EXPECT_FALSE(pretty_xml("not xml").has_value());
  EXPECT_FALSE(pretty_xml("<a><b></a>").has_value());
  // A DTD (entity expansion bombs) is refused by the safe parse, so it is shown as sent.
  EXPECT_FALSE(pretty_xml("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>").has_value());
}

TEST(HtmlReport, HostileTargetTextComesOutInert) {
  const std::string evil = "<script>alert(1)</script></textarea>\"onload=alert(2) '><img src=x onerror=alert(3)>";
  json c = a_case("wssc/03/evil", "FAIL", "fault " + evil, {an_exchange("<e:Echo xmlns:e='urn:e'>" + html_escape(evil) + "</e:Echo>", evil)});
  c["title"] = evil;
  json report = a_report({c});
  report["target"]["name"] = evil;
  const std::string page = html_report(report);
  EXPECT_EQ(count(page, "<script"), 1u);  // ours, at the end
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("</textarea>"), std::string::npos);
  EXPECT_EQ(page.find("\"onload="), std::string::npos);
  EXPECT_EQ(page.find("'>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;&quot;onload=alert(2) &#39;&gt;"),
            std::string::npos);
}

TEST(HtmlReport, ContentSecurityPolicyPinsTheOneScriptAndForbidsTheNetwork) {
  const std::string page = html_report(a_report({a_case("wssc/03/a", "PASS", "ok")}));
  const std::size_t open = page.rfind("<script>");
  const std::size_t close = page.find("</script>", open);
  ASSERT_NE(open, std::string::npos);
  const std::string script = page.substr(open + 8, close - open - 8);
  auto digest = crypto::sha256(ByteView(reinterpret_cast<const std::uint8_t*>(script.data()), script.size()));
  ASSERT_TRUE(digest.ok());
  EXPECT_NE(page.find("script-src &#39;sha256-" + base64_encode(*digest) + "&#39;"), std::string::npos);
  EXPECT_NE(page.find("content=\"default-src &#39;none&#39;;"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://127.0.0.1"));  // no external reference at all
  EXPECT_EQ(page.find("src="), std::string::npos);
}

TEST(HtmlReport, HugeEvidenceIsTruncatedWithANote) {
  HtmlLimits limits;
  limits.max_body_bytes = 1000;
  limits.max_evidence_bytes = 2500;
  const std::string big(200000, 'x');
  json cases = json::array();
  for (int i = 0; i < 3; ++i) cases.push_back(a_case("wssc/03/big-" + std::to_string(i), "PASS", "ok", json::array({an_exchange(big, "<r/>")})));
  const std::string page = html_report(a_report(cases), limits);
  EXPECT_LT(page.size(), 40000u);
  EXPECT_EQ(count(page, "truncated: the first 1000 of 200000 bytes are shown"), 2u);
  // 2500 - 2 * (1000 + 4) = 492 left for the third request; nothing for its response.
  EXPECT_EQ(count(page, "truncated: the first 492 of 200000 bytes are shown"), 1u);
  EXPECT_EQ(count(page, "(4 bytes not shown: this page's evidence budget is spent"), 1u);
}

TEST(HtmlReport, XmlEvidenceIsPrettyPrintedAndHighlighted) {
  const std::string page = html_report(a_report({a_case("wssc/03/a", "PASS", "ok", json::array({an_exchange("<a><b>1</b></a>", "junk <")}))}));
  EXPECT_NE(page.find("<span class=\"xt\">&lt;a&gt;</span>\n  <span class=\"xt\">&lt;b&gt;</span>1"), std::string::npos);
  EXPECT_NE(page.find("<pre class=\"xml\">junk &lt;</pre>"), std::string::npos);
}

TEST(HtmlReport, HeadlineFiltersAndCoverage) {
  json report = a_report({a_case("wssc/03/a", "PASS", "ok"), a_case("wssc/07/b", "FAIL", "bad")});
  report["cases"][1]["section"] = "7";
  report["cases"][1]["level"] = "SHOULD";
  report["summary"]["failures"] = 1;
  report["summary"]["disclaimed_capabilities"] = {"amend"};
  report["catalog"] = {{{"id", "SC-3-09"}, {"spec", "WS-SecureConversation"}, {"section", "3"}, {"heading", "Establishing"},
                        {"level", "MUST"}, {"status", "C"}, {"text", "KeySize honoured"}, {"quoted", true},
                        {"source", "spec 3"}, {"cases", {"wssc/03/a", "wssc/07/b"}}},
                       {{"id", "SC-9-01"}, {"spec", "WS-SecureConversation"}, {"section", "9"}, {"level", "MAY"},
                        {"status", "U"}, {"text", "untested thing"}, {"quoted", false}, {"source", "catalog"},
                        {"untested_reason", "needs a client"}, {"cases", json::array()}}};
  const std::string page = html_report(report);
  EXPECT_NE(page.find("<b>2</b> of 2 cases applicable"), std::string::npos);
  EXPECT_NE(page.find("<b class=\"bad\">1 failure</b>"), std::string::npos);
  EXPECT_NE(page.find("disclaimed capabilities: amend"), std::string::npos);
  EXPECT_NE(page.find("data-verdict-filter=\"FAIL\""), std::string::npos);
  EXPECT_NE(page.find("1 of 2 requirements are covered"), std::string::npos);
  EXPECT_NE(page.find("<tr id=\"req-SC-3-09\" data-result=\"FAIL\">"), std::string::npos);  // the worst case wins
  EXPECT_NE(page.find("<tr id=\"req-SC-9-01\" data-result=\"UNTESTED\">"), std::string::npos);
  EXPECT_NE(page.find("needs a client"), std::string::npos);
  EXPECT_NE(page.find("<q>KeySize honoured</q>"), std::string::npos);
  EXPECT_NE(page.find("data-section=\"WS-SecureConversation \xC2\xA7" "7\" data-level=\"SHOULD\""), std::string::npos);
  EXPECT_NE(page.find("<option value=\"WS-SecureConversation \xC2\xA7" "3\">"), std::string::npos);
  EXPECT_NE(page.find("(paraphrased)"), std::string::npos);
  EXPECT_NE(page.find("parley run --target t.toml --filter wssc/07/b"), std::string::npos);
}

TEST(CheckReport, NamesTheFirstProblem) {
  json report = a_report({a_case("wssc/03/a", "PASS", "ok")});
  EXPECT_TRUE(check_report(report).ok());
  json bad = report;
  bad["schema"] = "other/1";
  EXPECT_NE(check_report(bad).error().message().find("/schema"), std::string::npos);
  bad = report;
  bad["cases"][0]["verdict"] = "GREAT";
  EXPECT_EQ(check_report(bad).error().message(), "/cases/0/verdict: unknown verdict \"GREAT\"");
  bad = report;
  bad["cases"][0]["evidence"]["exchanges"] = {{{"label", "x"}}};
  EXPECT_EQ(check_report(bad).error().message(), "/cases/0/evidence/exchanges/0: required member 'request' is missing");
  bad = report;
  bad["summary"].erase("total");
  EXPECT_EQ(check_report(bad).error().message(), "/summary: required member 'total' is missing");
}

TEST(HtmlReport, HandEditedMembersOfOtherTypesDoNotThrow) {
  json report = a_report({a_case("wssc/03/a", "PASS", "ok")});
  report["redacted"] = "no";
  report["strict"] = 7;
  report["catalog"] = {{{"id", "SC-1"}, {"quoted", "yes"}, {"cases", 5}, {"text", 3}}};
  report["cases"][0]["requirements"][0]["quoted"] = "yes";
  report["cases"][0]["evidence"]["notes"] = {1, "two"};
  ASSERT_TRUE(check_report(report).ok());
  std::string page;
  EXPECT_NO_THROW(page = html_report(report));
  EXPECT_NE(page.find("<li>1</li>"), std::string::npos);
  json merged;
  EXPECT_NO_THROW(merged = merge_reports({{"./a", "", report}, {"./b", "", report}}));
  EXPECT_NO_THROW(html_comparison(merged));
  EXPECT_NO_THROW(diff_reports(report, report));
  report["catalog"] = {"not an object"};
  EXPECT_EQ(check_report(report).error().message(), "/catalog/0: a requirement is an object");
}

TEST(RedactReport, MasksSecretsEverywhereByShapeAndByValue) {
  const std::string key = "00112233445566778899aabbccddeeff";
  json c = a_case("wssc/03/a", "FAIL", "derived key 00112233445566778899AABBCCDDEEFF did not match",
                  {an_exchange("<t:BinarySecret>c2VjcmV0LWVudHJvcHk=</t:BinarySecret>",
                            "<x>echo c2VjcmV0LWVudHJvcHk= and http://bob:hunter22@host/</x>")});
  c["evidence"]["keys"] = {{{"label", "context key"}, {"key", key}}};
  c["evidence"]["notes"] = {"base64 ABEiM0RVZneImaq7zN3u/w== and hex " + key};
  json report = a_report({c});
  report["target"]["profile"] = "[credentials]\npassword = \"wonderland\"\n";
  report["cases"][0]["replay"] = "parley run --note wonderland";
  redact_report(report);
  const std::string text = report.dump();
  for (const char* secret : {"wonderland", "00112233445566778899", "AABBCCDDEEFF", "c2VjcmV0LWVudHJvcHk=",
                             "ABEiM0RVZneImaq7zN3u", "hunter22"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(report["redacted"], true);
  EXPECT_EQ(report["cases"][0]["evidence"]["keys"][0]["key"], "[redacted]");
  EXPECT_EQ(report["cases"][0]["reason"], "derived key [redacted] did not match");
}

}  // namespace
}  // namespace parley::report
