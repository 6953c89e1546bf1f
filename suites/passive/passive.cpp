#include "suites/passive/passive.h"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace parley::suites {

Status register_passive(engine::Registry& registry) {
  PARLEY_TRY(passive::register_wssc(registry));
  PARLEY_TRY(passive::register_wif(registry));
  return ok_status();
}

Result<engine::AnalysisKeys> parse_analysis_keys(std::string_view toml_text, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Error(ErrorCode::kParse, std::string(e.description()), path);
  }
  engine::AnalysisKeys keys;
  keys.path = path;
  for (const auto& [k, v] : table) {
    if (k != "context" && k != "cookie") {
      return Error(ErrorCode::kInvalidArgument, "unknown key '" + std::string(k.str()) + "' (context, cookie)", path);
    }
  }
  auto each = [&](const char* name, const std::function<Status(const toml::table&, const std::string&)>& f) -> Status {
    const toml::node* node = table.get(name);
    if (node == nullptr) return ok_status();
    const toml::array* arr = node->as_array();
    if (arr == nullptr) return Error(ErrorCode::kInvalidArgument, std::string(name) + " must be [[" + name + "]]", path);
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::table* t = (*arr)[i].as_table();
      const std::string where = path + " " + name + "[" + std::to_string(i) + "]";
      if (t == nullptr) return Error(ErrorCode::kInvalidArgument, "not a table", where);
      PARLEY_TRY(f(*t, where));
    }
    return ok_status();
  };
  PARLEY_TRY(each("context", [&](const toml::table& t, const std::string& where) -> Status {
    engine::AnalysisKeys::Context c;
    for (const auto& [k, v] : t) {
      if (k != "identifier" && k != "instance" && k != "key") {
        return Error(ErrorCode::kInvalidArgument, "unknown key '" + std::string(k.str()) + "'", where);
      }
    }
    auto id = t["identifier"].value<std::string>();
    auto key = t["key"].value<std::string>();
    if (!id || id->empty()) return Error(ErrorCode::kInvalidArgument, "identifier missing", where);
    if (!key) return Error(ErrorCode::kInvalidArgument, "key missing", where);
    c.identifier = *id;
    c.instance = t["instance"].value_or(std::string());
    auto bytes = decode_hex_or_base64(*key);
    if (!bytes.ok()) return std::move(bytes.error()).within(where + " key");
    c.key = std::move(*bytes);
    keys.contexts.push_back(std::move(c));
    return ok_status();
  }));
  PARLEY_TRY(each("cookie", [&](const toml::table& t, const std::string& where) -> Status {
    auto key = t["key"].value<std::string>();
    if (!key) return Error(ErrorCode::kInvalidArgument, "key missing", where);
    auto bytes = decode_hex_or_base64(*key);
    if (!bytes.ok()) return std::move(bytes.error()).within(where + " key");
    keys.cookie_keys.push_back(std::move(*bytes));
    return ok_status();
  }));
  return keys;
}

Result<engine::AnalysisKeys> load_analysis_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kIo, "cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) return Error(ErrorCode::kLimitExceeded, "over 1 MiB", path);
  return parse_analysis_keys(text.str(), path);
}

}  // namespace parley::suites
