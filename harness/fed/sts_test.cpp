#include "harness/fed/sts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/bytes.h"
#include "harness/fed/fed_test_support.h"

namespace parley::fed {
namespace {

using testing::field_of;
using testing::kAcs;
using testing::kRealm;
using testing::read_auto_post;
using testing::shared_sts;
using testing::trusting_config;

HttpRequest get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers.set("Host", "127.0.0.1:8443");
  return r;
}

TEST(Sts, WsFedSignInPostsAValidTokenToWreply) {
  Sts& sts = shared_sts();
  const std::string url = wsfed_signin_url("/sts/wsfed", kRealm, kAcs, "ru=/app/a&b") + "&parley-format=saml11";
  HttpResponse r = sts.handle(get(url));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  testing::PostedForm form = read_auto_post(r.body);
  EXPECT_EQ(form.action, kAcs);
  ASSERT_EQ(form.fields.size(), 3u);
  EXPECT_EQ(field_of(form.fields, "wa"), "wsignin1.0");
  EXPECT_EQ(field_of(form.fields, "wctx"), "ru=/app/a&b");
  SignInValidator validator(trusting_config(sts));
  Result<SignIn> s = validator.validate_wsfed(form.fields);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->format, TokenFormat::kSaml11);
  EXPECT_EQ(s->context, "ru=/app/a&b");
}

TEST(Sts, WsFedPostAndTrustOverride) {
  Sts& sts = shared_sts();
  HttpRequest r;
  r.method = "POST";
  r.target = "/sts/wsfed";
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  r.body = write_form({{"wa", "wsignin1.0"}, {"wtrealm", kRealm}, {"parley-trust", "feb2005"}});
  HttpResponse resp = sts.handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  testing::PostedForm form = read_auto_post(resp.body);
  EXPECT_EQ(form.action, kRealm);  // no wreply: back to the realm
  Result<ParsedWresult> w = parse_wresult(field_of(form.fields, "wresult"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->trust, names::TrustVersion::kFeb2005);
  EXPECT_EQ(w->applies_to, kRealm);
}

TEST(Sts, BadTokenOnRequestViaQueryParameter) {
  Sts& sts = shared_sts();
  HttpResponse r = sts.handle(get(wsfed_signin_url("/sts/wsfed", kRealm, kAcs, "") + "&parley-token=expired"));
  ASSERT_EQ(r.status, 200) << r.body;
  SignInValidator validator(trusting_config(sts));
  Result<SignIn> s = validator.validate_wsfed(read_auto_post(r.body).fields);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what().find("token expired"), std::string::npos) << s.error().message();

  HttpResponse unknown = sts.handle(get(wsfed_signin_url("/sts/wsfed", kRealm, kAcs, "") + "&parley-token=nope"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unknown token behaviour 'nope'"), std::string::npos) << unknown.body;
}

TEST(Sts, BehavioursCanBeSwitchedOff) {
  StsConfig config;
  config.allow_token_behaviours = false;
  std::unique_ptr<Sts> sts = std::move(*Sts::create(config));
  HttpResponse r = sts->handle(get(wsfed_signin_url("/sts/wsfed", kRealm, "", "") + "&parley-token=unsigned"));
  EXPECT_EQ(r.status, 400);
}

TEST(Sts, BadWsFedRequests) {
  Sts& sts = shared_sts();
  EXPECT_EQ(sts.handle(get("/sts/wsfed")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=wsignin1.0")).status, 400);                  // no wtrealm
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=wsignin1.0&wtrealm=urn:rp")).status, 400);   // no reply URL
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=wsignin1.0&wtrealm=urn:rp&wreply=javascript:x")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=wsignin1.0&wtrealm=a&wtrealm=b")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=wattr1.0")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/wsfed?wa=%zz")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/nothing")).status, 404);
  EXPECT_EQ(sts.handle(get("/other")).status, 404);
  HttpRequest put = get("/sts/wsfed");
  put.method = "PUT";
  EXPECT_EQ(sts.handle(put).status, 405);
}

TEST(Sts, SignOutRedirectsToWreply) {
  Sts& sts = shared_sts();
  HttpResponse r = sts.handle(get(wsfed_signout_url("/sts/wsfed", "https://rp.example/bye")));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.get("Location"), "https://rp.example/bye");
  HttpResponse page = sts.handle(get("/sts/wsfed?wa=wsignoutcleanup1.0"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("signed out"), std::string::npos);
}

TEST(Sts, Saml2RedirectBindingAnsweredByPost) {
  Sts& sts = shared_sts();
  AuthnRequest request;
  request.id = "_sso1";
  request.issuer = kRealm;
  request.assertion_consumer_service_url = kAcs;
  request.protocol_binding = std::string(names::fed::kBindingHttpPost);
  const std::string query = write_form({{"SAMLRequest", *deflate_and_base64(write_authn_request(request))},
                                        {"RelayState", "rs-9"}});
  HttpResponse r = sts.handle(get("/sts/saml2/sso?" + query));
  ASSERT_EQ(r.status, 200) << r.body;
  testing::PostedForm form = read_auto_post(r.body);
  EXPECT_EQ(form.action, kAcs);
  EXPECT_EQ(field_of(form.fields, "RelayState"), "rs-9");
  const Bytes response_bytes = *base64_decode(field_of(form.fields, "SAMLResponse"));
  const std::string response_xml(response_bytes.begin(), response_bytes.end());
  Result<ParsedResponse> parsed = parse_saml_response(response_xml);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->in_response_to, "_sso1");
  EXPECT_EQ(parsed->destination, kAcs);
  ValidatorConfig c = trusting_config(sts);
  c.acs_url = kAcs;
  SignInValidator validator(c);
  Result<SignIn> s = validator.validate_saml2_post(form.fields);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->context, "rs-9");

  // HTTP-POST binding for the request too (no DEFLATE).
  HttpRequest post;
  post.method = "POST";
  post.target = "/sts/saml2/sso";
  post.headers.set("Content-Type", "application/x-www-form-urlencoded");
  post.body = write_form({{"SAMLRequest", base64_encode(as_bytes(write_authn_request(request)))}});
  EXPECT_EQ(sts.handle(post).status, 200);
}

