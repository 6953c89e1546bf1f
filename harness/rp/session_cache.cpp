#include "harness/rp/session_cache.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace parley::rp {

// --- MRU -----------------------------------------------------------------------------------

MruSessionCache::MruSessionCache(std::size_t max_entries, std::size_t size_after_purge)
    : max_entries_(std::max<std::size_t>(max_entries, 1)),
      size_after_purge_(std::clamp<std::size_t>(size_after_purge, 1, std::max<std::size_t>(max_entries, 1))) {}

void MruSessionCache::insert_locked(const std::string& key, ByteView value, Clock::time_point expires) {
  if (auto it = index_.find(key); it != index_.end()) {
    entries_.erase(it->second);
    index_.erase(it);
  }
  if (entries_.size() >= max_entries_) {
    // WIF purges the least recently used entries down to the after-purge size in one go.
    ++purges_;
    while (entries_.size() > size_after_purge_) {
      index_.erase(entries_.back().key);
      entries_.pop_back();
    }
  }
  entries_.push_front(Entry{key, Bytes(value.begin(), value.end()), expires});
  index_[key] = entries_.begin();
}

Status MruSessionCache::put(const std::string& key, ByteView value, Clock::time_point expires) {
  std::lock_guard lock(mutex_);
  insert_locked(key, value, expires);
  return ok_status();
}

Result<std::optional<Bytes>> MruSessionCache::get(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::optional<Bytes>{};
  if (it->second->expires <= now) {
    entries_.erase(it->second);
    index_.erase(it);
    return std::optional<Bytes>{};
  }
  entries_.splice(entries_.begin(), entries_, it->second);  // most recently used
  return std::optional<Bytes>{entries_.front().value};
}

Status MruSessionCache::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    entries_.erase(it->second);
    index_.erase(it);
  }
  return ok_status();
}

Result<bool> MruSessionCache::add_if_absent(const std::string& key, ByteView value, Clock::time_point expires,
                                            Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end() && it->second->expires > now) return false;
  insert_locked(key, value, expires);
  return true;
}

std::size_t MruSessionCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t MruSessionCache::purges() const {
  std::lock_guard lock(mutex_);
  return purges_;
}

// --- Redis ---------------------------------------------------------------------------------

Result<RedisOptions> parse_redis_address(std::string_view address, RedisOptions base) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return Error(ErrorCode::kInvalidArgument, "'" + std::string(address) + "' is not host:port", "redis address");
  }
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Error(ErrorCode::kInvalidArgument, "port '" + std::string(port_text) + "' is not 1..65535",
                 "redis address");
  }
  base.host = std::string(host);
  base.port = static_cast<std::uint16_t>(port);
  return base;
}

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Milliseconds until `expires`, at least 1 (PX 0 is an error in Redis).
long long ttl_ms(Clock::time_point expires, Clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(expires - now).count();
  return std::max<long long>(ms, 1);
}

}  // namespace

RedisSessionCache::RedisSessionCache(RedisOptions options) : options_(std::move(options)) {}

RedisSessionCache::~RedisSessionCache() {
  std::lock_guard lock(mutex_);
  drop_locked();
}

std::string RedisSessionCache::where() const {
  return "redis " + options_.host + ":" + std::to_string(options_.port);
}

void RedisSessionCache::drop_locked() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

Status RedisSessionCache::connect_locked() {
  if (context_ != nullptr) return ok_status();
  const timeval connect_tv = to_timeval(options_.connect_timeout);
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port, connect_tv);
  if (c == nullptr) return Error(ErrorCode::kIo, "cannot allocate a connection", where());
  if (c->err != 0) {
    Error e(ErrorCode::kIo, std::string("cannot connect: ") + c->errstr, where());
    redisFree(c);
    return e;
  }
  const timeval command_tv = to_timeval(options_.command_timeout);
  if (redisSetTimeout(c, command_tv) != REDIS_OK) {
    redisFree(c);
    return Error(ErrorCode::kIo, "cannot set the command timeout", where());
  }
  context_ = c;
  return ok_status();
}

