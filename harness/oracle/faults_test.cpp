// Every injectable fault of the oracle, shown on the wire: the same exchange against a clean
// service and against one with the fault switched on, and what each answers. Also the limits
// (replay detection, inactivity, derived-key bounds) the clean service enforces.
#include "harness/oracle/faults.h"

#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <set>

#include "harness/oracle/client.h"
#include "harness/oracle/config.h"
#include "harness/oracle/service.h"

namespace parley::oracle {
namespace {

using names::ScVersion;
namespace ns = names::ns;

constexpr std::string_view kBody = "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>";

struct Target {
  explicit Target(ServiceConfig config) : service(std::move(config)) {}
  Service service;
  std::chrono::seconds skew{0};  // how far the service's clock is ahead of the client's

  SendFunction sender() {
    return [this](const std::string&, const SoapRequest& req) -> Result<SoapResponse> {
      return service.handle(req, Clock::now() + skew);
    };
  }
  ClientConfig client_config() const {
    ClientConfig c;
    c.versions = service.config().versions;
    c.sts_url = "http://127.0.0.1:1/sts";
    c.service_url = "http://127.0.0.1:1/service";
    return c;
  }
  std::unique_ptr<Client> client() { return std::make_unique<Client>(client_config(), sender()); }
  std::unique_ptr<Client> issued() {
    auto c = client();
    Status s = c->issue();
    EXPECT_TRUE(s.ok()) << s.error().message();
    return c;
  }
  SoapResponse send(const xml::Document& doc, std::string_view action, std::optional<std::string> soap_action = {}) {
    SoapRequest r;
    r.content_type = std::string(names::soap(service.config().versions.soap).content_type) + "; charset=utf-8";
    if (service.config().versions.soap == names::SoapVersion::k1_1) {
      r.soap_action = soap_action.value_or("\"" + std::string(action) + "\"");
    }
    r.body = xml::serialize(doc);
    return service.handle(r, Clock::now() + skew);
  }
};

// "OK" for a success, the most specific fault's local name, or "HTTP <status> <content type>".
std::string outcome(const SoapResponse& r) {
  auto doc = xml::parse(r.body);
  if (!doc.ok()) return "HTTP " + std::to_string(r.status) + " " + r.content_type;
  auto view = wssc::parse_envelope(*doc);
  if (!view.ok()) return "HTTP " + std::to_string(r.status) + " not SOAP";
  auto fault = wssc::parse_fault(*view);
  if (fault.ok()) return fault->specific().local;
  return r.status == 200 ? "OK" : "HTTP " + std::to_string(r.status);
}
std::string outcome(const Client& c) {
  if (c.exchanges().empty() || !c.exchanges().back().response) return "no exchange";
  return outcome(*c.exchanges().back().response);
}
std::string fault_ns(const SoapResponse& r) {
  auto doc = xml::parse(r.body);
  auto view = wssc::parse_envelope(*doc);
  auto fault = wssc::parse_fault(*view);
  return fault.ok() ? fault->specific().ns : "";
}

// Runs `probe` against a clean service and one with `fault`; returns both observations.
template <class Probe>
std::pair<std::string, std::string> observe(Fault fault, const ServiceConfig& base, Probe probe) {
  Target clean(base);
  ServiceConfig faulty_config = base;
  faulty_config.faults.add(fault);
  Target faulty(faulty_config);
  return {probe(clean), probe(faulty)};
}
template <class Probe>
std::pair<std::string, std::string> observe(Fault fault, Probe probe) {
  return observe(fault, ServiceConfig{}, probe);
}

// --- issuance helpers ---------------------------------------------------------------------------

struct Issued {
  SoapResponse response;
  std::optional<wssc::TrustResponse> trust;
  std::string parse_error;
};
Issued issue_with(Target& t, const std::function<void(wssc::RequestSecurityToken&)>& edit = {},
                  std::optional<std::string> soap_action = {}) {
  auto c = t.client();
  auto req = c->issue_request(edit);
  EXPECT_TRUE(req.ok());
  Issued out;
  out.response = t.send(req->doc, names::trust(t.service.config().versions.trust()).rst_sct, soap_action);
  auto doc = xml::parse(out.response.body);
  if (!doc.ok()) return out;
  auto view = wssc::parse_envelope(*doc);
  if (!view.ok() || view->body_child == nullptr) return out;
  auto trust = wssc::parse_trust_response(view->body_child);
  if (trust.ok()) {
    out.trust = std::move(*trust);
  } else {
    out.parse_error = trust.error().message();
  }
  return out;
}

// --- application-message helpers -----------------------------------------------------------------

xml::Document app_request(Client& c, const wssc::ProtectOptions& o) {
  auto doc = c.application_request(kBody, *c.context(), o);
  EXPECT_TRUE(doc.ok()) << doc.error().message();
  return std::move(*doc);
}
xml::Document app_request(Client& c) { return app_request(c, c.protect_options()); }

// The DKT the message signature's key comes from.
xmlNode* signing_dkt(const xml::Document& doc) {
  auto uri = xml::xpath_one(doc, "//ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference/@URI");
  EXPECT_TRUE(uri.ok());
  const std::string id = xml::text_content(*uri).substr(1);
  auto dkt = xml::find_by_id(doc, id);
  EXPECT_TRUE(dkt.ok());
  return *dkt;
}
xmlNode* child(xmlNode* parent, std::string_view local) {
  for (xmlNode* c : xml::child_elements(parent)) {
    if (xml::local_name(c) == local) return c;
  }
  return nullptr;
}

std::string call_outcome(Target& t, const std::function<void(xml::Document&)>& mutate,
                         std::optional<wssc::ProtectOptions> options = {}) {
  auto c = t.issued();
  xml::Document doc = options ? app_request(*c, *options) : app_request(*c);
  if (mutate) mutate(doc);
  return outcome(t.send(doc, c->config().action));
}

// A renew or cancel request signed with `signer` whose target names `target`.
xml::Document context_request(Target& t, const wssc::ContextKey& signer, const wssc::SecurityContextToken& target,
                              names::ScOperation op) {
  const auto& v = t.service.config().versions;
  const names::TrustVersion tv = v.trust();
  xml::Document doc = wssc::new_envelope(v.soap);
  wssc::AddressingHeaders h;
  h.action = std::string(names::sct_action(tv, op, names::Direction::kRequest));
  h.message_id = wssc::new_uuid_urn();
  h.to = "http://127.0.0.1:1/sts";
  auto ids = wssc::add_addressing_headers(wssc::envelope_header(doc), v.addressing, h);
  wssc::RequestSecurityToken rst;
  rst.version = tv;
  rst.token_type = std::string(names::sc(v.sc).sct_token_type);
  rst.request_type = std::string(names::request_type(tv, op));
  if (op == names::ScOperation::kRenew) rst.renew_target = wssc::SecurityTokenReference::to_identifier(target);
  if (op == names::ScOperation::kCancel) rst.cancel_target = wssc::SecurityTokenReference::to_identifier(target);
  wssc::append_rst(wssc::envelope_body(doc), rst);
  wssc::ProtectOptions o;
  EXPECT_TRUE(wssc::secure_envelope(doc, signer, o, ids).ok());
  return doc;
}

// === 2.1 the SCT ================================================================================

TEST(Faults, ReuseSctIdentifier) {
  auto [clean, faulty] = observe(Fault::kReuseSctIdentifier, [](Target& t) {
    auto a = t.issued();
    auto b = t.issued();
    return std::string(a->context()->sct.identifier == b->context()->sct.identifier ? "same" : "distinct");
  });
  EXPECT_EQ(clean, "distinct");
  EXPECT_EQ(faulty, "same");
}

TEST(Faults, RelativeSctIdentifier) {
  auto [clean, faulty] = observe(Fault::kRelativeSctIdentifier, [](Target& t) {
    const std::string body = issue_with(t).response.body;
    const std::size_t at = body.find("Identifier>");
    return at == std::string::npos ? std::string("none") : body.substr(at + 11, 4);
  });
  EXPECT_EQ(clean, "urn:");
  EXPECT_EQ(faulty, "ctx-");
}

TEST(Faults, MixedTokenType) {
  auto [clean, faulty] = observe(Fault::kMixedTokenType, [](Target& t) {
    auto i = issue_with(t);
    return i.trust ? i.trust->responses.front().token_type : "unparsed: " + i.parse_error;
  });
  EXPECT_EQ(clean, names::sc(ScVersion::k1_3).sct_token_type);
  EXPECT_EQ(faulty, names::sc(ScVersion::kFeb2005).sct_token_type);
}

// === 2.2 establishing ===========================================================================

TEST(Faults, BareRstrUnder13) {
  auto [clean, faulty] = observe(Fault::kBareRstrUnder13, [](Target& t) {
    auto i = issue_with(t);
    return std::string(i.trust && i.trust->collection ? "RSTRC" : "bare RSTR");
  });
  EXPECT_EQ(clean, "RSTRC");
  EXPECT_EQ(faulty, "bare RSTR");
}

TEST(Faults, IgnoreRequestType) {
  auto [clean, faulty] = observe(Fault::kIgnoreRequestType, [](Target& t) {
    return outcome(issue_with(t, [](wssc::RequestSecurityToken& rst) {
                     rst.request_type = std::string(names::trust(names::TrustVersion::k1_3).request_validate);
                   }).response);
  });
  EXPECT_EQ(clean, "InvalidRequest");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, MixedTrustNamespace) {
  auto [clean, faulty] = observe(Fault::kMixedTrustNamespace, [](Target& t) {
    return outcome(issue_with(t, [](wssc::RequestSecurityToken& rst) {
                     rst.request_type = std::string(names::trust(names::TrustVersion::kFeb2005).request_issue);
                   }).response);
  });
  EXPECT_EQ(clean, "InvalidRequest");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, DropRstContext) {
  auto [clean, faulty] = observe(Fault::kDropRstContext, [](Target& t) {
    auto i = issue_with(t, [](wssc::RequestSecurityToken& rst) { rst.context = "urn:parley:ctx:7"; });
    return i.trust ? i.trust->responses.front().context : std::string("?");
  });
  EXPECT_EQ(clean, "urn:parley:ctx:7");
  EXPECT_EQ(faulty, "");
}

TEST(Faults, SwapComputedKeyEntropies) {
  auto [clean, faulty] = observe(Fault::kSwapComputedKeyEntropies, [](Target& t) {
    auto c = t.issued();  // the client computes CK/PSHA1(client, server) as the spec says
    auto echoed = c->call(kBody);
    return echoed.ok() ? std::string("OK") : outcome(*c);
  });
  EXPECT_EQ(clean, "OK");
  EXPECT_EQ(faulty, "FailedCheck");  // the service holds another key
}

TEST(Faults, MisreportKeySize) {
  auto [clean, faulty] = observe(Fault::kMisreportKeySize, [](Target& t) {
    auto i = issue_with(t, [](wssc::RequestSecurityToken& rst) { rst.key_size = 4096; });
    if (!i.trust) return std::string("?");
    return std::to_string(i.trust->responses.front().key_size.value_or(0)) + " reported";
  });
  EXPECT_EQ(clean, "512 reported");  // clamped to max_key_size and reported as such
  EXPECT_EQ(faulty, "4096 reported");
}

TEST(Faults, DispatchOnSoapAction) {
  ServiceConfig soap11;
  soap11.versions.soap = names::SoapVersion::k1_1;
  auto [clean, faulty] = observe(Fault::kDispatchOnSoapAction, soap11, [](Target& t) {
    return outcome(issue_with(t, {}, std::string("\"\"")).response);
  });
  EXPECT_EQ(clean, "OK");
  EXPECT_EQ(faulty, "ActionNotSupported");
}

TEST(Faults, ReversedLifetime) {
  auto [clean, faulty] = observe(Fault::kReversedLifetime, [](Target& t) {
    auto i = issue_with(t);
    return i.trust ? std::string("parsed") : i.parse_error;
  });
  EXPECT_EQ(clean, "parsed");
  EXPECT_NE(faulty.find("Created"), std::string::npos) << faulty;  // Created after Expires is refused
}

TEST(Faults, KeysNeverExpire) {
  ServiceConfig short_keys;
  short_keys.contexts.key_lifetime = std::chrono::seconds(60);
  auto [clean, faulty] = observe(Fault::kKeysNeverExpire, short_keys, [](Target& t) {
    auto c = t.issued();
    t.skew = std::chrono::seconds(90);  // past the key's Lifetime, within the inactivity timeout
    auto echoed = c->call(kBody);
    return echoed.ok() ? std::string("OK") : outcome(*c);
  });
  EXPECT_EQ(clean, "RenewNeeded");
  EXPECT_EQ(faulty, "OK");
}

// === 2.3 amend / 2.4 renew / 2.5 cancel =========================================================

TEST(Faults, AmendNewIdentifier) {
  auto [clean, faulty] = observe(Fault::kAmendNewIdentifier, [](Target& t) {
    auto c = t.issued();
    Status s = c->amend();
    return s.ok() ? std::string("OK") : s.error().message();
  });
  EXPECT_EQ(clean, "OK");
  EXPECT_NE(faulty.find("SC-4-05"), std::string::npos) << faulty;
}

TEST(Faults, RenewKeepsInstance) {
  auto [clean, faulty] = observe(Fault::kRenewKeepsInstance, [](Target& t) {
    auto c = t.issued();
    EXPECT_TRUE(c->renew().ok());
    return std::string(c->context()->sct.instance.empty() ? "no Instance" : "new Instance");
  });
  EXPECT_EQ(clean, "new Instance");
  EXPECT_EQ(faulty, "no Instance");
}

TEST(Faults, RenewNewIdentifier) {
  auto [clean, faulty] = observe(Fault::kRenewNewIdentifier, [](Target& t) {
    auto c = t.issued();
    Status s = c->renew();
    return s.ok() ? std::string("OK") : s.error().message();
  });
  EXPECT_EQ(clean, "OK");
  EXPECT_NE(faulty.find("another Identifier"), std::string::npos) << faulty;
}

TEST(Faults, RenewOtherContext) {
  auto [clean, faulty] = observe(Fault::kRenewOtherContext, [](Target& t) {
    auto attacker = t.issued();
    auto victim = t.issued();
    auto doc = context_request(t, *attacker->context(), victim->context()->sct, names::ScOperation::kRenew);
    return outcome(t.send(doc, names::trust(names::TrustVersion::k1_3).rst_sct_renew));
  });
  EXPECT_EQ(clean, "FailedAuthentication");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, CancelOtherContext) {
  auto [clean, faulty] = observe(Fault::kCancelOtherContext, [](Target& t) {
    auto attacker = t.issued();
    auto victim = t.issued();
    auto doc = context_request(t, *attacker->context(), victim->context()->sct, names::ScOperation::kCancel);
    std::string cancel = outcome(t.send(doc, names::trust(names::TrustVersion::k1_3).rst_sct_cancel));
    auto echoed = victim->call(kBody);
    return cancel + ", victim " + (echoed.ok() ? "alive" : outcome(*victim));
  });
  EXPECT_EQ(clean, "FailedAuthentication, victim alive");
  EXPECT_EQ(faulty, "OK, victim BadContextToken");
}

TEST(Faults, CancelIsNoop) {
  auto [clean, faulty] = observe(Fault::kCancelIsNoop, [](Target& t) {
    auto c = t.issued();
    const wssc::ContextKey saved = *c->context();
    EXPECT_TRUE(c->cancel().ok());
    c->set_context(saved);
    auto echoed = c->call(kBody);
    return echoed.ok() ? std::string("still works") : outcome(*c);
  });
  EXPECT_EQ(clean, "BadContextToken");
  EXPECT_EQ(faulty, "still works");
}

TEST(Faults, NoRequestedTokenCancelled) {
  auto [clean, faulty] = observe(Fault::kNoRequestedTokenCancelled, [](Target& t) {
    auto c = t.issued();
    Status s = c->cancel();
    return s.ok() ? std::string("OK") : s.error().message();
  });
  EXPECT_EQ(clean, "OK");
  EXPECT_NE(faulty.find("RequestedTokenCancelled"), std::string::npos) << faulty;
}

TEST(Faults, SecondCancelSucceeds) {
  auto [clean, faulty] = observe(Fault::kSecondCancelSucceeds, [](Target& t) {
    auto c = t.issued();
    const wssc::ContextKey saved = *c->context();
    EXPECT_TRUE(c->cancel().ok());
    c->set_context(saved);
    Status again = c->cancel();
    return again.ok() ? std::string("OK") : outcome(*c);
  });
  EXPECT_EQ(clean, "BadContextToken");
  EXPECT_EQ(faulty, "OK");
}

// === 2.6 derived keys ===========================================================================

TEST(Faults, AcceptDktWithoutNonce) {
  auto [clean, faulty] = observe(Fault::kAcceptDktWithoutNonce, [](Target& t) {
    auto c = t.issued();
    wssc::ProtectOptions o = c->protect_options();
    o.deviations.dkt.omit_nonce = true;
    return outcome(t.send(app_request(*c, o), c->config().action));
  });
  EXPECT_EQ(clean, "InvalidSecurityToken");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, IgnoreDktGeneration) {
  // Offset 0 rewritten as Generation 1: the key moves to offset 24, the signature no longer
  // matches, unless the receiver ignores Generation.
  auto [clean, faulty] = observe(Fault::kIgnoreDktGeneration, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      xmlNode* offset = child(signing_dkt(doc), "Offset");
      ASSERT_NE(offset, nullptr);
      xmlNodeSetName(offset, xml::to_xml_chars("Generation"));
      xmlNodeSetContent(offset, xml::to_xml_chars("1"));
    });
  });
  EXPECT_EQ(clean, "FailedCheck");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, IgnoreDktLabel) {
  auto [clean, faulty] = observe(Fault::kIgnoreDktLabel, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      xmlNode* dkt = signing_dkt(doc);
      xmlNode* nonce = child(dkt, "Nonce");
      ASSERT_NE(nonce, nullptr);
      xmlNode* label = xmlNewDocNode(doc.get(), nonce->ns, xml::to_xml_chars("Label"), xml::to_xml_chars("custom"));
      xmlAddPrevSibling(nonce, label);
    });
  });
  EXPECT_EQ(clean, "FailedCheck");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, UnboundedDkt) {
  // An Offset of 1 KiB: refused by the limits (WCF: 64 bytes) unless they are gone; then the
  // derivation runs and the signature (made at offset 0) fails.
  auto [clean, faulty] = observe(Fault::kUnboundedDkt, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      xmlNode* offset = child(signing_dkt(doc), "Offset");
      ASSERT_NE(offset, nullptr);
      xmlNodeSetContent(offset, xml::to_xml_chars("1024"));
    });
  });
  EXPECT_EQ(clean, "InvalidSecurityToken");
  EXPECT_EQ(faulty, "FailedCheck");
}

