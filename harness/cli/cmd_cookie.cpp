// `parley cookie decode|encode`: a WIF session cookie (FedAuth chunks) into readable JSON of the
// session token, and JSON back into Set-Cookie headers, through the configured transforms.
//
// Layers, outside in (session_token.h): chunked cookies -> base64 -> SecurityContextToken XML ->
// <Cookie> -> cookie transforms -> payload -> NBFX session state.
#include <cctype>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/input.h"
#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/wif/chunked_cookies.h"
#include "harness/wif/cookie_transforms.h"
#include "harness/wif/machine_key.h"
#include "harness/wif/session_token.h"

namespace parley::cli {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxInput = std::size_t{16} << 20;

struct CookieOptions {
  std::string input = "-";
  std::string name = "FedAuth";
  std::string style = "wif";
  std::string input_format = "auto";  // decode: auto | cookie-header | set-cookie | value
  std::string output = "set-cookie";  // encode: set-cookie | cookie-header | value
  std::size_t chunk_size = 0;         // 0 = the style's default
  std::vector<std::string> transforms;
  // MachineKey
  std::string decryption_key;
  std::string validation_key;
  std::string validation = "HMACSHA256";
  std::vector<std::string> purposes;
  std::string iv;
  // RSA
  std::vector<std::string> rsa_keys;
  // AEAD
  std::vector<std::string> aead_keys;
  std::string aead_nonce;
  // Deflate
  std::size_t max_decompressed_size = wif::kWifMaxDecompressedSize;
  // encode
  std::string framing = "binary-formatter";
  std::string path = "/";
  std::string domain;
  bool insecure = false;
  bool no_http_only = false;
  std::string same_site;
  std::string expires;
  std::string request;
};


std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Result<Bytes> option_bytes(const std::string& option, const std::string& text) {
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return std::move(bytes.error().within(option));
  return bytes;
}

// --transform names in encode order -> the pipeline.
Result<wif::CookieTransformPipeline> build_pipeline(const CookieOptions& o) {
  wif::CookieTransformPipeline pipeline;
  for (const auto& raw : o.transforms) {
    std::string name;
    for (char c : raw) {
      if (c != '-' && c != '_') name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (name == "deflate") {
      pipeline.add(std::make_shared<wif::DeflateCookieTransform>(o.max_decompressed_size));
    } else if (name == "machinekey") {
      if (o.decryption_key.empty() || o.validation_key.empty()) {
        return Error(ErrorCode::kInvalidArgument, "needs --decryption-key and --validation-key", "--transform machinekey");
      }
      PARLEY_ASSIGN_OR_RETURN(Bytes dk, option_bytes("--decryption-key", o.decryption_key));
      PARLEY_ASSIGN_OR_RETURN(Bytes vk, option_bytes("--validation-key", o.validation_key));
      auto validation = wif::parse_machine_key_validation(o.validation);
      if (!validation.ok()) return std::move(validation.error().within("--validation"));
      wif::MachineKeyPurpose purpose = wif::wif_machine_key_transform_purpose();
      if (!o.purposes.empty()) purpose = {o.purposes.front(), {o.purposes.begin() + 1, o.purposes.end()}};
      PARLEY_ASSIGN_OR_RETURN(auto t, wif::MachineKeyCookieTransform::create({dk, vk, *validation}, purpose));
      if (!o.iv.empty()) {
        PARLEY_ASSIGN_OR_RETURN(Bytes iv, option_bytes("--iv", o.iv));
        t.set_fixed_iv(std::move(iv));
      }
      pipeline.add(std::make_shared<wif::MachineKeyCookieTransform>(std::move(t)));
    } else if (name == "rsaencryption" || name == "rsasignature" || name == "rsa") {
      if (o.rsa_keys.empty()) return Error(ErrorCode::kInvalidArgument, "needs --rsa-key PEMFILE", "--transform " + raw);
      std::vector<crypto::RsaKey> keys;
      for (const auto& file : o.rsa_keys) {
        PARLEY_ASSIGN_OR_RETURN(std::string pem, read_input(file, 1u << 20));
        auto key = crypto::RsaKey::from_pem(pem);
        if (!key.ok()) return std::move(key.error().within("--rsa-key " + file));
        keys.push_back(std::move(*key));
      }
      if (name != "rsasignature") {  // "rsa" = WIF's pair: RsaEncryption then RsaSignature
        PARLEY_ASSIGN_OR_RETURN(auto t, wif::RsaEncryptionCookieTransform::create(keys));
        pipeline.add(std::make_shared<wif::RsaEncryptionCookieTransform>(std::move(t)));
      }
      if (name != "rsaencryption") {
        PARLEY_ASSIGN_OR_RETURN(auto t, wif::RsaSignatureCookieTransform::create(keys));
        pipeline.add(std::make_shared<wif::RsaSignatureCookieTransform>(std::move(t)));
      }
    } else if (name == "aead") {
      if (o.aead_keys.empty()) return Error(ErrorCode::kInvalidArgument, "needs --aead-key ID=HEX", "--transform aead");
      std::vector<wif::AeadKey> keys;
      for (const auto& spec : o.aead_keys) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos) {
          return Error(ErrorCode::kInvalidArgument, "'" + spec + "' is not ID=HEX", "--aead-key");
        }
        PARLEY_ASSIGN_OR_RETURN(Bytes key, option_bytes("--aead-key " + spec.substr(0, eq), spec.substr(eq + 1)));
        keys.push_back({spec.substr(0, eq), std::move(key)});
      }
      PARLEY_ASSIGN_OR_RETURN(auto t, wif::AeadCookieTransform::create(std::move(keys)));
      if (!o.aead_nonce.empty()) {
        PARLEY_ASSIGN_OR_RETURN(Bytes nonce, option_bytes("--aead-nonce", o.aead_nonce));
        t.set_nonce_source([nonce] { return Result<Bytes>(nonce); });
      }
      pipeline.add(std::make_shared<wif::AeadCookieTransform>(std::move(t)));
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   "'" + raw + "' is not one of deflate, machinekey, rsa-encryption, rsa-signature, rsa, aead",
                   "--transform");
    }
  }
  return pipeline;
}

