#include "harness/oracle/rp_profile.h"

#include <filesystem>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "harness/core/text.h"

namespace parley::oracle {
namespace {

Error profile_error(std::string what, std::string where) {
  return Error(ErrorCode::kInvalidArgument, std::move(what), std::move(where));
}

// Typed reads from one table that report keys nobody asked for.
class Table {
 public:
  Table(const toml::table* table, std::string name) : table_(table), name_(std::move(name)) {}

  Result<std::string> str(const char* key, std::string fallback) {
    seen_.insert(key);
    if (!table_ || !table_->contains(key)) return fallback;
    auto v = (*table_)[key].value<std::string>();
    if (!v) return profile_error("must be a string", name_ + "." + key);
    return *v;
  }
  Result<bool> flag(const char* key, bool fallback) {
    seen_.insert(key);
    if (!table_ || !table_->contains(key)) return fallback;
    auto v = (*table_)[key].value<bool>();
    if (!v) return profile_error("must be true or false", name_ + "." + key);
    return *v;
  }
  Result<std::optional<std::uint64_t>> uint(const char* key, std::uint64_t min, std::uint64_t max) {
    seen_.insert(key);
    if (!table_ || !table_->contains(key)) return std::optional<std::uint64_t>{};
    auto v = (*table_)[key].value<std::int64_t>();
    if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < min || static_cast<std::uint64_t>(*v) > max) {
      return profile_error("must be an integer in " + std::to_string(min) + ".." + std::to_string(max),
                           name_ + "." + key);
    }
    return std::optional<std::uint64_t>{static_cast<std::uint64_t>(*v)};
  }
  Result<std::vector<std::string>> strings(const char* key) {
    seen_.insert(key);
    std::vector<std::string> out;
    if (!table_ || !table_->contains(key)) return out;
    const toml::array* arr = (*table_)[key].as_array();
    if (!arr || arr->size() > 64) return profile_error("must be an array of at most 64 strings", name_ + "." + key);
    for (const auto& item : *arr) {
      auto v = item.value<std::string>();
      if (!v) return profile_error("must be an array of strings", name_ + "." + key);
      out.push_back(*v);
    }
    return out;
  }
  const toml::array* array(const char* key) {
    seen_.insert(key);
    return table_ ? (*table_)[key].as_array() : nullptr;
  }
  Status no_unknown_keys() const {
    if (!table_) return ok_status();
    for (const auto& [key, value] : *table_) {
      if (!seen_.count(std::string(key.str()))) return profile_error("unknown key '" + std::string(key.str()) + "'", name_);
    }
    return ok_status();
  }

 private:
  const toml::table* table_;
  std::string name_;
  std::set<std::string> seen_;
};

Status check_url(const std::string& url, const std::string& where, bool required) {
  if (url.empty()) return required ? profile_error("is required", where) : ok_status();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return profile_error("'" + url + "' is not an http(s) URL", where);
  }
  if (url.find_first_of(" \t\r\n\"<>") != std::string::npos) return profile_error("'" + url + "' is not a URL", where);
  return ok_status();
}

Result<Bytes> key_bytes(Table& t, const char* key, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, t.str(key, ""));
  if (text.empty()) return Bytes{};
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return profile_error(bytes.error().message(), where + "." + key);
  return bytes;
}

}  // namespace

bool RelyingPartyProfile::is_session_cookie(std::string_view name) const {
  if (!cookie_pattern.empty()) return core::glob_match(cookie_pattern, name);
  if (!name.starts_with(cookie_name)) return false;
  const std::string_view rest = name.substr(cookie_name.size());
  // WIF chunks: Name, Name1, Name2, ... (no leading zero).
  if (rest.empty()) return true;
  if (rest[0] == '0') return false;
  return rest.find_first_not_of("0123456789") == std::string_view::npos;
}

