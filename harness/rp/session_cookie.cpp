#include "harness/rp/session_cookie.h"

#include <algorithm>

#include "harness/core/crypto.h"

namespace parley::rp {
namespace {

using TickDuration = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;

constexpr std::size_t kMachineKeyIvSize = 16;

std::chrono::sys_seconds to_seconds(Clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t);
}

Error cookie_error(ErrorCode code, std::string what, std::string where) {
  return Error(code, std::move(what), std::move(where));
}

}  // namespace

std::string_view to_string(SessionMode mode) { return mode == SessionMode::kValue ? "value" : "reference"; }

wif::Ticks to_ticks(Clock::time_point t) {
  return wif::kUnixEpochTicks + std::chrono::duration_cast<TickDuration>(t.time_since_epoch()).count();
}

Clock::time_point from_ticks(wif::Ticks ticks) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(TickDuration(ticks - wif::kUnixEpochTicks)));
}

bool CookieProtection::has_integrity() const {
  return std::any_of(transforms.begin(), transforms.end(), [](const auto& t) {
    return t->name() == "MachineKey" || t->name() == "RsaSignature" || t->name() == "Aead";
  });
}

std::vector<std::string> CookieProtection::names() const {
  std::vector<std::string> out;
  for (const auto& t : transforms) out.emplace_back(t->name());
  return out;
}

SessionCookieCodec::SessionCookieCodec(SessionCookieConfig config, CookieProtection protection,
                                       std::shared_ptr<SessionCache> cache, FaultSet faults)
    : config_(std::move(config)), protection_(std::move(protection)), cache_(std::move(cache)), faults_(faults) {
  if (protection_.machine_key) {
    auto p = wif::MachineKeyProtector::create(*protection_.machine_key, wif::wif_machine_key_transform_purpose());
    if (p.ok()) lenient_machine_key_ = std::move(*p);
  }
}

std::string SessionCookieCodec::cache_key(std::string_view context_id,
                                          const std::optional<std::string>& key_generation) {
  // WIF keys its cache by (endpoint, ContextId, KeyGeneration); the endpoint is the RP itself.
  return "session:" + std::string(context_id) + ";" + key_generation.value_or("");
}

wif::CookieAttributes SessionCookieCodec::attributes_for(const wif::SessionToken* token) const {
  wif::CookieAttributes a = config_.attributes;
  if (faults_.has(Fault::kDropSecure)) a.secure = false;
  if (faults_.has(Fault::kDropHttpOnly)) a.http_only = false;
  if (faults_.has(Fault::kRootCookiePath)) a.path = "/";
  a.expires.reset();
  if (token != nullptr && (config_.persistent || faults_.has(Fault::kPersistentCookie))) {
    a.expires = to_seconds(from_ticks(token->expiry_time));  // WIF: Expires only for persistent sessions
  }
  return a;
}

wif::ChunkingOptions SessionCookieCodec::read_chunking() const {
  wif::ChunkingOptions o = config_.chunking;
  // The Cookie header parser still stops at kMaxCookiesPerHeader.
  if (faults_.has(Fault::kUnboundedChunks)) o.limits.max_chunks = std::size_t{1} << 20;
  return o;
}

Result<std::vector<wif::SetCookie>> SessionCookieCodec::issue(const wif::SessionToken& token,
                                                              const wif::ChunkedCookieJar& request,
                                                              Clock::time_point now) const {
  wif::SessionToken written = token;
  written.reference_mode = config_.mode == SessionMode::kReference;
  PARLEY_ASSIGN_OR_RETURN(Bytes payload, wif::encode_cookie_payload(written));
  Bytes transformed;
  if (config_.mode == SessionMode::kReference) {
    if (!cache_) return Error(ErrorCode::kInternal, "reference mode without a session cache", "session cookie");
    const Clock::time_point expires = from_ticks(token.expiry_time) + config_.max_clock_skew;
    PARLEY_TRY(cache_->put(cache_key(token.context_id, token.key_generation), payload, expires));
  } else {
    wif::CookieTransformPipeline pipeline;
    for (const auto& t : protection_.transforms) pipeline.add(t);
    PARLEY_ASSIGN_OR_RETURN(transformed, pipeline.encode(payload));
  }
  const std::string xml = wif::write_security_context_token(written, transformed);
  const std::string value = base64_encode(as_bytes(xml));
  PARLEY_ASSIGN_OR_RETURN(std::vector<wif::SetCookie> cookies,
                          wif::write_chunked_cookie(request, config_.name, value, attributes_for(&token),
                                                    to_seconds(now), config_.chunking));
  if (faults_.has(Fault::kStaleChunksOnReissue)) {
    std::erase_if(cookies, [](const wif::SetCookie& c) { return c.deletion; });
  }
  return cookies;
}

std::optional<wif::SecurityContextTokenXml> SessionCookieCodec::peek(const wif::ChunkedCookieJar& request) const {
  auto value = request.reassemble(config_.name, read_chunking());
  if (!value.ok() || !value->has_value()) return std::nullopt;
  auto xml = base64_decode(**value);
  if (!xml.ok()) return std::nullopt;
  auto sct = wif::read_security_context_token(to_string(*xml));
  if (!sct.ok()) return std::nullopt;
  return std::move(*sct);
}

