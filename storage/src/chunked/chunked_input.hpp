// The input driver of every key-value format (Zarr v2, Zarr v3 with sharding, N5): reads the
// chunk files a box touches, with no lock (each read opens its own file), decodes them in the
// calling thread and keeps decoded chunks (and shard indexes) in bounded caches.
#pragma once

#include <memory>
#include <string>

#include "../driver.hpp"
#include "array_spec.hpp"
#include "directory_store.hpp"

namespace zoomflow::storage {

// `array_key`: the array's folder inside the store ("" for the root). `info` is the array's
// description (path, attributes, ...); shape, dtype and chunks are taken from `spec`.
Result<std::unique_ptr<InputDriver>> make_chunked_input(DirectoryStore store, std::string array_key,
                                                        ArraySpec spec, DatasetInfo info,
                                                        const InputOptions& options);

// The bytes of every file under the array's folder.
std::uint64_t stored_bytes(const DirectoryStore& store, const std::string& array_key);

}  // namespace zoomflow::storage
