#include "harness/load/load.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace parley::load {
namespace {

TEST(LoadProcessFigures, OwnRssAndCpuAreRead) {
  auto rss = resident_set_bytes(static_cast<long>(getpid()));
  ASSERT_TRUE(rss.ok()) << rss.error().message();
  EXPECT_GT(*rss, 1u << 20);  // a running test binary holds more than 1 MiB
  EXPECT_EQ(*rss % 1024, 0u);  // /proc reports kB
  auto cpu = process_cpu_seconds(static_cast<long>(getpid()));
  ASSERT_TRUE(cpu.ok()) << cpu.error().message();
  EXPECT_GE(*cpu, 0.0);
  EXPECT_LT(*cpu, 3600.0);
}

TEST(LoadProcessFigures, NoSuchProcessIsAnErrorNamingTheFile) {
  // PIDs are below 2^22 on Linux (pid_max), so this one never exists.
  auto rss = resident_set_bytes(99999999);
  ASSERT_FALSE(rss.ok());
  EXPECT_EQ(rss.error().where(), "/proc/99999999/status");
  auto cpu = process_cpu_seconds(99999999);
  ASSERT_FALSE(cpu.ok());
  EXPECT_EQ(cpu.error().where(), "/proc/99999999/stat");
}

TEST(LoadErrorTally, CountsEveryErrorButKeepsFewSamples) {
  ErrorTally a;
  for (int i = 0; i < 100; ++i) a.add(ErrorKind::kTransport, "reset " + std::to_string(i));
  a.add(ErrorKind::kSoapFault, "fault");
  EXPECT_EQ(a.total(), 101u);
  EXPECT_EQ(a.counts[ErrorKind::kTransport], 100u);
  EXPECT_EQ(a.samples.size(), 8u);
  EXPECT_EQ(a.samples.front(), "transport: reset 0");
  ErrorTally b;
  b.add(ErrorKind::kVerification, "bad signature");
  b.merge(a);
  EXPECT_EQ(b.total(), 102u);
  EXPECT_EQ(b.counts[ErrorKind::kSoapFault], 1u);
  EXPECT_EQ(b.samples.size(), 8u);
  EXPECT_EQ(b.samples.front(), "verification: bad signature");
}

TEST(LoadExitCode, FollowsErrorsChecksReachabilityAndInterruption) {
  LoadResult r;
  r.checks.push_back({"replay", "", {}, Verdict::kPass, ""});
  r.checks.push_back({"pending-sessions", "", {}, Verdict::kNotApplicable, "no bound"});
  EXPECT_EQ(exit_code(r), 0);
  r.traffic.errors.add(ErrorKind::kProtocol, "HTTP 500");
  EXPECT_EQ(exit_code(r), 1);
  r.traffic.errors = {};
  r.checks[1].verdict = Verdict::kFail;
  EXPECT_EQ(exit_code(r), 1);
  r.interrupted = true;
  EXPECT_EQ(exit_code(r), 3);
  r.interrupted = false;
  r.reachable = false;
  EXPECT_EQ(exit_code(r), 3);
}

}  // namespace
}  // namespace parley::load
