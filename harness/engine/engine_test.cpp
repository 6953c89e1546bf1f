// Each verdict rule of architecture.md, proven with targets that misbehave in exactly one way.
#include <gtest/gtest.h>

#include <set>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/engine/runner.h"

namespace parley::engine {
namespace {

Answer answer(Answer::Kind kind, int status = 200, const char* fault_local = nullptr) {
  Answer a;
  a.kind = kind;
  a.status = status;
  if (fault_local != nullptr) {
    a.fault = wssc::SoapFault{};
    a.fault->code = {std::string(names::ns::kSoap12), "Sender"};
    a.fault->subcodes.push_back({std::string(names::ns::kWsc13), fault_local});
  }
  if (kind == Answer::Kind::kTransportError) a.detail = "timed out after 500 ms";
  return a;
}

const names::QName kBadContext = names::sc_fault(names::ScVersion::k1_3, names::ScFault::kBadContextToken);

NegativeStep step(Answer control, Answer mutant, Answer control_after) {
  auto calls = std::make_shared<int>(0);
  NegativeStep s;
  s.control = [=] { return (*calls)++ == 0 ? control : control_after; };
  s.mutant = [=] { return mutant; };
  s.expected = {kBadContext};
  s.mutation = "an unknown context";
  return s;
}

const Answer kOk = answer(Answer::Kind::kSuccess);

TEST(NegativeRule, ExpectedFaultPassesOnlyWithControlsAround) {
  EXPECT_EQ(judge_negative(step(kOk, answer(Answer::Kind::kFault, 400, "BadContextToken"), kOk)).verdict,
            Verdict::kPass);
}

TEST(NegativeRule, FailedControlIsPrereqFailed) {
  auto o = judge_negative(step(answer(Answer::Kind::kBareHttpError, 500), kOk, kOk));
  EXPECT_EQ(o.verdict, Verdict::kPrereqFailed);
  EXPECT_NE(o.reason.find("HTTP 500 without a SOAP fault"), std::string::npos);
}

TEST(NegativeRule, AlwaysSuccessIsFail) {
  auto o = judge_negative(step(kOk, kOk, kOk));
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_NE(o.reason.find("accepted an unknown context"), std::string::npos);
}

TEST(NegativeRule, BareServerErrorIsNeverAPass) {
  auto o = judge_negative(step(kOk, answer(Answer::Kind::kBareHttpError, 500), kOk));
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_NE(o.reason.find("must be a SOAP fault"), std::string::npos);
  EXPECT_EQ(judge_negative(step(kOk, answer(Answer::Kind::kNotSoap, 200), kOk)).verdict, Verdict::kFail);
}

TEST(NegativeRule, NoAnswerIsError) {
  auto o = judge_negative(step(kOk, answer(Answer::Kind::kTransportError, 0), kOk));
  EXPECT_EQ(o.verdict, Verdict::kError);
  EXPECT_NE(o.reason.find("timed out"), std::string::npos);
}

TEST(NegativeRule, OtherFaultIsWarn) {
  auto o = judge_negative(step(kOk, answer(Answer::Kind::kFault, 400, "RenewNeeded"), kOk));
  EXPECT_EQ(o.verdict, Verdict::kWarn);
  EXPECT_NE(o.reason.find("expected {http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512}BadContextToken"),
            std::string::npos);
}

TEST(NegativeRule, ContextMustSurviveWhenTheRequirementSaysSo) {
  auto s = step(kOk, answer(Answer::Kind::kFault, 400, "BadContextToken"), answer(Answer::Kind::kFault, 400, "BadContextToken"));
  EXPECT_EQ(judge_negative(s).verdict, Verdict::kFail);
  auto again = step(kOk, answer(Answer::Kind::kFault, 400, "BadContextToken"),
                    answer(Answer::Kind::kFault, 400, "BadContextToken"));
  again.context_survives = false;
  EXPECT_EQ(judge_negative(again).verdict, Verdict::kPass);
}

CaseInfo info_citing(std::vector<std::string> ids) {
  CaseInfo i;
  i.id = "test/case";
  i.requirements = std::move(ids);
  return i;
}

TEST(LevelRules, ShouldAndUnconfirmedAreCappedAtWarnProfileIsApart) {
  const auto& catalog = RequirementCatalog::builtin();
  bool wcf = false;
  // SC-2-01: MUST, confirmed -> stays FAIL.
  EXPECT_EQ(apply_level_rules(info_citing({"SC-2-01"}), Outcome::fail("x"), catalog, wcf).verdict, Verdict::kFail);
  EXPECT_FALSE(wcf);
  // SC-3-03: SHOULD -> WARN.
  auto should = apply_level_rules(info_citing({"SC-3-03"}), Outcome::fail("x"), catalog, wcf);
  EXPECT_EQ(should.verdict, Verdict::kWarn);
  EXPECT_NE(should.reason.find("capped at WARN"), std::string::npos);
  // SC-2-03: MUST but unconfirmed (U) -> WARN.
  EXPECT_EQ(apply_level_rules(info_citing({"SC-2-03"}), Outcome::fail("x"), catalog, wcf).verdict, Verdict::kWarn);
  // WCF-06: the WCF interop profile -> WARN, reported apart.
  auto profile = apply_level_rules(info_citing({"WCF-06"}), Outcome::fail("x"), catalog, wcf);
  EXPECT_EQ(profile.verdict, Verdict::kWarn);
  EXPECT_TRUE(wcf);
  // PASS is untouched.
  EXPECT_EQ(apply_level_rules(info_citing({"SC-3-03"}), Outcome::pass("ok"), catalog, wcf).verdict, Verdict::kPass);
}

TEST(Catalog, BuiltinCatalogLoads) {
  const auto& catalog = RequirementCatalog::builtin();
  EXPECT_GE(catalog.all().size(), 120u);
  ASSERT_NE(catalog.find("SC-7-01"), nullptr);
  EXPECT_EQ(catalog.find("SC-7-01")->level, Level::kMust);
  EXPECT_EQ(catalog.find("SC-7-01")->status, SourceStatus::kConfirmed);
  EXPECT_EQ(catalog.digest().size(), 64u);
  EXPECT_FALSE(RequirementCatalog::parse("{}").ok());
  // Both documents are compiled in, each row knowing its catalog.
  ASSERT_NE(catalog.find("RP-SESS-01"), nullptr);
  EXPECT_EQ(catalog.find("RP-SESS-01")->catalog, "wif-session");
  EXPECT_EQ(catalog.find("SC-7-01")->catalog, "wssc");
  EXPECT_EQ(catalog.find("RP-OUT-03")->level, Level::kShould);
}

TEST(Catalog, MergedCatalogsRefuseAnIdInTwoDocuments) {
  const std::string one = R"({"schema": "parley-requirements/1", "requirements": [
      {"id": "X-1", "level": "MUST", "status": "C"}]})";
  const std::string two = R"({"schema": "parley-requirements/1", "requirements": [
      {"id": "Y-1", "level": "SHOULD", "status": "P"}]})";
  auto merged = RequirementCatalog::parse_all({{"a", one}, {"b", two}});
  ASSERT_TRUE(merged.ok()) << merged.error().message();
  EXPECT_EQ(merged->all().size(), 2u);
  EXPECT_EQ(merged->find("Y-1")->catalog, "b");
  auto twice = RequirementCatalog::parse_all({{"a", one}, {"b", one}});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message().find("X-1"), std::string::npos);
}

