#include "chain_stages.hpp"

#include <cstring>
#include <string>

#include <fmt/core.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include "zoomflow/kernels/convert.hpp"

namespace zoomflow::detail {
namespace {

// The last step's values are not all 0 or 1, which a bool output cannot hold.
template <class T>
std::optional<std::string> first_non_boolean(const T* values, Index count) {
  for (Index i = 0; i < count; ++i)
    if (!(values[i] == T(0) || values[i] == T(1))) return fmt::format("{}", values[i]);
  return std::nullopt;
}

Status check_boolean(const ChainPlan& plan, ConstArrayView values) {
  if (plan.output().dtype != DType::kBool || values.dtype() == DType::kBool) return ok_status();
  const auto bad = visit_dtype(values.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return first_non_boolean(reinterpret_cast<const T*>(values.data()), values.num_elements());
  });
  if (!bad) return ok_status();
  // The step that made the number: the last one, or the one before steps that copy values.
  std::size_t maker = plan.steps.size() - 1;
  while (maker > 0 && plan.steps[maker]->copies_values()) --maker;
  return make_error(ErrorCode::kInvalidArgument,
                    "step '" + plan.steps[maker]->describe() + "' gives " + *bad +
                        ", which a bool output cannot hold; end the chain with threshold or "
                        "cast:bool");
}

// A view of one value repeated over `shape` (zero strides).
ConstArrayView broadcast(const Scalar& value, const Shape& shape) {
  return {value.bytes.data(), value.dtype, shape, IndexVector::filled(shape.rank(), 0)};
}

}  // namespace

Result<std::optional<Scalar>> chain_constant(const ChainPlan& plan, const Scalar& input,
                                             const std::vector<Box>& boxes) {
  Scalar value = input;
  for (std::size_t k = 0; k < plan.steps.size(); ++k) {
    const std::optional<Scalar> next =
        plan.steps[k]->constant_output(value, plan.geometry[k], boxes[k + 1]);
    if (!next) return std::optional<Scalar>();
    value = *next;
  }
  ZF_RETURN_IF_ERROR(check_boolean(plan, value.view()));
  Scalar result;
  result.dtype = plan.output().dtype;
  ZF_RETURN_IF_ERROR(convert_array(value.view(), result.view()));
  return std::optional<Scalar>(result);
}

// One thread's buffers: slot 0 the tile's input, slots 1 and 2 the values between steps; the
// steps' own scratch in a workspace of its own.
struct ComputeStage::Workers {
  struct Worker {
    Workspace buffers;
    Workspace scratch;
  };
  tbb::enumerable_thread_specific<Worker> each;
};

ComputeStage::ComputeStage(const ChainPlan& plan, const Shape& tile_shape, BoxReader read,
                           BufferPool& pool, const CancelToken& cancel, KnownValue known)
    : plan_(plan),
      tile_shape_(tile_shape),
      read_(std::move(read)),
      known_(std::move(known)),
      pool_(pool),
      cancel_(cancel),
      workers_(std::make_unique<Workers>()) {}

ComputeStage::~ComputeStage() = default;

