// Portable SIMD for the downsampling kernels: GCC/Clang vector extensions (32-byte vectors,
// which compile to AVX2 where the function is cloned for it, to SSE2 pairs otherwise), and the
// runtime choice between the AVX2 clone and the baseline one.
//
// A kernel body is an always-inline template; ZF_DOWNSAMPLE_CLONES makes a baseline and an AVX2
// function of it, and pick_clone() chooses one for this CPU. Both compute the same bits: only
// integer and IEEE add/divide/compare operations are used, never fused or reassociated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace zoomflow::detail {

inline constexpr std::size_t kVectorBytes = 32;

// Vec<K>::type: kVectorBytes / sizeof(K) lanes of K.
template <class K>
struct Vec;
#define ZF_DEFINE_VEC(K)                                            \
  template <>                                                       \
  struct Vec<K> {                                                   \
    typedef K type __attribute__((vector_size(kVectorBytes)));      \
    static constexpr std::size_t kLanes = kVectorBytes / sizeof(K); \
  };
ZF_DEFINE_VEC(std::int8_t)
ZF_DEFINE_VEC(std::uint8_t)
ZF_DEFINE_VEC(std::int16_t)
ZF_DEFINE_VEC(std::uint16_t)
ZF_DEFINE_VEC(std::int32_t)
ZF_DEFINE_VEC(std::uint32_t)
ZF_DEFINE_VEC(std::int64_t)
ZF_DEFINE_VEC(std::uint64_t)
#undef ZF_DEFINE_VEC

// Half-width vectors: HalfVec<K>::type holds kVectorBytes / 2 bytes of K.
template <class K>
struct HalfVec;
#define ZF_DEFINE_HALF_VEC(K)                                      \
  template <>                                                      \
  struct HalfVec<K> {                                              \
    typedef K type __attribute__((vector_size(kVectorBytes / 2))); \
  };
ZF_DEFINE_HALF_VEC(std::int8_t)
ZF_DEFINE_HALF_VEC(std::uint8_t)
ZF_DEFINE_HALF_VEC(std::int16_t)
ZF_DEFINE_HALF_VEC(std::uint16_t)
#undef ZF_DEFINE_HALF_VEC

template <class V>
[[gnu::always_inline]] inline V load_vec(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
[[gnu::always_inline]] inline void store_vec(void* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// True when this CPU runs the AVX2 clones (and ZOOMFLOW_NO_AVX2 is unset or 0).
bool cpu_has_avx2();

#if defined(__x86_64__) && defined(__GNUC__)
#define ZF_TARGET_AVX2 [[gnu::target("avx2")]]
#define ZF_HAVE_AVX2_CLONES 1
#else
#define ZF_TARGET_AVX2
#define ZF_HAVE_AVX2_CLONES 0
#endif

}  // namespace zoomflow::detail
