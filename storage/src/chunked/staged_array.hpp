// A new array of a key-value format (Zarr v2, Zarr v3, N5) built where nothing can see it until
// commit(): a new store under a hidden temporary name beside it; in an existing store, the new
// array's folder under a hidden temporary name beside its place (groups on the way created, their
// metadata written at commit). An existing array is replaced only with `overwrite`, at commit (the
// old one moved aside, the new one in, the old one removed). The temporary has an owner record
// (staging_record.hpp): a resumable output continues an interrupted run's temporary of the same
// request. Destroyed without commit(), it removes everything it made (a resuming run keeps its
// temporary for the next attempt; an attached worker removes nothing).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../staging_record.hpp"
#include "directory_store.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/storage_format.hpp"

namespace zoomflow::storage {

enum class NodeKind { kMissing, kArray, kGroup, kOther };

// What the folder at `folder` is in `format` (a plain folder is kOther; a file is kOther).
NodeKind node_kind(StorageFormat format, const std::filesystem::path& folder);

// "a/b" for "/a//b/"; fails on "." and ".." components.
Result<std::string> normalize_node_path(const std::string& path);

class StagedArray {
 public:
  // How the temporary is claimed: `staging.final_path` is filled in here; `staging.request`,
  // `resume` and `attach` (an MPI rank writing into rank 0's temporary) come from the caller.
  static Result<std::unique_ptr<StagedArray>> prepare(StorageFormat format,
                                                      const std::string& container,
                                                      const std::string& array_path, bool overwrite,
                                                      StagingRequest staging);
  StagedArray(const StagedArray&) = delete;
  StagedArray& operator=(const StagedArray&) = delete;
  ~StagedArray();

  // The array's own folder (temporary until commit): chunk files and the array's metadata.
  const DirectoryStore& array_store() const { return *array_store_; }
  const std::string& array_path() const { return array_path_; }
  // The groups this run creates, outermost first, as paths in the store ("" is the root).
  const std::vector<std::string>& new_groups() const { return new_groups_; }
  // True when the array's parent group is one of new_groups().
  bool parent_is_new() const;
  // "out.zarr:/a/b"
  std::string where() const;
  // The temporary's owner record (its folder holds the run's own records).
  const StagingRecord& record() const { return *record_; }

  // Writes the new groups' metadata (attributes per group path, if any), then moves the array
  // (or the whole new store) to its final place.
  Status commit(const std::map<std::string, nlohmann::json>& group_attributes);

 private:
  StagedArray() = default;
  Status write_groups(const std::map<std::string, nlohmann::json>& group_attributes) const;

  StorageFormat format_ = StorageFormat::kZarr3;
  std::filesystem::path container_;
  std::string array_path_;
  bool new_store_ = false;
  bool replace_ = false;
  std::unique_ptr<StagingRecord> record_;  // owns the temporary: the new store, or the array
  std::filesystem::path temporary_;        // record_->temporary()
  std::filesystem::path final_;            // where temporary_ goes
  std::vector<std::string> new_groups_;
  std::vector<std::filesystem::path> created_folders_;  // in an existing store, outermost first
  std::unique_ptr<DirectoryStore> array_store_;
  bool committed_ = false;
};

// Writes a group's metadata at `key` of `store`, with `attributes` (may be empty).
Status write_group_metadata(StorageFormat format, const DirectoryStore& store,
                            const std::string& key, const nlohmann::json& attributes);

}  // namespace zoomflow::storage
