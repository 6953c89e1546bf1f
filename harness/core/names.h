// Every namespace, action, token type, RequestType, fault QName and algorithm URI parley uses
// (requirements-catalog.md section 1), as typed constants, with version objects that hand out
// the right URIs. No other file spells these URIs.
#pragma once

#include <span>
#include <string_view>

namespace parley::names {

// A prefix bound for XPath evaluation (xml::xpath registers every one of these).
struct PrefixBinding {
  std::string_view prefix;
  std::string_view uri;
};
std::span<const PrefixBinding> xpath_prefixes();

// (being written: see the names issue brief)

}  // namespace parley::names
