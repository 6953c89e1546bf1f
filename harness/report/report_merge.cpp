#include "harness/report/report_merge.h"

#include <map>
#include <set>

#include "harness/report/report_document.h"

namespace parley::report {
namespace {

using nlohmann::json;

std::string text(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Members a hand-edited report may have of another type: read without throwing.
bool flag(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// The worst verdict among `verdicts` (by severity, then FAIL over ERROR over PREREQ_FAILED).
std::string worst(const std::vector<std::string>& verdicts) {
  static const char* const kOrder[] = {"FAIL", "ERROR", "PREREQ_FAILED", "WARN", "PASS", "INFO", "NOT_APPLICABLE"};
  for (const char* v : kOrder) {
    for (const auto& x : verdicts) {
      if (x == v) return x;
    }
  }
  return verdicts.empty() ? std::string() : verdicts.front();
}

}  // namespace

json merge_reports(const std::vector<MergeInput>& inputs) {
  const std::size_t n = inputs.size();
  json targets = json::array();
  // Labels: the target name, made unique with the report directory when two runs share it.
  std::map<std::string, int> name_count;
  for (const auto& in : inputs) ++name_count[text(in.report["target"], "name")];
  for (const auto& in : inputs) {
    const json& r = in.report;
    std::string label = text(r["target"], "name");
    if (label.empty()) label = in.report_dir;
    if (name_count[text(r["target"], "name")] > 1) label += " (" + in.report_dir + ")";
    targets.push_back({{"label", label},
                       {"name", text(r["target"], "name")},
                       {"kind", text(r["target"], "kind")},
                       {"suite", text(r, "suite")},
                       {"started", text(r, "started")},
                       {"tool_version", text(r["tool"], "version")},
                       {"catalog_digest", text(r, "catalog_digest")},
                       {"redacted", flag(r, "redacted")},
                       {"report_dir", in.report_dir},
                       {"index_html", in.index_html},
                       {"summary", r["summary"]}});
  }

  // Cases in first-seen order, one result per input.
  std::vector<std::string> case_order;
  std::map<std::string, json> cases;
  std::vector<std::map<std::string, std::string>> verdicts(n);  // per input: case -> verdict
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& c : inputs[i].report["cases"]) {
      const std::string id = text(c, "id");
      auto it = cases.find(id);
      if (it == cases.end()) {
        json reqs = json::array();
        for (const auto& r : c["requirements"]) reqs.push_back(text(r, "id"));
        it = cases.emplace(id, json{{"id", id}, {"title", text(c, "title")}, {"spec", text(c, "spec")},
                                    {"section", text(c, "section")}, {"level", text(c, "level")},
                                    {"role", text(c, "role")}, {"requirements", reqs},
                                    {"results", json::array()}})
                 .first;
        for (std::size_t k = 0; k < n; ++k) it->second["results"].push_back(nullptr);
        case_order.push_back(id);
      }
      it->second["results"][i] = {{"verdict", text(c, "verdict")}, {"reason", text(c, "reason")}};
      verdicts[i][id] = text(c, "verdict");
    }
  }
  json case_rows = json::array();
  for (const auto& id : case_order) case_rows.push_back(std::move(cases[id]));

  // Requirements: from the reports' catalogs (else the cases' citations), with the cases citing
  // each; per input, the worst verdict of those cases, or UNTESTED.
  std::vector<std::string> req_order;
  std::map<std::string, json> reqs;
  std::map<std::string, std::set<std::string>> citing;
  auto add_req = [&](const json& r) {
    const std::string id = text(r, "id");
    if (reqs.find(id) == reqs.end()) {
      reqs[id] = {{"id", id}, {"spec", text(r, "spec")}, {"section", text(r, "section")},
                  {"level", text(r, "level")}, {"text", text(r, "text")}, {"quoted", flag(r, "quoted")}};
      req_order.push_back(id);
    }
  };
  for (const auto& in : inputs) {
    if (in.report.contains("catalog") && in.report["catalog"].is_array()) {
      for (const auto& r : in.report["catalog"]) add_req(r);
    }
    for (const auto& c : in.report["cases"]) {
      for (const auto& r : c["requirements"]) {
        add_req(r);
        citing[text(r, "id")].insert(text(c, "id"));
      }
    }
  }
  json req_rows = json::array();
  for (const auto& id : req_order) {
    json row = std::move(reqs[id]);
    row["cases"] = json(std::vector<std::string>(citing[id].begin(), citing[id].end()));
    json results = json::array();
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::string> vs;
      for (const auto& cid : citing[id]) {
        auto it = verdicts[i].find(cid);
        if (it != verdicts[i].end()) vs.push_back(it->second);
      }
      results.push_back(vs.empty() ? std::string("UNTESTED") : worst(vs));
    }
    row["results"] = std::move(results);
    req_rows.push_back(std::move(row));
  }
  return {{"schema", std::string(kComparisonSchemaVersion)},
          {"targets", targets},
          {"requirements", req_rows},
          {"cases", case_rows}};
}

}  // namespace parley::report
