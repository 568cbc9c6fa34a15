// The output driver of every key-value format: each write unit (a chunk, or a whole shard) is
// encoded on any thread and written as its own file by the thread that calls write_chunk (many
// at once, no lock), under a temporary name then renamed. Units that are all fill value are not
// written. commit() writes the array's metadata last, then moves the array into place.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "../driver.hpp"
#include "array_spec.hpp"
#include "staged_array.hpp"

namespace zoomflow::storage {

struct ChunkedOutputParts {
  ArraySpec spec;  // fill value zero: all-zero units are the fill
  std::unique_ptr<StagedArray> staged;
  // Writes the array's metadata into its folder (called by commit, before the groups).
  std::function<Status(const DirectoryStore& array_folder)> write_metadata;
  // Attributes of new groups, by their path in the store (OME-Zarr's multiscales).
  std::map<std::string, nlohmann::json> group_attributes;
};

Result<std::unique_ptr<OutputDriver>> make_chunked_output(ChunkedOutputParts parts);

}  // namespace zoomflow::storage
