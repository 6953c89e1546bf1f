#include "harness/report/html_report.h"

#include <libxml/xmlsave.h>

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/xml.h"
#include "harness/report/report_document.h"

namespace parley::report {
namespace {

using nlohmann::json;

// --- small accessors: the document was checked, but optional members may be absent ---------

const std::string& str(const json& obj, const char* key) {
  static const std::string kEmpty;
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get_ref<const std::string&>() : kEmpty;
}

long long num(const json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

bool flag(const json& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string esc(std::string_view s) { return html_escape(s); }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::string_view kVerdictOrder[] = {"FAIL", "ERROR", "PREREQ_FAILED", "WARN", "PASS", "INFO", "NOT_APPLICABLE"};

// A CSS class for a verdict; unknown text (a hand-edited report) gets a neutral one.
std::string verdict_class(std::string_view v) {
  for (auto k : kVerdictOrder) {
    if (v == k) return "v-" + std::string(k);
  }
  return "v-UNKNOWN";
}

std::string badge(std::string_view verdict, std::string_view extra_class = "") {
  return "<span class=\"v " + verdict_class(verdict) + (extra_class.empty() ? "" : " " + std::string(extra_class)) +
         "\">" + esc(verdict) + "</span>";
}

std::string section_key(const json& c) {
  const std::string& spec = str(c, "spec");
  const std::string& section = str(c, "section");
  if (spec.empty() && section.empty()) return "(no section)";
  return spec + " \xC2\xA7" + section;
}

std::string status_text(std::string_view s) {
  if (s == "C") return "source confirmed";
  if (s == "P") return "source partly confirmed";
  if (s == "U") return "source unconfirmed";
  return std::string(s);
}

// --- the page frame -------------------------------------------------------------------------

constexpr std::string_view kStyle = R"CSS(
:root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--info:#0969da;--na:#6e7781;--prereq:#bc4c00;--error:#8250df;
--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,"Segoe UI","DejaVu Sans",sans-serif;color:var(--fg);background:#fff;margin:0 auto;
max-width:1280px;padding:20px 24px}
h1{font-size:22px;margin:0 0 2px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:28px 0 10px}
h3{font-size:15px;margin:16px 0 6px}h4{font-size:13px;margin:12px 0 4px;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em}
a{color:var(--info)}
.meta,.note{color:var(--muted)}.note{font-style:italic}
code,pre,.mono{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px;margin:4px 0;white-space:pre-wrap;
word-break:break-all;max-height:520px;overflow:auto}
pre .xt{color:#116329}
.v{display:inline-block;min-width:9em;text-align:center;border-radius:4px;padding:1px 6px;font:600 12px/1.5
system-ui,"DejaVu Sans",sans-serif;color:#fff;background:var(--na);border:0;text-decoration:none}
.v.s{min-width:0;padding:0 5px;font-weight:500}
.v-PASS{background:var(--pass)}.v-FAIL{background:var(--fail)}.v-WARN{background:var(--warn)}.v-INFO{background:var(--info)}
.v-NOT_APPLICABLE{background:var(--na)}.v-PREREQ_FAILED{background:var(--prereq)}.v-ERROR{background:var(--error)}
.v-UNTESTED{background:#fff;color:var(--muted);border:1px dashed var(--muted)}.v-NONE{background:#fff;color:var(--muted)}
.headline{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:center;padding:12px 16px;border:1px solid var(--line);
border-radius:8px;background:var(--soft)}
.headline .big{font-size:20px}.headline .counts{display:flex;flex-wrap:wrap;gap:6px}
.headline button{cursor:pointer}.headline p{margin:0}
.ok{color:var(--pass)}.bad{color:var(--fail)}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.group th{background:var(--soft);color:var(--fg);font-size:13px;padding-top:8px}
.chips{display:flex;flex-wrap:wrap;gap:3px}
.req-text q{quotes:"\201C" "\201D"}.src{display:block;color:var(--muted);font-size:12px}
#filters{position:sticky;top:0;z-index:1;background:#fff;padding:8px 0;border-bottom:1px solid var(--line);display:flex;
flex-wrap:wrap;gap:6px 14px;align-items:center}
#filters label{color:var(--muted);font-size:12px}#filters select,#filters input{font:inherit;font-size:13px}
#shown{font-weight:600;margin-left:auto}
details.case{border:1px solid var(--line);border-radius:6px;margin:6px 0}
details.case>summary{cursor:pointer;padding:5px 8px;display:flex;gap:10px;align-items:baseline}
details.case>summary code{font-weight:600}
details.case[open]>summary{border-bottom:1px solid var(--line);background:var(--soft)}
.case .body{padding:4px 14px 10px}
.reason{margin:8px 0;font-size:14px}
.exchange{border-left:3px solid var(--line);padding:2px 0 2px 10px;margin:8px 0}
.exchange summary{cursor:pointer;color:var(--muted)}
.keys td{word-break:break-all}
[hidden]{display:none!important}
footer{margin-top:32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
td.cell{text-align:center;white-space:nowrap}
@media print{#filters{display:none}details.case{break-inside:avoid}pre{max-height:none}}
)CSS";

// The filters of index.html: verdict / section / level / role / text; counts what is shown.
constexpr std::string_view kReportScript = R"JS(
"use strict";
(function () {
  var form = document.getElementById("filters");
  var cases = Array.prototype.slice.call(document.querySelectorAll("#case-list > .case"));
  var shown = document.getElementById("shown");
  function matches(c) {
    var e = form.elements, v = e.verdict.value, q = e.q.value.trim().toLowerCase();
    if (v === "problems" ? c.getAttribute("data-severity") === "0" : v && c.getAttribute("data-verdict") !== v) return false;
    if (e.section.value && c.getAttribute("data-section") !== e.section.value) return false;
    if (e.level.value && c.getAttribute("data-level") !== e.level.value) return false;
    if (e.role.value && c.getAttribute("data-role") !== e.role.value) return false;
    return !q || c.getAttribute("data-search").indexOf(q) >= 0;
  }
  function apply() {
    var n = 0;
    cases.forEach(function (c) { var ok = matches(c); c.hidden = !ok; if (ok) n++; });
    shown.textContent = n + " of " + cases.length + " cases shown";
    shown.setAttribute("data-count", String(n));
  }
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el || !el.classList.contains("case")) return;
    if (el.hidden) { form.reset(); apply(); }
    el.open = true;
    el.scrollIntoView();
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-verdict-filter]"), function (b) {
    b.addEventListener("click", function () {
      form.reset();
      form.elements.verdict.value = b.getAttribute("data-verdict-filter");
      apply();
      form.scrollIntoView();
    });
  });
  document.getElementById("expand").addEventListener("click", function () {
    cases.forEach(function (c) { if (!c.hidden) c.open = true; });
  });
  document.getElementById("collapse").addEventListener("click", function () {
    cases.forEach(function (c) { c.open = false; });
  });
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
})();
)JS";

// The filters of the comparison page: rows where the targets differ, rows with a verdict.
constexpr std::string_view kComparisonScript = R"JS(
"use strict";
(function () {
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  var shown = document.getElementById("shown");
  function apply() {
    var differ = form.elements.differ.checked, v = form.elements.verdict.value, n = 0, cases = 0;
    rows.forEach(function (r) {
      var ok = (!differ || r.getAttribute("data-differs") === "1") &&
               (!v || (" " + r.getAttribute("data-verdicts") + " ").indexOf(" " + v + " ") >= 0);
      r.hidden = !ok;
      if (ok && r.getAttribute("data-row") === "case") cases++;
      if (ok) n++;
    });
    // A section heading shows while one of its rows does.
    Array.prototype.forEach.call(document.querySelectorAll("tr.group"), function (g) {
      var any = false;
      for (var r = g.nextElementSibling; r && !r.classList.contains("group"); r = r.nextElementSibling) any = any || !r.hidden;
      g.hidden = !any;
    });
    shown.textContent = cases + " cases shown";
    shown.setAttribute("data-count", String(cases));
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  apply();
})();
)JS";

std::string page_start(std::string_view title, std::string_view script) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + esc(content_security_policy(kStyle, script)) +
         "\">\n";
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  return out;
}

