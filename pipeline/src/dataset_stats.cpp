#include "zoomflow/pipeline/dataset_stats.hpp"

#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include <tbb/enumerable_thread_specific.h>

#include "dataset_graph.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow {
namespace {

__extension__ using Int128 = __int128;  // exact integer sums (GCC and Clang)

// One block's share; long double holds every 64-bit integer exactly (x87 extended precision).
struct Partial {
  std::uint64_t count = 0, nonzero = 0, nan_count = 0, checksum = 0;
  bool any = false;  // a non-NaN element was seen
  long double min = 0, max = 0;
  Int128 integer_sum = 0;
  double float_sum = 0;

  void merge(const Partial& o) {
    count += o.count;
    nonzero += o.nonzero;
    nan_count += o.nan_count;
    checksum += o.checksum;
    integer_sum += o.integer_sum;
    float_sum += o.float_sum;
    if (o.any) {
      min = any ? std::min(min, o.min) : o.min;
      max = any ? std::max(max, o.max) : o.max;
      any = true;
    }
  }
};

template <class T>
std::uint64_t value_bits(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    Bits bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  } else {
    return std::uint64_t(std::make_unsigned_t<T>(value));
  }
}

// Elements of one row (last axis) starting at C-order index `linear`.
template <class T>
void accumulate_row(const T* row, Index length, std::uint64_t linear, Partial& p) {
  T lo = row[0], hi = row[0];
  bool any = false;
  double float_sum = 0;
  Int128 integer_sum = 0;
  std::uint64_t nonzero = 0, nans = 0, checksum = 0;
  for (Index x = 0; x < length; ++x) {
    const T v = row[x];
    const std::uint64_t bits = value_bits(v);
    if (bits != 0) checksum += checksum_mix(checksum_mix(linear + std::uint64_t(x)) ^ bits);
    nonzero += v != T(0) ? 1 : 0;
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) {
        ++nans;
        continue;
      }
      float_sum += double(v);
    } else {
      integer_sum += v;
    }
    if (!any) lo = hi = v;
    any = true;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  p.count += std::uint64_t(length);
  p.nonzero += nonzero;
  p.nan_count += nans;
  p.checksum += checksum;
  p.float_sum += float_sum;
  p.integer_sum += integer_sum;
  if (any) {
    p.min = p.any ? std::min(p.min, (long double)lo) : (long double)lo;
    p.max = p.any ? std::max(p.max, (long double)hi) : (long double)hi;
    p.any = true;
  }
}

// A block whose bytes are all zero (never-written chunks of a sparse mask: most of an
// upsampled one) adds only to the count; its zeros add nothing to the checksum.
Partial zero_block_stats(Index elements) {
  Partial p;
  p.count = std::uint64_t(elements);
  p.any = elements > 0;
  return p;
}

bool all_zero_bytes(const std::byte* data, std::size_t size) {
  return size == 0 || (data[0] == std::byte{0} && std::memcmp(data, data + 1, size - 1) == 0);
}

template <class T>
Partial block_stats(const T* data, const Box& box, const Shape& shape) {
  if (all_zero_bytes(reinterpret_cast<const std::byte*>(data),
                     std::size_t(box.num_elements()) * sizeof(T)))
    return zero_block_stats(box.num_elements());
  Partial p;
  const int last = box.rank() - 1;
  const Index length = box.extent[last];
  const IndexVector strides = contiguous_strides(shape);
  Box rows = box;
  rows.extent[last] = 1;
  const T* row = data;
  storage::for_each_index(rows, [&](const IndexVector& index) {
    Index linear = 0;
    for (int a = 0; a <= last; ++a) linear += index[a] * strides[a];
    accumulate_row(row, length, std::uint64_t(linear), p);
    row += length;
  });
  return p;
}

Number integer_number(Int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return std::int64_t(v);
  if (v > 0 && v <= Int128(UINT64_MAX)) return std::uint64_t(v);
  return double(v);
}

Number bound_number(long double v, DType dtype) {
  if (dtype == DType::kFloat32) return float(v);
  if (dtype == DType::kFloat64) return double(v);
  if (v < 0) return std::int64_t(v);
  return v <= (long double)INT64_MAX ? Number(std::int64_t(v)) : Number(std::uint64_t(v));
}

DatasetStats finish(const Partial& p, const storage::DatasetInfo& info) {
  DatasetStats stats;
  stats.shape = info.shape;
  stats.dtype = info.dtype;
  stats.count = p.count;
  stats.nonzero = p.nonzero;
  stats.nan_count = p.nan_count;
  stats.checksum = p.checksum;
  if (p.any) {
    stats.min = bound_number(p.min, info.dtype);
    stats.max = bound_number(p.max, info.dtype);
  }
  const std::uint64_t valued = p.count - p.nan_count;
  if (is_floating(info.dtype)) {
    stats.sum = p.float_sum;
    stats.mean = valued > 0 ? p.float_sum / double(valued) : 0.0;
  } else {
    stats.sum = integer_number(p.integer_sum);
    stats.mean = valued > 0 ? double((long double)p.integer_sum / (long double)valued) : 0.0;
  }
  return stats;
}

struct StatsWork {
  std::size_t sequence = 0;
  Box box;
  Partial partial;
};

}  // namespace

Result<DatasetStats> compute_dataset_stats(const storage::InputDataset& input,
                                           const StatsOptions& options) {
  const storage::DatasetInfo& info = input.info();
  const std::size_t element_size = dtype_size(info.dtype);
  const int threads = resolve_threads(options.threads);
  const BlockGrid blocks(info.shape, choose_block_shape(info.shape, info.chunk_shape, element_size,
                                                        options.block_bytes));
  const std::uint64_t block_bytes =
      std::uint64_t(num_elements(blocks.block_shape())) * element_size;
  // Each thread reads into its own buffer, owned by this run.
  tbb::enumerable_thread_specific<std::vector<std::byte>> buffers;
  Partial total;
  const std::vector<Stage<StatsWork>> stages = {
      {"reading", StageMode::kParallel,
       [&](StatsWork& work) -> Status {
         // Never-written chunks of value 0 (most of a sparse volume): counted, not visited.
         ZF_ASSIGN_OR_RETURN(const bool unwritten, input.is_unwritten(work.box));
         const std::span<const std::byte> fill = input.fill_value();
         if (unwritten && all_zero_bytes(fill.data(), fill.size())) {
           work.partial = zero_block_stats(work.box.num_elements());
           return ok_status();
         }
         std::vector<std::byte>& buffer = buffers.local();
         buffer.resize(std::size_t(work.box.num_elements()) * element_size);
         ZF_RETURN_IF_ERROR(
             input.read_box(work.box, ArrayView(buffer.data(), info.dtype, work.box.extent)));
         work.partial = visit_dtype(info.dtype, [&](auto tag) {
           using T = typename decltype(tag)::type;
           return block_stats(reinterpret_cast<const T*>(buffer.data()), work.box, info.shape);
         });
         return ok_status();
       }},
      // In block order: float sums do not depend on the threads.
      {"merging", StageMode::kOrdered,
       [&](StatsWork& work) {
         total.merge(work.partial);
         return ok_status();
       }},
  };
  ZF_RETURN_IF_ERROR(detail::run_dataset_graph<StatsWork>(
      blocks, stages, threads, options.memory_limit_bytes, block_bytes, options.cancel));
  return finish(total, info);
}

}  // namespace zoomflow
