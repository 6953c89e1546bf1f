#include "harness/core/vectors.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/core/xml.h"
#include "harness/core/xmlsec.h"

namespace parley::vectors {
namespace {

using nlohmann::json;

constexpr std::uintmax_t kMaxVectorFileBytes = 64u << 20;

// What parley computed for one vector: an output to compare with `expected`, or an error.
struct Outcome {
  Result<json> output;
};

Error schema_error(const std::string& what, const std::string& where) {
  return Error(ErrorCode::kParse, what, where);
}

Result<std::string> get_string(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return schema_error(std::string("missing \"") + key + "\"", where);
  if (!it->is_string()) return schema_error(std::string("\"") + key + "\" must be a string", where);
  return it->get<std::string>();
}

Result<std::uint64_t> get_uint(const json& obj, const char* key, std::uint64_t fallback,
                               const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_number_unsigned()) {
    return schema_error(std::string("\"") + key + "\" must be a non-negative integer", where);
  }
  return it->get<std::uint64_t>();
}

Result<Bytes> get_bytes(const json& obj, const char* key, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, get_string(obj, key, where));
  auto bytes = decode_hex_or_base64(text);
  // Bad hex in a vector file is a defect of the file, never an "invalid" outcome.
  if (!bytes.ok()) return schema_error(std::string("\"") + key + "\": " + bytes.error().message(), where);
  return bytes;
}

// --- one function per algorithm: inputs -> output json (or the error parley raised) ---------

Result<json> run_p_sha1(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(Bytes secret, get_bytes(in, "secret", where));
  crypto::DerivationParams p;
  PARLEY_ASSIGN_OR_RETURN(p.nonce, get_bytes(in, "nonce", where));
  if (in.contains("label")) {
    PARLEY_ASSIGN_OR_RETURN(p.label, get_string(in, "label", where));
  }
  PARLEY_ASSIGN_OR_RETURN(p.length, get_uint(in, "length", 32, where));
  if (in.contains("offset") && in.contains("generation")) {
    return Error(ErrorCode::kInvalidArgument, "Offset and Generation are mutually exclusive",
                 "DerivedKeyToken");
  }
  PARLEY_ASSIGN_OR_RETURN(p.offset, get_uint(in, "offset", 0, where));
  if (in.contains("generation")) {
    PARLEY_ASSIGN_OR_RETURN(std::uint64_t generation, get_uint(in, "generation", 0, where));
    PARLEY_ASSIGN_OR_RETURN(p.offset, crypto::generation_offset(generation, p.length));
  }
  PARLEY_ASSIGN_OR_RETURN(Bytes key, crypto::derive_key(secret, p));
  return json{{"key", hex_encode(key)}};
}

Result<json> run_ck_psha1(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(Bytes requestor, get_bytes(in, "requestor_entropy", where));
  PARLEY_ASSIGN_OR_RETURN(Bytes issuer, get_bytes(in, "issuer_entropy", where));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t bits, get_uint(in, "key_size_bits", 0, where));
  PARLEY_ASSIGN_OR_RETURN(Bytes key, crypto::ck_psha1(requestor, issuer, bits));
  return json{{"key", hex_encode(key)}};
}

Result<json> run_kbkdf_sha512(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(Bytes key, get_bytes(in, "key", where));
  PARLEY_ASSIGN_OR_RETURN(Bytes label, get_bytes(in, "label", where));
  PARLEY_ASSIGN_OR_RETURN(Bytes context, get_bytes(in, "context", where));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t length, get_uint(in, "length", 0, where));
  PARLEY_ASSIGN_OR_RETURN(Bytes out, crypto::kbkdf_hmac_counter(crypto::HashAlgorithm::kSha512, key,
                                                                label, context, length));
  return json{{"output", hex_encode(out)}};
}

Result<json> run_c14n(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, get_string(in, "xml", where));
  PARLEY_ASSIGN_OR_RETURN(std::string method, get_string(in, "method", where));
  xml::C14nOptions options;
  if (method == "exclusive") {
    options.method = xml::C14nMethod::kExclusive;
  } else if (method == "inclusive") {
    options.method = xml::C14nMethod::kInclusive;
  } else {
    return schema_error("\"method\" must be exclusive or inclusive, got \"" + method + "\"", where);
  }
  options.with_comments = in.value("with_comments", false);
  if (in.contains("inclusive_prefixes")) {
    for (const auto& p : in.at("inclusive_prefixes")) {
      if (!p.is_string()) return schema_error("\"inclusive_prefixes\" must hold strings", where);
      options.inclusive_prefixes.push_back(p.get<std::string>());
    }
  }
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(text));
  xmlNode* node = nullptr;
  if (in.contains("subtree_id")) {
    PARLEY_ASSIGN_OR_RETURN(std::string id, get_string(in, "subtree_id", where));
    PARLEY_ASSIGN_OR_RETURN(node, xml::find_by_id(doc, id));
  }
  PARLEY_ASSIGN_OR_RETURN(std::string canonical, xml::canonicalize(doc, node, options));
  return json{{"canonical", canonical}};
}

