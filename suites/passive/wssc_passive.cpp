// Passive checks of WS-SC, WS-Trust and WSS messages in recorded exchanges. Each check reads the
// envelopes the engine parsed once per exchange, reuses the harness/wssc parsers (the same code
// the oracle and the live cases use), and names the exchange and the element of every finding.
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "harness/core/bytes.h"
#include "harness/core/names.h"
#include "harness/wssc/security.h"
#include "harness/wssc/tokens.h"
#include "harness/wssc/trust.h"
#include "suites/passive/passive.h"

namespace parley::suites::passive {
namespace {

using engine::CaseInfo;
using engine::Observation;
using engine::ObservedMessage;
using engine::Outcome;
using engine::PassiveSettings;
using engine::TallyObserver;
namespace ns = names::ns;

// --- helpers ------------------------------------------------------------------------------------

void for_each_element(xmlNode* root, const std::function<void(xmlNode*)>& f) {
  if (root == nullptr) return;
  std::vector<xmlNode*> stack{root};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    f(n);
    std::vector<xmlNode*> kids = xml::child_elements(n);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
}

std::vector<xmlNode*> elements(xmlNode* root, const std::function<bool(xmlNode*)>& pred) {
  std::vector<xmlNode*> out;
  for_each_element(root, [&](xmlNode* n) {
    if (pred(n)) out.push_back(n);
  });
  return out;
}

bool is_sc_ns(std::string_view uri) { return uri == ns::kWscFeb2005 || uri == ns::kWsc13; }
bool is_trust_ns(std::string_view uri) { return uri == ns::kWstFeb2005 || uri == ns::kWst13; }

bool is_sc(const xmlNode* n, std::string_view local) {
  return xml::local_name(n) == local && is_sc_ns(xml::namespace_uri(n));
}

// "wsc:DerivedKeyToken[@wsu:Id='x']": the element as a reader finds it in the message.
std::string label(const xmlNode* n) {
  const std::string_view uri = xml::namespace_uri(n);
  std::string prefix = is_sc_ns(uri)                           ? "wsc:"
                       : is_trust_ns(uri)                      ? "wst:"
                       : uri == ns::kWsse                      ? "wsse:"
                       : uri == ns::kWsse11                    ? "wsse11:"
                       : uri == ns::kWsu                       ? "wsu:"
                       : uri == ns::kDs                        ? "ds:"
                       : uri == ns::kXenc                      ? "xenc:"
                       : uri == ns::kSoap11 || uri == ns::kSoap12 ? "s:"
                       : uri == ns::kWsa10 || uri == ns::kWsa200408 ? "wsa:"
                                                                    : "";
  std::string out = prefix + std::string(xml::local_name(n));
  const std::string id = wssc::wsu_id(n);
  if (!id.empty()) out += "[@wsu:Id='" + id + "']";
  return out;
}

// The SOAP messages of an exchange that a check should read (wire level unless said otherwise).
std::vector<std::pair<const ObservedMessage*, const capture::Message*>> soap_messages(const Observation& o,
                                                                                      bool service_level_too) {
  std::vector<std::pair<const ObservedMessage*, const capture::Message*>> out;
  for (const ObservedMessage* m : {&o.request, &o.response}) {
    if (!m->soap()) continue;
    if (!service_level_too && m->http->level == capture::Level::kService) continue;
    out.emplace_back(m, m->http);
  }
  return out;
}

bool has_encrypted_data(const ObservedMessage& m) {
  return !elements(m.envelope->envelope, [](xmlNode* n) { return xml::is_element(n, ns::kXenc, "EncryptedData"); })
              .empty();
}

// The ds:Reference URIs ("#id" -> "id") of every signature in the message's Security headers.
std::set<std::string> signed_ids(const ObservedMessage& m, std::size_t* signatures = nullptr) {
  std::set<std::string> ids;
  for (xmlNode* sec : m.envelope->security_headers) {
    for (xmlNode* sig : xml::child_elements(sec)) {
      if (!xml::is_element(sig, ns::kDs, "Signature")) continue;
      if (signatures != nullptr) ++*signatures;
      for (xmlNode* ref : elements(sig, [](xmlNode* n) { return xml::is_element(n, ns::kDs, "Reference"); })) {
        const std::string uri = xml::attribute(ref, "", "URI").value;
        if (!uri.empty() && uri[0] == '#') ids.insert(uri.substr(1));
      }
    }
  }
  return ids;
}

std::optional<names::ScVersion> sc_version_in(const ObservedMessage& m) {
  std::optional<names::ScVersion> v;
  for_each_element(m.envelope->envelope, [&](xmlNode* n) {
    if (!v && is_sc_ns(xml::namespace_uri(n))) {
      v = xml::namespace_uri(n) == ns::kWscFeb2005 ? names::ScVersion::kFeb2005 : names::ScVersion::k1_3;
    }
  });
  return v;
}

CaseInfo info(std::string id, std::string title, std::vector<std::string> requirements, std::string expects,
              std::string role = "SVC") {
  CaseInfo i;
  i.id = std::move(id);
  i.title = std::move(title);
  i.requirements = std::move(requirements);
  i.role = std::move(role);
  i.sends = "nothing: a passive check over recorded exchanges (parley analyze)";
  i.expects = std::move(expects);
  i.typical_causes = "the implementation that sent the message; see the exchange and element named";
  return i;
}

template <class T>
engine::Case make(CaseInfo i) {
  return engine::passive_case(std::move(i), [](const PassiveSettings& s) { return std::make_unique<T>(s); });
}

// --- passive/wss/security-header ------------------------------------------------------------------

class SecurityHeaderCheck : public TallyObserver {
 public:
  explicit SecurityHeaderCheck(const PassiveSettings&) : TallyObserver("no message with a wsse:Security header") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      const auto& headers = m->envelope->security_headers;
      if (headers.empty()) continue;
      checked();
      std::map<std::string, int> per_role;
      for (xmlNode* sec : headers) {
        std::string role = xml::attribute(sec, ns::kSoap12, "role").value;
        if (role.empty()) role = xml::attribute(sec, ns::kSoap11, "actor").value;
        if (++per_role[role] == 2) {
          fail(o, http, "wsse:Security", "more than one Security header for role '" + role + "' (WSS 1.1 section 5)");
        }
        int timestamps = 0;
        for (xmlNode* c : xml::child_elements(sec)) timestamps += xml::is_element(c, ns::kWsu, "Timestamp") ? 1 : 0;
        if (timestamps > 1) {
          fail(o, http, "wsse:Security", std::to_string(timestamps) + " wsu:Timestamp elements (at most one allowed)");
        }
      }
    }
  }
};

