// placeholder: being written
#include "harness/wif/vectors.h"

namespace parley::wif {
void register_cookie_vectors() {}
}  // namespace parley::wif
