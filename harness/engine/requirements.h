// The requirement catalog as data (docs/requirements/*.json, embedded at build time): what each
// case cites, and what the verdict rules need to know about it (level, confirmation status).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"

namespace parley::engine {

enum class Level { kMust, kShould, kMay, kProfile };
enum class SourceStatus { kConfirmed, kPartly, kUnconfirmed };

std::string_view to_string(Level level);
std::string_view to_string(SourceStatus status);

struct Requirement {
  std::string id;
  std::string catalog;  // the document it comes from: "wssc", "wif-session" (docs/requirements/<catalog>.json)
  std::string spec;
  std::string version;
  std::string section;          // the spec's section
  std::string catalog_section;  // requirements-catalog.md section (2.1 ...)
  std::string heading;
  Level level = Level::kMust;
  std::string level_text;  // as the catalog words it ("MUST NOT", "RECOMMENDED / MAY" ...)
  SourceStatus status = SourceStatus::kUnconfirmed;
  std::vector<std::string> roles;
  std::string test;  // how it can be tested (LC, LS, OFF)
  std::string text;
  bool quoted = false;
  std::string source;
  std::string untested_reason;  // why no live case covers it (yet), when none does
};

class RequirementCatalog {
 public:
  // Parses a catalog document (schema parley-requirements/1); its rows get catalog `name`.
  static Result<RequirementCatalog> parse(std::string_view json_text, std::string_view name = "");
  // Several documents as one catalog: IDs must be unique across them; the digest covers them all.
  static Result<RequirementCatalog> parse_all(const std::vector<std::pair<std::string, std::string_view>>& documents);
  // The catalogs compiled into this binary (docs/requirements/*.json), merged.
  static const RequirementCatalog& builtin();

  const std::vector<Requirement>& all() const { return requirements_; }
  const Requirement* find(std::string_view id) const;
  // SHA-256 of the catalog text, hex: reports name the catalog they were judged against.
  const std::string& digest() const { return digest_; }

 private:
  std::vector<Requirement> requirements_;
  std::string digest_;
};

}  // namespace parley::engine
