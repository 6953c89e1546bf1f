// Vector algorithms of the NBFX / session-token side of harness/wif (vectors/wif/, schema in
// vectors/README.md):
//   NBFX_DECODE        bytes (hex) + dictionary -> the XML text ([MC-NBFX] 2, 3)
//   WIF_SESSION_TOKEN  token (JSON form) -> NBFX state, BinaryFormatter payload, SCT XML;
//                      or state / payload (hex) -> token (JSON form)
#include <nlohmann/json.hpp>
#include <string>

#include "harness/core/vectors.h"
#include "harness/wif/nbfx.h"
#include "harness/wif/session_token.h"
#include "harness/wif/vectors.h"

namespace parley::wif {
namespace {

using nlohmann::json;

Error schema(const std::string& what, const std::string& where) {
  return Error(ErrorCode::kParse, what, where);
}

// "strings": {"14": "Envelope", ...} -> a dictionary (even and odd ids alike).
Result<nbfx::Dictionary> strings_input(const json& in, const char* key, const std::string& where) {
  nbfx::Dictionary d;
  auto it = in.find(key);
  if (it == in.end()) return d;
  if (!it->is_object())
    return schema(std::string("\"") + key + "\" must be an object of id -> string", where);
  for (const auto& [id_text, value] : it->items()) {
    std::uint32_t id = 0;
    try {
      std::size_t used = 0;
      const unsigned long v = std::stoul(id_text, &used, 10);
      if (used != id_text.size() || v > nbfx::kMaxMultiByteInt31) throw std::out_of_range("id");
      id = static_cast<std::uint32_t>(v);
    } catch (const std::exception&) {
      return schema(std::string("\"") + key + "\": '" + id_text + "' is not a decimal id", where);
    }
    if (!value.is_string())
      return schema(std::string("\"") + key + "\" values must be strings", where);
    auto added = d.add(id, value.get<std::string>());
    if (!added.ok()) return schema(added.error().what(), where);
  }
  return d;
}

// inputs: bytes (hex); dictionary: "none" (default) or "wif-session"; strings: extra id -> string
// entries (even ids static, odd ids session); unknown_ids: "error" (default) or "placeholder".
Result<json> run_nbfx_decode(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(Bytes bytes, vectors::input_bytes(in, "bytes", where));
  std::string dictionary = "none";
  if (in.contains("dictionary")) {
    PARLEY_ASSIGN_OR_RETURN(dictionary, vectors::input_string(in, "dictionary", where));
  }
  std::string unknown = "error";
  if (in.contains("unknown_ids")) {
    PARLEY_ASSIGN_OR_RETURN(unknown, vectors::input_string(in, "unknown_ids", where));
  }
  if (unknown != "error" && unknown != "placeholder")
    return schema("\"unknown_ids\" must be error or placeholder", where);
  PARLEY_ASSIGN_OR_RETURN(nbfx::Dictionary extra, strings_input(in, "strings", where));
  nbfx::Dictionary stat;
  nbfx::Dictionary session;
  if (dictionary == "wif-session") {
    stat = session_dictionary();
  } else if (dictionary != "none") {
    return schema("\"dictionary\" must be none or wif-session", where);
  }
  for (const auto& [id, value] : extra.entries()) {
    auto added = ((id & 1) != 0 ? session : stat).add(id, value);
    if (!added.ok()) return schema(added.error().what(), where);
  }
  nbfx::DecodeOptions o;
  o.static_dictionary = &stat;
  o.session_dictionary = &session;
  o.unknown_ids =
      unknown == "placeholder" ? nbfx::UnknownIds::kPlaceholder : nbfx::UnknownIds::kError;
  PARLEY_ASSIGN_OR_RETURN(nbfx::Decoded d, nbfx::decode(bytes, o));
  return json{{"xml", d.xml}, {"records", d.records.size()}};
}

// inputs: token (the JSON form of session_token.h), optional framing ("binary-formatter" or
// "raw") -> nbfx (state hex), payload (hex), sct_xml (with identity cookie transforms: the
// Cookie element holds base64(payload)). Or inputs: nbfx / payload (hex) -> token.
Result<json> run_session_token(const json& in, const std::string& where) {
  if (in.contains("token")) {
    auto token = session_token_from_json(in.at("token"));
    if (!token.ok()) return schema("\"token\": " + token.error().message(), where);
    std::string framing = "binary-formatter";
    if (in.contains("framing")) {
      PARLEY_ASSIGN_OR_RETURN(framing, vectors::input_string(in, "framing", where));
    }
    if (framing != "binary-formatter" && framing != "raw") {
      return schema("\"framing\" must be binary-formatter or raw", where);
    }
    PARLEY_ASSIGN_OR_RETURN(Bytes state, serialize_session_state(*token));
    PARLEY_ASSIGN_OR_RETURN(
        Bytes payload,
        encode_cookie_payload(
            *token, framing == "raw" ? CookieFraming::kRawNbfx : CookieFraming::kBinaryFormatter));
    // The state must read back as the same token (one implementation, used both ways).
    PARLEY_ASSIGN_OR_RETURN(SessionToken back, decode_cookie_payload(payload));
    if (!(back == *token)) {
      return Error(ErrorCode::kInternal, "the serialized token does not read back equal",
                   where + " (round trip)");
    }
    return json{{"nbfx", hex_encode(state)},
                {"payload", hex_encode(payload)},
                {"sct_xml", write_security_context_token(*token, payload)}};
  }
  Bytes bytes;
  if (in.contains("nbfx")) {
    PARLEY_ASSIGN_OR_RETURN(bytes, vectors::input_bytes(in, "nbfx", where));
    PARLEY_ASSIGN_OR_RETURN(SessionToken t, parse_session_state(bytes));
    return json{{"token", to_json(t)}};
  }
  if (in.contains("payload")) {
    PARLEY_ASSIGN_OR_RETURN(bytes, vectors::input_bytes(in, "payload", where));
    PARLEY_ASSIGN_OR_RETURN(SessionToken t, decode_cookie_payload(bytes));
    return json{{"token", to_json(t)}};
  }
  return schema("inputs need \"token\", \"nbfx\" or \"payload\"", where);
}

}  // namespace

void register_nbfx_vectors() {
  vectors::register_algorithm("NBFX_DECODE", run_nbfx_decode);
  vectors::register_algorithm("WIF_SESSION_TOKEN", run_session_token);
}

}  // namespace parley::wif