TEST(Faults, AcceptUnknownDktAlgorithm) {
  auto [clean, faulty] = observe(Fault::kAcceptUnknownDktAlgorithm, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      xml::set_attribute(signing_dkt(doc), "", "", "Algorithm", "urn:parley:unknown-kdf");
    });
  });
  EXPECT_EQ(clean, "UnsupportedAlgorithm");
  EXPECT_EQ(faulty, "OK");
}

// === 2.7 referencing ============================================================================

TEST(Faults, ResolveUnknownIdentifier) {
  // Signed with a real context's key, but naming an Identifier nobody issued.
  auto [clean, faulty] = observe(Fault::kResolveUnknownIdentifier, [](Target& t) {
    auto c = t.issued();
    EXPECT_TRUE(c->call(kBody).ok());
    wssc::ContextKey forged = *c->context();
    forged.sct.identifier = wssc::new_uuid_urn();
    wssc::ProtectOptions o = c->protect_options();
    o.include_sct = false;  // reference by Identifier only
    auto doc = c->application_request(kBody, forged, o);
    return outcome(t.send(*doc, c->config().action));
  });
  EXPECT_EQ(clean, "BadContextToken");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, SupersededKeysNeverExpire) {
  ServiceConfig quick;
  quick.contexts.rollover = std::chrono::seconds(5);
  auto [clean, faulty] = observe(Fault::kSupersededKeysNeverExpire, quick, [](Target& t) {
    auto c = t.issued();
    const wssc::ContextKey first = *c->context();
    EXPECT_TRUE(c->renew().ok());
    t.skew = std::chrono::seconds(30);  // past the rollover window
    c->set_context(first);
    auto echoed = c->call(kBody);
    return echoed.ok() ? std::string("old key accepted") : outcome(*c);
  });
  EXPECT_EQ(clean, "BadContextToken");
  EXPECT_EQ(faulty, "old key accepted");
}

