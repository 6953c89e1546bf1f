// The client suite, a hostile service (catalog 2.9 and the rules a service's answers break):
// the client must refuse a tampered or forged RSTR, an RSTR of another context, a response
// signed with the wrong key, a replayed response, a response whose signature misses the Body,
// an SCT with an absurd lifetime or key size. Judged by sup::judge_hostile (docs/client-harness.md).
#include "suites/suites.h"
#include "suites/wssc_client/support.h"

namespace parley::suites::wssc_client {
namespace {

using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_client_support;
using sup::Driver;
using sup::Hostility;

// RSTR/@Context can only mismatch when the RST had one.
Outcome context_mismatch(CaseContext& ctx, const Driver& d) {
  auto r = sup::run(ctx, d, sup::basic());
  if (auto o = sup::not_judgeable(*r)) return *o;
  auto issues = sup::of_kind(*r, sup::MessageKind::kIssue);
  if (!issues.empty()) {
    auto p = sup::parse_request(*issues.front());
    if (p.ok() && p->view.body_child != nullptr) {
      auto rst = wssc::parse_rst(p->view.body_child);
      if (rst.ok() && rst->context.empty()) {
        return Outcome::not_applicable("the client's RST carries no @Context: there is nothing to match");
      }
    }
  }
  return sup::judge_hostile(ctx, d, Hostility::kRstrContextMismatch, "an RSTR whose @Context is not the RST's");
}

}  // namespace

Status register_client_10_hostile(engine::Registry& registry, const Driver& d) {
  using engine::Capability;
  auto add = [&](std::string id, std::string title, std::vector<std::string> reqs, Hostility h, std::string what,
                 std::vector<Capability> needs = {Capability::kIssue}, engine::RunFunction run = {}) {
    engine::Case c;
    c.info.id = "wssc-client/10/hostile-" + id;
    c.info.title = std::move(title);
    c.info.requirements = std::move(reqs);
    c.info.role = "CLI";
    c.info.needs = std::move(needs);
    c.info.sends = "the positive control (scenario " + sup::control_of(sup::hostile(h)).name +
                   "), then scenario " + sup::hostile(h).name + ": " + what;
    c.info.expects = "the client refuses: nothing sent under what the hostile answer conveyed, a non-zero exit";
    c.info.typical_causes = "a client that trusts its service's answers without checking them";
    c.run = run ? std::move(run) : [d, h, what](CaseContext& ctx) { return sup::judge_hostile(ctx, d, h, what); };
    return registry.add(std::move(c));
  };
  using C = Capability;
  PARLEY_TRY(add("rstr-context-mismatch", "an RSTR whose @Context is not the RST's is refused", {"SC-3-10"},
                 Hostility::kRstrContextMismatch, "an RSTR whose @Context is not the RST's", {C::kIssue},
                 [d](CaseContext& ctx) { return context_mismatch(ctx, d); }));
  PARLEY_TRY(add("rstr-token-type", "an RSTR with the other version's SCT token type is refused", {"SC-2-09"},
                 Hostility::kRstrTokenType, "an RSTR whose wst:TokenType is the other WS-SC version's"));
  PARLEY_TRY(add("lifetime-expired", "an SCT whose lifetime is already over is not used", {"WST-LT-01", "SC-3-11"},
                 Hostility::kLifetimeExpired, "an RSTR whose wst:Lifetime ended an hour ago"));
  PARLEY_TRY(add("key-size-tiny", "an RSTR issuing a 16-bit key is refused", {"WST-KS-01", "SC-10-03"},
                 Hostility::kKeySizeTiny, "an RSTR whose wst:KeySize is 16 bits"));
  PARLEY_TRY(add("key-size-huge", "an RSTR issuing a 1 Mbit key is refused", {"WST-KS-01", "SC-10-04"},
                 Hostility::kKeySizeHuge, "an RSTR whose wst:KeySize is 1048576 bits"));
  PARLEY_TRY(add("response-wrong-key", "a response signed with a key the context does not give is refused",
                 {"WSS-8-01", "SC-10-01"}, Hostility::kResponseWrongKey,
                 "an application response re-signed with a random key"));
  PARLEY_TRY(add("response-replayed", "a replayed response is refused", {"WSS-13-01"}, Hostility::kResponseReplayed,
                 "the first call's response, byte for byte, as the answer to the second"));
  PARLEY_TRY(add("response-body-not-covered", "a response whose signature misses its Body is refused", {"SC-10-01"},
                 Hostility::kResponseBodyNotCovered,
                 "an application response whose signed Body was moved into a header and replaced"));
  PARLEY_TRY(add("renew-tampered", "a renewal RSTR altered after signing is refused", {"WSS-8-01", "SC-5-06"},
                 Hostility::kRenewTampered, "a renewal RSTR whose new wsc:Instance was changed after signing",
                 {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("renew-forged", "a renewal RSTR signed with the wrong key is refused", {"WSS-8-01", "SC-5-06"},
                 Hostility::kRenewForged, "a renewal RSTR re-signed with a random key", {C::kIssue, C::kRenew}));
  return ok_status();
}

}  // namespace parley::suites::wssc_client
