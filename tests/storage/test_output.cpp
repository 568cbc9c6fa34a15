// Atomic output: nothing at the final name before commit(); existing datasets replaced only with
// overwrite; checks made before anything is created.
#include <doctest/doctest.h>
#include <algorithm>

#include <fstream>

#include "temp_folder.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

namespace {

OutputOptions small_options(std::uint8_t /*unused*/ = 0) {
  OutputOptions options;
  options.shape = {4, 6};
  options.dtype = DType::kUInt8;
  options.chunk_shape = {2, 3};
  return options;
}

// Writes every chunk of a (4, 6) uint8 dataset holding `value` everywhere.
Status write_constant(OutputDataset& output, std::uint8_t value) {
  Volume chunk = Volume::allocate(DType::kUInt8, {2, 3}).value();
  for (auto& b : chunk.bytes()) b = std::byte(value);
  for (Index y = 0; y < 4; y += 2)
    for (Index x = 0; x < 6; x += 3) {
      auto encoded = output.encode_chunk({y, x}, chunk.view());
      if (!encoded.ok()) return encoded.error();
      ZF_RETURN_IF_ERROR(output.write_chunk(*encoded));
    }
  return ok_status();
}

Status create_constant(const DatasetPath& path, std::uint8_t value, bool overwrite = false) {
  OutputOptions options = small_options();
  options.overwrite = overwrite;
  ZF_ASSIGN_OR_RETURN(OutputDataset output, OutputDataset::create(path, options));
  ZF_RETURN_IF_ERROR(write_constant(output, value));
  return output.commit();
}

// The value of element (0, 0) of a dataset, or -1 when it cannot be read.
int first_value(const DatasetPath& path) {
  const auto input = InputDataset::open(path);
  if (!input.ok()) return -1;
  std::uint8_t value = 0;
  const Status s = input->read_box(
      Box{{0, 0}, {1, 1}}, ArrayView(reinterpret_cast<std::byte*>(&value), DType::kUInt8, {1, 1}));
  return s.ok() ? value : -1;
}

}  // namespace

TEST_CASE("a new file appears only at commit, and without commit nothing is left") {
  testing::TempFolder folder;
  const std::string file = folder.file("out.h5");
  {
    auto output = OutputDataset::create({file, "/a/b/data"}, small_options());
    REQUIRE(output.ok());
    REQUIRE(write_constant(*output, 7).ok());
    CHECK(!std::filesystem::exists(file));
    // The temporary and its owner record, in the same folder.
    std::vector<std::string> entries = folder.entries();
    std::sort(entries.begin(), entries.end());
    REQUIRE(entries.size() == 2);
    for (const std::string& name : entries) CHECK(name.find(".out.h5.zoomflow-") == 0);
    CHECK(entries[0].substr(0, entries[0].size() - 4) ==
          entries[1].substr(0, entries[1].size() - 4));
  }
  CHECK(folder.entries().empty());

  auto output = OutputDataset::create({file, "/a/b/data"}, small_options());
  REQUIRE(output.ok());
  REQUIRE(write_constant(*output, 7).ok());
  REQUIRE(output->commit().ok());
  CHECK(folder.entries() == std::vector<std::string>{"out.h5"});
  CHECK(first_value({file, "/a/b/data"}) == 7);
  CHECK(!output->write_chunk(EncodedChunk{{0, 0}, {std::byte{1}}}).ok());  // after commit
}

TEST_CASE("a new dataset in an existing file is linked only at commit") {
  testing::TempFolder folder;
  const std::string file = folder.file("f.h5");
  REQUIRE(create_constant({file, "/first"}, 1).ok());
  {
    auto output = OutputDataset::create({file, "/group/second"}, small_options());
    REQUIRE(output.ok());
    REQUIRE(write_constant(*output, 2).ok());
  }  // dropped without commit
  CHECK(first_value({file, "/group/second"}) == -1);
  CHECK(first_value({file, "/first"}) == 1);
  CHECK(folder.entries() == std::vector<std::string>{"f.h5"});

  REQUIRE(create_constant({file, "/group/second"}, 2).ok());
  CHECK(first_value({file, "/group/second"}) == 2);
  CHECK(first_value({file, "/first"}) == 1);
}

