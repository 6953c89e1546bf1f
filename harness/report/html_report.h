// index.html: the report people read, generated from a report.json document (so `parley report
// html` can regenerate it and `parley report merge` reuses its pieces). One self-contained file:
// inline CSS and a small inline script (the filters), both pinned by hash in a
// Content-Security-Policy that forbids every network load. Everything that came from the target
// (bodies, reasons, URLs) is hostile and HTML-escaped; huge evidence is cut with a note.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace parley::report {

struct HtmlLimits {
  std::size_t max_body_bytes = 64u << 10;      // one message body shown; the rest is in report.json
  std::size_t max_evidence_bytes = 8u << 20;   // all bodies of one page together
  std::size_t max_pretty_bytes = 1u << 20;     // bigger XML is shown as sent, not reformatted
};

// Text for HTML element content and quoted attribute values: & < > " ' escaped, control
// characters other than tab and newlines shown as U+FFFD.
std::string html_escape(std::string_view text);

// The longest prefix of `text` of at most `max` bytes that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max);

// `text` indented by libxml2 after a safe parse (harness/core/xml.h limits), or nullopt when
// it is not well-formed XML (the caller shows it as sent).
std::optional<std::string> pretty_xml(std::string_view text);

// The Content-Security-Policy of every page: nothing but the page's own style and script.
std::string content_security_policy(std::string_view style, std::string_view script);

// index.html of one run, from its report.json document (checked by check_report()).
std::string html_report(const nlohmann::json& report, const HtmlLimits& limits = {});

// The comparison page of `parley report merge`, from its merged document (merge_reports()).
std::string html_comparison(const nlohmann::json& comparison);

}  // namespace parley::report