TEST(Registry, RefusesDuplicatesAndUnknownRequirements) {
  Registry r;
  Case c{info_citing({"SC-2-01"}), [](CaseContext&) { return Outcome::pass("ok"); }};
  EXPECT_TRUE(r.add(c).ok());
  EXPECT_NE(r.add(c).error().message().find("duplicate case id"), std::string::npos);
  Case unknown{info_citing({"SC-99-99"}), c.run};
  unknown.info.id = "other";
  EXPECT_NE(r.add(unknown).error().message().find("unknown requirement 'SC-99-99'"), std::string::npos);
}

TEST(Filters, Globs) {
  EXPECT_TRUE(matches_filters("wssc/07/generation-offset", {}));
  EXPECT_TRUE(matches_filters("wssc/07/generation-offset", {"wssc/07/*"}));
  EXPECT_TRUE(matches_filters("wssc/07/generation-offset", {"x", "*offset"}));
  EXPECT_FALSE(matches_filters("wssc/07/generation-offset", {"wssc/08/*"}));
  EXPECT_TRUE(matches_filters("wssc/07/a", {"wssc/0?/a"}));
}

// A registry of cases with fixed outcomes, run through the real runner.
Registry fixed_cases(std::vector<std::pair<std::string, Outcome>> outcomes, std::vector<Capability> needs = {}) {
  Registry r;
  for (auto& [id, outcome] : outcomes) {
    CaseInfo i = info_citing({"SC-2-01"});
    i.id = id;
    i.needs = needs;
    Outcome o = outcome;
    EXPECT_TRUE(r.add(Case{i, [o](CaseContext&) { return o; }}).ok());
  }
  return r;
}

