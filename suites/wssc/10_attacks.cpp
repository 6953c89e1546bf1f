// The attack classes of catalog section 3 that need more than an edited application message:
// replays of issuance, renew and cancel; the previous key generation after the rollover window;
// a signed header re-parented under an unsigned twin; key confusion by KeyValue and by
// EncryptedKey; no derived keys where the service requires them; and the destructive ones,
// context exhaustion and hostile XML. Each verdict comes from the target's answer under the
// differential rule (harness/engine/case.h: judge_negative) or the rule the case states.
#include <libxml/tree.h>

#include <algorithm>

#include "harness/engine/mutator.h"
#include "harness/oracle/cert_bootstrap.h"
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

std::vector<names::QName> with(std::vector<names::QName> faults, std::initializer_list<names::QName> more) {
  faults.insert(faults.end(), more);
  return faults;
}

// The body of the last request a client sent, exactly as sent (for a byte-for-byte replay).
std::optional<oracle::SoapRequest> last_request(const oracle::Client& client) {
  if (client.exchanges().empty()) return std::nullopt;
  return client.exchanges().back().request;
}

// --- replays -----------------------------------------------------------------------------------

// SC-3-16, WSS-13-01: an RST/SCT replayed byte for byte is refused. Only a bootstrap that
// authenticates the requester makes issuance worth replaying (and detectable): a
// UsernameToken's nonce, or the request signature of a certificate bootstrap.
Outcome replay_issuance(CaseContext& ctx) {
  const auto bootstrap = ctx.profile().client.bootstrap;
  if (bootstrap == oracle::Bootstrap::kNone || bootstrap == oracle::Bootstrap::kAnonymousForCertificate) {
    return Outcome::not_applicable(std::string("the ") + std::string(oracle::to_string(bootstrap)) +
                                   " bootstrap authenticates no requester: a replayed RST/SCT gains nothing an "
                                   "attacker could not ask for itself");
  }
  if (bootstrap == oracle::Bootstrap::kUsernameToken && !ctx.profile().client.password_digest) {
    return Outcome::not_applicable("a PasswordText UsernameToken carries no nonce, so a replay cannot be told apart");
  }
  const std::string sts = ctx.profile().client.sts_url;
  const std::string action(names::trust(ctx.profile().client.versions.trust()).rst_sct);
  engine::NegativeStep step;
  step.control = [&] { return sup::issue_raw(ctx, "control (a fresh RST/SCT)").answer; };
  step.mutant = [&]() -> Answer {
    auto client = ctx.new_client("original");
    auto request = client->issue_request();
    if (!request.ok()) {
      Answer a;
      a.kind = Answer::Kind::kTransportError;
      a.detail = "parley could not build the request: " + request.error().message();
      return a;
    }
    const std::string bytes = xml::serialize(request->doc);
    Answer first = ctx.send_bytes("original", sts, bytes, action);
    if (first.kind != Answer::Kind::kSuccess) return first;
    return ctx.send_bytes("mutant (the same RST/SCT again)", sts, bytes, action);
  };
  step.expected = with(sup::security_faults(ctx.profile().client.versions.sc),
                       {names::wss_fault(names::WssFault::kFailedAuthentication),
                        names::wss_fault(names::WssFault::kMessageExpired)});
  step.mutation = "an RST/SCT sent twice with the same bytes (same UsernameToken nonce or request signature)";
  return engine::judge_negative(step);
}

// WSS-13-01, SC-5-02: a renew request replayed byte for byte is refused; the renewed context
// keeps working.
Outcome replay_renew(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Status renewed = session->client->renew();
  ctx.record_client(*session->client, "renew");
  if (!renewed.ok()) return Outcome::prereq_failed("the renewal itself failed: " + renewed.error().message());
  auto renew_request = last_request(*session->client);
  if (!renew_request) return Outcome::error("the renew request was not recorded");
  session->context = *session->client->context();
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control (renewed key)"); };
  step.mutant = [&] {
    return ctx.send_bytes("mutant (the renew again)", ctx.profile().client.sts_url, renew_request->body,
                          names::sct_action(ctx.profile().client.versions.trust(), names::ScOperation::kRenew,
                                            names::Direction::kRequest));
  };
  step.expected = with(sup::security_faults(ctx.profile().client.versions.sc),
                       {names::sc_fault(ctx.profile().client.versions.sc, names::ScFault::kUnableToRenew),
                        names::wss_fault(names::WssFault::kMessageExpired)});
  step.mutation = "the RST/SCT/Renew that was just granted, sent again byte for byte";
  return engine::judge_negative(step);
}

