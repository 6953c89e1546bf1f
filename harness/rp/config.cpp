#include "harness/rp/config.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "harness/core/crypto.h"
#include "harness/oracle/config_reader.h"

namespace parley::rp {
namespace {

using oracle::config::config_error;
using oracle::config::kMaxConfigBytes;
using oracle::config::Section;

// File names in an RP config are made absolute: the printed target profile names them.
std::string resolve(const std::string& name, const std::string& base_dir) {
  return oracle::config::resolve_path(name, base_dir, oracle::config::PathForm::kAbsolute);
}

Result<Bytes> key_bytes(Section& s, const char* key, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, s.str(key, ""));
  if (text.empty()) return Bytes{};
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return config_error(bytes.error().message(), where + "." + key);
  return bytes;
}

// [rp.cookie]: name, chunking, attributes and the transforms (WIF encode order).
Status parse_cookie(Section& s, const std::string& base_dir, RpConfig& c) {
  SessionCookieConfig& k = c.cookie;
  PARLEY_ASSIGN_OR_RETURN(k.name, s.str("name", "FedAuth"));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t chunk, s.uint("chunk_size", wif::kWifDefaultChunkSize,
                                                      wif::kWifMinimumChunkSize, 1u << 16));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_chunks, s.uint("max_chunks", 100, 1, 1000));
  PARLEY_ASSIGN_OR_RETURN(k.attributes.domain, s.str("domain", ""));
  PARLEY_ASSIGN_OR_RETURN(k.attributes.secure, s.flag("secure", true));
  PARLEY_ASSIGN_OR_RETURN(k.attributes.http_only, s.flag("http_only", true));
  PARLEY_ASSIGN_OR_RETURN(std::string same_site, s.str("same_site", ""));
  PARLEY_ASSIGN_OR_RETURN(std::vector<std::string> transforms,
                          s.strings("transforms", {"deflate", "machinekey"}));
  PARLEY_ASSIGN_OR_RETURN(Bytes decryption_key, key_bytes(s, "machine_key_decryption_key", "rp.cookie"));
  PARLEY_ASSIGN_OR_RETURN(Bytes validation_key, key_bytes(s, "machine_key_validation_key", "rp.cookie"));
  PARLEY_ASSIGN_OR_RETURN(std::string validation, s.str("machine_key_validation", "HMACSHA256"));
  PARLEY_ASSIGN_OR_RETURN(std::string rsa_key_file, s.str("rsa_key", ""));
  PARLEY_TRY(s.no_unknown_keys());

  if (k.name.empty() || k.name.find_first_of("=;, \t\"") != std::string::npos) {
    return config_error("'" + k.name + "' is not a cookie name", "rp.cookie.name");
  }
  k.chunking.chunk_size = static_cast<std::size_t>(chunk);
  k.chunking.limits.max_chunks = static_cast<std::size_t>(max_chunks);
  auto ss = wif::parse_same_site(same_site);
  if (!ss.ok()) return config_error(ss.error().message(), "rp.cookie.same_site");
  k.attributes.same_site = *ss;

  std::optional<crypto::RsaKey> rsa;
  c.transform_names = transforms;
  for (const std::string& name : transforms) {
    if (name == "deflate") {
      c.protection.transforms.push_back(std::make_shared<wif::DeflateCookieTransform>());
    } else if (name == "machinekey") {
      if (decryption_key.empty() != validation_key.empty()) {
        return config_error("give machine_key_decryption_key and machine_key_validation_key together", "rp.cookie");
      }
      auto alg = wif::parse_machine_key_validation(validation);
      if (!alg.ok()) return config_error(alg.error().message(), "rp.cookie.machine_key_validation");
      if (decryption_key.empty()) {
        // No keys: this process only (a farm needs the same keys on every node).
        PARLEY_ASSIGN_OR_RETURN(decryption_key, crypto::random_bytes(32));
        PARLEY_ASSIGN_OR_RETURN(validation_key, crypto::random_bytes(64));
        c.random_machine_key = true;
      }
      wif::MachineKeyConfig mk{decryption_key, validation_key, *alg};
      auto t = wif::MachineKeyCookieTransform::create(mk);
      if (!t.ok()) return config_error(t.error().message(), "rp.cookie");
      c.protection.transforms.push_back(std::make_shared<wif::MachineKeyCookieTransform>(std::move(*t)));
      c.protection.machine_key = mk;
    } else if (name == "rsa-encryption" || name == "rsa-signature") {
      if (rsa_key_file.empty()) return config_error(name + " needs rsa_key (a PEM private key)", "rp.cookie");
      if (!rsa) {
        c.rsa_key_file = resolve(rsa_key_file, base_dir);
        PARLEY_ASSIGN_OR_RETURN(std::string pem, oracle::config::read_file(c.rsa_key_file));
        auto key = crypto::RsaKey::from_pem(pem);
        if (!key.ok() || !key->has_private()) return config_error("not an RSA private key (PEM)", "rp.cookie.rsa_key");
        rsa = *key;
      }
      if (name == "rsa-encryption") {
        auto t = wif::RsaEncryptionCookieTransform::create({*rsa});
        if (!t.ok()) return config_error(t.error().message(), "rp.cookie");
        c.protection.transforms.push_back(std::make_shared<wif::RsaEncryptionCookieTransform>(std::move(*t)));
      } else {
        auto t = wif::RsaSignatureCookieTransform::create({*rsa});
        if (!t.ok()) return config_error(t.error().message(), "rp.cookie");
        c.protection.transforms.push_back(std::make_shared<wif::RsaSignatureCookieTransform>(std::move(*t)));
      }
    } else {
      return config_error("unknown transform '" + name + "' (deflate, machinekey, rsa-encryption, rsa-signature)",
                          "rp.cookie.transforms");
    }
  }
  if (!c.protection.has_integrity()) {
    // A cookie without a MAC or signature can be forged by anyone (RP-SESS-04).
    return config_error("the transforms must include machinekey or rsa-signature (the cookie needs integrity)",
                        "rp.cookie.transforms");
  }
  return ok_status();
}

