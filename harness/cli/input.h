// Reading a command's input: a file, or standard input for "-", never more than a limit.
#pragma once

#include <cstddef>
#include <string>

#include "harness/core/error.h"

namespace parley::cli {

inline constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;

// The whole of `path` ("-" = standard input). Stops reading as soon as more than `limit` bytes
// arrived and says so (kLimitExceeded), so a hostile or endless input costs at most the limit.
Result<std::string> read_input(const std::string& path, std::size_t limit = kMaxInputBytes);

}  // namespace parley::cli
