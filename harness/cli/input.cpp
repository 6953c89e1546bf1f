#include "harness/cli/input.h"

#include <fstream>
#include <iostream>

namespace parley::cli {

Result<std::string> read_input(const std::string& path, std::size_t limit) {
  const std::string where = path == "-" ? std::string("stdin") : path;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return Error(ErrorCode::kIo, "cannot open", where);
    in = &file;
  }
  std::string text;
  char chunk[64 * 1024];
  while (*in) {
    in->read(chunk, sizeof(chunk));
    text.append(chunk, static_cast<std::size_t>(in->gcount()));
    if (text.size() > limit) {
      return Error(ErrorCode::kLimitExceeded, "input larger than " + std::to_string(limit) + " bytes", where);
    }
  }
  if (in->bad()) return Error(ErrorCode::kIo, "read error", where);
  return text;
}

}  // namespace parley::cli
