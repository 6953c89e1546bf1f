// The client suite, WS-SC sections 7, 8 and 10 and WSS (catalog 2.6, 2.7, 2.9, 2.11): how a
// client protects its messages with the context: derived keys with fresh nonces, separate
// signing and encryption keys, references to the SCT, and what its signature covers.
#include <algorithm>
#include <functional>
#include <map>

#include "suites/suites.h"
#include "suites/wssc_client/support.h"

namespace parley::suites::wssc_client {
namespace {

using engine::CaseContext;
using engine::Outcome;
namespace sup = wssc_client_support;
using sup::Driver;
using sup::MessageKind;

// The application messages of a scenario; an Outcome when there are none to judge.
struct Apps {
  std::shared_ptr<const sup::ScenarioRun> run;
  std::vector<const sup::Recorded*> messages;
  std::optional<Outcome> outcome;
};

Apps applications(CaseContext& ctx, const Driver& driver, const sup::Scenario& scenario = sup::basic()) {
  Apps a;
  a.run = sup::run(ctx, driver, scenario);
  if (auto o = sup::not_judgeable(*a.run)) {
    a.outcome = o;
    return a;
  }
  a.messages = sup::of_kind(*a.run, MessageKind::kApplication);
  if (a.messages.empty()) a.outcome = Outcome::fail("the client sent no application message in " + scenario.name);
  return a;
}

// An application message the service could open (its key chain resolved): the checks below need it.
std::optional<Outcome> require_opened(const sup::Recorded& m) {
  if (m.opened) return std::nullopt;
  return Outcome::fail(sup::label(m) + " could not be opened with the context: " + m.open_error);
}

std::vector<xmlNode*> all(const xml::Document& doc, const std::string& local) {
  auto found = xml::xpath(doc, "//*[local-name()='" + local + "']");
  return found.ok() ? *found : std::vector<xmlNode*>{};
}

std::vector<xmlNode*> security_children(const sup::Parsed& p) {
  std::vector<xmlNode*> out;
  for (xmlNode* sec : p.view.security_headers) {
    for (xmlNode* c : xml::child_elements(sec)) out.push_back(c);
  }
  return out;
}

// The URI the STR in an element's ds:KeyInfo references ("" when none).
std::string key_info_uri(const xml::Document& doc, xmlNode* element) {
  auto ref = xml::xpath(doc, "ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference/@URI", element);
  return ref.ok() && !ref->empty() ? xml::text_content(ref->front()) : std::string();
}

Outcome derived_keys(CaseContext& ctx, const Driver& driver) {
  if (ctx.profile().protection == "sct-key") {
    return Outcome::not_applicable("the profile says protection = sct-key: the client signs with the context key");
  }
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    if (auto o = require_opened(*m)) return *o;
    if (!m->signed_with_derived_key) return Outcome::fail(sup::label(*m) + " is signed with the context key itself");
  }
  return Outcome::pass(std::to_string(a.messages.size()) + " application messages signed with derived keys");
}

Outcome dkt_nonce(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  std::size_t count = 0;
  for (const auto* m : a.messages) {
    if (auto o = require_opened(*m)) return *o;
    for (const auto& dkt : m->dkts) {
      ++count;
      if (!dkt.nonce) return Outcome::fail(sup::label(*m) + ": wsc:DerivedKeyToken " + dkt.wsu_id + " has no wsc:Nonce");
      if (dkt.nonce->size() < 16) {
        return Outcome::fail(sup::label(*m) + ": wsc:DerivedKeyToken " + dkt.wsu_id + " has a " +
                             std::to_string(dkt.nonce->size()) + "-byte nonce (fewer than 16)");
      }
    }
  }
  if (count == 0) return Outcome::not_applicable("the client uses no derived keys");
  return Outcome::pass(std::to_string(count) + " derived-key tokens, each with a nonce of at least 16 bytes");
}

Outcome fresh_dkt_nonces(CaseContext& ctx, const Driver& driver) {
  std::map<Bytes, std::string> seen;
  std::size_t count = 0;
  for (const auto& s : {sup::basic(), sup::renewal()}) {
    auto r = sup::run(ctx, driver, s);
    if (auto o = sup::not_judgeable(*r)) return *o;
    for (const auto* m : sup::protected_messages(*r)) {
      for (const auto& dkt : m->dkts) {
        if (!dkt.nonce) continue;
        ++count;
        const std::string where = s.name + " " + sup::label(*m) + " (" + dkt.wsu_id + ")";
        auto [it, fresh] = seen.emplace(*dkt.nonce, where);
        if (!fresh) return Outcome::fail("the same wsc:Nonce in " + it->second + " and " + where);
      }
    }
  }
  if (count == 0) return Outcome::not_applicable("the client uses no derived keys");
  return Outcome::pass(std::to_string(count) + " derived-key tokens across two sessions and a renewal, no nonce twice");
}

Outcome separate_keys(CaseContext& ctx, const Driver& driver) {
  if (ctx.profile().protection == "sct-key") {
    return Outcome::not_applicable("the profile says protection = sct-key: one context key signs and encrypts");
  }
  Apps a = applications(ctx, driver, sup::encrypted());
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    if (auto o = require_opened(*m)) return *o;
    if (!m->body_was_encrypted) {
      return Outcome::fail(sup::label(*m) + ": the Body is not encrypted although the profile claims encryption and "
                           "the scenario asked for it (PARLEY_ENCRYPT=1)");
    }
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    auto sigs = all(p->doc, "Signature");
    auto encs = all(p->doc, "EncryptedData");
    if (sigs.empty() || encs.empty()) return Outcome::fail(sup::label(*m) + ": no ds:Signature or xenc:EncryptedData");
    const std::string sig_key = key_info_uri(p->doc, sigs.front());
    const std::string enc_key = key_info_uri(p->doc, encs.front());
    if (sig_key.empty() || enc_key.empty()) {
      return Outcome::fail(sup::label(*m) + ": the signature or the EncryptedData names no key by reference");
    }
    if (sig_key == enc_key) {
      return Outcome::fail(sup::label(*m) + ": the signature and the EncryptedData use the same key (" + sig_key + ")");
    }
    std::optional<Bytes> sig_nonce, enc_nonce;
    for (const auto& dkt : m->dkts) {
      if ("#" + dkt.wsu_id == sig_key) sig_nonce = dkt.nonce;
      if ("#" + dkt.wsu_id == enc_key) enc_nonce = dkt.nonce;
    }
    if (sig_nonce && enc_nonce && *sig_nonce == *enc_nonce) {
      return Outcome::fail(sup::label(*m) + ": the signing and encryption keys derive from the same nonce");
    }
  }
  return Outcome::pass("each encrypted message signs and encrypts with two different derived keys");
}

