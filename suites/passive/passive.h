// Passive observer checks (`parley analyze`): the same requirement IDs as the live cases,
// checked on recorded exchanges. IDs: passive/<area>/<name>. docs/analyze.md.
#pragma once

#include <string>

#include "harness/engine/passive.h"

namespace parley::suites {

// Every passive check: WS-SC / WS-Trust / WSS message rules and WIF cookie rules.
Status register_passive(engine::Registry& registry);

namespace passive {
Status register_wssc(engine::Registry& registry);  // wssc_passive.cpp
Status register_wif(engine::Registry& registry);   // wif_passive.cpp
}  // namespace passive

// --keys KEYS.toml (docs/analyze.md):
//   [[context]]  identifier = "urn:uuid:..."  instance = "" (optional)  key = "hex" | "base64:..."
//   [[cookie]]   key = "hex" | "base64:..."
Result<engine::AnalysisKeys> load_analysis_keys(const std::string& path);
Result<engine::AnalysisKeys> parse_analysis_keys(std::string_view toml_text, const std::string& path);

}  // namespace parley::suites
