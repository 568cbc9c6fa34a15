// Metadata files of key-value formats (zarr.json, .zarray, attributes.json) read as JSON, with
// one clear line when a file is not valid JSON; and small checked accessors for their members.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "directory_store.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

// The JSON at `key`, or nullopt when there is no such file.
Result<std::optional<nlohmann::json>> read_json(const DirectoryStore& store,
                                                const std::string& key);

// A list of non-negative (or, with `positive`, positive) integers of rank 1..8 named `member` of
// `object`; `where` names the metadata file in messages.
Result<Shape> read_shape_member(const nlohmann::json& object, const char* member,
                                const std::string& where, bool positive);

// `text` with one line per JSON value: no newlines (JSON's own escapes stay).
std::string json_text(const nlohmann::json& value);

}  // namespace zoomflow::storage
