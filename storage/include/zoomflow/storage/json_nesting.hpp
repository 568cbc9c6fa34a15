// How deeply a JSON text nests, counted without parsing it. nlohmann::json's parser recurses once
// per level, so a text nested 100,000 deep would overflow the stack: callers refuse a text
// deeper than they need before handing it to the parser.
//
//   if (json_nesting_depth(text) > 16) return make_error(..., "nested too deeply");
#pragma once

#include <cstddef>
#include <string_view>

namespace zoomflow::storage {

// The deepest nesting of arrays and objects, brackets inside strings not counted.
std::size_t json_nesting_depth(std::string_view text);

}  // namespace zoomflow::storage