// WSS-13-01, SC-6-07: a cancel replayed byte for byte is refused (the context is gone, and the
// replay must not disturb anyone else's).
Outcome replay_cancel(CaseContext& ctx) {
  auto victim = sup::establish(ctx, "issue (cancelled)");
  auto other = sup::establish(ctx, "issue (bystander)");
  if (!victim.ok() || !other.ok()) return Outcome::prereq_failed((victim.ok() ? other : victim).error().message());
  Status cancelled = victim->client->cancel();
  ctx.record_client(*victim->client, "cancel");
  if (!cancelled.ok()) return Outcome::prereq_failed("the cancel itself failed: " + cancelled.error().message());
  auto cancel_request = last_request(*victim->client);
  if (!cancel_request) return Outcome::error("the cancel request was not recorded");
  const auto& v = ctx.profile().client.versions;
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *other, "control (bystander's context)"); };
  step.mutant = [&] {
    return ctx.send_bytes("mutant (the cancel again)", ctx.profile().client.sts_url, cancel_request->body,
                          names::sct_action(v.trust(), names::ScOperation::kCancel, names::Direction::kRequest));
  };
  step.expected = with(sup::security_faults(v.sc), {names::trust_fault(v.trust(), names::TrustFault::kInvalidRequest),
                                                    names::wss_fault(names::WssFault::kMessageExpired)});
  step.mutation = "the RST/SCT/Cancel that was just granted, sent again byte for byte";
  return engine::judge_negative(step);
}

