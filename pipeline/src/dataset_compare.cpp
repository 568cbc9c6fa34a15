#include "zoomflow/pipeline/dataset_compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include <tbb/enumerable_thread_specific.h>

#include "dataset_graph.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow {
namespace {

struct Partial {
  std::uint64_t differing = 0;
  std::optional<IndexVector> first;
  Number value_a = std::int64_t(0), value_b = std::int64_t(0);
  double max_abs = 0;
};

struct CompareWork {
  std::size_t sequence = 0;
  Box box;
  Partial partial;
};

bool before(const IndexVector& a, const IndexVector& b) {
  for (int axis = 0; axis < a.rank(); ++axis)
    if (a[axis] != b[axis]) return a[axis] < b[axis];
  return false;
}

template <class T>
bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a == b || (std::isnan(a) && std::isnan(b));
  return a == b;
}

template <class T>
double abs_difference(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::infinity();
    return std::fabs(double(a) - double(b));
  } else {
    return a > b ? double(a - b) : double(b - a);  // exact in T, rounded once
  }
}

template <class T>
Partial compare_block(const T* a, const T* b, const Box& box) {
  Partial p;
  const int last = box.rank() - 1;
  const Index length = box.extent[last];
  Box rows = box;
  rows.extent[last] = 1;
  Index offset = 0;
  storage::for_each_index(rows, [&](const IndexVector& index) {
    // Equal bytes are equal values (NaN bits included): one memcmp for most rows.
    if (std::memcmp(a + offset, b + offset, std::size_t(length) * sizeof(T)) == 0) {
      offset += length;
      return;
    }
    for (Index x = 0; x < length; ++x) {
      const T va = a[offset + x], vb = b[offset + x];
      if (same(va, vb)) continue;
      if (p.differing++ == 0) {
        IndexVector where = index;
        where[last] += x;
        p.first = where;
        p.value_a = number_of(va);
        p.value_b = number_of(vb);
      }
      p.max_abs = std::max(p.max_abs, abs_difference(va, vb));
    }
    offset += length;
  });
  return p;
}

void merge_into(CompareReport& report, const Partial& p) {
  report.differing += p.differing;
  report.max_abs_difference = std::max(report.max_abs_difference, p.max_abs);
  if (p.first && (!report.first_difference || before(*p.first, *report.first_difference))) {
    report.first_difference = p.first;
    report.value_a = p.value_a;
    report.value_b = p.value_b;
  }
}

}  // namespace

Result<CompareReport> compare_datasets(const storage::InputDataset& a,
                                       const storage::InputDataset& b,
                                       const CompareOptions& options) {
  const storage::DatasetInfo& ia = a.info();
  const storage::DatasetInfo& ib = b.info();
  CompareReport report;
  report.shape_a = ia.shape;
  report.shape_b = ib.shape;
  report.dtype_a = ia.dtype;
  report.dtype_b = ib.dtype;
  if (!report.same_layout()) return report;
  const std::size_t element_size = dtype_size(ia.dtype);
  const Shape& unit = ia.chunked ? ia.chunk_shape : ib.chunk_shape;
  const BlockGrid blocks(ia.shape,
                         choose_block_shape(ia.shape, unit, element_size, options.block_bytes));
  const std::uint64_t block_bytes =
      2 * std::uint64_t(num_elements(blocks.block_shape())) * element_size;
  const int threads = resolve_threads(options.threads);
  // Each thread reads both sides into buffers of its own, owned by this run.
  struct Buffers {
    std::vector<std::byte> a, b;
  };
  tbb::enumerable_thread_specific<Buffers> buffers;
  const std::vector<Stage<CompareWork>> stages = {
      {"reading and comparing", StageMode::kParallel,
       [&](CompareWork& work) -> Status {
         // Never written on both sides, with the same fill value: equal without reading.
         ZF_ASSIGN_OR_RETURN(const bool a_unwritten, a.is_unwritten(work.box));
         if (a_unwritten) {
           ZF_ASSIGN_OR_RETURN(const bool b_unwritten, b.is_unwritten(work.box));
           const auto fa = a.fill_value(), fb = b.fill_value();
           if (b_unwritten && std::equal(fa.begin(), fa.end(), fb.begin(), fb.end()))
             return ok_status();
         }
         Buffers& local = buffers.local();
         const std::size_t bytes = std::size_t(work.box.num_elements()) * element_size;
         local.a.resize(bytes);
         local.b.resize(bytes);
         ZF_RETURN_IF_ERROR(
             a.read_box(work.box, ArrayView(local.a.data(), ia.dtype, work.box.extent)));
         ZF_RETURN_IF_ERROR(
             b.read_box(work.box, ArrayView(local.b.data(), ia.dtype, work.box.extent)));
         work.partial = visit_dtype(ia.dtype, [&](auto tag) {
           using T = typename decltype(tag)::type;
           return compare_block(reinterpret_cast<const T*>(local.a.data()),
                                reinterpret_cast<const T*>(local.b.data()), work.box);
         });
         return ok_status();
       }},
      {"merging", StageMode::kOrdered,
       [&](CompareWork& work) {
         merge_into(report, work.partial);
         return ok_status();
       }},
  };
  ZF_RETURN_IF_ERROR(detail::run_dataset_graph<CompareWork>(
      blocks, stages, threads, options.memory_limit_bytes, block_bytes, options.cancel));
  report.compared = std::uint64_t(num_elements(ia.shape));
  return report;
}

}  // namespace zoomflow