Outcome dkt_shape(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  std::size_t count = 0;
  for (const auto* m : a.messages) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    for (xmlNode* el : all(p->doc, "DerivedKeyToken")) {
      ++count;
      auto dkt = wssc::parse_dkt(el);
      if (!dkt.ok()) return Outcome::fail(sup::label(*m) + ": " + dkt.error().message());
      if (dkt->version != ctx.profile().client.versions.sc) {
        return Outcome::fail(sup::label(*m) + ": a wsc:DerivedKeyToken of the other WS-SC version");
      }
    }
  }
  if (count == 0) return Outcome::not_applicable("the client uses no derived keys");
  return Outcome::pass(std::to_string(count) + " derived-key tokens in schema order, P_SHA1, within the limits");
}

Outcome reference_forms(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  const std::string sct_type(names::sc(ctx.profile().client.versions.sc).sct_token_type);
  std::size_t count = 0;
  for (const auto* m : a.messages) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    std::string sct_id;
    for (xmlNode* c : security_children(*p)) {
      if (xml::local_name(c) == "SecurityContextToken") sct_id = wssc::wsu_id(c);
    }
    if (!all(p->doc, "KeyName").empty()) return Outcome::fail(sup::label(*m) + ": a ds:KeyName names a key");
    for (xmlNode* el : all(p->doc, "SecurityTokenReference")) {
      auto str = wssc::parse_str(el);
      if (!str.ok()) return Outcome::fail(sup::label(*m) + ": " + str.error().message());
      const bool to_sct = str->value_type == sct_type || (!sct_id.empty() && str->uri == "#" + sct_id) ||
                          (!m->context_identifier.empty() && str->uri == m->context_identifier);
      if (!to_sct) continue;
      ++count;
      if (str->form != wssc::SecurityTokenReference::Form::kReference) {
        return Outcome::fail(sup::label(*m) + ": the SCT is referenced by " +
                             (str->form == wssc::SecurityTokenReference::Form::kKeyIdentifier ? "KeyIdentifier"
                                                                                               : "an embedded token") +
                             ", not by wsse:Reference");
      }
      if (str->value_type != sct_type) {
        return Outcome::fail(sup::label(*m) + ": a wsse:Reference to the SCT with ValueType '" + str->value_type +
                             "', expected '" + sct_type + "'");
      }
    }
  }
  if (count == 0) return Outcome::fail("no wsse:SecurityTokenReference to the SCT in the application messages");
  return Outcome::pass(std::to_string(count) + " references to the SCT, each a wsse:Reference with the /sct ValueType");
}

