// The client suite, the context's lifecycle (catalog 2.1, 2.3-2.5): holding the SCT unchanged
// (cookies and other extensions), renewing on wsc:RenewNeeded and retrying with the new
// Instance, amending and cancelling with proof of possession, and honouring MustNotSend*.
#include "suites/suites.h"
#include "suites/wssc_client/support.h"

namespace parley::suites::wssc_client {
namespace {

using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_client_support;
using sup::Driver;
using sup::MessageKind;

// SC-2-06: every later message carries the issued SCT with its extensions unchanged.
Outcome echoed(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario, const std::string& what) {
  auto r = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*r)) return *o;
  auto issues = sup::of_kind(*r, MessageKind::kIssue);
  if (issues.empty() || !issues.front()->issued) return Outcome::fail("no SCT was issued in " + scenario.name);
  const wssc::SecurityContextToken& issued = *issues.front()->issued;
  if (issued.extensions.empty()) return Outcome::error("the issued SCT carries no extension: the scenario is broken");
  std::size_t checked = 0;
  for (const auto* m : sup::protected_messages(*r)) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    std::optional<wssc::SecurityContextToken> carried;
    for (xmlNode* sec : p->view.security_headers) {
      for (xmlNode* c : xml::child_elements(sec)) {
        if (xml::local_name(c) != "SecurityContextToken") continue;
        auto sct = wssc::parse_sct(c);
        if (!sct.ok()) return Outcome::fail(sup::label(*m) + ": " + sct.error().message());
        if (sct->identifier == issued.identifier) carried = std::move(*sct);
      }
    }
    ++checked;
    if (!carried) {
      return Outcome::fail(sup::label(*m) + " does not carry the SCT: its " + what +
                           " can only reach the service in the token itself");
    }
    if (carried->extensions != issued.extensions) {
      return Outcome::fail(sup::label(*m) + ": the SCT's " + what + " differs from the one issued (" +
                           std::to_string(carried->extensions.size()) + " extension(s) sent, " +
                           std::to_string(issued.extensions.size()) + " issued)");
    }
  }
  if (checked == 0) return Outcome::fail("the client sent no message under the context");
  return Outcome::pass(std::to_string(checked) + " messages carry the SCT with its " + what + " unchanged");
}

// The renewal scenario's messages around the RenewNeeded answer.
struct Renewal {
  std::shared_ptr<const sup::ScenarioRun> run;
  const sup::Recorded* renew_needed = nullptr;
  std::vector<const sup::Recorded*> after;  // every message after it
  std::optional<Outcome> outcome;
};

Renewal renewal(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario = sup::renewal()) {
  Renewal out;
  out.run = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*out.run)) {
    out.outcome = o;
    return out;
  }
  for (const auto& m : out.run->messages) {
    if (out.renew_needed != nullptr) out.after.push_back(&m);
    if (m.renew_needed && out.renew_needed == nullptr) out.renew_needed = &m;
  }
  if (out.renew_needed == nullptr) {
    out.outcome = Outcome::error("the client never reached the call answered with wsc:RenewNeeded (" +
                                 std::to_string(out.run->messages.size()) + " messages)");
  }
  return out;
}

Outcome renew_on_renew_needed(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver);
  if (r.outcome) return *r.outcome;
  if (r.after.empty()) return Outcome::fail("the client sent nothing after wsc:RenewNeeded");
  const sup::Recorded& next = *r.after.front();
  if (next.kind == MessageKind::kApplication) {
    return Outcome::fail("after wsc:RenewNeeded the client resent the call (" + sup::label(next) + ") under the same " +
                         "key instead of renewing or re-issuing first");
  }
  if (next.kind != MessageKind::kRenew && next.kind != MessageKind::kIssue) {
    return Outcome::fail("after wsc:RenewNeeded the client sent " + sup::label(next));
  }
  for (const auto* m : r.after) {
    if (m->kind == MessageKind::kApplication) {
      if (!m->accepted) return Outcome::fail("the resent call " + sup::label(*m) + " was refused: " + m->oracle_answer);
      return Outcome::pass("wsc:RenewNeeded answered by " + std::string(to_string(next.kind)) +
                           ", then the call resent and accepted (" + sup::label(*m) + ")");
    }
  }
  return Outcome::fail("after the " + std::string(to_string(next.kind)) + " the client never resent the call");
}

