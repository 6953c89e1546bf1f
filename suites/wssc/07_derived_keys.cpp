// WS-SecureConversation 1.3 section 7 (catalog 2.6): derived keys. Positive cases vary what a
// conformant sender may vary (wssc::DktShape: Generation, Offset, Length, Label, nonce size,
// @Algorithm, chains, implied keys) and sign with exactly the key the token describes; negative
// cases write what the spec forbids or a receiver must bound (wssc::DktDeviations), again
// signing consistently wherever a key exists, so that a refusal is due to the rule under test
// and not to a key mismatch.
#include <algorithm>

#include "suites/suites.h"
#include "suites/wssc/support.h"

namespace parley::suites::wssc_service {
namespace {

using engine::Answer;
using engine::CaseContext;
using engine::Outcome;
using engine::Verdict;
namespace sup = wssc_support;

// Every case here sends derived keys; a profile whose protection is the context key itself
// makes no claim that the target accepts them.
std::optional<Outcome> derived_keys_disclaimed(CaseContext& ctx) {
  if (ctx.profile().client.derived_keys) return std::nullopt;
  return Outcome::not_applicable("the profile disclaims derived keys (protection = \"sct-key\")");
}

// The profile's own protection, with derived keys.
wssc::ProtectOptions base_options(const sup::Session& session) {
  wssc::ProtectOptions o = session.client->protect_options();
  o.derived_keys = true;
  return o;
}

std::uint64_t signature_length(CaseContext& ctx) { return ctx.profile().client.signature_key_length; }

// --- positive cases ------------------------------------------------------------------------

enum class Level { kMust, kMay };

// Sends a message whose DKTs `shape` describes (or the options `edit` makes). Accepted: PASS.
// Refused while a default message is accepted: FAIL for a MUST, INFO for a MAY form.
Outcome accepted(CaseContext& ctx, const std::string& what, Level level,
                 const std::function<void(wssc::ProtectOptions&)>& edit) {
  if (auto na = derived_keys_disclaimed(ctx)) return *na;
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  wssc::ProtectOptions o = base_options(*session);
  edit(o);
  Answer a = sup::send_application(ctx, *session, what, {}, o);
  if (a.kind == Answer::Kind::kSuccess) return Outcome::pass("accepted " + what);
  if (a.kind == Answer::Kind::kTransportError) return Outcome::error("no answer to " + what + ": " + a.detail);
  Answer control = sup::send_application(ctx, *session, "control", {}, base_options(*session));
  if (control.kind != Answer::Kind::kSuccess) {
    return Outcome::prereq_failed("a message with the profile's own derived keys was not accepted either: " +
                                  control.describe());
  }
  if (level == Level::kMay && a.kind == Answer::Kind::kFault) {
    return Outcome::info("refused " + what + " with " + a.describe() + " (a MAY: the service need not support it)");
  }
  return Outcome::fail("refused " + what + " (" + a.describe() + ") while the profile's own derived keys work");
}

// SC-7-03, SC-7-05, SC-7-06, SC-7-07, SC-7-10: a DKT with nothing but the reference and the
// nonce means P_SHA1, the default label, offset 0 and 32 bytes.
Outcome default_dkt(CaseContext& ctx) {
  const auto& c = ctx.profile().client;
  if (std::max(c.signature_key_length, c.encryption_key_length) < 32) {
    return Outcome::not_applicable("the profile's algorithm suite derives keys of at most " +
                                   std::to_string(std::max(c.signature_key_length, c.encryption_key_length)) +
                                   " bytes, so a DKT without wsc:Length (32 bytes) is outside it");
  }
  return accepted(ctx, "a DKT with only a reference and a nonce (P_SHA1, default label, offset 0, 32 bytes)",
                  Level::kMust, [](wssc::ProtectOptions& o) { o.signature_key_length = 32; });
}

// SC-7-07, SC-7-10: Generation g means offset g x Length.
Outcome generation(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  return accepted(ctx,
                  "a DKT with Generation 1 and Length " + std::to_string(len) + " (the key at offset " +
                      std::to_string(len) + ")",
                  Level::kMust, [&](wssc::ProtectOptions& o) {
                    o.dkt.generation = 1;
                    o.dkt.length = len;
                  });
}

// SC-7-07, SC-7-10: an explicit Offset within WCF's 64-byte bound.
Outcome offset(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  return accepted(ctx, "a DKT with Offset 48 and Length " + std::to_string(len), Level::kMust,
                  [&](wssc::ProtectOptions& o) {
                    o.dkt.offset = 48;
                    o.dkt.length = len;
                  });
}

// SC-7-06, SC-7-21, SC-7-10: the label travels in wsc:Label and changes the key.
Outcome custom_label(CaseContext& ctx) {
  return accepted(ctx, "a DKT with wsc:Label 'parley custom label'", Level::kMust,
                  [](wssc::ProtectOptions& o) { o.dkt.label = "parley custom label"; });
}

// SC-7-03: @Algorithm naming the version's own P_SHA1 URI.
Outcome explicit_algorithm(CaseContext& ctx) {
  return accepted(ctx, "a DKT whose @Algorithm is the P_SHA1 URI of " +
                           std::string(names::sc(ctx.profile().client.versions.sc).label),
                  Level::kMust, [](wssc::ProtectOptions& o) { o.dkt.write_algorithm = true; });
}

// SC-7-19, WCF-03: nonces of 16, 32 and 64 bytes are within every bound the catalog knows.
Outcome nonce_sizes(CaseContext& ctx) {
  if (auto na = derived_keys_disclaimed(ctx)) return *na;
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  std::string refused;
  for (std::size_t bytes : {16u, 32u, 64u}) {
    wssc::ProtectOptions o = base_options(*session);
    o.dkt.nonce_bytes = bytes;
    const std::string what = "a DKT with a " + std::to_string(bytes) + "-byte nonce";
    Answer a = sup::send_application(ctx, *session, what, {}, o);
    if (a.kind == Answer::Kind::kSuccess) continue;
    if (a.kind != Answer::Kind::kFault) return Outcome::fail("answered " + what + " with " + a.describe());
    refused += " " + what + " refused with " + a.describe() + ";";
  }
  if (!refused.empty()) return Outcome::info("some nonce sizes within WCF's 128-byte bound were refused:" + refused);
  return Outcome::pass("DKT nonces of 16, 32 and 64 bytes were each accepted");
}

// SC-7-06, SC-7-21: an empty wsc:Label is the empty string; deriving with it (or refusing it
// with a fault) is fine, breaking is not.
Outcome empty_label(CaseContext& ctx) {
  if (auto na = derived_keys_disclaimed(ctx)) return *na;
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  wssc::ProtectOptions o = base_options(*session);
  o.dkt.label = "";
  Answer a = sup::send_application(ctx, *session, "empty wsc:Label", {}, o);
  switch (a.kind) {
    case Answer::Kind::kSuccess:
      return Outcome::pass("accepted a DKT with an empty wsc:Label, derived with the empty label");
    case Answer::Kind::kFault:
      return Outcome::info("refused a DKT with an empty wsc:Label with " + a.describe());
    case Answer::Kind::kBareHttpError:
    case Answer::Kind::kNotSoap:
      return Outcome::fail("answered a DKT with an empty wsc:Label with " + a.describe() +
                           "; a refusal must be a SOAP fault");
    case Answer::Kind::kTransportError:
      break;
  }
  return Outcome::error("no answer to a DKT with an empty wsc:Label: " + a.detail);
}

// SC-7-15 (MAY): an implied derived key, @wsc:Nonce (and in 1.3 @wsc:Length) on the reference.
Outcome implied_key(CaseContext& ctx) {
  const bool v13 = ctx.profile().client.versions.sc == names::ScVersion::k1_3;
  const auto& c = ctx.profile().client;
  if (!v13 && std::max(c.signature_key_length, c.encryption_key_length) < 32) {
    return Outcome::not_applicable("a Feb 2005 implied key is 32 bytes (no @wsc:Length, SC-7-16), outside the "
                                   "profile's algorithm suite");
  }
  return accepted(ctx,
                  std::string("a signature keyed by an implied derived key (@wsc:Nonce") +
                      (v13 ? " and @wsc:Length" : "") + " on the reference to the context)",
                  Level::kMay, [](wssc::ProtectOptions& o) { o.dkt.implied = true; });
}

// SC-7-12 (MAY): a DKT derived from another DKT.
Outcome dkt_from_dkt(CaseContext& ctx) {
  return accepted(ctx, "a signing DKT derived from another DKT (a chain of two)", Level::kMay,
                  [](wssc::ProtectOptions& o) { o.dkt.chain = 1; });
}

// --- negative cases ------------------------------------------------------------------------

struct Mutant {
  std::string mutation;                                 // for the reason
  std::function<void(wssc::ProtectOptions&)> options;   // the sender's DKT shape / deviation
  std::function<void(xml::Document&)> edit = {};        // an edit after signing
};

int severity(Verdict v) {
  switch (v) {
    case Verdict::kFail: return 6;
    case Verdict::kError: return 5;
    case Verdict::kPrereqFailed: return 4;
    case Verdict::kWarn: return 3;
    case Verdict::kInfo: return 2;
    case Verdict::kNotApplicable: return 1;
    case Verdict::kPass: return 0;
  }
  return 5;
}

// Each mutant between two controls on one context (engine::judge_negative); the worst verdict
// stands, with its reason.
Outcome refused(CaseContext& ctx, const std::vector<Mutant>& mutants, const std::vector<names::QName>& expected) {
  if (auto na = derived_keys_disclaimed(ctx)) return *na;
  auto session = sup::establish(ctx);
  if (!session.ok()) return Outcome::prereq_failed(session.error().message());
  std::optional<Outcome> worst;
  std::string passes;
  for (const Mutant& m : mutants) {
    engine::NegativeStep step;
    step.control = [&] { return sup::send_application(ctx, *session, "control", {}, base_options(*session)); };
    step.mutant = [&] {
      wssc::ProtectOptions o = base_options(*session);
      if (m.options) m.options(o);
      return sup::send_application(ctx, *session, "mutant", m.edit, o);
    };
    step.expected = expected;
    step.mutation = m.mutation;
    Outcome out = engine::judge_negative(step);
    if (out.verdict == Verdict::kPass) passes += (passes.empty() ? "" : "; ") + out.reason;
    if (!worst || severity(out.verdict) > severity(worst->verdict)) worst = out;
  }
  if (!worst) return Outcome::error("no mutant to send");
  if (worst->verdict == Verdict::kPass) return Outcome::pass(passes);
  return *worst;
}

std::vector<names::QName> security_faults(CaseContext& ctx) {
  return sup::security_faults(ctx.profile().client.versions.sc);
}

std::vector<names::QName> with(std::vector<names::QName> faults, names::QName extra) {
  faults.push_back(std::move(extra));
  return faults;
}

names::QName unsupported_algorithm() { return names::wss_fault(names::WssFault::kUnsupportedAlgorithm); }

// SC-7-08, WCF-03: a DKT without a nonce, and one with an empty nonce.
Outcome no_nonce(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT without wsc:Nonce (the key derived without one)",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.omit_nonce = true; }}},
                 security_faults(ctx));
}

Outcome empty_nonce(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with an empty <wsc:Nonce/> (the key derived without one)",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.empty_nonce = true; }}},
                 security_faults(ctx));
}

