// parley's one error type: errors are values across module boundaries (style.md, Tink/Abseil).
// Every Error says what failed (`what`) and where (`where`: the module, element or input
// position), so a user reading a report or a one-line CLI error knows what to fix.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace parley {

enum class ErrorCode {
  kInvalidArgument,   // the caller passed something out of range or malformed
  kParse,             // input bytes are not what the format requires
  kLimitExceeded,     // input is well-formed but over a configured limit
  kCrypto,            // OpenSSL / xmlsec refused or failed
  kVerification,      // a signature, MAC or digest did not verify
  kNotFound,          // a referenced element, id, key or file does not exist
  kAmbiguous,         // more than one thing matched where exactly one must
  kUnsupported,       // a valid request for something parley does not do
  kIo,                // file or network I/O failed
  kInternal,          // a bug in parley
};

std::string_view to_string(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string what, std::string where = {})
      : code_(code), what_(std::move(what)), where_(std::move(where)) {}

  ErrorCode code() const { return code_; }
  const std::string& what() const { return what_; }
  const std::string& where() const { return where_; }
  // The requirement ID (docs/requirements, e.g. "SC-7-01") whose rule was broken, or "".
  const std::string& requirement() const { return requirement_; }

  // "where: what [REQ-ID]" (parts omitted when empty), one line, for CLI output and reports.
  std::string message() const;

  // Names the requirement this error violates; checks reuse parser errors to explain verdicts.
  Error& cite(std::string requirement_id) {
    requirement_ = std::move(requirement_id);
    return *this;
  }

  // The protocol fault this error maps to, in Clark notation "{namespace}local" (e.g. a SOAP
  // fault subcode a service answers with), or "". Protocol layers set and read it.
  const std::string& fault() const { return fault_; }
  Error& with_fault(std::string clark_name) {
    fault_ = std::move(clark_name);
    return *this;
  }

  // Adds an outer location: "outer: inner-where". Used as an error travels up a layer.
  Error& within(std::string_view outer);

 private:
  ErrorCode code_;
  std::string what_;
  std::string where_;
  std::string requirement_;
  std::string fault_;
};

// Result<T>: a T or an Error. Like absl::StatusOr / std::expected (not in C++20).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

// Status: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  Error& error() { return error_; }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace parley

#define PARLEY_CONCAT_INNER_(a, b) a##b
#define PARLEY_CONCAT_(a, b) PARLEY_CONCAT_INNER_(a, b)

// PARLEY_TRY(status_expr): return the error if it failed.
#define PARLEY_TRY(expr)                             \
  do {                                               \
    auto parley_try_status_ = (expr);                \
    if (!parley_try_status_.ok()) {                  \
      return std::move(parley_try_status_.error());  \
    }                                                \
  } while (false)

// PARLEY_ASSIGN_OR_RETURN(decl, result_expr): declare `decl` from the value or return the error.
#define PARLEY_ASSIGN_OR_RETURN(decl, expr) \
  PARLEY_ASSIGN_OR_RETURN_IMPL_(PARLEY_CONCAT_(parley_result_, __LINE__), decl, expr)
#define PARLEY_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) {                                     \
    return std::move(tmp.error());                     \
  }                                                    \
  decl = std::move(tmp).value()