Result<wif::ChunkingOptions> chunking(const CookieOptions& o) {
  PARLEY_ASSIGN_OR_RETURN(wif::ChunkingStyle style, wif::parse_chunking_style(o.style));
  wif::ChunkingOptions options = wif::default_chunking(style);
  if (o.chunk_size != 0) options.chunk_size = o.chunk_size;
  return options;
}

// The cookie value (base64 of the SCT XML), from whichever form the input has.
Result<std::pair<std::string, std::vector<std::string>>> cookie_value(const CookieOptions& o, const std::string& text,
                                                                      const wif::ChunkingOptions& options) {
  const std::string t = trim(text);
  std::string format = o.input_format;
  if (format == "auto") {
    if (starts_with_ci(t, "Set-Cookie:")) {
      format = "set-cookie";
    } else if (starts_with_ci(t, "Cookie:") || t.rfind(o.name + "=", 0) == 0 ||
               [&] {  // name=value: an '=' that is not base64 padding at the end
                 const auto eq = t.find('=');
                 return eq != std::string::npos && t.find_first_not_of('=', eq) != std::string::npos;
               }()) {
      format = "cookie-header";
    } else {
      format = "value";
    }
  }
  if (format == "value") {
    if (t.empty()) return Error(ErrorCode::kInvalidArgument, "the input is empty", "cookie");
    return std::pair{t, std::vector<std::string>{}};
  }
  Result<wif::ChunkedCookieJar> jar = format == "set-cookie" ? wif::ChunkedCookieJar::parse_set_cookie_lines(t)
                                      : format == "cookie-header"
                                          ? wif::ChunkedCookieJar::parse_cookie_header(t)
                                          : Result<wif::ChunkedCookieJar>(Error(
                                                ErrorCode::kInvalidArgument,
                                                "'" + format + "' is not auto, cookie-header, set-cookie or value",
                                                "--input-format"));
  if (!jar.ok()) return jar.error();
  PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> value, jar->reassemble(o.name, options));
  if (!value) {
    return Error(ErrorCode::kNotFound, "no cookie named '" + o.name + "' in the input (use --name)", "cookie");
  }
  return std::pair{*value, jar->chunk_names(o.name, options)};
}