Result<RelyingPartyProfile> parse_relying_party_profile(std::string_view text, const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& err) {
    std::ostringstream msg;
    msg << err.description() << " (line " << err.source().begin.line << ")";
    return profile_error(msg.str(), "target profile");
  }
  for (const auto& [key, value] : root) {
    const std::string k(key.str());
    if (k != "target" && k != "relying_party" && k != "capabilities" && k != "cookie_protection") {
      return profile_error("unknown table or key '" + k + "' (a relying-party profile has [target], [relying_party], "
                           "[capabilities], [cookie_protection])",
                           "target profile");
    }
  }
  RelyingPartyProfile p;
  Table rp(root["relying_party"].as_table(), "relying_party");
  PARLEY_ASSIGN_OR_RETURN(p.rp_url, rp.str("rp_url", ""));
  PARLEY_ASSIGN_OR_RETURN(p.protected_url, rp.str("protected_url", ""));
  PARLEY_ASSIGN_OR_RETURN(p.whoami_url, rp.str("whoami_url", ""));
  PARLEY_ASSIGN_OR_RETURN(p.signin_url, rp.str("signin_url", ""));
  PARLEY_ASSIGN_OR_RETURN(p.signout_url, rp.str("signout_url", ""));
  PARLEY_ASSIGN_OR_RETURN(p.realm, rp.str("realm", ""));
  PARLEY_ASSIGN_OR_RETURN(p.signin_method, rp.str("signin_method", p.signin_method));
  PARLEY_ASSIGN_OR_RETURN(p.unauthenticated, rp.str("unauthenticated", p.unauthenticated));
  PARLEY_ASSIGN_OR_RETURN(p.cookie_name, rp.str("cookie_name", p.cookie_name));
  PARLEY_ASSIGN_OR_RETURN(p.cookie_pattern, rp.str("cookie_pattern", ""));
  PARLEY_ASSIGN_OR_RETURN(p.sts_url, rp.str("sts_url", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string ca, rp.str("ca_file", ""));
  PARLEY_ASSIGN_OR_RETURN(p.farm_urls, rp.strings("farm_urls"));
  if (const toml::array* claims = rp.array("claims")) {
    if (claims->size() > 256) return profile_error("at most 256 claims", "relying_party.claims");
    for (const auto& item : *claims) {
      const toml::table* c = item.as_table();
      if (c == nullptr) return profile_error("each claim is { type = \"...\", value = \"...\" }", "relying_party.claims");
      Table claim(c, "relying_party.claims");
      PARLEY_ASSIGN_OR_RETURN(std::string type, claim.str("type", ""));
      PARLEY_ASSIGN_OR_RETURN(std::string value, claim.str("value", ""));
      PARLEY_TRY(claim.no_unknown_keys());
      if (type.empty()) return profile_error("a claim needs a type", "relying_party.claims");
      p.claims.emplace_back(std::move(type), std::move(value));
    }
  }
  PARLEY_TRY(rp.no_unknown_keys());
  PARLEY_TRY(check_url(p.protected_url, "relying_party.protected_url", true));
  PARLEY_TRY(check_url(p.sts_url, "relying_party.sts_url", true));
  PARLEY_TRY(check_url(p.rp_url, "relying_party.rp_url", false));
  PARLEY_TRY(check_url(p.whoami_url, "relying_party.whoami_url", false));
  PARLEY_TRY(check_url(p.signin_url, "relying_party.signin_url", false));
  PARLEY_TRY(check_url(p.signout_url, "relying_party.signout_url", false));
  for (const auto& u : p.farm_urls) PARLEY_TRY(check_url(u, "relying_party.farm_urls", true));
  if (p.signin_method != "wsfed" && p.signin_method != "saml2") {
    return profile_error("must be \"wsfed\" or \"saml2\"", "relying_party.signin_method");
  }
  if (p.unauthenticated != "redirect" && p.unauthenticated != "401") {
    return profile_error("must be \"redirect\" or \"401\"", "relying_party.unauthenticated");
  }
  if (p.cookie_name.empty() || p.cookie_name.find_first_of("=;, \t\"") != std::string::npos) {
    return profile_error("'" + p.cookie_name + "' is not a cookie name", "relying_party.cookie_name");
  }
  if (!ca.empty()) {
    std::filesystem::path path(ca);
    if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
    p.ca_file = path.lexically_normal().string();
  }

  Table caps(root["capabilities"].as_table(), "capabilities");
  PARLEY_ASSIGN_OR_RETURN(p.wif_cookie_format, caps.flag("wif_cookie_format", false));
  PARLEY_ASSIGN_OR_RETURN(auto chunk, caps.uint("chunk_size", 1, 1u << 16));
  if (chunk) p.chunk_size = static_cast<std::size_t>(*chunk);
  PARLEY_ASSIGN_OR_RETURN(p.reference_mode, caps.flag("reference_mode", false));
  PARLEY_ASSIGN_OR_RETURN(p.sliding, caps.flag("sliding", false));
  PARLEY_ASSIGN_OR_RETURN(p.persistent, caps.flag("persistent", false));
  PARLEY_ASSIGN_OR_RETURN(auto lifetime, caps.uint("session_lifetime_seconds", 1, 10ull * 365 * 86400));
  if (lifetime) p.session_lifetime_seconds = *lifetime;
  PARLEY_ASSIGN_OR_RETURN(auto skew, caps.uint("max_clock_skew_seconds", 0, 86400));
  if (skew) p.max_clock_skew_seconds = *skew;
  PARLEY_ASSIGN_OR_RETURN(p.max_chunks, caps.uint("max_chunks", 1, 100000));
  PARLEY_ASSIGN_OR_RETURN(p.cache_max_entries, caps.uint("cache_max_entries", 1, 10'000'000));
  PARLEY_TRY(caps.no_unknown_keys());

  Table prot(root["cookie_protection"].as_table(), "cookie_protection");
  PARLEY_ASSIGN_OR_RETURN(p.transforms, prot.strings("transforms"));
  PARLEY_ASSIGN_OR_RETURN(p.machine_key_decryption_key,
                          key_bytes(prot, "machine_key_decryption_key", "cookie_protection"));
  PARLEY_ASSIGN_OR_RETURN(p.machine_key_validation_key,
                          key_bytes(prot, "machine_key_validation_key", "cookie_protection"));
  PARLEY_ASSIGN_OR_RETURN(p.machine_key_validation, prot.str("machine_key_validation", p.machine_key_validation));
  PARLEY_ASSIGN_OR_RETURN(std::string rsa, prot.str("rsa_key_file", ""));
  PARLEY_TRY(prot.no_unknown_keys());
  for (const auto& t : p.transforms) {
    if (t != "deflate" && t != "machinekey" && t != "rsa-encryption" && t != "rsa-signature") {
      return profile_error("unknown transform '" + t + "' (deflate, machinekey, rsa-encryption, rsa-signature)",
                           "cookie_protection.transforms");
    }
    if (t == "machinekey" && (p.machine_key_decryption_key.empty() || p.machine_key_validation_key.empty())) {
      return profile_error("machinekey needs machine_key_decryption_key and machine_key_validation_key",
                           "cookie_protection");
    }
    if (t.starts_with("rsa-") && rsa.empty()) return profile_error(t + " needs rsa_key_file", "cookie_protection");
  }
  if (!rsa.empty()) {
    std::filesystem::path path(rsa);
    if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
    p.rsa_key_file = path.lexically_normal().string();
  }
  return p;
}

}  // namespace parley::oracle
