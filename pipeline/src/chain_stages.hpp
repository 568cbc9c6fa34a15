// The stages of a chain run, as small function objects (internal to pipeline/):
//   compute (read each tile's input box, run the steps, or take the constant shortcut),
//   encode (cut the block into write units and compress them), write (store them).
#pragma once

#include <functional>
#include <memory>

#include "zoomflow/kernels/workspace.hpp"
#include "zoomflow/pipeline/block_work.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::detail {

// Reads a box of the input into a contiguous view of its dtype: a dataset, or memory.
using BoxReader = std::function<Status(const Box& box, ArrayView out)>;
// The value every voxel of a box of the input holds when the storage knows it without reading
// (no chunk of the box was ever written: the fill value); nullopt otherwise.
using KnownValue = std::function<Result<std::optional<Scalar>>(const Box& box)>;

// The value every output voxel takes when the whole input box read holds `input` (converted to
// the output's dtype, as the computed path would); nullopt when some step cannot promise one
// value. A step writing a number into a bool output is an error naming the step.
Result<std::optional<Scalar>> chain_constant(const ChainPlan& plan, const Scalar& input,
                                             const std::vector<Box>& boxes);

// Computes each block tile by tile into a buffer from `pool`. Thread-safe; each thread's
// buffers live in the stage (freed with it, at the end of the run).
class ComputeStage {
 public:
  ComputeStage(const ChainPlan& plan, const Shape& tile_shape, BoxReader read, BufferPool& pool,
               const CancelToken& cancel, KnownValue known = {});
  ~ComputeStage();
  Status operator()(BlockWork& work) const;

 private:
  struct Workers;
  const ChainPlan& plan_;
  Shape tile_shape_;
  BoxReader read_;
  KnownValue known_;
  BufferPool& pool_;
  const CancelToken& cancel_;
  std::unique_ptr<Workers> workers_;
};

// Cuts the block into write units and compresses each (fill units are dropped).
struct EncodeStage {
  const storage::OutputDataset& sink;
  Status operator()(BlockWork& work) const;
};

// Stores the compressed units.
struct WriteStage {
  storage::OutputDataset& sink;
  Status operator()(BlockWork& work) const;
};

}  // namespace zoomflow::detail
