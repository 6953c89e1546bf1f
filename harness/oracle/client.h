// parley's reference WS-SC client: issue, call, renew, amend and cancel against any service a
// profile describes. Built from harness/wssc like the oracle; used by the integration tests,
// by `parley client`, and by people checking a service by hand.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/oracle/client_faults.h"
#include "harness/oracle/service.h"

namespace parley::oracle {

// Sends one SOAP request to a URL and returns the HTTP answer (any status); transport errors
// (unreachable, timeout) are Errors.
using SendFunction = std::function<Result<SoapResponse>(const std::string& url, const SoapRequest& request)>;

struct ClientConfig {
  wssc::Versions versions;
  std::string sts_url;
  std::string service_url;
  Bootstrap bootstrap = Bootstrap::kNone;
  std::string username;
  std::string password;
  bool password_digest = true;
  std::string preshared_identifier;
  Bytes preshared_key;
  // Certificate bootstraps: the client certificate and key (x509-mutual), and the service
  // certificate the client encrypts to and verifies the answer with (all three).
  std::optional<x509::Credentials> client_certificate;
  std::optional<x509::Certificate> service_certificate;
  std::uint64_t key_size = 256;        // bits requested (wst:KeySize)
  std::size_t entropy_bytes = 32;      // client entropy (0 = send none)
  bool derived_keys = true;
  bool encrypt = false;
  xmlsec::SignatureMethod signature_method = xmlsec::SignatureMethod::kHmacSha1;
  xmlsec::DigestMethod digest_method = xmlsec::DigestMethod::kSha1;
  std::uint64_t signature_key_length = 24;
  std::uint64_t encryption_key_length = 32;
  std::string action = "urn:parley:echo";  // wsa:Action of application messages
  // Refuse what a careful client refuses (client_checks.cpp): an issuance RSTR whose @Context,
  // TokenType, Lifetime or KeySize is wrong, a response whose wsa:RelatesTo is not the request's
  // wsa:MessageID. `parley client --harness` (the client suite's reference client) runs strict;
  // the service suites do not, so that one deviation of a service does not block every case.
  bool strict = false;
  std::uint64_t min_issued_key_bits = 128;   // strict: smaller issued keys are refused (SC-10-03)
  std::uint64_t max_issued_key_bits = 4096;  // strict: larger ones too, before deriving (SC-10-04)
  // Injected non-conformances (`parley client --fault`, harness/oracle/client_faults.h).
  ClientFaultSet faults;
};

// One request/response pair, for evidence and debugging.
struct Exchange {
  std::string url;
  SoapRequest request;
  std::optional<SoapResponse> response;
};

class Client {
 public:
  Client(ClientConfig config, SendFunction send);

  // Obtains a context (RST/SCT), or installs the pre-shared one.
  Status issue();
  // Sends `body_xml` (one element) protected with the context; returns the response Body's
  // first element, serialized.
  Result<std::string> call(std::string_view body_xml);
  Status renew();
  Status amend();
  Status cancel();

  // The requests the steps send, for callers that edit them (the attack and negative cases).
  struct IssueRequest {
    xml::Document doc;
    std::optional<Bytes> entropy;  // the client entropy in it
    std::optional<certs::PendingRequest> pending;  // certificate bootstraps: what opens the answer
    std::string context;  // the RST's @Context ("" when none was sent)
  };
  // An RST/SCT issue request with the bootstrap's tokens; `edit` may change the RST first, and
  // `edit_document` the envelope once the RST is in it (both before a certificate bootstrap
  // signs and encrypts it).
  Result<IssueRequest> issue_request(const std::function<void(wssc::RequestSecurityToken&)>& edit = {},
                                     const std::function<void(xml::Document&)>& edit_document = {});
  // Verifies and decrypts the answer to `request` in place when a certificate bootstrap
  // protected it; nothing to do for the other bootstraps.
  Status open_issue_response(xml::Document& response, const IssueRequest& request) const;
  // Protects `doc` (addressing headers with ids `signed_ids`, Body filled) with the issuance
  // bootstrap's credentials only, as an RST/SCT would be: a wsu:Timestamp plus a UsernameToken
  // (username-token), the certificate bootstrap's signature (its Body left unencrypted), or the
  // Timestamp alone (none). The proof-of-possession cases send context operations this way.
  Status secure_with_bootstrap(xml::Document& doc, const std::vector<std::string>& signed_ids);
  // The certificate bootstraps' credentials and suite, from the configuration.
  Result<certs::ClientCredentials> certificate_credentials() const;
  certs::Suite certificate_suite() const;
  // An application request protected with `context` and `options`.
  Result<xml::Document> application_request(std::string_view body_xml, const wssc::ContextKey& context,
                                            const wssc::ProtectOptions& options);
  // ProtectOptions from the configuration (derived keys, encryption, suite).
  wssc::ProtectOptions protect_options() const;
  // Reads the context an issuance response conveys (SC-3-04): the token and its key.
  Result<wssc::ContextKey> context_from_issue_response(const xml::Document& response,
                                                       const std::optional<Bytes>& entropy,
                                                       std::string_view rst_context = {});

  const std::optional<wssc::ContextKey>& context() const { return context_; }
  void set_context(wssc::ContextKey context) { context_ = std::move(context); }
  const std::vector<Exchange>& exchanges() const { return exchanges_; }
  const ClientConfig& config() const { return config_; }

 private:
  struct Prepared {
    xml::Document doc;
    std::vector<std::string> signed_ids;
  };
  Prepared prepare(std::string_view action, const std::string& to);
  Result<xml::Document> send(const std::string& url, const xml::Document& doc, std::string_view action);
  Result<wssc::RequestSecurityTokenResponse> single_rstr(const wssc::EnvelopeView& view, std::string_view expected_action);
  Result<wssc::OpenedMessage> open_response(xml::Document& response);
  // One renew / amend / cancel exchange protected with the context; the single RSTR back.
  Result<wssc::RequestSecurityTokenResponse> context_operation(names::ScOperation operation,
                                                               wssc::RequestSecurityToken rst);
  Result<std::optional<Bytes>> fresh_entropy();
  // Strict mode (client_checks.cpp): the issuance RSTR before its key is computed, and the
  // RelatesTo of a response.
  Status check_issued(const wssc::RequestSecurityTokenResponse& rstr, std::string_view rst_context) const;
  Status check_relates_to(const wssc::EnvelopeView& response, const xml::Document& request) const;
  // The held token after an issuance or renewal (fault drop-cookie strips its extensions).
  wssc::ContextKey held(wssc::ContextKey context) const;
  Result<wssc::UsernameToken> username_token() const;  // from the configured credentials

  ClientConfig config_;
  SendFunction send_;
  std::optional<wssc::ContextKey> context_;
  std::vector<Exchange> exchanges_;
};

}  // namespace parley::oracle