Status parse_cache(Section& s, RpConfig& c) {
  CacheConfig& k = c.cache;
  PARLEY_ASSIGN_OR_RETURN(k.kind, s.str("kind", "memory"));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_entries, s.uint("max_entries", kWifCacheMaxEntries, 1, 10'000'000));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t after, s.uint("size_after_purge", 0, 0, 10'000'000));
  PARLEY_ASSIGN_OR_RETURN(std::string address, s.str("address", ""));
  PARLEY_ASSIGN_OR_RETURN(k.redis.key_prefix, s.str("key_prefix", k.redis.key_prefix));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t connect_ms, s.uint("connect_timeout_ms", 1000, 1, 60000));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t command_ms, s.uint("command_timeout_ms", 1000, 1, 60000));
  PARLEY_TRY(s.no_unknown_keys());
  k.max_entries = static_cast<std::size_t>(max_entries);
  // WIF purges to 80 % (16000 of 20000).
  k.size_after_purge = after == 0 ? std::max<std::size_t>(1, k.max_entries * 4 / 5) : static_cast<std::size_t>(after);
  if (k.size_after_purge > k.max_entries) {
    return config_error("size_after_purge must not exceed max_entries", "rp.cache");
  }
  k.redis.connect_timeout = std::chrono::milliseconds(connect_ms);
  k.redis.command_timeout = std::chrono::milliseconds(command_ms);
  if (k.kind == "redis") {
    if (address.empty()) return config_error("kind = \"redis\" needs address = \"host:port\"", "rp.cache");
    auto r = parse_redis_address(address, k.redis);
    if (!r.ok()) return config_error(r.error().message(), "rp.cache.address");
    k.redis = *r;
  } else if (k.kind != "memory") {
    return config_error("kind must be \"memory\" or \"redis\"", "rp.cache.kind");
  } else if (!address.empty()) {
    return config_error("address is for kind = \"redis\"", "rp.cache");
  }
  return ok_status();
}

Status check_path(const std::string& path, const std::string& where) {
  if (path.empty() || path[0] != '/' || path.find_first_of("?#; \t\r\n") != std::string::npos) {
    return config_error("'" + path + "' is not an absolute path", where);
  }
  return ok_status();
}

