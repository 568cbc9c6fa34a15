#include "zoomflow/pipeline/dataset_compare.hpp"

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "dataset_blocks.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow::pipeline {
namespace {

struct Partial {
  std::uint64_t differing = 0;
  std::optional<IndexVector> first;
  double value_a = 0, value_b = 0;
  double max_abs = 0;
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
    for (Index x = 0; x < length; ++x) {
      const T va = a[offset + x], vb = b[offset + x];
      if (same(va, vb)) continue;
      if (p.differing++ == 0) {
        IndexVector where = index;
        where[last] += x;
        p.first = where;
        p.value_a = double(va);
        p.value_b = double(vb);
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
  if (!report.same_layout() || num_elements(ia.shape) == 0) return report;
  const std::size_t element_size = dtype_size(ia.dtype);
  const Shape& unit = ia.chunked ? ia.chunk_shape : ib.chunk_shape;
  const detail::DatasetTiling plan =
      detail::tile_dataset(ia.shape, unit, element_size, options.block_bytes);
  const int threads = detail::resolve_threads(options.threads);
  const auto work = [&](const Box& box) -> Result<Partial> {
    thread_local std::vector<std::byte> buffer_a, buffer_b;
    const std::size_t bytes = std::size_t(box.num_elements()) * element_size;
    buffer_a.resize(bytes);
    buffer_b.resize(bytes);
    ZF_RETURN_IF_ERROR(a.read_box(box, ArrayView(buffer_a.data(), ia.dtype, box.extent)));
    ZF_RETURN_IF_ERROR(b.read_box(box, ArrayView(buffer_b.data(), ia.dtype, box.extent)));
    return visit_dtype(ia.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return compare_block(reinterpret_cast<const T*>(buffer_a.data()),
                           reinterpret_cast<const T*>(buffer_b.data()), box);
    });
  };
  const auto merge = [&](Index, Partial&& p) {
    merge_into(report, p);
    return ok_status();
  };
  ZF_RETURN_IF_ERROR(detail::run_blocks<Partial>(
      plan, threads,
      detail::blocks_in_flight(threads, 2 * plan.block_bytes(element_size),
                               options.memory_limit_bytes),
      work, merge));
  report.compared = std::uint64_t(num_elements(ia.shape));
  return report;
}

}  // namespace zoomflow::pipeline
