#include "harness/report/report_document.h"

#include <filesystem>
#include <fstream>

#include "harness/report/machine_report.h"

namespace parley::report {
namespace {

using nlohmann::json;

constexpr std::string_view kVerdicts[] = {"PASS", "FAIL", "WARN", "INFO", "NOT_APPLICABLE", "PREREQ_FAILED", "ERROR"};

bool is_verdict(const json& v) {
  if (!v.is_string()) return false;
  for (auto k : kVerdicts) {
    if (v.get_ref<const std::string&>() == k) return true;
  }
  return false;
}

// A check that names the JSON pointer of what is missing or mistyped.
class Checker {
 public:
  Status error;

  const json* member(const json& obj, const std::string& where, const char* key, json::value_t type) {
    if (!error.ok()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end()) {
      error = Error(ErrorCode::kParse, std::string("required member '") + key + "' is missing", where);
      return nullptr;
    }
    const bool number = type == json::value_t::number_unsigned || type == json::value_t::number_integer;
    const bool ok = number ? it->is_number_integer() : it->type() == type;
    if (!ok) {
      error = Error(ErrorCode::kParse, std::string("'") + key + "' must be " + type_name(type) + ", not " +
                                           it->type_name(),
                    where + "/" + key);
      return nullptr;
    }
    return &*it;
  }

 private:
  static std::string type_name(json::value_t t) {
    switch (t) {
      case json::value_t::object: return "an object";
      case json::value_t::array: return "an array";
      case json::value_t::string: return "a string";
      case json::value_t::boolean: return "a boolean";
      default: return "an integer";
    }
  }
};

}  // namespace

std::string report_path(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return (std::filesystem::path(path) / "report.json").string();
  return path;
}

Result<json> load_report(const std::string& path, std::size_t max_bytes) {
  const std::string file = report_path(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return Error(ErrorCode::kNotFound, "cannot read: " + ec.message(), file);
  if (size > max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "is " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(max_bytes), file);
  }
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return Error(ErrorCode::kIo, "cannot read", file);
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(ErrorCode::kParse, "is not JSON", file);
  if (Status s = check_report(doc); !s.ok()) {
    Error e = s.error();
    e.within(file);
    return e;
  }
  return doc;
}

Status check_report(const json& doc) {
  if (!doc.is_object()) return Error(ErrorCode::kParse, "a report is a JSON object", "/");
  auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string() || *schema != std::string(kReportSchemaVersion)) {
    return Error(ErrorCode::kParse,
                 "not a parley report: schema must be \"" + std::string(kReportSchemaVersion) + "\", found " +
                     (schema == doc.end() ? std::string("none") : schema->dump()),
                 "/schema");
  }
  Checker c;
  using T = json::value_t;
  c.member(doc, "", "tool", T::object);
  c.member(doc, "", "suite", T::string);
  c.member(doc, "", "started", T::string);
  c.member(doc, "", "finished", T::string);
  c.member(doc, "", "catalog_digest", T::string);
  if (const json* target = c.member(doc, "", "target", T::object)) {
    c.member(*target, "/target", "name", T::string);
    c.member(*target, "/target", "kind", T::string);
  }
  if (const json* summary = c.member(doc, "", "summary", T::object)) {
    if (const json* by = c.member(*summary, "/summary", "by_verdict", T::object)) {
      for (auto v : kVerdicts) c.member(*by, "/summary/by_verdict", std::string(v).c_str(), T::number_integer);
    }
    c.member(*summary, "/summary", "total", T::number_integer);
    c.member(*summary, "/summary", "applicable", T::number_integer);
    c.member(*summary, "/summary", "disclaimed_capabilities", T::array);
  }
  if (auto catalog = doc.find("catalog"); catalog != doc.end()) {
    if (!catalog->is_array()) return Error(ErrorCode::kParse, "'catalog' must be an array", "/catalog");
    for (std::size_t i = 0; i < catalog->size() && c.error.ok(); ++i) {
      if (!(*catalog)[i].is_object()) return Error(ErrorCode::kParse, "a requirement is an object", "/catalog/" + std::to_string(i));
      c.member((*catalog)[i], "/catalog/" + std::to_string(i), "id", T::string);
    }
  }
  const json* cases = c.member(doc, "", "cases", T::array);
  if (cases == nullptr) return c.error;
  for (std::size_t i = 0; i < cases->size() && c.error.ok(); ++i) {
    const json& k = (*cases)[i];
    const std::string where = "/cases/" + std::to_string(i);
    if (!k.is_object()) return Error(ErrorCode::kParse, "a case is an object", where);
    for (const char* s : {"id", "title", "spec", "section", "level", "role", "reason", "replay"}) {
      c.member(k, where, s, T::string);
    }
    if (const json* v = c.member(k, where, "verdict", T::string); v != nullptr && !is_verdict(*v)) {
      return Error(ErrorCode::kParse, "unknown verdict " + v->dump(), where + "/verdict");
    }
    if (const json* reqs = c.member(k, where, "requirements", T::array)) {
      for (std::size_t j = 0; j < reqs->size() && c.error.ok(); ++j) {
        if (!(*reqs)[j].is_object()) return Error(ErrorCode::kParse, "a requirement is an object", where);
        c.member((*reqs)[j], where + "/requirements/" + std::to_string(j), "id", T::string);
      }
    }
    if (const json* ev = c.member(k, where, "evidence", T::object)) {
      const json* xs = c.member(*ev, where + "/evidence", "exchanges", T::array);
      c.member(*ev, where + "/evidence", "keys", T::array);
      c.member(*ev, where + "/evidence", "notes", T::array);
      for (std::size_t j = 0; xs != nullptr && j < xs->size() && c.error.ok(); ++j) {
        const std::string xw = where + "/evidence/exchanges/" + std::to_string(j);
        if (!(*xs)[j].is_object()) return Error(ErrorCode::kParse, "an exchange is an object", xw);
        c.member((*xs)[j], xw, "label", T::string);
        if (const json* rq = c.member((*xs)[j], xw, "request", T::object)) c.member(*rq, xw + "/request", "body", T::string);
        if (const json* rs = c.member((*xs)[j], xw, "response", T::object)) {
          c.member(*rs, xw + "/response", "body", T::string);
          c.member(*rs, xw + "/response", "status", T::number_integer);
        }
      }
    }
  }
  return c.error;
}

int verdict_severity(std::string_view v) {
  if (v == "PASS" || v == "INFO" || v == "NOT_APPLICABLE") return 0;
  if (v == "WARN") return 1;
  if (v == "FAIL" || v == "PREREQ_FAILED" || v == "ERROR") return 2;
  return -1;
}

}  // namespace parley::report