Status ComputeStage::operator()(BlockWork& work) const {
  Status status;
  // Isolated: a thread that waits inside a step (a user's TBB algorithm) never takes another
  // block's compute task, whose tiles would overwrite this thread's buffers.
  tbb::this_task_arena::isolate([&] {
    Workers::Worker& worker = workers_->each.local();
    const Box& block = work.box;
    const DType output_dtype = plan_.output().dtype;
    const std::size_t element = dtype_size(output_dtype);
    const BlockGrid tiles(block.extent, tile_shape_);
    const bool one_tile = tiles.count() == 1;
    StepContext context{worker.scratch, cancel_};

    // The block's buffer, taken at the first tile that is not all fill value; with several
    // tiles it starts zeroed, so later fill tiles need nothing.
    const auto output_buffer = [&] {
      if (work.output_buffer.bytes) return;
      const std::size_t bytes = std::size_t(block.num_elements()) * element;
      work.output_buffer = pool_.acquire(bytes);
      work.output = ArrayView(work.output_buffer.bytes.get(), output_dtype, block.extent);
      if (!one_tile) std::memset(work.output.data(), 0, bytes);
    };

    for (Index t = 0; t < tiles.count(); ++t) {
      if (cancel_.requested()) {
        status = cancel_.error();
        return;
      }
      Box tile = tiles.block(t);
      Box local = tile;
      for (int a = 0; a < tile.rank(); ++a) tile.origin[a] += block.origin[a];
      const std::vector<Box> boxes = plan_.boxes(tile);
      if (t == 0) work.input_box = boxes.front();

      // A tile whose output is one value: the block (one tile) is constant, or the tile's part
      // of the buffer is set. Returns false when some step cannot promise one value.
      const auto constant_tile = [&](const Scalar& input_value) -> Result<bool> {
        ZF_ASSIGN_OR_RETURN(const std::optional<Scalar> constant,
                            chain_constant(plan_, input_value, boxes));
        if (!constant) return false;
        const Scalar& value = *constant;
        if (one_tile) {
          work.constant = true;
          work.constant_value = value;
          work.all_fill = value.is_zero();
        }
        if (value.is_zero()) return true;  // several tiles: the buffer starts zeroed
        output_buffer();
        ZF_RETURN_IF_ERROR(
            convert_array(broadcast(value, tile.extent), work.output.subview(local)));
        return true;
      };

      // Never-written input (a sparse volume's empty regions): its value, without reading.
      if (known_) {
        auto known = known_(boxes.front());
        if (!known.ok()) {
          status = known.error();
          return;
        }
        if (*known) {
          auto done = constant_tile(**known);
          if (!done.ok()) {
            status = done.error();
            return;
          }
          if (*done) continue;
        }
      }

      const DType input_dtype = plan_.value_types.front();
      std::span<std::byte> input_bytes = worker.buffers.buffer<std::byte>(
          0, std::size_t(boxes.front().num_elements()) * dtype_size(input_dtype));
      const ArrayView input(input_bytes.data(), input_dtype, boxes.front().extent);
      status = read_(boxes.front(), input);
      if (!status.ok()) return;

      if (all_same_bytes(input)) {
        auto done = constant_tile(Scalar::first_of(input));
        if (!done.ok()) {
          status = done.error();
          return;
        }
        if (*done) continue;
      }

      output_buffer();
      ConstArrayView values = input;
      for (std::size_t k = 0; k < plan_.steps.size(); ++k) {
        const bool last = k + 1 == plan_.steps.size();
        const DType type = plan_.value_types[k + 1];
        ArrayView target;
        if (last && one_tile && type == output_dtype) {
          target = work.output;
        } else {
          std::span<std::byte> bytes = worker.buffers.buffer<std::byte>(
              1 + int(k % 2), std::size_t(boxes[k + 1].num_elements()) * dtype_size(type));
          target = ArrayView(bytes.data(), type, boxes[k + 1].extent);
        }
        status = plan_.steps[k]->apply(plan_.geometry[k], boxes[k], values, boxes[k + 1], target,
                                       context);
        if (!status.ok()) {
          if (status.error().code != ErrorCode::kCancelled &&
              status.error().message.rfind("step '", 0) != 0)
            status = make_error(status.error().code, "step '" + plan_.steps[k]->describe() +
                                                         "': " + status.error().message);
          return;
        }
        values = target;
      }
      if (values.data() != work.output.data()) {
        status = check_boolean(plan_, values);
        if (status.ok()) status = convert_array(values, work.output.subview(local));
        if (!status.ok()) return;
      }
    }
    // Several tiles that were all fill value: the block is too.
    if (!work.output_buffer.bytes) work.all_fill = true;
  });
  return status;
}

Status EncodeStage::operator()(BlockWork& work) const {
  work.chunks.clear();
  if (work.all_fill) return ok_status();
  const Box& block = work.box;
  const BlockGrid units(block.extent, sink.write_shape());  // a whole shard when sharded
  for (Index n = 0; n < units.count(); ++n) {
    Box local = units.block(n);
    Box unit = local;
    for (int a = 0; a < unit.rank(); ++a) unit.origin[a] += block.origin[a];
    ZF_ASSIGN_OR_RETURN(storage::EncodedChunk encoded,
                        sink.encode_chunk(unit.origin, work.output.subview(local)));
    if (!encoded.is_fill()) work.chunks.push_back(std::move(encoded));
  }
  return ok_status();
}

Status WriteStage::operator()(BlockWork& work) const {
  for (const storage::EncodedChunk& chunk : work.chunks)
    ZF_RETURN_IF_ERROR(sink.write_chunk(chunk));
  return ok_status();
}

}  // namespace zoomflow::detail