Outcome renew_request(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto renews = sup::of_kind(*r.run, MessageKind::kRenew);
  if (renews.empty()) return Outcome::not_applicable("the client did not renew (wssc-client/05/renew-on-renew-needed judges that)");
  const sup::Recorded& m = *renews.front();
  const auto tv = ctx.profile().client.versions.trust();
  if (m.action != names::sct_action(tv, names::ScOperation::kRenew, names::Direction::kRequest)) {
    return Outcome::fail("the renewal's wsa:Action is '" + m.action + "'");
  }
  auto p = sup::parse_request(m);
  if (!p.ok() || p->view.body_child == nullptr) return Outcome::fail("the renewal's Body holds no RST");
  auto rst = wssc::parse_rst(p->view.body_child);
  if (!rst.ok()) return Outcome::fail("the renewal's RST does not parse: " + rst.error().message());
  if (rst->request_type != names::request_type(tv, names::ScOperation::kRenew)) {
    return Outcome::fail("the renewal's wst:RequestType is '" + rst->request_type + "'");
  }
  if (!rst->renew_target) return Outcome::fail("the renewal carries no wst:RenewTarget");
  const std::string uri = rst->renew_target->uri;
  bool names_sct = uri == m.context_identifier;
  if (auto id = rst->renew_target->local_id()) {
    auto found = xml::find_all_by_id(p->doc, *id);
    if (found.size() == 1 && xml::local_name(found.front()) == "SecurityContextToken") {
      auto sct = wssc::parse_sct(found.front());
      names_sct = sct.ok() && sct->identifier == m.context_identifier;
    }
  }
  if (!names_sct) return Outcome::fail("wst:RenewTarget '" + uri + "' does not name the context being renewed");
  return Outcome::pass("RST/SCT/Renew with RequestType Renew and a RenewTarget naming the SCT");
}

Outcome renew_proves_possession(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto renews = sup::of_kind(*r.run, MessageKind::kRenew);
  if (renews.empty()) return Outcome::not_applicable("the client did not renew");
  const sup::Recorded& m = *renews.front();
  if (!m.opened) return Outcome::fail("the renewal is not signed with the context's key: " + m.open_error);
  if (!m.accepted) return Outcome::fail("the service refused the renewal: " + m.oracle_answer);
  return Outcome::pass("the renewal is signed with the key of " + m.context_identifier);
}

Outcome retry_new_instance(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver);
  if (r.outcome) return *r.outcome;
  const sup::Recorded* renew = nullptr;
  for (const auto* m : r.after) {
    if (m->kind == MessageKind::kRenew && renew == nullptr) renew = m;
    if (renew == nullptr || m->kind != MessageKind::kApplication) continue;
    if (!renew->accepted || !renew->issued) return Outcome::fail("the renewal did not succeed: " + renew->oracle_answer);
    if (m->context_instance != renew->issued->instance) {
      return Outcome::fail("the retried call " + sup::label(*m) + " uses instance '" + m->context_instance +
                           "', not the renewed '" + renew->issued->instance + "'");
    }
    if (!m->opened) return Outcome::fail("the retried call " + sup::label(*m) + " does not verify under the new key: " + m->open_error);
    return Outcome::pass("the retried call uses the new wsc:Instance " + m->context_instance + " and its key");
  }
  if (renew == nullptr) return Outcome::not_applicable("the client did not renew");
  return Outcome::fail("no call after the renewal");
}

Outcome one_exchange_per_renewal(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto renews = sup::of_kind(*r.run, MessageKind::kRenew);
  if (renews.empty()) return Outcome::not_applicable("the client did not renew");
  if (renews.size() != 1) {
    return Outcome::fail(std::to_string(renews.size()) + " renewal requests for one wsc:RenewNeeded");
  }
  return Outcome::pass("one RST/SCT/Renew and one answer for the renewal");
}

Outcome must_not_send_renew(CaseContext& ctx, const Driver& driver) {
  Renewal r = renewal(ctx, driver, sup::must_not_send_renew());
  if (r.outcome) return *r.outcome;
  for (const auto* m : r.after) {
    if (m->kind == MessageKind::kRenew) {
      return Outcome::fail("the policy says MustNotSendRenew, yet the client sent " + sup::label(*m));
    }
  }
  return Outcome::pass("no renewal under MustNotSendRenew (" +
                       std::string(r.after.empty() ? "the client stopped" : "next: " + sup::label(*r.after.front())) + ")");
}