// SC-8-03, SC-5-05: after a renewal the previous key generation is honoured only within the
// rollover window the target declares; after it, messages under the old Instance are refused.
Outcome old_generation_after_rollover(CaseContext& ctx) {
  const auto rollover = ctx.profile().key_rollover_seconds;
  if (!rollover) {
    return Outcome::not_applicable("the profile declares no [limits] key_rollover_seconds, so there is no end of the "
                                   "rollover window to wait for");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const wssc::ContextKey old = session->context;
  Status renewed = session->client->renew();
  ctx.record_client(*session->client, "renew");
  if (!renewed.ok()) return Outcome::prereq_failed("the renewal itself failed: " + renewed.error().message());
  session->context = *session->client->context();
  if (Status waited = ctx.wait(std::chrono::seconds(*rollover + 1), "the key rollover window (" +
                                                                        std::to_string(*rollover) + " s) to end");
      !waited.ok()) {
    return Outcome::not_applicable(waited.error().what());
  }
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control (current generation)"); };
  step.mutant = [&] { return sup::send_application(ctx, *session, "mutant (previous generation)", {}, std::nullopt, old); };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "a message under the key generation the renewal replaced, " + std::to_string(*rollover + 1) +
                  " s after the renewal (past the declared rollover window)";
  return engine::judge_negative(step);
}

// --- wrapping and key confusion ----------------------------------------------------------------

// SC-10-01: the signed wsa:Action moved under a wrapper header, an unsigned wsa:Action with the
// same value in its place. The header the service dispatches on is the unsigned one.
Outcome reparented_action(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const std::string wsa(names::addressing(ctx.profile().client.versions.addressing).ns);
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  Status edited = ok_status();
  step.mutant = [&] {
    return sup::send_application(ctx, *session, "mutant", [&](xml::Document& doc) {
      edited = engine::mutate::wrap(doc, "/*/*[local-name()='Header']/*[local-name()='Action']",
                                    "/*/*[local-name()='Header']",
                                    "<wsa:Action xmlns:wsa='" + wsa + "'>" + ctx.profile().client.action + "</wsa:Action>");
    });
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "a message whose signed wsa:Action sits inside a wrapper header while an unsigned wsa:Action "
                  "with the same value takes its place";
  Outcome out = engine::judge_negative(step);
  if (!edited.ok()) return Outcome::error("the mutation could not be applied: " + edited.error().message());
  return out;
}

// WSS-8-01, SC-8-06: a message carrying the real SCT but signed (RSA) with a key of the sender's
// choosing, offered as ds:KeyInfo/ds:KeyValue.
Outcome keyvalue_key(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  auto attacker = crypto::RsaKey::generate(2048);
  if (!attacker.ok()) return Outcome::error("parley could not make an RSA key: " + attacker.error().message());
  auto numbers = crypto::rsa_public_numbers(*attacker);
  if (!numbers.ok()) return Outcome::error(numbers.error().message());
  const std::string ds(names::ns::kDs);
  auto key_value = xml::parse("<ds:KeyValue xmlns:ds='" + ds + "'><ds:RSAKeyValue><ds:Modulus>" +
                                base64_encode(numbers->modulus) + "</ds:Modulus><ds:Exponent>" +
                                base64_encode(numbers->exponent) + "</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>");
  if (!key_value.ok()) return Outcome::error("parley could not build ds:KeyValue: " + key_value.error().message());
  Status built = ok_status();
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&]() -> Answer {
    wssc::ProtectOptions o = session->client->protect_options();
    o.encrypt_body = false;
    auto doc = session->client->application_request(ctx.profile().request_body, session->context, o);
    if (!doc.ok()) {
      built = doc.error();
      return Answer{};
    }
    // Re-sign over the same references with the attacker's RSA key; KeyInfo offers its public half.
    auto signature = xml::xpath_one(*doc, "//ds:Signature");
    std::vector<std::string> ids;
    if (signature.ok()) {
      auto refs = xml::xpath(*doc, "ds:SignedInfo/ds:Reference/@URI", *signature);
      if (refs.ok()) {
        for (xmlNode* uri : *refs) ids.push_back(xml::text_content(uri).substr(1));
      }
      xmlNode* parent = (*signature)->parent;
      xmlUnlinkNode(*signature);
      xmlFreeNode(*signature);
      xmlsec::SignOptions so;
      so.method = xmlsec::SignatureMethod::kRsaSha1;
      so.digest = xmlsec::DigestMethod::kSha1;
      so.reference_ids = ids;
      so.key_info_content = key_value->root();
      auto signed_ = xmlsec::sign(*doc, parent, so, xmlsec::SignatureKey::rsa(*attacker));
      if (!signed_.ok()) {
        built = signed_.error();
        return Answer{};
      }
    } else {
      built = signature.error();
    }
    if (!built.ok()) return Answer{};
    return ctx.send("mutant", ctx.profile().client.service_url, *doc, ctx.profile().client.action);
  };
  step.expected = sup::security_faults(ctx.profile().client.versions.sc);
  step.mutation = "a message carrying the context's SCT, signed with RSA by a key of the sender's own, offered in "
                  "ds:KeyInfo as ds:KeyValue";
  Outcome out = engine::judge_negative(step);
  if (!built.ok()) return Outcome::error("parley could not build the mutant: " + built.error().message());
  return out;
}

// WSS-8-01, SC-8-06: an application message protected with an xenc:EncryptedKey of the sender's
// choosing (wrapped for the service certificate, as an issuance request may be) instead of the
// context: the SCT rides along, but the signature is keyed by the EncryptedKey.
Outcome encrypted_key_key(CaseContext& ctx) {
  const auto& client = ctx.profile().client;
  if (!client.service_certificate) {
    return Outcome::not_applicable("the profile names no service certificate to wrap a key for");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  Status built = ok_status();
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&]() -> Answer {
    xml::Document doc = wssc::new_envelope(client.versions.soap);
    wssc::AddressingHeaders h;
    h.action = client.action;
    h.message_id = wssc::new_uuid_urn();
    h.to = client.service_url;
    auto ids = wssc::add_addressing_headers(wssc::envelope_header(doc), client.versions.addressing, h);
    if (auto body = xml::append_fragment(wssc::envelope_body(doc), ctx.profile().request_body); !body.ok()) {
      built = body.error();
      return Answer{};
    }
    oracle::certs::ClientCredentials credentials;
    credentials.service = client.service_certificate;
    oracle::certs::RequestOptions options;
    options.encrypt_body = false;
    auto secured = oracle::certs::secure_request(doc, oracle::certs::Mode::kAnonymous, credentials,
                                                 session->client->certificate_suite(), ids, wssc::Clock::now(), options);
    if (!secured.ok()) {
      built = secured.error();
      return Answer{};
    }
    // The context's SCT in the header, as if the message were bound to it.
    if (auto sct = wssc::append_sct(wssc::security_header(doc, true), session->context.sct); !sct.ok()) {
      built = sct.error();
      return Answer{};
    }
    return ctx.send("mutant", client.service_url, doc, client.action);
  };
  step.expected = sup::security_faults(client.versions.sc);
  step.mutation = "an application message carrying the context's SCT but signed with keys derived from an "
                  "xenc:EncryptedKey of the sender's choosing";
  Outcome out = engine::judge_negative(step);
  if (!built.ok()) return Outcome::error("parley could not build the mutant: " + built.error().message());
  return out;
}

// SC-10-03: a service whose policy requires derived keys refuses a message signed with the
// context key itself (a downgrade to the weaker protection).
Outcome no_derived_keys(CaseContext& ctx) {
  if (!ctx.profile().requires_derived_keys) {
    return Outcome::not_applicable("the profile does not claim requires_derived_keys: a service may accept the "
                                   "context key itself");
  }
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] {
    wssc::ProtectOptions o = session->client->protect_options();
    o.derived_keys = false;
    return sup::send_application(ctx, *session, "mutant (signed with the context key)", {}, o);
  };
  step.expected = with(sup::security_faults(ctx.profile().client.versions.sc),
                       {names::wss_fault(names::WssFault::kUnsupportedAlgorithm)});
  step.mutation = "a message signed (and encrypted) with the context key itself, no wsc:DerivedKeyToken";
  return engine::judge_negative(step);
}

