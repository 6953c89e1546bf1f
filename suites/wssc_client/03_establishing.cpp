// The client suite, WS-SC 1.3 section 3 (catalog 2.2): what a client's RST/SCT looks like per
// version, and whether it computes the proof key the service issued.
#include <set>

#include "suites/suites.h"
#include "suites/wssc_client/support.h"

namespace parley::suites::wssc_client {
namespace {

using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_client_support;
using sup::Driver;
using sup::MessageKind;

// The first RST/SCT of the basic scenario, parsed; an Outcome when there is none to judge.
struct Rst {
  std::shared_ptr<const sup::ScenarioRun> run;
  const sup::Recorded* message = nullptr;
  std::optional<sup::Parsed> parsed;
  std::optional<Outcome> outcome;
};

Rst first_rst(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario = sup::basic()) {
  Rst out;
  out.run = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*out.run)) {
    out.outcome = o;
    return out;
  }
  auto issues = sup::of_kind(*out.run, MessageKind::kIssue);
  if (issues.empty()) {
    out.outcome = Outcome::fail("the client's first message (" + sup::label(out.run->messages.front()) +
                                ", wsa:Action '" + out.run->messages.front().action +
                                "') is not an RST/SCT of this version: the service saw no issue request");
    return out;
  }
  out.message = issues.front();
  auto parsed = sup::parse_request(*out.message);
  if (!parsed.ok()) {
    out.outcome = Outcome::fail("the RST/SCT is not a SOAP envelope: " + parsed.error().message());
    return out;
  }
  if (parsed->view.body_child == nullptr) {
    out.outcome = Outcome::fail("the RST/SCT's Body is empty");
    return out;
  }
  out.parsed = std::move(*parsed);
  return out;
}

Result<wssc::RequestSecurityToken> rst_of(const Rst& r) { return wssc::parse_rst(r.parsed->view.body_child); }

Outcome rst_action(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  const auto tv = ctx.profile().client.versions.trust();
  const auto& t = names::trust(tv);
  if (r.message->action != t.rst_sct) {
    return Outcome::fail("wsa:Action '" + r.message->action + "', expected '" + std::string(t.rst_sct) + "'");
  }
  auto version = wssc::trust_version_of(r.parsed->view.body_child);
  if (version != tv) {
    return Outcome::fail("the Body holds {" + std::string(xml::namespace_uri(r.parsed->view.body_child)) + "}" +
                         std::string(xml::local_name(r.parsed->view.body_child)) + ", not a wst:RequestSecurityToken of " +
                         std::string(t.label));
  }
  return Outcome::pass("RST/SCT with wsa:Action " + std::string(t.rst_sct) + " in the " + std::string(t.label) +
                       " namespace");
}

Outcome rst_request_type(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto rst = rst_of(r);
  if (!rst.ok()) return Outcome::fail("the RST does not parse: " + rst.error().message());
  const auto& t = names::trust(ctx.profile().client.versions.trust());
  if (rst->request_type != t.request_issue) {
    return Outcome::fail("wst:RequestType '" + rst->request_type + "', expected '" + std::string(t.request_issue) + "'");
  }
  return Outcome::pass("wst:RequestType " + rst->request_type);
}

Outcome rst_token_type(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto rst = rst_of(r);
  if (!rst.ok()) return Outcome::fail("the RST does not parse: " + rst.error().message());
  const auto& sc = names::sc(ctx.profile().client.versions.sc);
  if (rst->token_type.empty()) return Outcome::warn("the RST names no wst:TokenType (SC-3-03 says it should)");
  if (rst->token_type != sc.sct_token_type) {
    return Outcome::fail("wst:TokenType '" + rst->token_type + "', expected '" + std::string(sc.sct_token_type) + "'");
  }
  return Outcome::pass("wst:TokenType " + rst->token_type);
}

Outcome rst_key_size(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto rst = rst_of(r);
  if (!rst.ok()) return Outcome::fail("the RST does not parse: " + rst.error().message());
  if (!rst->key_size) return Outcome::pass("no wst:KeySize: the issuer chooses the key size");
  const auto* suite = names::find_algorithm_suite(ctx.profile().algorithm_suite);
  const std::uint64_t min = suite != nullptr ? static_cast<std::uint64_t>(suite->min_symmetric_key_bits) : 128;
  if (*rst->key_size % 8 != 0 || *rst->key_size < min) {
    return Outcome::fail("wst:KeySize " + std::to_string(*rst->key_size) + " is not a key size in bits of at least " +
                         std::to_string(min) + " (" + ctx.profile().algorithm_suite + ")");
  }
  return Outcome::pass("wst:KeySize " + std::to_string(*rst->key_size) + " bits");
}

