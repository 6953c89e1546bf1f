#include "harness/core/names.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace parley::names {
namespace {

// The expected values below are spelled out on purpose: they are the facts the table must hold.

// --- catalog section 1: namespaces -------------------------------------------------------------

TEST(Names, NamespacesMatchCatalog) {
  EXPECT_EQ(sc(ScVersion::kFeb2005).ns, "http://schemas.xmlsoap.org/ws/2005/02/sc");
  EXPECT_EQ(sc(ScVersion::k1_3).ns,
            "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512");
  EXPECT_EQ(sc(ScVersion::k1_4).ns,
            "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512");
  EXPECT_EQ(trust(TrustVersion::kFeb2005).ns, "http://schemas.xmlsoap.org/ws/2005/02/trust");
  EXPECT_EQ(trust(TrustVersion::k1_3).ns, "http://docs.oasis-open.org/ws-sx/ws-trust/200512");
  EXPECT_EQ(ns::kWsse,
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd");
  EXPECT_EQ(ns::kWsu,
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd");
  EXPECT_EQ(ns::kWsse11, "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd");
  EXPECT_EQ(ns::kSp12, "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702");
  EXPECT_EQ(ns::kSp200507, "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy");
  EXPECT_EQ(ns::kMssp, "http://schemas.microsoft.com/ws/2005/07/securitypolicy");
  EXPECT_EQ(ns::kDnse, "http://schemas.microsoft.com/ws/2006/05/security");
}

TEST(Names, ScVersionPairsWithTrustVersion) {
  EXPECT_EQ(trust_version_for(ScVersion::kFeb2005), TrustVersion::kFeb2005);
  EXPECT_EQ(trust_version_for(ScVersion::k1_3), TrustVersion::k1_3);
  EXPECT_EQ(trust_version_for(ScVersion::k1_4), TrustVersion::k1_3);
  static_assert(&trust(ScVersion::k1_4) == &kTrust13);
  static_assert(&trust(ScVersion::kFeb2005) == &kTrustFeb2005);
  for (ScVersion v : kAllScVersions) EXPECT_EQ(sc(v).version, v);
  for (TrustVersion v : kAllTrustVersions) EXPECT_EQ(trust(v).version, v);
}

// --- catalog section 1: actions ----------------------------------------------------------------

TEST(Names, SctActionsFeb2005) {
  constexpr auto v = TrustVersion::kFeb2005;
  EXPECT_EQ(sct_action(v, ScOperation::kIssue, Direction::kRequest),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT");
  EXPECT_EQ(sct_action(v, ScOperation::kIssue, Direction::kResponse),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT");
  EXPECT_EQ(sct_action(v, ScOperation::kAmend, Direction::kRequest),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Amend");
  EXPECT_EQ(sct_action(v, ScOperation::kAmend, Direction::kResponse),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Amend");
  EXPECT_EQ(sct_action(v, ScOperation::kRenew, Direction::kRequest),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Renew");
  EXPECT_EQ(sct_action(v, ScOperation::kRenew, Direction::kResponse),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Renew");
  EXPECT_EQ(sct_action(v, ScOperation::kCancel, Direction::kRequest),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Cancel");
  EXPECT_EQ(sct_action(v, ScOperation::kCancel, Direction::kResponse),
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Cancel");
}

TEST(Names, SctActions13And14) {
  for (ScVersion v : {ScVersion::k1_3, ScVersion::k1_4}) {
    EXPECT_EQ(sct_action(v, ScOperation::kIssue, Direction::kRequest),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT");
    EXPECT_EQ(sct_action(v, ScOperation::kIssue, Direction::kResponse),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT");
    EXPECT_EQ(sct_action(v, ScOperation::kAmend, Direction::kRequest),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Amend");
    EXPECT_EQ(sct_action(v, ScOperation::kAmend, Direction::kResponse),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Amend");
    EXPECT_EQ(sct_action(v, ScOperation::kRenew, Direction::kRequest),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Renew");
    EXPECT_EQ(sct_action(v, ScOperation::kRenew, Direction::kResponse),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Renew");
    EXPECT_EQ(sct_action(v, ScOperation::kCancel, Direction::kRequest),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Cancel");
    EXPECT_EQ(sct_action(v, ScOperation::kCancel, Direction::kResponse),
              "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Cancel");
  }
  EXPECT_EQ(wcf::kSecureConversationFaultAction,
            "http://schemas.microsoft.com/ws/2006/05/security/SecureConversationFault");
}

TEST(Names, ResponseActionIsRequestWithRstrForEveryOperationAndVersion) {
  for (ScVersion v : kAllScVersions) {
    for (ScOperation op : kAllScOperations) {
      const std::string_view request = sct_action(v, op, Direction::kRequest);
      std::string expected(request);
      const auto at = expected.find("/RST/");
      ASSERT_NE(at, std::string::npos) << request;
      expected.replace(at, 5, "/RSTR/");
      const std::optional<std::string_view> response = response_action(request);
      ASSERT_TRUE(response.has_value()) << request;
      EXPECT_EQ(*response, expected);
      EXPECT_EQ(*response, sct_action(v, op, Direction::kResponse));
    }
  }
}

TEST(Names, ResponseActionRejectsResponsesAndUnknownActions) {
  EXPECT_FALSE(response_action(kTrust13.rstr_sct).has_value());
  EXPECT_FALSE(response_action(kTrustFeb2005.rstr_sct_cancel).has_value());
  EXPECT_FALSE(response_action("").has_value());
  EXPECT_FALSE(response_action("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"));
  EXPECT_FALSE(response_action("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/"));
  EXPECT_FALSE(response_action("HTTP://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT"));
  EXPECT_FALSE(response_action(wcf::kSecureConversationFaultAction));
}

TEST(Names, ClassifierRoundTripsEveryOperationVersionAndDirection) {
  int seen = 0;
  for (ScVersion v : kAllScVersions) {
    for (ScOperation op : kAllScOperations) {
      for (Direction dir : {Direction::kRequest, Direction::kResponse}) {
        const std::string_view action = sct_action(v, op, dir);
        const std::optional<ActionInfo> info = classify_sct_action(action);
        ASSERT_TRUE(info.has_value()) << action;
        EXPECT_EQ(info->operation, op) << action;
        EXPECT_EQ(info->direction, dir) << action;
        EXPECT_EQ(info->trust, trust_version_for(v)) << action;
        // 1.3 and 1.4 share their actions: both classify as 1.3.
        EXPECT_EQ(info->sc, v == ScVersion::kFeb2005 ? ScVersion::kFeb2005 : ScVersion::k1_3);
        EXPECT_EQ(sct_action(info->trust, info->operation, info->direction), action);
        ++seen;
      }
    }
  }
  EXPECT_EQ(seen, 3 * 4 * 2);
}

TEST(Names, ClassifierRejectsUnknownActions) {
  EXPECT_FALSE(classify_sct_action("").has_value());
  EXPECT_FALSE(classify_sct_action("http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"));
  EXPECT_FALSE(classify_sct_action("http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT "));
  EXPECT_FALSE(classify_sct_action("http://docs.oasis-open.org/ws-sx/ws-trust/200512/rst/sct"));
  EXPECT_FALSE(classify_sct_action(kAddressing10.fault_action));
  EXPECT_FALSE(classify_sct_action(wcf::kSecureConversationFaultAction));
}

// --- catalog section 1: URIs -------------------------------------------------------------------

TEST(Names, ScTokenTypesAndDerivationFeb2005) {
  const ScNames& s = sc(ScVersion::kFeb2005);
  EXPECT_EQ(s.sct_token_type, "http://schemas.xmlsoap.org/ws/2005/02/sc/sct");
  EXPECT_EQ(s.dk_token_type, "http://schemas.xmlsoap.org/ws/2005/02/sc/dk");
  EXPECT_EQ(s.p_sha1, "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1");
  EXPECT_EQ(alg::kPSha1Feb2005, s.p_sha1);
}

TEST(Names, ScTokenTypesAndDerivation13And14) {
  for (ScVersion v : {ScVersion::k1_3, ScVersion::k1_4}) {
    const ScNames& s = sc(v);
    EXPECT_EQ(s.sct_token_type,
              "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct");
    EXPECT_EQ(s.dk_token_type, "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk");
    EXPECT_EQ(s.p_sha1, "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1");
    EXPECT_EQ(alg::kPSha1_13, s.p_sha1);
  }
}

TEST(Names, TrustUrisFeb2005) {
  const TrustNames& t = trust(TrustVersion::kFeb2005);
  EXPECT_EQ(t.request_issue, "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue");
  EXPECT_EQ(t.request_renew, "http://schemas.xmlsoap.org/ws/2005/02/trust/Renew");
  EXPECT_EQ(t.request_cancel, "http://schemas.xmlsoap.org/ws/2005/02/trust/Cancel");
  EXPECT_TRUE(t.request_sts_cancel.empty());  // STSCancel is new in 1.3
  EXPECT_EQ(t.request_validate, "http://schemas.xmlsoap.org/ws/2005/02/trust/Validate");
  EXPECT_EQ(t.binary_secret_nonce, "http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce");
  EXPECT_EQ(t.binary_secret_symmetric_key,
            "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey");
  EXPECT_EQ(t.binary_secret_asymmetric_key,
            "http://schemas.xmlsoap.org/ws/2005/02/trust/AsymmetricKey");
  EXPECT_EQ(t.computed_key_psha1, "http://schemas.xmlsoap.org/ws/2005/02/trust/CK/PSHA1");
  EXPECT_EQ(t.key_type_symmetric, "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey");
  EXPECT_EQ(t.key_type_public, "http://schemas.xmlsoap.org/ws/2005/02/trust/PublicKey");
  EXPECT_TRUE(t.key_type_bearer.empty());  // Bearer is new in 1.3
  EXPECT_EQ(wcf::kNoProofKeyFeb2005, "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey");
}

TEST(Names, TrustUris13) {
  const TrustNames& t = trust(TrustVersion::k1_3);
  EXPECT_EQ(t.request_issue, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue");
  EXPECT_EQ(t.request_renew, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew");
  EXPECT_EQ(t.request_cancel, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Cancel");
  EXPECT_EQ(t.request_sts_cancel, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/STSCancel");
  EXPECT_EQ(t.request_validate, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Validate");
  EXPECT_EQ(t.binary_secret_nonce, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce");
  EXPECT_EQ(t.binary_secret_symmetric_key,
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey");
  EXPECT_EQ(t.binary_secret_asymmetric_key,
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/AsymmetricKey");
  EXPECT_EQ(t.computed_key_psha1, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1");
  EXPECT_EQ(t.key_type_symmetric, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey");
  EXPECT_EQ(t.key_type_public, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey");
  EXPECT_EQ(t.key_type_bearer, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer");
}

TEST(Names, RequestTypePerOperation) {
  for (TrustVersion v : kAllTrustVersions) {
    EXPECT_EQ(request_type(v, ScOperation::kIssue), trust(v).request_issue);
    EXPECT_EQ(request_type(v, ScOperation::kAmend), trust(v).request_issue);
    EXPECT_EQ(request_type(v, ScOperation::kRenew), trust(v).request_renew);
    EXPECT_EQ(request_type(v, ScOperation::kCancel), trust(v).request_cancel);
  }
}

// Every URI a TrustNames / ScNames hands out (empty ones are "not defined" and skipped).
std::vector<std::string_view> uris_of(const TrustNames& t) {
  std::vector<std::string_view> all{t.ns,
                                    t.rst_sct,
                                    t.rstr_sct,
                                    t.rst_sct_amend,
                                    t.rstr_sct_amend,
                                    t.rst_sct_renew,
                                    t.rstr_sct_renew,
                                    t.rst_sct_cancel,
                                    t.rstr_sct_cancel,
                                    t.request_issue,
                                    t.request_renew,
                                    t.request_cancel,
                                    t.request_sts_cancel,
                                    t.request_validate,
                                    t.binary_secret_nonce,
                                    t.binary_secret_symmetric_key,
                                    t.binary_secret_asymmetric_key,
                                    t.computed_key_psha1,
                                    t.key_type_symmetric,
                                    t.key_type_public,
                                    t.key_type_bearer};
  std::erase_if(all, [](std::string_view u) { return u.empty(); });
  return all;
}
std::vector<std::string_view> uris_of(const ScNames& s) {
  return {s.ns, s.sct_token_type, s.dk_token_type, s.p_sha1};
}

TEST(Names, Feb2005And13NeverShareAUri) {
  std::set<std::string_view> feb;
  for (std::string_view u : uris_of(kTrustFeb2005)) feb.insert(u);
  for (std::string_view u : uris_of(kScFeb2005)) feb.insert(u);
  std::set<std::string_view> v13;
  for (std::string_view u : uris_of(kTrust13)) v13.insert(u);
  for (std::string_view u : uris_of(kSc13)) v13.insert(u);
  for (std::string_view u : uris_of(kSc14)) v13.insert(u);
  for (std::string_view u : feb) {
    EXPECT_EQ(v13.count(u), 0U) << u;
    EXPECT_TRUE(u.starts_with("http://schemas.xmlsoap.org/ws/2005/02/")) << u;
  }
  for (std::string_view u : v13)
    EXPECT_TRUE(u.starts_with("http://docs.oasis-open.org/ws-sx/")) << u;
  for (ScFault f : kAllScFaults) {
    EXPECT_NE(sc_fault(ScVersion::kFeb2005, f), sc_fault(ScVersion::k1_3, f));
  }
  for (TrustFault f : kAllTrustFaults) {
    EXPECT_NE(trust_fault(TrustVersion::kFeb2005, f), trust_fault(TrustVersion::k1_3, f));
  }
}

TEST(Names, ActionsAreDistinctWithinAVersion) {
  for (TrustVersion v : kAllTrustVersions) {
    std::set<std::string_view> seen;
    for (ScOperation op : kAllScOperations) {
      EXPECT_TRUE(seen.insert(sct_action(v, op, Direction::kRequest)).second);
      EXPECT_TRUE(seen.insert(sct_action(v, op, Direction::kResponse)).second);
    }
    for (std::string_view a : seen) EXPECT_TRUE(a.starts_with(trust(v).ns)) << a;
  }
}

// --- catalog section 1: faults -----------------------------------------------------------------

TEST(Names, ScFaultQNamesPerVersion) {
  const std::vector<std::string_view> locals{"BadContextToken", "UnsupportedContextToken",
                                             "UnknownDerivationSource", "RenewNeeded",
                                             "UnableToRenew"};
  ASSERT_EQ(kAllScFaults.size(), locals.size());
  for (std::size_t i = 0; i < locals.size(); ++i) {
    EXPECT_EQ(sc_fault(ScVersion::kFeb2005, kAllScFaults[i]),
              (QName{"http://schemas.xmlsoap.org/ws/2005/02/sc", locals[i]}));
    EXPECT_EQ(sc_fault(ScVersion::k1_3, kAllScFaults[i]),
              (QName{"http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512", locals[i]}));
    EXPECT_EQ(sc_fault(ScVersion::k1_4, kAllScFaults[i]),
              sc_fault(ScVersion::k1_3, kAllScFaults[i]));
  }
  static_assert(sc_fault(ScVersion::k1_3, ScFault::kRenewNeeded).local == "RenewNeeded");
}

TEST(Names, TrustFaultQNamesPerVersion) {
  const std::vector<std::string_view> locals{"InvalidRequest",
                                             "FailedAuthentication",
                                             "RequestFailed",
                                             "InvalidSecurityToken",
                                             "AuthenticationBadElements",
                                             "BadRequest",
                                             "ExpiredData",
                                             "InvalidTimeRange",
                                             "InvalidScope",
                                             "RenewNeeded",
                                             "UnableToRenew"};
  ASSERT_EQ(kAllTrustFaults.size(), locals.size());
  for (std::size_t i = 0; i < locals.size(); ++i) {
    EXPECT_EQ(trust_fault(TrustVersion::kFeb2005, kAllTrustFaults[i]),
              (QName{"http://schemas.xmlsoap.org/ws/2005/02/trust", locals[i]}));
    EXPECT_EQ(trust_fault(TrustVersion::k1_3, kAllTrustFaults[i]),
              (QName{"http://docs.oasis-open.org/ws-sx/ws-trust/200512", locals[i]}));
  }
}

TEST(Names, WssAndWcfFaultQNames) {
  const std::vector<std::string_view> wss_locals{"UnsupportedSecurityToken", "UnsupportedAlgorithm",
                                                 "InvalidSecurity",          "InvalidSecurityToken",
                                                 "FailedAuthentication",     "FailedCheck",
                                                 "SecurityTokenUnavailable", "MessageExpired"};
  ASSERT_EQ(kAllWssFaults.size(), wss_locals.size());
  for (std::size_t i = 0; i < wss_locals.size(); ++i) {
    EXPECT_EQ(wss_fault(kAllWssFaults[i]), (QName{"http://docs.oasis-open.org/wss/2004/01/"
                                                  "oasis-200401-wss-wssecurity-secext-1.0.xsd",
                                                  wss_locals[i]}));
  }
  const std::string_view dnse = "http://schemas.microsoft.com/ws/2006/05/security";
  EXPECT_EQ(wcf_fault(WcfFault::kSecuritySessionAborted), (QName{dnse, "SecuritySessionAborted"}));
  EXPECT_EQ(wcf_fault(WcfFault::kServerTooBusy), (QName{dnse, "ServerTooBusy"}));
  EXPECT_EQ(wcf_fault(WcfFault::kSecureConversationCancellationNotAllowed),
            (QName{dnse, "SecureConversationCancellationNotAllowed"}));
  EXPECT_EQ(kAllWcfFaults.size(), 3U);
}

// --- SOAP and WS-Addressing --------------------------------------------------------------------

TEST(Names, SoapVersions) {
  const SoapNames& s11 = soap(SoapVersion::k1_1);
  EXPECT_EQ(s11.envelope_ns, "http://schemas.xmlsoap.org/soap/envelope/");
  EXPECT_EQ(s11.content_type, "text/xml");
  EXPECT_EQ(s11.sender, (QName{"http://schemas.xmlsoap.org/soap/envelope/", "Client"}));
  EXPECT_EQ(s11.receiver, (QName{"http://schemas.xmlsoap.org/soap/envelope/", "Server"}));
  EXPECT_EQ(s11.must_understand.local, "MustUnderstand");
  EXPECT_EQ(s11.version_mismatch.local, "VersionMismatch");
  const SoapNames& s12 = soap(SoapVersion::k1_2);
  EXPECT_EQ(s12.envelope_ns, "http://www.w3.org/2003/05/soap-envelope");
  EXPECT_EQ(s12.content_type, "application/soap+xml");
  EXPECT_EQ(s12.sender, (QName{"http://www.w3.org/2003/05/soap-envelope", "Sender"}));
  EXPECT_EQ(s12.receiver, (QName{"http://www.w3.org/2003/05/soap-envelope", "Receiver"}));
  EXPECT_EQ(s12.must_understand.ns, s12.envelope_ns);
  for (SoapVersion v : kAllSoapVersions) EXPECT_EQ(soap(v).version, v);
}

TEST(Names, AddressingVersions) {
  const AddressingNames& a04 = addressing(AddressingVersion::k2004_08);
  EXPECT_EQ(a04.ns, "http://schemas.xmlsoap.org/ws/2004/08/addressing");
  EXPECT_EQ(a04.anonymous, "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous");
  EXPECT_TRUE(a04.none.empty());
  EXPECT_EQ(a04.fault_action, "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault");
  EXPECT_EQ(a04.action_not_supported.ns, a04.ns);
  const AddressingNames& a10 = addressing(AddressingVersion::k1_0);
  EXPECT_EQ(a10.ns, "http://www.w3.org/2005/08/addressing");
  EXPECT_EQ(a10.anonymous, "http://www.w3.org/2005/08/addressing/anonymous");
  EXPECT_EQ(a10.none, "http://www.w3.org/2005/08/addressing/none");
  EXPECT_EQ(a10.fault_action, "http://www.w3.org/2005/08/addressing/fault");
  EXPECT_EQ(a10.destination_unreachable,
            (QName{"http://www.w3.org/2005/08/addressing", "DestinationUnreachable"}));
  for (AddressingVersion v : kAllAddressingVersions) EXPECT_EQ(addressing(v).version, v);
}

// --- WSS token profiles and algorithms ---------------------------------------------------------

TEST(Names, WssTokenProfileUris) {
  const std::string_view p = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-";
  EXPECT_EQ(wss::kBase64Binary, std::string(p) + "soap-message-security-1.0#Base64Binary");
  EXPECT_EQ(wss::kX509v3, std::string(p) + "x509-token-profile-1.0#X509v3");
  EXPECT_EQ(wss::kX509SubjectKeyIdentifier,
            std::string(p) + "x509-token-profile-1.0#X509SubjectKeyIdentifier");
  EXPECT_EQ(wss::kPasswordText, std::string(p) + "username-token-profile-1.0#PasswordText");
  EXPECT_EQ(wss::kPasswordDigest, std::string(p) + "username-token-profile-1.0#PasswordDigest");
  EXPECT_EQ(alg::kStrTransform, std::string(p) + "soap-message-security-1.0#STR-Transform");
  const std::string_view p11 =
      "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#";
  EXPECT_EQ(wss::kThumbprintSha1, std::string(p11) + "ThumbprintSHA1");
  EXPECT_EQ(wss::kEncryptedKey, std::string(p11) + "EncryptedKey");
  EXPECT_EQ(wss::kEncryptedKeySha1, std::string(p11) + "EncryptedKeySHA1");
}

TEST(Names, AlgorithmUris) {
  EXPECT_EQ(alg::kC14n, "http://www.w3.org/TR/2001/REC-xml-c14n-20010315");
  EXPECT_EQ(alg::kC14nWithComments, "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments");
  EXPECT_EQ(alg::kExcC14n, "http://www.w3.org/2001/10/xml-exc-c14n#");
  EXPECT_EQ(alg::kExcC14nWithComments, "http://www.w3.org/2001/10/xml-exc-c14n#WithComments");
  EXPECT_EQ(alg::kEnvelopedSignature, "http://www.w3.org/2000/09/xmldsig#enveloped-signature");
  EXPECT_EQ(alg::kSha1, "http://www.w3.org/2000/09/xmldsig#sha1");
  EXPECT_EQ(alg::kSha256, "http://www.w3.org/2001/04/xmlenc#sha256");
  EXPECT_EQ(alg::kSha512, "http://www.w3.org/2001/04/xmlenc#sha512");
  EXPECT_EQ(alg::kHmacSha1, "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
  EXPECT_EQ(alg::kHmacSha256, "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256");
  EXPECT_EQ(alg::kHmacSha512, "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512");
  EXPECT_EQ(alg::kRsaSha1, "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
  EXPECT_EQ(alg::kRsaSha256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  EXPECT_EQ(alg::kAes128Cbc, "http://www.w3.org/2001/04/xmlenc#aes128-cbc");
  EXPECT_EQ(alg::kAes192Cbc, "http://www.w3.org/2001/04/xmlenc#aes192-cbc");
  EXPECT_EQ(alg::kAes256Cbc, "http://www.w3.org/2001/04/xmlenc#aes256-cbc");
  EXPECT_EQ(alg::kAes128Gcm, "http://www.w3.org/2009/xmlenc11#aes128-gcm");
  EXPECT_EQ(alg::kAes256Gcm, "http://www.w3.org/2009/xmlenc11#aes256-gcm");
  EXPECT_EQ(alg::kTripleDesCbc, "http://www.w3.org/2001/04/xmlenc#tripledes-cbc");
  EXPECT_EQ(alg::kRsaOaepMgf1p, "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
  EXPECT_EQ(alg::kRsa15, "http://www.w3.org/2001/04/xmlenc#rsa-1_5");
  EXPECT_EQ(alg::kKwAes128, "http://www.w3.org/2001/04/xmlenc#kw-aes128");
  EXPECT_EQ(alg::kKwAes192, "http://www.w3.org/2001/04/xmlenc#kw-aes192");
  EXPECT_EQ(alg::kKwAes256, "http://www.w3.org/2001/04/xmlenc#kw-aes256");
  EXPECT_EQ(alg::kKwTripleDes, "http://www.w3.org/2001/04/xmlenc#kw-tripledes");
  EXPECT_EQ(alg::kXencElement, "http://www.w3.org/2001/04/xmlenc#Element");
  EXPECT_EQ(alg::kXencContent, "http://www.w3.org/2001/04/xmlenc#Content");
}

TEST(Names, AlgorithmSuitesFollowWsSp12AndWcf) {
  const AlgorithmSuite* b256 = find_algorithm_suite("Basic256");
  ASSERT_NE(b256, nullptr);
  EXPECT_EQ(b256->digest, alg::kSha1);
  EXPECT_EQ(b256->encryption, alg::kAes256Cbc);
  EXPECT_EQ(b256->symmetric_key_wrap, alg::kKwAes256);
  EXPECT_EQ(b256->asymmetric_key_wrap, alg::kRsaOaepMgf1p);
  EXPECT_EQ(b256->symmetric_signature, alg::kHmacSha1);
  EXPECT_EQ(b256->signature_key_derivation_bits, 192);   // PSha1L192: WCF signing DKT 24 bytes
  EXPECT_EQ(b256->encryption_key_derivation_bits, 256);  // PSha1L256: encryption DKT 32 bytes
  EXPECT_EQ(b256->min_symmetric_key_bits, 256);
  EXPECT_EQ(b256->max_symmetric_key_bits, 256);

  // Wire facts: signing DKT 24/24/16/24 bytes, encryption 32/24/16/24 for 256/192/128/TripleDes.
  struct Lengths {
    std::string_view name;
    int sig_bytes;
    int enc_bytes;
    int min_bits;
  };
  for (const Lengths& l : {Lengths{"Basic256", 24, 32, 256}, Lengths{"Basic192", 24, 24, 192},
                           Lengths{"Basic128", 16, 16, 128}, Lengths{"TripleDes", 24, 24, 192}}) {
    const AlgorithmSuite* s = find_algorithm_suite(l.name);
    ASSERT_NE(s, nullptr) << l.name;
    EXPECT_EQ(s->signature_key_derivation_bits, l.sig_bytes * 8) << l.name;
    EXPECT_EQ(s->encryption_key_derivation_bits, l.enc_bytes * 8) << l.name;
    EXPECT_EQ(s->min_symmetric_key_bits, l.min_bits) << l.name;
  }
  EXPECT_EQ(find_algorithm_suite("TripleDes")->encryption, alg::kTripleDesCbc);
  EXPECT_EQ(find_algorithm_suite("TripleDes")->symmetric_key_wrap, alg::kKwTripleDes);
  EXPECT_EQ(find_algorithm_suite("Basic128Rsa15")->asymmetric_key_wrap, alg::kRsa15);
  EXPECT_EQ(find_algorithm_suite("Basic256Sha256")->digest, alg::kSha256);
  EXPECT_EQ(find_algorithm_suite("Basic256Sha256")->symmetric_signature, alg::kHmacSha256);
  EXPECT_EQ(find_algorithm_suite("Basic192Sha256Rsa15")->asymmetric_key_wrap, alg::kRsa15);
  EXPECT_EQ(find_algorithm_suite("Basic256Sha512"), nullptr);
  EXPECT_EQ(find_algorithm_suite(""), nullptr);
}

TEST(Names, AlgorithmSuiteVariantsDifferOnlyWhereNamed) {
  std::set<std::string_view> names;
  for (const AlgorithmSuite& s : kAlgorithmSuites) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    const bool rsa15 = s.name.ends_with("Rsa15");
    const bool sha256 = s.name.find("Sha256") != std::string_view::npos;
    EXPECT_EQ(s.asymmetric_key_wrap, rsa15 ? alg::kRsa15 : alg::kRsaOaepMgf1p) << s.name;
    EXPECT_EQ(s.digest, sha256 ? alg::kSha256 : alg::kSha1) << s.name;
    const std::string_view base = s.name.substr(0, s.name.starts_with("TripleDes") ? 9 : 8);
    const AlgorithmSuite* plain = find_algorithm_suite(base);
    ASSERT_NE(plain, nullptr) << s.name;
    EXPECT_EQ(s.encryption, plain->encryption) << s.name;
    EXPECT_EQ(s.symmetric_key_wrap, plain->symmetric_key_wrap) << s.name;
    EXPECT_EQ(s.signature_key_derivation_bits, plain->signature_key_derivation_bits) << s.name;
    EXPECT_EQ(s.encryption_key_derivation_bits, plain->encryption_key_derivation_bits) << s.name;
    EXPECT_EQ(s.min_symmetric_key_bits, plain->min_symmetric_key_bits) << s.name;
    EXPECT_EQ(s.max_symmetric_key_bits, 256) << s.name;
    EXPECT_EQ(s.min_asymmetric_key_bits, 1024) << s.name;
    EXPECT_EQ(s.max_asymmetric_key_bits, 4096) << s.name;
  }
  EXPECT_EQ(names.size(), 16U);
}

// --- XPath prefixes ----------------------------------------------------------------------------

TEST(Names, XPathPrefixesAreUniqueAndBindDistinctNamespaces) {
  std::set<std::string_view> prefixes;
  std::set<std::string_view> uris;
  for (const PrefixBinding& b : xpath_prefixes()) {
    EXPECT_FALSE(b.prefix.empty());
    EXPECT_FALSE(b.uri.empty()) << b.prefix;
    EXPECT_TRUE(prefixes.insert(b.prefix).second) << "duplicate prefix " << b.prefix;
    EXPECT_TRUE(uris.insert(b.uri).second) << "namespace bound twice: " << b.uri;
  }
}

TEST(Names, XPathPrefixesBindTheExpectedNamespaces) {
  auto uri_of = [](std::string_view prefix) -> std::string_view {
    for (const PrefixBinding& b : xpath_prefixes()) {
      if (b.prefix == prefix) return b.uri;
    }
    return {};
  };
  EXPECT_EQ(uri_of("s11"), "http://schemas.xmlsoap.org/soap/envelope/");
  EXPECT_EQ(uri_of("s12"), "http://www.w3.org/2003/05/soap-envelope");
  EXPECT_EQ(uri_of("wsa04"), "http://schemas.xmlsoap.org/ws/2004/08/addressing");
  EXPECT_EQ(uri_of("wsa"), "http://www.w3.org/2005/08/addressing");
  EXPECT_EQ(uri_of("wsse"), ns::kWsse);
  EXPECT_EQ(uri_of("wsse11"), ns::kWsse11);
  EXPECT_EQ(uri_of("wsu"), ns::kWsu);
  EXPECT_EQ(uri_of("wsc05"), "http://schemas.xmlsoap.org/ws/2005/02/sc");
  EXPECT_EQ(uri_of("wsc"), "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512");
  EXPECT_EQ(uri_of("wst05"), "http://schemas.xmlsoap.org/ws/2005/02/trust");
  EXPECT_EQ(uri_of("wst"), "http://docs.oasis-open.org/ws-sx/ws-trust/200512");
  EXPECT_EQ(uri_of("ds"), "http://www.w3.org/2000/09/xmldsig#");
  EXPECT_EQ(uri_of("xenc"), "http://www.w3.org/2001/04/xmlenc#");
  EXPECT_EQ(uri_of("xenc11"), "http://www.w3.org/2009/xmlenc11#");
  EXPECT_EQ(uri_of("dnse"), "http://schemas.microsoft.com/ws/2006/05/security");
  EXPECT_EQ(uri_of("sp"), "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702");
  EXPECT_EQ(uri_of("sp05"), "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy");
  EXPECT_EQ(uri_of("mssp"), "http://schemas.microsoft.com/ws/2005/07/securitypolicy");
  EXPECT_EQ(uri_of("wsp"), "http://schemas.xmlsoap.org/ws/2004/09/policy");
  EXPECT_EQ(uri_of("wsp15"), "http://www.w3.org/ns/ws-policy");
  EXPECT_EQ(uri_of("xml"), "http://www.w3.org/XML/1998/namespace");
  EXPECT_EQ(uri_of("ec"), "http://www.w3.org/2001/10/xml-exc-c14n#");
  EXPECT_EQ(uri_of("saml1"), "urn:oasis:names:tc:SAML:1.0:assertion");
  EXPECT_EQ(uri_of("saml2"), "urn:oasis:names:tc:SAML:2.0:assertion");
  EXPECT_EQ(uri_of("samlp"), "urn:oasis:names:tc:SAML:2.0:protocol");
  EXPECT_EQ(uri_of("wsfed"), "http://docs.oasis-open.org/wsfed/federation/200706");
  EXPECT_EQ(uri_of("nope"), "");
}

}  // namespace
}  // namespace parley::names