// === 2.8 faults =================================================================================

TEST(Faults, WrongFaultNamespace) {
  auto [clean, faulty] = observe(Fault::kWrongFaultNamespace, [](Target& t) {
    auto c = t.issued();
    wssc::ContextKey unknown = *c->context();
    unknown.sct.identifier = wssc::new_uuid_urn();
    wssc::ProtectOptions o = c->protect_options();
    o.include_sct = false;
    auto doc = c->application_request(kBody, unknown, o);
    SoapResponse r = t.send(*doc, c->config().action);
    return outcome(r) + " in " + fault_ns(r);
  });
  EXPECT_EQ(clean, "BadContextToken in " + std::string(ns::kWsc13));
  EXPECT_EQ(faulty, "BadContextToken in " + std::string(ns::kWscFeb2005));
}

TEST(Faults, FaultsAsBare500) {
  auto [clean, faulty] = observe(Fault::kFaultsAsBare500, [](Target& t) {
    return outcome(issue_with(t, [](wssc::RequestSecurityToken& rst) { rst.request_type = "urn:nonsense"; }).response);
  });
  EXPECT_EQ(clean, "InvalidRequest");
  EXPECT_EQ(faulty, "HTTP 500 not SOAP");
}

TEST(Faults, RenewNeededAsBadContextAndWrongAction) {
  ServiceConfig short_keys;
  short_keys.contexts.key_lifetime = std::chrono::seconds(60);
  auto expired_call = [](Target& t) {
    auto c = t.issued();
    t.skew = std::chrono::seconds(90);
    EXPECT_FALSE(c->call(kBody).ok());
    const std::string& body = c->exchanges().back().response->body;
    const bool wcf_action = body.find(names::wcf::kSecureConversationFaultAction) != std::string::npos;
    return outcome(*c) + (wcf_action ? " (WCF action)" : " (addressing action)");
  };
  auto [clean, as_bad] = observe(Fault::kRenewNeededAsBadContext, short_keys, expired_call);
  EXPECT_EQ(clean, "RenewNeeded (WCF action)");
  EXPECT_EQ(as_bad, "BadContextToken (addressing action)");
  auto [clean2, wrong_action] = observe(Fault::kRenewNeededWrongAction, short_keys, expired_call);
  EXPECT_EQ(clean2, "RenewNeeded (WCF action)");
  EXPECT_EQ(wrong_action, "RenewNeeded (addressing action)");
}

