#include "zoomflow/pipeline/memory_stages.hpp"

#include "zoomflow/kernels/convert.hpp"

namespace zoomflow {

BlockStage read_memory_stage(const ChainPlan& plan, ConstArrayView input, BufferPool& pool) {
  return {"reading input", StageMode::kParallel, [&plan, input, &pool](BlockWork& work) -> Status {
            work.input_box = plan.boxes(work.box).front();
            const DType dtype = input.dtype();
            work.input_buffer =
                pool.acquire(std::size_t(work.input_box.num_elements()) * dtype_size(dtype));
            work.input = ArrayView(work.input_buffer.bytes.get(), dtype, work.input_box.extent);
            return convert_array(input.subview(work.input_box), work.input);
          }};
}

BlockStage write_memory_stage(ArrayView output) {
  return {"storing output", StageMode::kParallel, [output](BlockWork& work) -> Status {
            const ArrayView destination = output.subview(work.box);
            if (!work.all_fill) return convert_array(work.output, destination);
            // Blocks of the fill value were never computed: zeros.
            const Scalar zero = Scalar::of(output.dtype(), std::uint64_t(0));
            return convert_array(ConstArrayView(zero.bytes.data(), zero.dtype, work.box.extent,
                                                IndexVector::filled(work.box.rank(), 0)),
                                 destination);
          }};
}

}  // namespace zoomflow
