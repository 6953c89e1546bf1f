// Cookie mode in process: stateless SCTs, a two-node farm sharing a key ring, rotation, the
// faults WCF answers with, and tampered tokens refused with wsc:BadContextToken saying why.
#include "harness/oracle/cookie_mode.h"

#include <gtest/gtest.h>

#include "harness/oracle/client.h"
#include "harness/oracle/service.h"

namespace parley::oracle {
namespace {

constexpr std::string_view kBody = "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>";

std::shared_ptr<const cookie::KeyRing> ring_of(
    std::vector<std::pair<std::string, std::uint8_t>> keys) {
  std::vector<cookie::KeyRing::Key> k;
  for (auto& [id, fill] : keys) k.push_back({id, Bytes(32, fill)});
  auto r = cookie::KeyRing::create(std::move(k));
  EXPECT_TRUE(r.ok()) << r.error().message();
  return std::make_shared<const cookie::KeyRing>(std::move(r).value());
}

ServiceConfig cookie_config(std::shared_ptr<const cookie::KeyRing> ring) {
  ServiceConfig c;
  c.cookie.enabled = true;
  c.cookie.ring = std::move(ring);
  return c;
}

// A farm: several services; the client's requests go to the node `target` names.
struct Farm {
  std::vector<std::unique_ptr<Service>> nodes;
  std::size_t target = 0;
  std::chrono::seconds skew{0};

