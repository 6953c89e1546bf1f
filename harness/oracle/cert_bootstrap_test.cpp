// The certificate bootstraps (x509-mutual, anonymous-for-certificate, username-for-certificate):
// the reference client against the reference service in process, the wire shapes, and every
// refusal with its fault QName. Certificates are made at test time (x509_test_support.h).
#include "harness/oracle/cert_bootstrap.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "harness/core/x509_test_support.h"
#include "harness/oracle/client.h"
#include "harness/oracle/config.h"
#include "harness/oracle/service.h"

namespace parley::oracle {
namespace {

const x509::testing::TestPki& pki() {
  static const x509::testing::TestPki p = x509::testing::TestPki::make();
  return p;
}

x509::Credentials creds(const x509::testing::PemPair& p) {
  auto c = x509::Credentials::from_pem(p.certificate, p.private_key);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  return *c;
}
x509::Certificate cert(const x509::testing::PemPair& p) { return *x509::Certificate::from_pem(p.certificate); }

ServiceConfig service_config(Bootstrap b, std::string_view suite = "Basic256",
                             names::ScVersion sc = names::ScVersion::k1_3) {
  ServiceConfig c;
  c.versions.sc = sc;
  if (sc == names::ScVersion::kFeb2005) c.versions.addressing = names::AddressingVersion::k2004_08;
  c.bootstrap = b;
  EXPECT_TRUE(apply_algorithm_suite(suite, c).ok());
  c.users = {{"alice", "wonderland"}};
  c.certificates.own = creds(pki().server);
  c.certificates.client_cas = *x509::TrustStore::from_pem(pki().ca.certificate);
  return c;
}

ClientConfig client_config(const ServiceConfig& s) {
  ClientConfig c;
  c.versions = s.versions;
  c.sts_url = "http://127.0.0.1:1/sts";
  c.service_url = "http://127.0.0.1:1/service";
  c.bootstrap = s.bootstrap;
  EXPECT_TRUE(apply_algorithm_suite(s.algorithm_suite, c).ok());
  c.username = "alice";
  c.password = "wonderland";
  c.password_digest = false;  // WCF sends PasswordText inside the encrypted UsernameToken
  c.client_certificate = creds(pki().client);
  c.service_certificate = cert(pki().server);
  return c;
}

SendFunction sender(Service& service) {
  return [&service](const std::string&, const SoapRequest& r) -> Result<SoapResponse> { return service.handle(r); };
}

std::string fault_local(const Error& e) {
  auto q = wssc::from_clark(e.fault());
  if (!q) return "<no fault: " + e.message() + ">";
  EXPECT_EQ(q->ns, names::ns::kWsse) << e.message();
  return std::string(q->local);
}

constexpr std::string_view kBody = "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>";
constexpr Bootstrap kModes[] = {Bootstrap::kX509Mutual, Bootstrap::kAnonymousForCertificate,
                                Bootstrap::kUsernameForCertificate};

TEST(CertBootstrap, IssueCallRenewCancelInEveryModeSuiteAndVersion) {
  ASSERT_TRUE(pki().ok());
  struct Variant {
    std::string_view suite;
    names::ScVersion sc;
  };
  for (Bootstrap b : kModes) {
    for (Variant v : {Variant{"Basic256", names::ScVersion::k1_3}, Variant{"Basic256Sha256", names::ScVersion::k1_3},
                      Variant{"Basic128", names::ScVersion::kFeb2005}}) {
      SCOPED_TRACE(std::string(to_string(b)) + " " + std::string(v.suite));
      Service service(service_config(b, v.suite, v.sc));
      Client client(client_config(service.config()), sender(service));
      Status issued = client.issue();
      ASSERT_TRUE(issued.ok()) << issued.error().message();
      EXPECT_EQ(service.contexts().size(), 1u);
      const std::string identifier = client.context()->sct.identifier;

      // The RST and the RSTR travel encrypted; the password never appears.
      const Exchange& ex = client.exchanges().front();
      ASSERT_TRUE(ex.response.has_value());
      EXPECT_EQ(ex.response->status, 200);
      EXPECT_EQ(ex.request.body.find("RequestSecurityToken"), std::string::npos);
      EXPECT_EQ(ex.response->body.find("RequestSecurityTokenResponse"), std::string::npos);
      EXPECT_EQ(ex.request.body.find("wonderland"), std::string::npos);
      EXPECT_NE(ex.request.body.find("xmlenc#rsa-oaep-mgf1p"), std::string::npos);
      const bool sha256 = v.suite == "Basic256Sha256";
      if (b == Bootstrap::kX509Mutual) {
        EXPECT_NE(ex.request.body.find("BinarySecurityToken"), std::string::npos);
        EXPECT_NE(ex.request.body.find(base64_encode(cert(pki().client).der()).substr(0, 64)), std::string::npos);
        EXPECT_NE(ex.request.body.find(sha256 ? "xmldsig-more#rsa-sha256" : "xmldsig#rsa-sha1"), std::string::npos);
        EXPECT_NE(ex.response->body.find(sha256 ? "xmldsig-more#rsa-sha256" : "xmldsig#rsa-sha1"), std::string::npos);
        // The response's key is wrapped for the client certificate.
        EXPECT_NE(ex.response->body.find(base64_encode(cert(pki().client).thumbprint_sha1())), std::string::npos);
      } else {
        EXPECT_EQ(ex.request.body.find("BinarySecurityToken"), std::string::npos);
        EXPECT_NE(ex.request.body.find(sha256 ? "xmldsig-more#hmac-sha256" : "xmldsig#hmac-sha1"), std::string::npos);
        EXPECT_NE(ex.request.body.find(base64_encode(cert(pki().server).thumbprint_sha1())), std::string::npos);
        EXPECT_NE(ex.response->body.find("#EncryptedKeySHA1"), std::string::npos);
        EXPECT_NE(ex.request.body.find("DerivedKeyToken"), std::string::npos);
      }

      auto echoed = client.call(kBody);
      ASSERT_TRUE(echoed.ok()) << echoed.error().message();
      EXPECT_EQ(*echoed, kBody);
      Status renewed = client.renew();
      ASSERT_TRUE(renewed.ok()) << renewed.error().message();
      EXPECT_EQ(client.context()->sct.identifier, identifier);
      EXPECT_FALSE(client.context()->sct.instance.empty());
      echoed = client.call(kBody);
      ASSERT_TRUE(echoed.ok()) << echoed.error().message();
      Status cancelled = client.cancel();
      ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
      EXPECT_FALSE(client.context().has_value());
      EXPECT_EQ(service.contexts().size(), 0u);
    }
  }
}

// --- the principal and what each mode carries, at the message layer ---------------------------

struct Built {
  xml::Document doc;
  certs::PendingRequest pending;
};

// An RST/SCT secured by certs::secure_request with `options` (the client's own request
// builder, its Security header replaced).
Built build_request(const ClientConfig& config, certs::Mode mode, const certs::RequestOptions& options = {}) {
  ClientConfig plain = config;
  plain.bootstrap = Bootstrap::kNone;
  Client c(plain, nullptr);
  auto req = c.issue_request();
  EXPECT_TRUE(req.ok());
  xmlNode* security = wssc::security_header(req->doc, false);
  xmlUnlinkNode(security);
  xmlFreeNode(security);
  std::vector<std::string> ids;
  for (xmlNode* h : xml::child_elements(wssc::envelope_header(req->doc))) {
    if (!wssc::wsu_id(h).empty()) ids.push_back(wssc::wsu_id(h));
  }
  Client with_creds(config, nullptr);
  auto credentials = with_creds.certificate_credentials();
  EXPECT_TRUE(credentials.ok());
  auto pending = certs::secure_request(req->doc, mode, *credentials, with_creds.certificate_suite(), ids,
                                       Clock::now(), options);
  EXPECT_TRUE(pending.ok()) << (pending.ok() ? "" : pending.error().message());
  return Built{std::move(req->doc), pending.ok() ? *pending : certs::PendingRequest{}};
}

// The service's answer to `doc`: the fault's local name, or "" for success.
std::string answer(Service& service, const xml::Document& doc) {
  SoapRequest r;
  r.content_type = "application/soap+xml; charset=utf-8";
  r.body = xml::serialize(doc);
  SoapResponse resp = service.handle(r);
  if (resp.status == 200) return "";
  auto parsed = xml::parse(resp.body);
  EXPECT_TRUE(parsed.ok());
  auto view = wssc::parse_envelope(*parsed);
  EXPECT_TRUE(view.ok());
  auto fault = wssc::parse_fault(*view);
  EXPECT_TRUE(fault.ok()) << resp.body;
  EXPECT_EQ(fault->specific().ns, names::ns::kWsse) << fault->reason;
  return fault->specific().local + ": " + fault->reason;
}

std::string fault_name(const std::string& answer_text) { return answer_text.substr(0, answer_text.find(':')); }

TEST(CertBootstrap, ThePrincipalIsTheCertificateSubjectAnonymousOrTheUser) {
  ServiceConfig sc = service_config(Bootstrap::kX509Mutual);
  ClientConfig cc = client_config(sc);
  certs::Suite suite;
  certs::ReadPolicy policy;
  struct Expect {
    certs::Mode mode;
    Bootstrap bootstrap;
    std::string principal;
  };
  for (const Expect& e : {Expect{certs::Mode::kMutual, Bootstrap::kX509Mutual, "CN=parley test client"},
                          Expect{certs::Mode::kAnonymous, Bootstrap::kAnonymousForCertificate, "anonymous"},
                          Expect{certs::Mode::kUsername, Bootstrap::kUsernameForCertificate, ""}}) {
    cc.bootstrap = e.bootstrap;
    Built b = build_request(cc, e.mode);
    xml::Document wire = *xml::parse(xml::serialize(b.doc));
    auto opened = certs::open_request(wire, e.mode, sc.certificates, suite, policy);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    EXPECT_EQ(opened->principal, e.principal);
    EXPECT_TRUE(opened->body_was_encrypted);
    ASSERT_NE(opened->body_child, nullptr);
    EXPECT_EQ(xml::local_name(opened->body_child), "RequestSecurityToken");
    if (e.mode == certs::Mode::kMutual) {
      ASSERT_TRUE(opened->client_certificate.has_value());
      EXPECT_EQ(opened->client_certificate->der(), cert(pki().client).der());
      EXPECT_TRUE(opened->key.empty());
    } else {
      EXPECT_EQ(opened->key, b.pending.key);
      EXPECT_EQ(opened->key.size(), 32u);
      EXPECT_EQ(opened->encrypted_key_sha1, b.pending.encrypted_key_sha1);
    }
    if (e.mode == certs::Mode::kUsername) {
      ASSERT_TRUE(opened->username_token.has_value());
      EXPECT_EQ(opened->username_token->username, "alice");
      EXPECT_EQ(opened->username_token->password, "wonderland");
      EXPECT_TRUE(opened->username_token_encrypted);
    } else {
      EXPECT_FALSE(opened->username_token.has_value());
    }
  }
}

TEST(CertBootstrap, ResponsesAreVerifiedByTheClient) {
  for (auto [mode, bootstrap] : {std::pair{certs::Mode::kMutual, Bootstrap::kX509Mutual},
                                 std::pair{certs::Mode::kAnonymous, Bootstrap::kAnonymousForCertificate}}) {
    ServiceConfig sc = service_config(bootstrap);
    ClientConfig cc = client_config(sc);
    Built b = build_request(cc, mode);
    certs::Suite suite;
    auto opened = certs::open_request(b.doc, mode, sc.certificates, suite, {});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    auto make_response = [&] {
      xml::Document doc = wssc::new_envelope(names::SoapVersion::k1_2);
      EXPECT_TRUE(xml::append_fragment(wssc::envelope_body(doc), "<r:Answer xmlns:r='urn:r'>42</r:Answer>").ok());
      EXPECT_TRUE(certs::secure_response(doc, *opened, sc.certificates, suite, {}, Clock::now()).ok());
      return *xml::parse(xml::serialize(doc));
    };
    Client client(cc, nullptr);
    auto credentials = client.certificate_credentials();
    ASSERT_TRUE(credentials.ok());

    xml::Document good = make_response();
    Status ok = certs::open_response(good, b.pending, *credentials, suite, {});
    ASSERT_TRUE(ok.ok()) << ok.error().message();
    EXPECT_EQ(xml::text_content(xml::child_elements(wssc::envelope_body(good))[0]), "42");

    // A flipped byte in the encrypted Body: decryption or the signature fails.
    xml::Document tampered = make_response();
    auto cipher = xml::xpath_one(tampered, "//s12:Body//xenc:CipherValue");
    ASSERT_TRUE(cipher.ok());
    std::string text = xml::text_content(*cipher);
    text[10] = text[10] == 'A' ? 'B' : 'A';
    xmlNodeSetContent(*cipher, xml::to_xml_chars(text.c_str()));
    Status bad = certs::open_response(tampered, b.pending, *credentials, suite, {});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(fault_local(bad.error()), "FailedCheck") << bad.error().message();

    // Another pending request (another key) cannot open it.
    Built other = build_request(cc, mode);
    xml::Document foreign = make_response();
    Status wrong = certs::open_response(foreign, other.pending, *credentials, suite, {});
    if (mode == certs::Mode::kMutual) {
      EXPECT_TRUE(wrong.ok());  // asymmetric: keyed by the certificates, not by the request
    } else {
      ASSERT_FALSE(wrong.ok());
      EXPECT_EQ(fault_local(wrong.error()), "SecurityTokenUnavailable") << wrong.error().message();
    }
  }
}

// --- refusals -----------------------------------------------------------------------------------

TEST(CertBootstrap, ClientCertificateFromAnUntrustedCaIsFailedAuthentication) {
  Service service(service_config(Bootstrap::kX509Mutual));
  ClientConfig cc = client_config(service.config());
  cc.client_certificate = creds(pki().untrusted_client);
  Client client(cc, sender(service));
  Status s = client.issue();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(fault_local(s.error()), "FailedAuthentication");
  EXPECT_NE(s.error().message().find("unable to get local issuer certificate"), std::string::npos)
      << s.error().message();
  EXPECT_EQ(service.contexts().size(), 0u);
}

TEST(CertBootstrap, ExpiredClientCertificateIsInvalidSecurityToken) {
  Service service(service_config(Bootstrap::kX509Mutual));
  ClientConfig cc = client_config(service.config());
  cc.client_certificate = creds(pki().expired_client);
  Client client(cc, sender(service));
  Status s = client.issue();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(fault_local(s.error()), "InvalidSecurityToken");
  EXPECT_NE(s.error().message().find("certificate has expired"), std::string::npos) << s.error().message();
  EXPECT_EQ(service.contexts().size(), 0u);
}

TEST(CertBootstrap, ABodyChangedAfterSigningIsFailedCheck) {
  const std::pair<certs::Mode, Bootstrap> modes[] = {{certs::Mode::kMutual, Bootstrap::kX509Mutual},
                                                      {certs::Mode::kAnonymous, Bootstrap::kAnonymousForCertificate},
                                                      {certs::Mode::kUsername, Bootstrap::kUsernameForCertificate}};
  for (auto [mode, bootstrap] : modes) {
    SCOPED_TRACE(std::string(to_string(bootstrap)));
    Service service(service_config(bootstrap));
    ClientConfig cc = client_config(service.config());
    // Signed, not encrypted: the plaintext KeySize changes after signing.
    certs::RequestOptions sign_only;
    sign_only.encrypt_body = false;
    Built control = build_request(cc, mode, sign_only);
    EXPECT_EQ(answer(service, control.doc), "");  // unchanged, it is accepted
    Built b = build_request(cc, mode, sign_only);
    auto key_size = xml::xpath_one(b.doc, "//wst:KeySize");
    ASSERT_TRUE(key_size.ok());
    xmlNodeSetContent(*key_size, xml::to_xml_chars("128"));
    std::string got = answer(service, b.doc);
    EXPECT_EQ(fault_name(got), "FailedCheck") << got;
    EXPECT_NE(got.find("DigestValue does not match"), std::string::npos) << got;

    // Encrypted: a changed ciphertext no longer decrypts to what was signed.
    Built enc = build_request(cc, mode);
    auto cipher = xml::xpath_one(enc.doc, "//s12:Body//xenc:CipherValue");
    ASSERT_TRUE(cipher.ok());
    std::string text = xml::text_content(*cipher);
    text[text.size() - 8] = text[text.size() - 8] == 'A' ? 'B' : 'A';
    xmlNodeSetContent(*cipher, xml::to_xml_chars(text.c_str()));
    got = answer(service, enc.doc);
    EXPECT_EQ(fault_name(got), "FailedCheck") << got;
    EXPECT_EQ(service.contexts().size(), 1u);  // the control only
  }
}

TEST(CertBootstrap, ASignatureThatDoesNotCoverTheBodyIsInvalidSecurity) {
  for (auto [mode, bootstrap] : {std::pair{certs::Mode::kMutual, Bootstrap::kX509Mutual},
                                 std::pair{certs::Mode::kAnonymous, Bootstrap::kAnonymousForCertificate}}) {
    Service service(service_config(bootstrap));
    certs::RequestOptions unsigned_body;
    unsigned_body.sign_body = false;
    Built b = build_request(client_config(service.config()), mode, unsigned_body);
    std::string got = answer(service, b.doc);
    EXPECT_EQ(fault_name(got), "InvalidSecurity") << got;
    EXPECT_NE(got.find("does not cover this envelope's soap:Body"), std::string::npos) << got;
    EXPECT_EQ(service.contexts().size(), 0u);
  }
}

TEST(CertBootstrap, WrongPasswordIsFailedAuthentication) {
  Service service(service_config(Bootstrap::kUsernameForCertificate));
  for (bool digest : {false, true}) {
    ClientConfig cc = client_config(service.config());
    cc.password = "not the password";
    cc.password_digest = digest;
    Client client(cc, sender(service));
    Status s = client.issue();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(fault_local(s.error()), "FailedAuthentication");
    EXPECT_NE(s.error().message().find("unknown user or wrong password"), std::string::npos);
  }
  ClientConfig digest_ok = client_config(service.config());
  digest_ok.password_digest = true;
  Client client(digest_ok, sender(service));
  EXPECT_TRUE(client.issue().ok());
  EXPECT_EQ(service.contexts().size(), 1u);
}

TEST(CertBootstrap, AnEncryptedKeyForAnotherCertificateIsSecurityTokenUnavailable) {
  for (Bootstrap b : kModes) {
    SCOPED_TRACE(std::string(to_string(b)));
    Service service(service_config(b));
    ClientConfig cc = client_config(service.config());
    cc.service_certificate = cert(pki().untrusted_ca);  // the client encrypts to the wrong certificate
    Client client(cc, sender(service));
    Status s = client.issue();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(fault_local(s.error()), "SecurityTokenUnavailable");
    EXPECT_NE(s.error().message().find("not for 'CN=localhost'"), std::string::npos) << s.error().message();
  }
}

TEST(CertBootstrap, AKeyWrappedForAnotherKeyUnderTheRightThumbprintIsFailedCheck) {
  Service service(service_config(Bootstrap::kAnonymousForCertificate));
  ClientConfig cc = client_config(service.config());
  Built b = build_request(cc, certs::Mode::kAnonymous);
  // Replace the wrapped key with one encrypted for another key; the thumbprint stays.
  auto value = xml::xpath_one(b.doc, "//xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue");
  ASSERT_TRUE(value.ok());
  auto other = cert(pki().client).public_key();
  ASSERT_TRUE(other.ok());
  auto wrapped = crypto::rsa_oaep_sha1_encrypt(*other, Bytes(32, 1));
  ASSERT_TRUE(wrapped.ok());
  xmlNodeSetContent(*value, xml::to_xml_chars(base64_encode(*wrapped).c_str()));
  EXPECT_EQ(fault_name(answer(service, b.doc)), "FailedCheck");
}

TEST(CertBootstrap, AnUnsignedOrMissingUsernameTokenIsRefused) {
  Service service(service_config(Bootstrap::kUsernameForCertificate));
  ClientConfig cc = client_config(service.config());
  // The anonymous form (no UsernameToken) at a username-for-certificate service.
  Built anonymous = build_request(cc, certs::Mode::kAnonymous);
  EXPECT_EQ(fault_name(answer(service, anonymous.doc)), "FailedAuthentication");
  // A UsernameToken added after signing (a signed supporting token that is not signed).
  Built b = build_request(cc, certs::Mode::kAnonymous);
  wssc::UsernameToken ut;
  ut.username = "alice";
  ut.password = "wonderland";
  wssc::append_username_token(wssc::security_header(b.doc, false), ut);
  std::string got = answer(service, b.doc);
  EXPECT_EQ(fault_name(got), "InvalidSecurity") << got;
  EXPECT_NE(got.find("UsernameToken is not signed"), std::string::npos) << got;
  EXPECT_EQ(service.contexts().size(), 0u);
}

TEST(CertBootstrap, KeyMaterialInKeyInfoIsNeverUsed) {
  Service service(service_config(Bootstrap::kX509Mutual));
  Built b = build_request(client_config(service.config()), certs::Mode::kMutual);
  auto key_info = xml::xpath_one(b.doc, "//ds:Signature/ds:KeyInfo");
  ASSERT_TRUE(key_info.ok());
  xml::add_element(*key_info, names::ns::kDs, "ds", "KeyName", "trust me");
  std::string got = answer(service, b.doc);
  EXPECT_EQ(fault_name(got), "SecurityTokenUnavailable") << got;
}

TEST(CertBootstrap, ConfigurationErrorsNameWhatIsMissing) {
  ServiceConfig s = service_config(Bootstrap::kX509Mutual);
  ClientConfig cc = client_config(s);
  cc.client_certificate.reset();
  Client no_cert(cc, nullptr);
  auto r = no_cert.issue_request();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("client_certificate_file"), std::string::npos);
  cc = client_config(s);
  cc.service_certificate.reset();
  Client no_service(cc, nullptr);
  r = no_service.issue_request();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("service_certificate_file"), std::string::npos);
}