// SC-7-04: an unknown derivation algorithm, as a URI and as an unqualified name.
Outcome unknown_algorithm(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT whose @Algorithm is the unknown URI urn:parley:kdf:unknown",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.algorithm = "urn:parley:kdf:unknown"; }},
                  {"a DKT whose @Algorithm is the unqualified name 'P_SHA1'",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.algorithm = "P_SHA1"; }}},
                 {unsupported_algorithm()});
}

// SC-7-03: the other version's P_SHA1 URI is not the algorithm of this version's token.
Outcome other_version_algorithm(CaseContext& ctx) {
  const auto v = ctx.profile().client.versions.sc;
  const auto other = v == names::ScVersion::kFeb2005 ? names::ScVersion::k1_3 : names::ScVersion::kFeb2005;
  const std::string uri(names::sc(other).p_sha1);
  return refused(ctx,
                 {{"a " + std::string(names::sc(v).label) + " DKT whose @Algorithm is the " +
                       std::string(names::sc(other).label) + " P_SHA1 URI",
                   [uri](wssc::ProtectOptions& o) { o.deviations.dkt.algorithm = uri; }}},
                 with(security_faults(ctx), unsupported_algorithm()));
}

// SC-7-02: Generation and Offset together.
Outcome offset_and_generation(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with both wsc:Offset and wsc:Generation (both 0, so either reading gives the key)",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.offset_and_generation = true; }}},
                 security_faults(ctx));
}