// === 2.9 security considerations ================================================================

TEST(Faults, SkipReplayDetection) {
  auto [clean, faulty] = observe(Fault::kSkipReplayDetection, [](Target& t) {
    auto c = t.issued();
    xml::Document doc = app_request(*c);
    std::string first = outcome(t.send(doc, c->config().action));
    std::string replay = outcome(t.send(doc, c->config().action));
    return first + ", replay " + replay;
  });
  EXPECT_EQ(clean, "OK, replay InvalidSecurity");
  EXPECT_EQ(faulty, "OK, replay OK");
}

TEST(Faults, SignatureWrapping) {
  // The signed Body moves into a wrapper header; a new Body with other content takes its place.
  auto [clean, faulty] = observe(Fault::kSignatureWrapping, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      xmlNode* body = wssc::envelope_body(doc);
      xmlNode* header = wssc::envelope_header(doc);
      xmlNode* wrapper = xmlNewDocNode(doc.get(), nullptr, xml::to_xml_chars("Wrapper"), nullptr);
      xmlAddChild(header, wrapper);
      xmlNode* evil = xmlNewDocNode(doc.get(), body->ns, xml::to_xml_chars("Body"), nullptr);
      xmlAddNextSibling(body, evil);
      xmlUnlinkNode(body);
      xmlAddChild(wrapper, body);
      ASSERT_TRUE(xml::append_fragment(evil, "<e:Echo xmlns:e=\"urn:example\">evil</e:Echo>").ok());
    });
  });
  EXPECT_EQ(clean, "InvalidSecurity");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, TrustKeyInfoSecret) {
  // An attacker who knows the SCT (not its key) signs with a key of its own and puts that key in
  // ds:KeyInfo as a wst:BinarySecret.
  auto [clean, faulty] = observe(Fault::kTrustKeyInfoSecret, [](Target& t) {
    auto c = t.issued();
    wssc::ContextKey attacker = *c->context();
    attacker.key = Bytes(32, 0x41);
    wssc::ProtectOptions o = c->protect_options();
    o.derived_keys = false;  // sign with the (attacker's) key directly
    xml::Document doc = app_request(*c, o);
    auto doc2 = c->application_request(kBody, attacker, o);
    auto keyinfo = xml::xpath_one(*doc2, "//ds:Signature/ds:KeyInfo");
    EXPECT_TRUE(keyinfo.ok());
    for (xmlNode* k : xml::child_elements(*keyinfo)) {
      xmlUnlinkNode(k);
      xmlFreeNode(k);
    }
    EXPECT_TRUE(xml::append_fragment(*keyinfo, "<wst:BinarySecret xmlns:wst=\"" + std::string(ns::kWst13) + "\">" +
                                                   base64_encode(attacker.key) + "</wst:BinarySecret>")
                    .ok());
    return outcome(t.send(*doc2, c->config().action));
  });
  EXPECT_EQ(clean, "SecurityTokenUnavailable");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, UnboundedPendingSessions) {
  ServiceConfig small;
  small.contexts.max_contexts = 3;
  auto [clean, faulty] = observe(Fault::kUnboundedPendingSessions, small, [](Target& t) {
    std::string last;
    for (int i = 0; i < 5; ++i) {
      auto c = t.client();
      Status s = c->issue();
      last = s.ok() ? "OK" : outcome(*c);
    }
    return "5th issuance " + last + ", " + std::to_string(t.service.contexts().size()) + " contexts";
  });
  EXPECT_EQ(clean, "5th issuance ServerTooBusy, 3 contexts");
  EXPECT_EQ(faulty, "5th issuance OK, 5 contexts");
}