Outcome rst_entropy_type(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto rst = rst_of(r);
  if (!rst.ok()) return Outcome::fail("the RST does not parse: " + rst.error().message());
  if (!rst->entropy) return Outcome::not_applicable("the client sends no wst:Entropy");
  if (rst->entropy->kind != wssc::KeyMaterial::Kind::kBinarySecret) {
    return Outcome::info("the client's entropy is not a wst:BinarySecret (an EncryptedKey?): not judged here");
  }
  const auto& t = names::trust(ctx.profile().client.versions.trust());
  if (rst->entropy->type != t.binary_secret_nonce) {
    return Outcome::fail("wst:BinarySecret/@Type '" + rst->entropy->type + "', expected '" +
                         std::string(t.binary_secret_nonce) + "'");
  }
  return Outcome::pass("client entropy is a wst:BinarySecret of Type Nonce");
}

Outcome rst_entropy_size(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  auto rst = rst_of(r);
  if (!rst.ok()) return Outcome::fail("the RST does not parse: " + rst.error().message());
  if (!rst->entropy || rst->entropy->kind != wssc::KeyMaterial::Kind::kBinarySecret) {
    return Outcome::not_applicable("the client sends no wst:BinarySecret entropy");
  }
  if (rst->entropy->secret.size() < 16) {
    return Outcome::fail("the client entropy has " + std::to_string(rst->entropy->secret.size()) +
                         " bytes; fewer than 16 (128 bits) cannot make a key of the suite's strength");
  }
  return Outcome::pass(std::to_string(rst->entropy->secret.size()) + " bytes of client entropy");
}

// Every wst:BinarySecret entropy the client sent in issue and renew requests of these runs.
void collect_entropy(const sup::ScenarioRun& r, std::vector<std::pair<std::string, Bytes>>& out) {
  for (const auto& m : r.messages) {
    if (m.kind != MessageKind::kIssue && m.kind != MessageKind::kRenew) continue;
    auto parsed = sup::parse_request(m);
    if (!parsed.ok() || parsed->view.body_child == nullptr) continue;
    auto rst = wssc::parse_rst(parsed->view.body_child);
    if (rst.ok() && rst->entropy && rst->entropy->kind == wssc::KeyMaterial::Kind::kBinarySecret) {
      out.emplace_back(r.scenario.name + " " + sup::label(m), rst->entropy->secret);
    }
  }
}

Outcome entropy_fresh(CaseContext& ctx, const Driver& driver) {
  std::vector<std::pair<std::string, Bytes>> seen;
  for (const auto& s : {sup::basic(), sup::basic_again(), sup::renewal()}) {
    auto r = sup::run(ctx, driver, s);
    if (s.name == "basic") {
      if (auto o = sup::not_judgeable(*r)) return *o;
    }
    collect_entropy(*r, seen);
  }
  if (seen.size() < 2) return Outcome::not_applicable("fewer than two requests carried client entropy");
  for (std::size_t i = 0; i < seen.size(); ++i) {
    for (std::size_t j = i + 1; j < seen.size(); ++j) {
      if (seen[i].second == seen[j].second) {
        return Outcome::fail("the same client entropy in " + seen[i].first + " and " + seen[j].first);
      }
    }
  }
  return Outcome::pass(std::to_string(seen.size()) + " issue and renew requests, each with fresh entropy");
}

Outcome issuance_timestamp(CaseContext& ctx, const Driver& driver) {
  Rst r = first_rst(ctx, driver);
  if (r.outcome) return *r.outcome;
  for (xmlNode* sec : r.parsed->view.security_headers) {
    for (xmlNode* item : xml::child_elements(sec)) {
      if (xml::is_element(item, names::ns::kWsu, "Timestamp")) {
        auto ts = wssc::parse_timestamp(item);
        if (!ts.ok()) return Outcome::fail("the RST's wsu:Timestamp is malformed: " + ts.error().message());
        return Outcome::pass("the RST carries a wsu:Timestamp (created " + ts->created + ")");
      }
      if (xml::is_element(item, names::ns::kWsse, "UsernameToken")) {
        auto ut = wssc::parse_username_token(item);
        if (ut.ok() && ut->nonce && !ut->created.empty()) {
          return Outcome::pass("the RST's UsernameToken carries a nonce and wsu:Created");
        }
      }
    }
  }
  return Outcome::fail("the RST/SCT carries neither a wsu:Timestamp nor a UsernameToken nonce: nothing lets the "
                       "issuer tell a replayed issuance");
}

// The proof key: the first application message opens under the key the service computed.
Outcome proof_key(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario, const std::string& how) {
  auto r = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*r)) return *o;
  auto issues = sup::of_kind(*r, MessageKind::kIssue);
  if (issues.empty() || !issues.front()->accepted) {
    return Outcome::fail("no issuance succeeded (" +
                         (issues.empty() ? std::string("no RST/SCT") : issues.front()->oracle_answer) + ")");
  }
  if (scenario.entropy == oracle::EntropyMode::kClient) {
    auto parsed = sup::parse_request(*issues.front());
    auto rst = parsed.ok() && parsed->view.body_child ? wssc::parse_rst(parsed->view.body_child)
                                                        : Result<wssc::RequestSecurityToken>(parsed.error());
    if (rst.ok() && !rst->entropy) return Outcome::not_applicable("the client sends no entropy to be the key");
  }
  auto apps = sup::of_kind(*r, MessageKind::kApplication);
  if (apps.empty()) return Outcome::fail("the client sent no application message after the issuance");
  const sup::Recorded& first = *apps.front();
  if (!first.opened) {
    return Outcome::fail("the first application message does not verify under the key " + how + ": " + first.open_error);
  }
  return Outcome::pass("the first application message verifies under the key " + how);
}