  std::size_t add(ServiceConfig config) {
    nodes.push_back(std::make_unique<Service>(std::move(config)));
    return nodes.size() - 1;
  }
  SendFunction sender() {
    return [this](const std::string&, const SoapRequest& req) -> Result<SoapResponse> {
      return nodes.at(target)->handle(req, Clock::now() + skew);
    };
  }
  ClientConfig client_config() const {
    ClientConfig c;
    c.versions = nodes.front()->config().versions;
    c.sts_url = "http://127.0.0.1:1/sts";
    c.service_url = "http://127.0.0.1:1/service";
    return c;
  }
};

std::string fault_local(const Error& e) {
  auto q = wssc::from_clark(e.fault());
  return q ? std::string(q->local) : std::string("<no fault: ") + e.message() + ">";
}

// The text of the first element named Cookie in a serialized message.
std::string cookie_text(const std::string& message) {
  auto doc = xml::parse(message);
  if (!doc.ok()) return "<not xml>";
  auto nodes = xml::xpath(*doc, "//*[local-name()='Cookie']");
  if (!nodes.ok() || nodes->empty()) return "";
  return xml::text_content((*nodes)[0]);
}

TEST(CookieMode, IssuedTokenCarriesItsStateAndNothingIsStored) {
  auto ring = ring_of({{"k1", 1}});
  Farm farm;
  farm.add(cookie_config(ring));
  Client client(farm.client_config(), farm.sender());
  ASSERT_TRUE(client.issue().ok()) << client.issue().error().message();
  EXPECT_EQ(farm.nodes[0]->contexts().size(), 0u);  // stateless
  const wssc::ContextKey& ctx = *client.context();
  ASSERT_TRUE(ctx.sct.cookie.has_value());
  EXPECT_TRUE(ctx.sct.instance.empty());
  // dnse:Cookie comes after Identifier (wire facts A).
  const std::string response = client.exchanges().back().response->body;
  const auto identifier_at = response.find("Identifier>");
  const auto cookie_at = response.find(":Cookie");
  ASSERT_NE(cookie_at, std::string::npos);
  EXPECT_LT(identifier_at, cookie_at);
  EXPECT_NE(response.find(std::string(names::ns::kDnse)), std::string::npos);
  // The cookie is the context's state under the ring's current key.
  auto st = cookie::open_cookie(*ring, *ctx.sct.cookie);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->id, ctx.sct.wsu_id);
  EXPECT_EQ(st->context_id, ctx.sct.identifier);
  EXPECT_EQ(st->key, ctx.key);
  EXPECT_FALSE(st->key_generation.has_value());
  EXPECT_FALSE(st->principal.has_value());  // bootstrap none: anonymous
  EXPECT_EQ(st->key_expiry_time - st->key_effective_time,
            10LL * 3600 * 10'000'000)  // min(15 h key, 10 h token)
      << "the key window never outlives the token";
  EXPECT_EQ(st->expiry_time - st->effective_time, 10LL * 3600 * 10'000'000);
  // Responses verify under the context and the client echoes the cookie byte for byte (SC-2-06).
  auto echoed = client.call(kBody);
  ASSERT_TRUE(echoed.ok()) << echoed.error().message();
  EXPECT_EQ(*echoed, kBody);
  EXPECT_EQ(cookie_text(client.exchanges().back().request.body), cookie_text(response));
  EXPECT_FALSE(cookie_text(response).empty());
}

TEST(CookieMode, TwoNodesWithOneRingAreAFarm) {
  auto ring = ring_of({{"k1", 1}});
  Farm farm;
  const std::size_t a = farm.add(cookie_config(ring));
  const std::size_t b = farm.add(cookie_config(ring));
  Client client(farm.client_config(), farm.sender());
  farm.target = a;
  ASSERT_TRUE(client.issue().ok());
  const wssc::ContextKey issued = *client.context();
  farm.target = b;
  auto echoed = client.call(kBody);
  ASSERT_TRUE(echoed.ok()) << echoed.error().message();
  Status renewed = client.renew();
  ASSERT_TRUE(renewed.ok()) << renewed.error().message();
  const wssc::ContextKey next = *client.context();
  EXPECT_EQ(next.sct.identifier, issued.sct.identifier);  // SC-5-05
  EXPECT_FALSE(next.sct.instance.empty());
  EXPECT_NE(next.sct.wsu_id, issued.sct.wsu_id);
  EXPECT_NE(next.key, issued.key);
  ASSERT_TRUE(next.sct.cookie.has_value());
  auto st = cookie::open_cookie(*ring, *next.sct.cookie);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->key_generation, next.sct.instance);
  farm.target = a;
  echoed = client.call(kBody);
  ASSERT_TRUE(echoed.ok()) << echoed.error().message();
  // The old generation stays valid until its own KeyExpiryTime (nothing records the renewal).
  client.set_context(issued);
  EXPECT_TRUE(client.call(kBody).ok());
  // Cancel is refused on either node, as WCF refuses it in cookie mode; the token keeps working.
  client.set_context(next);
  for (std::size_t node : {a, b}) {
    farm.target = node;
    Status cancelled = client.cancel();
    ASSERT_FALSE(cancelled.ok());
    EXPECT_EQ(fault_local(cancelled.error()), "SecureConversationCancellationNotAllowed");
    EXPECT_EQ(
        cancelled.error().fault(),
        wssc::clark(names::wcf_fault(names::WcfFault::kSecureConversationCancellationNotAllowed)));
    EXPECT_EQ(client.exchanges().back().response->status, 400);  // a Sender fault (SOAP 1.2)
    EXPECT_TRUE(client.call(kBody).ok());
  }
  // Amend works as in session mode and answers with the token, cookie included.
  ASSERT_TRUE(client.amend().ok());
  EXPECT_EQ(cookie_text(client.exchanges().back().response->body), base64_encode(*next.sct.cookie));
  EXPECT_EQ(farm.nodes[a]->contexts().size() + farm.nodes[b]->contexts().size(), 0u);
}

TEST(CookieMode, ANodeWithAnotherRingRefusesTheToken) {
  Farm farm;
  const std::size_t a = farm.add(cookie_config(ring_of({{"k1", 1}})));
  const std::size_t other_key = farm.add(cookie_config(ring_of({{"k1", 2}})));
  const std::size_t other_id = farm.add(cookie_config(ring_of({{"k9", 1}})));
  Client client(farm.client_config(), farm.sender());
  farm.target = a;
  ASSERT_TRUE(client.issue().ok());
  farm.target = other_key;
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  EXPECT_NE(r.error().message().find("authentication tag mismatch under key 'k1'"),
            std::string::npos)
      << r.error().message();
  farm.target = other_id;
  r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  EXPECT_NE(r.error().message().find("unknown key id 'k1' (key ring: k9)"), std::string::npos)
      << r.error().message();
  // Renew and cancel are refused the same way (the token must open before anything else).
  EXPECT_EQ(fault_local(client.renew().error()), "BadContextToken");
  EXPECT_EQ(fault_local(client.cancel().error()), "BadContextToken");
}

