// Shared parts of the client suite (parley plays the service, the client under test is judged):
// the scenarios the cases share, running them through the driver with evidence, reading what
// the client sent, and the rule for hostile-service cases (docs/client-harness.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/clientsuite/driver.h"
#include "harness/engine/case.h"

namespace parley::suites::wssc_client_support {

using clientsuite::ClientDriver;
using clientsuite::Hostility;
using clientsuite::MessageKind;
using clientsuite::Recorded;
using clientsuite::Scenario;
using clientsuite::ScenarioRun;
using Driver = std::shared_ptr<ClientDriver>;

// The scenarios (each runs once per `parley run`, whichever cases share it).
Scenario basic();                         // issue, 2 calls, close
Scenario basic_again();                   // the same lifecycle again (freshness across sessions)
Scenario entropy(oracle::EntropyMode m);  // the service's entropy mode: server or client
Scenario renewal();                       // 3 calls; the second is answered wsc:RenewNeeded
Scenario encrypted();                     // PARLEY_ENCRYPT=1
Scenario cookie();                        // stateless SCTs with a dnse:Cookie (MustNotSendCancel)
Scenario sct_extension();                 // the SCT carries a foreign extension element
Scenario amend();                         // PARLEY_AMEND=1
Scenario must_not_send_cancel();
Scenario must_not_send_renew();           // with a RenewNeeded on the second call
Scenario must_not_send_amend();           // with PARLEY_AMEND=1
Scenario hostile(Hostility h);            // basic (or renewal for renew attacks), hostile at one step
Scenario control_of(const Scenario& hostile_scenario);

// Runs a scenario through the driver and records its messages as the case's evidence.
std::shared_ptr<const ScenarioRun> run(engine::CaseContext& ctx, const Driver& driver, const Scenario& scenario);

// ERROR when the harness could not run the scenario or the client never connected; NOT_APPLICABLE
// when the client said it cannot run it (exit 2). nullopt when there is something to judge.
std::optional<engine::Outcome> not_judgeable(const ScenarioRun& run);

// The messages of a kind, in order.
std::vector<const Recorded*> of_kind(const ScenarioRun& run, MessageKind kind);
// Application, renew, cancel and amend messages: those protected with the context.
std::vector<const Recorded*> protected_messages(const ScenarioRun& run);
// "#3 application" (for reasons).
std::string label(const Recorded& m);

// A message's parsed request (an Error when it does not parse as a SOAP envelope).
struct Parsed {
  xml::Document doc;
  wssc::EnvelopeView view;
};
Result<Parsed> parse_request(const Recorded& m);

// The hostile-service rule: the positive control of the same scenario must pass (else
// PREREQ_FAILED); the client must reach the hostile step (else ERROR), send nothing under the
// context or key the hostile answer conveyed (else FAIL) and exit non-zero (else FAIL).
engine::Outcome judge_hostile(engine::CaseContext& ctx, const Driver& driver, Hostility h, const std::string& what);

}  // namespace parley::suites::wssc_client_support