int run_decode(const CookieOptions& o) {
  auto options = chunking(o);
  if (!options.ok()) return usage_error(options.error().message());
  auto pipeline = build_pipeline(o);
  if (!pipeline.ok()) return usage_error(pipeline.error().message());
  auto text = read_input(o.input, kMaxInput);
  if (!text.ok()) return usage_error(text.error().message());
  auto value = cookie_value(o, *text, *options);
  if (!value.ok()) return usage_error(value.error().message());

  auto xml = base64_decode(value->first);
  if (!xml.ok()) return usage_error("cookie value: " + xml.error().message());
  auto sct = wif::read_security_context_token(to_string(*xml));
  if (!sct.ok()) return usage_error(sct.error().message());

  json out;
  out["cookie"] = {{"name", o.name},
                   {"style", o.style},
                   {"chunks", value->second},
                   {"characters", value->first.size()}};
  out["security_context_token"] = {{"version", std::string(names::sc(sct->version).ns)},
                                   {"id", sct->id},
                                   {"context_id", sct->context_id},
                                   {"instance", sct->instance ? json(*sct->instance) : json(nullptr)},
                                   {"cookie_bytes", sct->cookie ? json(sct->cookie->size()) : json(nullptr)}};
  out["transforms"] = pipeline->names();
  if (!sct->cookie) {
    // Reference mode: the token lives in the relying party's session cache, not in the cookie.
    out["token"] = nullptr;
    out["reference_mode"] = true;
  } else {
    auto payload = pipeline->decode(*sct->cookie);
    if (!payload.ok()) return usage_error(payload.error().message());
    auto token = wif::decode_cookie_payload(*payload);
    if (!token.ok()) return usage_error(token.error().message());
    auto matches = wif::check_cookie_matches(*sct, *token);
    if (!matches.ok()) return usage_error(matches.error().message());
    out["reference_mode"] = token->reference_mode;
    out["token"] = wif::to_json(*token);
  }
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

Result<wif::CookieAttributes> attributes(const CookieOptions& o) {
  wif::CookieAttributes a;
  a.path = o.path;
  a.domain = o.domain;
  a.secure = !o.insecure;
  a.http_only = !o.no_http_only;
  PARLEY_ASSIGN_OR_RETURN(a.same_site, wif::parse_same_site(o.same_site));
  if (!o.expires.empty()) {
    long long seconds = 0;
    const char* end = o.expires.data() + o.expires.size();
    auto [ptr, ec] = std::from_chars(o.expires.data(), end, seconds);
    if (ec != std::errc() || ptr != end || seconds < 0) {
      return Error(ErrorCode::kInvalidArgument, "'" + o.expires + "' is not Unix seconds", "--expires");
    }
    a.expires = std::chrono::sys_seconds{std::chrono::seconds{seconds}};
  }
  return a;
}

int run_encode(const CookieOptions& o) {
  auto options = chunking(o);
  if (!options.ok()) return usage_error(options.error().message());
  auto pipeline = build_pipeline(o);
  if (!pipeline.ok()) return usage_error(pipeline.error().message());
  auto attrs = attributes(o);
  if (!attrs.ok()) return usage_error(attrs.error().message());
  wif::CookieFraming framing = wif::CookieFraming::kBinaryFormatter;
  if (o.framing == "raw-nbfx") {
    framing = wif::CookieFraming::kRawNbfx;
  } else if (o.framing != "binary-formatter") {
    return usage_error("--framing: '" + o.framing + "' is not binary-formatter or raw-nbfx");
  }
  auto text = read_input(o.input, kMaxInput);
  if (!text.ok()) return usage_error(text.error().message());
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return usage_error("input: not a JSON object");
  // Accept `parley cookie decode` output (the token under "token") or a bare token.
  const json& token_json = doc.contains("token") && doc.contains("security_context_token") ? doc.at("token") : doc;
  if (token_json.is_null()) return usage_error("input: reference-mode cookie has no token to encode");
  auto token = wif::session_token_from_json(token_json);
  if (!token.ok()) return usage_error(token.error().message());

  Bytes transformed;
  if (!token->reference_mode) {
    auto payload = wif::encode_cookie_payload(*token, framing);
    if (!payload.ok()) return usage_error(payload.error().message());
    auto encoded = pipeline->encode(*payload);
    if (!encoded.ok()) return usage_error(encoded.error().message());
    transformed = std::move(*encoded);
  }
  const std::string xml = wif::write_security_context_token(*token, transformed);
  const std::string value = base64_encode(as_bytes(xml));

  if (o.output == "value") {
    std::cout << value << "\n";
    return kExitOk;
  }
  auto request = wif::ChunkedCookieJar::parse_cookie_header(o.request);
  if (!request.ok()) return usage_error("--request: " + request.error().message());
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto cookies = wif::write_chunked_cookie(*request, o.name, value, *attrs, now, *options);
  if (!cookies.ok()) return usage_error(cookies.error().message());
  if (o.output == "cookie-header") {
    std::string line = "Cookie: ";
    bool first = true;
    for (const auto& c : *cookies) {
      if (c.deletion) continue;
      line += (first ? "" : "; ") + c.name + "=" + c.value;
      first = false;
    }
    std::cout << line << "\n";
    return kExitOk;
  }
  if (o.output != "set-cookie") return usage_error("--output: '" + o.output + "' is not set-cookie, cookie-header or value");
  for (const auto& c : *cookies) std::cout << "Set-Cookie: " << wif::render_set_cookie(c, options->style) << "\n";
  return kExitOk;
}

void add_common(CLI::App* cmd, CookieOptions& o) {
  cmd->add_option("FILE", o.input, "Input; - for stdin")->capture_default_str();
  cmd->add_option("--name", o.name, "Base cookie name")->capture_default_str();
  cmd->add_option("--style", o.style, "Chunking: wif (FedAuth, FedAuth1, ...) or aspnetcore (chunks-N, NameC1, ...)")
      ->check(CLI::IsMember({"wif", "aspnetcore"}))
      ->capture_default_str();
  cmd->add_option("--transform", o.transforms,
                  "Cookie transform, repeat in WIF's (encode) order: deflate, machinekey, rsa-encryption, "
                  "rsa-signature, rsa (= rsa-encryption then rsa-signature), aead")
      ->allow_extra_args(false);
  cmd->add_option("--decryption-key", o.decryption_key, "MachineKey: <machineKey decryptionKey> (hex)");
  cmd->add_option("--validation-key", o.validation_key, "MachineKey: <machineKey validationKey> (hex)");
  cmd->add_option("--validation", o.validation, "MachineKey: HMACSHA1 (SHA1), HMACSHA256, HMACSHA384, HMACSHA512")
      ->capture_default_str();
  cmd->add_option("--purpose", o.purposes,
                  "MachineKey purposes, primary first (default: User.MachineKey.Protect, "
                  "System.IdentityModel.Services.MachineKeyTransform)")
      ->allow_extra_args(false);
  cmd->add_option("--rsa-key", o.rsa_keys,
                  "RSA: PEM file (private key, public key or certificate); repeat: the first encrypts and signs, "
                  "all are tried when decoding")
      ->allow_extra_args(false);
  cmd->add_option("--aead-key", o.aead_keys, "AEAD: key ring entry ID=HEX (32 bytes); repeat, oldest first")
      ->allow_extra_args(false);
  cmd->add_option("--max-decompressed-size", o.max_decompressed_size, "Deflate: inflate limit in bytes")
      ->capture_default_str();
}

}  // namespace

