// The reference client against the reference service, in process (no sockets): every
// operation, version, bootstrap and entropy mode, and the faults the service answers with.
#include "harness/oracle/service.h"

#include <gtest/gtest.h>

#include "harness/oracle/client.h"
#include "harness/oracle/config.h"

namespace parley::oracle {
namespace {

using names::ScVersion;
using names::SoapVersion;

struct Harness {
  explicit Harness(ServiceConfig config) : service(std::move(config)) {}
  Service service;
  std::chrono::seconds skew{0};  // how far the service's clock is ahead
  bool over_tls = false;

  SendFunction sender() {
    return [this](const std::string&, const SoapRequest& req) -> Result<SoapResponse> {
      SoapRequest r = req;
      r.over_tls = over_tls;
      return service.handle(r, Clock::now() + skew);
    };
  }
  ClientConfig client_config() const {
    ClientConfig c;
    c.versions = service.config().versions;
    c.sts_url = "http://127.0.0.1:1/sts";
    c.service_url = "http://127.0.0.1:1/service";
    c.bootstrap = service.config().bootstrap;
    return c;
  }
};

std::string fault_local(const Error& e) {
  auto q = wssc::from_clark(e.fault());
  return q ? std::string(q->local) : std::string("<no fault: ") + e.message() + ">";
}

constexpr std::string_view kBody = "<e:Echo xmlns:e=\"urn:example\">hi &amp; bye</e:Echo>";

TEST(Oracle, FullLifecycleForEveryVersionCombination) {
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    for (SoapVersion soap : names::kAllSoapVersions) {
      ServiceConfig config;
      config.versions = wssc::Versions{soap, names::AddressingVersion::k1_0, sc};
      Harness h(config);
      Client client(h.client_config(), h.sender());
      ASSERT_TRUE(client.issue().ok()) << client.issue().error().message();
      const std::string identifier = client.context()->sct.identifier;
      EXPECT_EQ(client.context()->key.size(), 32u);
      EXPECT_TRUE(client.context()->sct.instance.empty());

      auto echoed = client.call(kBody);
      ASSERT_TRUE(echoed.ok()) << echoed.error().message();
      EXPECT_EQ(*echoed, kBody);

      Status renewed = client.renew();
      ASSERT_TRUE(renewed.ok()) << renewed.error().message();
      EXPECT_EQ(client.context()->sct.identifier, identifier);  // SC-5-05
      EXPECT_FALSE(client.context()->sct.instance.empty());
      ASSERT_TRUE(client.call(kBody).ok());

      Status amended = client.amend();
      ASSERT_TRUE(amended.ok()) << amended.error().message();

      Status cancelled = client.cancel();
      ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
      EXPECT_EQ(h.service.contexts().size(), 0u);
    }
  }
}

TEST(Oracle, ResponsesHaveTheVersionsShape) {
  for (ScVersion sc : {ScVersion::kFeb2005, ScVersion::k1_3}) {
    ServiceConfig config;
    config.versions.sc = sc;
    Harness h(config);
    Client client(h.client_config(), h.sender());
    ASSERT_TRUE(client.issue().ok());
    const auto& exchange = client.exchanges().back();
    ASSERT_TRUE(exchange.response.has_value());
    EXPECT_EQ(exchange.response->status, 200);
    // 1.3 wraps the issuance response in an RSTRC; Feb 2005 answers with a bare RSTR (SC-3-05).
    const bool has_collection =
        exchange.response->body.find("RequestSecurityTokenResponseCollection") != std::string::npos;
    EXPECT_EQ(has_collection, sc == ScVersion::k1_3);
    EXPECT_NE(exchange.response->body.find("ComputedKey"), std::string::npos);
  }
}

TEST(Oracle, UseAfterCancelIsBadContextToken) {
  Harness h(ServiceConfig{});
  Client client(h.client_config(), h.sender());
  ASSERT_TRUE(client.issue().ok());
  wssc::ContextKey saved = *client.context();
  ASSERT_TRUE(client.cancel().ok());
  client.set_context(saved);
  auto after = client.call(kBody);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(fault_local(after.error()), "BadContextToken");
  EXPECT_EQ(client.exchanges().back().response->status, 400);  // SOAP 1.2 Sender fault
  // A second cancel fails cleanly too (SC-6-07).
  auto again = client.cancel();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(fault_local(again.error()), "BadContextToken");
}

TEST(Oracle, UsernameTokenBootstrap) {
  ServiceConfig config;
  config.bootstrap = Bootstrap::kUsernameToken;
  config.users = {{"alice", "wonderland"}};
  Harness h(config);
  ClientConfig cc = h.client_config();
  cc.username = "alice";
  cc.password = "wonderland";
  {
    Client digest(cc, h.sender());
    ASSERT_TRUE(digest.issue().ok()) << digest.issue().error().message();
    EXPECT_TRUE(digest.call(kBody).ok());
  }
  {
    ClientConfig wrong = cc;
    wrong.password = "looking-glass";
    Client client(wrong, h.sender());
    auto r = client.issue();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(fault_local(r.error()), "FailedAuthentication");
  }
  {
    ClientConfig text = cc;
    text.password_digest = false;
    Client client(text, h.sender());
    auto r = client.issue();
    ASSERT_FALSE(r.ok());  // PasswordText over plain HTTP is refused
    EXPECT_EQ(fault_local(r.error()), "FailedAuthentication");
    h.over_tls = true;
    EXPECT_TRUE(client.issue().ok());
  }
}

TEST(Oracle, PresharedContextNeedsNoIssuance) {
  ServiceConfig config;
  config.bootstrap = Bootstrap::kPresharedSct;
  config.preshared_identifier = "urn:uuid:00000000-0000-4000-8000-00000000beef";
  config.preshared_key = Bytes(32, 0x5a);
  Harness h(config);
  ClientConfig cc = h.client_config();
  cc.preshared_identifier = config.preshared_identifier;
  cc.preshared_key = config.preshared_key;
  Client client(cc, h.sender());
  ASSERT_TRUE(client.issue().ok());
  auto echoed = client.call(kBody);
  ASSERT_TRUE(echoed.ok()) << echoed.error().message();
  // Issuing is refused: the context is pre-shared.
  ClientConfig issuing = cc;
  issuing.bootstrap = Bootstrap::kNone;
  Client other(issuing, h.sender());
  auto r = other.issue();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "RequestFailed");
}

