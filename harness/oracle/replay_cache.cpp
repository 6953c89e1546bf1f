#include "harness/oracle/replay_cache.h"

namespace parley::oracle {

void ReplayCache::expire(Clock::time_point now) {
  while (!order_.empty() && order_.front().first + window_ < now) {
    auto it = seen_.find(order_.front().second);
    if (it != seen_.end() && it->second == order_.front().first) seen_.erase(it);
    order_.pop_front();
  }
}

bool ReplayCache::remember(const std::string& signature_value, Clock::time_point now) {
  std::lock_guard lock(mu_);
  expire(now);
  if (auto it = seen_.find(signature_value); it != seen_.end() && now <= it->second + window_) return false;
  if (capacity_ == 0) return true;
  while (seen_.size() >= capacity_ && !order_.empty()) {
    auto it = seen_.find(order_.front().second);
    if (it != seen_.end() && it->second == order_.front().first) seen_.erase(it);
    order_.pop_front();
  }
  seen_[signature_value] = now;
  order_.emplace_back(now, signature_value);
  return true;
}

std::size_t ReplayCache::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace parley::oracle
