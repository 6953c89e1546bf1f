#include "harness/oracle/config.h"

#include "harness/oracle/config_reader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace parley::oracle {
namespace {

using config::config_error;
using config::kMaxConfigBytes;
using config::parse_toml;
using config::read_file;
using config::Section;

Status no_unknown_tables(const toml::table& root, std::initializer_list<const char*> known, const std::string& what) {
  for (const auto& [key, value] : root) {
    bool ok = false;
    for (const char* k : known) ok = ok || key.str() == k;
    if (!ok) return config_error("unknown table or key '" + std::string(key.str()) + "'", what);
  }
  return ok_status();
}

Result<wssc::Versions> parse_versions(Section& s) {
  wssc::Versions v;
  PARLEY_ASSIGN_OR_RETURN(std::string soap, s.str("soap", "1.2"));
  PARLEY_ASSIGN_OR_RETURN(std::string wsa, s.str("addressing", "1.0"));
  PARLEY_ASSIGN_OR_RETURN(std::string sc, s.str("sc_version", "1.3"));
  if (soap == "1.1") {
    v.soap = names::SoapVersion::k1_1;
  } else if (soap != "1.2") {
    return config_error("soap must be \"1.1\" or \"1.2\", got \"" + soap + "\"", "wssc.soap");
  }
  if (wsa == "2004/08") {
    v.addressing = names::AddressingVersion::k2004_08;
  } else if (wsa != "1.0") {
    return config_error("addressing must be \"2004/08\" or \"1.0\", got \"" + wsa + "\"", "wssc.addressing");
  }
  if (sc == "feb2005") {
    v.sc = names::ScVersion::kFeb2005;
  } else if (sc == "1.4") {
    v.sc = names::ScVersion::k1_4;
  } else if (sc != "1.3") {
    return config_error("sc_version must be \"feb2005\", \"1.3\" or \"1.4\", got \"" + sc + "\"", "wssc.sc_version");
  }
  return v;
}

Result<Bootstrap> parse_bootstrap(const std::string& text, const std::string& where) {
  for (Bootstrap b : {Bootstrap::kNone, Bootstrap::kUsernameToken, Bootstrap::kPresharedSct, Bootstrap::kX509Mutual,
                      Bootstrap::kAnonymousForCertificate, Bootstrap::kUsernameForCertificate}) {
    if (text == to_string(b)) return b;
  }
  return config_error("bootstrap \"" + text +
                          "\" is not supported (none, username-token, preshared-sct, x509-mutual, "
                          "anonymous-for-certificate, username-for-certificate)",
                      where);
}

using config::resolve_path;

// The certificate bootstraps wrap keys with RSA-OAEP (xmlsec::encrypt_key); the *Rsa15 suites
// would need RSA 1.5, which parley does not send (Bleichenbacher).
Status check_certificate_suite(Bootstrap b, std::string_view suite, const std::string& where) {
  if (!certificate_mode(b)) return ok_status();
  const names::AlgorithmSuite* s = names::find_algorithm_suite(suite);
  if (s != nullptr && s->asymmetric_key_wrap != names::alg::kRsaOaepMgf1p) {
    return config_error("bootstrap \"" + std::string(to_string(b)) + "\" wraps keys with RSA-OAEP; algorithm suite '" +
                            std::string(suite) + "' asks for RSA 1.5, which parley does not implement",
                        where);
  }
  return ok_status();
}

// A key given inline (hex / base64:) or in a file holding hex.
Result<Bytes> key_from(Section& s, const std::string& base_dir, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string inline_key, s.str("key", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string key_file, s.str("key_file", ""));
  if (!inline_key.empty() && !key_file.empty()) return config_error("give key or key_file, not both", where);
  std::string text = inline_key;
  if (!key_file.empty()) {
    std::filesystem::path p(key_file);
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    PARLEY_ASSIGN_OR_RETURN(text, read_file(p.string()));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  }
  if (text.empty()) return Bytes{};
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return config_error(bytes.error().message(), where);
  return bytes;
}

// [cookie]: cookie mode and its key ring (docs/oracle-config.md, docs/design/cookie-mode.md).
Status parse_cookie_section(Section& s, const std::string& base_dir, ServiceConfig& svc, bool cancel_given) {
  CookieModeConfig& c = svc.cookie;
  PARLEY_ASSIGN_OR_RETURN(c.enabled, s.flag("enabled", false));
  PARLEY_ASSIGN_OR_RETURN(std::string ring_file, s.str("key_ring_file", ""));
  PARLEY_ASSIGN_OR_RETURN(std::vector<std::string> keys, s.strings("keys"));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t lifetime, s.uint("lifetime_seconds", 10 * 3600, 10ull * 365 * 86400));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_bytes, s.uint("max_cookie_bytes", c.limits.max_cookie_bytes, 1u << 20));
  PARLEY_TRY(s.no_unknown_keys());
  c.token_lifetime = std::chrono::seconds(lifetime);
  c.limits.max_cookie_bytes = static_cast<std::size_t>(max_bytes);
  const bool ring_given = !ring_file.empty() || !keys.empty();
  if (!c.enabled) {
    if (ring_given) return config_error("a key ring is given but enabled is not true", "cookie");
    return ok_status();
  }
  if (!ring_file.empty() && !keys.empty()) return config_error("give key_ring_file or keys, not both", "cookie");
  if (!ring_given) {
    return config_error("cookie mode needs a key ring: key_ring_file or keys (scripts/gen-cookie-keyring makes one)",
                        "cookie");
  }
  if (lifetime == 0) return config_error("lifetime_seconds must be positive", "cookie.lifetime_seconds");
  Result<cookie::KeyRing> ring = Error(ErrorCode::kInternal, "");
  if (!ring_file.empty()) {
    std::filesystem::path p(ring_file);
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    PARLEY_ASSIGN_OR_RETURN(std::string text, read_file(p.string()));
    ring = cookie::KeyRing::parse(text);
    if (!ring.ok()) return std::move(ring.error().within(p.string()));
  } else {
    ring = cookie::KeyRing::parse_lines(keys);
    if (!ring.ok()) return std::move(ring.error().within("cookie.keys"));
  }
  c.ring = std::make_shared<const cookie::KeyRing>(std::move(*ring));
  if (svc.bootstrap == Bootstrap::kPresharedSct) {
    return config_error("cookie mode issues its tokens; bootstrap \"preshared-sct\" has none to issue", "cookie");
  }
  // WCF with RequireCancellation = false answers cancel with SecureConversationCancellationNotAllowed.
  if (cancel_given && svc.allow_cancel) {
    return config_error("cookie-mode tokens cannot be cancelled: remove wssc.cancel = true", "cookie");
  }
  svc.allow_cancel = false;
  return ok_status();
}

