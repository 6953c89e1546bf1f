#include "harness/core/names.h"

#include <array>

namespace parley::names {

namespace {

// One prefix per namespace; xml::xpath registers all of them, so each must be unique.
// clang-format off
constexpr std::array<PrefixBinding, 28> kPrefixes{{
    {"s11", ns::kSoap11},
    {"s12", ns::kSoap12},
    {"wsa04", ns::kWsa200408},
    {"wsa", ns::kWsa10},
    {"wsse", ns::kWsse},
    {"wsse11", ns::kWsse11},
    {"wsu", ns::kWsu},
    {"wsc05", ns::kWscFeb2005},
    {"wsc", ns::kWsc13},
    {"wst05", ns::kWstFeb2005},
    {"wst", ns::kWst13},
    {"ds", ns::kDs},
    {"xenc", ns::kXenc},
    {"xenc11", ns::kXenc11},
    {"ec", ns::kExcC14n},
    {"xml", ns::kXml},
    {"xsi", ns::kXsi},
    {"dnse", ns::kDnse},
    {"sp", ns::kSp12},
    {"sp05", ns::kSp200507},
    {"mssp", ns::kMssp},
    {"wsp", ns::kWsp200409},
    {"wsp15", ns::kWsp15},
    {"wsx", ns::kWsx},
    {"saml1", ns::kSaml1},
    {"saml2", ns::kSaml2},
    {"samlp", ns::kSamlp},
    {"wsfed", ns::kWsfed},
}};
// clang-format on

}  // namespace

std::span<const PrefixBinding> xpath_prefixes() {
  return kPrefixes;
}

std::optional<ActionInfo> classify_sct_action(std::string_view action) {
  if (action.empty()) return std::nullopt;
  for (TrustVersion tv : kAllTrustVersions) {
    for (ScOperation op : kAllScOperations) {
      for (Direction dir : {Direction::kRequest, Direction::kResponse}) {
        if (sct_action(tv, op, dir) == action) {
          const ScVersion sv = tv == TrustVersion::kFeb2005 ? ScVersion::kFeb2005 : ScVersion::k1_3;
          return ActionInfo{tv, sv, op, dir};
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> response_action(std::string_view request_action) {
  const std::optional<ActionInfo> info = classify_sct_action(request_action);
  if (!info || info->direction != Direction::kRequest) return std::nullopt;
  return sct_action(info->trust, info->operation, Direction::kResponse);
}

const AlgorithmSuite* find_algorithm_suite(std::string_view name) {
  for (const AlgorithmSuite& suite : kAlgorithmSuites) {
    if (suite.name == name) return &suite;
  }
  return nullptr;
}

}  // namespace parley::names