std::string page_end(std::string_view script) { return "<script>" + std::string(script) + "</script>\n</body>\n</html>\n"; }

// --- evidence bodies ------------------------------------------------------------------------

// Escapes pretty-printed XML and marks its tags for colour (.xt).
std::string highlight_xml(std::string_view xml_text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < xml_text.size()) {
    const std::size_t lt = xml_text.find('<', pos);
    if (lt == std::string_view::npos) {
      out += esc(xml_text.substr(pos));
      break;
    }
    out += esc(xml_text.substr(pos, lt - pos));
    std::size_t gt = xml_text.find('>', lt);
    gt = gt == std::string_view::npos ? xml_text.size() : gt + 1;
    out += "<span class=\"xt\">" + esc(xml_text.substr(lt, gt - lt)) + "</span>";
    pos = gt;
  }
  return out;
}

class BodyRenderer {
 public:
  explicit BodyRenderer(const HtmlLimits& limits) : limits_(limits), remaining_(limits.max_evidence_bytes) {}

  std::string render(const std::string& body) {
    if (body.empty()) return "<p class=\"note\">(empty body)</p>\n";
    if (remaining_ == 0) {
      return "<p class=\"note\">(" + std::to_string(body.size()) +
             " bytes not shown: this page's evidence budget is spent; the body is in report.json)</p>\n";
    }
    const std::size_t cap = std::min(limits_.max_body_bytes, remaining_);
    std::string_view shown = utf8_prefix(body, cap);
    remaining_ -= shown.size();
    std::string out = "<pre class=\"xml\">";
    std::optional<std::string> pretty;
    if (shown.size() == body.size() && body.size() <= limits_.max_pretty_bytes) pretty = pretty_xml(body);
    out += pretty ? highlight_xml(*pretty) : esc(shown);
    out += "</pre>\n";
    if (shown.size() < body.size()) {
      out += "<p class=\"note\">truncated: the first " + std::to_string(shown.size()) + " of " +
             std::to_string(body.size()) + " bytes are shown; the whole body is in report.json</p>\n";
    }
    return out;
  }

