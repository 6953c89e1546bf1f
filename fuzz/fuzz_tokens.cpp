// SCT, DKT and the other WS-Security tokens (harness/wssc/tokens.h): every element is offered to
// each parser; a parsed DKT is derived (under the limits a receiver applies) and every parsed
// token written back.
#include "fuzz/fuzz_target.h"
#include "fuzz/xml_support.h"
#include "harness/core/bytes.h"
#include "harness/wssc/tokens.h"

namespace parley::fuzz {
namespace {

void run(Input data) {
  Result<xml::Document> doc = xml::parse(as_text(data));
  if (!doc.ok()) return;
  xml::Document out = xml::new_document("urn:parley:fuzz", "f", "out");
  const Bytes secret(32, 0x42);
  for (xmlNode* element : elements_of(doc->root())) {
    if (auto sct = wssc::parse_sct(element); sct.ok()) {
      (void)wssc::append_sct(out.root(), *sct);
      (void)wssc::SecurityTokenReference::to_identifier(*sct);
    }
    if (auto str = wssc::parse_str(element); str.ok()) {
      (void)str->local_id();
      wssc::append_str(out.root(), *str);
    }
    for (const bool lax : {false, true}) {
      wssc::DktLimits limits;
      limits.require_nonce = !lax;
      limits.accept_unknown_algorithm = lax;
      if (auto dkt = wssc::parse_dkt(element, limits); dkt.ok()) {
        (void)dkt->effective_label();
        (void)dkt->effective_offset();
        (void)dkt->derive(secret);
        wssc::append_dkt(out.root(), *dkt);
      }
    }
    if (auto ts = wssc::parse_timestamp(element); ts.ok()) {
      (void)wssc::parse_utc(ts->created);
      (void)wssc::parse_utc(ts->expires);
      wssc::append_timestamp(out.root(), *ts);
    }
    if (auto ut = wssc::parse_username_token(element); ut.ok()) {
      (void)ut->verify_password("secret");
      wssc::append_username_token(out.root(), *ut);
    }
    if (auto bst = wssc::parse_bst(element); bst.ok()) wssc::append_bst(out.root(), *bst);
  }
  (void)xml::serialize(out);
}

void init() { xml::initialize(); }

std::vector<std::string> seeds() {
  std::vector<std::string> out = secured_envelope_seeds();
  // Tokens alone, in the shapes the writers produce.
  for (names::ScVersion version : names::kAllScVersions) {
    xml::Document d = xml::new_document("urn:parley:fuzz", "f", "seed");
    wssc::SecurityContextToken sct = fixed_context(version).sct;
    sct.instance = "urn:uuid:instance-2";
    (void)wssc::append_sct(d.root(), sct);
    wssc::DerivedKeyToken dkt;
    dkt.version = version;
    dkt.wsu_id = "dk-1";
    dkt.str = wssc::SecurityTokenReference::to_identifier(sct);
    dkt.generation = 1;
    dkt.length = 24;
    dkt.label = "WS-SecureConversationWS-SecureConversation";
    dkt.nonce = Bytes(16, 9);
    wssc::append_dkt(d.root(), dkt);
    wssc::append_timestamp(d.root(), wssc::make_timestamp(fixed_now(), std::chrono::seconds(300)));
    if (auto ut = wssc::UsernameToken::with_digest("alice", "secret", fixed_now()); ut.ok()) {
      wssc::append_username_token(d.root(), *ut);
    }
    out.push_back(xml::serialize(d));
  }
  return out;
}

}  // namespace
PARLEY_FUZZ_TARGET("tokens", run, init, seeds);
}  // namespace parley::fuzz