// --- passive/wssc/action-version ------------------------------------------------------------------

class ActionVersionCheck : public TallyObserver {
 public:
  explicit ActionVersionCheck(const PassiveSettings&)
      : TallyObserver("no RST or RSTR of the SCT bindings in the capture") {}
  void observe(const Observation& o) override {
    std::optional<names::ActionInfo> request_action;
    for (auto [m, http] : soap_messages(o, true)) {
      xmlNode* body = m->envelope->body_child;
      if (body == nullptr || !is_trust_ns(xml::namespace_uri(body))) continue;
      const std::string_view local = xml::local_name(body);
      const bool rst = local == "RequestSecurityToken";
      const bool rstr = local == "RequestSecurityTokenResponse" || local == "RequestSecurityTokenResponseCollection";
      if (!rst && !rstr) continue;
      const names::TrustVersion body_version =
          xml::namespace_uri(body) == ns::kWstFeb2005 ? names::TrustVersion::kFeb2005 : names::TrustVersion::k1_3;
      const std::string& action = m->envelope->headers.action;
      auto classified = names::classify_sct_action(action);
      if (!classified) {
        // Other token types (SAML issuance ...) are not the SCT bindings: only an SCT TokenType
        // under a foreign action is a finding.
        bool sct_type = false;
        for_each_element(body, [&](xmlNode* n) {
          if (xml::local_name(n) == "TokenType" && is_trust_ns(xml::namespace_uri(n))) {
            const std::string t = xml::text_content(n);
            sct_type = sct_type || t == names::kScFeb2005.sct_token_type || t == names::kSc13.sct_token_type;
          }
        });
        if (sct_type) {
          checked();
          fail(o, http, "wsa:Action", "'" + action + "' is not an SCT binding action, yet the " + label(body) +
                                          " asks for or returns an SCT (WS-SC section 3)");
        }
        continue;
      }
      checked();
      const bool is_request = http->direction == capture::Direction::kRequest;
      if (classified->trust != body_version) {
        fail(o, http, label(body), "body in " + std::string(names::trust(body_version).label) + " under action '" +
                                       action + "' of " + std::string(names::trust(classified->trust).label));
      }
      if ((classified->direction == names::Direction::kRequest) != rst) {
        fail(o, http, "wsa:Action", "'" + action + "' is a " +
                                        (classified->direction == names::Direction::kRequest ? "request" : "response") +
                                        " action on a " + std::string(local));
      }
      if (is_request) request_action = classified;
      if (rst) {
        auto parsed = wssc::parse_rst(body);
        if (!parsed.ok()) {
          fail(o, http, label(body), parsed.error().message());
          continue;
        }
        const std::string_view expected = names::request_type(body_version, classified->operation);
        if (parsed->request_type != expected) {
          fail(o, http, "wst:RequestType", "'" + parsed->request_type + "' under action '" + action + "' (expected '" +
                                               std::string(expected) + "')");
        }
      } else if (!is_request && request_action && classified->operation != request_action->operation) {
        fail(o, http, "wsa:Action", "response action '" + action + "' does not answer the request's operation");
      }
    }
  }
};