TEST(Sts, BadSaml2Requests) {
  Sts& sts = shared_sts();
  EXPECT_EQ(sts.handle(get("/sts/saml2/sso")).status, 400);
  EXPECT_EQ(sts.handle(get("/sts/saml2/sso?SAMLRequest=" + url_encode(base64_encode(as_bytes("plain"))))).status, 400);
  const std::string bomb = *deflate_and_base64(std::string(4 << 20, ' '));
  EXPECT_EQ(sts.handle(get("/sts/saml2/sso?SAMLRequest=" + url_encode(bomb))).status, 400);
  AuthnRequest no_issuer;
  no_issuer.assertion_consumer_service_url = kAcs;
  EXPECT_EQ(sts.handle(get("/sts/saml2/sso?SAMLRequest=" + url_encode(*deflate_and_base64(write_authn_request(no_issuer)))))
                .status,
            400);
  AuthnRequest ok;
  ok.issuer = kRealm;
  const std::string long_relay = "&RelayState=" + std::string(81, 'x');
  EXPECT_EQ(sts.handle(get("/sts/saml2/sso?SAMLRequest=" + url_encode(*deflate_and_base64(write_authn_request(ok))) +
                           long_relay))
                .status,
            400);
}

TEST(Sts, MetadataAndCertificateEndpoints) {
  Sts& sts = shared_sts();
  HttpResponse wsfed = sts.handle(get("/sts/metadata/wsfed"));
  ASSERT_EQ(wsfed.status, 200);
  EXPECT_EQ(wsfed.headers.get("Content-Type"), "application/samlmetadata+xml");
  EXPECT_NE(wsfed.body.find("<wsa:Address>http://127.0.0.1:8443/sts/wsfed</wsa:Address>"), std::string::npos)
      << wsfed.body;
  EXPECT_NE(wsfed.body.find(base64_encode(sts.signing_certificate().der())), std::string::npos);
  HttpResponse over_tls = sts.handle(get("/sts/FederationMetadata/2007-06/FederationMetadata.xml"), true);
  EXPECT_NE(over_tls.body.find("https://127.0.0.1:8443/sts/wsfed"), std::string::npos);
  HttpResponse saml2 = sts.handle(get("/sts/metadata/saml2"));
  EXPECT_NE(saml2.body.find("Location=\"http://127.0.0.1:8443/sts/saml2/sso\""), std::string::npos) << saml2.body;
  HttpRequest hostile = get("/sts/metadata/saml2");
  hostile.headers.set("Host", "evil\"><x");
  EXPECT_NE(sts.handle(hostile).body.find("http://127.0.0.1/sts/saml2/sso"), std::string::npos);
  HttpResponse pem = sts.handle(get("/sts/cert.pem"));
  EXPECT_EQ(x509::Certificate::from_pem(pem.body)->der(), sts.signing_certificate().der());
}

