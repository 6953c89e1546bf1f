// Vector algorithms of the cookie side of harness/wif (vectors/wif/, schema in vectors/README.md):
//   WIF_COOKIE_TRANSFORM   one transform or a pipeline, encode / decode / roundtrip
//   ASPNET_MACHINEKEY      MachineKey.Protect / Unprotect
//   WIF_CHUNKED_COOKIES    reassemble / write / delete chunked cookies (WIF and ASP.NET Core)
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/crypto.h"
#include "harness/core/vectors.h"
#include "harness/wif/chunked_cookies.h"
#include "harness/wif/cookie_transforms.h"
#include "harness/wif/machine_key.h"
#include "harness/wif/vectors.h"

namespace parley::wif {
namespace {

using nlohmann::json;
using vectors::input_bytes;
using vectors::input_string;
using vectors::input_uint;

Error schema(const std::string& what, const std::string& where) { return Error(ErrorCode::kParse, what, where); }

Result<std::vector<std::string>> input_string_list(const json& in, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = in.find(key);
  if (it == in.end()) return out;
  if (!it->is_array()) return schema(std::string("\"") + key + "\" must be an array of strings", where);
  for (const auto& v : *it) {
    if (!v.is_string()) return schema(std::string("\"") + key + "\" must be an array of strings", where);
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<bool> input_bool(const json& in, const char* key, bool fallback, const std::string& where) {
  auto it = in.find(key);
  if (it == in.end()) return fallback;
  if (!it->is_boolean()) return schema(std::string("\"") + key + "\" must be true or false", where);
  return it->get<bool>();
}

// decryption_key, validation_key (hex), validation (name; default HMACSHA256).
Result<MachineKeyConfig> machine_key_config(const json& in, const std::string& where) {
  MachineKeyConfig c;
  PARLEY_ASSIGN_OR_RETURN(c.decryption_key, input_bytes(in, "decryption_key", where));
  PARLEY_ASSIGN_OR_RETURN(c.validation_key, input_bytes(in, "validation_key", where));
  std::string validation = "HMACSHA256";
  if (in.contains("validation")) {
    PARLEY_ASSIGN_OR_RETURN(validation, input_string(in, "validation", where));
  }
  PARLEY_ASSIGN_OR_RETURN(c.validation, parse_machine_key_validation(validation));
  return c;
}

// purposes: [primary, specific...]; absent = WIF's MachineKeyTransform purpose.
Result<MachineKeyPurpose> machine_key_purpose(const json& in, const std::string& where) {
  if (!in.contains("purposes")) return wif_machine_key_transform_purpose();
  PARLEY_ASSIGN_OR_RETURN(std::vector<std::string> list, input_string_list(in, "purposes", where));
  if (list.empty()) return schema("\"purposes\" needs at least the primary purpose", where);
  MachineKeyPurpose p;
  p.primary = list.front();
  p.specific.assign(list.begin() + 1, list.end());
  return p;
}

Result<std::vector<crypto::RsaKey>> rsa_keys(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<std::string> pems, input_string_list(in, "rsa_keys", where));
  if (pems.empty()) return schema("\"rsa_keys\" (PEM strings) is required for RSA transforms", where);
  std::vector<crypto::RsaKey> keys;
  for (const auto& pem : pems) {
    auto key = crypto::RsaKey::from_pem(pem);
    if (!key.ok()) return schema("\"rsa_keys\": " + key.error().message(), where);
    keys.push_back(std::move(*key));
  }
  return keys;
}

Result<std::vector<AeadKey>> aead_keys(const json& in, const std::string& where) {
  auto it = in.find("aead_keys");
  if (it == in.end() || !it->is_array()) return schema("\"aead_keys\" must be an array of {id, key}", where);
  std::vector<AeadKey> keys;
  for (const auto& k : *it) {
    if (!k.is_object()) return schema("\"aead_keys\" must be an array of {id, key}", where);
    AeadKey key;
    PARLEY_ASSIGN_OR_RETURN(key.id, input_string(k, "id", where));
    PARLEY_ASSIGN_OR_RETURN(key.key, input_bytes(k, "key", where));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::shared_ptr<const CookieTransform>> make_transform(const std::string& name, const json& in,
                                                              const std::string& where) {
  if (name == "deflate") {
    PARLEY_ASSIGN_OR_RETURN(std::uint64_t cap, input_uint(in, "max_decompressed_size", kWifMaxDecompressedSize, where));
    return std::shared_ptr<const CookieTransform>(std::make_shared<DeflateCookieTransform>(static_cast<std::size_t>(cap)));
  }
  if (name == "rsa_encryption") {
    PARLEY_ASSIGN_OR_RETURN(auto keys, rsa_keys(in, where));
    PARLEY_ASSIGN_OR_RETURN(auto t, RsaEncryptionCookieTransform::create(std::move(keys)));
    return std::shared_ptr<const CookieTransform>(std::make_shared<RsaEncryptionCookieTransform>(std::move(t)));
  }
  if (name == "rsa_signature") {
    PARLEY_ASSIGN_OR_RETURN(auto keys, rsa_keys(in, where));
    PARLEY_ASSIGN_OR_RETURN(auto t, RsaSignatureCookieTransform::create(std::move(keys)));
    return std::shared_ptr<const CookieTransform>(std::make_shared<RsaSignatureCookieTransform>(std::move(t)));
  }
  if (name == "machinekey") {
    PARLEY_ASSIGN_OR_RETURN(MachineKeyConfig config, machine_key_config(in, where));
    PARLEY_ASSIGN_OR_RETURN(MachineKeyPurpose purpose, machine_key_purpose(in, where));
    PARLEY_ASSIGN_OR_RETURN(auto t, MachineKeyCookieTransform::create(config, std::move(purpose)));
    if (in.contains("iv")) {
      PARLEY_ASSIGN_OR_RETURN(Bytes iv, input_bytes(in, "iv", where));
      t.set_fixed_iv(std::move(iv));
    }
    return std::shared_ptr<const CookieTransform>(std::make_shared<MachineKeyCookieTransform>(std::move(t)));
  }
  if (name == "aead") {
    PARLEY_ASSIGN_OR_RETURN(auto keys, aead_keys(in, where));
    PARLEY_ASSIGN_OR_RETURN(auto t, AeadCookieTransform::create(std::move(keys)));
    if (in.contains("nonce")) {
      PARLEY_ASSIGN_OR_RETURN(Bytes nonce, input_bytes(in, "nonce", where));
      t.set_nonce_source([nonce] { return Result<Bytes>(nonce); });
    }
    return std::shared_ptr<const CookieTransform>(std::make_shared<AeadCookieTransform>(std::move(t)));
  }
  return schema("unknown transform \"" + name + "\" (deflate, rsa_encryption, rsa_signature, machinekey, aead)", where);
}

json bytes_output(const Bytes& out) {
  auto digest = crypto::sha256(out);
  return json{{"output", hex_encode(out)},
              {"output_size", out.size()},
              {"output_sha256", digest.ok() ? hex_encode(*digest) : std::string()}};
}

Result<json> run_cookie_transform(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::vector<std::string> names, input_string_list(in, "transforms", where));
  if (names.empty()) return schema("\"transforms\" must name at least one transform", where);
  PARLEY_ASSIGN_OR_RETURN(std::string direction, input_string(in, "direction", where));
  PARLEY_ASSIGN_OR_RETURN(Bytes input, input_bytes(in, "input", where));
  CookieTransformPipeline pipeline;
  for (const auto& name : names) {
    PARLEY_ASSIGN_OR_RETURN(auto t, make_transform(name, in, where));
    pipeline.add(std::move(t));
  }
  if (direction == "encode") {
    PARLEY_ASSIGN_OR_RETURN(Bytes out, pipeline.encode(input));
    return bytes_output(out);
  }
  if (direction == "decode") {
    PARLEY_ASSIGN_OR_RETURN(Bytes out, pipeline.decode(input));
    return bytes_output(out);
  }
  if (direction == "roundtrip") {
    PARLEY_ASSIGN_OR_RETURN(Bytes encoded, pipeline.encode(input));
    PARLEY_ASSIGN_OR_RETURN(Bytes out, pipeline.decode(encoded));
    return bytes_output(out);
  }
  return schema("\"direction\" must be encode, decode or roundtrip", where);
}

Result<json> run_machine_key(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string operation, input_string(in, "operation", where));
  PARLEY_ASSIGN_OR_RETURN(Bytes data, input_bytes(in, "data", where));
  PARLEY_ASSIGN_OR_RETURN(MachineKeyConfig config, machine_key_config(in, where));
  PARLEY_ASSIGN_OR_RETURN(MachineKeyPurpose purpose, machine_key_purpose(in, where));
  PARLEY_ASSIGN_OR_RETURN(MachineKeyProtector protector, MachineKeyProtector::create(config, std::move(purpose)));
  Bytes out;
  if (operation == "protect") {
    if (!in.contains("iv")) return schema("protect vectors need a fixed \"iv\"", where);
    PARLEY_ASSIGN_OR_RETURN(Bytes iv, input_bytes(in, "iv", where));
    PARLEY_ASSIGN_OR_RETURN(out, protector.protect_with_iv(data, iv));
  } else if (operation == "unprotect") {
    PARLEY_ASSIGN_OR_RETURN(out, protector.unprotect(data));
  } else {
    return schema("\"operation\" must be protect or unprotect", where);
  }
  return json{{"output", hex_encode(out)},
              {"derived_encryption_key", hex_encode(protector.derived_keys().encryption)},
              {"derived_validation_key", hex_encode(protector.derived_keys().validation)}};
}

Result<CookieAttributes> cookie_attributes(const json& in, const std::string& where) {
  CookieAttributes a;
  auto it = in.find("attributes");
  if (it == in.end()) return a;
  if (!it->is_object()) return schema("\"attributes\" must be an object", where);
  const json& at = *it;
  if (at.contains("path")) {
    PARLEY_ASSIGN_OR_RETURN(a.path, input_string(at, "path", where));
  }
  if (at.contains("domain")) {
    PARLEY_ASSIGN_OR_RETURN(a.domain, input_string(at, "domain", where));
  }
  PARLEY_ASSIGN_OR_RETURN(a.secure, input_bool(at, "secure", a.secure, where));
  PARLEY_ASSIGN_OR_RETURN(a.http_only, input_bool(at, "http_only", a.http_only, where));
  if (at.contains("same_site")) {
    PARLEY_ASSIGN_OR_RETURN(std::string s, input_string(at, "same_site", where));
    PARLEY_ASSIGN_OR_RETURN(a.same_site, parse_same_site(s));
  }
  if (at.contains("expires")) {
    PARLEY_ASSIGN_OR_RETURN(std::uint64_t t, input_uint(at, "expires", 0, where));
    a.expires = std::chrono::sys_seconds{std::chrono::seconds{static_cast<std::int64_t>(t)}};
  }
  return a;
}

Result<json> run_chunked_cookies(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string style_name, input_string(in, "style", where));
  PARLEY_ASSIGN_OR_RETURN(ChunkingStyle style, parse_chunking_style(style_name));
  ChunkingOptions options = default_chunking(style);
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t chunk_size, input_uint(in, "chunk_size", options.chunk_size, where));
  options.chunk_size = static_cast<std::size_t>(chunk_size);
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_chunks, input_uint(in, "max_chunks", options.limits.max_chunks, where));
  options.limits.max_chunks = static_cast<std::size_t>(max_chunks);
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t max_total, input_uint(in, "max_total_size", options.limits.max_total_size, where));
  options.limits.max_total_size = static_cast<std::size_t>(max_total);
  PARLEY_ASSIGN_OR_RETURN(std::string operation, input_string(in, "operation", where));
  PARLEY_ASSIGN_OR_RETURN(std::string name, input_string(in, "name", where));
  std::string header;
  if (in.contains("cookie_header")) {
    PARLEY_ASSIGN_OR_RETURN(header, input_string(in, "cookie_header", where));
  }
  PARLEY_ASSIGN_OR_RETURN(ChunkedCookieJar request, ChunkedCookieJar::parse_cookie_header(header));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t now_unix, input_uint(in, "now", 0, where));
  const std::chrono::sys_seconds now{std::chrono::seconds{static_cast<std::int64_t>(now_unix)}};
  PARLEY_ASSIGN_OR_RETURN(CookieAttributes attributes, cookie_attributes(in, where));

  auto render_all = [style](const std::vector<SetCookie>& cookies) {
    json lines = json::array();
    for (const auto& c : cookies) lines.push_back(render_set_cookie(c, style));
    return lines;
  };
  if (operation == "reassemble") {
    PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> value, request.reassemble(name, options));
    return json{{"value", value ? json(*value) : json(nullptr)}, {"chunks", request.chunk_names(name, options)}};
  }
  if (operation == "write") {
    PARLEY_ASSIGN_OR_RETURN(std::string value, input_string(in, "value", where));
    PARLEY_ASSIGN_OR_RETURN(auto cookies, write_chunked_cookie(request, name, value, attributes, now, options));
    return json{{"set_cookie", render_all(cookies)}};
  }
  if (operation == "delete") {
    return json{{"set_cookie", render_all(delete_chunked_cookie(request, name, attributes, now, options))}};
  }
  return schema("\"operation\" must be reassemble, write or delete", where);
}

}  // namespace

void register_cookie_vectors() {
  vectors::register_algorithm("WIF_COOKIE_TRANSFORM", run_cookie_transform);
  vectors::register_algorithm("ASPNET_MACHINEKEY", run_machine_key);
  vectors::register_algorithm("WIF_CHUNKED_COOKIES", run_chunked_cookies);
}

}  // namespace parley::wif
