// placeholder: being written
#include "harness/wif/vectors.h"

namespace parley::wif {
void register_nbfx_vectors() {}
}  // namespace parley::wif