oracle::TargetProfile profile() {
  oracle::TargetProfile p;
  p.client.service_url = "http://127.0.0.1:9/service";
  p.renew = true;
  p.cancel = true;
  return p;
}

RunOptions options() {
  RunOptions o;
  o.settings.send = [](const std::string&, const oracle::SoapRequest&) -> Result<oracle::SoapResponse> {
    return Error(ErrorCode::kIo, "never answers");
  };
  o.jobs = 2;
  return o;
}

TEST(Runner, NothingDecisiveExitsOne) {
  auto reg = fixed_cases({{"a", Outcome::info("observed")}, {"b", Outcome::not_applicable("n/a")}});
  auto run = run_cases(reg, profile(), options());
  EXPECT_FALSE(run.summary.any_decisive);
  EXPECT_EQ(run.summary.exit_code, 1);
  auto ok = fixed_cases({{"a", Outcome::pass("fine")}});
  EXPECT_EQ(run_cases(ok, profile(), options()).summary.exit_code, 0);
}

TEST(Runner, DisclaimedCapabilityIsNotApplicableAndTheCaseDoesNotRun) {
  auto reg = fixed_cases({{"needs-amend", Outcome::fail("must not run")}}, {Capability::kAmend});
  auto run = run_cases(reg, profile(), options());
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::kNotApplicable);
  EXPECT_EQ(run.results[0].reason, "the profile disclaims amend");
  EXPECT_NE(std::find(run.summary.disclaimed.begin(), run.summary.disclaimed.end(), "amend"),
            run.summary.disclaimed.end());
}

TEST(Runner, PrereqFailedAndErrorCountAsFailures) {
  auto reg = fixed_cases({{"a", Outcome::pass("ok")}, {"b", Outcome::prereq_failed("no SCT")}, {"c", Outcome::error("x")}});
  auto run = run_cases(reg, profile(), options());
  EXPECT_EQ(run.summary.failures, 2u);
  EXPECT_EQ(run.summary.exit_code, 1);
}

TEST(Runner, APrerequisiteWithNoHttpAnswerIsErrorOneRefusedOverHttpStaysPrereqFailed) {
  // The issuance a case needs: first no HTTP answer at all (reset, timeout, garbage), then an
  // HTTP answer the issuance could not use (a 302).
  auto exchange = [](int status, std::string error) {
    return [status, error](CaseContext& ctx) {
      EvidenceExchange x;
      x.label = "issue";
      x.response_status = status;
      x.error = error;
      ctx.evidence().exchanges.push_back(x);
      return Outcome::prereq_failed("issuance did not succeed: " + (error.empty() ? "HTTP 302" : error));
    };
  };
  Registry reg;
  CaseInfo broke = info_citing({"SC-2-01"});
  broke.id = "broke";
  CaseInfo refused = info_citing({"SC-2-01"});
  refused.id = "refused";
  ASSERT_TRUE(reg.add(Case{broke, exchange(0, "connection reset reading the response body")}).ok());
  ASSERT_TRUE(reg.add(Case{refused, exchange(302, "")}).ok());
  auto run = run_cases(reg, profile(), options());
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_EQ(run.results[0].verdict, Verdict::kError);
  EXPECT_EQ(run.results[0].reason,
            "the target gave no usable HTTP answer, so the case could not run: issuance did not succeed: "
            "connection reset reading the response body");
  EXPECT_EQ(run.results[1].verdict, Verdict::kPrereqFailed);
  EXPECT_EQ(run.results[1].reason, "issuance did not succeed: HTTP 302");
}

TEST(Runner, BaselineExcusesKnownFailuresAndFailsUnexpectedPasses) {
  auto reg = fixed_cases({{"known", Outcome::fail("known bug")}, {"fixed", Outcome::pass("now fine")}});
  Baseline b;
  b.entries = {{"known", Verdict::kFail, "vendor bug #12"}, {"fixed", Verdict::kFail, "was broken"}};
  RunOptions o = options();
  o.baseline = &b;
  auto run = run_cases(reg, profile(), o);
  EXPECT_FALSE(run.results[0].unexpected);
  EXPECT_TRUE(run.results[1].unexpected);  // an unexpected pass fails the run
  EXPECT_EQ(run.summary.failures, 1u);
  EXPECT_EQ(run.summary.exit_code, 1);
  EXPECT_FALSE(parse_baseline(R"({"schema":"parley-baseline/1","entries":[{"case":"x","verdict":"FAIL"}]})").ok());
  auto parsed = parse_baseline(write_baseline(run.results));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->entries.size(), 1u);
}