// --- passive/wssc/rstrc-wrapping ------------------------------------------------------------------

class RstrcWrappingCheck : public TallyObserver {
 public:
  explicit RstrcWrappingCheck(const PassiveSettings&)
      : TallyObserver("no successful issuance response (RSTR/SCT) in the capture") {}
  void observe(const Observation& o) override {
    if (!o.response.soap()) return;
    const auto& env = *o.response.envelope;
    auto classified = names::classify_sct_action(env.headers.action);
    if (!classified || classified->operation != names::ScOperation::kIssue ||
        classified->direction != names::Direction::kResponse || env.body_child == nullptr) {
      return;
    }
    checked();
    auto parsed = wssc::parse_trust_response(env.body_child);
    if (!parsed.ok()) {
      fail(o, o.response.http, label(env.body_child), parsed.error().message());
      return;
    }
    if (classified->trust == names::TrustVersion::k1_3) {
      if (!parsed->collection) {
        fail(o, o.response.http, label(env.body_child),
             "WS-Trust 1.3 issuance answered with a bare RSTR: the final response must be an RSTRC");
      } else if (parsed->responses.size() != 1) {
        fail(o, o.response.http, label(env.body_child),
             "RSTRC with " + std::to_string(parsed->responses.size()) + " RSTRs (exactly one for an SCT)");
      }
    } else if (parsed->collection) {
      fail(o, o.response.http, label(env.body_child), "Feb 2005 issuance answered with an RSTRC (a bare RSTR expected)");
    }
  }
};

// --- passive/wssc/sct ---------------------------------------------------------------------------

class SctCheck : public TallyObserver {
 public:
  explicit SctCheck(const PassiveSettings&) : TallyObserver("no wsc:SecurityContextToken in the capture") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, true)) {
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) { return is_sc(e, "SecurityContextToken"); })) {
        checked();
        auto sct = wssc::parse_sct(n);
        if (!sct.ok()) fail(o, http, label(n), sct.error().message());
      }
      // TokenType of an RST / RSTR names the SCT of the same version as the Trust namespace.
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) {
             return xml::local_name(e) == "TokenType" && is_trust_ns(xml::namespace_uri(e));
           })) {
        const std::string t = xml::text_content(n);
        const bool feb = xml::namespace_uri(n) == ns::kWstFeb2005;
        const std::string_view other = feb ? names::kSc13.sct_token_type : names::kScFeb2005.sct_token_type;
        if (t == other) {
          checked();
          fail(o, http, "wst:TokenType", "'" + t + "' in a " + (feb ? "Feb 2005" : "1.3") +
                                             " Trust message: SC and Trust versions mixed");
        }
      }
    }
  }
};

// --- passive/wssc/references ----------------------------------------------------------------------

class ReferencesCheck : public TallyObserver {
 public:
  explicit ReferencesCheck(const PassiveSettings&) : TallyObserver("no wsse:SecurityTokenReference in the capture") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, true)) {
      const bool encrypted = has_encrypted_data(*m);
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) {
             return xml::is_element(e, ns::kWsse, "SecurityTokenReference");
           })) {
        checked();
        auto str = wssc::parse_str(n);
        if (!str.ok()) {
          fail(o, http, label(n), str.error().message());
          continue;
        }
        const std::string sct13 = std::string(names::kSc13.sct_token_type);
        const std::string sct05 = std::string(names::kScFeb2005.sct_token_type);
        const bool sct_type = str->value_type == sct13 || str->value_type == sct05;
        if (str->form == wssc::SecurityTokenReference::Form::kKeyIdentifier && sct_type) {
          fail(o, http, label(n), "an SCT referenced by KeyIdentifier (only by #wsu:Id or by Identifier)");
          continue;
        }
        if (str->form != wssc::SecurityTokenReference::Form::kReference) continue;
        auto local = str->local_id();
        if (!local) continue;  // an Identifier reference: resolved against earlier messages, not here
        auto targets = xml::find_all_by_id(*m->doc, *local);
        if (targets.empty()) {
          if (!encrypted) fail(o, http, label(n), "#" + *local + " names no element of the message");
          continue;
        }
        if (targets.size() > 1) {
          fail(o, http, label(n), "#" + *local + " names " + std::to_string(targets.size()) + " elements");
          continue;
        }
        xmlNode* target = targets.front();
        if (is_sc(target, "SecurityContextToken")) {
          const std::string expected = xml::namespace_uri(target) == ns::kWscFeb2005 ? sct05 : sct13;
          if (str->value_type.empty()) {
            warn(o, http, label(n), "reference to an SCT without @ValueType (expected '" + expected + "')");
          } else if (str->value_type != expected) {
            fail(o, http, label(n), "ValueType '" + str->value_type + "' on a reference to " + label(target) +
                                        " (expected '" + expected + "')");
          }
        } else if (is_sc(target, "DerivedKeyToken")) {
          const std::string expected = std::string(xml::namespace_uri(target) == ns::kWscFeb2005
                                                       ? names::kScFeb2005.dk_token_type
                                                       : names::kSc13.dk_token_type);
          if (!str->value_type.empty() && str->value_type != expected) {
            fail(o, http, label(n), "ValueType '" + str->value_type + "' on a reference to " + label(target) +
                                        " (expected '" + expected + "')");
          }
        }
      }
    }
  }
};

