// The message mutator of the attack corpus: edits of a built (usually signed) message, each
// addressed by XPath (the prefixes of names::xpath_prefixes: wsse, wsu, wsc, ds, ...), and a
// re-signature with a chosen key. Every edit fails when its XPath matches nothing: a mutation
// that silently does nothing would make a negative case pass without testing anything.
#pragma once

#include <string>
#include <string_view>

#include "harness/core/bytes.h"
#include "harness/core/xml.h"
#include "harness/wssc/security.h"

namespace parley::engine::mutate {

// Replaces the text content of every match.
Status set_text(xml::Document& doc, std::string_view xpath, std::string_view text);
// Sets (adds or replaces) an attribute on every match; ns "" for unqualified.
Status set_attribute(xml::Document& doc, std::string_view xpath, std::string_view ns, std::string_view name,
                     std::string_view value);
Status remove_attribute(xml::Document& doc, std::string_view xpath, std::string_view ns, std::string_view name);
// Removes every match (elements or attributes).
Status remove(xml::Document& doc, std::string_view xpath);
// Renames the first match (same namespace).
Status rename(xml::Document& doc, std::string_view xpath, std::string_view local_name);
// Inserts a deep copy of the first match right after it (an attribute wsu:Id is kept: an ID
// collision) or, with strip_ids, without its wsu:Id.
Status duplicate(xml::Document& doc, std::string_view xpath, bool strip_ids = false);
// Moves the first match to be the last child of the first match of `new_parent`.
Status move(xml::Document& doc, std::string_view xpath, std::string_view new_parent);
// Inserts `fragment` (one element, namespaces declared inside) before the first match, or as
// the last child of it.
Status insert_before(xml::Document& doc, std::string_view xpath, std::string_view fragment);
Status append(xml::Document& doc, std::string_view parent_xpath, std::string_view fragment);
// Signature wrapping: moves the first match into a new <Wrapper> appended to the first match of
// `wrapper_parent`, and puts an element built from `replacement` (one element, or "" for an
// empty copy of the original's name) where it was.
Status wrap(xml::Document& doc, std::string_view xpath, std::string_view wrapper_parent,
            std::string_view replacement);

// Re-signs the message: the first ds:Signature in a wsse:Security header is replaced by one over
// the same references (same ids, methods and KeyInfo), computed with `key` (HMAC). Lets a case
// change signed content or sign with a key of its choosing and still send a valid signature.
Status resign(xml::Document& doc, ByteView key);
// The same with the key the message's own signature references: the DKT its KeyInfo names, as
// that DKT now reads (so an edited Offset, Generation, Label or Nonce takes effect), derived from
// `context`'s key; or the context key itself when the signature references the SCT.
Status resign_with_context(xml::Document& doc, const wssc::ContextKey& context);

}  // namespace parley::engine::mutate