// --- destructive -------------------------------------------------------------------------------

// SC-10-04: the target bounds the number of open contexts. Issues up to the declared
// max_pending_sessions plus a margin (or, undeclared, up to a ceiling); at least one issuance
// must be refused with a SOAP fault, and a context established before must keep working.
// The contexts it opened are cancelled afterwards where the target allows cancel.
Outcome context_exhaustion(CaseContext& ctx) {
  if (ctx.profile().cookie_mode) {
    return Outcome::not_applicable("a cookie-mode service keeps no per-context state to exhaust");
  }
  constexpr std::uint64_t kCeiling = 4096;
  constexpr std::uint64_t kMargin = 8;
  const std::uint64_t declared = ctx.profile().max_pending_sessions.value_or(kCeiling);
  const std::uint64_t attempts = std::min<std::uint64_t>(declared + kMargin, kCeiling + kMargin);
  auto first = sup::establish(ctx, "issue (kept)");
  if (!first.ok()) return Outcome::prereq_failed(first.error().message());
  std::vector<std::unique_ptr<oracle::Client>> opened;
  std::optional<Answer> refusal;
  std::uint64_t granted = 1;
  for (std::uint64_t i = 0; i < attempts && !ctx.out_of_time(); ++i) {
    auto client = ctx.new_client("issue (flood)");
    Status issued = client->issue();
    if (issued.ok()) {
      ++granted;
      opened.push_back(std::move(client));
      continue;
    }
    ctx.record_client(*client, "issue (refused, after " + std::to_string(granted) + " granted)");
    refusal = engine::CaseContext::classify(issued, *client);
    break;
  }
  Answer survivor = sup::send_application(ctx, *first, "control (the first context, after the flood)");
  std::size_t cancelled = 0;
  if (ctx.profile().cancel) {
    for (auto& c : opened) cancelled += c->cancel().ok() ? 1 : 0;
  }
  ctx.note(std::to_string(granted) + " contexts granted, " + std::to_string(cancelled) + " cancelled afterwards");
  if (!refusal) {
    if (ctx.out_of_time()) return Outcome::error("the case ran out of time after " + std::to_string(granted) + " issuances");
    return Outcome::fail(std::to_string(granted) + " contexts were issued without a refusal" +
                         (ctx.profile().max_pending_sessions
                              ? " although the profile declares max_pending_sessions = " +
                                    std::to_string(*ctx.profile().max_pending_sessions)
                              : std::string(" (no max_pending_sessions declared; parley's ceiling is ") +
                                    std::to_string(kCeiling) + ")"));
  }
  if (refusal->kind != Answer::Kind::kFault) {
    return Outcome::fail("after " + std::to_string(granted) + " contexts the issuance was answered with " +
                         refusal->describe() + "; a refusal must be a SOAP fault");
  }
  if (survivor.kind != Answer::Kind::kSuccess) {
    return Outcome::fail("after the flood the first context no longer works: " + survivor.describe());
  }
  return Outcome::pass("issuance was refused after " + std::to_string(granted) + " open contexts with " +
                       refusal->describe() + "; the first context still works");
}