TEST(Oracle, EntropyModesAndKeySizeClamping) {
  for (EntropyMode mode : {EntropyMode::kCombined, EntropyMode::kServer, EntropyMode::kClient}) {
    ServiceConfig config;
    config.entropy = mode;
    Harness h(config);
    ClientConfig cc = h.client_config();
    cc.key_size = mode == EntropyMode::kClient ? 256 : 4096;  // 4096 is clamped to 512 (SC-3-09)
    Client client(cc, h.sender());
    Status s = client.issue();
    ASSERT_TRUE(s.ok()) << to_string(mode) << ": " << s.error().message();
    EXPECT_EQ(client.context()->key.size(), mode == EntropyMode::kClient ? 32u : 64u) << to_string(mode);
    EXPECT_TRUE(client.call(kBody).ok()) << to_string(mode);
  }
  ServiceConfig client_only;
  client_only.entropy = EntropyMode::kClient;
  Harness h(client_only);
  ClientConfig no_entropy = h.client_config();
  no_entropy.entropy_bytes = 0;
  Client client(no_entropy, h.sender());
  auto r = client.issue();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "InvalidRequest");
}

TEST(Oracle, DirectKeyAndEncryption) {
  Harness h(ServiceConfig{});
  ClientConfig cc = h.client_config();
  cc.encrypt = true;
  Client encrypted(cc, h.sender());
  ASSERT_TRUE(encrypted.issue().ok());
  auto r = encrypted.call(kBody);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, kBody);
  // The response to an encrypted request is encrypted too.
  EXPECT_EQ(encrypted.exchanges().back().response->body.find("hi &amp; bye"), std::string::npos);

  cc.encrypt = false;
  cc.derived_keys = false;
  Client direct(cc, h.sender());
  ASSERT_TRUE(direct.issue().ok());
  EXPECT_TRUE(direct.call(kBody).ok());

  ServiceConfig strict;
  strict.require_derived_keys = true;
  Harness hs(strict);
  ClientConfig dc = hs.client_config();
  dc.derived_keys = false;
  Client refused(dc, hs.sender());
  ASSERT_TRUE(refused.issue().ok());
  auto e = refused.call(kBody);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(fault_local(e.error()), "InvalidSecurity");
}

