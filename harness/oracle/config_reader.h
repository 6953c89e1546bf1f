// What every TOML configuration parley reads has in common (the oracle config and target
// profiles, harness/oracle/config.cpp; the relying-party config, harness/rp/config.cpp): a size
// limit, parse errors with line and column, file names relative to the config's directory, and
// typed reads that name the offending key and report keys nobody asked for.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>
#include <toml++/toml.h>

#include "harness/core/error.h"

namespace parley::oracle::config {

inline constexpr std::size_t kMaxConfigBytes = 1u << 20;

// An ErrorCode::kInvalidArgument naming where (a key such as "wssc.key_size", or a file).
Error config_error(std::string what, std::string where);

// A whole file of at most kMaxConfigBytes.
Result<std::string> read_file(const std::string& path);

// TOML text of at most kMaxConfigBytes; a syntax error names its line and column. `what` names
// the input in errors ("oracle config", "rp config", a file name).
Result<toml::table> parse_toml(std::string_view text, const std::string& what);

// A file name from a config, relative to the config's directory (base_dir); "" stays "".
// kAbsolute also makes it absolute (against the working directory when base_dir is relative).
enum class PathForm { kAsGiven, kAbsolute };
std::string resolve_path(const std::string& name, const std::string& base_dir, PathForm form = PathForm::kAsGiven);

// Typed reads from one table (absent: the fallback; of the wrong type or out of range: an error
// naming "table.key"), and at the end no_unknown_keys() reports any key nobody asked for.
class Section {
 public:
  Section(const toml::table* table, std::string name) : table_(table), name_(std::move(name)) {}

  Result<std::string> str(const char* key, std::string fallback);
  Result<bool> flag(const char* key, bool fallback);
  Result<std::uint64_t> uint(const char* key, std::uint64_t fallback, std::uint64_t max) {
    return uint(key, fallback, 0, max);
  }
  Result<std::uint64_t> uint(const char* key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
  Result<std::vector<std::string>> strings(const char* key, std::vector<std::string> fallback = {});
  // A sub-table (nullptr when absent or not a table); the key counts as read.
  const toml::table* sub(const char* key);
  bool has(const char* key) const { return table_ && table_->contains(key); }
  Status no_unknown_keys() const;

 private:
  const toml::table* table_;
  std::string name_;
  std::set<std::string> seen_;
};

}  // namespace parley::oracle::config
