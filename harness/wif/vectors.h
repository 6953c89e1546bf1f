// Registers harness/wif's vector algorithms with core's walker (harness/core/vectors.h).
#pragma once

namespace parley::wif {

void register_nbfx_vectors();    // nbfx_vectors.cpp: NBFX and session-token algorithms
void register_cookie_vectors();  // cookie_vectors.cpp: transforms, MachineKey, chunking, pipeline

// Both of the above.
inline void register_vector_algorithms() {
  register_nbfx_vectors();
  register_cookie_vectors();
}

}  // namespace parley::wif