// --- DKTs: fields, nonce sizes, tuple uniqueness -------------------------------------------------

wssc::DktLimits permissive_limits() {
  wssc::DktLimits l;
  l.max_offset = ~std::uint64_t{0} / 2;
  l.max_label_chars = 1u << 20;
  l.max_nonce_bytes = 1u << 20;
  l.min_length = 1;
  l.max_length = 1u << 20;
  l.require_nonce = false;
  l.min_nonce_bytes = 0;
  return l;
}

class DktFieldsCheck : public TallyObserver {
 public:
  explicit DktFieldsCheck(const PassiveSettings&) : TallyObserver("no wsc:DerivedKeyToken in the capture") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) { return is_sc(e, "DerivedKeyToken"); })) {
        checked();
        auto dkt = wssc::parse_dkt(n, permissive_limits());
        if (!dkt.ok()) fail(o, http, label(n), dkt.error().message());
      }
    }
  }
};

class DktNonceCheck : public TallyObserver {
 public:
  explicit DktNonceCheck(const PassiveSettings&) : TallyObserver("no wsc:DerivedKeyToken in the capture") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) { return is_sc(e, "DerivedKeyToken"); })) {
        auto dkt = wssc::parse_dkt(n, permissive_limits());
        if (!dkt.ok()) continue;  // passive/wssc/dkt-fields reports it
        checked();
        if (!dkt->nonce) {
          fail(o, http, label(n), "no wsc:Nonce: the derivation has no fresh input");
        } else if (dkt->nonce->size() < 16) {
          fail(o, http, label(n) + "/wsc:Nonce", std::to_string(dkt->nonce->size()) + "-byte nonce (at least 16)");
        }
      }
    }
  }
};

class DktUniquenessCheck : public TallyObserver {
 public:
  explicit DktUniquenessCheck(const PassiveSettings& s)
      : TallyObserver("no wsc:DerivedKeyToken whose source could be resolved in the capture"),
        max_sessions_(s.max_sessions) {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      for (xmlNode* n : elements(m->envelope->envelope, [](xmlNode* e) { return is_sc(e, "DerivedKeyToken"); })) {
        auto dkt = wssc::parse_dkt(n, permissive_limits());
        if (!dkt.ok() || !dkt->str) continue;
        auto source = resolve_source(*m, *dkt->str);
        if (!source) continue;
        auto offset = dkt->effective_offset();
        if (!offset.ok()) continue;
        checked();
        const std::string tuple = dkt->effective_label() + '\0' + (dkt->nonce ? hex_encode(*dkt->nonce) : "") + '\0' +
                                  std::to_string(*offset) + '\0' + std::to_string(dkt->effective_length());
        Session& session = session_for(source->first);
        auto [it, fresh] = session.tuples.try_emplace(tuple, Seen{source->second, o.where(http)});
        if (fresh) {
          if (session.tuples.size() > kMaxTuplesPerSession) {
            session.tuples.erase(it);  // bounded: stop remembering, say so once
            if (!session.overflow_noted) {
              session.overflow_noted = true;
              info(o, http, label(n), "more than " + std::to_string(kMaxTuplesPerSession) +
                                          " derivations in one session: later ones are not compared");
            }
          }
          continue;
        }
        if (it->second.instance == source->second) {
          // WCF derives once per key generation and reuses the DKT on later messages: expected.
          info(o, http, label(n), "derivation (source " + source->first + ", same nonce, label, offset, length) "
                                  "reused within one key generation, first seen at " + it->second.where);
        } else {
          fail(o, http, label(n), "derivation tuple of " + it->second.where + " reused under another key instance of " +
                                      source->first);
        }
      }
    }
  }

 private:
  static constexpr std::size_t kMaxTuplesPerSession = 100000;
  struct Seen {
    std::string instance;
    std::string where;
  };
  struct Session {
    std::unordered_map<std::string, Seen> tuples;
    bool overflow_noted = false;
  };

  // The source of a derivation: (SCT Identifier, Instance), through #id or an Identifier URI.
  std::optional<std::pair<std::string, std::string>> resolve_source(const ObservedMessage& m,
                                                                    const wssc::SecurityTokenReference& str) {
    if (str.form != wssc::SecurityTokenReference::Form::kReference) return std::nullopt;
    if (auto local = str.local_id()) {
      auto target = xml::find_by_id(*m.doc, *local);
      if (!target.ok() || !is_sc(*target, "SecurityContextToken")) return std::nullopt;
      auto sct = wssc::parse_sct(*target);
      if (!sct.ok()) return std::nullopt;
      return std::pair{sct->identifier, sct->instance};
    }
    if (str.uri.empty()) return std::nullopt;
    return std::pair{str.uri, str.instance};
  }

  Session& session_for(const std::string& identifier) {
    auto it = sessions_.find(identifier);
    if (it != sessions_.end()) return it->second;
    if (sessions_.size() >= max_sessions_) {
      sessions_.erase(order_.front());  // memory bound: the oldest session is forgotten
      order_.erase(order_.begin());
    }
    order_.push_back(identifier);
    return sessions_[identifier];
  }

  std::size_t max_sessions_;
  std::unordered_map<std::string, Session> sessions_;
  std::vector<std::string> order_;
};

