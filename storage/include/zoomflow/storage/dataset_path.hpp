// "FILE.h5:/path/to/dataset" as users write it on the command line.
#pragma once

#include <string>
#include <string_view>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

struct DatasetPath {
  std::string file;
  std::string dataset;  // empty: the file's only dataset

  std::string to_string() const { return dataset.empty() ? file : file + ":" + dataset; }
};

// Splits at the last ':' followed by '/'; "a.h5" alone leaves the dataset empty.
Result<DatasetPath> parse_dataset_path(std::string_view text);

}  // namespace zoomflow::storage