std::string base_dir_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

namespace {

struct SuiteSettings {
  std::uint64_t signature_key_length;
  std::uint64_t encryption_key_length;
  std::uint64_t key_size;
  xmlsec::SignatureMethod signature_method;
  xmlsec::DigestMethod digest_method;
};

Result<SuiteSettings> suite_settings(std::string_view name) {
  const names::AlgorithmSuite* suite = names::find_algorithm_suite(name);
  if (suite == nullptr) {
    return config_error("unknown algorithm suite '" + std::string(name) + "' (WS-SecurityPolicy 1.2 section 6.1)",
                        "algorithm_suite");
  }
  if (suite->encryption.find("aes") == std::string_view::npos) {
    return config_error("algorithm suite '" + std::string(name) + "' uses TripleDES, which parley does not implement",
                        "algorithm_suite");
  }
  SuiteSettings s;
  s.signature_key_length = static_cast<std::uint64_t>(suite->signature_key_derivation_bits / 8);
  s.encryption_key_length = static_cast<std::uint64_t>(suite->encryption_key_derivation_bits / 8);
  s.key_size = static_cast<std::uint64_t>(suite->min_symmetric_key_bits);
  const bool sha256 = suite->digest == names::alg::kSha256;
  s.signature_method = sha256 ? xmlsec::SignatureMethod::kHmacSha256 : xmlsec::SignatureMethod::kHmacSha1;
  s.digest_method = sha256 ? xmlsec::DigestMethod::kSha256 : xmlsec::DigestMethod::kSha1;
  return s;
}

}  // namespace

