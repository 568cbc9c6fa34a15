/* How fast is the one way parallel HDF5 keeps every rank's compressed chunks: collective H5Dwrite
   of raw values, HDF5 compressing each chunk (deflate level 1)? Writes a (Z, 256, 256) uint16
   dataset of noise in 64^3 chunks; the ranks take whole z-slabs of chunks, round robin, and every
   rank calls H5Dwrite once per slab round (collective: a rank without a slab that round writes
   nothing, but takes part). Prints the wall seconds from create to close (rank 0), to compare
   1 rank with N. Built and run by check.sh against Debian's libhdf5-openmpi-dev. */
#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kEdge = 64, kYX = 256 };

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char* path = argc > 1 ? argv[1] : "collective_write_timing.h5";
  const int slabs = argc > 2 ? atoi(argv[2]) : 32; /* 32 slabs: 256 MiB of uint16 */

  const size_t slab_values = (size_t)kEdge * kYX * kYX;
  uint16_t* values = malloc(slab_values * sizeof *values);
  uint64_t state = 0x9E3779B97F4A7C15ull * (uint64_t)(rank + 1);
  for (size_t i = 0; i < slab_values; ++i) { /* xorshift noise: barely compressible */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    values[i] = (uint16_t)state;
  }

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  hsize_t dims[3] = {(hsize_t)slabs * kEdge, kYX, kYX};
  hsize_t chunk[3] = {kEdge, kEdge, kEdge};
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  hid_t space = H5Screate_simple(3, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 3, chunk);
  H5Pset_deflate(dcpl, 1);
  hid_t set = H5Dcreate2(file, "v", H5T_NATIVE_UINT16, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  hid_t collective = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(collective, H5FD_MPIO_COLLECTIVE);
  hsize_t count[3] = {kEdge, kYX, kYX};
  hid_t memory = H5Screate_simple(3, count, NULL);
  int failed = 0;
  for (int round = 0; round * size < slabs; ++round) {
    const int slab = round * size + rank;
    hid_t file_part = H5Scopy(space);
    hid_t memory_part = H5Scopy(memory);
    if (slab < slabs) {
      hsize_t offset[3] = {(hsize_t)slab * kEdge, 0, 0};
      H5Sselect_hyperslab(file_part, H5S_SELECT_SET, offset, NULL, count, NULL);
    } else {
      H5Sselect_none(file_part);
      H5Sselect_none(memory_part);
    }
    failed |= H5Dwrite(set, H5T_NATIVE_UINT16, memory_part, file_part, collective, values) < 0;
    H5Sclose(file_part);
    H5Sclose(memory_part);
  }
  H5Dclose(set);
  H5Fclose(file);
  MPI_Barrier(MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - start;
  if (rank == 0)
    printf(
        "collective filtered H5Dwrite, %d rank(s): %d MiB of uint16 in 64^3 deflate:1 chunks "
        "in %.2f s%s\n",
        size, (int)(slabs * slab_values * 2 >> 20), seconds, failed ? " (a write FAILED)" : "");
  free(values);
  MPI_Finalize();
  return failed;
}