TEST(Faults, AcceptUnsignedAddressing) {
  // wsa:Action loses its wsu:Id: the signature's reference to it no longer resolves... so the
  // reference is removed from SignedInfo first, which breaks nothing else.
  auto [clean, faulty] = observe(Fault::kAcceptUnsignedAddressing, [](Target& t) {
    auto c = t.issued();
    wssc::ProtectOptions o = c->protect_options();
    auto plain = c->application_request(kBody, *c->context(), o);
    EXPECT_TRUE(plain.ok());
    // Re-protect a copy whose addressing headers are left out of the signature.
    xml::Document doc = wssc::new_envelope(t.service.config().versions.soap);
    wssc::AddressingHeaders h;
    h.action = c->config().action;
    h.message_id = wssc::new_uuid_urn();
    h.to = c->config().service_url;
    wssc::add_addressing_headers(wssc::envelope_header(doc), t.service.config().versions.addressing, h);
    EXPECT_TRUE(xml::append_fragment(wssc::envelope_body(doc), kBody).ok());
    EXPECT_TRUE(wssc::secure_envelope(doc, *c->context(), o, {}).ok());
    return outcome(t.send(doc, c->config().action));
  });
  EXPECT_EQ(clean, "InvalidSecurity");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, AcceptDirectKey) {
  // A service whose policy requires derived keys; the message is signed with the context key.
  ServiceConfig strict;
  strict.require_derived_keys = true;
  auto [clean, faulty] = observe(Fault::kAcceptDirectKey, strict, [](Target& t) {
    auto c = t.issued();
    wssc::ProtectOptions o = c->protect_options();
    o.derived_keys = false;
    xml::Document doc = app_request(*c, o);
    return outcome(t.send(doc, c->config().action));
  });
  EXPECT_EQ(clean, "InvalidSecurity");
  EXPECT_EQ(faulty, "OK");
}