Outcome sct_in_header_used(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  std::size_t carried = 0;
  for (const auto* m : a.messages) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    for (xmlNode* c : security_children(*p)) {
      if (xml::local_name(c) != "SecurityContextToken") continue;
      ++carried;
      const std::string id = wssc::wsu_id(c);
      if (id.empty()) return Outcome::fail(sup::label(*m) + ": the SCT in the header has no wsu:Id to be referenced by");
      bool used = false;
      for (xmlNode* el : all(p->doc, "SecurityTokenReference")) {
        auto str = wssc::parse_str(el);
        used = used || (str.ok() && str->uri == "#" + id);
      }
      if (!used) return Outcome::fail(sup::label(*m) + ": the SCT " + id + " in the header is referenced by no key");
    }
  }
  if (carried == 0) return Outcome::not_applicable("the client carries no SCT in its headers (it refers by Identifier)");
  return Outcome::pass("every SCT in a header is the root of the signature's key chain");
}

// The wsu:Ids a message's signature must cover: checked per application message.
Outcome covered(const Apps& a, const std::string& what,
                const std::function<std::vector<std::pair<std::string, std::string>>(const sup::Parsed&)>& parts) {
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    if (auto o = require_opened(*m)) return *o;
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    for (const auto& [name, id] : parts(*p)) {
      if (id.empty()) return Outcome::fail(sup::label(*m) + ": " + name + " carries no wsu:Id: it cannot be signed");
      if (std::find(m->covered_ids.begin(), m->covered_ids.end(), id) == m->covered_ids.end()) {
        return Outcome::fail(sup::label(*m) + ": " + name + " (" + id + ") is not covered by the signature");
      }
    }
  }
  return Outcome::pass("the signature of every application message covers " + what);
}

Outcome signed_timestamp(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    std::size_t stamps = 0;
    for (xmlNode* c : security_children(*p)) {
      if (!xml::is_element(c, names::ns::kWsu, "Timestamp")) continue;
      ++stamps;
      auto ts = wssc::parse_timestamp(c);
      if (!ts.ok()) return Outcome::fail(sup::label(*m) + ": " + ts.error().message());
    }
    if (stamps != 1) {
      return Outcome::fail(sup::label(*m) + ": " + std::to_string(stamps) + " wsu:Timestamp elements, expected one");
    }
  }
  return covered(a, "its wsu:Timestamp", [](const sup::Parsed& p) {
    std::vector<std::pair<std::string, std::string>> out;
    for (xmlNode* c : security_children(p)) {
      if (xml::is_element(c, names::ns::kWsu, "Timestamp")) out.emplace_back("wsu:Timestamp", wssc::wsu_id(c));
    }
    return out;
  });
}

