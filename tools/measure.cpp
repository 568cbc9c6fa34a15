#include "measure.hpp"

#include <sys/resource.h>

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

namespace zoomflow::tools {

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return std::int64_t(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

std::int64_t count_nonzero(ConstArrayView array) {
  return visit_dtype(array.dtype(), [&](auto tag) -> std::int64_t {
    using T = typename decltype(tag)::type;
    const T* data = reinterpret_cast<const T*>(array.data());
    return tbb::parallel_reduce(
        tbb::blocked_range<Index>(0, array.num_elements(), Index(1) << 20), std::int64_t(0),
        [&](const tbb::blocked_range<Index>& r, std::int64_t count) {
          for (Index i = r.begin(); i != r.end(); ++i) count += data[i] != T(0);
          return count;
        },
        [](std::int64_t a, std::int64_t b) { return a + b; });
  });
}

}  // namespace zoomflow::tools