TEST_CASE("an existing dataset is replaced only with overwrite, and only at commit") {
  testing::TempFolder folder;
  const std::string file = folder.file("f.h5");
  REQUIRE(create_constant({file, "/data"}, 1).ok());

  const Status refused = create_constant({file, "/data"}, 2);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == ErrorCode::kAlreadyExists);
  CHECK(refused.error().message.find("--overwrite") != std::string::npos);
  CHECK(first_value({file, "/data"}) == 1);

  {
    OutputOptions options = small_options();
    options.overwrite = true;
    auto output = OutputDataset::create({file, "/data"}, options);
    REQUIRE(output.ok());
    REQUIRE(write_constant(*output, 2).ok());
  }  // not committed: the old dataset stays
  CHECK(first_value({file, "/data"}) == 1);

  REQUIRE(create_constant({file, "/data"}, 3, /*overwrite=*/true).ok());
  CHECK(first_value({file, "/data"}) == 3);
  // The path may omit the dataset when the file holds only one.
  REQUIRE(create_constant({file, ""}, 4, /*overwrite=*/true).ok());
  CHECK(first_value({file, "/data"}) == 4);
}

TEST_CASE("outputs that cannot be made are refused before anything is written") {
  testing::TempFolder folder;
  const std::string file = folder.file("f.h5");
  REQUIRE(create_constant({file, "/data"}, 1).ok());

  const auto missing_folder =
      OutputDataset::create({folder.file("no/such/folder/out.h5"), "/x"}, small_options());
  REQUIRE(!missing_folder.ok());
  CHECK(missing_folder.error().message.find("does not exist") != std::string::npos);

  const auto group = OutputDataset::create({file, "/"}, small_options());
  CHECK(!group.ok());
  const auto no_name = OutputDataset::create({folder.file("new.h5"), ""}, small_options());
  REQUIRE(!no_name.ok());
  CHECK(no_name.error().message.find(":/DATASET") != std::string::npos);
  const auto under_dataset = OutputDataset::create({file, "/data/inner"}, small_options());
  CHECK(!under_dataset.ok());

  {
    std::ofstream text(folder.file("notes.h5"));
    text << "not hdf5";
  }
  const auto not_hdf5 = OutputDataset::create({folder.file("notes.h5"), "/x"}, small_options());
  REQUIRE(!not_hdf5.ok());
  CHECK(not_hdf5.error().message.find("not an HDF5 file") != std::string::npos);
  CHECK(std::filesystem::file_size(folder.file("notes.h5")) == 8);

  OutputOptions bad = small_options();
  bad.chunk_shape = {2};
  CHECK(!OutputDataset::create({folder.file("x.h5"), "/x"}, bad).ok());
  bad = small_options();
  bad.compression = {Codec::kDeflate, 12};
  CHECK(!OutputDataset::create({folder.file("x.h5"), "/x"}, bad).ok());

  // The input itself, even with overwrite.
  const auto input = InputDataset::open({file, "/data"});
  REQUIRE(input.ok());
  OutputOptions same = small_options();
  same.overwrite = true;
  same.copy_attributes_from = &*input;
  const auto onto_input = OutputDataset::create({file, "data"}, same);
  REQUIRE(!onto_input.ok());
  CHECK(onto_input.error().message.find("input") != std::string::npos);
  // Another dataset in the input's own file: HDF5 cannot write a file it holds read-only.
  const auto beside_input = OutputDataset::create({file, "/other"}, same);
  REQUIRE(!beside_input.ok());
  CHECK(beside_input.error().message.find("another file") != std::string::npos);
  CHECK(first_value({file, "/data"}) == 1);
  CHECK(folder.entries().size() == 2);  // f.h5 and notes.h5, no temporaries
}

TEST_CASE("default chunks are 64 per axis, clipped to the shape") {
  testing::TempFolder folder;
  OutputOptions options;
  options.shape = {3, 200, 70};
  options.dtype = DType::kFloat64;
  auto output = OutputDataset::create({folder.file("c.h5"), "/x"}, options);
  REQUIRE(output.ok());
  CHECK(output->chunk_shape() == Shape{3, 64, 64});
  CHECK(output->shape() == options.shape);
  CHECK(output->dtype() == DType::kFloat64);
}
