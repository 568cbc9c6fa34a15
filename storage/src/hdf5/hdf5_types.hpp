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
  // H5Dread reads the stored bytes unconverted (then swapped when big_endian): a non-bool enum,
  // which HDF5's enum conversion would map by member name, turning values outside the enum
  // into -1. Such enums are read as their integer base type.
  bool read_unconverted = false;
};

// Classifies a dataset's stored type; `where` names the dataset in messages.
Result<StoredType> describe_stored_type(const Hdf5Lock& lock, hid_t type, const std::string& where);

// The memory type H5Dread converts `file_type` (classified as `stored`) into: the file type
// itself when stored.read_unconverted.
TypeHandle read_memory_type(const Hdf5Lock& lock, hid_t file_type, const StoredType& stored);

// The type zoomflow stores `dtype` as, and the matching native memory type.
TypeHandle stored_type_for(const Hdf5Lock& lock, DType dtype);
TypeHandle memory_type_for(const Hdf5Lock& lock, DType dtype);

// "compound", "string", ... for messages.
std::string type_class_name(const Hdf5Lock& lock, hid_t type);

}  // namespace zoomflow::storage