 private:
  const HtmlLimits& limits_;
  std::size_t remaining_;
};

std::string exchange_html(const json& x, BodyRenderer& bodies) {
  const json& rq = member(x, "request");
  const json& rs = member(x, "response");
  const std::string& body_in = str(rq, "body");
  const std::string& body_out = str(rs, "body");
  std::string out = "<div class=\"exchange\">\n<div><b>" + esc(str(x, "label")) + "</b></div>\n";
  std::string head = "POST " + str(x, "url") + "\nContent-Type: " + str(rq, "content_type");
  if (!str(rq, "soap_action").empty()) head += "\nSOAPAction: " + str(rq, "soap_action");
  out += "<pre class=\"hdrs\">" + esc(head) + "</pre>\n";
  out += "<details><summary>request body (" + std::to_string(body_in.size()) + " bytes)</summary>\n" +
         bodies.render(body_in) + "</details>\n";
  if (!str(x, "error").empty()) {
    out += "<p class=\"bad\">no response: " + esc(str(x, "error")) + "</p>\n";
  } else {
    std::string rhead = "HTTP " + std::to_string(num(rs, "status"));
    if (!str(rs, "content_type").empty()) rhead += "\nContent-Type: " + str(rs, "content_type");
    out += "<pre class=\"hdrs\">" + esc(rhead) + "</pre>\n";
    out += "<details><summary>response body (" + std::to_string(body_out.size()) + " bytes)</summary>\n" +
           bodies.render(body_out) + "</details>\n";
  }
  return out + "</div>\n";
}

std::string requirement_html(const json& r) {
  std::string out = "<li><a href=\"#req-" + esc(str(r, "id")) + "\"><b>" + esc(str(r, "id")) + "</b></a> ";
  if (!str(r, "level").empty()) out += "<b>" + esc(str(r, "level")) + "</b> ";
  out += "<span class=\"meta\">" + esc(str(r, "spec")) + " " + esc(str(r, "version")) + " \xC2\xA7" +
         esc(str(r, "section")) + "</span><br>";
  out += "<span class=\"req-text\">";
  if (flag(r, "quoted")) {
    out += "<q>" + esc(str(r, "text")) + "</q> <span class=\"meta\">(quoted)</span>";
  } else {
    out += esc(str(r, "text")) + " <span class=\"meta\">(paraphrased)</span>";
  }
  out += "</span><span class=\"src\">source: " + esc(str(r, "source"));
  if (!str(r, "status").empty()) out += "; " + esc(status_text(str(r, "status")));
  return out + "</span></li>\n";
}

