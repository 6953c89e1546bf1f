// LatencyHistogram: latencies in microseconds in fixed, log-linear buckets (the HdrHistogram
// layout): values below 2^kSubBucketBits are exact, larger ones keep kSubBucketBits significant
// bits (under 1 % relative error). Memory is fixed (about 60 KB) however many values are
// recorded, so a load run of any length has bounded memory; per-worker histograms merge.
#pragma once

#include <array>
#include <cstdint>

namespace parley::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets per power of two
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  // Values above this (about 36 minutes in microseconds) are clamped into the top bucket.
  static constexpr std::uint64_t kMaxTrackable = (std::uint64_t{1} << 41) - 1;

  void record(std::uint64_t micros);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  // Exact extremes of what was recorded (clamped to kMaxTrackable); 0 when empty.
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  // The nearest-rank percentile (0 < p <= 100): the smallest recorded value v such that at least
  // p % of the values are <= v, reported as the highest value of v's bucket, clamped to
  // [min(), max()]. 0 when empty; p <= 0 gives min(), p >= 100 gives max().
  std::uint64_t percentile(double p) const;

  // Bucket arithmetic, public for the tests.
  static std::size_t bucket_index(std::uint64_t value);
  static std::uint64_t bucket_highest(std::size_t index);

 private:
  // Buckets: [0, 2*kSubBuckets) exact, then kSubBuckets per further power of two up to 2^41.
  static constexpr std::size_t kBuckets = (41 - kSubBucketBits) * kSubBuckets + kSubBuckets;
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace parley::load
