// Small helpers the wssc parsers share (internal to harness/wssc).
#pragma once

#include <libxml/tree.h>

#include <string>

#include "harness/core/error.h"
#include "harness/core/xml.h"

namespace parley::wssc::detail {

// A parse error in the spec's terms: where (element path), what, and the requirement broken.
inline Error spec_error(std::string where, std::string what, std::string requirement = {}) {
  Error e(ErrorCode::kParse, std::move(what), std::move(where));
  if (!requirement.empty()) e.cite(std::move(requirement));
  return e;
}

// The element's text with XML whitespace trimmed at both ends.
inline std::string trimmed_text(const xmlNode* node) {
  std::string s = xml::text_content(node);
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace parley::wssc::detail
