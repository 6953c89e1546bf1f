// The oracle's side of the certificate bootstraps: Service glue around cert_bootstrap.h, apart
// from service.cpp so that the message-security code stays in its own files.
#include "harness/oracle/service.h"

namespace parley::oracle {

certs::Suite Service::certificate_suite() const {
  certs::Suite s;
  s.symmetric_signature = config_.signature_method;
  s.digest = config_.digest_method;
  s.signature_key_length = config_.signature_key_length;
  s.encryption_key_length = config_.encryption_key_length;
  s.sc = config_.versions.sc;
  return s;
}

Result<certs::OpenedRequest> Service::open_certificate_request(xml::Document& request, certs::Mode mode,
                                                               Clock::time_point now, std::string& principal) const {
  certs::ReadPolicy policy;
  policy.now = now;
  policy.max_clock_skew = config_.max_clock_skew;
  policy.dkt_limits = config_.dkt_limits;
  PARLEY_ASSIGN_OR_RETURN(certs::OpenedRequest opened,
                          certs::open_request(request, mode, config_.certificates, certificate_suite(), policy));
  if (mode == certs::Mode::kUsername) {
    // The same check as the username-token bootstrap. A PasswordText token is acceptable when
    // it travelled encrypted (as WCF sends it), as over TLS.
    PARLEY_TRY(check_user(*opened.username_token, opened.username_token_encrypted, now, principal));
  } else {
    principal = opened.principal;
  }
  return opened;
}

}  // namespace parley::oracle