// catalog section 3 (XML parser attacks), SC-10-04: hostile XML gets a clean refusal (a SOAP
// fault or an HTTP 4xx), nothing is expanded or fetched, and the target keeps serving.
Outcome hostile_xml(CaseContext& ctx) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  const auto& client = ctx.profile().client;
  const std::string soap(names::soap(client.versions.soap).envelope_ns);
  auto envelope = [&](const std::string& prolog, const std::string& body) {
    return prolog + "<s:Envelope xmlns:s='" + soap + "'><s:Body>" + body + "</s:Body></s:Envelope>";
  };
  std::string laughs = "<!DOCTYPE s:Envelope [<!ENTITY l0 'ha'>";
  for (int i = 1; i <= 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " '";
    for (int j = 0; j < 10; ++j) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "'>";
  }
  laughs += "]>";
  std::string deep;
  constexpr int kDepth = 20000;
  deep.reserve(kDepth * 7);
  for (int i = 0; i < kDepth; ++i) deep += "<d>";
  for (int i = 0; i < kDepth; ++i) deep += "</d>";
  const std::vector<std::pair<std::string, std::string>> payloads = {
      {"entity expansion (10^10 'ha')", envelope(laughs, "<e:Echo xmlns:e='urn:example'>&l10;</e:Echo>")},
      {"external entity (file:///etc/passwd)",
       envelope("<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>",
                "<e:Echo xmlns:e='urn:example'>&x;</e:Echo>")},
      {"20000 nested elements", envelope("", deep)},
      {"a 1 MiB attribute value", envelope("", "<e:Echo xmlns:e='urn:example' a='" + std::string(1 << 20, 'A') + "'/>")},
      {"a truncated envelope", envelope("", "<e:Echo xmlns:e='urn:example'>").substr(0, 60)},
  };
  std::vector<std::string> refused;
  for (const auto& [what, body] : payloads) {
    Answer a = ctx.send_bytes("hostile: " + what, client.service_url, body, client.action);
    const auto& x = ctx.evidence().exchanges.back();
    if (a.kind == Answer::Kind::kSuccess) return Outcome::fail(what + " was processed as a valid request");
    if (x.response_body.find("root:") != std::string::npos) {
      return Outcome::fail(what + ": the answer holds what looks like /etc/passwd (the entity was resolved)");
    }
    if (x.response_body.find("hahaha") != std::string::npos) {
      return Outcome::fail(what + ": the answer holds the expanded entity");
    }
    const bool clean = a.kind == Answer::Kind::kFault ||
                       (a.kind == Answer::Kind::kBareHttpError && x.response_status >= 400 && x.response_status < 500);
    Answer alive = sup::send_application(ctx, *session, "control after " + what);
    if (alive.kind != Answer::Kind::kSuccess) {
      return Outcome::fail("after " + what + " the target no longer serves a valid message: " + alive.describe());
    }
    if (!clean) {
      return Outcome::fail(what + " was answered with " + a.describe() + "; expected a SOAP fault or an HTTP 4xx");
    }
    refused.push_back(what);
  }
  std::string list;
  for (const auto& r : refused) list += (list.empty() ? "" : "; ") + r;
  return Outcome::pass("each hostile document was refused cleanly and the target kept serving: " + list);
}

}  // namespace

