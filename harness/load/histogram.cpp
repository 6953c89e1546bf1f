#include "harness/load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::load {

// Layout: values < 2 * kSubBuckets map to themselves (exact). A larger value whose highest set
// bit is at position top keeps its top kSubBucketBits + 1 bits; with shift = top - kSubBucketBits
// its bucket is kSubBuckets * (shift + 1) + (value >> shift) - kSubBuckets, so the buckets of
// consecutive powers of two follow each other with no gap.
std::size_t LatencyHistogram::bucket_index(std::uint64_t value) {
  value = std::min(value, kMaxTrackable);
  if (value < 2 * kSubBuckets) return static_cast<std::size_t>(value);
  const int top = static_cast<int>(std::bit_width(value)) - 1;  // >= kSubBucketBits + 1
  const int shift = top - kSubBucketBits;     // >= 1
  // value >> shift is in [kSubBuckets, 2 * kSubBuckets).
  const std::uint64_t sub = (value >> shift) - kSubBuckets;
  return static_cast<std::size_t>(kSubBuckets * static_cast<std::uint64_t>(shift + 1) + sub);
}

std::uint64_t LatencyHistogram::bucket_highest(std::size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;  // >= 1
  const std::uint64_t sub = index % kSubBuckets;
  const std::uint64_t lowest = (kSubBuckets + sub) << shift;
  return lowest + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t micros) {
  micros = std::min(micros, kMaxTrackable);
  counts_[bucket_index(micros)] += 1;
  if (count_ == 0 || micros < min_) min_ = micros;
  if (micros > max_) max_ = micros;
  ++count_;
  sum_ += micros;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

std::uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0.0)) return min_;
  if (p >= 100.0) return max_;
  // Nearest rank: the ceil(p/100 * n)-th smallest value (1-based).
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_highest(i), min_, max_);
  }
  return max_;
}

}  // namespace parley::load
