// Shared by the capture fuzz targets: a sink that keeps a bounded count and re-encodes each
// message (what `parley import` then writes).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "harness/capture/capture.h"

namespace parley::fuzz {

class CheckingSink : public capture::MessageSink {
 public:
  Status put(const capture::Message& m) override {
    ++messages;
    // What a capture writer writes must read back (the capture format round-trips).
    const std::string line = capture::encode(m);
    Result<capture::Message> back = capture::decode_message(line);
    if (!back.ok()) {
      std::fprintf(stderr, "capture record written from an import does not read back: %s\n",
                   back.error().message().c_str());
      std::abort();
    }
    return ok_status();
  }
  std::size_t messages = 0;
};

}  // namespace parley::fuzz