Outcome signed_body(CaseContext& ctx, const Driver& driver) {
  return covered(applications(ctx, driver), "the soap:Body", [](const sup::Parsed& p) {
    return std::vector<std::pair<std::string, std::string>>{{"soap:Body", wssc::wsu_id(p.view.body)}};
  });
}

Outcome signed_addressing(CaseContext& ctx, const Driver& driver) {
  return covered(applications(ctx, driver), "wsa:Action, wsa:To and wsa:MessageID", [](const sup::Parsed& p) {
    std::vector<std::pair<std::string, std::string>> out;
    for (xmlNode* h : xml::child_elements(p.view.header)) {
      const std::string_view ns = xml::namespace_uri(h);
      if (ns != names::ns::kWsa10 && ns != names::ns::kWsa200408) continue;
      const std::string local(xml::local_name(h));
      if (local == "Action" || local == "To" || local == "MessageID") out.emplace_back("wsa:" + local, wssc::wsu_id(h));
    }
    return out;
  });
}

Outcome one_security_header(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver);
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    if (p->view.security_headers.size() != 1) {
      return Outcome::fail(sup::label(*m) + ": " + std::to_string(p->view.security_headers.size()) +
                           " wsse:Security headers, expected one");
    }
    // Tokens precede the signature that uses them (WSS-5-02).
    bool signature_seen = false;
    for (xmlNode* c : security_children(*p)) {
      const std::string_view local = xml::local_name(c);
      if (local == "Signature") signature_seen = true;
      if (signature_seen && (local == "SecurityContextToken" || local == "DerivedKeyToken")) {
        return Outcome::fail(sup::label(*m) + ": a " + std::string(local) + " after the ds:Signature that uses it");
      }
    }
  }
  return Outcome::pass("one wsse:Security header per message, tokens before the signature");
}

Outcome encrypted_data_reference(CaseContext& ctx, const Driver& driver) {
  Apps a = applications(ctx, driver, sup::encrypted());
  if (a.outcome) return *a.outcome;
  for (const auto* m : a.messages) {
    if (auto o = require_opened(*m)) return *o;
    if (!m->body_was_encrypted) return Outcome::fail(sup::label(*m) + ": the Body is not encrypted");
    auto p = sup::parse_request(*m);
    if (!p.ok()) return Outcome::fail(p.error().message());
    for (xmlNode* enc : all(p->doc, "EncryptedData")) {
      const std::string key = key_info_uri(p->doc, enc);
      if (key.empty()) return Outcome::fail(sup::label(*m) + ": xenc:EncryptedData has no ds:KeyInfo/STR reference");
      if (xml::find_all_by_id(p->doc, key.substr(1)).size() != 1) {
        return Outcome::fail(sup::label(*m) + ": the EncryptedData's key reference " + key + " resolves to no token");
      }
    }
    for (xmlNode* ref : all(p->doc, "DataReference")) {
      const std::string uri = xml::attribute(ref, "", "URI").value;
      auto target = uri.size() > 1 ? xml::find_all_by_id(p->doc, uri.substr(1)) : std::vector<xmlNode*>{};
      if (target.size() != 1) return Outcome::fail(sup::label(*m) + ": xenc:DataReference " + uri + " resolves to nothing");
    }
  }
  return Outcome::pass("every EncryptedData names its derived key, every DataReference resolves");
}

engine::RunFunction with(Driver d, Outcome (*f)(CaseContext&, const Driver&)) {
  return [d, f](CaseContext& ctx) { return f(ctx, d); };
}

}  // namespace

