#include "dataset_blocks.hpp"

#include <string>
#include <thread>

namespace zoomflow::pipeline::detail {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, int(std::thread::hardware_concurrency()));
}

Box DatasetTiling::block(Index linear) const {
  const int rank = shape.rank();
  IndexVector index = IndexVector::filled(rank, 0);
  for (int a = rank - 1; a >= 0; --a) {
    index[a] = linear % grid_shape[a];
    linear /= grid_shape[a];
  }
  Box box{index, block_shape};
  for (int a = 0; a < rank; ++a) {
    box.origin[a] = index[a] * block_shape[a];
    box.extent[a] = std::min(block_shape[a], shape[a] - box.origin[a]);
  }
  return box;
}

DatasetTiling tile_dataset(const Shape& shape, const Shape& unit, std::size_t element_size,
                           std::uint64_t target_bytes) {
  const int rank = shape.rank();
  Shape block = unit.rank() == rank ? unit : Shape::filled(rank, 1);
  for (int a = 0; a < rank; ++a) block[a] = std::clamp<Index>(block[a], 1, shape[a]);
  for (int a = rank - 1; a >= 0; --a) {
    const std::uint64_t bytes = std::uint64_t(num_elements(block)) * element_size;
    const Index factor =
        Index(std::max<std::uint64_t>(1, target_bytes / std::max<std::uint64_t>(bytes, 1)));
    const Index grown = std::min(shape[a], block[a] * factor);
    // Keep whole units: round down to a multiple of the unit unless the whole axis fits.
    block[a] = grown == shape[a] ? grown : std::max(block[a], grown / block[a] * block[a]);
    if (block[a] < shape[a]) break;
  }
  DatasetTiling plan{shape, block, shape};
  for (int a = 0; a < rank; ++a) plan.grid_shape[a] = (shape[a] + block[a] - 1) / block[a];
  return plan;
}

std::size_t blocks_in_flight(int threads, std::uint64_t bytes_per_block,
                             std::uint64_t memory_limit_bytes) {
  const std::uint64_t wanted = 2 * std::uint64_t(threads) + 2;
  const std::uint64_t affordable = memory_limit_bytes / std::max<std::uint64_t>(bytes_per_block, 1);
  return std::size_t(std::max<std::uint64_t>(1, std::min(wanted, affordable)));
}

Error interrupted_error() {
  return make_error(ErrorCode::kCancelled,
                    "interrupted by signal " + std::to_string(storage::interrupt_signal()));
}

}  // namespace zoomflow::pipeline::detail