// === 2.11 WS-Security ===========================================================================

TEST(Faults, SkipTimestampExpiry) {
  auto [clean, faulty] = observe(Fault::kSkipTimestampExpiry, [](Target& t) {
    auto c = t.issued();
    wssc::ProtectOptions o = c->protect_options();
    o.now = Clock::now() - std::chrono::hours(2);  // created 2 h ago, expired 1 h 55 min ago
    o.timestamp_validity = std::chrono::seconds(300);
    return outcome(t.send(app_request(*c, o), c->config().action));
  });
  EXPECT_EQ(clean, "MessageExpired");
  // Past the expiry check, the replay window still refuses a 2-hour-old message.
  EXPECT_EQ(faulty, "InvalidSecurity");
}

TEST(Faults, SkipTimestampExpiryWithoutReplayDetection) {
  ServiceConfig no_replay;
  no_replay.detect_replays = false;
  auto [clean, faulty] = observe(Fault::kSkipTimestampExpiry, no_replay, [](Target& t) {
    auto c = t.issued();
    wssc::ProtectOptions o = c->protect_options();
    o.now = Clock::now() - std::chrono::hours(2);
    return outcome(t.send(app_request(*c, o), c->config().action));
  });
  EXPECT_EQ(clean, "MessageExpired");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, AcceptUnsignedTimestamp) {
  // The signed Timestamp moves into a wrapper header; an unsigned copy (no wsu:Id) takes its
  // place in the Security header.
  auto [clean, faulty] = observe(Fault::kAcceptUnsignedTimestamp, [](Target& t) {
    return call_outcome(t, [](xml::Document& doc) {
      auto ts = xml::xpath_one(doc, "//wsse:Security/wsu:Timestamp");
      ASSERT_TRUE(ts.ok());
      xmlNode* copy = xmlCopyNode(*ts, 1);
      xmlAttr* id = xmlHasNsProp(copy, xml::to_xml_chars("Id"), xml::to_xml_chars(std::string(ns::kWsu).c_str()));
      ASSERT_NE(id, nullptr);
      xmlRemoveProp(id);
      xmlAddPrevSibling(*ts, copy);
      xmlNode* wrapper = xmlNewDocNode(doc.get(), nullptr, xml::to_xml_chars("Wrapper"), nullptr);
      xmlAddChild(wssc::envelope_header(doc), wrapper);
      xmlUnlinkNode(*ts);
      xmlAddChild(wrapper, *ts);
    });
  });
  EXPECT_EQ(clean, "InvalidSecurity");
  EXPECT_EQ(faulty, "OK");
}

