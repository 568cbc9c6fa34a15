// The file-system half of atomic output: temporary names beside the final file or folder, and
// moving a finished one into place without replacing anything that appeared there meanwhile.
#pragma once

#include <filesystem>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// The folder a file is in ("." for a bare name).
std::filesystem::path folder_of(const std::filesystem::path& file);

// A hidden name beside `final_path`: ".NAME.zoomflow-ID.SUFFIX", with NAME cut short (at a
// UTF-8 character boundary) so that the whole name fits in 255 bytes whatever the final name's
// length. `id` and `suffix` are short ASCII.
std::filesystem::path hidden_name_for(const std::filesystem::path& final_path,
                                      const std::string& id, const std::string& suffix);

// A fresh random id of 16 hex digits (never the same twice in a process).
std::string random_id();

// A fresh hidden name in the folder of `final_file`: ".NAME.zoomflow-ID.tmp".
std::filesystem::path temporary_name_for(const std::filesystem::path& final_file);

// Moves `temporary` to `final_file`; fails (kAborted: another run wrote it meanwhile) rather
// than replace a file.
Status move_into_place(const std::filesystem::path& temporary,
                       const std::filesystem::path& final_file);

// Moves the folder `temporary` to `final_folder` (rename, never replacing anything there).
Status move_folder_into_place(const std::filesystem::path& temporary,
                              const std::filesystem::path& final_folder);

// Removes `file` if it exists, ignoring failures (cleanup paths).
void remove_quietly(const std::filesystem::path& file);
// Removes a folder and everything in it, ignoring failures (cleanup paths).
void remove_tree_quietly(const std::filesystem::path& folder);

}  // namespace zoomflow::storage
