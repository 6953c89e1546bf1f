// The oracle's replay detection (WSS-13-01; WCF DetectReplays): the SignatureValue of every
// accepted message is remembered for the replay window, in a cache of bounded size (WCF
// ReplayCacheSize). A message whose signature was already seen is a replay. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::oracle {

class ReplayCache {
 public:
  using Clock = std::chrono::system_clock;

  ReplayCache(std::size_t capacity, std::chrono::seconds window) : capacity_(capacity), window_(window) {}

  // Records `signature_value` seen at `now`; false when it was already seen within the window
  // (a replay). When full, the oldest entry makes room (WCF evicts the same way).
  bool remember(const std::string& signature_value, Clock::time_point now);

  std::size_t size() const;

 private:
  void expire(Clock::time_point now);  // with mu_ held

  std::size_t capacity_;
  std::chrono::seconds window_;
  mutable std::mutex mu_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // oldest first
  std::unordered_map<std::string, Clock::time_point> seen_;
};

}  // namespace parley::oracle