Status register_10_attacks(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/10/replay-issuance", "An RST/SCT replayed byte for byte is refused",
                     {"SC-3-16", "WSS-13-01"}, "ISS", {Capability::kIssue, Capability::kReplayDetection}, false,
                     "A fresh RST/SCT; an RST/SCT sent twice with the same bytes; a fresh one again.",
                     "The second copy is refused with a security fault.",
                     "No nonce cache for UsernameTokens; replay detection on application messages only."},
                    replay_issuance}));
  PARLEY_TRY(r.add({{"wssc/10/replay-renew", "A renew request replayed byte for byte is refused",
                     {"WSS-13-01", "SC-5-02"}, "ISS", {Capability::kIssue, Capability::kRenew, Capability::kReplayDetection}, false,
                     "A renewal; a message under the new key; the same RST/SCT/Renew again; a message under the new "
                     "key.",
                     "The replayed renew is refused; the renewed context keeps working.",
                     "Replay detection that skips the STS; a second renewal granted from the same request."},
                    replay_renew}));
  PARLEY_TRY(r.add({{"wssc/10/replay-cancel", "A cancel request replayed byte for byte is refused",
                     {"WSS-13-01", "SC-6-07"}, "ISS", {Capability::kIssue, Capability::kCancel}, false,
                     "Two contexts; the first cancelled; a message under the second; the same RST/SCT/Cancel "
                     "again; a message under the second.",
                     "The replayed cancel is refused with a fault; the other context keeps working.",
                     "A replayed cancel answered with success, or one that disturbs other contexts."},
                    replay_cancel}));
  PARLEY_TRY(r.add({{"wssc/10/old-generation-after-rollover",
                     "The previous key generation is refused once the rollover window has passed",
                     {"SC-8-03", "SC-5-05"}, "SVC", {Capability::kIssue, Capability::kRenew}, false,
                     "A renewal; a wait of the declared key_rollover_seconds plus one; a message under the new key, "
                     "one under the replaced key, one under the new key.",
                     "The replaced generation is refused (wsc:BadContextToken or a security fault).",
                     "Superseded keys kept valid forever (an old Instance after renewal)."},
                    old_generation_after_rollover}));
  PARLEY_TRY(r.add({{"wssc/10/reparented-action", "A signed wsa:Action moved under another parent does not sign its twin",
                     {"SC-10-01"}, "SVC", {}, false,
                     "A control; the message with its signed wsa:Action moved into a wrapper header and an unsigned "
                     "copy in its place; a control.",
                     "A security fault: the header that is processed must be the one that is signed.",
                     "Checking that some element with the referenced wsu:Id is signed, not that it is the one used."},
                    reparented_action}));
  PARLEY_TRY(r.add({{"wssc/10/keyvalue-key", "A key offered as ds:KeyValue is not trusted for an SCT-bound message",
                     {"WSS-8-01", "SC-8-06"}, "SVC", {}, false,
                     "A control; a message carrying the real SCT but signed with an RSA key of its own, given in "
                     "ds:KeyInfo/ds:KeyValue; a control.",
                     "A security fault: the key must come from the security context.",
                     "Key resolution that takes whatever key the KeyInfo offers (key confusion)."},
                    keyvalue_key}));
  PARLEY_TRY(r.add({{"wssc/10/encrypted-key-key", "An EncryptedKey of the sender's choosing does not stand in for the context",
                     {"WSS-8-01", "SC-8-06"}, "SVC", {}, false,
                     "A control; an application message signed with keys derived from an xenc:EncryptedKey the "
                     "sender wrapped for the service certificate, the context's SCT alongside; a control.",
                     "A security fault: application messages must be keyed by the security context.",
                     "An application endpoint that accepts any key the service can unwrap."},
                    encrypted_key_key}));
  PARLEY_TRY(r.add({{"wssc/10/no-derived-keys", "A service that requires derived keys refuses the context key itself",
                     {"SC-10-03"}, "SVC", {}, false,
                     "A control; a message signed with the context key, no DerivedKeyToken; a control.",
                     "A security fault (a downgrade to the weaker protection).",
                     "Policy enforcement that checks the signature, not what keyed it."},
                    no_derived_keys}));
  PARLEY_TRY(r.add({{"wssc/10/context-exhaustion", "Issuance stops at the target's bound on open contexts",
                     {"SC-10-04"}, "ISS", {Capability::kIssue}, true,
                     "One context; then RST/SCTs up to the declared max_pending_sessions plus 8 (or up to 4096 "
                     "undeclared); a message under the first context; the flood's contexts cancelled.",
                     "An issuance is refused with a SOAP fault, and the first context still works.",
                     "No MaxPendingSessions; a crash or a bare 500 when the store is full."},
                    context_exhaustion}));
  PARLEY_TRY(r.add({{"wssc/10/hostile-xml", "Hostile XML is refused cleanly and the target keeps serving",
                     {"SC-10-04"}, "SVC", {}, true,
                     "An entity-expansion bomb, an external entity, 20000 nested elements, a 1 MiB attribute and a "
                     "truncated envelope, each followed by a valid message.",
                     "Each is refused with a SOAP fault or an HTTP 4xx, nothing is expanded or fetched, and the "
                     "valid message after it is served.",
                     "DTD processing left on; unbounded recursion in the parser; a crash or a hang."},
                    hostile_xml}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
