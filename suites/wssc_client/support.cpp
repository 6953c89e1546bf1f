#include "suites/wssc_client/support.h"

namespace parley::suites::wssc_client_support {

using engine::Outcome;

Scenario basic() {
  Scenario s;
  s.name = "basic";
  return s;
}

Scenario basic_again() {
  Scenario s = basic();
  s.name = "basic-again";
  return s;
}

Scenario entropy(oracle::EntropyMode m) {
  Scenario s;
  s.name = std::string(oracle::to_string(m)) + "-entropy";
  s.entropy = m;
  return s;
}

Scenario renewal() {
  Scenario s;
  s.name = "renewal";
  s.calls = 3;
  s.renew_needed_at = 2;
  return s;
}

Scenario encrypted() {
  Scenario s;
  s.name = "encrypted";
  s.encrypt = true;
  return s;
}

Scenario cookie() {
  Scenario s;
  s.name = "cookie";
  s.cookie = true;
  return s;
}

Scenario sct_extension() {
  Scenario s;
  s.name = "sct-extension";
  s.sct_extension = true;
  return s;
}

Scenario amend() {
  Scenario s;
  s.name = "amend";
  s.amend = true;
  return s;
}

Scenario must_not_send_cancel() {
  Scenario s;
  s.name = "must-not-send-cancel";
  s.must_not_send_cancel = true;
  return s;
}

Scenario must_not_send_renew() {
  Scenario s = renewal();
  s.name = "must-not-send-renew";
  s.must_not_send_renew = true;
  return s;
}

Scenario must_not_send_amend() {
  Scenario s = amend();
  s.name = "must-not-send-amend";
  s.must_not_send_amend = true;
  return s;
}

Scenario hostile(Hostility h) {
  Scenario s = clientsuite::hostile_step(h) == clientsuite::HostileStep::kRenew ? renewal() : basic();
  s.name = "hostile/" + std::string(clientsuite::to_string(h));
  s.hostility = h;
  s.hostile_call = 2;  // the first call's response is a genuine one (what a replay repeats)
  return s;
}

Scenario control_of(const Scenario& h) {
  return clientsuite::hostile_step(h.hostility) == clientsuite::HostileStep::kRenew ? renewal() : basic();
}

std::string label(const Recorded& m) { return "#" + std::to_string(m.index) + " " + std::string(to_string(m.kind)); }

std::shared_ptr<const ScenarioRun> run(engine::CaseContext& ctx, const Driver& driver, const Scenario& scenario) {
  if (!driver) {
    auto r = std::make_shared<ScenarioRun>();
    r->scenario = scenario;
    r->error = "no client under test: run the suite with --exec or --listen";
    return r;
  }
  auto r = driver->run(scenario, ctx.profile());
  for (const auto& m : r->messages) {
    engine::EvidenceExchange e;
    e.label = scenario.name + " " + label(m) + (m.hostile ? " (hostile answer)" : "") +
              (m.renew_needed ? " (RenewNeeded)" : "");
    e.url = m.path;
    e.request_content_type = m.request.content_type;
    e.request_soap_action = m.request.soap_action;
    e.request_body = m.request.body;
    e.response_status = m.response.status;
    e.response_content_type = m.response.content_type;
    e.response_body = m.response.body;
    ctx.evidence().exchanges.push_back(std::move(e));
  }
  std::string outcome = r->timed_out ? "timed out" : (r->exit_code >= 0 ? "exit " + std::to_string(r->exit_code) : "not run");
  ctx.note("scenario " + scenario.name + " (" + driver->describe() + "): " + outcome + ", " +
           std::to_string(r->messages.size()) + " messages, " + std::to_string(r->duration.count()) + " ms" +
           (r->error.empty() ? "" : "; " + r->error));
  if (!r->output.empty()) ctx.note("scenario " + scenario.name + " client output:\n" + r->output);
  return r;
}

std::optional<Outcome> not_judgeable(const ScenarioRun& r) {
  if (!r.error.empty()) return Outcome::error("scenario " + r.scenario.name + ": " + r.error);
  if (r.exit_code == 2 && r.messages.empty()) {
    return Outcome::not_applicable("the client cannot run scenario " + r.scenario.name + " (exit 2: unsupported setting)");
  }
  if (!r.connected()) {
    return Outcome::error("the client never connected in scenario " + r.scenario.name +
                          (r.timed_out ? " (it timed out)" : " (exit " + std::to_string(r.exit_code) + ")"));
  }
  return std::nullopt;
}

std::vector<const Recorded*> of_kind(const ScenarioRun& r, MessageKind kind) {
  std::vector<const Recorded*> out;
  for (const auto& m : r.messages) {
    if (m.kind == kind) out.push_back(&m);
  }
  return out;
}

std::vector<const Recorded*> protected_messages(const ScenarioRun& r) {
  std::vector<const Recorded*> out;
  for (const auto& m : r.messages) {
    if (m.kind != MessageKind::kIssue && m.kind != MessageKind::kOther) out.push_back(&m);
  }
  return out;
}

Result<Parsed> parse_request(const Recorded& m) {
  PARLEY_ASSIGN_OR_RETURN(xml::Document doc, xml::parse(m.request.body));
  PARLEY_ASSIGN_OR_RETURN(wssc::EnvelopeView view, wssc::parse_envelope(doc));
  return Parsed{std::move(doc), view};
}

Outcome judge_hostile(engine::CaseContext& ctx, const Driver& driver, Hostility h, const std::string& what) {
  const Scenario hostile_scenario = hostile(h);
  auto control = run(ctx, driver, control_of(hostile_scenario));
  if (!control->error.empty() || !control->connected()) return *not_judgeable(*control);
  if (control->timed_out || control->exit_code != 0) {
    return Outcome::prereq_failed("the positive control (scenario " + control->scenario.name + ") did not succeed: " +
                                  (control->timed_out ? "timed out" : "exit " + std::to_string(control->exit_code)));
  }
  auto r = run(ctx, driver, hostile_scenario);
  if (auto o = not_judgeable(*r)) return *o;
  const auto hi = r->hostile_index();
  if (!hi) {
    return Outcome::error("the client did not reach the hostile step (" + what + ") in scenario " +
                          hostile_scenario.name + ": nothing to judge");
  }
  const Recorded& step = r->messages[*hi];
  const auto kind = clientsuite::hostile_step(h);
  for (std::size_t i = *hi + 1; i < r->messages.size(); ++i) {
    const Recorded& m = r->messages[i];
    bool offending = false;
    switch (kind) {
      case clientsuite::HostileStep::kIssue: offending = m.kind != MessageKind::kIssue; break;
      case clientsuite::HostileStep::kApplication: offending = m.kind == MessageKind::kApplication; break;
      case clientsuite::HostileStep::kRenew:
        offending = m.kind != MessageKind::kIssue && m.context_identifier == step.context_identifier &&
                    m.context_instance != step.context_instance;
        break;
      case clientsuite::HostileStep::kNone: break;
    }
    if (offending) {
      return Outcome::fail("after " + what + " (answer to " + label(step) + "), the client sent " + label(m) +
                           (kind == clientsuite::HostileStep::kApplication
                                ? " as if the answer were genuine"
                                : " under the context it conveyed (" + m.context_identifier +
                                      (m.context_instance.empty() ? "" : ", instance " + m.context_instance) + ")"));
    }
  }
  if (r->timed_out) return Outcome::error("the client did not finish after " + what + " (timed out)");
  if (r->exit_code == 0) return Outcome::fail("the client exited 0 after " + what + ": it accepted the answer");
  return Outcome::pass("the client refused " + what + ": exit " + std::to_string(r->exit_code) +
                       ", nothing sent under it afterwards; the control " + control->scenario.name + " passed");
}

}  // namespace parley::suites::wssc_client_support
