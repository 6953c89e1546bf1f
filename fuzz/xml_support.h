// Helpers shared by the XML-based fuzz targets.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <string>
#include <vector>

#include "harness/core/xml.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"

namespace parley::fuzz {

// Every element of the tree under `root` in document order, at most `max` of them (a target
// runs each parser on each element, so the bound keeps one input's work linear).
inline std::vector<xmlNode*> elements_of(xmlNode* root, std::size_t max = 512) {
  std::vector<xmlNode*> out;
  std::vector<xmlNode*> stack;
  if (root != nullptr) stack.push_back(root);
  while (!stack.empty() && out.size() < max) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    out.push_back(n);
    std::vector<xmlNode*> children;
    for (xmlNode* c = n->children; c != nullptr; c = c->next) children.push_back(c);
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

// The context every envelope-based target's seeds are secured with and its resolver knows.
wssc::ContextKey fixed_context(names::ScVersion version = names::ScVersion::k1_3);

// The clock the seeds are secured at and the targets open them at (seeds stay valid forever).
wssc::Clock::time_point fixed_now();

// Secured request envelopes (serialized) over the SOAP / WS-Addressing / WS-SC versions and the
// protection options (derived keys or not, encrypted Body or not, SCT included or referenced).
std::vector<std::string> secured_envelope_seeds();

}  // namespace parley::fuzz