// SC-7-01: Length before Offset breaks the schema order.
Outcome length_before_offset(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with wsc:Length before wsc:Offset",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.length_before_offset = true; }}},
                 security_faults(ctx));
}

// SC-7-20: Offset, Length and Generation are xs:unsignedLong.
Outcome non_numeric_values(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with wsc:Offset -1", [](wssc::ProtectOptions& o) { o.deviations.dkt.raw_offset = "-1"; }},
                  {"a DKT with wsc:Length 'abc'", [](wssc::ProtectOptions& o) { o.deviations.dkt.raw_length = "abc"; }},
                  {"a DKT with wsc:Generation -1",
                   [](wssc::ProtectOptions& o) {
                     o.dkt.generation = 0;
                     o.deviations.dkt.raw_generation = "-1";
                   }}},
                 security_faults(ctx));
}

// SC-7-19, WCF-03: offsets past 64 bytes, signed with the key really at that offset.
Outcome offset_beyond_bound(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  return refused(ctx,
                 {{"a DKT with Offset 128 (WCF bounds offsets at 64 bytes), signed with the key at offset 128",
                   [len](wssc::ProtectOptions& o) {
                     o.dkt.offset = 128;
                     o.dkt.length = len;
                   }}},
                 security_faults(ctx));
}

Outcome generation_beyond_bound(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  return refused(ctx,
                 {{"a DKT with Generation 8 x Length " + std::to_string(len) + " = offset " + std::to_string(8 * len) +
                       " (WCF bounds offsets at 64 bytes), signed with the key at that offset",
                   [len](wssc::ProtectOptions& o) {
                     o.dkt.generation = 8;
                     o.dkt.length = len;
                   }}},
                 security_faults(ctx));
}

