// The service side of one client-suite scenario: the oracle (harness/oracle/service.h) behind a
// layer that answers wsc:RenewNeeded when the scenario says, turns one answer hostile, and
// records every message the client sends, raw and as the service read it, for the cases to judge.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/clientsuite/scenario.h"
#include "harness/oracle/config.h"

namespace parley::clientsuite {

enum class MessageKind { kIssue, kRenew, kCancel, kAmend, kApplication, kOther };
std::string_view to_string(MessageKind k);

// One request of the client and the answer it got.
struct Recorded {
  std::size_t index = 0;  // arrival order, from 0
  std::string path;       // the HTTP path it was posted to
  MessageKind kind = MessageKind::kOther;
  std::string action;      // wsa:Action ("" when the envelope did not parse)
  std::string message_id;  // wsa:MessageID
  oracle::SoapRequest request;
  oracle::SoapResponse response;  // as sent to the client
  bool accepted = false;          // the oracle answered it with success
  std::string oracle_answer;      // "success", or the fault / HTTP status the oracle answered
  bool renew_needed = false;      // answered with the scenario's wsc:RenewNeeded
  bool hostile = false;           // answered with the scenario's hostile response
  // The context the request referenced (from its header; all kinds but issue), and what opening
  // it with that context's key showed.
  std::string context_identifier;
  std::string context_instance;
  bool opened = false;
  std::string open_error;
  std::vector<std::string> covered_ids;  // wsu:Ids the signature covered
  std::vector<wssc::DerivedKeyToken> dkts;
  bool signed_with_derived_key = false;
  bool body_was_encrypted = false;
  // Issue and renew: the token the answer handed out (as sent, hostile edits included).
  std::optional<wssc::SecurityContextToken> issued;
  std::string issued_sct_xml;  // that token's element, serialized as sent
};

class ScenarioService {
 public:
  // Errors when the profile asks for what the client suite cannot play (a bootstrap other than
  // none or username-token).
  static Result<std::unique_ptr<ScenarioService>> create(Scenario scenario, const oracle::TargetProfile& profile);

  // One SOAP request posted to `path` (the STS and the service share the oracle).
  oracle::SoapResponse handle(const std::string& path, const oracle::SoapRequest& request);
  // The WS-SecurityPolicy fragment of the scenario's MustNotSend* assertions (GET /parley/policy).
  std::string policy_xml() const;

  const Scenario& scenario() const { return scenario_; }
  // A snapshot of what was recorded so far.
  std::vector<Recorded> messages() const;

 private:
  ScenarioService(Scenario scenario, const oracle::TargetProfile& profile, oracle::ServiceConfig config);
  void inspect(Recorded& r, const xml::Document& doc);
  Status make_hostile(Recorded& r, xml::Document& response);

  Scenario scenario_;
  wssc::Versions versions_;
  oracle::ServiceConfig config_;
  std::unique_ptr<oracle::Service> service_;
  mutable std::mutex mu_;
  std::vector<Recorded> messages_;
  std::size_t application_requests_ = 0;  // every one, RenewNeeded answers included
  std::size_t served_applications_ = 0;   // those the oracle answered
  bool hostile_done_ = false;
  std::optional<std::string> first_application_response_;
};

}  // namespace parley::clientsuite