// The cancel of the basic scenario.
Outcome cancel_checked(CaseContext& ctx, const Driver& driver, bool possession) {
  auto r = sup::run(ctx, driver, sup::basic());
  if (auto o = sup::not_judgeable(*r)) return *o;
  auto cancels = sup::of_kind(*r, MessageKind::kCancel);
  if (cancels.empty()) return Outcome::fail("the client closed the session without RST/SCT/Cancel");
  const sup::Recorded& m = *cancels.front();
  if (possession) {
    if (!m.opened) return Outcome::fail("the cancel is not signed with the context's key: " + m.open_error);
    return Outcome::pass("the cancel is signed with the key of " + m.context_identifier);
  }
  if (&m != &r->messages.back()) return Outcome::fail("the client sent more after its cancel");
  auto p = sup::parse_request(m);
  if (!p.ok() || p->view.body_child == nullptr) return Outcome::fail("the cancel's Body holds no RST");
  auto rst = wssc::parse_rst(p->view.body_child);
  if (!rst.ok()) return Outcome::fail("the cancel's RST does not parse: " + rst.error().message());
  const auto tv = ctx.profile().client.versions.trust();
  if (rst->request_type != names::request_type(tv, names::ScOperation::kCancel)) {
    return Outcome::fail("the cancel's wst:RequestType is '" + rst->request_type + "'");
  }
  if (!rst->cancel_target) return Outcome::fail("the cancel carries no wst:CancelTarget");
  if (!m.accepted) return Outcome::fail("the service refused the cancel: " + m.oracle_answer);
  return Outcome::pass("the session ends with RST/SCT/Cancel and a CancelTarget, accepted");
}

Outcome must_not_send(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario, MessageKind kind,
                      const std::string& assertion) {
  auto r = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*r)) return *o;
  for (const auto& m : r->messages) {
    if (m.kind == kind) return Outcome::fail("the policy says " + assertion + ", yet the client sent " + sup::label(m));
  }
  return Outcome::pass("no " + std::string(to_string(kind)) + " under " + assertion);
}

Outcome amend_request(CaseContext& ctx, const Driver& driver) {
  auto r = sup::run(ctx, driver, sup::amend());
  if (auto o = sup::not_judgeable(*r)) return *o;
  auto amends = sup::of_kind(*r, MessageKind::kAmend);
  if (amends.empty()) return Outcome::fail("the profile claims amend, but asked to (PARLEY_AMEND=1) the client did not");
  const sup::Recorded& m = *amends.front();
  if (!m.opened) return Outcome::fail("the amendment is not signed with the context's key: " + m.open_error);
  if (!m.accepted) return Outcome::fail("the service refused the amendment: " + m.oracle_answer);
  return Outcome::pass("RST/SCT/Amend signed with the context's key, accepted");
}

}  // namespace

