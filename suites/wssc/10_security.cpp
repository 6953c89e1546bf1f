// WS-SecureConversation 1.3 section 10 (catalog 2.9) and the attack classes of catalog
// section 3: replay, signature wrapping, key confusion, unsigned addressing.
#include <libxml/tree.h>

#include "harness/engine/mutator.h"
#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::Capability;
using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_support;

// Runs a negative case on application messages: control, the mutated message, control.
Outcome app_negative(CaseContext& ctx, std::string mutation, const std::function<Answer(sup::Session&)>& mutant,
                     std::vector<names::QName> expected = {}) {
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  engine::NegativeStep step;
  step.control = [&] { return sup::send_application(ctx, *session, "control"); };
  step.mutant = [&] { return mutant(*session); };
  step.expected = expected.empty() ? sup::security_faults(ctx.profile().client.versions.sc) : std::move(expected);
  step.mutation = std::move(mutation);
  return engine::judge_negative(step);
}

// WSS-13-01, SC-3-16: a message replayed byte for byte is refused.
Outcome replay(CaseContext& ctx) {
  return app_negative(ctx, "the control message replayed byte for byte", [&](sup::Session& s) {
    auto doc = s.client->application_request(ctx.profile().request_body, s.context, s.client->protect_options());
    if (!doc.ok()) return Answer{};
    Answer first = ctx.send("original", ctx.profile().client.service_url, *doc, ctx.profile().client.action);
    if (first.kind != Answer::Kind::kSuccess) return first;
    return ctx.send("mutant (replay)", ctx.profile().client.service_url, *doc, ctx.profile().client.action);
  });
}

// SC-10-01: the signed Body moved into a header, another Body in its place (signature wrapping).
Outcome body_wrapping(CaseContext& ctx) {
  return app_negative(ctx, "a message whose signed Body was moved into a header and replaced", [&](sup::Session& s) {
    return sup::send_application(ctx, s, "mutant", [&](xml::Document& doc) {
      const std::string soap_ns(names::soap(ctx.profile().client.versions.soap).envelope_ns);
      (void)engine::mutate::wrap(doc, "/*/*[local-name()='Body']", "/*/*[local-name()='Header']",
                                 "<s:Body xmlns:s='" + soap_ns +
                                     "'><e:Transfer xmlns:e='urn:example'>all of it</e:Transfer></s:Body>");
    });
  });
}

// SC-10-01: wsa:Action and wsa:To must be covered by the signature.
Outcome unsigned_addressing(CaseContext& ctx) {
  return app_negative(ctx, "a message whose wsa:Action and wsa:To are not signed", [&](sup::Session& s) {
    xml::Document doc = sup::application_unsigned_addressing(ctx, s);
    return ctx.send("mutant", ctx.profile().client.service_url, doc, ctx.profile().client.action);
  });
}

// WSS-8-01, SC-8-06 (key confusion): a key carried in ds:KeyInfo is never the key of an
// SCT-bound message.
Outcome keyinfo_secret(CaseContext& ctx) {
  return app_negative(ctx, "a message signed with a key of the sender's choosing, carried in ds:KeyInfo as a "
                      "wst:BinarySecret, next to the real SCT",
                      [&](sup::Session& s) {
                        wssc::ContextKey forged = s.context;
                        forged.key = Bytes(s.context.key.size(), 0x41);
                        wssc::ProtectOptions o = s.client->protect_options();
                        o.derived_keys = false;
                        o.encrypt_body = false;
                        auto doc = s.client->application_request(ctx.profile().request_body, forged, o);
                        if (!doc.ok()) return Answer{};
                        auto keyinfo = xml::xpath_one(*doc, "//ds:Signature/ds:KeyInfo");
                        if (keyinfo.ok()) {
                          for (xmlNode* k : xml::child_elements(*keyinfo)) {
                            xmlUnlinkNode(k);
                            xmlFreeNode(k);
                          }
                          const auto tv = ctx.profile().client.versions.trust();
                          (void)xml::append_fragment(*keyinfo, "<wst:BinarySecret xmlns:wst=\"" +
                                                                   std::string(names::trust(tv).ns) + "\">" +
                                                                   base64_encode(forged.key) + "</wst:BinarySecret>");
                        }
                        return ctx.send("mutant", ctx.profile().client.service_url, *doc, ctx.profile().client.action);
                      });
}