TEST(Sts, ExportMetadataWritesThreeFiles) {
  Sts& sts = shared_sts();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("parley-fed-export-" + new_saml_id());
  ASSERT_TRUE(sts.export_metadata(dir.string(), "https://sts.example").ok());
  for (const char* name : {"FederationMetadata.xml", "saml2-metadata.xml", "sts-cert.pem"}) {
    std::ifstream in(dir / name);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_FALSE(ss.str().empty()) << name;
    if (std::string(name) == "sts-cert.pem") {
      EXPECT_EQ(x509::Certificate::from_pem(ss.str())->der(), sts.signing_certificate().der());
    } else {
      EXPECT_NE(ss.str().find("https://sts.example/sts/"), std::string::npos) << name;
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(Sts, LoadsSigningFilesAndRefusesHalfAPair) {
  StsConfig config;
  config.signing_certificate_file = "/nonexistent/sts.pem";
  EXPECT_EQ(Sts::create(config).error().code(), ErrorCode::kInvalidArgument);
  config.signing_key_file = "/nonexistent/sts.key";
  EXPECT_FALSE(Sts::create(config).ok());
}

TEST(Sts, BehaviourNamesRoundTrip) {
  EXPECT_EQ(all_sts_behaviours().size(), 10u);
  for (const StsBehaviour b : all_sts_behaviours()) {
    EXPECT_EQ(*parse_sts_behaviour(to_string(b)), b);
  }
}

TEST(StsConfig, ParsesEveryKey) {
  toml::table root = toml::parse(R"(
[sts]
path_prefix = "/idp/"
public_url = "https://idp.example:8443/"
issuer = "urn:example:idp"
token_lifetime = 600
clock_skew = 60
token_format = "saml20"
trust_version = "feb2005"
audience = "urn:fixed"
subject_name = "bob"
name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
default_acs_url = "https://rp/acs"
allow_token_behaviours = false
claims = [ { type = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", value = "bob" } ]
)");
  Result<StsConfig> c = parse_sts_config(*root["sts"].as_table(), "/etc/parley");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->path_prefix, "/idp/");
  EXPECT_EQ(c->public_url, "https://idp.example:8443");
  EXPECT_EQ(c->issuer, "urn:example:idp");
  EXPECT_EQ(c->token_lifetime, std::chrono::seconds(600));
  EXPECT_EQ(c->clock_skew, std::chrono::seconds(60));
  EXPECT_EQ(c->token_format, TokenFormat::kSaml20);
  EXPECT_EQ(c->trust_version, names::TrustVersion::kFeb2005);
  EXPECT_EQ(c->audience, "urn:fixed");
  EXPECT_EQ(c->subject_name, "bob");
  EXPECT_EQ(c->default_acs_url, "https://rp/acs");
  EXPECT_FALSE(c->allow_token_behaviours);
  EXPECT_EQ(c->claims, (std::vector<ClaimValue>{{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "bob"}}));

  toml::table files = toml::parse("signing_certificate = \"certs/sts.pem\"\nsigning_key = \"/abs/sts.key\"");
  Result<StsConfig> f = parse_sts_config(files, "/etc/parley");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->signing_certificate_file, "/etc/parley/certs/sts.pem");
  EXPECT_EQ(f->signing_key_file, "/abs/sts.key");
}

TEST(StsConfig, DefaultsAndErrors) {
  Result<StsConfig> d = parse_sts_config(toml::table{});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->path_prefix, "/sts/");
  EXPECT_EQ(d->token_format, TokenFormat::kSaml11);
  EXPECT_EQ(d->trust_version, names::TrustVersion::k1_3);
  EXPECT_EQ(d->claims.size(), 3u);
  EXPECT_EQ(d->subject_name, "alice");
  const auto error_of = [](std::string_view text) {
    Result<StsConfig> c = parse_sts_config(toml::parse(text));
    return c.ok() ? std::string("ok") : c.error().message();
  };
  EXPECT_EQ(error_of("tokn_format = \"saml11\""), "sts: unknown key 'tokn_format'");
  EXPECT_EQ(error_of("token_format = \"saml3\""),
            "sts.token_format: unknown token format 'saml3' (saml11 or saml20)");
  EXPECT_EQ(error_of("trust_version = \"2.0\""), "sts.trust_version: must be \"feb2005\" or \"1.3\"");
  EXPECT_EQ(error_of("token_lifetime = -1"), "sts.token_lifetime: must be an integer number of seconds in [0, 604800]");
  EXPECT_EQ(error_of("path_prefix = \"/sts\""), "sts.path_prefix: must start and end with '/'");
  EXPECT_EQ(error_of("signing_key = \"k.pem\""), "sts: signing_certificate and signing_key go together");
  EXPECT_EQ(error_of("claims = [ { type = \"t\" } ]"), "sts.claims[0]: needs string keys type and value");
  EXPECT_EQ(error_of("claims = [ { type = \"t\", value = \"v\", x = 1 } ]"), "sts.claims[0]: unknown key 'x'");
}

}  // namespace
}  // namespace parley::fed
