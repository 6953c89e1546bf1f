#include "harness/load/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace parley::load {
namespace {

// The nearest-rank percentile of exact samples, the reference the histogram approximates.
std::uint64_t exact_percentile(std::vector<std::uint64_t> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(99.5), 100u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, SingleValueIsEveryPercentile) {
  LatencyHistogram h;
  h.record(123456);
  EXPECT_EQ(h.min(), 123456u);
  EXPECT_EQ(h.max(), 123456u);
  // The bucket's highest value is clamped to the recorded extremes.
  EXPECT_EQ(h.percentile(50), 123456u);
  EXPECT_EQ(h.percentile(99), 123456u);
}

TEST(LatencyHistogram, BucketsAreContiguousAndCoverTheirValues) {
  std::size_t previous = 0;
  for (std::uint64_t v = 0; v < (1u << 20); v += 1 + v / 997) {
    const std::size_t i = LatencyHistogram::bucket_index(v);
    EXPECT_GE(i, previous) << v;
    EXPECT_LE(i, previous + 1) << v;  // no bucket is skipped
    EXPECT_GE(LatencyHistogram::bucket_highest(i), v) << v;
    if (i > 0) {
      EXPECT_LT(LatencyHistogram::bucket_highest(i - 1), v) << v;
    }
    previous = i;
  }
  EXPECT_EQ(LatencyHistogram::bucket_index(255), 255u);
  EXPECT_EQ(LatencyHistogram::bucket_index(256), 256u);
  EXPECT_EQ(LatencyHistogram::bucket_index(257), 256u);  // 2 values per bucket from 256
  EXPECT_EQ(LatencyHistogram::bucket_highest(256), 257u);
  EXPECT_EQ(LatencyHistogram::bucket_index(LatencyHistogram::kMaxTrackable),
            LatencyHistogram::bucket_index(LatencyHistogram::kMaxTrackable * 4));
}

TEST(LatencyHistogram, LargeValuesWithinOnePercentOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(7.0, 1.2);  // mostly 0.1-10 ms, a long tail
  std::vector<std::uint64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    samples.push_back(v);
    h.record(v);
  }
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = static_cast<double>(exact_percentile(samples, p));
    const double got = static_cast<double>(h.percentile(p));
    EXPECT_GE(got, exact) << p;  // the bucket's highest value: never below the true one
    EXPECT_LE(got, exact * 1.01 + 1) << p;
  }
  EXPECT_EQ(h.min(), *std::min_element(samples.begin(), samples.end()));
  EXPECT_EQ(h.max(), *std::max_element(samples.begin(), samples.end()));
  EXPECT_LE(h.percentile(50), h.percentile(90));
  EXPECT_LE(h.percentile(90), h.percentile(99));
  EXPECT_LE(h.percentile(99), h.max());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; ++v) {
    const std::uint64_t x = (v * 7919) % 250000;
    (v % 3 == 0 ? a : b).record(x);
    all.record(x);
  }
  LatencyHistogram empty;
  a.merge(empty);
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.99}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  LatencyHistogram into_empty;
  into_empty.merge(b);
  EXPECT_EQ(into_empty.min(), b.min());
}

TEST(LatencyHistogram, HugeValuesAreClampedNotLost) {
  LatencyHistogram h;
  h.record(10);
  h.record(~std::uint64_t{0});
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxTrackable);
  EXPECT_EQ(h.percentile(100), LatencyHistogram::kMaxTrackable);
  EXPECT_EQ(h.percentile(50), 10u);
}

}  // namespace
}  // namespace parley::load
