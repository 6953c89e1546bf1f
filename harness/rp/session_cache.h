// The session cache of the reference relying party: where reference-mode session tokens live
// (the cookie then carries only the SCT's Identifier and Instance) and where sign-in tokens
// are remembered against replay. Two kinds, as WIF offers them:
//
// - MruSessionCache: in-process, most-recently-used, WIF's MruSessionSecurityTokenCache sizes
//   (20000 entries, purged to 16000 when full; wire facts B, "Session module behaviour").
// - RedisSessionCache: a shared Redis (hiredis), so that the nodes of a farm see each other's
//   sessions and sign-outs. Every Redis failure is an Error (the RP turns it into a
//   re-authentication), never an exception.
//
// docs/design/reference-rp.md, "Session cache".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "harness/core/bytes.h"
#include "harness/core/error.h"

struct redisContext;

namespace parley::rp {

using Clock = std::chrono::system_clock;

class SessionCache {
 public:
  virtual ~SessionCache() = default;
  virtual std::string_view kind() const = 0;  // "memory" | "redis"
  // Stores (or replaces) `key` until `expires`; an already expired entry is not stored.
  virtual Status put(const std::string& key, ByteView value, Clock::time_point expires) = 0;
  // nullopt when absent or expired at `now`.
  virtual Result<std::optional<Bytes>> get(const std::string& key, Clock::time_point now) = 0;
  virtual Status remove(const std::string& key) = 0;
  // Stores only when `key` is absent (or expired): true when stored, false when it was there.
  virtual Result<bool> add_if_absent(const std::string& key, ByteView value, Clock::time_point expires,
                                     Clock::time_point now) = 0;
};

// WIF's MruSessionSecurityTokenCache defaults.
inline constexpr std::size_t kWifCacheMaxEntries = 20000;
inline constexpr std::size_t kWifCacheSizeAfterPurge = 16000;

class MruSessionCache final : public SessionCache {
 public:
  // When an insertion finds max_entries entries, the least recently used are dropped until
  // size_after_purge remain (then the new entry is added). Needs 0 < size_after_purge <= max_entries.
  explicit MruSessionCache(std::size_t max_entries = kWifCacheMaxEntries,
                           std::size_t size_after_purge = kWifCacheSizeAfterPurge);
  std::string_view kind() const override { return "memory"; }
  Status put(const std::string& key, ByteView value, Clock::time_point expires) override;
  Result<std::optional<Bytes>> get(const std::string& key, Clock::time_point now) override;
  Status remove(const std::string& key) override;
  Result<bool> add_if_absent(const std::string& key, ByteView value, Clock::time_point expires,
                             Clock::time_point now) override;

  std::size_t size() const;
  std::uint64_t purges() const;  // how many times the cache was full and purged

 private:
  struct Entry {
    std::string key;
    Bytes value;
    Clock::time_point expires;
  };
  void insert_locked(const std::string& key, ByteView value, Clock::time_point expires);

  std::size_t max_entries_;
  std::size_t size_after_purge_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::uint64_t purges_ = 0;
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string key_prefix = "parley:rp:";
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{1000};
};

// "host:port" (IPv6 as "[::1]:port"). Errors name the part that is wrong.
Result<RedisOptions> parse_redis_address(std::string_view address, RedisOptions base = {});

// One connection, used under a mutex and re-opened after any failure. Keys are key_prefix + key;
// entries carry a TTL (PX) of their expiry, so Redis drops them itself.
class RedisSessionCache final : public SessionCache {
 public:
  explicit RedisSessionCache(RedisOptions options);
  ~RedisSessionCache() override;
  RedisSessionCache(const RedisSessionCache&) = delete;
  RedisSessionCache& operator=(const RedisSessionCache&) = delete;

  std::string_view kind() const override { return "redis"; }
  Status put(const std::string& key, ByteView value, Clock::time_point expires) override;
  Result<std::optional<Bytes>> get(const std::string& key, Clock::time_point now) override;
  Status remove(const std::string& key) override;
  Result<bool> add_if_absent(const std::string& key, ByteView value, Clock::time_point expires,
                             Clock::time_point now) override;

  // PING: for start-up checks and tests.
  Status ping();
  const RedisOptions& options() const { return options_; }

 private:
  Status connect_locked();
  void drop_locked();
  std::string where() const;

  RedisOptions options_;
  std::mutex mutex_;
  redisContext* context_ = nullptr;
};

}  // namespace parley::rp