Result<json> run_xmldsig_verify(const json& in, const std::string& where) {
  PARLEY_ASSIGN_OR_RETURN(std::string text, get_string(in, "xml", where));
  PARLEY_ASSIGN_OR_RETURN(std::uint64_t index, get_uint(in, "signature_index", 0, where));
  std::optional<xmlsec::SignatureKey> key;
  if (in.contains("hmac_key")) {
    PARLEY_ASSIGN_OR_RETURN(Bytes k, get_bytes(in, "hmac_key", where));
    key = xmlsec::SignatureKey::hmac(std::move(k));
  } else if (in.contains("public_key_pem")) {
    PARLEY_ASSIGN_OR_RETURN(std::string pem, get_string(in, "public_key_pem", where));
    PARLEY_ASSIGN_OR_RETURN(crypto::RsaKey rsa, crypto::RsaKey::from_pem(pem));
    key = xmlsec::SignatureKey::rsa(std::move(rsa));
  } else {
    return schema_error("needs \"hmac_key\" or \"public_key_pem\"", where);
  }
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(text));
  PARLEY_ASSIGN_OR_RETURN(std::vector<xmlNode*> signatures, xml::xpath(doc, "//ds:Signature"));
  if (index >= signatures.size()) {
    return Error(ErrorCode::kNotFound,
                 "no ds:Signature at index " + std::to_string(index) + " (document has " +
                     std::to_string(signatures.size()) + ")",
                 where);
  }
  PARLEY_ASSIGN_OR_RETURN(xmlsec::Verification v, xmlsec::verify(doc, signatures[index], *key));
  json covered = json::array();
  for (const auto& ref : v.references) {
    std::string uri = ref.uri;
    covered.push_back(uri.rfind('#', 0) == 0 ? uri.substr(1) : uri);
  }
  return json{{"covered_ids", covered}};
}

std::map<std::string, Runner>& dispatch() {
  static std::map<std::string, Runner> table = {
      {"P_SHA1", run_p_sha1},
      {"CK_PSHA1", run_ck_psha1},
      {"KBKDF_HMAC_SHA512", run_kbkdf_sha512},
      {"C14N", run_c14n},
      {"XMLDSIG_VERIFY", run_xmldsig_verify},
  };
  return table;
}

std::string shorten(const std::string& s) {
  constexpr std::size_t kMax = 160;
  return s.size() <= kMax ? s : s.substr(0, kMax) + "...";
}

// Compares parley's output with `expected` field by field (only the fields `expected` names).
std::string compare(const json& expected, const json& got) {
  for (const auto& [field, want] : expected.items()) {
    if (field == "error") continue;
    auto it = got.find(field);
    if (it == got.end()) return "no \"" + field + "\" in parley's output";
    if (*it != want) {
      return "\"" + field + "\": expected " + shorten(want.dump()) + ", got " + shorten(it->dump());
    }
  }
  return {};
}

Status check_header(const json& doc, const std::string& where) {
  if (!doc.is_object()) return schema_error("top level must be an object", where);
  PARLEY_ASSIGN_OR_RETURN(std::string schema, get_string(doc, "schema", where));
  if (schema != "parley-vectors/1") {
    return schema_error("unknown schema \"" + schema + "\" (expected parley-vectors/1)", where);
  }
  for (const char* key : {"header", "tests"}) {
    if (!doc.contains(key) || !doc.at(key).is_array()) {
      return schema_error(std::string("\"") + key + "\" must be an array", where);
    }
  }
  for (const char* key : {"notes", "sources"}) {
    if (!doc.contains(key) || !doc.at(key).is_object()) {
      return schema_error(std::string("\"") + key + "\" must be an object", where);
    }
  }
  return ok_status();
}

}  // namespace

void register_algorithm(const std::string& name, Runner runner) {
  dispatch()[name] = std::move(runner);
}

Result<std::string> input_string(const json& inputs, const char* key, const std::string& where) {
  return get_string(inputs, key, where);
}
Result<Bytes> input_bytes(const json& inputs, const char* key, const std::string& where) {
  return get_bytes(inputs, key, where);
}
Result<std::uint64_t> input_uint(const json& inputs, const char* key, std::uint64_t fallback,
                                 const std::string& where) {
  return get_uint(inputs, key, fallback, where);
}

std::vector<std::string> supported_algorithms() {
  std::vector<std::string> out;
  for (const auto& [name, runner] : dispatch()) out.push_back(name);
  return out;
}