engine::RunFunction with(Driver d, Outcome (*f)(CaseContext&, const Driver&)) {
  return [d, f](CaseContext& ctx) { return f(ctx, d); };
}

}  // namespace

Status register_client_03_establishing(engine::Registry& registry, const Driver& d) {
  using engine::Capability;
  auto add = [&](std::string id, std::string title, std::vector<std::string> reqs, engine::RunFunction run,
                 std::string sends, std::string expects, std::vector<Capability> needs = {Capability::kIssue}) {
    engine::Case c;
    c.info.id = "wssc-client/03/" + id;
    c.info.title = std::move(title);
    c.info.requirements = std::move(reqs);
    c.info.role = "CLI";
    c.info.needs = std::move(needs);
    c.info.sends = std::move(sends);
    c.info.expects = std::move(expects);
    c.info.typical_causes = "the client's RST builder or key computation";
    c.run = std::move(run);
    return registry.add(std::move(c));
  };
  const std::string basic = "scenario basic: an oracle STS and service; the client issues, calls twice, closes";
  PARLEY_TRY(add("rst-action", "the RST/SCT uses the action and namespace of the Trust version", {"SC-3-01", "WST-3.1-01"},
                 with(d, rst_action), basic, "wsa:Action RST/SCT and a wst:RequestSecurityToken of the profile's version"));
  PARLEY_TRY(add("rst-request-type", "RequestType is Issue of the matching namespace", {"SC-3-02", "WST-3.1-01"},
                 with(d, rst_request_type), basic, "wst:RequestType .../Issue of the same Trust namespace"));
  PARLEY_TRY(add("rst-token-type", "the RST names the SCT token type of the version", {"SC-3-03", "SC-2-09"},
                 with(d, rst_token_type), basic, "wst:TokenType = the /sct URI of the profile's WS-SC version"));
  PARLEY_TRY(add("rst-key-size", "wst:KeySize, when sent, is in bits and at least the suite's minimum",
                 {"WST-KS-01", "SC-10-03"}, with(d, rst_key_size), basic,
                 "no KeySize, or a multiple of 8 bits not below the algorithm suite's minimum symmetric key"));
  PARLEY_TRY(add("rst-entropy-type", "client entropy is a BinarySecret of Type Nonce in the same namespace",
                 {"WST-3.3-01"}, with(d, rst_entropy_type), basic, "wst:Entropy/wst:BinarySecret @Type .../Nonce"));
  PARLEY_TRY(add("rst-entropy-size", "client entropy has at least 128 bits", {"SC-3-07"}, with(d, rst_entropy_size),
                 basic, "at least 16 bytes of entropy"));
  PARLEY_TRY(add("entropy-fresh", "every issue and renew request carries fresh entropy", {"SC-3-07", "SC-3-16"},
                 with(d, entropy_fresh), "scenarios basic, basic-again and renewal",
                 "no two requests with the same client entropy"));
  PARLEY_TRY(add("issuance-timestamp", "the RST/SCT carries a Timestamp (or a UsernameToken nonce)",
                 {"SC-3-16", "SC-10-02"}, with(d, issuance_timestamp), basic,
                 "a wsu:Timestamp in the RST's security header, or a digest UsernameToken with nonce and Created"));
  PARLEY_TRY(add("proof-key-combined", "the client computes the CK/PSHA1 key of combined entropy",
                 {"SC-3-08", "WST-4.4-02"},
                 [d](CaseContext& ctx) {
                   return proof_key(ctx, d, sup::basic(), "P_SHA1(client entropy, issuer entropy) the service computed");
                 },
                 basic + " (the service answers with issuer entropy and a ComputedKey)",
                 "the first application message verifies under the computed key"));
  PARLEY_TRY(add("proof-key-server-entropy", "the client uses the BinarySecret proof token the service issued",
                 {"WST-4.4-01", "SC-3-04"},
                 [d](CaseContext& ctx) {
                   return proof_key(ctx, d, sup::entropy(oracle::EntropyMode::kServer), "of the RequestedProofToken");
                 },
                 "scenario server-entropy: the RSTR's RequestedProofToken is a BinarySecret",
                 "the first application message verifies under that key"));
  PARLEY_TRY(add("proof-key-client-entropy", "the client uses its own entropy as the key when the RSTR conveys none",
                 {"SC-3-07"},
                 [d](CaseContext& ctx) {
                   return proof_key(ctx, d, sup::entropy(oracle::EntropyMode::kClient), "of its own entropy");
                 },
                 "scenario client-entropy: the RSTR has no proof token and no issuer entropy",
                 "the first application message verifies under the client's entropy"));
  return ok_status();
}

}  // namespace parley::suites::wssc_client