TEST(Faults, NoSignatureConfirmation) {
  ServiceConfig confirming;
  confirming.signature_confirmation = true;
  auto [clean, faulty] = observe(Fault::kNoSignatureConfirmation, confirming, [](Target& t) {
    auto c = t.issued();
    auto echoed = c->call(kBody);
    EXPECT_TRUE(echoed.ok());
    const std::string& body = c->exchanges().back().response->body;
    return std::string(body.find("SignatureConfirmation") != std::string::npos ? "confirmed" : "no confirmation");
  });
  EXPECT_EQ(clean, "confirmed");
  EXPECT_EQ(faulty, "no confirmation");
}

// === 2.12 WCF profile ===========================================================================

TEST(Faults, BareRenewResponse) {
  auto [clean, faulty] = observe(Fault::kBareRenewResponse, [](Target& t) {
    auto c = t.issued();
    EXPECT_TRUE(c->renew().ok());
    const std::string& body = c->exchanges().back().response->body;
    return std::string(body.find("RequestSecurityTokenResponseCollection") != std::string::npos ? "RSTRC" : "bare");
  });
  EXPECT_EQ(clean, "RSTRC");
  EXPECT_EQ(faulty, "bare");
}

TEST(Faults, CookieStateInClear) {
  ServiceConfig cookie_mode;
  cookie_mode.cookie.enabled = true;
  cookie_mode.cookie.ring = std::make_shared<const cookie::KeyRing>(
      std::move(cookie::KeyRing::create({{"current", Bytes(32, 1)}})).value());
  cookie_mode.allow_cancel = false;
  auto [clean, faulty] = observe(Fault::kCookieStateInClear, cookie_mode, [](Target& t) {
    auto c = t.issued();
    const Bytes& cookie = *c->context()->sct.cookie;
    const Bytes& key = c->context()->key;
    const bool in_clear = std::search(cookie.begin(), cookie.end(), key.begin(), key.end()) != cookie.end();
    auto echoed = c->call(kBody);
    return std::string(in_clear ? "key in clear" : "key hidden") + (echoed.ok() ? ", works" : ", broken");
  });
  EXPECT_EQ(clean, "key hidden, works");
  EXPECT_EQ(faulty, "key in clear, works");
}

// === the catalogue itself =======================================================================

TEST(FaultCatalog, NamesAreUniqueAndRequirementsExistInTheCatalogOrder) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < all_faults().size(); ++i) {
    const FaultInfo& f = all_faults()[i];
    EXPECT_EQ(static_cast<std::size_t>(f.fault), i) << f.name;  // fault_info indexes by position
    EXPECT_TRUE(seen.insert(f.name).second) << f.name;
    // Conformance faults cite requirements; hostile-* transport faults cite none.
    EXPECT_EQ(f.requirements.empty(), f.transport) << f.name;
    EXPECT_EQ(f.name.starts_with("hostile-"), f.transport) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    EXPECT_EQ(fault_from_name(f.name), f.fault);
  }
  EXPECT_EQ(all_faults().size(), static_cast<std::size_t>(Fault::kCount));
  EXPECT_GE(all_faults().size(), 25u);
  EXPECT_FALSE(fault_from_name("no-such-fault").has_value());
}

TEST(FaultCatalog, FaultsDoNotChangeThePrintedProfile) {
  auto config = parse_serve_config("");
  ASSERT_TRUE(config.ok());
  const std::string clean = target_profile(*config, "http://127.0.0.1:8080");
  for (const auto& f : all_faults()) config->service.faults.add(f.fault);
  EXPECT_EQ(target_profile(*config, "http://127.0.0.1:8080"), clean);
}

