#include "harness/core/error.h"

namespace parley {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kParse: return "parse error";
    case ErrorCode::kLimitExceeded: return "limit exceeded";
    case ErrorCode::kCrypto: return "crypto error";
    case ErrorCode::kVerification: return "verification failed";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAmbiguous: return "ambiguous";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Error::message() const {
  std::string out = where_.empty() ? what_ : where_ + ": " + what_;
  if (!requirement_.empty()) out += " [" + requirement_ + "]";
  return out;
}

Error& Error::within(std::string_view outer) {
  if (where_.empty()) {
    where_ = std::string(outer);
  } else {
    where_ = std::string(outer) + ": " + where_;
  }
  return *this;
}

}  // namespace parley
