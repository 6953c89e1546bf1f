// The client suite's service side: what the scenario service records, when it answers
// wsc:RenewNeeded, what each hostile answer looks like, and the drivers' contract (environment,
// exit codes, timeouts, the --listen control endpoints).
#include <gtest/gtest.h>

#include <thread>

#include "harness/clientsuite/driver.h"
#include "harness/oracle/http_binding.h"

namespace parley::clientsuite {
namespace {

oracle::TargetProfile profile() {
  oracle::TargetProfile p;
  p.kind = "wssc-client";
  p.protection = "derived-keys";
  p.algorithm_suite = "Basic256";
  p.request_body = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";
  return p;
}

std::unique_ptr<ScenarioService> service_for(Scenario s) {
  auto made = ScenarioService::create(std::move(s), profile());
  EXPECT_TRUE(made.ok()) << made.error().message();
  return std::move(made).value();
}

// The reference client (strict, as the harness runs it) talking to the service in-process.
oracle::Client client_for(ScenarioService& service) {
  oracle::ClientConfig c;
  c.sts_url = "http://127.0.0.1:1/sts";
  c.service_url = "http://127.0.0.1:1/service";
  c.strict = true;
  return oracle::Client(c, [&service](const std::string& url, const oracle::SoapRequest& r) {
    return Result<oracle::SoapResponse>(service.handle(url.substr(url.rfind('/')), r));
  });
}

const std::string kBody = "<e:Echo xmlns:e='urn:example'>hi</e:Echo>";

TEST(ScenarioService, RecordsEveryMessageAsTheServiceReadIt) {
  Scenario s;
  s.name = "basic";
  auto service = service_for(s);
  auto client = client_for(*service);
  ASSERT_TRUE(client.issue().ok());
  ASSERT_TRUE(client.call(kBody).ok());
  ASSERT_TRUE(client.call(kBody).ok());
  ASSERT_TRUE(client.cancel().ok());
  const auto m = service->messages();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].kind, MessageKind::kIssue);
  EXPECT_EQ(m[0].path, "/sts");
  ASSERT_TRUE(m[0].issued);
  EXPECT_EQ(m[1].kind, MessageKind::kApplication);
  EXPECT_EQ(m[3].kind, MessageKind::kCancel);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(m[i].accepted) << i << ": " << m[i].oracle_answer;
    EXPECT_TRUE(m[i].opened) << i << ": " << m[i].open_error;
    EXPECT_EQ(m[i].context_identifier, m[0].issued->identifier);
    EXPECT_TRUE(m[i].signed_with_derived_key);
    EXPECT_EQ(m[i].dkts.size(), 1u);
    EXPECT_GE(m[i].covered_ids.size(), 5u);  // Timestamp, Body, Action, MessageID, To (and ReplyTo)
    EXPECT_FALSE(m[i].hostile);
  }
  EXPECT_EQ(m[1].message_id.rfind("urn:uuid:", 0), 0u);
}

TEST(ScenarioService, AnswersRenewNeededAtTheChosenCallInWcfShape) {
  Scenario s;
  s.name = "renewal";
  s.renew_needed_at = 2;
  auto service = service_for(s);
  auto client = client_for(*service);
  ASSERT_TRUE(client.issue().ok());
  ASSERT_TRUE(client.call(kBody).ok());
  auto second = client.call(kBody);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().fault(), wssc::clark(names::sc_fault(names::ScVersion::k1_3, names::ScFault::kRenewNeeded)));
  ASSERT_TRUE(client.renew().ok());
  ASSERT_TRUE(client.call(kBody).ok());
  const auto m = service->messages();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_TRUE(m[2].renew_needed);
  EXPECT_NE(m[2].response.body.find(names::wcf::kSecureConversationFaultAction), std::string::npos);
  EXPECT_EQ(m[2].response.status, 400);
  EXPECT_EQ(m[3].kind, MessageKind::kRenew);
  ASSERT_TRUE(m[3].issued);
  EXPECT_FALSE(m[3].issued->instance.empty());
  EXPECT_EQ(m[4].context_instance, m[3].issued->instance);
}

TEST(ScenarioService, HostileIssuanceAnswersAreRefusedByTheStrictClient) {
  for (Hostility h : {Hostility::kRstrContextMismatch, Hostility::kRstrTokenType, Hostility::kLifetimeExpired,
                      Hostility::kKeySizeTiny, Hostility::kKeySizeHuge}) {
    SCOPED_TRACE(std::string(to_string(h)));
    Scenario s;
    s.name = "hostile";
    s.hostility = h;
    auto service = service_for(s);
    auto client = client_for(*service);
    Status issued = client.issue();
    EXPECT_FALSE(issued.ok());
    const auto m = service->messages();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(m[0].hostile);
    EXPECT_TRUE(m[0].accepted);  // the oracle issued; the layer above made the answer hostile
  }
  Scenario s;
  s.name = "context";
  s.hostility = Hostility::kRstrContextMismatch;
  auto service = service_for(s);
  auto client = client_for(*service);
  (void)client.issue();
  EXPECT_NE(service->messages()[0].response.body.find("urn:parley:hostile:not-the-rst-context"), std::string::npos);
}