void add_cookie_command(CLI::App& app, RunState& state) {
  CLI::App* cookie = app.add_subcommand("cookie", "Decode a WIF session cookie into JSON, or encode JSON into one");
  cookie->require_subcommand(1);
  cookie->footer(
      "A FedAuth cookie is: chunks -> base64 -> SecurityContextToken XML -> <Cookie> -> transforms -> token.\n"
      "Transforms are listed in WIF's encode order; decode undoes them in reverse. Examples:\n"
      "  parley cookie decode --transform deflate --transform machinekey \\\n"
      "      --decryption-key HEX --validation-key HEX cookies.txt\n"
      "  parley cookie encode --transform deflate --transform rsa --rsa-key rp.pem token.json");

  auto d = std::make_shared<CookieOptions>();
  CLI::App* decode = cookie->add_subcommand(
      "decode", "Cookie header, Set-Cookie lines or a cookie value -> JSON of the session token");
  add_common(decode, *d);
  decode->add_option("--input-format", d->input_format, "auto, cookie-header, set-cookie or value")
      ->check(CLI::IsMember({"auto", "cookie-header", "set-cookie", "value"}))
      ->capture_default_str();
  decode->callback([d, &state] { state.exit_code = run_decode(*d); });

  auto e = std::make_shared<CookieOptions>();
  CLI::App* encode = cookie->add_subcommand(
      "encode", "JSON of a session token (or `cookie decode` output) -> Set-Cookie headers");
  add_common(encode, *e);
  encode->add_option("--output", e->output, "set-cookie, cookie-header (to replay as a request) or value")
      ->check(CLI::IsMember({"set-cookie", "cookie-header", "value"}))
      ->capture_default_str();
  encode->add_option("--chunk-size", e->chunk_size, "Chunk size (default: wif 2000, aspnetcore 4050)");
  encode->add_option("--framing", e->framing, "Payload framing: binary-formatter (WIF) or raw-nbfx")
      ->capture_default_str();
  encode->add_option("--iv", e->iv, "MachineKey: fixed 16-byte IV (hex), for reproducible output");
  encode->add_option("--aead-nonce", e->aead_nonce, "AEAD: fixed 12-byte nonce (hex), for reproducible output");
  encode->add_option("--path", e->path, "Set-Cookie Path")->capture_default_str();
  encode->add_option("--domain", e->domain, "Set-Cookie Domain");
  encode->add_flag("--insecure", e->insecure, "Leave out Secure (WIF requireSsl=false)");
  encode->add_flag("--no-http-only", e->no_http_only, "Leave out HttpOnly");
  encode->add_option("--same-site", e->same_site, "SameSite: none, lax or strict (default: not sent)");
  encode->add_option("--expires", e->expires, "Persistent session: Expires as Unix seconds (default: session cookie)");
  encode->add_option("--request", e->request,
                     "The request's Cookie header: its stale chunks get deletion Set-Cookie headers");
  encode->callback([e, &state] { state.exit_code = run_encode(*e); });
}

}  // namespace parley::cli