// TOML basic string (TOML 1.0 "String"), escaped.
std::string quoted(std::string_view v) {
  std::string out = "\"";
  for (char ch : v) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

std::string_view to_string(Unauthenticated u) { return u == Unauthenticated::kRedirect ? "redirect" : "401"; }
std::string_view to_string(SignInMethod m) { return m == SignInMethod::kWsFed ? "wsfed" : "saml2"; }

bool is_rp_config(std::string_view text) {
  if (text.size() > kMaxConfigBytes) return false;
  try {
    toml::table root = toml::parse(text);
    return root.contains("rp");
  } catch (const toml::parse_error&) {
    return false;
  }
}

Result<RpConfig> parse_rp_config(std::string_view text, const std::string& base_dir) {
  PARLEY_ASSIGN_OR_RETURN(toml::table root, oracle::config::parse_toml(text, "rp config"));
  for (const auto& [key, value] : root) {
    if (key.str() != "server" && key.str() != "rp" && key.str() != "sts") {
      return config_error("unknown table or key '" + std::string(key.str()) + "' (relying-party mode has [server], "
                          "[rp], [rp.cookie], [rp.cache], [sts])",
                          "rp config");
    }
  }
  RpConfig c;

  Section server(root["server"].as_table(), "server");
  PARLEY_ASSIGN_OR_RETURN(c.host, server.str("host", c.host));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t port, server.uint("port", 0, 0, 65535));
  c.port = static_cast<std::uint16_t>(port);
  PARLEY_ASSIGN_OR_RETURN(c.tls, server.flag("tls", false));
  PARLEY_ASSIGN_OR_RETURN(std::string cert, server.str("certificate", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string key, server.str("private_key", ""));
  PARLEY_TRY(server.no_unknown_keys());
  c.certificate_file = resolve(cert, base_dir);
  c.private_key_file = resolve(key, base_dir);
  if (c.tls && (cert.empty() || key.empty())) {
    return config_error("tls = true needs certificate and private_key (scripts/gen-certs makes them)", "server");
  }

  Section rp(root["rp"].as_table(), "rp");
  PARLEY_ASSIGN_OR_RETURN(c.realm, rp.str("realm", c.realm));
  PARLEY_ASSIGN_OR_RETURN(c.protected_path, rp.str("protected_path", c.protected_path));
  PARLEY_TRY(check_path(c.protected_path, "rp.protected_path"));
  if (c.protected_path.back() != '/') c.protected_path += '/';  // WIF: the application path with a trailing slash
  PARLEY_ASSIGN_OR_RETURN(c.signin_path, rp.str("signin_path", c.protected_path + "signin"));
  PARLEY_ASSIGN_OR_RETURN(c.signout_path, rp.str("signout_path", c.protected_path + "signout"));
  PARLEY_ASSIGN_OR_RETURN(c.whoami_path, rp.str("whoami_path", c.protected_path + "whoami"));
  for (auto [p, where] : {std::pair{&c.signin_path, "rp.signin_path"}, {&c.signout_path, "rp.signout_path"},
                          {&c.whoami_path, "rp.whoami_path"}}) {
    PARLEY_TRY(check_path(*p, where));
  }
  PARLEY_ASSIGN_OR_RETURN(std::string unauth, rp.str("unauthenticated", "redirect"));
  if (unauth == "redirect") {
    c.unauthenticated = Unauthenticated::kRedirect;
  } else if (unauth == "401") {
    c.unauthenticated = Unauthenticated::kUnauthorized;
  } else {
    return config_error("unauthenticated must be \"redirect\" or \"401\"", "rp.unauthenticated");
  }
  PARLEY_ASSIGN_OR_RETURN(std::string method, rp.str("signin_method", "wsfed"));
  if (method == "wsfed") {
    c.signin_method = SignInMethod::kWsFed;
  } else if (method == "saml2") {
    c.signin_method = SignInMethod::kSaml2;
  } else {
    return config_error("signin_method must be \"wsfed\" or \"saml2\"", "rp.signin_method");
  }
  PARLEY_ASSIGN_OR_RETURN(c.sts_url, rp.str("sts_url", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string sts_cert, rp.str("sts_certificate", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string ca, rp.str("ca_file", ""));
  c.sts_certificate_file = resolve(sts_cert, base_dir);
  c.ca_file = resolve(ca, base_dir);
  PARLEY_ASSIGN_OR_RETURN(std::string mode, rp.str("mode", "value"));
  if (mode == "value") {
    c.cookie.mode = SessionMode::kValue;
  } else if (mode == "reference") {
    c.cookie.mode = SessionMode::kReference;
  } else {
    return config_error("mode must be \"value\" or \"reference\"", "rp.mode");
  }
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t lifetime,
                          rp.uint("session_lifetime_seconds", 10 * 3600, 1, 10ull * 365 * 86400));
  c.session_lifetime = std::chrono::seconds(lifetime);
  PARLEY_ASSIGN_OR_RETURN(c.sliding, rp.flag("sliding", false));
  PARLEY_ASSIGN_OR_RETURN(c.cookie.persistent, rp.flag("persistent", false));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t skew, rp.uint("max_clock_skew_seconds", 300, 0, 86400));
  c.cookie.max_clock_skew = std::chrono::seconds(skew);
  PARLEY_ASSIGN_OR_RETURN(c.cookie.endpoint_id, rp.str("endpoint_id", c.protected_path));
  c.cookie.attributes.path = c.protected_path;

  Section cookie(rp.sub("cookie"), "rp.cookie");
  PARLEY_TRY(parse_cookie(cookie, base_dir, c));
  Section cache(rp.sub("cache"), "rp.cache");
  PARLEY_TRY(parse_cache(cache, c));
  PARLEY_TRY(rp.no_unknown_keys());

  const toml::table* sts = root["sts"].as_table();
  if (c.sts_url.empty()) {
    if (!sts_cert.empty()) return config_error("sts_certificate is for an external sts_url", "rp");
    static const toml::table kEmpty;
    auto s = fed::parse_sts_config(sts ? *sts : kEmpty, base_dir);
    if (!s.ok()) return std::move(s.error().within("sts"));
    c.sts = std::move(*s);
  } else {
    if (sts != nullptr) return config_error("[sts] is given but rp.sts_url points to another STS", "rp.sts_url");
    if (sts_cert.empty()) {
      return config_error("an external sts_url needs sts_certificate (the STS's signing certificate, PEM)", "rp");
    }
  }
  return c;
}

Result<RpConfig> load_rp_config(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, oracle::config::read_file(path));
  auto parent = std::filesystem::path(path).parent_path();
  auto c = parse_rp_config(text, parent.empty() ? "." : parent.string());
  if (!c.ok()) return c.error().within(path);
  return c;
}

