#include "harness/oracle/config_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::oracle::config {

Error config_error(std::string what, std::string where) {
  return Error(ErrorCode::kInvalidArgument, std::move(what), std::move(where));
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot read: " + ec.message(), path);
  if (size > kMaxConfigBytes) return Error(ErrorCode::kLimitExceeded, "file larger than 1 MiB", path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<toml::table> parse_toml(std::string_view text, const std::string& what) {
  if (text.size() > kMaxConfigBytes) return Error(ErrorCode::kLimitExceeded, "larger than 1 MiB", what);
  // Debian's toml++ is built with exceptions; they stop here and become an Error.
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& err) {
    std::ostringstream msg;
    msg << err.description() << " (line " << err.source().begin.line << ", column " << err.source().begin.column
        << ")";
    return config_error(msg.str(), what);
  }
}

std::string resolve_path(const std::string& name, const std::string& base_dir, PathForm form) {
  if (name.empty()) return name;
  std::filesystem::path p(name);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  if (form == PathForm::kAbsolute) p = std::filesystem::absolute(p);
  return p.lexically_normal().string();
}

Result<std::string> Section::str(const char* key, std::string fallback) {
  seen_.insert(key);
  if (!table_ || !table_->contains(key)) return fallback;
  auto v = (*table_)[key].value<std::string>();
  if (!v) return config_error("must be a string", name_ + "." + key);
  return *v;
}

Result<bool> Section::flag(const char* key, bool fallback) {
  seen_.insert(key);
  if (!table_ || !table_->contains(key)) return fallback;
  auto v = (*table_)[key].value<bool>();
  if (!v) return config_error("must be true or false", name_ + "." + key);
  return *v;
}

Result<std::uint64_t> Section::uint(const char* key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  seen_.insert(key);
  if (!table_ || !table_->contains(key)) return fallback;
  auto v = (*table_)[key].value<std::int64_t>();
  if (!v || *v < 0) return config_error("must be a non-negative integer", name_ + "." + key);
  const auto u = static_cast<std::uint64_t>(*v);
  if (u > max && min == 0) return config_error("must be at most " + std::to_string(max), name_ + "." + key);
  if (u < min || u > max) {
    return config_error("must be in " + std::to_string(min) + ".." + std::to_string(max), name_ + "." + key);
  }
  return u;
}

Result<std::vector<std::string>> Section::strings(const char* key, std::vector<std::string> fallback) {
  seen_.insert(key);
  if (!table_ || !table_->contains(key)) return fallback;
  const toml::array* arr = (*table_)[key].as_array();
  if (!arr) return config_error("must be an array of strings", name_ + "." + key);
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    auto v = item.value<std::string>();
    if (!v) return config_error("must be an array of strings", name_ + "." + key);
    out.push_back(*v);
  }
  return out;
}

const toml::table* Section::sub(const char* key) {
  seen_.insert(key);
  return table_ ? (*table_)[key].as_table() : nullptr;
}

Status Section::no_unknown_keys() const {
  if (!table_) return ok_status();
  for (const auto& [key, value] : *table_) {
    if (!seen_.count(std::string(key.str()))) {
      return config_error("unknown key '" + std::string(key.str()) + "'", name_);
    }
  }
  return ok_status();
}

}  // namespace parley::oracle::config
