#include "downsample_simd.hpp"

#include <cstdlib>
#include <cstring>

namespace zoomflow::detail {

bool cpu_has_avx2() {
#if ZF_HAVE_AVX2_CLONES
  // ZOOMFLOW_NO_AVX2=1 runs the baseline clones (how the tests check them on AVX2 machines).
  static const bool has = [] {
    const char* off = std::getenv("ZOOMFLOW_NO_AVX2");
    if (off && *off && std::strcmp(off, "0") != 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace zoomflow::detail