TEST(Runner, DestructiveCasesNeedTheFlag) {
  Registry r;
  CaseInfo i = info_citing({"SC-10-04"});
  i.id = "flood";
  i.destructive = true;
  ASSERT_TRUE(r.add(Case{i, [](CaseContext&) { return Outcome::pass("ok"); }}).ok());
  auto run = run_cases(r, profile(), options());
  EXPECT_EQ(run.results[0].verdict, Verdict::kNotApplicable);
  RunOptions o = options();
  o.settings.allow_destructive = true;
  EXPECT_EQ(run_cases(r, profile(), o).results[0].verdict, Verdict::kPass);
}

TEST(Runner, StrictCountsWarnings) {
  EXPECT_FALSE(counts_as_failure(Verdict::kWarn, false));
  EXPECT_TRUE(counts_as_failure(Verdict::kWarn, true));
  EXPECT_FALSE(counts_as_failure(Verdict::kNotApplicable, true));
}

// A TCP port that completes handshakes (the kernel's backlog) and never answers.
class SilentPort {
 public:
  SilentPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentPort() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/service"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(Runner, CaseBudgetCutsARequestThatNeverEndsAndTheCaseIsError) {
  SilentPort silent;
  Registry r;
  CaseInfo i = info_citing({"SC-2-01"});
  i.id = "hangs";
  const std::string url = silent.url();
  ASSERT_TRUE(r.add(Case{i, [url](CaseContext& ctx) {
                  auto doc = xml::parse("<a/>");
                  Answer a = ctx.send("request", url, *doc, "urn:x");
                  // Whatever a buggy case concludes after a cut request, the runner reports ERROR.
                  return Outcome::pass("answered: " + a.describe());
                }}).ok());
  RunOptions o;
  o.settings.request_timeout = std::chrono::seconds(60);
  o.settings.case_timeout = std::chrono::seconds(1);
  auto run = run_cases(r, profile(), o);
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::kError);
  EXPECT_NE(run.results[0].reason.find("time budget of 1 s"), std::string::npos) << run.results[0].reason;
  // Cut at the budget, not at the 60 s request timeout.
  EXPECT_LT(run.results[0].duration, std::chrono::seconds(20));
  ASSERT_EQ(run.results[0].evidence.exchanges.size(), 1u);
  EXPECT_FALSE(run.results[0].evidence.exchanges[0].error.empty());
}

TEST(Runner, DefaultCaseBudgetFollowsTimeoutAndMaxWait) {
  RunSettings s;
  s.request_timeout = std::chrono::seconds(30);
  s.max_wait = std::chrono::seconds(10);
  EXPECT_EQ(case_budget(s), std::chrono::seconds(130));
  s.case_timeout = std::chrono::seconds(7);
  EXPECT_EQ(case_budget(s), std::chrono::seconds(7));
}

TEST(Runner, TimeBoundWaitsRespectMaxWait) {
  Registry r;
  CaseInfo i = info_citing({"SC-3-11"});
  i.id = "waits";
  ASSERT_TRUE(r.add(Case{i, [](CaseContext& ctx) {
                  if (Status s = ctx.wait(std::chrono::milliseconds(50), "a short expiry"); !s.ok()) {
                    return Outcome::fail("the short wait was refused: " + s.error().what());
                  }
                  Status long_wait = ctx.wait(std::chrono::hours(15), "the key's 15 h lifetime");
                  if (long_wait.ok()) return Outcome::fail("waited 15 h");
                  return Outcome::not_applicable(long_wait.error().what());
                }}).ok());
  RunOptions o = options();
  o.settings.max_wait = std::chrono::seconds(10);
  auto run = run_cases(r, profile(), o);
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::kNotApplicable);
  EXPECT_EQ(run.results[0].reason, "the key's 15 h lifetime needs a wait of 54000 s, more than --max-wait 10 s");
  ASSERT_EQ(run.results[0].evidence.notes.size(), 1u);
  EXPECT_EQ(run.results[0].evidence.notes[0], "waited 50 ms: a short expiry");
}

TEST(Runner, ProgressIsReportedOncePerCase) {
  auto reg = fixed_cases({{"a", Outcome::pass("ok")}, {"b", Outcome::fail("no")}, {"c", Outcome::info("i")}});
  RunOptions o = options();
  std::vector<std::size_t> done;
  std::set<std::string> ids;
  o.progress = [&](const CaseResult& r, std::size_t d, std::size_t total) {
    EXPECT_EQ(total, 3u);
    done.push_back(d);
    ids.insert(r.test_case->info.id);
  };
  run_cases(reg, profile(), o);
  EXPECT_EQ(done, (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(ids, (std::set<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace parley::engine
