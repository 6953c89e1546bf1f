// Envelope + security header: what `parley serve` does with a request body, with a resolver that
// knows one fixed context (the seeds are secured under it, so mutations reach the signature,
// decryption and derived-key paths).
#include "fuzz/fuzz_target.h"
#include "fuzz/xml_support.h"
#include "harness/wssc/envelope.h"
#include "harness/wssc/security.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  Result<xml::Document> doc = xml::parse(as_text(data));
  if (!doc.ok()) return;
  Result<wssc::EnvelopeView> view = wssc::parse_envelope(*doc);
  if (!view.ok()) return;
  (void)wssc::parse_fault(*view);
  for (const bool derived_only : {false, true}) {
    Result<xml::Document> copy = doc->clone();
    if (!copy.ok()) return;
    wssc::SingleContextResolver resolver(fixed_context(names::ScVersion::k1_3));
    wssc::OpenPolicy policy;
    policy.now = fixed_now();
    policy.allow_direct_context_key = !derived_only;
    Result<wssc::OpenedMessage> opened = wssc::open_envelope(*copy, resolver, policy);
    if (opened.ok()) (void)xml::serialize(*copy);
  }
}

void init() { xml::initialize(); }

std::vector<std::string> seeds() { return secured_envelope_seeds(); }

}  // namespace
PARLEY_FUZZ_TARGET("envelope", run, init, seeds);
}  // namespace parley::fuzz