// SC-7-19, WCF-03: derived key lengths outside the algorithm suite, each signed with a key of
// that length.
Outcome length_outside_suite(CaseContext& ctx) {
  std::vector<Mutant> mutants;
  for (std::uint64_t len : {1u, 4u, 64u}) {
    mutants.push_back({"a DKT with Length " + std::to_string(len) + " (outside the suite " +
                           (ctx.profile().algorithm_suite.empty() ? std::string("Basic256") : ctx.profile().algorithm_suite) +
                           "), signed with the " + std::to_string(len) + "-byte key",
                       [len](wssc::ProtectOptions& o) { o.dkt.length = len; }});
  }
  return refused(ctx, mutants, security_faults(ctx));
}

// SC-7-19, WCF-03: labels and nonces past WCF's bounds (128 characters, 128 bytes).
Outcome label_beyond_bound(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with a 256-character wsc:Label (WCF bounds labels at 128), derived with it",
                   [](wssc::ProtectOptions& o) { o.dkt.label = std::string(256, 'L'); }}},
                 security_faults(ctx));
}

Outcome nonce_beyond_bound(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with a 256-byte wsc:Nonce (WCF bounds nonces at 128 bytes), derived with it",
                   [](wssc::ProtectOptions& o) { o.dkt.nonce_bytes = 256; }}},
                 security_faults(ctx));
}

// SC-7-19, SC-10-04: values no sender can derive at; the key is the one at the values a
// truncating or wrapping receiver might read, so the target must refuse them outright.
Outcome huge_values(CaseContext& ctx) {
  return refused(ctx,
                 {{"a DKT with Offset 2^40 (signed with the key at offset 0)",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.raw_offset = "1099511627776"; }},
                  {"a DKT with Generation 2^62 (Generation x Length overflows 64 bits; signed with the key at offset 0)",
                   [](wssc::ProtectOptions& o) {
                     o.dkt.generation = 0;
                     o.deviations.dkt.raw_generation = "4611686018427387904";
                   }},
                  {"a DKT with Length 2^31 (signed with the profile's key length)",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.raw_length = "2147483648"; }}},
                 security_faults(ctx));
}

