// RAII ownership of one HDF5 identifier (file, group, dataset, attribute, type, space, property
// list): closed, under the HDF5 lock, when the owner goes away.
#pragma once

#include <utility>

#include <hdf5.h>

#include "hdf5_library.hpp"

namespace zoomflow::storage {

template <herr_t (*Close)(hid_t)>
class Hdf5Handle {
 public:
  Hdf5Handle() = default;
  // Takes ownership of `id` (an invalid id, as a failed HDF5 call returns, owns nothing).
  explicit Hdf5Handle(hid_t id) : id_(id) {}
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  ~Hdf5Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Closes now; returns false when HDF5 reports the close failed (data may not be on disk).
  bool reset() {
    if (!valid()) return true;
    const Hdf5Lock lock = lock_hdf5();
    const herr_t rc = Close(std::exchange(id_, H5I_INVALID_HID));
    return rc >= 0;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = Hdf5Handle<H5Fclose>;
using GroupHandle = Hdf5Handle<H5Gclose>;
using DatasetHandle = Hdf5Handle<H5Dclose>;
using AttributeHandle = Hdf5Handle<H5Aclose>;
using TypeHandle = Hdf5Handle<H5Tclose>;
using SpaceHandle = Hdf5Handle<H5Sclose>;
using PropertyHandle = Hdf5Handle<H5Pclose>;
using ObjectHandle = Hdf5Handle<H5Oclose>;

}  // namespace zoomflow::storage