// --- timestamps ---------------------------------------------------------------------------------

std::vector<xmlNode*> timestamps_of(const ObservedMessage& m) {
  std::vector<xmlNode*> out;
  for (xmlNode* sec : m.envelope->security_headers) {
    for (xmlNode* c : xml::child_elements(sec)) {
      if (xml::is_element(c, ns::kWsu, "Timestamp")) out.push_back(c);
    }
  }
  return out;
}

class TimestampFormatCheck : public TallyObserver {
 public:
  explicit TimestampFormatCheck(const PassiveSettings&) : TallyObserver("no wsu:Timestamp in the capture") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      for (xmlNode* ts : timestamps_of(*m)) {
        checked();
        auto parsed = wssc::parse_timestamp(ts);
        if (!parsed.ok()) fail(o, http, label(ts), parsed.error().message());
      }
    }
  }
};

class TimestampFreshnessCheck : public TallyObserver {
 public:
  explicit TimestampFreshnessCheck(const PassiveSettings& s)
      : TallyObserver("no wsu:Timestamp in a message whose capture time is known"), skew_(s.max_clock_skew) {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      if (http->time.time_since_epoch().count() == 0) continue;
      const auto when = std::chrono::time_point_cast<std::chrono::system_clock::duration>(http->time);
      for (xmlNode* ts : timestamps_of(*m)) {
        auto parsed = wssc::parse_timestamp(ts);
        if (!parsed.ok()) continue;
        auto created = wssc::parse_utc(parsed->created);
        if (!created.ok()) continue;
        checked();
        if (*created > when + skew_) {
          fail(o, http, label(ts) + "/wsu:Created",
               parsed->created + " is " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*created - when).count()) +
                   " s after the message was captured (skew allowed: " + std::to_string(skew_.count()) + " s)");
        }
        if (!parsed->expires.empty()) {
          auto expires = wssc::parse_utc(parsed->expires);
          if (expires.ok() && *expires + skew_ < when) {
            fail(o, http, label(ts) + "/wsu:Expires", parsed->expires + " had passed when the message was captured");
          }
        }
      }
    }
  }

 private:
  std::chrono::seconds skew_;
};

// --- signature coverage (without keys: what the references name) --------------------------------

class SignatureCoverageCheck : public TallyObserver {
 public:
  explicit SignatureCoverageCheck(const PassiveSettings&)
      : TallyObserver("no signed wire-level message in the capture (service-level logs carry no signatures)") {}
  void observe(const Observation& o) override {
    for (auto [m, http] : soap_messages(o, false)) {
      std::size_t signatures = 0;
      const std::set<std::string> ids = signed_ids(*m, &signatures);
      if (signatures == 0) continue;
      checked();
      auto require = [&](xmlNode* n, const std::string& what) {
        if (n == nullptr) return;
        const std::string id = wssc::wsu_id(n);
        if (id.empty() || ids.count(id) == 0) fail(o, http, label(n), what + " not covered by the signature");
      };
      require(m->envelope->body, "the Body");
      for (xmlNode* ts : timestamps_of(*m)) require(ts, "the Timestamp");
      if (m->envelope->header != nullptr) {
        for (xmlNode* h : xml::child_elements(m->envelope->header)) {
          const std::string_view uri = xml::namespace_uri(h);
          if ((uri == ns::kWsa10 || uri == ns::kWsa200408) &&
              (xml::local_name(h) == "Action" || xml::local_name(h) == "To")) {
            require(h, "wsa:" + std::string(xml::local_name(h)));
          }
        }
      }
    }
  }
};

