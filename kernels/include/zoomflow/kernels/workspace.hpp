// Scratch memory a kernel borrows from its caller. The caller (one per worker thread, owned by
// the run) keeps it between boxes so buffers are reused, counts it against the memory budget,
// and frees it when the run ends; kernels hold no scratch of their own (no thread_local).
//
//   Workspace workspace;                                   // one per thread, owned by the run
//   std::span<double> a = workspace.buffer<double>(0, n);  // slot 0, at least n doubles
//   std::span<double> b = workspace.buffer<double>(1, m);  // slot 1, independent of slot 0
//
// A slot's contents are unspecified after buffer() and stay valid until that slot is asked for
// again; slots never alias one another.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

namespace zoomflow {

class Workspace {
 public:
  static constexpr int kSlots = 4;

  template <class T>
  std::span<T> buffer(int slot, std::size_t count) {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::max_align_t));
    Slot& s = slots_[std::size_t(slot)];
    const std::size_t bytes = count * sizeof(T);
    if (s.capacity < bytes) {
      s.data.reset();  // free first: peak memory is the new buffer, not both
      s.data = std::make_unique_for_overwrite<std::byte[]>(bytes);
      s.capacity = bytes;
    }
    return {reinterpret_cast<T*>(s.data.get()), count};
  }

  // Bytes held now, over every slot.
  std::size_t bytes_held() const {
    std::size_t total = 0;
    for (const Slot& s : slots_) total += s.capacity;
    return total;
  }

  // Gives every buffer back.
  void release() {
    for (Slot& s : slots_) s = Slot{};
  }

 private:
  struct Slot {
    std::unique_ptr<std::byte[]> data;
    std::size_t capacity = 0;
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace zoomflow
