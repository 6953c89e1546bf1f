// The reference client's strict mode (ClientConfig::strict): what it refuses in a service's
// answers before it uses them. The client suite's hostile scenarios (suites/wssc_client) send
// exactly these; the client faults of client_faults.h switch single checks off.
#include <chrono>

#include "harness/oracle/client.h"

namespace parley::oracle {
namespace {

Error refuse(std::string what, std::string requirement) {
  Error e(ErrorCode::kVerification, std::move(what), "client");
  return e.cite(std::move(requirement));
}

constexpr std::chrono::seconds kClockSkew{300};

}  // namespace

Status Client::check_issued(const wssc::RequestSecurityTokenResponse& rstr, std::string_view rst_context) const {
  if (!config_.strict) return ok_status();
  if (!rst_context.empty() && rstr.context != rst_context && !config_.faults.has(ClientFault::kAcceptWrongContext)) {
    return refuse("the RSTR's @Context '" + rstr.context + "' is not the RST's '" + std::string(rst_context) + "'",
                  "SC-3-10");
  }
  const auto& sc = names::sc(config_.versions.sc);
  if (!rstr.token_type.empty() && rstr.token_type != sc.sct_token_type) {
    return refuse("the RSTR's wst:TokenType '" + rstr.token_type + "' is not " + std::string(sc.sct_token_type),
                  "SC-2-09");
  }
  if (rstr.lifetime && !config_.faults.has(ClientFault::kAcceptExpiredLifetime)) {
    const auto now = wssc::Clock::now();
    auto created = wssc::parse_utc(rstr.lifetime->created);
    auto expires = wssc::parse_utc(rstr.lifetime->expires);
    if (!rstr.lifetime->created.empty() && !created.ok()) {
      return refuse("wst:Lifetime/wsu:Created '" + rstr.lifetime->created + "' is not a UTC dateTime", "WST-LT-01");
    }
    if (!rstr.lifetime->expires.empty() && !expires.ok()) {
      return refuse("wst:Lifetime/wsu:Expires '" + rstr.lifetime->expires + "' is not a UTC dateTime", "WST-LT-01");
    }
    if (created.ok() && expires.ok() && *expires < *created) {
      return refuse("wst:Lifetime expires (" + rstr.lifetime->expires + ") before it begins (" +
                        rstr.lifetime->created + ")",
                    "WST-LT-01");
    }
    if (expires.ok() && *expires + kClockSkew < now) {
      return refuse("the token's wst:Lifetime is already over (expired " + rstr.lifetime->expires + ")", "SC-3-11");
    }
  }
  if (!config_.faults.has(ClientFault::kAcceptAnyKeySize)) {
    std::optional<std::uint64_t> bits = rstr.key_size;
    if (rstr.proof && rstr.proof->kind == wssc::KeyMaterial::Kind::kBinarySecret) bits = rstr.proof->secret.size() * 8;
    if (bits && (*bits < config_.min_issued_key_bits || *bits > config_.max_issued_key_bits)) {
      return refuse("the issued key would have " + std::to_string(*bits) + " bits; this client accepts " +
                        std::to_string(config_.min_issued_key_bits) + " to " +
                        std::to_string(config_.max_issued_key_bits),
                    "WST-KS-01");
    }
  }
  return ok_status();
}

Status Client::check_relates_to(const wssc::EnvelopeView& response, const xml::Document& request) const {
  if (!config_.strict || config_.faults.has(ClientFault::kAcceptReplayedResponse)) return ok_status();
  PARLEY_ASSIGN_OR_RETURN(wssc::EnvelopeView sent, wssc::parse_envelope(request));
  if (response.headers.relates_to != sent.headers.message_id) {
    return refuse("the response's wsa:RelatesTo '" + response.headers.relates_to + "' is not this request's "
                  "wsa:MessageID '" + sent.headers.message_id + "' (a replayed or misrouted response)",
                  "WSS-13-01");
  }
  return ok_status();
}

wssc::ContextKey Client::held(wssc::ContextKey context) const {
  if (config_.faults.has(ClientFault::kDropCookie)) {
    // Injected fault: the token is kept without what the client does not understand.
    context.sct.extensions.clear();
    context.sct.cookie.reset();
  }
  return context;
}

}  // namespace parley::oracle