// SC-10-03, SC-2-09: the same context presented in the other WS-SC version's namespace (a
// version downgrade) is refused.
Outcome version_confusion(CaseContext& ctx) {
  const auto version = ctx.profile().client.versions.sc;
  const auto other = version == names::ScVersion::kFeb2005 ? names::ScVersion::k1_3 : names::ScVersion::kFeb2005;
  return app_negative(ctx, std::string("the context's SCT and DKTs rewritten in the ") +
                               std::string(names::sc(other).label) + " namespace",
                      [&](sup::Session& s) {
                        wssc::ContextKey confused = s.context;
                        confused.sct.version = other;
                        return sup::send_application(ctx, s, "mutant", {}, std::nullopt, confused);
                      },
                      [&] {
                        // The fault may come in either version's namespace: the message speaks the other one.
                        auto faults = sup::security_faults(version);
                        faults.push_back(names::sc_fault(other, names::ScFault::kBadContextToken));
                        return faults;
                      }());
}

}  // namespace

Status register_10_security(engine::Registry& r) {
  PARLEY_TRY(r.add({{"wssc/10/replay", "A message replayed byte for byte is refused",
                     {"WSS-13-01", "SC-3-16"}, "SVC", {Capability::kReplayDetection}, false,
                     "A message, then one sent twice with the same bytes, then a fresh message.",
                     "The replay is refused with a security fault.",
                     "No replay cache; a cache keyed on something the attacker controls."},
                    replay}));
  PARLEY_TRY(r.add({{"wssc/10/body-wrapping", "A signature over a Body moved elsewhere does not cover the new Body",
                     {"SC-10-01"}, "SVC", {}, false,
                     "A control; the same message with its signed Body moved into a header and a new Body in "
                     "its place; a control.",
                     "A security fault: the signature must cover the Body that is processed.",
                     "Checking only that the referenced wsu:Id verifies (XML signature wrapping)."},
                    body_wrapping}));
  PARLEY_TRY(r.add({{"wssc/10/unsigned-addressing", "wsa:Action and wsa:To must be signed",
                     {"SC-10-01"}, "SVC", {}, false,
                     "A control; a message signed over Timestamp and Body only; a control.",
                     "A security fault (the addressing headers steer dispatch and must be signed).",
                     "Signature checked, coverage not."},
                    unsigned_addressing}));
  PARLEY_TRY(r.add({{"wssc/10/keyinfo-secret", "A key carried in ds:KeyInfo is not trusted for an SCT-bound message",
                     {"WSS-8-01", "SC-8-06"}, "SVC", {}, false,
                     "A control; a message carrying the real SCT but signed with a key of its own, given in "
                     "ds:KeyInfo as wst:BinarySecret; a control.",
                     "A security fault: the key must come from the security context.",
                     "Key resolution that takes whatever key the KeyInfo offers (key confusion)."},
                    keyinfo_secret}));
  PARLEY_TRY(r.add({{"wssc/10/version-confusion", "The context in the other WS-SC version's namespace is refused",
                     {"SC-10-03", "SC-2-09"}, "SVC", {}, false,
                     "A control; the same context with its SCT, DKTs and references in the other version's "
                     "namespace (same Identifier and key); a control.",
                     "A fault: a context issued under one version is not usable under another.",
                     "Namespace-agnostic token parsing (a downgrade path to Feb 2005 rules)."},
                    version_confusion}));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
