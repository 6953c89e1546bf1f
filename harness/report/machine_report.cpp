#include "harness/report/machine_report.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <cctype>
#include <map>
#include <string_view>

namespace parley::report {
namespace {

using nlohmann::json;

std::string iso(std::chrono::system_clock::time_point t) { return wssc::format_utc(t); }

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped: drop them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// JSON must be UTF-8; target bodies may not be. Invalid sequences become U+FFFD.
std::string valid_utf8(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

namespace {

// The secrets a run used: the caller's (profile credentials), the keys in the evidence and the
// contents of secret elements in the exchanged messages.
SecretSet run_secrets(const engine::RunResult& run, const RunInfo& info) {
  SecretSet secrets = info.secrets;
  for (const auto& r : run.results) {
    for (const auto& [label, hex] : r.evidence.keys) secrets.add_key_hex(hex);
    for (const auto& x : r.evidence.exchanges) {
      secrets.add_found_in(x.request_body);
      secrets.add_found_in(x.response_body);
    }
  }
  return secrets;
}

}  // namespace

SecretSet profile_secrets(const oracle::TargetProfile& profile) {
  SecretSet secrets;
  secrets.add(profile.client.password);
  if (!profile.client.preshared_key.empty()) secrets.add_key(profile.client.preshared_key);
  if (const auto& rp = profile.relying_party) {
    // [cookie_protection]: the RP's cookie keys.
    if (!rp->machine_key_decryption_key.empty()) secrets.add_key(rp->machine_key_decryption_key);
    if (!rp->machine_key_validation_key.empty()) secrets.add_key(rp->machine_key_validation_key);
  }
  return secrets;
}

namespace {

// The whole catalog with the cases of this run citing each requirement, so that a report shows
// what was not tested as well as what was (index.html's coverage matrix reads it).
json catalog_json(const engine::RequirementCatalog& catalog, const engine::RunResult& run) {
  std::map<std::string, std::vector<std::string>> covering;
  for (const auto& r : run.results) {
    for (const auto& id : r.test_case->info.requirements) covering[id].push_back(r.test_case->info.id);
  }
  json out = json::array();
  for (const auto& req : catalog.all()) {
    out.push_back({{"id", req.id},
                   {"spec", req.spec},
                   {"version", req.version},
                   {"section", req.section},
                   {"heading", req.heading},
                   {"level", req.level_text},
                   {"level_class", std::string(engine::to_string(req.level))},
                   {"status", std::string(engine::to_string(req.status))},
                   {"roles", req.roles},
                   {"text", req.text},
                   {"quoted", req.quoted},
                   {"source", req.source},
                   {"untested_reason", req.untested_reason},
                   {"cases", covering[req.id]}});
  }
  return out;
}

}  // namespace

std::string report_json(const engine::RunResult& run, const oracle::TargetProfile& profile, const RunInfo& info) {
  const auto& catalog = engine::RequirementCatalog::builtin();
  auto maybe = [](const std::string& s) { return valid_utf8(s); };
  json cases = json::array();
  for (const auto& r : run.results) {
    const auto& ci = r.test_case->info;
    json reqs = json::array();
    std::string spec, section, level = "MAY";
    for (const auto& id : ci.requirements) {
      const engine::Requirement* req = catalog.find(id);
      json one = {{"id", id}};
      if (req != nullptr) {
        one["spec"] = req->spec;
        one["version"] = req->version;
        one["section"] = req->section;
        one["level"] = req->level_text;
        one["status"] = std::string(engine::to_string(req->status));
        one["text"] = req->text;
        one["quoted"] = req->quoted;
        one["source"] = req->source;
        if (spec.empty()) {
          spec = req->spec;
          section = req->section;
        }
        if (req->level == engine::Level::kMust) level = "MUST";
        if (req->level == engine::Level::kShould && level != "MUST") level = "SHOULD";
        if (req->level == engine::Level::kProfile && level == "MAY") level = "PROFILE";
      }
      reqs.push_back(one);
    }
    json exchanges = json::array();
    for (const auto& x : r.evidence.exchanges) {
      exchanges.push_back({{"label", x.label},
                           {"url", x.url},
                           {"request",
                            {{"content_type", x.request_content_type},
                             {"soap_action", valid_utf8(x.request_soap_action)},
                             {"body", maybe(x.request_body)}}},
                           {"response",
                            {{"status", x.response_status},
                             {"content_type", x.response_content_type},
                             {"body", maybe(x.response_body)}}},
                           {"error", x.error}});
    }
    json keys = json::array();
    for (const auto& [label, hex] : r.evidence.keys) {
      keys.push_back({{"label", label}, {"key", hex}});
    }
    json c = {{"id", ci.id},
              {"title", ci.title},
              {"requirements", reqs},
              {"spec", spec},
              {"section", section},
              {"level", level},
              {"role", ci.role},
              {"verdict", std::string(engine::to_string(r.verdict))},
              {"raw_verdict", std::string(engine::to_string(r.raw_verdict))},
              {"reason", valid_utf8(r.reason)},
              {"wcf_profile", r.wcf_profile},
              {"duration_ms", r.duration.count()},
              {"replay", r.replay},
              {"evidence", {{"exchanges", exchanges}, {"keys", keys}, {"notes", r.evidence.notes}}}};
    if (!r.baseline_reason.empty()) c["baseline"] = {{"reason", r.baseline_reason}, {"unexpected", r.unexpected}};
    cases.push_back(std::move(c));
  }
  json summary = json::object();
  for (int v = 0; v < 7; ++v) {
    summary[std::string(engine::to_string(static_cast<engine::Verdict>(v)))] = run.summary.counts[v];
  }
  json doc = {{"schema", std::string(kReportSchemaVersion)},
              {"tool", {{"name", "parley"}, {"version", info.tool_version}, {"build_id", info.build_id}}},
              {"catalog_digest", catalog.digest()},
              {"suite", info.suite},
              {"target", {{"name", profile.name}, {"kind", profile.kind}, {"profile_path", info.profile_path},
                          {"profile", maybe(info.profile_text)}}},
              {"started", iso(run.started)},
              {"finished", iso(run.finished)},
              {"seed", info.seed},
              {"strict", info.strict},
              {"redacted", info.redact},
              {"interrupted", run.interrupted},
              {"summary",
               {{"by_verdict", summary},
                {"total", run.summary.total},
                {"applicable", run.summary.applicable},
                {"failures", run.summary.failures},
                {"disclaimed_capabilities", run.summary.disclaimed},
                {"exit_code", run.summary.exit_code}}},
              {"cases", cases},
              {"catalog", catalog_json(catalog, run)}};
  if (info.redact) {
    SecretSet secrets = run_secrets(run, info);
    const SecretSet credentials = profile_secrets(profile);
    for (const auto& v : credentials.values()) secrets.add(v);
    redact_report(doc, secrets);
  }
  return doc.dump(2) + "\n";
}

std::string junit_xml(const engine::RunResult& run, const RunInfo& info) {
  const SecretSet secrets = info.redact ? run_secrets(run, info) : SecretSet();
  std::size_t failures = 0, errors = 0, skipped = 0;
  for (const auto& r : run.results) {
    if (r.verdict == engine::Verdict::kFail || r.verdict == engine::Verdict::kPrereqFailed ||
        (info.strict && r.verdict == engine::Verdict::kWarn)) {
      ++failures;
    }
    if (r.verdict == engine::Verdict::kError) ++errors;
    if (r.verdict == engine::Verdict::kNotApplicable) ++skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"parley\" tests=\"" + std::to_string(run.results.size()) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" +
         std::to_string(skipped) + "\">\n";
  out += "  <testsuite name=\"" + xml_escape(info.suite) + "\" tests=\"" + std::to_string(run.results.size()) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" +
         std::to_string(skipped) + "\">\n";
  // JUnit has no word for it: a property, and the cases cut short are errors saying why.
  if (run.interrupted) {
    out += "    <properties><property name=\"interrupted\" value=\"true\"/></properties>\n";
  }
  for (const auto& r : run.results) {
    const auto& id = r.test_case->info.id;
    // classname = suite and section: "wssc.03" for "wssc/03/name".
    std::string classname = id.substr(0, id.rfind('/'));
    for (char& c : classname) c = c == '/' ? '.' : c;
    const double seconds = static_cast<double>(r.duration.count()) / 1000.0;
    char time[32];
    std::snprintf(time, sizeof(time), "%.3f", seconds);
    out += "    <testcase classname=\"" + xml_escape(classname) + "\" name=\"" + xml_escape(id) + "\" time=\"" + time +
           "\">\n";
    const std::string verdict(engine::to_string(r.verdict));
    const std::string message = xml_escape(verdict + ": " + valid_utf8(info.redact ? redact(r.reason, secrets) : r.reason));
    switch (r.verdict) {
      case engine::Verdict::kFail:
      case engine::Verdict::kPrereqFailed:
        out += "      <failure type=\"" + verdict + "\" message=\"" + message + "\"/>\n";
        break;
      case engine::Verdict::kWarn:
        if (info.strict) {
          out += "      <failure type=\"WARN\" message=\"" + message + "\"/>\n";
        } else {
          out += "      <system-out>" + message + "</system-out>\n";
        }
        break;
      case engine::Verdict::kError:
        out += "      <error type=\"ERROR\" message=\"" + message + "\"/>\n";
        break;
      case engine::Verdict::kNotApplicable:
        out += "      <skipped message=\"" + message + "\"/>\n";
        break;
      default:
        out += "      <system-out>" + message + "</system-out>\n";
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

Status write_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Error(ErrorCode::kIo, "cannot write", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error(ErrorCode::kIo, "cannot rename into place: " + ec.message(), path);
  }
  return ok_status();
}

}  // namespace parley::report