// SC-7-11: a DKT without a reference, in a message that names no context anywhere.
Outcome no_source(CaseContext& ctx) {
  const auto v = ctx.profile().client.versions.sc;
  return refused(ctx,
                 {{"a DKT without wsse:SecurityTokenReference in a message that carries no SCT (the key derived "
                   "from the context)",
                   [](wssc::ProtectOptions& o) {
                     o.include_sct = false;
                     o.deviations.dkt.omit_str = true;
                   }}},
                 {names::sc_fault(v, names::ScFault::kUnknownDerivationSource)});
}

// SC-10-04: a chain of derived keys deeper than any service needs.
Outcome deep_chain(CaseContext& ctx) {
  return refused(ctx,
                 {{"a signing DKT at the end of a chain of 7 DKTs (each derived from the one before)",
                   [](wssc::ProtectOptions& o) { o.dkt.chain = 6; }}},
                 security_faults(ctx));
}

// SC-7-10: the signing key derived with a label other than the token's.
Outcome wrong_label_key(CaseContext& ctx) {
  return refused(ctx,
                 {{"a signature keyed with P_SHA1 under a label other than the DKT's",
                   [](wssc::ProtectOptions& o) { o.deviations.dkt.derive_with_wrong_label = true; }}},
                 security_faults(ctx));
}

// WSS-8-01, SC-7-10: the DKT's nonce changed after signing.
Outcome tampered_nonce(CaseContext& ctx) {
  auto flip_nonce = [](xml::Document& doc) {
    xmlNode* security = wssc::security_header(doc, false);
    if (security == nullptr) return;
    for (xmlNode* dkt : xml::child_elements(security)) {
      if (xml::local_name(dkt) != "DerivedKeyToken") continue;
      for (xmlNode* nonce : xml::child_elements(dkt)) {
        if (xml::local_name(nonce) != "Nonce") continue;
        auto bytes = base64_decode(xml::text_content(nonce));
        if (!bytes.ok() || bytes->empty()) continue;
        (*bytes)[0] ^= 0x01;
        xmlNodeSetContent(nonce, xml::to_xml_chars(base64_encode(*bytes).c_str()));
      }
      return;  // the first DKT is the signing key's
    }
  };
  return refused(ctx, {{"a message whose signing DKT's nonce was changed after signing", {}, flip_nonce}},
                 security_faults(ctx));
}

// SC-7-05: a DKT without Length means 32 bytes, not the suite's signing length.
Outcome default_length_is_32(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  if (len == 32) {
    return Outcome::not_applicable("the profile's signing keys are 32 bytes: a receiver taking the suite's length as "
                                   "the default cannot be told apart");
  }
  return refused(ctx,
                 {{"a DKT without wsc:Length signed with a " + std::to_string(len) +
                       "-byte key (the suite's length, not the default 32)",
                   [len](wssc::ProtectOptions& o) {
                     o.signature_key_length = 32;  // no Length written
                     o.deviations.dkt.derive_length = len;
                   }}},
                 security_faults(ctx));
}

// SC-7-07: Generation g means offset g x Length, not offset 0.
Outcome generation_not_offset_zero(CaseContext& ctx) {
  const std::uint64_t len = signature_length(ctx);
  return refused(ctx,
                 {{"a DKT with Generation 1 and Length " + std::to_string(len) +
                       " signed with the key at offset 0 (not at offset " + std::to_string(len) + ")",
                   [len](wssc::ProtectOptions& o) {
                     o.dkt.generation = 1;
                     o.dkt.length = len;
                     o.deviations.dkt.derive_offset = 0;
                   }}},
                 security_faults(ctx));
}

