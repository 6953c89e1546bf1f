// The one generic reader of vectors/*.json (schema: vectors/README.md). Adding a vector never
// needs code; adding an algorithm means one entry in the dispatch table in vectors.cpp.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/bytes.h"
#include "harness/core/error.h"

namespace parley::vectors {

struct VectorFailure {
  long long id = 0;
  std::string comment;
  std::string detail;  // what differed: expected vs. got, or the unexpected error
};

struct FileReport {
  std::filesystem::path path;
  std::string algorithm;
  int total = 0;
  int passed = 0;
  std::vector<VectorFailure> failures;
  bool ok() const { return failures.empty() && passed == total; }
};

// Checks one file: the schema first (a malformed file is an Error naming the field), then every
// vector against parley's implementation.
Result<FileReport> verify_file(const std::filesystem::path& path);

// Every *.json file in `dir` (and, with recursive, in its subdirectories), sorted by path.
// A malformed file, or one whose algorithm is not registered, makes the whole call fail.
Result<std::vector<FileReport>> verify_directory(const std::filesystem::path& dir,
                                                 bool recursive = true);

// Computes parley's output for one vector's `inputs` (an object), or the error parley raises.
// A malformed input field is reported as kParse with `where` unchanged (a defect of the file).
using Runner = std::function<Result<nlohmann::json>(const nlohmann::json& inputs, const std::string& where)>;

// Layers above core add their algorithms (e.g. harness/wif registers NBFX and cookie vectors);
// the CLI registers every layer's before walking. Re-registering a name replaces it.
void register_algorithm(const std::string& name, Runner runner);

// The algorithms registered so far (core's own are always present), sorted.
std::vector<std::string> supported_algorithms();

// Helpers for runners: a field as string / bytes (hex or base64:...) / unsigned integer, with
// schema errors (kParse at `where`) naming the field.
Result<std::string> input_string(const nlohmann::json& inputs, const char* key, const std::string& where);
Result<Bytes> input_bytes(const nlohmann::json& inputs, const char* key, const std::string& where);
Result<std::uint64_t> input_uint(const nlohmann::json& inputs, const char* key, std::uint64_t fallback,
                                 const std::string& where);

}  // namespace parley::vectors