TEST(ScenarioService, HostileApplicationAnswersStartAtTheChosenCall) {
  for (Hostility h : {Hostility::kResponseWrongKey, Hostility::kResponseReplayed, Hostility::kResponseBodyNotCovered}) {
    SCOPED_TRACE(std::string(to_string(h)));
    Scenario s;
    s.name = "hostile";
    s.hostility = h;
    s.hostile_call = 2;
    auto service = service_for(s);
    auto client = client_for(*service);
    ASSERT_TRUE(client.issue().ok());
    ASSERT_TRUE(client.call(kBody).ok());
    auto second = client.call(kBody);
    EXPECT_FALSE(second.ok());
    const auto m = service->messages();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_FALSE(m[1].hostile);
    EXPECT_TRUE(m[2].hostile);
    if (h == Hostility::kResponseReplayed) {
      EXPECT_EQ(m[2].response.body, m[1].response.body);
    }
    if (h == Hostility::kResponseBodyNotCovered) {
      EXPECT_NE(m[2].response.body.find("forged by the service"), std::string::npos);
    }
  }
}

TEST(ScenarioService, HostileRenewalAnswersFailVerification) {
  for (Hostility h : {Hostility::kRenewTampered, Hostility::kRenewForged}) {
    SCOPED_TRACE(std::string(to_string(h)));
    Scenario s;
    s.name = "hostile";
    s.hostility = h;
    auto service = service_for(s);
    auto client = client_for(*service);
    ASSERT_TRUE(client.issue().ok());
    const std::string before = client.context()->sct.instance;
    Status renewed = client.renew();
    EXPECT_FALSE(renewed.ok());
    EXPECT_EQ(renewed.error().requirement(), "WSS-8-01") << renewed.error().message();
    EXPECT_EQ(client.context()->sct.instance, before);
    EXPECT_TRUE(service->messages().back().hostile);
  }
}

TEST(ScenarioService, CookieAndExtensionScenariosHandOutTokensToEcho) {
  Scenario s;
  s.name = "cookie";
  s.cookie = true;
  auto service = service_for(s);
  EXPECT_TRUE(service->scenario().must_not_send_cancel) << "stateless tokens come with MustNotSendCancel";
  EXPECT_NE(service->policy_xml().find("MustNotSendCancel"), std::string::npos);
  auto client = client_for(*service);
  ASSERT_TRUE(client.issue().ok());
  ASSERT_TRUE(client.context()->sct.cookie.has_value());
  ASSERT_TRUE(client.call(kBody).ok());
  EXPECT_FALSE(client.cancel().ok());  // the oracle refuses to cancel a stateless token (WCF-04)

  Scenario e;
  e.name = "extension";
  e.sct_extension = true;
  auto extended = service_for(e);
  auto c2 = client_for(*extended);
  ASSERT_TRUE(c2.issue().ok());
  ASSERT_EQ(c2.context()->sct.extensions.size(), 1u);
  EXPECT_NE(c2.context()->sct.extensions[0].find("urn:parley:sct-extension"), std::string::npos);
  EXPECT_EQ(extended->messages()[0].issued->extensions, c2.context()->sct.extensions);
}

TEST(ScenarioService, PolicyNamesEveryMustNotSend) {
  Scenario s;
  s.name = "policy";
  s.must_not_send_amend = true;
  s.must_not_send_renew = true;
  auto service = service_for(s);
  const std::string policy = service->policy_xml();
  EXPECT_NE(policy.find("<sp:MustNotSendAmend/>"), std::string::npos);
  EXPECT_NE(policy.find("<sp:MustNotSendRenew/>"), std::string::npos);
  EXPECT_EQ(policy.find("MustNotSendCancel"), std::string::npos);
  EXPECT_TRUE(xml::parse(policy).ok());
}

TEST(ScenarioService, RefusesBootstrapsItCannotPlay) {
  auto p = profile();
  p.client.bootstrap = oracle::Bootstrap::kPresharedSct;
  Scenario s;
  s.name = "x";
  auto made = ScenarioService::create(s, p);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message().find("preshared-sct"), std::string::npos);
}

