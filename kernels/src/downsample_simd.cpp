#include "downsample_simd.hpp"

namespace zoomflow::detail {

bool cpu_has_avx2() {
#if ZF_HAVE_AVX2_CLONES
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace zoomflow::detail
