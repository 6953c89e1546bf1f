#include "harness/engine/requirements.h"

#include <nlohmann/json.hpp>
#include <set>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"

namespace parley::engine {

// requirements_data.cpp (generated from docs/requirements/*.json)
struct EmbeddedCatalog {
  const char* name;
  const char* json;
};
extern const EmbeddedCatalog kBuiltinCatalogs[];
extern const std::size_t kBuiltinCatalogCount;

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kMust: return "MUST";
    case Level::kShould: return "SHOULD";
    case Level::kMay: return "MAY";
    case Level::kProfile: return "PROFILE";
  }
  return "MUST";
}

std::string_view to_string(SourceStatus status) {
  switch (status) {
    case SourceStatus::kConfirmed: return "C";
    case SourceStatus::kPartly: return "P";
    case SourceStatus::kUnconfirmed: return "U";
  }
  return "U";
}

Result<RequirementCatalog> RequirementCatalog::parse(std::string_view text, std::string_view name) {
  const std::string where = "requirement catalog";
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Error(ErrorCode::kParse, "not valid JSON", where);
  if (doc.value("schema", "") != "parley-requirements/1") {
    return Error(ErrorCode::kParse, "schema must be parley-requirements/1", where);
  }
  RequirementCatalog catalog;
  std::set<std::string> ids;
  for (const auto& r : doc.value("requirements", nlohmann::json::array())) {
    Requirement req;
    req.catalog = std::string(name);
    req.id = r.value("id", "");
    if (req.id.empty() || !ids.insert(req.id).second) {
      return Error(ErrorCode::kParse, "missing or duplicate id '" + req.id + "'", where);
    }
    req.spec = r.value("spec", "");
    req.version = r.value("version", "");
    req.section = r.value("section", "");
    req.catalog_section = r.value("catalog_section", "");
    req.heading = r.value("heading", "");
    const std::string level = r.value("level", "");
    if (level == "MUST") {
      req.level = Level::kMust;
    } else if (level == "SHOULD") {
      req.level = Level::kShould;
    } else if (level == "MAY") {
      req.level = Level::kMay;
    } else if (level == "PROFILE") {
      req.level = Level::kProfile;
    } else {
      return Error(ErrorCode::kParse, "unknown level '" + level + "'", where + " " + req.id);
    }
    req.level_text = r.value("level_text", level);
    const std::string status = r.value("status", "");
    if (status == "C") {
      req.status = SourceStatus::kConfirmed;
    } else if (status == "P") {
      req.status = SourceStatus::kPartly;
    } else if (status == "U") {
      req.status = SourceStatus::kUnconfirmed;
    } else {
      return Error(ErrorCode::kParse, "unknown status '" + status + "'", where + " " + req.id);
    }
    for (const auto& role : r.value("roles", nlohmann::json::array())) req.roles.push_back(role.get<std::string>());
    req.test = r.value("test", "");
    req.text = r.value("text", "");
    req.quoted = r.value("quoted", false);
    req.source = r.value("source", "");
    req.untested_reason = r.value("untested_reason", "");
    catalog.requirements_.push_back(std::move(req));
  }
  auto digest = crypto::sha256(as_bytes(text));
  catalog.digest_ = digest.ok() ? hex_encode(*digest) : std::string();
  return catalog;
}

Result<RequirementCatalog> RequirementCatalog::parse_all(
    const std::vector<std::pair<std::string, std::string_view>>& documents) {
  RequirementCatalog all;
  std::set<std::string> ids;
  std::string texts;
  for (const auto& [name, text] : documents) {
    auto one = parse(text, name);
    if (!one.ok()) return std::move(one.error().within(name));
    for (auto& r : one->requirements_) {
      if (!ids.insert(r.id).second) {
        return Error(ErrorCode::kParse, "requirement '" + r.id + "' is in two catalogs", "requirement catalog " + name);
      }
      all.requirements_.push_back(std::move(r));
    }
    texts += text;
  }
  auto digest = crypto::sha256(as_bytes(texts));
  all.digest_ = digest.ok() ? hex_encode(*digest) : std::string();
  return all;
}

const RequirementCatalog& RequirementCatalog::builtin() {
  static const RequirementCatalog catalog = [] {
    std::vector<std::pair<std::string, std::string_view>> documents;
    for (std::size_t i = 0; i < kBuiltinCatalogCount; ++i) {
      documents.emplace_back(kBuiltinCatalogs[i].name, kBuiltinCatalogs[i].json);
    }
    auto parsed = parse_all(documents);
    // The embedded catalog is checked by a unit test; an invalid one is a build defect.
    return parsed.ok() ? std::move(parsed).value() : RequirementCatalog();
  }();
  return catalog;
}

const Requirement* RequirementCatalog::find(std::string_view id) const {
  for (const auto& r : requirements_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace parley::engine
