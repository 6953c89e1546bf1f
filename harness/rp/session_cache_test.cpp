// The session caches: WIF's MRU sizes and purge, and Redis against a real redis-server.
#include "harness/rp/session_cache.h"

#include <gtest/gtest.h>

#include "harness/rp/redis_test_support.h"

namespace parley::rp {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kNow = Clock::now();
const Clock::time_point kLater = kNow + 1h;

Bytes bytes_of(std::string_view s) { return to_bytes(s); }

TEST(MruSessionCache, WifDefaultsAre20000PurgedTo16000) {
  MruSessionCache cache;
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(cache.put("k" + std::to_string(i), bytes_of("v"), kLater).ok());
  EXPECT_EQ(cache.size(), 20000u);
  EXPECT_EQ(cache.purges(), 0u);
  ASSERT_TRUE(cache.put("one-more", bytes_of("v"), kLater).ok());
  // Full: purged down to 16000 (the least recently used go), then the new entry is added.
  EXPECT_EQ(cache.size(), 16001u);
  EXPECT_EQ(cache.purges(), 1u);
  EXPECT_FALSE(cache.get("k0", kNow)->has_value());
  EXPECT_FALSE(cache.get("k3999", kNow)->has_value());
  EXPECT_TRUE(cache.get("k4000", kNow)->has_value());
  EXPECT_TRUE(cache.get("one-more", kNow)->has_value());
}

TEST(MruSessionCache, EvictsLeastRecentlyUsedNotOldest) {
  MruSessionCache cache(4, 2);
  for (const char* k : {"a", "b", "c", "d"}) ASSERT_TRUE(cache.put(k, bytes_of(k), kLater).ok());
  ASSERT_TRUE(cache.get("a", kNow)->has_value());  // a is now the most recently used
  ASSERT_TRUE(cache.put("e", bytes_of("e"), kLater).ok());
  // Purge to 2 (LRU first: b, c), then e is added.
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.get("b", kNow)->has_value());
  EXPECT_FALSE(cache.get("c", kNow)->has_value());
  EXPECT_EQ(**cache.get("a", kNow), bytes_of("a"));
  EXPECT_EQ(**cache.get("d", kNow), bytes_of("d"));
  EXPECT_EQ(**cache.get("e", kNow), bytes_of("e"));
}

TEST(MruSessionCache, ExpiredEntriesAreAbsentAndRemoveWorks) {
  MruSessionCache cache;
  ASSERT_TRUE(cache.put("x", bytes_of("1"), kNow + 10s).ok());
  EXPECT_TRUE(cache.get("x", kNow)->has_value());
  EXPECT_FALSE(cache.get("x", kNow + 11s)->has_value());
  EXPECT_EQ(cache.size(), 0u);  // dropped on the read that found it expired
  ASSERT_TRUE(cache.put("y", bytes_of("2"), kLater).ok());
  ASSERT_TRUE(cache.remove("y").ok());
  EXPECT_FALSE(cache.get("y", kNow)->has_value());
  EXPECT_TRUE(cache.remove("never-there").ok());
}

TEST(MruSessionCache, AddIfAbsentRefusesALiveKeyOnly) {
  MruSessionCache cache;
  EXPECT_TRUE(*cache.add_if_absent("r", bytes_of("1"), kNow + 5s, kNow));
  EXPECT_FALSE(*cache.add_if_absent("r", bytes_of("2"), kNow + 5s, kNow + 1s));
  EXPECT_TRUE(*cache.add_if_absent("r", bytes_of("3"), kNow + 20s, kNow + 6s));  // the first one expired
  EXPECT_EQ(**cache.get("r", kNow + 7s), bytes_of("3"));
}

TEST(RedisAddress, ParsesHostPortAndRefusesJunk) {
  auto a = parse_redis_address("127.0.0.1:6380");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6380);
  auto v6 = parse_redis_address("[::1]:7000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  for (const char* bad : {"", "localhost", ":6379", "h:", "h:0", "h:65536", "h:12x"}) {
    EXPECT_FALSE(parse_redis_address(bad).ok()) << bad;
  }
}

TEST(RedisSessionCache, RoundTripTtlNxAndPrefix) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  RedisSessionCache a(server.options("node:"));
  RedisSessionCache b(server.options("node:"));
  RedisSessionCache other(server.options("other:"));
  const Bytes binary = {0x00, 0xff, 0x0d, 0x0a, 0x00, 0x41};  // binary-safe values
  ASSERT_TRUE(a.put("s1", binary, Clock::now() + 1h).ok());
  auto got = b.get("s1", Clock::now());
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, binary);                                   // a second client (node) sees it
  EXPECT_FALSE(other.get("s1", Clock::now())->has_value());  // another prefix does not
  ASSERT_TRUE(b.remove("s1").ok());
  EXPECT_FALSE(a.get("s1", Clock::now())->has_value());  // a removal on one node is seen by the other

  // The TTL is the entry's expiry: Redis drops it by itself.
  ASSERT_TRUE(a.put("short", binary, Clock::now() + 150ms).ok());
  EXPECT_TRUE(a.get("short", Clock::now())->has_value());
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(a.get("short", Clock::now())->has_value());

  EXPECT_TRUE(*a.add_if_absent("once", binary, Clock::now() + 1h, Clock::now()));
  EXPECT_FALSE(*b.add_if_absent("once", binary, Clock::now() + 1h, Clock::now()));
  EXPECT_TRUE(a.put("empty", Bytes{}, Clock::now() + 1h).ok());
  EXPECT_EQ(**a.get("empty", Clock::now()), Bytes{});
}

TEST(RedisSessionCache, ServerGoneIsAnErrorAndReconnectsWhenBack) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  RedisSessionCache cache(server.options());
  ASSERT_TRUE(cache.put("k", bytes_of("v"), Clock::now() + 1h).ok());
  server.stop();
  auto r = cache.get("k", Clock::now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kIo);
  EXPECT_NE(r.error().where().find("redis 127.0.0.1:"), std::string::npos) << r.error().message();
  EXPECT_FALSE(cache.put("k", bytes_of("v"), Clock::now() + 1h).ok());
  EXPECT_FALSE(cache.remove("k").ok());
  EXPECT_FALSE(cache.add_if_absent("k", bytes_of("v"), Clock::now() + 1h, Clock::now()).ok());
}

TEST(RedisSessionCache, NothingListeningIsAnErrorNotAHang) {
  RedisOptions o;
  o.port = testing::free_port();
  o.connect_timeout = 300ms;
  RedisSessionCache cache(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = cache.get("k", Clock::now());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cannot connect"), std::string::npos) << r.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace parley::rp
