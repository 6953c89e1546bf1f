// The one generic reader of vectors/*.json (schema: vectors/README.md). Adding a vector never
// needs code; adding an algorithm means one entry in the dispatch table in vectors.cpp.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

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

// Every *.json file directly in `dir`, sorted by name. A malformed file makes the whole call fail.
Result<std::vector<FileReport>> verify_directory(const std::filesystem::path& dir);

// The algorithms this build can check (the dispatch table's keys).
std::vector<std::string> supported_algorithms();

}  // namespace parley::vectors
