// A buffer pool with its own allocator: buffers come from it, are reused, and are freed by the
// deleter they carry, whichever pool or owner holds them last.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>

#include "zoomflow/pipeline/buffer_pool.hpp"

using namespace zoomflow;

namespace {

std::atomic<int> g_allocated{0};
std::atomic<int> g_freed{0};

void counted_free(std::byte* bytes) noexcept {
  ++g_freed;
  delete[] bytes;
}

}  // namespace

TEST_CASE("a pool allocates through its allocator and buffers free themselves its way") {
  g_allocated = 0;
  g_freed = 0;
  {
    BufferPool pool([](std::size_t size) {
      ++g_allocated;
      PooledBuffer buffer;
      buffer.bytes = std::unique_ptr<std::byte[], BufferDeleter>(new std::byte[size],
                                                                 BufferDeleter{&counted_free});
      buffer.capacity = size;
      return buffer;
    });
    PooledBuffer a = pool.acquire(100);
    PooledBuffer b = pool.acquire(200);
    CHECK(g_allocated == 2);
    pool.release(std::move(a));
    PooledBuffer c = pool.acquire(50);  // reuses a
    CHECK(g_allocated == 2);
    CHECK(c.capacity == 100);
    pool.release(std::move(b));
    { PooledBuffer dropped = std::move(c); }  // freed by its own deleter, outside the pool
    CHECK(g_freed == 1);
  }
  CHECK(g_freed == 2);  // the pool freed b on destruction

  BufferPool plain;
  PooledBuffer d = plain.acquire(10);
  REQUIRE(d.bytes);
  CHECK(d.capacity == 10);
}
