// Marks functions that both the CPU build and nvcc compile, so the two backends share one
// implementation of the coordinate math.
#pragma once

#if defined(__CUDACC__)
#define ZF_HOST_DEVICE __host__ __device__
#else
#define ZF_HOST_DEVICE
#endif