// --- faults -------------------------------------------------------------------------------------

class FaultShapeCheck : public TallyObserver {
 public:
  explicit FaultShapeCheck(const PassiveSettings&)
      : TallyObserver("no SOAP fault with a WS-SC fault code in the capture") {}
  void observe(const Observation& o) override {
    if (!o.response.soap()) return;
    auto fault = wssc::parse_fault(*o.response.envelope);
    if (!fault.ok()) return;
    const wssc::FaultName& specific = fault->specific();
    const bool sc_code = is_sc_ns(fault->code.ns);
    const bool sc_specific = is_sc_ns(specific.ns);
    if (!sc_code && !sc_specific) return;
    checked();
    const capture::Message* http = o.response.http;
    if (fault->soap == names::SoapVersion::k1_2 && sc_code) {
      fail(o, http, "s:Fault/s:Code/s:Value",
           "{" + fault->code.ns + "}" + fault->code.local +
               " as the SOAP 1.2 Code: it must be s:Sender (or Receiver) with the WS-SC name as Subcode");
    }
    if (o.request.soap()) {
      if (auto v = sc_version_in(o.request)) {
        const std::string_view expected = names::sc(*v).ns;
        if (specific.ns != expected) {
          fail(o, http, "s:Fault", "fault " + specific.local + " in namespace " + specific.ns +
                                       " while the request used " + std::string(expected));
        }
      }
    }
  }
};

class RenewNeededCheck : public TallyObserver {
 public:
  explicit RenewNeededCheck(const PassiveSettings&) : TallyObserver("no wsc:RenewNeeded fault in the capture") {}
  void observe(const Observation& o) override {
    if (!o.response.soap()) return;
    auto fault = wssc::parse_fault(*o.response.envelope);
    if (!fault.ok() || fault->specific().local != "RenewNeeded" || !is_sc_ns(fault->specific().ns)) return;
    checked();
    const std::string& action = o.response.envelope->headers.action;
    if (action != names::wcf::kSecureConversationFaultAction) {
      fail(o, o.response.http, "wsa:Action", "'" + action + "' on RenewNeeded (WCF: " +
                                                 std::string(names::wcf::kSecureConversationFaultAction) + ")");
    }
  }
};

// --- signatures with keys -----------------------------------------------------------------------

// Keys by SCT Identifier (and Instance): from --keys, and learned from issuance and renewal
// exchanges whose key material travelled in the clear.
class CaptureKeyResolver : public wssc::ContextResolver {
 public:
  std::map<std::pair<std::string, std::string>, Bytes> keys;  // (identifier, instance) -> key
  Result<wssc::ContextKey> resolve(names::ScVersion version, std::string_view identifier, std::string_view instance,
                                   const wssc::SecurityContextToken* embedded) override {
    auto it = keys.find({std::string(identifier), std::string(instance)});
    if (it == keys.end()) it = keys.find({std::string(identifier), ""});
    if (it == keys.end()) {
      return Error(ErrorCode::kNotFound, "no key for context " + std::string(identifier) +
                                             (instance.empty() ? "" : " instance " + std::string(instance)));
    }
    wssc::ContextKey ck;
    if (embedded != nullptr) {
      ck.sct = *embedded;
    } else {
      ck.sct.version = version;
      ck.sct.identifier = std::string(identifier);
      ck.sct.instance = std::string(instance);
    }
    ck.key = it->second;
    return ck;
  }
};

class SignatureVerifyCheck : public TallyObserver {
 public:
  explicit SignatureVerifyCheck(const PassiveSettings& s)
      : TallyObserver(s.keys == nullptr ? "no keys: give --keys (SCT secrets) or capture an issuance whose key "
                                          "material is in the clear"
                                        : "no signed message under a context whose key is known"),
        skew_(s.max_clock_skew) {
    if (s.keys != nullptr) {
      for (const auto& c : s.keys->contexts) resolver_.keys[{c.identifier, c.instance}] = c.key;
    }
  }