Result<Bytes> SessionCookieCodec::untransform(ByteView cookie) const {
  if (!faults_.has(Fault::kSkipCookieIntegrity)) {
    wif::CookieTransformPipeline pipeline;
    for (const auto& t : protection_.transforms) pipeline.add(t);
    return pipeline.decode(cookie);
  }
  // The fault: each authenticating transform is undone without its check.
  Bytes data(cookie.begin(), cookie.end());
  for (auto it = protection_.transforms.rbegin(); it != protection_.transforms.rend(); ++it) {
    const auto& t = **it;
    if (t.name() == "RsaSignature" && data.size() >= 4) {
      // int32 LE signature length, the signature, the value (cookie_transforms.h).
      std::uint32_t n = 0;
      for (int i = 3; i >= 0; --i) n = (n << 8) | data[static_cast<std::size_t>(i)];
      if (n > data.size() - 4) return Error(ErrorCode::kParse, "signature length past the end", "RsaSignature");
      data.erase(data.begin(), data.begin() + 4 + static_cast<std::ptrdiff_t>(n));
      continue;
    }
    if (t.name() == "MachineKey" && lenient_machine_key_) {
      const std::size_t mac_len = wif::mac_size(lenient_machine_key_->validation());
      if (data.size() <= kMachineKeyIvSize + mac_len) return Error(ErrorCode::kParse, "too short", "MachineKey");
      // IV (16) | AES-CBC ciphertext | HMAC: decrypted as if the HMAC had been checked.
      const ByteView all(data);
      const ByteView ciphertext = all.subspan(kMachineKeyIvSize, data.size() - kMachineKeyIvSize - mac_len);
      PARLEY_ASSIGN_OR_RETURN(Bytes plain, crypto::aes_cbc_decrypt(lenient_machine_key_->derived_keys().encryption,
                                                                   all.first(kMachineKeyIvSize), ciphertext));
      data = std::move(plain);
      continue;
    }
    PARLEY_ASSIGN_OR_RETURN(data, t.decode(data));
  }
  return data;
}

Result<wif::SessionToken> SessionCookieCodec::decode(const wif::SecurityContextTokenXml& sct,
                                                     Clock::time_point now) const {
  Bytes payload;
  if (config_.mode == SessionMode::kReference) {
    if (sct.cookie) {
      return cookie_error(ErrorCode::kParse, "a <Cookie> element, but this RP keeps sessions by reference",
                          "session cookie");
    }
    if (!cache_) return Error(ErrorCode::kInternal, "reference mode without a session cache", "session cookie");
    PARLEY_ASSIGN_OR_RETURN(std::optional<Bytes> cached, cache_->get(cache_key(sct.context_id, sct.instance), now));
    if (!cached) {
      return cookie_error(ErrorCode::kNotFound,
                          "no cached session for " + sct.context_id + " (signed out, evicted or never issued here)",
                          "session cache");
    }
    payload = std::move(*cached);
  } else {
    if (!sct.cookie) {
      return cookie_error(ErrorCode::kParse, "no <Cookie> element (a reference-mode cookie) but this RP keeps sessions "
                          "by value", "session cookie");
    }
    PARLEY_ASSIGN_OR_RETURN(payload, untransform(*sct.cookie));
  }
  PARLEY_ASSIGN_OR_RETURN(wif::SessionToken token, wif::decode_cookie_payload(payload, config_.token_limits));
  PARLEY_TRY(wif::check_cookie_matches(sct, token));
  return token;
}

Result<std::optional<wif::SessionToken>> SessionCookieCodec::read(const wif::ChunkedCookieJar& request,
                                                                  Clock::time_point now) const {
  PARLEY_ASSIGN_OR_RETURN(std::optional<std::string> value, request.reassemble(config_.name, read_chunking()));
  if (!value) return std::optional<wif::SessionToken>{};
  auto xml = base64_decode(*value);
  if (!xml.ok()) return std::move(xml.error().within(config_.name));
  PARLEY_ASSIGN_OR_RETURN(wif::SecurityContextTokenXml sct, wif::read_security_context_token(to_string(*xml)));
  PARLEY_ASSIGN_OR_RETURN(wif::SessionToken token, decode(sct, now));

  // WIF's SessionSecurityTokenHandler.ValidateToken: lifetime with the clock skew, then EndpointId.
  const auto skew = config_.max_clock_skew;
  if (from_ticks(token.expiry_time) + skew < now && !faults_.has(Fault::kAcceptExpiredSession)) {
    auto to = wif::ticks_to_iso8601(token.expiry_time);
    return Error(ErrorCode::kVerification, "the session expired at " + (to.ok() ? *to : std::string("?")),
                 "session token")
        .cite("RP-SESS-02");
  }
  if (from_ticks(token.effective_time) - skew > now && !faults_.has(Fault::kIgnoreNotYetValid)) {
    auto from = wif::ticks_to_iso8601(token.effective_time);
    return Error(ErrorCode::kVerification, "the session is not valid before " + (from.ok() ? *from : std::string("?")),
                 "session token")
        .cite("RP-SESS-03");
  }
  if (!token.endpoint_id.empty() && token.endpoint_id != config_.endpoint_id &&
      !faults_.has(Fault::kIgnoreEndpointId)) {
    return Error(ErrorCode::kVerification,
                 "EndpointId '" + token.endpoint_id + "' is not this RP's '" + config_.endpoint_id + "'",
                 "session token")
        .cite("RP-SESS-06");
  }
  return std::optional<wif::SessionToken>{std::move(token)};
}

std::vector<wif::SetCookie> SessionCookieCodec::deletions(const wif::ChunkedCookieJar& request,
                                                          Clock::time_point now) const {
  auto out = wif::delete_chunked_cookie(request, config_.name, attributes_for(nullptr), to_seconds(now),
                                        read_chunking());
  if (faults_.has(Fault::kPartialSignoutDeletion) && out.size() > 1) out.resize(1);
  return out;
}

Status SessionCookieCodec::forget(std::string_view context_id, const std::optional<std::string>& key_generation) const {
  if (config_.mode != SessionMode::kReference || !cache_) return ok_status();
  return cache_->remove(cache_key(context_id, key_generation));
}

}  // namespace parley::rp
