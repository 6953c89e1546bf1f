// The browser side of passive federation: application/x-www-form-urlencoded bodies and query
// strings, the auto-submitting HTML form an STS answers with, and the sign-in redirect URLs a
// relying party sends the browser to. Every parser has limits and names what was wrong.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/error.h"

namespace parley::fed {

// Name/value pairs in the order received (duplicates kept: a validator refuses them).
using FormFields = std::vector<std::pair<std::string, std::string>>;

struct FormLimits {
  std::size_t max_bytes = 1u << 20;       // the whole body / query string
  std::size_t max_fields = 64;
  std::size_t max_name_bytes = 256;       // one decoded name
  std::size_t max_value_bytes = 512u << 10;  // one decoded value (a wresult or SAMLResponse)
};

// Percent-encoding (RFC 3986 unreserved kept; space as %20) and decoding ('+' is a space in
// form bodies and queries, as HTML forms write it). Decoding refuses a bad % escape (kParse).
std::string url_encode(std::string_view text);
Result<std::string> url_decode(std::string_view text);

// Parses "a=1&b=2" (a form body or a query string without '?'). A field without '=' has an
// empty value. kLimitExceeded for a limit, kParse for a bad escape.
Result<FormFields> parse_form(std::string_view text, const FormLimits& limits = {});
// The one value of `name`: nullopt when absent; kAmbiguous when the field occurs twice.
Result<std::optional<std::string>> form_value(const FormFields& fields, std::string_view name);
// Writes fields as a form body / query string.
std::string write_form(const FormFields& fields);

// Splits a request-target into path and query ("/sts/wsfed?wa=x" -> "/sts/wsfed", "wa=x").
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// HTML escaping for text and attribute values (& < > " ').
std::string html_escape(std::string_view text);
// The page that makes a browser POST `fields` to `action`: a form with hidden inputs, a
// script that submits it on load and a submit button for browsers without scripts.
std::string auto_post_form(std::string_view action, const FormFields& fields,
                           std::string_view title = "Working...");

// The WS-Federation sign-in request URL: `sts_url`?wa=wsignin1.0&wtrealm=..&wreply=..&wctx=..
// (wreply / wctx omitted when empty). `sts_url` may carry a query already.
std::string wsfed_signin_url(std::string_view sts_url, std::string_view realm, std::string_view reply,
                             std::string_view context);
// `sts_url`?wa=wsignout1.0[&wreply=..]
std::string wsfed_signout_url(std::string_view sts_url, std::string_view reply);

}  // namespace parley::fed