Status register_client_05_lifecycle(engine::Registry& registry, const Driver& d) {
  using engine::Capability;
  using C = Capability;
  auto add = [&](std::string id, std::string title, std::vector<std::string> reqs, engine::RunFunction run,
                 std::string sends, std::string expects, std::vector<Capability> needs = {Capability::kIssue}) {
    engine::Case c;
    c.info.id = "wssc-client/" + id;
    c.info.title = std::move(title);
    c.info.requirements = std::move(reqs);
    c.info.role = "CLI";
    c.info.needs = std::move(needs);
    c.info.sends = std::move(sends);
    c.info.expects = std::move(expects);
    c.info.typical_causes = "the client's session handling (token cache, renewal, close)";
    c.run = std::move(run);
    return registry.add(std::move(c));
  };
  auto fn = [d](Outcome (*f)(CaseContext&, const Driver&)) -> engine::RunFunction {
    return [d, f](CaseContext& ctx) { return f(ctx, d); };
  };
  const std::string renewal = "scenario renewal: 3 calls, the second answered with wsc:RenewNeeded (WCF's shape)";
  PARLEY_TRY(add("02/cookie-echoed", "a cookie-mode SCT is echoed with its dnse:Cookie unchanged", {"SC-2-06", "WCF-04"},
                 [d](CaseContext& ctx) { return echoed(ctx, d, sup::cookie(), "dnse:Cookie"); },
                 "scenario cookie: stateless SCTs carrying a dnse:Cookie",
                 "every later message carries the SCT, its cookie byte for byte"));
  PARLEY_TRY(add("02/extension-echoed", "an SCT extension the client does not know is echoed unchanged", {"SC-2-06"},
                 [d](CaseContext& ctx) { return echoed(ctx, d, sup::sct_extension(), "extension"); },
                 "scenario sct-extension: the issued SCT carries a foreign element",
                 "every later message carries the SCT with that element unchanged"));
  PARLEY_TRY(add("04/amend-request", "asked to amend, the client sends RST/SCT/Amend proving possession",
                 {"SC-4-01", "SC-4-02"}, fn(amend_request), "scenario amend (PARLEY_AMEND=1)",
                 "an accepted RST/SCT/Amend signed with the context key", {C::kIssue, C::kAmend}));
  PARLEY_TRY(add("04/must-not-send-amend", "with sp:MustNotSendAmend the client does not amend", {"SC-4-06"},
                 [d](CaseContext& ctx) {
                   return must_not_send(ctx, d, sup::must_not_send_amend(), MessageKind::kAmend, "sp:MustNotSendAmend");
                 },
                 "scenario must-not-send-amend: PARLEY_AMEND=1 but the policy forbids amending", "no RST/SCT/Amend"));
  PARLEY_TRY(add("05/renew-on-renew-needed", "on wsc:RenewNeeded the client renews (or re-issues) and resends",
                 {"SC-5-10"}, fn(renew_on_renew_needed), renewal,
                 "a renewal (or a new issuance) before the call is resent; no resend under the old key",
                 {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("05/renew-request", "the renewal is RST/SCT/Renew with RequestType Renew and a RenewTarget",
                 {"SC-5-01", "WST-5-01"}, fn(renew_request), renewal,
                 "wsa:Action RST/SCT/Renew, wst:RequestType .../Renew, wst:RenewTarget naming the SCT",
                 {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("05/renew-proves-possession", "the renewal is signed with the current context key", {"SC-5-02"},
                 fn(renew_proves_possession), renewal, "a renewal that verifies under the context's key",
                 {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("05/retry-new-instance", "after renewing, the client uses the new wsc:Instance and key",
                 {"SC-5-10", "SC-8-03"}, fn(retry_new_instance), renewal,
                 "the resent call references the renewed Instance and verifies under the new key",
                 {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("05/one-exchange-per-renewal", "one request/response pair per renewal", {"SC-5-12"},
                 fn(one_exchange_per_renewal), renewal, "exactly one RST/SCT/Renew", {C::kIssue, C::kRenew}));
  PARLEY_TRY(add("05/must-not-send-renew", "with sp:MustNotSendRenew the client does not renew", {"SC-5-11"},
                 fn(must_not_send_renew), "scenario must-not-send-renew: RenewNeeded on the second call, renewal forbidden",
                 "no RST/SCT/Renew (a new issuance is allowed)"));
  PARLEY_TRY(add("06/cancel-on-close", "the client closes the session with RST/SCT/Cancel and a CancelTarget",
                 {"SC-6-01", "WST-6-01"}, [d](CaseContext& ctx) { return cancel_checked(ctx, d, false); },
                 "scenario basic", "a last message RST/SCT/Cancel with RequestType Cancel and a CancelTarget",
                 {C::kIssue, C::kCancel}));
  PARLEY_TRY(add("06/cancel-proves-possession", "the cancel is signed with the context key", {"SC-6-02", "WCF-01"},
                 [d](CaseContext& ctx) { return cancel_checked(ctx, d, true); }, "scenario basic",
                 "a cancel that verifies under the context's key", {C::kIssue, C::kCancel}));
  PARLEY_TRY(add("06/must-not-send-cancel", "with sp:MustNotSendCancel the client does not cancel", {"SC-6-06", "WCF-07"},
                 [d](CaseContext& ctx) {
                   return must_not_send(ctx, d, sup::must_not_send_cancel(), MessageKind::kCancel,
                                        "sp:MustNotSendCancel");
                 },
                 "scenario must-not-send-cancel (policy at PARLEY_POLICY_URL, list in PARLEY_MUST_NOT_SEND)",
                 "no RST/SCT/Cancel"));
  return ok_status();
}

}  // namespace parley::suites::wssc_client