  void observe(const Observation& o) override {
    learn(o);
    for (const ObservedMessage* m : {&o.request, &o.response}) {
      if (!m->soap() || m->envelope->security_headers.empty()) continue;
      std::size_t signatures = 0;
      (void)signed_ids(*m, &signatures);
      if (signatures == 0) continue;
      if (m->http->level == capture::Level::kService) {
        ++service_level_;
        continue;
      }
      // Only messages keyed by a security context: look for an SCT reference or an SCT.
      bool sc_keyed = false;
      for_each_element(m->envelope->envelope, [&](xmlNode* n) {
        sc_keyed = sc_keyed || is_sc(n, "SecurityContextToken") || is_sc(n, "DerivedKeyToken");
      });
      if (!sc_keyed) continue;
      auto copy = m->doc->clone();
      if (!copy.ok()) continue;
      wssc::OpenPolicy policy;
      policy.dkt_limits = permissive_limits();
      policy.require_timestamp = false;
      policy.require_signed_addressing = false;
      policy.max_clock_skew = skew_;
      if (m->http->time.time_since_epoch().count() != 0) {
        policy.now = std::chrono::time_point_cast<std::chrono::system_clock::duration>(m->http->time);
      } else {
        policy.faults.skip_timestamp_expiry = true;
      }
      auto opened = wssc::open_envelope(*copy, resolver_, policy);
      if (!opened.ok()) {
        const Error& e = opened.error();
        if (e.code() == ErrorCode::kVerification || e.code() == ErrorCode::kCrypto) {
          checked();
          fail(o, m->http, "ds:Signature", e.message());
        } else if (e.code() == ErrorCode::kNotFound && e.message().find("no key for context") != std::string::npos) {
          ++no_key_;
          if (first_missing_.empty()) first_missing_ = e.what();
        } else {
          checked();
          info(o, m->http, "wsse:Security", "not verified: " + e.message());
        }
        continue;
      }
      checked();
      ++verified_;
      std::string covers;
      for (const auto& id : opened->covered_ids) {
        auto target = xml::find_by_id(*m->doc, id);
        covers += (covers.empty() ? "" : ", ") + (target.ok() ? label(*target) : "#" + id);
      }
      if (evidence_.notes.size() < 50) {
        evidence_.notes.push_back("verified: " + o.where(m->http) + " signed with " +
                                  (opened->signed_with_derived_key ? "a derived key" : "the context key") + " of " +
                                  opened->context.sct.identifier + (opened->body_was_encrypted ? " (Body decrypted)" : "") +
                                  "; covers " + covers);
      }
    }
  }

  Outcome finish() override {
    pass_reason_suffix = "; " + std::to_string(verified_) + " signature(s) verified with derived keys";
    if (learned_ > 0) pass_reason_suffix += " (" + std::to_string(learned_) + " key(s) learned from issuance exchanges)";
    if (no_key_ > 0) pass_reason_suffix += "; " + std::to_string(no_key_) + " message(s) under contexts without a key";
    if (checked_count() == 0 && no_key_ > 0) {
      set_not_applicable_reason(std::to_string(no_key_) + " signed message(s), but " + first_missing_ +
                                " (give it with --keys)");
    } else if (checked_count() == 0 && service_level_ > 0) {
      set_not_applicable_reason(std::to_string(service_level_) +
                                " signed message(s), all service level (WCF logs them after security processing): "
                                "signatures cannot be verified");
    }
    return TallyObserver::finish();
  }

 private:
  // An issuance or renewal whose key material is readable: derive the key it conveys.
  void learn(const Observation& o) {
    if (!o.request.soap() || !o.response.soap() || o.request.envelope->body_child == nullptr ||
        o.response.envelope->body_child == nullptr) {
      return;
    }
    auto rst = wssc::parse_rst(o.request.envelope->body_child);
    if (!rst.ok()) return;
    auto response = wssc::parse_trust_response(o.response.envelope->body_child);
    if (!response.ok()) return;
    std::optional<Bytes> client_entropy;
    if (rst->entropy && rst->entropy->kind == wssc::KeyMaterial::Kind::kBinarySecret) client_entropy = rst->entropy->secret;
    for (const auto& rstr : response->responses) {
      if (!rstr.requested_token) continue;
      auto key = wssc::issued_key(rstr, client_entropy, rst->key_size.value_or(256));
      if (!key.ok()) continue;
      auto slot = std::pair{rstr.requested_token->identifier, rstr.requested_token->instance};
      if (resolver_.keys.count(slot) == 0) {
        resolver_.keys[slot] = *key;
        ++learned_;
      }
    }
  }

  CaptureKeyResolver resolver_;
  std::chrono::seconds skew_;
  std::size_t verified_ = 0, learned_ = 0, no_key_ = 0, service_level_ = 0;
  std::string first_missing_;
};

}  // namespace

