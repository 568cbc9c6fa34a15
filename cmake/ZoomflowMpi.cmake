# MPI (Debian's libopenmpi-dev) is built in whenever it is found: the zoomflow command then splits
# resample and pipeline runs among the ranks that mpirun (or srun) starts, and still runs alone,
# without touching MPI, when no launcher started it. Without MPI (not installed,
# -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON or -DZOOMFLOW_ENABLE_MPI=OFF) the command runs in one process
# and refuses to be one of several ranks. MPI lives in its own library (zoomflow_mpi), linked by
# the command only: the zoomflow library and its users never depend on it.
option(ZOOMFLOW_ENABLE_MPI "Build MPI support when MPI is found" ON)
set(ZOOMFLOW_HAS_MPI OFF)
if(ZOOMFLOW_ENABLE_MPI)
  find_package(MPI COMPONENTS C)
  if(MPI_C_FOUND)
    set(ZOOMFLOW_HAS_MPI ON)
    message(STATUS "zoomflow: MPI enabled (MPI ${MPI_C_VERSION}, ${MPIEXEC_EXECUTABLE})")
  else()
    message(STATUS "zoomflow: MPI not found, building for one process only")
  endif()
endif()