TEST(CookieMode, RotationNewKeySealsOldKeysStillOpen) {
  Farm farm;
  const std::size_t a = farm.add(cookie_config(ring_of({{"old", 1}})));
  const std::size_t b = farm.add(cookie_config(ring_of({{"new", 2}, {"old", 1}})));
  Client client(farm.client_config(), farm.sender());
  farm.target = a;
  ASSERT_TRUE(client.issue().ok());
  farm.target = b;
  ASSERT_TRUE(client.call(kBody).ok());  // B opens A's cookie with "old"
  ASSERT_TRUE(client.renew().ok());
  const Bytes& renewed_cookie = *client.context()->sct.cookie;
  EXPECT_EQ(hex_encode(ByteView(renewed_cookie).first(5)), "01036e6577");  // 0x01, 3, "new"
  ASSERT_TRUE(client.call(kBody).ok());
  farm.target = a;  // A has not been given the new key yet
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  EXPECT_NE(r.error().message().find("unknown key id 'new'"), std::string::npos)
      << r.error().message();
}

TEST(CookieMode, ReferenceByIdentifierAloneIsBadContextToken) {
  Farm farm;
  farm.add(cookie_config(ring_of({{"k1", 1}})));
  Client client(farm.client_config(), farm.sender());
  ASSERT_TRUE(client.issue().ok());
  wssc::ProtectOptions o = client.protect_options();
  o.include_sct = false;  // DKTs reference the context by urn:uuid; the SCT is not in the message
  auto request = client.application_request(kBody, *client.context(), o);
  ASSERT_TRUE(request.ok());
  SoapRequest req{std::string(names::soap(names::SoapVersion::k1_2).content_type), "",
                  xml::serialize(*request), false};
  SoapResponse resp = farm.nodes[0]->handle(req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("BadContextToken"), std::string::npos);
  EXPECT_NE(
      resp.body.find(
          "runs in cookie mode, keeps no context state, and needs the token with its dnse:Cookie"),
      std::string::npos)
      << resp.body;
}

TEST(CookieMode, ATokenWhoseCookieDoesNotMatchIsBadContextToken) {
  Farm farm;
  farm.add(cookie_config(ring_of({{"k1", 1}})));
  Client client(farm.client_config(), farm.sender());
  Client other(farm.client_config(), farm.sender());
  ASSERT_TRUE(client.issue().ok());
  ASSERT_TRUE(other.issue().ok());
  const wssc::ContextKey good = *client.context();
  auto refused = [&](wssc::ContextKey edited, std::string_view reason) {
    edited.sct.extensions.clear();  // written from sct.cookie
    client.set_context(edited);
    auto r = client.call(kBody);
    ASSERT_FALSE(r.ok()) << reason;
    EXPECT_EQ(fault_local(r.error()), "BadContextToken") << r.error().message();
    EXPECT_NE(r.error().message().find(reason), std::string::npos) << r.error().message();
  };
  wssc::ContextKey k = good;
  k.sct.instance = wssc::new_uuid_urn();
  refused(k, "the dnse:Cookie's KeyGeneration '' is not the SCT's Instance");
  k = good;
  k.sct.wsu_id = "uuid-forged-1";
  refused(k, "the dnse:Cookie belongs to the SCT with wsu:Id '" + good.sct.wsu_id + "'");
  k = good;
  k.sct.identifier = wssc::new_uuid_urn();
  refused(k,
          "the dnse:Cookie's ContextId '" + good.sct.identifier + "' is not the SCT's Identifier");
  k = good;
  k.sct.cookie = other.context()->sct.cookie;  // another context's cookie, our key
  refused(k,
          "the dnse:Cookie belongs to the SCT with wsu:Id '" + other.context()->sct.wsu_id + "'");
  k = good;
  k.sct.cookie.reset();
  refused(k, "carries no dnse:Cookie");
  k = good;
  (*k.sct.cookie)[k.sct.cookie->size() - 1] ^= 1;
  refused(k, "authentication tag mismatch");
  client.set_context(good);
  EXPECT_TRUE(client.call(kBody).ok());
}

