// Shared steps of the WS-SC service cases: establishing a context, sending application
// messages, reading issuance responses. Everything goes through the reference client (one
// implementation of each message) and CaseContext (evidence).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "harness/engine/case.h"

namespace parley::suites::wssc_support {

// A context for the case: issued through the target's STS (or the pre-shared one).
struct Session {
  std::unique_ptr<oracle::Client> client;
  wssc::ContextKey context;
};
// Establishes a session; the Error explains why not (the caller reports PREREQ_FAILED).
Result<Session> establish(engine::CaseContext& ctx, const std::string& label = "issue");

// Sends the profile's request body protected with `context` (options default to the
// profile's); `mutate` may edit the signed message before it goes out.
engine::Answer send_application(engine::CaseContext& ctx, Session& session, const std::string& label,
                                const std::function<void(xml::Document&)>& mutate = {},
                                std::optional<wssc::ProtectOptions> options = std::nullopt,
                                std::optional<wssc::ContextKey> context = std::nullopt);

// One issuance exchange with an editable RST; the raw response document when it parsed.
struct Issuance {
  engine::Answer answer;
  std::optional<xml::Document> response;
  std::optional<Bytes> entropy;
  std::string request_xml;
};
// `edit` changes the RST, `mutate` the envelope once the RST is in it: both before a
// certificate bootstrap signs and encrypts the request, so a mutant is still well protected.
Issuance issue_raw(engine::CaseContext& ctx, const std::string& label,
                   const std::function<void(wssc::RequestSecurityToken&)>& edit = {},
                   const std::function<void(xml::Document&)>& mutate = {},
                   std::optional<std::string> soap_action = std::nullopt);

// The RSTRs of an issuance response and whether they came wrapped in an RSTRC.
Result<wssc::TrustResponse> trust_response(const xml::Document& response);

// A renew / cancel / amend request for `target`, signed with `signer` (they differ in the
// proof-of-possession cases), sent to the STS; `mutate` may edit it after signing.
engine::Answer context_operation(engine::CaseContext& ctx, const std::string& label, names::ScOperation op,
                                 const wssc::ContextKey& signer, const wssc::SecurityContextToken& target,
                                 const std::function<void(xml::Document&)>& mutate = {});

// The same operation protected with the issuance bootstrap's credentials only (no signature by
// any context key): what a requester without the context's key can send.
engine::Answer bootstrap_only_operation(engine::CaseContext& ctx, const std::string& label, names::ScOperation op,
                                        const wssc::SecurityContextToken& target);
// Proof of possession by the bootstrap token only (catalog section 3): a negative case whose
// mutant is bootstrap_only_operation on the case's own context; the context must survive.
engine::Outcome operation_with_bootstrap_only(engine::CaseContext& ctx, names::ScOperation op);

// Proof of possession (SC-5-02, SC-6-02): a negative case whose mutant is `op` (renew or cancel)
// naming a second requester's context but signed with the first's; the controls are messages
// under the second context, which must survive.
engine::Outcome operation_on_other_context(engine::CaseContext& ctx, names::ScOperation op);

// An application message whose addressing headers carry no wsu:Id and are left out of the
// signature (Body and Timestamp are signed as usual).
xml::Document application_unsigned_addressing(engine::CaseContext& ctx, Session& session);

// Security faults a refusal may carry when the spec names none in particular.
std::vector<names::QName> security_faults(names::ScVersion v);

}  // namespace parley::suites::wssc_support
