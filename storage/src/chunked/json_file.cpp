#include "json_file.hpp"

#include <algorithm>
#include <string_view>

#include "zoomflow/storage/json_nesting.hpp"

namespace zoomflow::storage {

using nlohmann::json;

namespace {

// Metadata files are small; a larger one is damaged or not metadata, and is not read whole.
constexpr std::uint64_t kMaxMetadataBytes = std::uint64_t(64) << 20;
constexpr std::size_t kMaxJsonDepth = 512;

}  // namespace

Result<std::optional<json>> read_json(const DirectoryStore& store, const std::string& key) {
  ZF_ASSIGN_OR_RETURN(const std::optional<StoreFile> file, store.open_file(key));
  if (!file) return std::optional<json>();
  if (file->size() > kMaxMetadataBytes)
    return make_error(ErrorCode::kInvalidArgument,
                      store.describe(key) + " holds " + std::to_string(file->size()) +
                          " bytes, more than the 64 MiB a metadata file may take");
  std::optional<std::vector<std::byte>> bytes(std::vector<std::byte>(std::size_t(file->size())));
  ZF_RETURN_IF_ERROR(file->read_at(0, *bytes));
  const char* text = reinterpret_cast<const char*>(bytes->data());
  try {
    // Nesting is bounded before parsing: metadata is shallow, and a file nested 100,000 deep
    // would cost the parser (and the destructor of what it builds) as many levels.
    const std::size_t deepest = json_nesting_depth({text, bytes->size()});
    if (deepest > kMaxJsonDepth)
      return make_error(ErrorCode::kInvalidArgument, store.describe(key) + " nests JSON " +
                                                         std::to_string(deepest) +
                                                         " levels deep; metadata nests at most " +
                                                         std::to_string(kMaxJsonDepth));
    return std::optional<json>(json::parse(text, text + bytes->size()));
  } catch (const json::parse_error& error) {
    std::string why = error.what();
    if (const std::size_t at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
    for (char& c : why)
      if (c == '\n' || c == '\r') c = ' ';
    return make_error(ErrorCode::kInvalidArgument,
                      store.describe(key) + " is not valid JSON: " + why);
  }
}

Result<Shape> read_shape_member(const json& object, const char* member, const std::string& where,
                                bool positive) {
  const auto it = object.find(member);
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, where + ": \"" + member + "\" " + why);
  };
  if (it == object.end()) return bad("is missing");
  if (!it->is_array()) return bad("must be a list of integers");
  if (it->empty())
    return bad("is empty (rank 0); zoomflow reads arrays of rank 1 to " + std::to_string(kMaxRank));
  if (it->size() > std::size_t(kMaxRank))
    return bad("has rank " + std::to_string(it->size()) + "; zoomflow reads arrays of rank 1 to " +
               std::to_string(kMaxRank));
  Shape shape;
  for (const json& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < (positive ? 1 : 0))
      return bad(std::string("must list ") + (positive ? "positive" : "non-negative") +
                 " integers, not " + json_text(*it));
    shape.push_back(v.get<Index>());
  }
  return shape;
}

std::string json_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace zoomflow::storage
