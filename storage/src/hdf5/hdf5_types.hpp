// HDF5 datatypes and zoomflow's DType: what a stored type means, and the types zoomflow writes
// (little-endian standard types; bool as h5py's enum FALSE=0/TRUE=1 over int8).
#pragma once

#include <string>

#include "hdf5_handle.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

struct StoredType {
  DType dtype = DType::kUInt8;
  // The stored bytes are the dtype's bytes, in big-endian order when big_endian: chunks may be
  // decoded without HDF5 (direct chunk reads). Otherwise HDF5 converts (H5Dread).
  bool raw_compatible = true;
  bool big_endian = false;
};

// Classifies a dataset's stored type; `where` names the dataset in messages. Caller holds the
// HDF5 lock.
Result<StoredType> describe_stored_type(hid_t type, const std::string& where);

// The memory type H5Dread converts `file_type` (classified as `dtype`) into. Caller holds the lock.
TypeHandle read_memory_type(hid_t file_type, DType dtype);

// The type zoomflow stores `dtype` as, and the matching native memory type. Caller holds the lock.
TypeHandle stored_type_for(DType dtype);
TypeHandle memory_type_for(DType dtype);

// "compound", "string", ... for messages.
std::string type_class_name(hid_t type);

}  // namespace zoomflow::storage
