// The write units (chunks, or shards) of one pyramid level being filled from the units of a run
// (internal to pipeline/): each part lands in its write unit's buffer, from any thread, in any
// order; a write unit is handed out once all its voxels have arrived. A buffer is taken at the
// first part that is not all zero (zeroed then), so a write unit of zeros (the fill value) never
// has one and is neither compressed nor written.
//
//   WriteUnitAssembly assembly(level_shape, sink.write_shape(), dtype, pool);
//   std::vector<WriteUnitAssembly::Completed> done;
//   ZF_RETURN_IF_ERROR(assembly.deposit(box, values, done));   // values: the voxels of box
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/scalar.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"

namespace zoomflow::detail {

class WriteUnitAssembly {
 public:
  struct Completed {
    Box box;              // the write unit, clipped to the level
    PooledBuffer buffer;  // none: every voxel is zero
    ArrayView values;     // the unit's voxels, contiguous
  };

  WriteUnitAssembly(const Shape& level_shape, const Shape& write_unit, DType dtype,
                    BufferPool& pool);

  // Copies `values` (the voxels of `box`, inside the level) into the write units it meets;
  // appends those it completes to `completed`. Thread-safe; boxes of different calls must not
  // overlap.
  Status deposit(const Box& box, ConstArrayView values, std::vector<Completed>& completed);
  // The same for a box whose every voxel is `value` (of the level's dtype).
  Status deposit_constant(const Box& box, const Scalar& value, std::vector<Completed>& completed);

  // Write units begun and not complete.
  std::size_t open_units() const;
  // The most begun-and-incomplete units and bytes of their buffers, at any one time.
  std::size_t most_open_units() const;
  std::uint64_t most_open_bytes() const;

 private:
  struct Open {
    PooledBuffer buffer;
    ArrayView values;
    Index filled = 0;
  };
  // `part` (nullptr: all `constant`) into each write unit box meets.
  Status deposit_parts(const Box& box, const ConstArrayView* values, const Scalar* constant,
                       std::vector<Completed>& completed);

  BlockGrid grid_;
  DType dtype_;
  BufferPool& pool_;
  mutable std::mutex mutex_;
  std::unordered_map<Index, Open> open_;
  std::uint64_t open_bytes_ = 0;
  std::size_t most_open_units_ = 0;
  std::uint64_t most_open_bytes_ = 0;
};

}  // namespace zoomflow::detail