std::string rp_target_profile(const RpConfig& c, const std::string& base_url) {
  std::string sts_url = c.sts_url;
  if (sts_url.empty() && c.sts) {
    sts_url = base_url + c.sts->path_prefix + (c.signin_method == SignInMethod::kWsFed ? "wsfed" : "saml2/sso");
  }
  std::ostringstream o;
  o << "# Target profile of a running `parley serve` relying party (docs/target-profile.md).\n";
  o << "[target]\n";
  o << "name = \"parley reference relying party\"\n";
  o << "kind = \"relying-party\"\n\n";
  o << "[relying_party]\n";
  o << "rp_url = " << quoted(base_url + "/") << "\n";
  o << "protected_url = " << quoted(base_url + c.protected_path) << "\n";
  o << "whoami_url = " << quoted(base_url + c.whoami_path) << "\n";
  o << "signin_url = " << quoted(base_url + c.signin_path) << "\n";
  o << "signout_url = " << quoted(base_url + c.signout_path) << "\n";
  o << "realm = " << quoted(c.realm) << "\n";
  o << "signin_method = " << quoted(to_string(c.signin_method)) << "\n";
  o << "unauthenticated = " << quoted(to_string(c.unauthenticated)) << "\n";
  o << "cookie_name = " << quoted(c.cookie.name) << "\n";
  o << "sts_url = " << quoted(sts_url) << "\n";
  o << "ca_file = " << quoted(c.ca_file) << "\n";
  if (c.sts) {
    // What the test STS asserts: the suite's round-trip cases look for each claim.
    o << "claims = [\n";
    for (const auto& claim : c.sts->claims) {
      o << "  { type = " << quoted(claim.type) << ", value = " << quoted(claim.value) << " },\n";
    }
    o << "]\n";
  }
  o << "\n";
  o << "[capabilities]\n";
  o << "wif_cookie_format = true\n";
  o << "chunk_size = " << c.cookie.chunking.chunk_size << "\n";
  o << "reference_mode = " << (c.cookie.mode == SessionMode::kReference ? "true" : "false") << "\n";
  o << "sliding = " << (c.sliding ? "true" : "false") << "\n";
  o << "persistent = " << (c.cookie.persistent ? "true" : "false") << "\n";
  o << "session_lifetime_seconds = " << c.session_lifetime.count() << "\n";
  o << "max_clock_skew_seconds = " << c.cookie.max_clock_skew.count() << "\n";
  o << "max_chunks = " << c.cookie.chunking.limits.max_chunks << "\n";
  if (c.cookie.mode == SessionMode::kReference && c.cache.kind == "memory") {
    o << "cache_max_entries = " << c.cache.max_entries << "\n";
  }
  // The cookie keys of this test RP: with them the suite forges session tokens (expired,
  // not-yet-valid, another EndpointId). A production RP's profile leaves this table out.
  o << "\n[cookie_protection]\n";
  o << "transforms = [";
  for (std::size_t i = 0; i < c.transform_names.size(); ++i) o << (i ? ", " : "") << quoted(c.transform_names[i]);
  o << "]\n";
  if (c.protection.machine_key) {
    o << "machine_key_decryption_key = " << quoted(hex_encode(c.protection.machine_key->decryption_key)) << "\n";
    o << "machine_key_validation_key = " << quoted(hex_encode(c.protection.machine_key->validation_key)) << "\n";
    o << "machine_key_validation = " << quoted(wif::to_string(c.protection.machine_key->validation)) << "\n";
  }
  if (!c.rsa_key_file.empty()) o << "rsa_key_file = " << quoted(c.rsa_key_file) << "\n";
  return o.str();
}

}  // namespace parley::rp