// --- configuration: oracle config, printed profile, target profile -----------------------------

class PkiDir {
 public:
  PkiDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-certs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    pki().write(path_);
  }
  ~PkiDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  PkiDir(const PkiDir&) = delete;
  PkiDir& operator=(const PkiDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path_ / name) << text; }

 private:
  std::filesystem::path path_;
};

TEST(CertBootstrapConfig, FilesRelativeToTheConfigAndAPrintedProfileTheClientCanUse) {
  PkiDir dir;
  ASSERT_FALSE(dir.path().empty());
  dir.write("oracle.toml",
            "[wssc]\nbootstrap = \"x509-mutual\"\nalgorithm_suite = \"Basic256Sha256\"\n"
            "[message_security]\ncertificate = \"server.pem\"\nprivate_key = \"server.key\"\n"
            "trusted_ca = \"ca.pem\"\n");
  auto serve = load_serve_config((dir.path() / "oracle.toml").string());
  ASSERT_TRUE(serve.ok()) << serve.error().message();
  ASSERT_TRUE(serve->service.certificates.own.has_value());
  EXPECT_EQ(serve->service.certificates.own->certificate.subject(), "CN=localhost");
  ASSERT_TRUE(serve->service.certificates.client_cas.has_value());
  EXPECT_EQ(serve->service.certificates.client_cas->size(), 1u);
  EXPECT_EQ(serve->message_certificate_file, (dir.path() / "server.pem").string());

  const std::string printed = target_profile(*serve, "http://127.0.0.1:9");
  EXPECT_NE(printed.find("bootstrap = \"x509-mutual\""), std::string::npos);
  EXPECT_NE(printed.find("service_certificate_file = \"" + (dir.path() / "server.pem").string() + "\""),
            std::string::npos)
      << printed;
  // As printed, the profile lacks the client's own certificate: the error says which keys.
  auto incomplete = parse_target_profile(printed, dir.path().string());
  ASSERT_FALSE(incomplete.ok());
  EXPECT_NE(incomplete.error().message().find("client_certificate_file and client_key_file"), std::string::npos);
  std::string completed = printed;
  completed.replace(completed.find("[credentials]\n"), 14,
                    "[credentials]\nclient_certificate_file = \"client.pem\"\nclient_key_file = \"client.key\"\n");
  dir.write("profile.toml", completed);
  auto profile = load_target_profile((dir.path() / "profile.toml").string());
  ASSERT_TRUE(profile.ok()) << profile.error().message() << "\n" << completed;
  EXPECT_EQ(profile->client.bootstrap, Bootstrap::kX509Mutual);
  ASSERT_TRUE(profile->client.client_certificate.has_value());
  EXPECT_EQ(profile->client.client_certificate->certificate.subject(), "CN=parley test client");
  ASSERT_TRUE(profile->client.service_certificate.has_value());
  EXPECT_EQ(profile->client.service_certificate->der(), cert(pki().server).der());
  EXPECT_EQ(profile->client.signature_method, xmlsec::SignatureMethod::kHmacSha256);

  // The loaded configuration works end to end.
  Service service(serve->service);
  Client client(profile->client, sender(service));
  Status issued = client.issue();
  ASSERT_TRUE(issued.ok()) << issued.error().message();
  EXPECT_TRUE(client.call(kBody).ok());
}