Status register_client_07_protection(engine::Registry& registry, const Driver& d) {
  using engine::Capability;
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
    c.info.typical_causes = "the client's message protection (WS-Security header builder)";
    c.run = std::move(run);
    return registry.add(std::move(c));
  };
  const std::string basic = "scenario basic: the client's application messages under the issued context";
  using C = Capability;
  PARLEY_TRY(add("07/derived-keys", "application messages are signed with derived keys", {"SC-7-17"},
                 with(d, derived_keys), basic, "a signature keyed by a wsc:DerivedKeyToken, not the context key"));
  PARLEY_TRY(add("07/dkt-nonce", "every derived-key token carries a nonce of at least 16 bytes", {"SC-7-08", "WCF-03"},
                 with(d, dkt_nonce), basic, "wsc:Nonce of 16 bytes or more in each wsc:DerivedKeyToken"));
  PARLEY_TRY(add("07/fresh-dkt-nonces", "no derived-key nonce is used twice, across messages and key generations",
                 {"SC-7-09"}, with(d, fresh_dkt_nonces), "scenarios basic and renewal",
                 "a fresh wsc:Nonce in every wsc:DerivedKeyToken"));
  PARLEY_TRY(add("07/separate-keys", "signing and encryption use separate derived keys", {"SC-7-18"},
                 with(d, separate_keys), "scenario encrypted (PARLEY_ENCRYPT=1)",
                 "the ds:Signature and the xenc:EncryptedData reference different derived keys",
                 {C::kIssue, C::kEncryption}));
  PARLEY_TRY(add("07/dkt-shape", "derived-key tokens follow the schema of the version", {"SC-7-01", "SC-7-02", "SC-7-03"},
                 with(d, dkt_shape), basic, "child order per the XSD, not both Offset and Generation, P_SHA1 only"));
  PARLEY_TRY(add("08/reference-forms", "the SCT is referenced by wsse:Reference with the /sct ValueType",
                 {"SC-2-07", "SC-8-02", "WSS-7-01", "WSS-7-03"}, with(d, reference_forms), basic,
                 "no KeyIdentifier or KeyName for the SCT; wsse:Reference with the SCT ValueType"));
  PARLEY_TRY(add("08/sct-in-header-used", "an SCT carried in the header roots the signature's key chain", {"SC-8-06"},
                 with(d, sct_in_header_used), basic, "the header SCT's wsu:Id referenced by a DKT or the signature"));
  PARLEY_TRY(add("10/signed-timestamp", "one wsu:Timestamp per message, well-formed and signed",
                 {"WSS-10-04", "WSS-10-01", "WSS-10-02"}, with(d, signed_timestamp), basic,
                 "exactly one wsu:Timestamp (UTC, Created <= Expires) covered by the signature"));
  PARLEY_TRY(add("10/signed-body", "the signature covers the soap:Body", {"SC-10-01"}, with(d, signed_body), basic,
                 "the Body's wsu:Id among the signature's references"));
  PARLEY_TRY(add("10/signed-addressing", "the signature covers wsa:Action, wsa:To and wsa:MessageID", {"SC-10-01"},
                 with(d, signed_addressing), basic, "each addressing header's wsu:Id among the references"));
  PARLEY_TRY(add("11/one-security-header", "one wsse:Security header; tokens precede the signature",
                 {"WSS-5-01", "WSS-5-02"}, with(d, one_security_header), basic,
                 "a single wsse:Security header with the SCT and DKTs before the ds:Signature"));
  PARLEY_TRY(add("11/encrypted-data-reference", "EncryptedData references its derived key; DataReferences resolve",
                 {"WSS-9-01"}, with(d, encrypted_data_reference), "scenario encrypted (PARLEY_ENCRYPT=1)",
                 "ds:KeyInfo/STR in the EncryptedData naming a DKT of the header; resolvable xenc:DataReference",
                 {C::kIssue, C::kEncryption}));
  return ok_status();
}

}  // namespace parley::suites::wssc_client