namespace {

// Runs one command (binary-safe arguments); a transport failure drops the connection so that the
// next call reconnects. A Redis error reply is an Error too.
Result<Reply> run(redisContext*& context, const std::vector<std::string_view>& args, const std::string& where) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto a : args) {
    argv.push_back(a.empty() ? "" : a.data());  // never a null pointer, even for an empty value
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (raw == nullptr) {
    Error e(ErrorCode::kIo, std::string(args.front()) + ": " + (context->err != 0 ? context->errstr : "no reply"),
            where);
    redisFree(context);
    context = nullptr;
    return e;
  }
  Reply reply(raw);
  if (reply->type == REDIS_REPLY_ERROR) {
    return Error(ErrorCode::kIo, std::string(args.front()) + ": " + std::string(reply->str, reply->len), where);
  }
  return reply;
}

}  // namespace

Status RedisSessionCache::ping() {
  std::lock_guard lock(mutex_);
  PARLEY_TRY(connect_locked());
  PARLEY_ASSIGN_OR_RETURN(Reply r, run(context_, {"PING"}, where()));
  if (r->type != REDIS_REPLY_STATUS) return Error(ErrorCode::kIo, "PING: unexpected reply", where());
  return ok_status();
}

Status RedisSessionCache::put(const std::string& key, ByteView value, Clock::time_point expires) {
  const auto now = Clock::now();
  if (expires <= now) return ok_status();
  const std::string full = options_.key_prefix + key;
  const std::string ttl = std::to_string(ttl_ms(expires, now));
  const std::string_view data(reinterpret_cast<const char*>(value.data()), value.size());
  std::lock_guard lock(mutex_);
  PARLEY_TRY(connect_locked());
  PARLEY_ASSIGN_OR_RETURN(Reply r, run(context_, {"SET", full, data, "PX", ttl}, where()));
  if (r->type != REDIS_REPLY_STATUS) return Error(ErrorCode::kIo, "SET: unexpected reply", where());
  return ok_status();
}

Result<std::optional<Bytes>> RedisSessionCache::get(const std::string& key, Clock::time_point) {
  const std::string full = options_.key_prefix + key;
  std::lock_guard lock(mutex_);
  PARLEY_TRY(connect_locked());
  PARLEY_ASSIGN_OR_RETURN(Reply r, run(context_, {"GET", full}, where()));
  if (r->type == REDIS_REPLY_NIL) return std::optional<Bytes>{};
  if (r->type != REDIS_REPLY_STRING) return Error(ErrorCode::kIo, "GET: unexpected reply", where());
  const auto* p = reinterpret_cast<const std::uint8_t*>(r->str);
  return std::optional<Bytes>{Bytes(p, p + r->len)};
}

Status RedisSessionCache::remove(const std::string& key) {
  const std::string full = options_.key_prefix + key;
  std::lock_guard lock(mutex_);
  PARLEY_TRY(connect_locked());
  PARLEY_ASSIGN_OR_RETURN(Reply r, run(context_, {"DEL", full}, where()));
  if (r->type != REDIS_REPLY_INTEGER) return Error(ErrorCode::kIo, "DEL: unexpected reply", where());
  return ok_status();
}

Result<bool> RedisSessionCache::add_if_absent(const std::string& key, ByteView value, Clock::time_point expires,
                                              Clock::time_point now) {
  const std::string full = options_.key_prefix + key;
  const std::string ttl = std::to_string(ttl_ms(expires, now));
  const std::string_view data(reinterpret_cast<const char*>(value.data()), value.size());
  std::lock_guard lock(mutex_);
  PARLEY_TRY(connect_locked());
  PARLEY_ASSIGN_OR_RETURN(Reply r, run(context_, {"SET", full, data, "NX", "PX", ttl}, where()));
  if (r->type == REDIS_REPLY_NIL) return false;  // NX: the key was there
  if (r->type != REDIS_REPLY_STATUS) return Error(ErrorCode::kIo, "SET NX: unexpected reply", where());
  return true;
}

}  // namespace parley::rp