TEST(CertBootstrapConfig, UsernameAndAnonymousProfilesNeedNoClientCertificate) {
  PkiDir dir;
  for (const char* b : {"anonymous-for-certificate", "username-for-certificate"}) {
    SCOPED_TRACE(b);
    dir.write("o.toml", std::string("[wssc]\nbootstrap = \"") + b +
                            "\"\n[users]\nalice = \"wonderland\"\n"
                            "[message_security]\ncertificate = \"server.pem\"\nprivate_key = \"server.key\"\n");
    auto serve = load_serve_config((dir.path() / "o.toml").string());
    ASSERT_TRUE(serve.ok()) << serve.error().message();
    EXPECT_FALSE(serve->service.certificates.client_cas.has_value());
    auto profile = parse_target_profile(target_profile(*serve, "http://127.0.0.1:9"));
    ASSERT_TRUE(profile.ok()) << profile.error().message();
    EXPECT_EQ(to_string(profile->client.bootstrap), b);
    EXPECT_FALSE(profile->client.client_certificate.has_value());
    Service service(serve->service);
    Client client(profile->client, sender(service));
    Status issued = client.issue();
    ASSERT_TRUE(issued.ok()) << issued.error().message();
  }
}

TEST(CertBootstrapConfig, ErrorsNameTheKey) {
  PkiDir dir;
  struct Case {
    std::string toml;
    std::string message;
  } serve_cases[] = {
      {"[wssc]\nbootstrap = \"x509-mutual\"\n[message_security]\ncertificate = \"server.pem\"\n"
       "private_key = \"server.key\"\n",
       "needs [message_security] trusted_ca"},
      {"[message_security]\ncertificate = \"server.pem\"\n", "give certificate and private_key together"},
      {"[message_security]\ncertificate = \"server.pem\"\nprivate_key = \"client.key\"\n",
       "does not belong to certificate 'CN=localhost'"},
      {"[message_security]\ncertificate = \"nope.pem\"\nprivate_key = \"server.key\"\n", "nope.pem"},
      {"[message_security]\ntrusted_ca = \"server.key\"\n", "no CERTIFICATE block"},
      {"[message_security]\ncertficate = \"server.pem\"\n", "message_security: unknown key 'certficate'"},
      {"[wssc]\nbootstrap = \"anonymous-for-certificate\"\nalgorithm_suite = \"Basic256Rsa15\"\n"
       "[message_security]\ncertificate = \"server.pem\"\nprivate_key = \"server.key\"\n",
       "asks for RSA 1.5"},
      {"[wssc]\nbootstrap = \"username-for-certificate\"\n[message_security]\ncertificate = \"server.pem\"\n"
       "private_key = \"server.key\"\n",
       "needs at least one entry in [users]"},
  };
  for (const auto& c : serve_cases) {
    auto r = parse_serve_config(c.toml, dir.path().string());
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << "got: " << r.error().message() << "\nwanted: " << c.message;
  }
  const std::string head = "[wssc]\nservice_url = \"http://x\"\n";
  Case profile_cases[] = {
      {head + "bootstrap = \"anonymous-for-certificate\"\n", "needs service_certificate_file"},
      {head + "bootstrap = \"username-for-certificate\"\n[credentials]\nservice_certificate_file = \"server.pem\"\n",
       "needs username and password"},
      {head + "[credentials]\nclient_certificate_file = \"client.pem\"\n",
       "give client_certificate_file and client_key_file together"},
      {head + "[credentials]\nclient_certificate_file = \"client.pem\"\nclient_key_file = \"server.key\"\n",
       "does not belong to certificate 'CN=parley test client'"},
      {head + "[credentials]\nservice_certificate_file = \"missing.pem\"\n", "credentials.service_certificate_file"},
  };
  for (const auto& c : profile_cases) {
    auto r = parse_target_profile(c.toml, dir.path().string());
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << "got: " << r.error().message() << "\nwanted: " << c.message;
  }
}

}  // namespace
}  // namespace parley::oracle