TEST(ClientDrivers, EnvironmentCarriesTheScenario) {
  Scenario s;
  s.name = "must-not-send";
  s.calls = 3;
  s.must_not_send_cancel = true;
  s.must_not_send_renew = true;
  s.encrypt = true;
  auto p = profile();
  p.client.bootstrap = oracle::Bootstrap::kUsernameToken;
  p.client.username = "alice";
  p.client.password = "wonderland";
  auto env = scenario_environment(s, p, "http://127.0.0.1:9", std::chrono::seconds(7));
  EXPECT_EQ(env["PARLEY_SCENARIO"], "must-not-send");
  EXPECT_EQ(env["PARLEY_STS_URL"], "http://127.0.0.1:9/sts");
  EXPECT_EQ(env["PARLEY_SERVICE_URL"], "http://127.0.0.1:9/service");
  EXPECT_EQ(env["PARLEY_POLICY_URL"], "http://127.0.0.1:9/parley/policy");
  EXPECT_EQ(env["PARLEY_CALLS"], "3");
  EXPECT_EQ(env["PARLEY_MUST_NOT_SEND"], "cancel,renew");
  EXPECT_EQ(env["PARLEY_ENCRYPT"], "1");
  EXPECT_EQ(env["PARLEY_USERNAME"], "alice");
  EXPECT_EQ(env["PARLEY_SC_VERSION"], "1.3");
  EXPECT_EQ(env["PARLEY_TIMEOUT"], "7");
  // The reference client reads back exactly these settings.
  auto settings = oracle::harness_settings(env);
  ASSERT_TRUE(settings.ok()) << settings.error().message();
  EXPECT_EQ(settings->calls, 3u);
  EXPECT_TRUE(settings->must_not_send_cancel);
  EXPECT_TRUE(settings->must_not_send_renew);
  EXPECT_FALSE(settings->must_not_send_amend);
  EXPECT_TRUE(settings->client.encrypt);
  EXPECT_EQ(settings->client.bootstrap, oracle::Bootstrap::kUsernameToken);
  EXPECT_EQ(settings->client.sts_url, "http://127.0.0.1:9/sts");
  env["PARLEY_MUST_NOT_SEND"] = "cancel,teleport";
  EXPECT_FALSE(oracle::harness_settings(env).ok());
}

TEST(ClientDrivers, ExecPassesTheEnvironmentAndReportsExitAndOutput) {
  ExecDriver driver("echo \"scenario=$PARLEY_SCENARIO calls=$PARLEY_CALLS\"; exit 7", std::chrono::seconds(5));
  Scenario s;
  s.name = "exec-env";
  auto run = driver.run(s, profile());
  EXPECT_TRUE(run->started);
  EXPECT_EQ(run->exit_code, 7);
  EXPECT_FALSE(run->timed_out);
  EXPECT_NE(run->output.find("scenario=exec-env calls=2"), std::string::npos) << run->output;
  EXPECT_FALSE(run->connected());
  // Memoized: the same scenario name is the same run.
  EXPECT_EQ(driver.run(s, profile()).get(), run.get());
}

TEST(ClientDrivers, ExecStopsAClientPastItsTimeout) {
  ExecDriver driver("sleep 30", std::chrono::seconds(1));
  Scenario s;
  s.name = "slow";
  const auto start = std::chrono::steady_clock::now();
  auto run = driver.run(s, profile());
  EXPECT_TRUE(run->timed_out);
  EXPECT_EQ(run->exit_code, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ClientDrivers, ListenHandsOutOneScenarioAndTakesTheResult) {
  auto made = ListenDriver::create("127.0.0.1:0", std::chrono::seconds(5));
  ASSERT_TRUE(made.ok()) << made.error().message();
  ListenDriver& driver = **made;
  transport::HttpClient http;
  transport::HttpRequest get;
  auto idle = http.send(driver.base_url() + "/parley/scenario", get);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->status, 204);
  std::thread client([&] {
    for (int i = 0; i < 200; ++i) {
      transport::HttpClient poller;
      auto a = poller.send(driver.base_url() + "/parley/scenario", transport::HttpRequest{});
      if (a.ok() && a->status == 200) {
        EXPECT_NE(a->body.find("\"PARLEY_SCENARIO\": \"listened\""), std::string::npos) << a->body;
        transport::HttpRequest post;
        post.method = "POST";
        post.body = "{\"exit_code\": 4}";
        auto done = poller.send(driver.base_url() + "/parley/result", post);
        EXPECT_TRUE(done.ok() && done->status == 200);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no scenario handed out";
  });
  Scenario s;
  s.name = "listened";
  auto run = driver.run(s, profile());
  client.join();
  EXPECT_TRUE(run->started);
  EXPECT_EQ(run->exit_code, 4);
  EXPECT_EQ(run->environment.at("PARLEY_SERVICE_URL"), driver.base_url() + "/service");
  driver.finish();
  auto over = http.send(driver.base_url() + "/parley/scenario", get);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->status, 410);
}

TEST(ClientDrivers, ListenWithoutAClientIsAnErrorNotAPass) {
  auto made = ListenDriver::create("127.0.0.1:0", std::chrono::seconds(1));
  ASSERT_TRUE(made.ok());
  Scenario s;
  s.name = "nobody";
  auto run = (*made)->run(s, profile());
  EXPECT_FALSE(run->started);
  EXPECT_NE(run->error.find("no client fetched"), std::string::npos) << run->error;
}

}  // namespace
}  // namespace parley::clientsuite