// SC-7-14: a reference to a DKT carries the /dk ValueType of the DKT's own version.
Outcome wrong_dk_value_type(CaseContext& ctx) {
  const auto v = ctx.profile().client.versions.sc;
  const auto other = v == names::ScVersion::kFeb2005 ? names::ScVersion::k1_3 : names::ScVersion::kFeb2005;
  const std::string own(names::sc(v).dk_token_type);
  const std::string wrong(names::sc(other).dk_token_type);
  auto retype = [own, wrong](xml::Document& doc) {
    auto refs = xml::xpath(doc, "//ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference");
    if (!refs.ok()) return;
    for (xmlNode* ref : *refs) {
      if (xml::attribute(ref, "", "ValueType").value == own) xml::set_attribute(ref, "", "", "ValueType", wrong);
    }
  };
  return refused(ctx,
                 {{"a signature whose reference to its DKT carries the " + std::string(names::sc(other).label) +
                       " /dk ValueType (the key unchanged)",
                   {}, retype}},
                 security_faults(ctx));
}

}  // namespace

Status register_07_derived_keys(engine::Registry& r) {
  auto add = [&](std::string name, std::string title, std::vector<std::string> requirements, std::string sends,
                 std::string expects, std::string causes, engine::RunFunction run) {
    return r.add({{"wssc/07/" + std::move(name), std::move(title), std::move(requirements), "SVC", {}, false,
                   std::move(sends), std::move(expects), std::move(causes)},
                  std::move(run)});
  };
  // Positive.
  PARLEY_TRY(add("default-dkt", "A DKT with only a reference and a nonce is derived with every default",
                 {"SC-7-03", "SC-7-05", "SC-7-06", "SC-7-07", "SC-7-10", "SC-7-14"},
                 "A message signed with a DKT that has no @Algorithm, Offset, Generation, Length or Label (P_SHA1 "
                 "with the default label, offset 0, 32 bytes), referenced by #Id with the /dk ValueType.",
                 "Accepted.", "Another default length (e.g. the suite's); a default label other than the spec's.",
                 default_dkt));
  PARLEY_TRY(add("generation", "Generation g derives the key at offset g x Length", {"SC-7-07", "SC-7-10"},
                 "A message signed with a DKT with Generation 1 and Length L (the key at offset L).", "Accepted.",
                 "Ignoring Generation and deriving at offset 0.", generation));
  PARLEY_TRY(add("offset", "An explicit Offset within 64 bytes is honoured", {"SC-7-01", "SC-7-07", "SC-7-10", "SC-7-20"},
                 "A message signed with a DKT with Offset 48 and Length L (schema order, unsignedLong values).",
                 "Accepted.",
                 "Ignoring Offset; refusing any non-zero Offset.", offset));
  PARLEY_TRY(add("custom-label", "A custom wsc:Label is used for the derivation", {"SC-7-06", "SC-7-21", "SC-7-10"},
                 "A message signed with a DKT whose wsc:Label is 'parley custom label'.", "Accepted.",
                 "Ignoring wsc:Label and deriving with the default label.", custom_label));
  PARLEY_TRY(add("explicit-algorithm", "@Algorithm naming the version's P_SHA1 URI is accepted", {"SC-7-03"},
                 "A message signed with a DKT whose @Algorithm is the P_SHA1 URI of the version in use.", "Accepted.",
                 "Refusing any @Algorithm; comparing against the other version's URI.", explicit_algorithm));
  PARLEY_TRY(add("nonce-sizes", "DKT nonces of 16, 32 and 64 bytes are accepted", {"SC-7-19", "WCF-03"},
                 "Three messages whose DKT nonces are 16, 32 and 64 bytes.",
                 "Each accepted (a refusal is INFO: 64 bytes is within WCF's 128-byte bound).",
                 "Fixed-size nonce buffers.", nonce_sizes));
  PARLEY_TRY(add("empty-label", "An empty wsc:Label is derived with (or refused with a fault)", {"SC-7-06", "SC-7-21"},
                 "A message signed with a DKT whose wsc:Label is empty, the key derived with the empty label.",
                 "Accepted (PASS) or a SOAP fault (INFO).",
                 "Treating an empty label as a missing one; a 500 without a fault.", empty_label));
  PARLEY_TRY(add("implied-key", "An implied derived key (@wsc:Nonce on the reference) is accepted or refused cleanly",
                 {"SC-7-15"},
                 "A message whose signature's reference to the context carries @wsc:Nonce (and @wsc:Length in 1.3).",
                 "Accepted (a MAY: a fault is INFO).",
                 "Ignoring the attributes and verifying with the context key itself.", implied_key));
  PARLEY_TRY(add("dkt-from-dkt", "A DKT derived from another DKT is accepted or refused cleanly", {"SC-7-12"},
                 "A message whose signing DKT references another DKT that references the context.",
                 "Accepted (a MAY: a fault is INFO).", "Resolving only SCT sources.", dkt_from_dkt));
  // Negative.
  PARLEY_TRY(add("no-nonce", "A DKT without a nonce is refused", {"SC-7-08", "WCF-03"},
                 "Between two normal messages, one whose DKT has no wsc:Nonce (its key derived without one).",
                 "A security fault; the context keeps working.", "Deriving with the label alone.", no_nonce));
  PARLEY_TRY(add("empty-nonce", "A DKT with an empty nonce is refused", {"SC-7-08", "WCF-03"},
                 "Between two normal messages, one whose DKT has <wsc:Nonce/> (its key derived without one).",
                 "A security fault; the context keeps working.", "Deriving without a nonce; crashing on it.",
                 empty_nonce));
  PARLEY_TRY(add("unknown-algorithm", "An unknown derivation algorithm is refused, qualified or not", {"SC-7-04"},
                 "Between normal messages, DKTs whose @Algorithm is an unknown URI, then the bare name 'P_SHA1' "
                 "(each key derived with P_SHA1).",
                 "wsse:UnsupportedAlgorithm; the context keeps working.",
                 "Ignoring @Algorithm and deriving with P_SHA1 anyway.", unknown_algorithm));
  PARLEY_TRY(add("other-version-algorithm", "The other WS-SC version's P_SHA1 URI is refused", {"SC-7-03"},
                 "Between normal messages, a DKT whose @Algorithm is the other version's P_SHA1 URI.",
                 "A security fault (wsse:UnsupportedAlgorithm fits); the context keeps working.",
                 "Accepting both versions' URIs in any token.", other_version_algorithm));
  PARLEY_TRY(add("offset-and-generation", "A DKT with both Offset and Generation is refused", {"SC-7-02"},
                 "Between normal messages, a DKT with both wsc:Offset and wsc:Generation (0 each).",
                 "A security fault; the context keeps working.", "Reading whichever comes first.",
                 offset_and_generation));
  PARLEY_TRY(add("length-before-offset", "A DKT with Length before Offset (schema order) is refused", {"SC-7-01"},
                 "Between normal messages, a DKT whose wsc:Length precedes wsc:Offset.",
                 "A security fault; the context keeps working.", "Parsing children in any order.",
                 length_before_offset));
  PARLEY_TRY(add("non-numeric-values", "Negative and non-numeric Offset, Length and Generation are refused",
                 {"SC-7-20"}, "Between normal messages, DKTs with Offset -1, Length 'abc' and Generation -1.",
                 "A security fault for each; the context keeps working.",
                 "Lenient number parsing (atoi: 'abc' is 0, -1 wraps to 2^64 - 1).", non_numeric_values));
  PARLEY_TRY(add("offset-beyond-bound", "An Offset past 64 bytes is refused", {"SC-7-19", "WCF-03"},
                 "Between normal messages, a DKT with Offset 128, signed with the key really at offset 128.",
                 "A security fault; the context keeps working.", "No bound on derivation offsets.",
                 offset_beyond_bound));
  PARLEY_TRY(add("generation-beyond-bound", "Generation x Length past 64 bytes is refused", {"SC-7-19", "WCF-03"},
                 "Between normal messages, a DKT with Generation 8 and the suite's Length, signed with the key at "
                 "that offset.",
                 "A security fault; the context keeps working.", "Bounding Offset but not Generation x Length.",
                 generation_beyond_bound));
  PARLEY_TRY(add("length-outside-suite", "Derived key lengths outside the algorithm suite are refused",
                 {"SC-7-19", "WCF-03"},
                 "Between normal messages, DKTs with Length 1, 4 and 64, each signed with a key of that length.",
                 "A security fault for each; the context keeps working.",
                 "Accepting any HMAC key length (a 1-byte key is guessable).", length_outside_suite));
  PARLEY_TRY(add("label-beyond-bound", "A wsc:Label past 128 characters is refused", {"SC-7-19", "WCF-03"},
                 "Between normal messages, a DKT with a 256-character label, derived with it.",
                 "A security fault; the context keeps working.", "No bound on labels.", label_beyond_bound));
  PARLEY_TRY(add("nonce-beyond-bound", "A wsc:Nonce past 128 bytes is refused", {"SC-7-19", "WCF-03"},
                 "Between normal messages, a DKT with a 256-byte nonce, derived with it.",
                 "A security fault; the context keeps working.", "No bound on nonces.", nonce_beyond_bound));
  PARLEY_TRY(add("huge-values", "Huge Offset, overflowing Generation x Length and Length 2^31 are refused",
                 {"SC-7-19", "SC-10-04"},
                 "Between normal messages, DKTs with Offset 2^40, Generation 2^62 and Length 2^31 (no key can be "
                 "derived there: each is signed with the profile's key).",
                 "A security fault for each, promptly; the context keeps working.",
                 "Allocating offset + length bytes; 64-bit overflow of Generation x Length; a timeout.", huge_values));
  PARLEY_TRY(add("no-source", "A DKT without a reference in a message naming no context is refused",
                 {"SC-7-11", "SC-9-03"},
                 "Between normal messages, one without an SCT whose DKT has no wsse:SecurityTokenReference.",
                 "wsc:UnknownDerivationSource; the context keeps working.",
                 "Guessing a context; a generic security fault (WARN).", no_source));
  PARLEY_TRY(add("deep-chain", "A deep chain of derived keys is refused", {"SC-10-04"},
                 "Between normal messages, one whose signing DKT ends a chain of 7 DKTs.",
                 "A security fault; the context keeps working.", "Unbounded recursion when resolving DKT sources.",
                 deep_chain));
  PARLEY_TRY(add("wrong-label-key", "A key derived with another label than the DKT's does not verify",
                 {"SC-7-06", "SC-7-10", "SC-7-21"},
                 "Between normal messages, one signed with a key derived under a label the DKT does not carry.",
                 "A security fault (wsse:FailedCheck); the context keeps working.",
                 "Trusting a key without re-deriving it from the token.", wrong_label_key));
  PARLEY_TRY(add("tampered-nonce", "A DKT nonce changed after signing breaks verification", {"WSS-8-01", "SC-7-10"},
                 "Between normal messages, a signed message whose signing DKT's nonce is then altered by one bit.",
                 "A security fault (wsse:FailedCheck); the context keeps working.",
                 "Caching derived keys by DKT wsu:Id or by context instead of by the token's values.", tampered_nonce));
  PARLEY_TRY(add("default-length-is-32", "A DKT without Length is a 32-byte key, not one of the suite's length",
                 {"SC-7-05"},
                 "Between normal messages, one whose DKT has no wsc:Length but whose signature uses the key of the "
                 "suite's signing length (e.g. 24 bytes).",
                 "A security fault (wsse:FailedCheck); the context keeps working.",
                 "Taking the algorithm suite's length as the default.", default_length_is_32));
  PARLEY_TRY(add("generation-not-offset-zero", "Under Generation 1 the key at offset 0 does not verify", {"SC-7-07"},
                 "Between normal messages, one whose DKT says Generation 1 but whose signature uses the key at "
                 "offset 0.",
                 "A security fault (wsse:FailedCheck); the context keeps working.",
                 "Ignoring wsc:Generation.", generation_not_offset_zero));
  PARLEY_TRY(add("wrong-dk-value-type", "A reference to a DKT with the other version's /dk ValueType is refused",
                 {"SC-7-14"},
                 "Between normal messages, one whose signature references its DKT by #Id with the other WS-SC "
                 "version's /dk ValueType (KeyInfo is not signed: the signature still verifies).",
                 "A security fault; the context keeps working.", "Resolving #Id and ignoring ValueType.",
                 wrong_dk_value_type));
  return ok_status();
}

}  // namespace parley::suites::wssc_service
