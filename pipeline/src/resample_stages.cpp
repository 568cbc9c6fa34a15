#include "resample_stages.hpp"

#include <cstring>

#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"

namespace zoomflow::detail {
namespace {

ArrayView view_of(PooledBuffer& buffer, DType dtype, const Shape& shape) {
  return ArrayView(buffer.bytes.get(), dtype, shape);
}

// The value every output voxel takes when every input voxel is `value`: the kernel's own
// arithmetic applied once (order 1 goes through double, as the kernel does).
template <class T>
T constant_output(T value, Interpolation interpolation) {
  if (interpolation == Interpolation::kNearest) return value;
  const double v = double(value);
  return saturate_cast<T>(lerp(v, v, 0.5));
}

// Every element has the bytes of the first: the array equals itself shifted by one element,
// one memcmp instead of a compare per element.
bool all_equal(const std::byte* data, std::size_t count, std::size_t element_size) {
  if (count < 2) return true;
  return std::memcmp(data, data + element_size, (count - 1) * element_size) == 0;
}

template <class T>
bool is_zero_bytes(const T& value) {
  const T zero{};
  return std::memcmp(&value, &zero, sizeof(T)) == 0;
}

}  // namespace

Status ReadInputStage::operator()(BlockWork& work) const {
  const DType dtype = source.info().dtype;
  const Box& box = work.block.input_box;
  work.input_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
  work.input = view_of(work.input_buffer, dtype, box.extent);
  ZF_RETURN_IF_ERROR(source.read_box(box, work.input));
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* data = reinterpret_cast<const T*>(work.input.data());
    work.constant = all_equal(work.input.data(), std::size_t(box.num_elements()), sizeof(T));
    if (work.constant) work.all_fill = is_zero_bytes(constant_output(data[0], spec.interpolation));
  });
  return ok_status();
}

Status ResampleCpuStage::operator()(BlockWork& work) const {
  if (work.all_fill) return ok_status();
  const Box& box = work.block.output_box;
  work.output_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
  work.output = view_of(work.output_buffer, dtype, box.extent);
  if (!work.constant)
    return resample_box(spec, work.input, work.block.input_box.origin, work.output, box);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T value =
        constant_output(*reinterpret_cast<const T*>(work.input.data()), spec.interpolation);
    T* out = reinterpret_cast<T*>(work.output.data());
    std::fill(out, out + box.num_elements(), value);
  });
  return ok_status();
}

Status CompressStage::operator()(BlockWork& work) const {
  work.chunks.clear();
  if (work.all_fill) return ok_status();
  const Box& block = work.block.output_box;
  const Shape& chunk = sink.write_shape();  // a whole shard when sharded
  const int rank = block.rank();
  IndexVector counts = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) counts[a] = (block.extent[a] + chunk[a] - 1) / chunk[a];
  IndexVector position = IndexVector::filled(rank, 0);
  const Box whole = Box::from_shape(sink.shape());
  for (Index n = 0; n < num_elements(counts); ++n) {
    Box chunk_box{block.origin, chunk};
    for (int a = 0; a < rank; ++a) chunk_box.origin[a] += position[a] * chunk[a];
    chunk_box = intersect(chunk_box, whole);
    Box local = chunk_box;
    for (int a = 0; a < rank; ++a) local.origin[a] -= block.origin[a];
    ZF_ASSIGN_OR_RETURN(storage::EncodedChunk encoded,
                        sink.encode_chunk(chunk_box.origin, work.output.subview(local)));
    if (!encoded.is_fill()) work.chunks.push_back(std::move(encoded));
    for (int a = rank - 1; a >= 0; --a) {
      if (++position[a] < counts[a]) break;
      position[a] = 0;
    }
  }
  return ok_status();
}

Status WriteStage::operator()(BlockWork& work) const {
  for (const storage::EncodedChunk& chunk : work.chunks)
    ZF_RETURN_IF_ERROR(sink.write_chunk(chunk));
  return ok_status();
}

}  // namespace zoomflow::detail
