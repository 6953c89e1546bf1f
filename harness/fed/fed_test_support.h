// Shared by the harness/fed tests: one STS per process (RSA key generation is slow), a validator
// that trusts it, and reading the auto-post form pages back.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/fed/form.h"
#include "harness/fed/sts.h"
#include "harness/fed/validator.h"

namespace parley::fed::testing {

inline constexpr const char* kRealm = "https://rp.example/app/";
inline constexpr const char* kAcs = "https://rp.example/app/signin";

// A process-wide STS with a fresh self-signed key; audience = the request's realm.
inline Sts& shared_sts() {
  static std::unique_ptr<Sts> sts = [] {
    StsConfig config;
    config.issuer = "urn:parley:test-sts";
    config.default_acs_url = kAcs;
    Result<std::unique_ptr<Sts>> created = Sts::create(config);
    if (!created.ok()) {
      ADD_FAILURE() << created.error().message();
      std::abort();
    }
    return std::move(*created);
  }();
  return *sts;
}

inline ValidatorConfig trusting_config(const Sts& sts) {
  ValidatorConfig c;
  c.trusted_certificates = {sts.signing_certificate()};
  c.audiences = {kRealm};
  c.issuers = {sts.config().issuer};
  return c;
}

inline std::string html_unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const std::size_t semi = text.find(';', i);
    const std::string_view entity = text.substr(i, semi - i + 1);
    if (entity == "&amp;") out += '&';
    else if (entity == "&lt;") out += '<';
    else if (entity == "&gt;") out += '>';
    else if (entity == "&quot;") out += '"';
    else if (entity == "&#39;") out += '\'';
    else ADD_FAILURE() << "unknown entity " << entity;
    i = semi;
  }
  return out;
}

// The form an auto-post page submits: its action and hidden fields.
struct PostedForm {
  std::string action;
  FormFields fields;
};
inline PostedForm read_auto_post(const std::string& page) {
  PostedForm form;
  const auto attr = [&](std::size_t from, std::string_view name) {
    const std::string key = std::string(name) + "=\"";
    const std::size_t start = page.find(key, from) + key.size();
    return html_unescape(std::string_view(page).substr(start, page.find('"', start) - start));
  };
  const std::size_t form_at = page.find("<form ");
  EXPECT_NE(form_at, std::string::npos) << page;
  form.action = attr(form_at, "action");
  for (std::size_t at = page.find("<input type=\"hidden\""); at != std::string::npos;
       at = page.find("<input type=\"hidden\"", at + 1)) {
    form.fields.emplace_back(attr(at, "name"), attr(at, "value"));
  }
  return form;
}

inline std::string field_of(const FormFields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace parley::fed::testing