Status register_wssc(engine::Registry& r) {
  PARLEY_TRY(r.add(make<SecurityHeaderCheck>(
      info("passive/wss/security-header", "One wsse:Security header per role, at most one Timestamp in each",
           {"WSS-5-01", "WSS-10-01"}, "every Security header alone for its role, with zero or one wsu:Timestamp",
           "all"))));
  PARLEY_TRY(r.add(make<ActionVersionCheck>(
      info("passive/wssc/action-version", "SCT binding actions match the Trust version and the RequestType",
           {"SC-3-01", "WST-3.1-01", "SC-3-02"},
           "RST/RSTR bodies in the Trust namespace of their wsa:Action, RequestType matching the operation, "
           "responses answering the request's operation",
           "all"))));
  PARLEY_TRY(r.add(make<RstrcWrappingCheck>(
      info("passive/wssc/rstrc-wrapping", "Issuance responses: RSTRC with one RSTR (1.3), bare RSTR (Feb 2005)",
           {"SC-3-05", "WST-4.3-01"}, "the final issuance response wrapped as its Trust version requires", "ISS"))));
  PARLEY_TRY(r.add(make<SctCheck>(info("passive/wssc/sct",
                                       "SCTs have one absolute Identifier; token types match the Trust version",
                                       {"SC-2-01", "SC-2-02", "SC-2-09"},
                                       "every wsc:SecurityContextToken well formed, no mixed SC/Trust versions",
                                       "all"))));
  PARLEY_TRY(r.add(make<ReferencesCheck>(
      info("passive/wssc/references", "Token references resolve and carry the ValueType of what they name",
           {"SC-8-02", "WSS-7-02", "SC-2-07", "SC-7-14"},
           "#id references naming exactly one element; SCT and DKT ValueTypes of the right version; no "
           "KeyIdentifier to an SCT",
           "all"))));
  PARLEY_TRY(r.add(make<DktFieldsCheck>(
      info("passive/wssc/dkt-fields", "DerivedKeyToken fields in schema order with valid values",
           {"SC-7-01", "SC-7-02", "SC-7-03", "SC-7-20"},
           "children in XSD order, not both Generation and Offset, unsignedLong values, a P_SHA1 URI of the version",
           "all"))));
  PARLEY_TRY(r.add(make<DktNonceCheck>(info("passive/wssc/dkt-nonce", "Every DKT carries a nonce of at least 16 bytes",
                                            {"SC-7-08", "SC-7-09"}, "a wsc:Nonce of 16 bytes or more on every DKT",
                                            "all"))));
  PARLEY_TRY(r.add(make<DktUniquenessCheck>(
      info("passive/wssc/dkt-uniqueness", "No (source, label, nonce, offset, length) reuse across key instances",
           {"SC-7-09"},
           "each derivation tuple used once per session; reuse within one key generation (WCF) is reported as INFO",
           "all"))));
  PARLEY_TRY(r.add(make<TimestampFormatCheck>(
      info("passive/wss/timestamp", "Timestamps in UTC with Created <= Expires", {"WSS-10-02"},
           "every wsu:Timestamp parses, in UTC, Created not after Expires", "all"))));
  PARLEY_TRY(r.add(make<TimestampFreshnessCheck>(
      info("passive/wss/timestamp-freshness", "Timestamps fresh at capture time", {"WSS-10-03"},
           "Created not in the future and Expires not past (beyond the clock skew) when the message was captured",
           "all"))));
  PARLEY_TRY(r.add(make<SignatureCoverageCheck>(
      info("passive/wssc/signature-coverage", "Signatures cover the Body, the Timestamp and wsa:Action / wsa:To",
           {"SC-10-01", "WSS-10-04"}, "the signature's references name the Body, Timestamp and addressing headers",
           "all"))));
  PARLEY_TRY(r.add(make<FaultShapeCheck>(
      info("passive/wssc/fault-shape", "WS-SC faults: Sender + Subcode (SOAP 1.2), the SC namespace in use",
           {"SC-9-06"}, "wsc fault names as SOAP 1.2 Subcodes (SOAP 1.1 faultcode) in the request's SC namespace",
           "SVC"))));
  PARLEY_TRY(r.add(make<RenewNeededCheck>(
      info("passive/wcf/renew-needed", "RenewNeeded faults use WCF's SecureConversationFault action", {"WCF-02"},
           "wsa:Action .../2006/05/security/SecureConversationFault on RenewNeeded faults", "SVC"))));
  PARLEY_TRY(r.add(make<SignatureVerifyCheck>(
      info("passive/wssc/signature-verify", "With keys: every signature verifies under the derived keys",
           {"WSS-8-01", "SC-7-10"},
           "KeyInfo/STR -> DKT -> SCT resolves, the derived key verifies the signature; the report lists what each "
           "signature covers",
           "all"))));
  return ok_status();
}

}  // namespace parley::suites::passive