Status apply_algorithm_suite(std::string_view suite, ServiceConfig& c) {
  PARLEY_ASSIGN_OR_RETURN(SuiteSettings s, suite_settings(suite));
  c.algorithm_suite = std::string(suite);
  c.signature_key_length = s.signature_key_length;
  c.encryption_key_length = s.encryption_key_length;
  c.default_key_size = s.key_size;
  c.signature_method = s.signature_method;
  c.digest_method = s.digest_method;
  // Derived keys shorter or longer than the suite's are refused (SC-7-19).
  c.dkt_limits.max_length = std::max(s.signature_key_length, s.encryption_key_length);
  c.dkt_limits.min_length = std::min(s.signature_key_length, s.encryption_key_length);
  return ok_status();
}

Status apply_algorithm_suite(std::string_view suite, ClientConfig& c) {
  PARLEY_ASSIGN_OR_RETURN(SuiteSettings s, suite_settings(suite));
  c.signature_key_length = s.signature_key_length;
  c.encryption_key_length = s.encryption_key_length;
  c.key_size = s.key_size;
  c.signature_method = s.signature_method;
  c.digest_method = s.digest_method;
  return ok_status();
}

std::string_view soap_name(names::SoapVersion v) { return v == names::SoapVersion::k1_1 ? "1.1" : "1.2"; }
std::string_view addressing_name(names::AddressingVersion v) {
  return v == names::AddressingVersion::k2004_08 ? "2004/08" : "1.0";
}
std::string_view sc_name(names::ScVersion v) {
  switch (v) {
    case names::ScVersion::kFeb2005: return "feb2005";
    case names::ScVersion::k1_3: return "1.3";
    case names::ScVersion::k1_4: return "1.4";
  }
  return "1.3";
}