TEST(HostileFaults, EachReplacesTheSoapAnswerWithItsBrokenOne) {
  transport::HttpRequest request;
  request.method = "POST";
  request.target = "/service";
  request.headers.set("Host", "127.0.0.1:4242");
  FaultSet none;
  EXPECT_FALSE(hostile_response(none, request).has_value());
  auto with = [&](Fault f) {
    FaultSet set;
    set.add(f);
    auto r = hostile_response(set, request);
    EXPECT_TRUE(r.has_value()) << fault_info(f).name;
    return r.value_or(transport::HttpResponse{});
  };

  auto endless = with(Fault::kHostileEndlessBody);
  ASSERT_TRUE(endless.raw);
  EXPECT_EQ(endless.raw->head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(endless.raw->chunk.size(), 2185u * 30u);  // whole 30-byte <pad> elements, >= 64 KiB
  EXPECT_EQ(endless.raw->repeat, std::uint64_t{1} << 40);

  auto huge = with(Fault::kHostileHugeContentLength);
  ASSERT_TRUE(huge.raw);
  EXPECT_NE(huge.raw->head.find("\r\nContent-Length: 10737418240\r\n\r\n"), std::string::npos);

  auto drip = with(Fault::kHostileSlowDrip);
  ASSERT_TRUE(drip.raw);
  EXPECT_EQ(drip.raw->chunk, " ");
  EXPECT_EQ(drip.raw->repeat, 4096u);
  EXPECT_EQ(drip.raw->delay, std::chrono::seconds(1));

  auto reset = with(Fault::kHostileResetMidBody);
  ASSERT_TRUE(reset.raw);
  EXPECT_TRUE(reset.raw->reset);
  const std::string& head = reset.raw->head;
  EXPECT_EQ(head.size() - (head.find("\r\n\r\n") + 4), 1024u);  // 1 KiB of the announced 64 KiB

  auto bomb = with(Fault::kHostileXmlBomb);
  EXPECT_FALSE(bomb.raw);
  EXPECT_EQ(bomb.status, 200);
  EXPECT_NE(bomb.body.find("<!ENTITY lol9 \"&lol8;&lol8;"), std::string::npos);
  auto parsed = xml::parse(bomb.body);
  ASSERT_FALSE(parsed.ok());  // the safe parser refuses any DTD
  EXPECT_NE(parsed.error().message().find("DTD"), std::string::npos) << parsed.error().message();

  auto garbage = with(Fault::kHostileBinaryGarbage);
  ASSERT_TRUE(garbage.raw);
  EXPECT_EQ(garbage.raw->head.size(), 4096u);
  EXPECT_FALSE(garbage.raw->head.starts_with("HTTP/"));
  EXPECT_EQ(with(Fault::kHostileBinaryGarbage).raw->head, garbage.raw->head);  // deterministic

  auto loop = with(Fault::kHostileRedirectLoop);
  EXPECT_EQ(loop.status, 302);
  EXPECT_EQ(loop.headers.get("Location").value_or(""), "http://127.0.0.1:4242/service");
}

// === limits of the clean service ================================================================

TEST(Limits, IdleContextsAreClosed) {
  ServiceConfig c;
  c.contexts.inactivity_timeout = std::chrono::seconds(30);
  Target t(c);
  auto client = t.issued();
  t.skew = std::chrono::seconds(20);
  ASSERT_TRUE(client->call(kBody).ok());  // used at +20 s: the idle clock restarts
  t.skew = std::chrono::seconds(45);
  ASSERT_TRUE(client->call(kBody).ok());
  t.skew = std::chrono::seconds(80);  // 35 s idle
  EXPECT_FALSE(client->call(kBody).ok());
  EXPECT_EQ(outcome(*client), "BadContextToken");
  EXPECT_EQ(t.service.contexts().size(), 0u);
}

TEST(Limits, ReplayCacheIsBoundedAndForgetsAfterTheWindow) {
  ReplayCache cache(2, std::chrono::seconds(10));
  const auto t0 = ReplayCache::Clock::now();
  EXPECT_TRUE(cache.remember("a", t0));
  EXPECT_FALSE(cache.remember("a", t0 + std::chrono::seconds(5)));
  EXPECT_TRUE(cache.remember("b", t0));
  EXPECT_TRUE(cache.remember("c", t0));  // full: "a" makes room
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.remember("a", t0 + std::chrono::seconds(1)));
  EXPECT_TRUE(cache.remember("b", t0 + std::chrono::seconds(30)));  // the window has passed
}

TEST(Limits, MessagesOlderThanTheReplayWindowAreRefused) {
  ServiceConfig c;
  c.replay_window = std::chrono::seconds(60);
  c.max_clock_skew = std::chrono::seconds(10);
  Target t(c);
  auto client = t.issued();
  wssc::ProtectOptions o = client->protect_options();
  o.now = Clock::now() - std::chrono::seconds(100);
  o.timestamp_validity = std::chrono::seconds(600);  // not expired, but older than the window
  EXPECT_EQ(outcome(t.send(app_request(*client, o), client->config().action)), "InvalidSecurity");
}

TEST(Limits, DerivedKeysShorterThanTheSuiteAreRefused) {
  ServiceConfig c;
  ASSERT_TRUE(apply_algorithm_suite("Basic256", c).ok());
  EXPECT_EQ(c.dkt_limits.min_length, 24u);
  Target t(c);
  auto client = t.issued();
  wssc::ProtectOptions o = client->protect_options();
  o.signature_key_length = 16;
  EXPECT_EQ(outcome(t.send(app_request(*client, o), client->config().action)), "InvalidSecurityToken");
}

}  // namespace
}  // namespace parley::oracle
