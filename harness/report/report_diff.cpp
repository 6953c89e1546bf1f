#include "harness/report/report_diff.h"

#include <cctype>
#include <map>

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

json change_json(const CaseChange& c) {
  json j = {{"id", c.id}};
  if (!c.old_verdict.empty()) j["old"] = {{"verdict", c.old_verdict}, {"reason", c.old_reason}};
  if (!c.new_verdict.empty()) j["new"] = {{"verdict", c.new_verdict}, {"reason", c.new_reason}};
  return j;
}

json changes_json(const std::vector<CaseChange>& list) {
  json out = json::array();
  for (const auto& c : list) out.push_back(change_json(c));
  return out;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' || c == '=' || c == '_';
}

bool digit_at(std::string_view s, std::size_t i) { return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0; }

// Length of an ISO 8601 UTC time at `pos` ("2026-11-21T23:38:10.879Z"), 0 if none.
std::size_t timestamp_at(std::string_view s, std::size_t pos) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !digit_at(s, pos + i) : pos + i >= s.size() || s[pos + i] != kShape[i]) return 0;
  }
  std::size_t end = pos + kShape.size();
  if (end < s.size() && s[end] == '.') {
    ++end;
    while (digit_at(s, end)) ++end;
  }
  if (end < s.size() && s[end] == 'Z') ++end;
  return end - pos;
}

}  // namespace

std::string stable_reason(std::string_view reason) {
  std::string out;
  std::size_t pos = 0;
  while (pos < reason.size()) {
    if (reason.compare(pos, 10, "127.0.0.1:") == 0 && digit_at(reason, pos + 10)) {
      out += "127.0.0.1:<port>";
      pos += 10;
      while (digit_at(reason, pos)) ++pos;
      continue;
    }
    if (const std::size_t n = timestamp_at(reason, pos); n > 0) {
      out += "<time>";
      pos += n;
      continue;
    }
    if (!is_token_char(reason[pos])) {
      out += reason[pos++];
      continue;
    }
    std::size_t end = pos;
    bool digit = false;
    bool alpha = false;
    while (end < reason.size() && is_token_char(reason[end]) && timestamp_at(reason, end) == 0) {
      digit = digit || digit_at(reason, end);
      alpha = alpha || std::isalpha(static_cast<unsigned char>(reason[end])) != 0;
      ++end;
    }
    const std::string_view token = reason.substr(pos, end - pos);
    // Identifiers, nonces and keys differ from run to run: UUIDs, long hex or base64.
    out += token.size() >= 16 && digit && alpha ? std::string("<value>") : std::string(token);
    pos = end;
  }
  return out;
}

ReportDiff diff_reports(const json& old_report, const json& new_report) {
  ReportDiff d;
  const json& old_target = old_report["target"];
  const json& new_target = new_report["target"];
  if (text(old_target, "name") != text(new_target, "name")) {
    d.notes.push_back("the runs are of different targets: '" + text(old_target, "name") + "' and '" +
                      text(new_target, "name") + "'");
  }
  if (text(old_report, "suite") != text(new_report, "suite")) {
    d.notes.push_back("the runs are of different suites: " + text(old_report, "suite") + " and " +
                      text(new_report, "suite"));
  }
  if (text(old_report, "catalog_digest") != text(new_report, "catalog_digest")) {
    d.notes.push_back("the requirement catalog changed between the runs (verdict rules may differ)");
  }
  if (flag(old_report, "strict") != flag(new_report, "strict")) {
    d.notes.push_back("one run is --strict and the other is not");
  }
  std::map<std::string, const json*> old_cases;
  for (const auto& c : old_report["cases"]) old_cases[text(c, "id")] = &c;
  std::map<std::string, bool> seen;
  for (const auto& c : new_report["cases"]) {
    const std::string id = text(c, "id");
    CaseChange ch{id, "", text(c, "verdict"), "", text(c, "reason")};
    auto it = old_cases.find(id);
    if (it == old_cases.end()) {
      d.added.push_back(std::move(ch));
      continue;
    }
    seen[id] = true;
    ch.old_verdict = text(*it->second, "verdict");
    ch.old_reason = text(*it->second, "reason");
    const int before = verdict_severity(ch.old_verdict);
    const int after = verdict_severity(ch.new_verdict);
    if (after > before) {
      d.regressions.push_back(std::move(ch));
    } else if (after < before) {
      d.fixed.push_back(std::move(ch));
    } else if (ch.old_verdict != ch.new_verdict) {
      d.changed_verdict.push_back(std::move(ch));
    } else if (stable_reason(ch.old_reason) != stable_reason(ch.new_reason)) {
      d.changed_reason.push_back(std::move(ch));
    } else {
      ++d.unchanged;
    }
  }
  for (const auto& c : old_report["cases"]) {
    const std::string id = text(c, "id");
    if (!seen[id]) d.removed.push_back({id, text(c, "verdict"), "", text(c, "reason"), ""});
  }
  return d;
}

std::string diff_text(const ReportDiff& d) {
  std::string out;
  for (const auto& n : d.notes) out += "note: " + n + "\n";
  auto section = [&](const char* title, const std::vector<CaseChange>& list, bool show_old_reason) {
    if (list.empty()) return;
    out += std::string(title) + " (" + std::to_string(list.size()) + "):\n";
    for (const auto& c : list) {
      out += "  " + c.id + ": ";
      if (!c.old_verdict.empty() && !c.new_verdict.empty()) {
        out += c.old_verdict == c.new_verdict ? c.new_verdict : c.old_verdict + " -> " + c.new_verdict;
      } else {
        out += c.old_verdict.empty() ? c.new_verdict : c.old_verdict;
      }
      out += "\n";
      if (show_old_reason && !c.old_reason.empty()) out += "      was: " + c.old_reason + "\n";
      const std::string& reason = c.new_verdict.empty() ? c.old_reason : c.new_reason;
      if (!reason.empty()) out += "      " + std::string(c.new_verdict.empty() ? "" : "now: ") + reason + "\n";
    }
  };
  section("regressions", d.regressions, true);
  section("fixed", d.fixed, true);
  section("changed verdict", d.changed_verdict, true);
  section("changed reason", d.changed_reason, true);
  section("added cases", d.added, false);
  section("removed cases", d.removed, false);
  out += std::to_string(d.regressions.size()) + " regressions, " + std::to_string(d.fixed.size()) + " fixed, " +
         std::to_string(d.changed_verdict.size() + d.changed_reason.size()) + " changed, " +
         std::to_string(d.added.size()) + " added, " + std::to_string(d.removed.size()) + " removed, " +
         std::to_string(d.unchanged) + " unchanged\n";
  return out;
}

json diff_json(const ReportDiff& d) {
  return {{"schema", "parley-diff/1"},
          {"regressions", changes_json(d.regressions)},
          {"fixed", changes_json(d.fixed)},
          {"changed_verdict", changes_json(d.changed_verdict)},
          {"changed_reason", changes_json(d.changed_reason)},
          {"added", changes_json(d.added)},
          {"removed", changes_json(d.removed)},
          {"unchanged", d.unchanged},
          {"notes", d.notes},
          {"exit_code", d.has_regressions() ? 1 : 0}};
}

}  // namespace parley::report