std::string case_html(const json& c, BodyRenderer& bodies) {
  const std::string& id = str(c, "id");
  const std::string& verdict = str(c, "verdict");
  std::string reqs_ids;
  for (const auto& r : member(c, "requirements")) reqs_ids += " " + str(r, "id");
  const std::string search = lower_ascii(id + " " + str(c, "title") + " " + str(c, "reason") + reqs_ids);
  std::string out = "<details class=\"case\" id=\"case-" + esc(id) + "\" data-verdict=\"" + esc(verdict) +
                    "\" data-severity=\"" + std::to_string(std::max(0, verdict_severity(verdict))) +
                    "\" data-section=\"" + esc(section_key(c)) + "\" data-level=\"" + esc(str(c, "level")) +
                    "\" data-role=\"" + esc(str(c, "role")) + "\" data-search=\"" + esc(search) + "\">\n";
  out += "<summary>" + badge(verdict) + " <code>" + esc(id) + "</code> <span>" + esc(str(c, "title")) +
         "</span></summary>\n<div class=\"body\">\n";
  out += "<p class=\"reason\"><b>Reason:</b> " + esc(str(c, "reason")) + "</p>\n";
  if (!str(c, "raw_verdict").empty() && str(c, "raw_verdict") != verdict) {
    out += "<p class=\"note\">The case found " + esc(str(c, "raw_verdict")) + "; reported as " + esc(verdict) +
           " by the verdict rules (requirement level or source status).</p>\n";
  }
  if (const json& b = member(c, "baseline"); b.is_object()) {
    out += "<p><b>Baseline:</b> " + esc(str(b, "reason")) +
           (flag(b, "unexpected") ? " <b class=\"bad\">(unexpected: the result differs from the baseline)</b>" : "") +
           "</p>\n";
  }
  out += "<p class=\"meta\">" + esc(section_key(c)) + " \xC2\xB7 level " + esc(str(c, "level")) + " \xC2\xB7 role " +
         esc(str(c, "role")) + (flag(c, "wcf_profile") ? " \xC2\xB7 WCF interop profile" : "") + " \xC2\xB7 " +
         std::to_string(num(c, "duration_ms")) + " ms</p>\n";
  out += "<h4>Requirements</h4>\n<ul>\n";
  for (const auto& r : member(c, "requirements")) out += requirement_html(r);
  out += "</ul>\n<h4>Replay</h4>\n<pre class=\"cmd\">" + esc(str(c, "replay")) + "</pre>\n";
  const json& ev = member(c, "evidence");
  out += "<h4>Evidence</h4>\n";
  if (!member(ev, "notes").empty()) {
    out += "<ul>\n";
    for (const auto& n : member(ev, "notes")) out += "<li>" + esc(n.is_string() ? n.get<std::string>() : n.dump()) + "</li>\n";
    out += "</ul>\n";
  }
  if (!member(ev, "keys").empty()) {
    out += "<table class=\"keys\"><tr><th>key</th><th>value (hex)</th></tr>\n";
    for (const auto& k : member(ev, "keys")) {
      out += "<tr><td>" + esc(str(k, "label")) + "</td><td class=\"mono\">" + esc(str(k, "key")) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  for (const auto& x : member(ev, "exchanges")) out += exchange_html(x, bodies);
  if (member(ev, "exchanges").empty() && member(ev, "keys").empty() && member(ev, "notes").empty()) {
    out += "<p class=\"note\">(no evidence recorded)</p>\n";
  }
  return out + "</div>\n</details>\n";
}

// --- coverage --------------------------------------------------------------------------------

// The requirements to show: the report's catalog, or (older reports) those its cases cite.
json coverage_catalog(const json& report) {
  const json& catalog = member(report, "catalog");
  if (catalog.is_array() && !catalog.empty()) return catalog;
  json out = json::array();
  std::map<std::string, std::size_t> index;
  for (const auto& c : member(report, "cases")) {
    for (const auto& r : member(c, "requirements")) {
      const std::string& id = str(r, "id");
      auto [it, added] = index.emplace(id, out.size());
      if (added) {
        json one = r;
        one["cases"] = json::array();
        out.push_back(one);
      }
      out[it->second]["cases"].push_back(str(c, "id"));
    }
  }
  return out;
}

// What the cases citing a requirement found: the worst verdict, "NOT_APPLICABLE" when none of
// them applied, "UNTESTED" when no case cites it.
std::string requirement_result(const json& req, const std::map<std::string, std::string>& verdicts) {
  std::string worst;
  int worst_rank = -1;
  bool any = false;
  for (const auto& id : member(req, "cases")) {
    auto it = verdicts.find(id.is_string() ? id.get<std::string>() : "");
    if (it == verdicts.end()) continue;
    any = true;
    const std::string& v = it->second;
    int rank = verdict_severity(v) * 10 + (v == "PASS" ? 3 : v == "INFO" ? 2 : v == "NOT_APPLICABLE" ? 1 : 4);
    if (rank > worst_rank) {
      worst_rank = rank;
      worst = v;
    }
  }
  return any ? worst : "UNTESTED";
}

// A stacked bar of counts as inline SVG (presentation attributes, which the CSP allows; a
// style attribute would be blocked).
std::string coverage_bar(const std::vector<std::pair<std::size_t, const char*>>& parts) {
  constexpr double kWidth = 160;
  std::size_t total = 0;
  for (const auto& [n, colour] : parts) total += n;
  std::string out = "<svg width=\"160\" height=\"12\" role=\"img\" class=\"bar\">";
  double x = 0;
  for (const auto& [n, colour] : parts) {
    if (n == 0 || total == 0) continue;
    const double w = kWidth * static_cast<double>(n) / static_cast<double>(total);
    char rect[160];
    std::snprintf(rect, sizeof(rect), "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>", x, w, colour);
    out += rect;
    x += w;
  }
  return out + "</svg>";
}

std::string coverage_html(const json& report, const std::map<std::string, std::string>& verdicts) {
  const json catalog = coverage_catalog(report);
  // Groups by spec section, in catalog order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> groups;
  for (const auto& r : catalog) {
    const std::string key = section_key(r);
    if (groups.find(key) == groups.end()) order.push_back(key);
    groups[key].push_back(&r);
  }
  std::string summary =
      "<table class=\"sections\">\n<tr><th>section</th><th>heading</th><th class=\"n\">requirements</th>"
      "<th class=\"n\">tested</th><th class=\"n\">pass</th><th class=\"n\">warn</th><th class=\"n\">fail</th>"
      "<th class=\"n\">not applicable</th><th class=\"n\">untested</th><th>coverage</th></tr>\n";
  std::string matrix =
      "<table class=\"matrix\">\n<tr><th>requirement</th><th>level</th><th>text</th><th>cases</th></tr>\n";
  std::size_t total = 0, tested = 0;
  for (const auto& key : order) {
    std::size_t n_pass = 0, n_warn = 0, n_fail = 0, n_na = 0, n_untested = 0;
    const std::string& heading = str(*groups[key].front(), "heading");
    matrix += "<tr class=\"group\"><th colspan=\"4\">" + esc(key) + (heading.empty() ? "" : " \xE2\x80\x94 " + esc(heading)) +
              "</th></tr>\n";
    for (const json* r : groups[key]) {
      const std::string result = requirement_result(*r, verdicts);
      ++total;
      if (result == "UNTESTED") {
        ++n_untested;
      } else {
        ++tested;
        const int sev = verdict_severity(result);
        if (result == "NOT_APPLICABLE") {
          ++n_na;
        } else if (sev == 0) {
          ++n_pass;
        } else if (sev == 1) {
          ++n_warn;
        } else {
          ++n_fail;
        }
      }
      matrix += "<tr id=\"req-" + esc(str(*r, "id")) + "\" data-result=\"" + esc(result) + "\"><td><b>" +
                esc(str(*r, "id")) + "</b></td><td>" + esc(str(*r, "level")) + "</td><td class=\"req-text\">" +
                (flag(*r, "quoted") ? "<q>" + esc(str(*r, "text")) + "</q>" : esc(str(*r, "text"))) +
                "<span class=\"src\">" + (flag(*r, "quoted") ? "quoted" : "paraphrased") + "; source: " +
                esc(str(*r, "source")) + (str(*r, "status").empty() ? "" : "; " + esc(status_text(str(*r, "status")))) +
                "</span></td><td><div class=\"chips\">";
      if (result == "UNTESTED") {
        matrix += badge("UNTESTED", "s");
        if (!str(*r, "untested_reason").empty()) matrix += " <span class=\"note\">" + esc(str(*r, "untested_reason")) + "</span>";
      }
      for (const auto& cid : member(*r, "cases")) {
        const std::string id = cid.is_string() ? cid.get<std::string>() : "";
        auto it = verdicts.find(id);
        const std::string v = it == verdicts.end() ? "NONE" : it->second;
        matrix += "<a class=\"v s " + verdict_class(v) + "\" href=\"#case-" + esc(id) + "\" title=\"" + esc(id + ": " + v) +
                  "\">" + esc(id.substr(id.rfind('/') + 1)) + "</a>";
      }
      matrix += "</div></td></tr>\n";
    }
    auto cell = [](std::size_t n) { return "<td class=\"n\">" + (n == 0 ? std::string("\xC2\xB7") : std::to_string(n)) + "</td>"; };
    summary += "<tr><td>" + esc(key) + "</td><td>" + esc(heading) + "</td>" + cell(groups[key].size()) +
               cell(groups[key].size() - n_untested) + cell(n_pass) + cell(n_warn) + cell(n_fail) + cell(n_na) +
               cell(n_untested) + "<td>" +
               coverage_bar({{n_pass, "#1a7f37"}, {n_warn, "#9a6700"}, {n_fail, "#cf222e"}, {n_na, "#8c959f"},
                             {n_untested, "#eaeef2"}}) +
               "</td></tr>\n";
  }
  summary += "</table>\n";
  matrix += "</table>\n";
  return "<section id=\"coverage\">\n<h2>Requirement coverage</h2>\n<p>" + std::to_string(tested) + " of " +
         std::to_string(total) +
         " requirements are covered by a case in this run; each row shows the worst verdict of the cases citing it. "
         "Requirement texts are paraphrased unless marked quoted.</p>\n" +
         summary + "<details><summary>Every requirement</summary>\n" + matrix + "</details>\n</section>\n";
}

std::string select_html(const char* name, const char* label, const std::vector<std::pair<std::string, std::string>>& options) {
  std::string out = "<label for=\"f-" + std::string(name) + "\">" + label + "</label> <select id=\"f-" + name +
                    "\" name=\"" + name + "\"><option value=\"\">any</option>";
  for (const auto& [value, text] : options) out += "<option value=\"" + esc(value) + "\">" + esc(text) + "</option>";
  return out + "</select>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
          out += "&#xFFFD;";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  // Back off over continuation bytes to the start of the sequence max cuts into.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::optional<std::string> pretty_xml(std::string_view text) {
  xml::ParseLimits limits;
  limits.max_bytes = std::max<std::size_t>(text.size(), 1);
  auto doc = xml::parse(text, limits);
  if (!doc.ok() || doc->root() == nullptr) return std::nullopt;
  // Whitespace between elements would stop libxml2 from indenting: drop it (a display copy).
  std::vector<xmlNode*> stack{doc->root()};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    bool has_elements = false;
    for (xmlNode* c = n->children; c != nullptr; c = c->next) has_elements = has_elements || c->type == XML_ELEMENT_NODE;
    for (xmlNode* c = n->children; c != nullptr;) {
      xmlNode* next = c->next;
      if (c->type == XML_ELEMENT_NODE) {
        stack.push_back(c);
      } else if (has_elements && c->type == XML_TEXT_NODE && xmlIsBlankNode(c) != 0) {
        xmlUnlinkNode(c);
        xmlFreeNode(c);
      }
      c = next;
    }
  }
  xml::ErrorCapture capture;
  xmlBufferPtr buffer = xmlBufferCreate();
  if (buffer == nullptr) return std::nullopt;
  xmlSaveCtxtPtr save = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
  std::optional<std::string> out;
  if (save != nullptr) {
    const long written = xmlSaveDoc(save, doc->get());
    xmlSaveClose(save);
    if (written >= 0) out = std::string(xml::from_xml_chars(xmlBufferContent(buffer)), xmlBufferLength(buffer));
  }
  xmlBufferFree(buffer);
  while (out && !out->empty() && out->back() == '\n') out->pop_back();
  return out;
}

std::string content_security_policy(std::string_view style, std::string_view script) {
  auto hash = [](std::string_view s) {
    auto digest = crypto::sha256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    return "'sha256-" + (digest.ok() ? base64_encode(*digest) : std::string("unavailable")) + "'";
  };
  return "default-src 'none'; style-src " + hash(style) + "; script-src " + hash(script) +
         "; base-uri 'none'; form-action 'none'";
}

std::string html_report(const json& report, const HtmlLimits& limits) {
  const json& target = member(report, "target");
  const json& summary = member(report, "summary");
  const json& tool = member(report, "tool");
  const json& cases = member(report, "cases");
  std::map<std::string, std::string> verdicts;
  for (const auto& c : cases) verdicts[str(c, "id")] = str(c, "verdict");

  std::string out = page_start("parley report: " + str(target, "name"), kReportScript);
  out += "<header>\n<h1>parley conformance report: " + esc(str(target, "name")) + "</h1>\n";
  out += "<p class=\"meta\">suite <b>" + esc(str(report, "suite")) + "</b> against a " + esc(str(target, "kind")) +
         " target \xC2\xB7 " + esc(str(report, "started")) + " to " + esc(str(report, "finished")) + " \xC2\xB7 seed " +
         std::to_string(num(report, "seed")) + (flag(report, "strict") ? " \xC2\xB7 strict" : "") +
         (flag(report, "redacted") ? " \xC2\xB7 <b>redacted</b>" : " \xC2\xB7 not redacted") + " \xC2\xB7 parley " +
         esc(str(tool, "version")) + "</p>\n";
  if (flag(report, "interrupted")) {
    out += "<p class=\"bad\" id=\"interrupted\"><b>This run was interrupted</b> (SIGINT / SIGTERM): the cases "
           "that had not finished are ERROR, and the report covers only what ran.</p>\n";
  }
  out += "</header>\n";

  // Headline.
  const json& by = member(summary, "by_verdict");
  const long long failures = num(summary, "failures");
  out += "<section class=\"headline\" id=\"headline\">\n<div class=\"big\"><b>" +
         std::to_string(num(summary, "applicable")) + "</b> of " + std::to_string(num(summary, "total")) +
         " cases applicable</div>\n<div class=\"counts\">";
  for (auto v : kVerdictOrder) {
    const long long n = num(by, std::string(v).c_str());
    if (n == 0) continue;
    out += "<button type=\"button\" class=\"v " + verdict_class(v) + "\" data-verdict-filter=\"" + std::string(v) +
           "\" title=\"show the " + std::string(v) + " cases\">" + std::string(v) + " " + std::to_string(n) + "</button>";
  }
  out += "</div>\n<p>";
  out += failures == 0 ? "<b class=\"ok\">no failures</b>"
                       : "<b class=\"bad\">" + std::to_string(failures) + (failures == 1 ? " failure" : " failures") + "</b>";
  out += " (exit code " + std::to_string(num(summary, "exit_code")) + ")</p>\n<p>disclaimed capabilities: ";
  const json& disclaimed = member(summary, "disclaimed_capabilities");
  if (disclaimed.empty()) out += "none";
  for (std::size_t i = 0; i < disclaimed.size(); ++i) {
    out += (i ? ", " : "") + esc(disclaimed[i].is_string() ? disclaimed[i].get<std::string>() : disclaimed[i].dump());
  }
  out += "</p>\n</section>\n";

  out += coverage_html(report, verdicts);

  // Cases and their filters.
  std::vector<std::pair<std::string, std::string>> verdict_options{{"problems", "any problem"}};
  for (auto v : kVerdictOrder) {
    const long long n = num(by, std::string(v).c_str());
    if (n > 0) verdict_options.emplace_back(std::string(v), std::string(v) + " (" + std::to_string(n) + ")");
  }
  std::vector<std::string> sections;
  std::set<std::string> levels, roles;
  for (const auto& c : cases) {
    const std::string key = section_key(c);
    if (std::find(sections.begin(), sections.end(), key) == sections.end()) sections.push_back(key);
    levels.insert(str(c, "level"));
    roles.insert(str(c, "role"));
  }
  auto pairs = [](const auto& values) {
    std::vector<std::pair<std::string, std::string>> o;
    for (const auto& v : values) o.emplace_back(v, v);
    return o;
  };
  out += "<section id=\"cases\">\n<h2>Cases</h2>\n<form id=\"filters\" autocomplete=\"off\">\n";
  out += select_html("verdict", "verdict", verdict_options);
  out += select_html("section", "section", pairs(sections));
  out += select_html("level", "level", pairs(levels));
  out += select_html("role", "role", pairs(roles));
  out += "<label for=\"f-q\">text</label> <input id=\"f-q\" name=\"q\" type=\"search\" placeholder=\"case, requirement, reason\">\n";
  out += "<button type=\"reset\">clear</button> <button type=\"button\" id=\"expand\">expand</button> "
         "<button type=\"button\" id=\"collapse\">collapse</button>\n";
  out += "<span id=\"shown\" data-count=\"" + std::to_string(cases.size()) + "\">" + std::to_string(cases.size()) + " of " +
         std::to_string(cases.size()) + " cases shown</span>\n</form>\n<div id=\"case-list\">\n";
  BodyRenderer bodies(limits);
  for (const auto& c : cases) out += case_html(c, bodies);
  out += "</div>\n</section>\n";

  out += "<footer>Generated by parley from report.json (" + esc(str(report, "schema")) + "); requirement catalog " +
         esc(str(report, "catalog_digest").substr(0, 16)) + "\xE2\x80\xA6; target profile " +
         esc(str(target, "profile_path")) + ". Everything shown from the target is quoted as received (up to " +
         std::to_string(limits.max_body_bytes) + " bytes per body).</footer>\n";
  out += page_end(kReportScript);
  return out;
}

std::string html_comparison(const json& comparison) {
  const json& targets = member(comparison, "targets");
  const std::size_t n = targets.size();
  std::string out = page_start("parley comparison of " + std::to_string(n) + " reports", kComparisonScript);
  out += "<header>\n<h1>parley comparison: " + std::to_string(n) + " targets</h1>\n<p class=\"meta\">one column per "
         "report; rows by requirement and by case. Hover a verdict for its reason; click it for the target's own "
         "report.</p>\n</header>\n";

  out += "<section id=\"targets\">\n<h2>Targets</h2>\n<table>\n<tr><th>#</th><th>target</th><th>suite</th><th>started</th>"
         "<th>parley</th><th class=\"n\">applicable</th>";
  for (auto v : kVerdictOrder) out += "<th class=\"n\">" + std::string(v) + "</th>";
  out += "<th>report</th></tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    const json& t = targets[i];
    const json& s = member(t, "summary");
    out += "<tr><td>" + std::to_string(i + 1) + "</td><td><b>" + esc(str(t, "label")) + "</b><br><span class=\"meta\">" +
           esc(str(t, "kind")) + (flag(t, "redacted") ? ", redacted" : "") + "</span></td><td>" + esc(str(t, "suite")) +
           "</td><td>" + esc(str(t, "started")) + "</td><td>" + esc(str(t, "tool_version")) + "</td><td class=\"n\">" +
           std::to_string(num(s, "applicable")) + " / " + std::to_string(num(s, "total")) + "</td>";
    for (auto v : kVerdictOrder) out += "<td class=\"n\">" + std::to_string(num(member(s, "by_verdict"), std::string(v).c_str())) + "</td>";
    out += "<td>" + (str(t, "index_html").empty() ? esc(str(t, "report_dir"))
                                                  : "<a href=\"" + esc(str(t, "index_html")) + "\">" + esc(str(t, "report_dir")) + "</a>") +
           "</td></tr>\n";
  }
  out += "</table>\n</section>\n";

  out += "<form id=\"filters\" autocomplete=\"off\">\n<label><input type=\"checkbox\" name=\"differ\"> only rows where the "
         "targets differ</label>\n";
  std::vector<std::pair<std::string, std::string>> verdict_options;
  for (auto v : kVerdictOrder) verdict_options.emplace_back(std::string(v), std::string(v));
  verdict_options.emplace_back("UNTESTED", "UNTESTED");
  out += select_html("verdict", "some target has", verdict_options);
  out += "<span id=\"shown\"></span>\n</form>\n";

  auto header_row = [&](const char* first, int extra_cols) {
    std::string h = std::string("<tr><th>") + first + "</th>";
    for (int i = 0; i < extra_cols; ++i) h += "<th></th>";
    for (std::size_t i = 0; i < n; ++i) h += "<th class=\"cell\" title=\"" + esc(str(targets[i], "label")) + "\">" + std::to_string(i + 1) + ". " + esc(str(targets[i], "label")) + "</th>";
    return h + "</tr>\n";
  };
  auto row_attrs = [](const char* kind, const std::vector<std::string>& vs) {
    std::set<std::string> distinct(vs.begin(), vs.end());
    std::string joined;
    for (const auto& v : distinct) joined += (joined.empty() ? "" : " ") + v;
    return std::string(" data-row=\"") + kind + "\" data-differs=\"" + (distinct.size() > 1 ? "1" : "0") +
           "\" data-verdicts=\"" + esc(joined) + "\"";
  };

  // Requirements.
  out += "<section id=\"requirements\">\n<h2>Requirements</h2>\n<p class=\"meta\">the worst verdict of the cases citing "
         "each requirement, per target.</p>\n<table>\n" + header_row("requirement", 2);
  std::string last_group;
  for (const auto& r : member(comparison, "requirements")) {
    const std::string group = section_key(r);
    if (group != last_group) {
      out += "<tr class=\"group\"><th colspan=\"" + std::to_string(3 + n) + "\">" + esc(group) + "</th></tr>\n";
      last_group = group;
    }
    std::vector<std::string> vs;
    for (const auto& v : member(r, "results")) vs.push_back(v.is_string() ? v.get<std::string>() : "NONE");
    out += "<tr" + row_attrs("requirement", vs) + "><td><b>" + esc(str(r, "id")) + "</b></td><td>" + esc(str(r, "level")) +
           "</td><td class=\"req-text\">" + esc(str(r, "text")) + "</td>";
    for (const auto& v : vs) out += "<td class=\"cell\">" + badge(v, "s") + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n</section>\n";

  // Cases.
  out += "<section id=\"cases\">\n<h2>Cases</h2>\n<table>\n" + header_row("case", 1);
  last_group.clear();
  for (const auto& c : member(comparison, "cases")) {
    const std::string group = section_key(c);
    if (group != last_group) {
      out += "<tr class=\"group\"><th colspan=\"" + std::to_string(2 + n) + "\">" + esc(group) + "</th></tr>\n";
      last_group = group;
    }
    std::vector<std::string> vs;
    const json& results = member(c, "results");
    for (const auto& res : results) vs.push_back(res.is_object() ? str(res, "verdict") : "NONE");
    std::string reqs;
    for (const auto& r : member(c, "requirements")) reqs += (reqs.empty() ? "" : " ") + (r.is_string() ? r.get<std::string>() : "");
    out += "<tr" + row_attrs("case", vs) + "><td><code>" + esc(str(c, "id")) + "</code><br><span class=\"meta\">" +
           esc(str(c, "title")) + "</span></td><td class=\"meta\">" + esc(reqs) + "</td>";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const json& res = results[i];
      if (!res.is_object()) {
        out += "<td class=\"cell\"><span class=\"v s v-NONE\" title=\"not run\">\xE2\x80\x94</span></td>";
        continue;
      }
      const std::string& index = i < n ? str(targets[i], "index_html") : str(json(), "");
      const std::string title = str(res, "verdict") + ": " + str(res, "reason");
      if (index.empty()) {
        out += "<td class=\"cell\"><span class=\"v s " + verdict_class(str(res, "verdict")) + "\" title=\"" + esc(title) +
               "\">" + esc(str(res, "verdict")) + "</span></td>";
      } else {
        out += "<td class=\"cell\"><a class=\"v s " + verdict_class(str(res, "verdict")) + "\" title=\"" + esc(title) +
               "\" href=\"" + esc(index + "#case-" + str(c, "id")) + "\">" + esc(str(res, "verdict")) + "</a></td>";
      }
    }
    out += "</tr>\n";
  }
  out += "</table>\n</section>\n<footer>Generated by parley report merge (" + esc(str(comparison, "schema")) +
         "); the merged data is in comparison.json.</footer>\n";
  out += page_end(kComparisonScript);
  return out;
}

}  // namespace parley::report