TEST(CookieMode, KeyExpiryIsRenewNeededAndTokenExpiryIsBadContextToken) {
  auto ring = ring_of({{"k1", 1}});
  ServiceConfig config = cookie_config(ring);
  config.contexts.key_lifetime = std::chrono::seconds(10);
  config.cookie.token_lifetime = std::chrono::seconds(100);
  Farm farm;
  farm.add(config);
  farm.add(config);
  Client client(farm.client_config(), farm.sender());
  ASSERT_TRUE(client.issue().ok());
  farm.skew = std::chrono::seconds(11);
  farm.target = 1;
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "RenewNeeded");
  EXPECT_NE(
      client.exchanges().back().response->body.find(names::wcf::kSecureConversationFaultAction),
      std::string::npos);
  ASSERT_TRUE(client.renew().ok()) << client.renew().error().message();  // with the expired key
  EXPECT_TRUE(client.call(kBody).ok());
  farm.skew = std::chrono::seconds(11 + 101);  // past the renewed token's lifetime
  r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  EXPECT_NE(r.error().message().find("the security context token expired at"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(fault_local(client.renew().error()), "BadContextToken");
  // A token from a node whose clock is ahead: accepted within the clock skew (300 s), refused
  // beyond.
  Client early(farm.client_config(), farm.sender());
  farm.skew = std::chrono::seconds(200);
  ASSERT_TRUE(early.issue().ok());
  farm.skew = std::chrono::seconds(0);
  EXPECT_TRUE(early.call(kBody).ok());
  farm.skew = std::chrono::seconds(400);
  ASSERT_TRUE(early.issue().ok());
  farm.skew = std::chrono::seconds(0);
  r = early.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "BadContextToken");
  EXPECT_NE(r.error().message().find("is not valid before"), std::string::npos)
      << r.error().message();
}

TEST(CookieMode, TheOldGenerationIsJudgedByItsOwnTimes) {
  ServiceConfig config = cookie_config(ring_of({{"k1", 1}}));
  config.contexts.key_lifetime = std::chrono::seconds(100);
  config.contexts.rollover = std::chrono::seconds(5);
  Farm farm;
  farm.add(config);
  Client client(farm.client_config(), farm.sender());
  ASSERT_TRUE(client.issue().ok());
  const wssc::ContextKey old = *client.context();
  farm.skew = std::chrono::seconds(60);
  ASSERT_TRUE(client.renew().ok());  // the new key: 60 .. 160 s
  const wssc::ContextKey renewed = *client.context();
  // Past the session-mode rollover window the old key still works: nothing records the renewal.
  farm.skew = std::chrono::seconds(90);
  client.set_context(old);
  EXPECT_TRUE(client.call(kBody).ok());
  // Past the old key's own KeyExpiryTime (100 s) it needs a renew; the renewed key is fine.
  farm.skew = std::chrono::seconds(101);
  auto r = client.call(kBody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fault_local(r.error()), "RenewNeeded");
  client.set_context(renewed);
  EXPECT_TRUE(client.call(kBody).ok());
  farm.skew = std::chrono::seconds(161);
  EXPECT_EQ(fault_local(client.call(kBody).error()), "RenewNeeded");
}

TEST(CookieMode, PrincipalTravelsInTheCookie) {
  auto ring = ring_of({{"k1", 1}});
  ServiceConfig config = cookie_config(ring);
  config.bootstrap = Bootstrap::kUsernameToken;
  config.users = {{"alice", "wonderland"}};
  Farm farm;
  farm.add(config);
  ClientConfig cc = farm.client_config();
  cc.bootstrap = Bootstrap::kUsernameToken;
  cc.username = "alice";
  cc.password = "wonderland";
  Client client(cc, farm.sender());
  ASSERT_TRUE(client.issue().ok()) << client.issue().error().message();
  auto st = cookie::open_cookie(*ring, *client.context()->sct.cookie);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->principal.has_value());
  EXPECT_EQ(st->principal->name, "alice");
  ASSERT_TRUE(client.renew().ok());
  st = cookie::open_cookie(*ring, *client.context()->sct.cookie);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->principal->name, "alice");  // renew keeps who the context belongs to
}

}  // namespace
}  // namespace parley::oracle
