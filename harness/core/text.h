// Small text helpers shared by the HTTP-facing code (cookies, headers, filters).
#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// ASCII lower case (HTTP header and cookie attribute names); other bytes unchanged.
std::string lower_ascii(std::string_view s);

// Without leading and trailing optional whitespace (space, tab) and a trailing CR.
std::string_view trim_ows(std::string_view s);

// Shell-style glob: '*' any run of characters (also none), '?' exactly one; everything else
// literal. Iterative with backtracking to the last star: linear memory, no recursion.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace parley::core
