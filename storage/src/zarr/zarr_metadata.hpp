// Zarr array metadata, v2 (.zarray) and v3 (zarr.json), to and from the ArraySpec the readers
// and writers share: data types, fill values, chunk grids and key encodings, codecs (with
// sharding). Anything zoomflow cannot honour is refused with one line naming it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../chunked/array_spec.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/compression.hpp"

namespace zoomflow::storage {

// `where` names the array in messages ("scan.zarr:/raw").
Result<ArraySpec> parse_zarr2_array(const nlohmann::json& zarray, const std::string& where);
Result<ArraySpec> parse_zarr3_array(const nlohmann::json& zarr_json, const std::string& where);

// The fill value as the metadata gives it, printable.
std::string zarr_fill_text(const nlohmann::json& metadata);

// The chunk codec zoomflow writes for `compression` (no byte swap, C order).
ChunkCodec codec_for(const CompressionSpec& compression, DType dtype);

// .zarray for `spec` (unsharded).
nlohmann::json zarr2_metadata(const ArraySpec& spec, const CompressionSpec& compression);
// zarr.json for `spec` (sharded when spec.sharding), with attributes and dimension names (empty:
// none).
nlohmann::json zarr3_metadata(const ArraySpec& spec, const CompressionSpec& compression,
                              const nlohmann::json& attributes,
                              const std::vector<std::string>& dimension_names);

// Numbers for a dtype's fill value or a JSON number check: one element's native bytes.
Result<std::vector<std::byte>> parse_fill_value(const nlohmann::json& value, DType dtype,
                                                const std::string& where);

}  // namespace zoomflow::storage
