// RST / RSTR / RSTRC (harness/wssc/trust.h): every element of the document is offered to each
// parser; what parses is written back (the writers must take whatever the readers accept) and
// the issued key computed as a client would.
#include "fuzz/fuzz_target.h"
#include "fuzz/xml_support.h"
#include "harness/core/bytes.h"
#include "harness/wssc/trust.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  Result<xml::Document> doc = xml::parse(as_text(data));
  if (!doc.ok()) return;
  xml::Document out = xml::new_document("urn:parley:fuzz", "f", "out");
  for (xmlNode* element : elements_of(doc->root())) {
    if (!wssc::trust_version_of(element)) continue;
    if (auto rst = wssc::parse_rst(element); rst.ok()) {
      wssc::append_rst(out.root(), *rst);
    }
    if (auto rstr = wssc::parse_rstr(element); rstr.ok()) {
      wssc::append_rstr(out.root(), *rstr);
      (void)wssc::issued_key(*rstr, std::nullopt, 256);
      (void)wssc::issued_key(*rstr, Bytes(32, 0x5a), 256);
    }
    if (auto response = wssc::parse_trust_response(element); response.ok()) {
      wssc::append_trust_response(out.root(), *response);
    }
  }
  (void)xml::serialize(out);
}

void init() { xml::initialize(); }

// Every issuance / renew / cancel shape the trust writers produce, each as its own document.
std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (names::TrustVersion version : {names::TrustVersion::kFeb2005, names::TrustVersion::k1_3}) {
    const auto& ns = names::trust(version);
    wssc::RequestSecurityToken rst;
    rst.version = version;
    rst.context = "urn:uuid:ctx";
    rst.token_type = std::string(names::sc(version == names::TrustVersion::kFeb2005 ? names::ScVersion::kFeb2005 : names::ScVersion::k1_3).sct_token_type);
    rst.request_type = std::string(ns.request_issue);
    rst.entropy = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kBinarySecret, Bytes(32, 7), std::string(ns.binary_secret_nonce), "", ""};
    rst.key_size = 256;
    {
      xml::Document d = xml::new_document("urn:parley:fuzz", "f", "seed");
      wssc::append_rst(d.root(), rst);
      out.push_back(xml::serialize(d));
    }
    wssc::RequestSecurityTokenResponse rstr;
    rstr.version = version;
    rstr.context = "urn:uuid:ctx";
    rstr.token_type = rst.token_type;
    rstr.requested_token = fixed_context(names::ScVersion::k1_3).sct;
    rstr.proof = wssc::KeyMaterial{wssc::KeyMaterial::Kind::kComputedKey, {}, "", std::string(ns.computed_key_psha1), ""};
    rstr.entropy = rst.entropy;
    rstr.lifetime = wssc::Lifetime{"2026-01-01T00:00:00.000Z", "2026-01-01T15:00:00.000Z"};
    rstr.key_size = 256;
    for (bool collection : {false, true}) {
      xml::Document d = xml::new_document("urn:parley:fuzz", "f", "seed");
      wssc::append_trust_response(d.root(), wssc::TrustResponse{collection, {rstr}});
      out.push_back(xml::serialize(d));
    }
  }
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("trust", run, init, seeds);
}  // namespace parley::fuzz