Result<FileReport> verify_file(const std::filesystem::path& path) {
  const std::string where = path.filename().string();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot read: " + ec.message(), path.string());
  if (size > kMaxVectorFileBytes) {
    return Error(ErrorCode::kLimitExceeded, "file larger than 64 MiB", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return schema_error("not valid JSON", where);
  PARLEY_TRY(check_header(doc, where));

  FileReport report;
  report.path = path;
  PARLEY_ASSIGN_OR_RETURN(report.algorithm, get_string(doc, "algorithm", where));
  auto runner = dispatch().find(report.algorithm);
  if (runner == dispatch().end()) {
    return Error(ErrorCode::kUnsupported, "unknown algorithm \"" + report.algorithm + "\"", where);
  }
  const json& notes = doc.at("notes");
  const json& sources = doc.at("sources");
  // First pass: the whole file's metadata, so that a malformed file fails before anything runs.
  std::set<long long> ids;
  for (const json& vec : doc.at("tests")) {
    if (!vec.is_object() || !vec.contains("id") || !vec.at("id").is_number_integer()) {
      return schema_error("every test needs an integer \"id\"", where);
    }
    const long long id = vec.at("id").get<long long>();
    const std::string vwhere = where + " #" + std::to_string(id);
    if (!ids.insert(id).second) return schema_error("duplicate id", vwhere);
    PARLEY_TRY(get_string(vec, "comment", vwhere));
    PARLEY_ASSIGN_OR_RETURN(std::string result, get_string(vec, "result", vwhere));
    if (result != "valid" && result != "invalid" && result != "acceptable") {
      return schema_error("\"result\" must be valid, invalid or acceptable", vwhere);
    }
    PARLEY_ASSIGN_OR_RETURN(std::string provenance, get_string(vec, "provenance", vwhere));
    if (!sources.contains(provenance)) {
      return schema_error("provenance \"" + provenance + "\" is not described in \"sources\"", vwhere);
    }
    if (vec.contains("flags")) {
      for (const json& flag : vec.at("flags")) {
        if (!flag.is_string() || !notes.contains(flag.get<std::string>())) {
          return schema_error("flag " + flag.dump() + " is not explained in \"notes\"", vwhere);
        }
      }
    }
    if (!vec.contains("inputs") || !vec.at("inputs").is_object()) {
      return schema_error("\"inputs\" must be an object", vwhere);
    }
    const json expected = vec.value("expected", json::object());
    if (!expected.is_object()) return schema_error("\"expected\" must be an object", vwhere);
    if (result == "valid" && expected.empty()) {
      return schema_error("a valid vector needs an \"expected\" output", vwhere);
    }
    if (expected.contains("error") && !expected.at("error").is_string()) {
      return schema_error("\"expected.error\" must be a string", vwhere);
    }
  }

  // Second pass: run every vector through parley.
  for (const json& vec : doc.at("tests")) {
    const long long id = vec.at("id").get<long long>();
    const std::string vwhere = where + " #" + std::to_string(id);
    const std::string result = vec.at("result").get<std::string>();
    const json expected = vec.value("expected", json::object());
    ++report.total;
    Result<json> got = runner->second(vec.at("inputs"), vwhere);
    std::string detail;
    if (got.ok()) {
      if (result == "invalid") {
        detail = "expected parley to refuse the input, but it produced " + shorten(got->dump());
      } else {
        detail = compare(expected, *got);
      }
    } else if (got.error().code() == ErrorCode::kParse && got.error().where() == vwhere) {
      return got.error();  // the vector's inputs are malformed (a schema error), not a mismatch
    } else if (result == "valid") {
      detail = "parley refused a valid input: " + got.error().message();
    } else if (expected.contains("error")) {
      const std::string want = expected.at("error").get<std::string>();
      if (got.error().message().find(want) == std::string::npos) {
        detail = "refused, but the error \"" + got.error().message() + "\" does not mention \"" +
                 want + "\"";
      }
    }
    if (detail.empty()) {
      ++report.passed;
    } else {
      report.failures.push_back({id, vec.at("comment").get<std::string>(), detail});
    }
  }
  return report;
}

Result<std::vector<FileReport>> verify_directory(const std::filesystem::path& dir, bool recursive) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, "not a directory", dir.string());
  }
  std::vector<std::filesystem::path> files;
  auto consider = [&files](const std::filesystem::directory_entry& entry) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  };
  if (recursive) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) consider(entry);
  } else {
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) consider(entry);
  }
  if (ec) return Error(ErrorCode::kIo, ec.message(), dir.string());
  std::sort(files.begin(), files.end());
  std::vector<FileReport> reports;
  for (const auto& file : files) {
    PARLEY_ASSIGN_OR_RETURN(FileReport r, verify_file(file));
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace parley::vectors
