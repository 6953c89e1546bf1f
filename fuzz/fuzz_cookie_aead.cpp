// The aead cookie transform's decoder (harness/wif/cookie_transforms.h).
#include "fuzz/cookie_transform_support.h"

PARLEY_FUZZ_COOKIE_TRANSFORM("cookie_aead", kAead)
