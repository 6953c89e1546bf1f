#include "harness/report/report_diff.h"

#include <gtest/gtest.h>

#include "harness/report/report_document.h"
#include "harness/report/report_merge.h"

namespace parley::report {
namespace {

using nlohmann::json;

json run_of(const std::vector<std::tuple<std::string, std::string, std::string>>& cases, const std::string& target = "t") {
  json list = json::array();
  for (const auto& [id, verdict, reason] : cases) {
    list.push_back({{"id", id}, {"verdict", verdict}, {"reason", reason}, {"title", id},
                    {"requirements", {{{"id", "SC-" + id}}}}, {"spec", "WS-SC"}, {"section", "3"}});
  }
  return {{"schema", "parley-report/1"}, {"target", {{"name", target}}}, {"suite", "wssc-service"},
          {"catalog_digest", "d"}, {"cases", list}};
}

TEST(ReportDiff, SortsEveryKindOfChange) {
  const json before = run_of({{"a", "PASS", "ok"}, {"b", "FAIL", "no fault"}, {"c", "FAIL", "x"},
                              {"d", "PASS", "refused with A"}, {"e", "PASS", "ok"}, {"g", "PASS", "same"},
                              {"h", "PASS", "ok"}, {"i", "NOT_APPLICABLE", "disclaimed"}});
  const json after = run_of({{"a", "FAIL", "no fault now"}, {"b", "PASS", "fault"}, {"c", "ERROR", "timeout"},
                             {"d", "PASS", "refused with B"}, {"f", "FAIL", "new"}, {"g", "PASS", "same"},
                             {"h", "WARN", "other fault"}, {"i", "PREREQ_FAILED", "control failed"}});
  const ReportDiff d = diff_reports(before, after);
  ASSERT_EQ(d.regressions.size(), 3u);
  EXPECT_EQ(d.regressions[0].id, "a");
  EXPECT_EQ(d.regressions[1].id, "h");  // PASS -> WARN is worse too
  EXPECT_EQ(d.regressions[2].id, "i");  // NOT_APPLICABLE -> PREREQ_FAILED
  ASSERT_EQ(d.fixed.size(), 1u);
  EXPECT_EQ(d.fixed[0].id, "b");
  ASSERT_EQ(d.changed_verdict.size(), 1u);
  EXPECT_EQ(d.changed_verdict[0].new_verdict, "ERROR");
  ASSERT_EQ(d.changed_reason.size(), 1u);
  EXPECT_EQ(d.changed_reason[0].new_reason, "refused with B");
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].id, "f");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].id, "e");
  EXPECT_EQ(d.unchanged, 1u);
  EXPECT_TRUE(d.has_regressions());
  EXPECT_TRUE(d.notes.empty());

  const std::string text = diff_text(d);
  EXPECT_NE(text.find("regressions (3):\n  a: PASS -> FAIL\n      was: ok\n      now: no fault now\n"), std::string::npos);
  EXPECT_NE(text.find("removed cases (1):\n  e: PASS\n      ok\n"), std::string::npos);
  EXPECT_NE(text.find("3 regressions, 1 fixed, 2 changed, 1 added, 1 removed, 1 unchanged"), std::string::npos);
  const json j = diff_json(d);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["regressions"][0]["old"]["verdict"], "PASS");
  EXPECT_EQ(j["added"][0]["new"]["reason"], "new");
  EXPECT_FALSE(j["added"][0].contains("old"));
}

TEST(ReportDiff, NoRegressionWhenOnlyBetterOrSameAndNotesOtherTargets) {
  const ReportDiff d = diff_reports(run_of({{"a", "FAIL", "x"}}), run_of({{"a", "PASS", "y"}}, "other"));
  EXPECT_FALSE(d.has_regressions());
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], "the runs are of different targets: 't' and 'other'");
  EXPECT_EQ(diff_json(d)["exit_code"], 0);
}

TEST(ReportDiff, ReasonsDifferingOnlyInRunSpecificValuesAreUnchanged) {
  EXPECT_EQ(stable_reason("one wsc:Identifier ('urn:uuid:a761f284-98b3-4559-86ca-cbca00b10363') at "
                          "http://127.0.0.1:44887/sts, created 2026-11-21T23:38:10.879Z"),
            "one wsc:Identifier ('urn:uuid:<value>') at http://127.0.0.1:<port>/sts, created <time>");
  EXPECT_EQ(stable_reason("refused with wsc:BadContextToken"), "refused with wsc:BadContextToken");
  const ReportDiff d = diff_reports(run_of({{"a", "PASS", "id urn:uuid:a761f284-98b3-4559-86ca-cbca00b10363"}}),
                                    run_of({{"a", "PASS", "id urn:uuid:00000000-98b3-4559-86ca-cbca00b10363"}}));
  EXPECT_EQ(d.unchanged, 1u);
  EXPECT_TRUE(d.changed_reason.empty());
}

TEST(VerdictSeverity, OrdersVerdicts) {
  EXPECT_EQ(verdict_severity("PASS"), 0);
  EXPECT_EQ(verdict_severity("NOT_APPLICABLE"), 0);
  EXPECT_EQ(verdict_severity("WARN"), 1);
  EXPECT_EQ(verdict_severity("PREREQ_FAILED"), 2);
  EXPECT_EQ(verdict_severity("nonsense"), -1);
}

TEST(MergeReports, OneColumnPerReportRowsByCaseAndRequirement) {
  json one = run_of({{"a", "PASS", "ok"}, {"b", "FAIL", "bad"}}, "oracle");
  json two = run_of({{"a", "WARN", "other fault"}, {"c", "PASS", "ok"}}, "wss4j");
  for (json* r : {&one, &two}) {
    (*r)["tool"] = {{"version", "0.1"}};
    (*r)["summary"] = json::object();
  }
  one["catalog"] = {{{"id", "SC-a"}, {"text", "A"}}, {{"id", "SC-z"}, {"text", "never tested"}}};
  const json m = merge_reports({{"./one", "./one/index.html", one}, {"./two", "", two}});
  EXPECT_EQ(m["schema"], "parley-comparison/1");
  ASSERT_EQ(m["targets"].size(), 2u);
  EXPECT_EQ(m["targets"][1]["label"], "wss4j");
  ASSERT_EQ(m["cases"].size(), 3u);
  EXPECT_EQ(m["cases"][0]["results"][1]["verdict"], "WARN");
  EXPECT_TRUE(m["cases"][1]["results"][1].is_null());  // b: not run against wss4j
  EXPECT_EQ(m["cases"][2]["id"], "c");
  // SC-a, SC-z (catalog order), then SC-b and SC-c (first cited).
  ASSERT_EQ(m["requirements"].size(), 4u);
  EXPECT_EQ(m["requirements"][0]["results"], json({"PASS", "WARN"}));
  EXPECT_EQ(m["requirements"][1]["results"], json({"UNTESTED", "UNTESTED"}));
  EXPECT_EQ(m["requirements"][2]["id"], "SC-b");
  EXPECT_EQ(m["requirements"][2]["results"], json({"FAIL", "UNTESTED"}));
}

}  // namespace
}  // namespace parley::report
