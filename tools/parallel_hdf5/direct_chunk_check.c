/* Does parallel HDF5 (the MPI-IO driver) take zoomflow's way of writing HDF5: every rank storing
   chunks it compressed itself with H5Dwrite_chunk? Each rank writes one deflated chunk of its own
   into a shared dataset, three ways, and rank 0 reads the file back afterwards:
     direct-independent  H5Dwrite_chunk, independent transfer (what zoomflow's writer does)
     direct-collective   H5Dwrite_chunk, collective transfer
     filtered-collective H5Dwrite of raw values, HDF5 compressing (collective, as 1.10.2+ needs)
   Built and run by check.sh against Debian's libhdf5-openmpi-dev, which zoomflow does not use. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <zlib.h>

enum { kChunk = 1024 };

static void report(int rank, const char* what, herr_t status) {
  printf("rank %d: %-20s returned %d\n", rank, what, (int)status);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char* path = argc > 1 ? argv[1] : "direct_chunk_check.h5";
  const char* names[3] = {"direct-independent", "direct-collective", "filtered-collective"};
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures are reported by return value below */

  hsize_t dims[1] = {(hsize_t)size * kChunk};
  hsize_t chunk[1] = {kChunk};
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  hid_t space = H5Screate_simple(1, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 1, chunk);
  H5Pset_deflate(dcpl, 1);
  hid_t sets[3];
  for (int k = 0; k < 3; ++k)
    sets[k] = H5Dcreate2(file, names[k], H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);

  int values[kChunk];
  for (int i = 0; i < kChunk; ++i) values[i] = 1 + rank * kChunk + i; /* no zeros: fill is 0 */
  unsigned char packed[2 * sizeof values];
  uLongf packed_size = sizeof packed;
  compress2(packed, &packed_size, (const Bytef*)values, sizeof values, 1);
  hsize_t offset[1] = {(hsize_t)rank * kChunk};

  hid_t independent = H5Pcreate(H5P_DATASET_XFER);
  hid_t collective = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(collective, H5FD_MPIO_COLLECTIVE);
  report(rank, names[0], H5Dwrite_chunk(sets[0], independent, 0, offset, packed_size, packed));
  report(rank, names[1], H5Dwrite_chunk(sets[1], collective, 0, offset, packed_size, packed));
  hsize_t count[1] = {kChunk};
  H5Sselect_hyperslab(space, H5S_SELECT_SET, offset, NULL, count, NULL);
  hid_t memory = H5Screate_simple(1, count, NULL);
  report(rank, names[2], H5Dwrite(sets[2], H5T_NATIVE_INT, memory, space, collective, values));
  for (int k = 0; k < 3; ++k) H5Dclose(sets[k]);
  H5Fclose(file);
  MPI_Barrier(MPI_COMM_WORLD);

  if (rank == 0) { /* read back with the default (serial) driver */
    hid_t reader = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    static int all[1 << 16];
    for (int k = 0; k < 3; ++k) {
      hid_t set = H5Dopen2(reader, names[k], H5P_DEFAULT);
      const herr_t read = H5Dread(set, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, all);
      int ranks_intact = 0;
      for (int r = 0; read >= 0 && r < size; ++r) {
        int intact = 1;
        for (int i = 0; i < kChunk; ++i) intact &= all[r * kChunk + i] == 1 + r * kChunk + i;
        ranks_intact += intact;
      }
      printf("%-20s: the chunks of %d of %d ranks read back intact\n", names[k], ranks_intact,
             size);
      H5Dclose(set);
    }
    H5Fclose(reader);
  }
  MPI_Finalize();
  return 0;
}
