// Named, deliberate non-conformances ("faults") of parley's reference implementations: the
// service (harness/oracle/faults.h), the client (harness/oracle/client_faults.h) and the relying
// party (harness/rp/faults.h). Each catalog is an enum ending in kCount and one table of
// FaultInfo rows in enum order; this header holds what they share: the row, lookups by value and
// by name, and the set of faults switched on.
//
// A catalog specializes fault_catalog<E>() in its .cpp and declares it in its header:
//   template <> const std::vector<core::FaultInfo<Fault>>& core::fault_catalog<Fault>();
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

template <class E>
struct FaultInfo {
  E fault;
  std::string_view name;                       // the --fault NAME
  std::vector<std::string_view> requirements;  // IDs in docs/requirements it violates
  std::string_view description;                // one sentence: what the implementation does wrong
  // A transport fault (the service's hostile-* family): it breaks HTTP, not a requirement, so it
  // cites no requirement and the mutation self-test skips it.
  bool transport = false;
};

// Every fault of catalog E, in enum order (row i is fault i; a unit test per catalog checks it).
template <class E>
const std::vector<FaultInfo<E>>& fault_catalog();

template <class E>
const FaultInfo<E>& fault_info_of(E f) {
  return fault_catalog<E>().at(static_cast<std::size_t>(f));
}

template <class E>
std::optional<E> fault_by_name(std::string_view name) {
  for (const auto& f : fault_catalog<E>()) {
    if (f.name == name) return f.fault;
  }
  return std::nullopt;
}

template <class E>
class FaultSet {
 public:
  bool has(E f) const { return bits_.test(static_cast<std::size_t>(f)); }
  void add(E f) { bits_.set(static_cast<std::size_t>(f)); }
  bool empty() const { return bits_.none(); }
  // The names of the faults switched on, in catalog order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& f : fault_catalog<E>()) {
      if (has(f.fault)) out.emplace_back(f.name);
    }
    return out;
  }

 private:
  std::bitset<static_cast<std::size_t>(E::kCount)> bits_;
};

}  // namespace parley::core
