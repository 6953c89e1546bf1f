// parse_sts_config: the [sts] table of `parley serve --config` (docs/oracle-config.md).
#include <filesystem>
#include <set>

#include "harness/fed/sts.h"

namespace parley::fed {

namespace {

Error config_error(std::string what, std::string where) {
  return Error(ErrorCode::kInvalidArgument, std::move(what), std::move(where));
}

std::string resolve(const std::string& base_dir, const std::string& file) {
  if (file.empty() || std::filesystem::path(file).is_absolute()) return file;
  return (std::filesystem::path(base_dir) / file).lexically_normal().string();
}

}  // namespace

Result<StsConfig> parse_sts_config(const toml::table& table, const std::string& base_dir) {
  StsConfig c;
  std::set<std::string> seen;
  const auto str = [&](const char* key, std::string& out) -> Status {
    seen.insert(key);
    if (!table.contains(key)) return ok_status();
    auto v = table[key].value<std::string>();
    if (!v) return config_error("must be a string", std::string("sts.") + key);
    out = *v;
    return ok_status();
  };
  const auto seconds = [&](const char* key, std::chrono::seconds& out, std::int64_t max) -> Status {
    seen.insert(key);
    if (!table.contains(key)) return ok_status();
    auto v = table[key].value<std::int64_t>();
    if (!v || *v < 0 || *v > max) {
      return config_error("must be an integer number of seconds in [0, " + std::to_string(max) + "]",
                          std::string("sts.") + key);
    }
    out = std::chrono::seconds(*v);
    return ok_status();
  };

  PARLEY_TRY(str("path_prefix", c.path_prefix));
  if (c.path_prefix.empty() || c.path_prefix.front() != '/' || c.path_prefix.back() != '/') {
    return config_error("must start and end with '/'", "sts.path_prefix");
  }
  PARLEY_TRY(str("public_url", c.public_url));
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  PARLEY_TRY(str("issuer", c.issuer));
  if (c.issuer.empty()) return config_error("must not be empty", "sts.issuer");
  PARLEY_TRY(str("signing_certificate", c.signing_certificate_file));
  PARLEY_TRY(str("signing_key", c.signing_key_file));
  c.signing_certificate_file = resolve(base_dir, c.signing_certificate_file);
  c.signing_key_file = resolve(base_dir, c.signing_key_file);
  if (c.signing_certificate_file.empty() != c.signing_key_file.empty()) {
    return config_error("signing_certificate and signing_key go together", "sts");
  }
  PARLEY_TRY(seconds("token_lifetime", c.token_lifetime, 7 * 24 * 3600));
  if (c.token_lifetime.count() == 0) return config_error("must be positive", "sts.token_lifetime");
  PARLEY_TRY(seconds("clock_skew", c.clock_skew, 24 * 3600));
  std::string text;
  PARLEY_TRY(str("token_format", text));
  if (!text.empty()) {
    Result<TokenFormat> f = parse_token_format(text);
    if (!f.ok()) return config_error(f.error().what(), "sts.token_format");
    c.token_format = *f;
  }
  text.clear();
  PARLEY_TRY(str("trust_version", text));
  if (text == "feb2005") {
    c.trust_version = names::TrustVersion::kFeb2005;
  } else if (text == "1.3") {
    c.trust_version = names::TrustVersion::k1_3;
  } else if (!text.empty()) {
    return config_error("must be \"feb2005\" or \"1.3\"", "sts.trust_version");
  }
  PARLEY_TRY(str("audience", c.audience));
  PARLEY_TRY(str("subject_name", c.subject_name));
  if (c.subject_name.empty()) return config_error("must not be empty", "sts.subject_name");
  PARLEY_TRY(str("name_id_format", c.name_id_format));
  PARLEY_TRY(str("default_acs_url", c.default_acs_url));
  seen.insert("allow_token_behaviours");
  if (table.contains("allow_token_behaviours")) {
    auto v = table["allow_token_behaviours"].value<bool>();
    if (!v) return config_error("must be true or false", "sts.allow_token_behaviours");
    c.allow_token_behaviours = *v;
  }
  seen.insert("claims");
  if (table.contains("claims")) {
    const toml::array* claims = table["claims"].as_array();
    if (claims == nullptr) return config_error("must be an array of {type, value} tables", "sts.claims");
    if (claims->size() > 256) return config_error("more than 256 claims", "sts.claims");
    c.claims.clear();
    for (std::size_t i = 0; i < claims->size(); ++i) {
      const std::string where = "sts.claims[" + std::to_string(i) + "]";
      const toml::table* claim = (*claims)[i].as_table();
      if (claim == nullptr) return config_error("must be a {type, value} table", where);
      for (const auto& [key, value] : *claim) {
        if (key.str() != "type" && key.str() != "value") {
          return config_error("unknown key '" + std::string(key.str()) + "'", where);
        }
      }
      auto type = (*claim)["type"].value<std::string>();
      auto value = (*claim)["value"].value<std::string>();
      if (!type || type->empty() || !value) return config_error("needs string keys type and value", where);
      c.claims.push_back({*type, *value});
    }
  }
  for (const auto& [key, value] : table) {
    if (!seen.count(std::string(key.str()))) {
      return config_error("unknown key '" + std::string(key.str()) + "'", "sts");
    }
  }
  return c;
}

}  // namespace parley::fed