Result<ServeConfig> parse_serve_config(std::string_view text, const std::string& base_dir) {
  PARLEY_ASSIGN_OR_RETURN(toml::table root, parse_toml(text, "oracle config"));
  PARLEY_TRY(no_unknown_tables(root, {"server", "wssc", "limits", "users", "preshared", "message_security", "cookie"},
                               "oracle config"));
  ServeConfig c;
  ServiceConfig& svc = c.service;

  Section server(root["server"].as_table(), "server");
  PARLEY_ASSIGN_OR_RETURN(c.host, server.str("host", c.host));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t port, server.uint("port", 0, 65535));
  c.port = static_cast<std::uint16_t>(port);
  PARLEY_ASSIGN_OR_RETURN(c.tls, server.flag("tls", false));
  PARLEY_ASSIGN_OR_RETURN(c.certificate_file, server.str("certificate", ""));
  PARLEY_ASSIGN_OR_RETURN(c.private_key_file, server.str("private_key", ""));
  PARLEY_ASSIGN_OR_RETURN(c.sts_path, server.str("sts_path", c.sts_path));
  PARLEY_ASSIGN_OR_RETURN(c.service_path, server.str("service_path", c.service_path));
  PARLEY_TRY(server.no_unknown_keys());
  if (c.tls && (c.certificate_file.empty() || c.private_key_file.empty())) {
    return config_error("tls = true needs certificate and private_key (scripts/gen-certs makes them)", "server");
  }
  for (const std::string* p : {&c.sts_path, &c.service_path}) {
    if (p->empty() || (*p)[0] != '/') return config_error("paths must start with '/'", "server");
  }

  Section wssc(root["wssc"].as_table(), "wssc");
  PARLEY_ASSIGN_OR_RETURN(svc.versions, parse_versions(wssc));
  PARLEY_ASSIGN_OR_RETURN(std::string bootstrap, wssc.str("bootstrap", "none"));
  PARLEY_ASSIGN_OR_RETURN(svc.bootstrap, parse_bootstrap(bootstrap, "wssc.bootstrap"));
  PARLEY_ASSIGN_OR_RETURN(std::string suite, wssc.str("algorithm_suite", "Basic256"));
  PARLEY_TRY(apply_algorithm_suite(suite, svc));
  PARLEY_ASSIGN_OR_RETURN(std::string entropy, wssc.str("entropy", "combined"));
  if (entropy == "combined") {
    svc.entropy = EntropyMode::kCombined;
  } else if (entropy == "client") {
    svc.entropy = EntropyMode::kClient;
  } else if (entropy == "server") {
    svc.entropy = EntropyMode::kServer;
  } else {
    return config_error("entropy must be combined, client or server", "wssc.entropy");
  }
  PARLEY_ASSIGN_OR_RETURN(svc.default_key_size, wssc.uint("key_size", svc.default_key_size, 131072));
  PARLEY_ASSIGN_OR_RETURN(svc.min_key_size, wssc.uint("min_key_size", 128, 131072));
  PARLEY_ASSIGN_OR_RETURN(svc.max_key_size, wssc.uint("max_key_size", 512, 131072));
  if (svc.min_key_size > svc.max_key_size || svc.min_key_size < 64) {
    return config_error("need 64 <= min_key_size <= max_key_size", "wssc");
  }
  PARLEY_ASSIGN_OR_RETURN(svc.derived_keys, wssc.flag("derived_keys", true));
  PARLEY_ASSIGN_OR_RETURN(svc.require_derived_keys, wssc.flag("require_derived_keys", false));
  PARLEY_ASSIGN_OR_RETURN(svc.encrypt_responses, wssc.flag("encrypt_responses", false));
  PARLEY_ASSIGN_OR_RETURN(svc.signature_confirmation, wssc.flag("signature_confirmation", false));
  PARLEY_ASSIGN_OR_RETURN(svc.signature_key_length, wssc.uint("signature_key_length", svc.signature_key_length, 64));
  PARLEY_ASSIGN_OR_RETURN(svc.encryption_key_length,
                          wssc.uint("encryption_key_length", svc.encryption_key_length, 32));
  PARLEY_ASSIGN_OR_RETURN(svc.allow_renew, wssc.flag("renew", true));
  PARLEY_ASSIGN_OR_RETURN(svc.allow_cancel, wssc.flag("cancel", true));
  PARLEY_ASSIGN_OR_RETURN(svc.allow_amend, wssc.flag("amend", true));
  PARLEY_ASSIGN_OR_RETURN(svc.allow_password_text_without_tls, wssc.flag("allow_password_text_without_tls", false));
  PARLEY_TRY(wssc.no_unknown_keys());
  for (std::uint64_t len : {svc.signature_key_length, svc.encryption_key_length}) {
    if (len != 16 && len != 24 && len != 32) {
      return config_error("derived key lengths must be 16, 24 or 32 bytes", "wssc");
    }
  }

  Section limits(root["limits"].as_table(), "limits");
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t lifetime, limits.uint("key_lifetime_seconds", 15 * 3600, 10ull * 365 * 86400));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t rollover, limits.uint("rollover_seconds", 300, 86400));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t skew, limits.uint("max_clock_skew_seconds", 300, 86400));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_contexts, limits.uint("max_contexts", 128, 1u << 20));
  PARLEY_ASSIGN_OR_RETURN(svc.dkt_limits.max_offset, limits.uint("dkt_max_offset", 64, 1u << 20));
  PARLEY_ASSIGN_OR_RETURN(svc.dkt_limits.max_label_chars, limits.uint("dkt_max_label_chars", 128, 1u << 20));
  PARLEY_ASSIGN_OR_RETURN(svc.dkt_limits.max_nonce_bytes, limits.uint("dkt_max_nonce_bytes", 128, 1u << 20));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t inactivity, limits.uint("inactivity_timeout_seconds", 120, 10ull * 365 * 86400));
  PARLEY_ASSIGN_OR_RETURN(svc.detect_replays, limits.flag("detect_replays", true));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t replay_cache, limits.uint("replay_cache_size", 900000, 100000000));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t replay_window, limits.uint("replay_window_seconds", 300, 86400));
  PARLEY_TRY(limits.no_unknown_keys());
  svc.contexts.inactivity_timeout = std::chrono::seconds(inactivity);
  svc.replay_cache_size = static_cast<std::size_t>(replay_cache);
  svc.replay_window = std::chrono::seconds(replay_window);
  svc.contexts.key_lifetime = std::chrono::seconds(lifetime);
  svc.contexts.rollover = std::chrono::seconds(rollover);
  svc.contexts.max_contexts = static_cast<std::size_t>(max_contexts);
  svc.max_clock_skew = std::chrono::seconds(skew);

  if (const toml::table* users = root["users"].as_table()) {
    for (const auto& [name, value] : *users) {
      auto pw = value.value<std::string>();
      if (!pw) return config_error("passwords must be strings", "users." + std::string(name.str()));
      svc.users[std::string(name.str())] = *pw;
    }
  }
  Section preshared(root["preshared"].as_table(), "preshared");
  PARLEY_ASSIGN_OR_RETURN(svc.preshared_identifier, preshared.str("identifier", ""));
  PARLEY_ASSIGN_OR_RETURN(svc.preshared_key, key_from(preshared, base_dir, "preshared"));
  PARLEY_TRY(preshared.no_unknown_keys());
  if ((svc.bootstrap == Bootstrap::kUsernameToken || svc.bootstrap == Bootstrap::kUsernameForCertificate) &&
      svc.users.empty()) {
    return config_error("bootstrap = \"" + std::string(to_string(svc.bootstrap)) +
                            "\" needs at least one entry in [users]",
                        "wssc.bootstrap");
  }
  Section msec(root["message_security"].as_table(), "message_security");
  PARLEY_ASSIGN_OR_RETURN(std::string msec_cert, msec.str("certificate", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string msec_key, msec.str("private_key", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string msec_ca, msec.str("trusted_ca", ""));
  PARLEY_TRY(msec.no_unknown_keys());
  if (msec_cert.empty() != msec_key.empty()) {
    return config_error("give certificate and private_key together", "message_security");
  }
  if (!msec_cert.empty()) {
    c.message_certificate_file = std::filesystem::absolute(resolve_path(msec_cert, base_dir)).string();
    auto creds = x509::Credentials::load_pem_files(c.message_certificate_file, resolve_path(msec_key, base_dir));
    if (!creds.ok()) return config_error(creds.error().message(), "message_security");
    svc.certificates.own = std::move(*creds);
  }
  if (!msec_ca.empty()) {
    auto cas = x509::TrustStore::load_pem_file(resolve_path(msec_ca, base_dir));
    if (!cas.ok()) return config_error(cas.error().message(), "message_security.trusted_ca");
    svc.certificates.client_cas = std::move(*cas);
  }
  if (certificate_mode(svc.bootstrap)) {
    if (!svc.certificates.own) {
      return config_error("bootstrap = \"" + std::string(to_string(svc.bootstrap)) +
                              "\" needs [message_security] certificate and private_key (scripts/gen-certs makes them)",
                          "wssc.bootstrap");
    }
    if (svc.bootstrap == Bootstrap::kX509Mutual && !svc.certificates.client_cas) {
      return config_error("bootstrap = \"x509-mutual\" needs [message_security] trusted_ca (the CA of client "
                          "certificates)",
                          "wssc.bootstrap");
    }
  }
  PARLEY_TRY(check_certificate_suite(svc.bootstrap, svc.algorithm_suite, "wssc.algorithm_suite"));
  if (svc.bootstrap == Bootstrap::kPresharedSct) {
    if (svc.preshared_identifier.empty() || svc.preshared_key.size() < 16) {
      return config_error("bootstrap = \"preshared-sct\" needs [preshared] identifier and a key of >= 16 bytes",
                          "wssc.bootstrap");
    }
  }
  Section cookie_section(root["cookie"].as_table(), "cookie");
  PARLEY_TRY(parse_cookie_section(cookie_section, base_dir, svc, wssc.has("cancel")));
  return c;
}

Result<ServeConfig> load_serve_config(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto c = parse_serve_config(text, base_dir_of(path));
  if (!c.ok()) return c.error().within(path);
  return c;
}

std::string target_profile(const ServeConfig& c, const std::string& base_url) {
  const ServiceConfig& s = c.service;
  std::ostringstream o;
  // TOML basic strings, escaped (TOML 1.0 section "String").
  auto q = [](std::string_view v) {
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
  };
  o << "# Target profile of a running `parley serve` (docs/target-profile.md).\n";
  o << "[target]\n";
  o << "name = \"parley reference service\"\n";
  o << "kind = \"wssc-service\"\n\n";
  o << "[wssc]\n";
  o << "sts_url = " << q(base_url + c.sts_path) << "\n";
  o << "service_url = " << q(base_url + c.service_path) << "\n";
  o << "soap = " << q(soap_name(s.versions.soap)) << "\n";
  o << "addressing = " << q(addressing_name(s.versions.addressing)) << "\n";
  o << "sc_version = " << q(sc_name(s.versions.sc)) << "\n";
  o << "bootstrap = " << q(to_string(s.bootstrap)) << "\n";
  o << "protection = " << q(s.require_derived_keys ? "derived-keys" : (s.derived_keys ? "derived-keys" : "sct-key"))
    << "\n";
  o << "algorithm_suite = " << q(s.algorithm_suite) << "\n";
  o << "key_size = " << s.default_key_size << "\n";
  o << "request_body = \"<e:Echo xmlns:e='urn:example'>hi</e:Echo>\"\n\n";
  o << "[credentials]\n";
  if ((s.bootstrap == Bootstrap::kUsernameToken || s.bootstrap == Bootstrap::kUsernameForCertificate) &&
      !s.users.empty()) {
    o << "username = " << q(s.users.begin()->first) << "\n";
    o << "password = " << q(s.users.begin()->second) << "\n";
  }
  if (s.bootstrap == Bootstrap::kPresharedSct) {
    o << "sct_identifier = " << q(s.preshared_identifier) << "\n";
    o << "sct_key = " << q(hex_encode(s.preshared_key)) << "\n";
  }
  if (certificate_mode(s.bootstrap)) {
    o << "service_certificate_file = " << q(c.message_certificate_file) << "\n";
    if (s.bootstrap == Bootstrap::kX509Mutual) {
      o << "# x509-mutual: a client certificate issued by the service's trusted CA, e.g.\n";
      o << "# client_certificate_file = \"client.pem\"\n";
      o << "# client_key_file = \"client.key\"\n";
    }
  }
  o << "\n[capabilities]\n";
  o << "renew = " << (s.allow_renew ? "true" : "false") << "\n";
  o << "cancel = " << (s.allow_cancel && !s.cookie.enabled ? "true" : "false") << "\n";
  o << "amend = " << (s.allow_amend ? "true" : "false") << "\n";
  o << "cookie_mode = " << (s.cookie.enabled ? "true" : "false") << "\n";
  o << "replay_detection = " << (c.service.detect_replays ? "true" : "false") << "\n";
  o << "encryption = true\n";
  o << "signature_confirmation = " << (s.signature_confirmation ? "true" : "false") << "\n";
  o << "requires_derived_keys = " << (s.require_derived_keys ? "true" : "false") << "\n";
  o << "\n[limits]\n";
  if (!s.cookie.enabled) o << "max_pending_sessions = " << s.contexts.max_contexts << "\n";
  o << "key_rollover_seconds = " << s.contexts.rollover.count() << "\n";
  return o.str();
}

Result<TargetProfile> parse_target_profile(std::string_view text, const std::string& base_dir) {
  PARLEY_ASSIGN_OR_RETURN(toml::table root, parse_toml(text, "target profile"));
  TargetProfile p;
  Section target(root["target"].as_table(), "target");
  PARLEY_ASSIGN_OR_RETURN(p.name, target.str("name", "unnamed target"));
  PARLEY_ASSIGN_OR_RETURN(p.kind, target.str("kind", "wssc-service"));
  PARLEY_TRY(target.no_unknown_keys());
  if (p.kind != "wssc-service" && p.kind != "wssc-client" && p.kind != "relying-party") {
    return config_error("kind must be wssc-service, wssc-client or relying-party", "target.kind");
  }
  if (p.kind == "relying-party") {
    PARLEY_ASSIGN_OR_RETURN(RelyingPartyProfile rp, parse_relying_party_profile(text, base_dir));
    p.client.service_url = rp.protected_url;
    p.client.sts_url = rp.sts_url;
    p.renew = p.cancel = false;
    p.relying_party = std::move(rp);
    return p;
  }
  PARLEY_TRY(no_unknown_tables(root, {"target", "wssc", "credentials", "capabilities", "limits"}, "target profile"));
  Section w(root["wssc"].as_table(), "wssc");
  ClientConfig& c = p.client;
  PARLEY_ASSIGN_OR_RETURN(c.sts_url, w.str("sts_url", ""));
  PARLEY_ASSIGN_OR_RETURN(c.service_url, w.str("service_url", ""));
  PARLEY_ASSIGN_OR_RETURN(c.versions, parse_versions(w));
  PARLEY_ASSIGN_OR_RETURN(std::string bootstrap, w.str("bootstrap", "none"));
  PARLEY_ASSIGN_OR_RETURN(c.bootstrap, parse_bootstrap(bootstrap, "wssc.bootstrap"));
  PARLEY_ASSIGN_OR_RETURN(p.protection, w.str("protection", "derived-keys"));
  if (p.protection != "derived-keys" && p.protection != "sct-key") {
    return config_error("protection must be derived-keys or sct-key", "wssc.protection");
  }
  c.derived_keys = p.protection == "derived-keys";
  PARLEY_ASSIGN_OR_RETURN(p.algorithm_suite, w.str("algorithm_suite", "Basic256"));
  PARLEY_TRY(apply_algorithm_suite(p.algorithm_suite, c));
  PARLEY_ASSIGN_OR_RETURN(c.key_size, w.uint("key_size", c.key_size, 131072));
  PARLEY_ASSIGN_OR_RETURN(p.request_body, w.str("request_body", "<e:Echo xmlns:e='urn:example'>hi</e:Echo>"));
  PARLEY_ASSIGN_OR_RETURN(c.action, w.str("action", c.action));
  PARLEY_TRY(w.no_unknown_keys());
  // A wssc-client profile describes the client under test: the suite sets the URLs per scenario.
  if (c.service_url.empty() && p.kind != "wssc-client") return config_error("service_url is required", "wssc");
  if (c.sts_url.empty()) c.sts_url = c.service_url;

  Section cred(root["credentials"].as_table(), "credentials");
  PARLEY_ASSIGN_OR_RETURN(c.username, cred.str("username", ""));
  PARLEY_ASSIGN_OR_RETURN(c.password, cred.str("password", ""));
  PARLEY_ASSIGN_OR_RETURN(c.password_digest, cred.flag("password_digest", true));
  PARLEY_ASSIGN_OR_RETURN(c.preshared_identifier, cred.str("sct_identifier", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string sct_key, cred.str("sct_key", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string sct_key_file, cred.str("sct_key_file", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string client_cert_file, cred.str("client_certificate_file", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string client_key_file, cred.str("client_key_file", ""));
  PARLEY_ASSIGN_OR_RETURN(std::string service_cert_file, cred.str("service_certificate_file", ""));
  PARLEY_TRY(cred.no_unknown_keys());
  if (client_cert_file.empty() != client_key_file.empty()) {
    return config_error("give client_certificate_file and client_key_file together", "credentials");
  }
  if (!client_cert_file.empty()) {
    auto creds = x509::Credentials::load_pem_files(resolve_path(client_cert_file, base_dir),
                                                   resolve_path(client_key_file, base_dir));
    if (!creds.ok()) return config_error(creds.error().message(), "credentials.client_certificate_file");
    c.client_certificate = std::move(*creds);
  }
  if (!service_cert_file.empty()) {
    auto cert = x509::Certificate::load_pem_file(resolve_path(service_cert_file, base_dir));
    if (!cert.ok()) return config_error(cert.error().message(), "credentials.service_certificate_file");
    c.service_certificate = std::move(*cert);
  }
  if (certificate_mode(c.bootstrap)) {
    const std::string b(to_string(c.bootstrap));
    if (!c.service_certificate) {
      return config_error("bootstrap " + b + " needs service_certificate_file", "credentials");
    }
    if (c.bootstrap == Bootstrap::kX509Mutual && !c.client_certificate) {
      return config_error("bootstrap x509-mutual needs client_certificate_file and client_key_file", "credentials");
    }
    if (c.bootstrap == Bootstrap::kUsernameForCertificate && c.username.empty()) {
      return config_error("bootstrap username-for-certificate needs username and password", "credentials");
    }
  }
  PARLEY_TRY(check_certificate_suite(c.bootstrap, p.algorithm_suite, "wssc.algorithm_suite"));
  std::string key_text = sct_key;
  if (!sct_key_file.empty()) {
    std::filesystem::path kp(sct_key_file);
    if (kp.is_relative()) kp = std::filesystem::path(base_dir) / kp;
    PARLEY_ASSIGN_OR_RETURN(key_text, read_file(kp.string()));
    while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == ' ')) key_text.pop_back();
  }
  if (!key_text.empty()) {
    auto key = decode_hex_or_base64(key_text);
    if (!key.ok()) return config_error(key.error().message(), "credentials.sct_key");
    c.preshared_key = std::move(*key);
  }
  if (c.bootstrap == Bootstrap::kPresharedSct && (c.preshared_identifier.empty() || c.preshared_key.empty())) {
    return config_error("bootstrap preshared-sct needs sct_identifier and sct_key (or sct_key_file)", "credentials");
  }
  if (c.bootstrap == Bootstrap::kUsernameToken && c.username.empty()) {
    return config_error("bootstrap username-token needs username and password", "credentials");
  }

  Section caps(root["capabilities"].as_table(), "capabilities");
  PARLEY_ASSIGN_OR_RETURN(p.renew, caps.flag("renew", true));
  PARLEY_ASSIGN_OR_RETURN(p.cancel, caps.flag("cancel", true));
  PARLEY_ASSIGN_OR_RETURN(p.amend, caps.flag("amend", false));
  PARLEY_ASSIGN_OR_RETURN(p.cookie_mode, caps.flag("cookie_mode", false));
  PARLEY_ASSIGN_OR_RETURN(p.replay_detection, caps.flag("replay_detection", false));
  PARLEY_ASSIGN_OR_RETURN(p.encryption, caps.flag("encryption", false));
  PARLEY_ASSIGN_OR_RETURN(p.signature_confirmation, caps.flag("signature_confirmation", false));
  PARLEY_ASSIGN_OR_RETURN(p.requires_derived_keys, caps.flag("requires_derived_keys", false));
  PARLEY_TRY(caps.no_unknown_keys());

  Section limits(root["limits"].as_table(), "limits");
  auto optional_uint = [&](const char* key, std::uint64_t max) -> Result<std::optional<std::uint64_t>> {
    if (!root["limits"][key]) return std::optional<std::uint64_t>{};
    PARLEY_ASSIGN_OR_RETURN(std::uint64_t v, limits.uint(key, 0, max));
    return std::optional<std::uint64_t>{v};
  };
  PARLEY_ASSIGN_OR_RETURN(p.max_pending_sessions, optional_uint("max_pending_sessions", 1u << 20));
  PARLEY_ASSIGN_OR_RETURN(p.key_rollover_seconds, optional_uint("key_rollover_seconds", 86400));
  PARLEY_TRY(limits.no_unknown_keys());
  return p;
}

Result<TargetProfile> load_target_profile(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto p = parse_target_profile(text, base_dir_of(path));
  if (!p.ok()) return p.error().within(path);
  return p;
}

}  // namespace parley::oracle