TEST(Oracle, AlgorithmSuitesChangeKeyLengthsAndSignatureMethod) {
  for (const char* suite : {"Basic128", "Basic192", "Basic256", "Basic256Sha256"}) {
    ServiceConfig config;
    ASSERT_TRUE(apply_algorithm_suite(suite, config).ok()) << suite;
    Harness h(config);
    ClientConfig cc = h.client_config();
    ASSERT_TRUE(apply_algorithm_suite(suite, cc).ok()) << suite;
    cc.encrypt = true;
    Client client(cc, h.sender());
    ASSERT_TRUE(client.issue().ok()) << suite;
    EXPECT_EQ(client.context()->key.size() * 8, cc.key_size) << suite;
    auto r = client.call(kBody);
    ASSERT_TRUE(r.ok()) << suite << ": " << r.error().message();
    const std::string& wire = client.exchanges().back().request.body;
    const bool sha256 = std::string(suite) == "Basic256Sha256";
    EXPECT_EQ(wire.find("hmac-sha256") != std::string::npos, sha256) << suite;
  }
}

TEST(Oracle, ExpiredKeyGivesRenewNeededAndRenewRecovers) {
  ServiceConfig config;
  config.contexts.key_lifetime = std::chrono::seconds(10);
  Harness h(config);
  Client client(h.client_config(), h.sender());
  ASSERT_TRUE(client.issue().ok());
  h.skew = std::chrono::seconds(11);
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "RenewNeeded");
  // WCF-02: the RenewNeeded fault carries WCF's SecureConversationFault action.
  EXPECT_NE(client.exchanges().back().response->body.find(names::wcf::kSecureConversationFaultAction),
            std::string::npos);
  ASSERT_TRUE(client.renew().ok()) << client.renew().error().message();
  EXPECT_TRUE(client.call(kBody).ok());
}

TEST(Oracle, OldKeyAcceptedDuringRolloverOnly) {
  ServiceConfig config;
  config.contexts.rollover = std::chrono::seconds(60);
  Harness h(config);
  Client client(h.client_config(), h.sender());
  ASSERT_TRUE(client.issue().ok());
  wssc::ContextKey old = *client.context();
  ASSERT_TRUE(client.renew().ok());
  wssc::ContextKey renewed = *client.context();
  client.set_context(old);
  EXPECT_TRUE(client.call(kBody).ok());  // within the rollover window (SC-8-03)
  h.skew = std::chrono::seconds(61);
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  client.set_context(renewed);
  EXPECT_TRUE(client.call(kBody).ok());
}

TEST(Oracle, RenewSignedWithAnotherContextsKeyIsRefused) {
  Harness h(ServiceConfig{});
  Client a(h.client_config(), h.sender());
  Client b(h.client_config(), h.sender());
  ASSERT_TRUE(a.issue().ok());
  ASSERT_TRUE(b.issue().ok());
  // The request names B (SCT and RenewTarget) but is signed with A's key: B's key must not verify it.
  wssc::ContextKey forged = *a.context();
  forged.sct = b.context()->sct;  // the target names B ...
  Client mallory(h.client_config(), h.sender());
  mallory.set_context(forged);  // ... but the key is A's
  auto r = mallory.renew();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "FailedCheck");  // B's key does not verify A's signature
  EXPECT_TRUE(b.call(kBody).ok());
}

TEST(Oracle, HttpAndSoapLevelErrorsAreCleanFaults) {
  Harness h(ServiceConfig{});
  SoapRequest wrong_type{"text/plain", "", "<x/>", false};
  SoapResponse r = h.service.handle(wrong_type);
  EXPECT_EQ(r.status, 415);
  EXPECT_FALSE(r.body.empty());

  SoapRequest garbage{"application/soap+xml", "", "<<<not xml", false};
  r = h.service.handle(garbage);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Fault"), std::string::npos);

  SoapRequest soap11{"application/soap+xml", "",
                     "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body/></s:Envelope>", false};
  r = h.service.handle(soap11);
  EXPECT_NE(r.body.find("VersionMismatch"), std::string::npos);

  SoapRequest no_action{"application/soap+xml", "",
                        "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/></s:Envelope>", false};
  r = h.service.handle(no_action);
  EXPECT_NE(r.body.find("ActionNotSupported"), std::string::npos);

  SoapRequest unsigned_app{
      "application/soap+xml", "",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' xmlns:a='http://www.w3.org/2005/08/addressing'>"
      "<s:Header><a:Action>urn:x</a:Action></s:Header><s:Body><x/></s:Body></s:Envelope>",
      false};
  r = h.service.handle(unsigned_app);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("InvalidSecurity"), std::string::npos);
}

}  // namespace
}  // namespace parley::oracle
