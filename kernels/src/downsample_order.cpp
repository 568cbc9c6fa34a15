// The order-statistic row functions (mode, median) for every element type, in a translation
// unit of their own: their sorting networks are the bulk of the kernels' compile time.
#include "downsample_order.hpp"

#include "downsample_run.hpp"
#include "downsample_simd.hpp"

namespace zoomflow::detail {

const std::vector<Comparator>& sorting_network(int n) {
  static const auto networks = [] {
    std::vector<std::vector<Comparator>> all(std::size_t(kMaxNetworkElements) + 1);
    for (int size = 2; size <= kMaxNetworkElements; ++size)
      batcher_network(size, [&](int lo, int hi) {
        all[std::size_t(size)].push_back({std::uint8_t(lo), std::uint8_t(hi)});
      });
    return all;
  }();
  return networks[std::size_t(n)];
}

namespace {

template <bool Median, class T>
ZF_TARGET_AVX2 void order_row_avx2(const RowArgs<T>& a) {
  order_statistic_row<Median>(a);
}
template <bool Median, class T>
void order_row_baseline(const RowArgs<T>& a) {
  order_statistic_row<Median>(a);
}

}  // namespace

template <class T>
RowFunction<T> order_statistic_row_function(bool median) {
  if (cpu_has_avx2()) return median ? &order_row_avx2<true, T> : &order_row_avx2<false, T>;
  return median ? &order_row_baseline<true, T> : &order_row_baseline<false, T>;
}

template <class T>
std::size_t order_statistic_row_scratch(Index block_elements) {
  return order_statistic_scratch_bytes<T>(block_elements);
}

#define ZF_INSTANTIATE(T)                                               \
  template RowFunction<T> order_statistic_row_function<T>(bool median); \
  template std::size_t order_statistic_row_scratch<T>(Index block_elements);
ZF_INSTANTIATE(std::int8_t)
ZF_INSTANTIATE(std::int16_t)
ZF_INSTANTIATE(std::int32_t)
ZF_INSTANTIATE(std::int64_t)
ZF_INSTANTIATE(std::uint8_t)
ZF_INSTANTIATE(std::uint16_t)
ZF_INSTANTIATE(std::uint32_t)
ZF_INSTANTIATE(std::uint64_t)
ZF_INSTANTIATE(float)
ZF_INSTANTIATE(double)
#undef ZF_INSTANTIATE

}  // namespace zoomflow::detail
