# The CUDA backend is built whenever nvcc is found; building never needs a GPU.
option(ZOOMFLOW_ENABLE_CUDA "Build the CUDA backend when nvcc is found" ON)
set(ZOOMFLOW_HAS_CUDA OFF)
if(ZOOMFLOW_ENABLE_CUDA)
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Ampere, Ada and Hopper (H100/H200) machine code, plus PTX for newer GPUs.
      set(CMAKE_CUDA_ARCHITECTURES "80-real;86-real;89-real;90-real;90-virtual")
    endif()
    enable_language(CUDA)
    # CMake 3.25 knows nvcc's flags up to C++17 only; nvcc 12+ takes -std=c++20 as well, which
    # the kernels need (they share C++20 headers with the CPU code).
    if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION AND
       CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    find_package(CUDAToolkit REQUIRED)
    set(ZOOMFLOW_HAS_CUDA ON)
    message(STATUS "zoomflow: CUDA backend enabled (${CMAKE_CUDA_COMPILER}, archs ${CMAKE_CUDA_ARCHITECTURES})")
  else()
    message(STATUS "zoomflow: nvcc not found, building the CPU backend only")
  endif()
endif()
