// Owner records of output temporaries: short enough names for any final name; the record says
// who made it; a killed process's temporaries are swept, a live one's, another host's and a
// half-made record are not; a resumable temporary is kept, continued by the same request, and
// refused to another, naming the difference; a live run's request cannot be taken twice.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../storage/temp_folder.hpp"
#include "file_system.hpp"
#include "staging_record.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string line_of(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  return {};
}

// A PID that no process has now: a child that has exited and been reaped.
long dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return long(child);
}

// A record and temporary as a run of `pid` on `host` leaves them.
fs::path fake_leftover(const fs::path& folder, const std::string& final_name, const std::string& id,
                       const std::string& host, long pid, const std::string& boot,
                       const std::string& start) {
  const fs::path record = folder / ("." + final_name + ".zoomflow-" + id + ".run");
  fs::create_directory(record);
  std::ofstream(record / "owner") << "final=" << (folder / final_name).string() << "\nhost=" << host
                                  << "\nboot=" << boot << "\npid=" << pid << "\nstart=" << start
                                  << "\n";
  fs::create_directory(folder / ("." + final_name + ".zoomflow-" + id + ".tmp"));
  std::ofstream(folder / ("." + final_name + ".zoomflow-" + id + ".tmp") / "c0") << "x";
  return record;
}

std::string host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

std::string boot() {
  std::string id = read_file("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && id.back() == '\n') id.pop_back();
  return id;
}

// Field 22 of /proc/PID/stat.
std::string start_of(long pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 1));
  std::string field;
  for (int n = 3; n <= 22; ++n) fields >> field;
  return field;
}

}  // namespace

TEST_CASE("temporary names fit in 255 bytes whatever the final name, and keep UTF-8 whole") {
  for (std::size_t length : {1, 100, 200, 230, 248, 255}) {
    const std::string name(length, 'a');
    const fs::path hidden = hidden_name_for(fs::path("/tmp") / name, "0123456789abcdef", "tmp");
    CHECK(hidden.filename().string().size() <= 255);
    CHECK(hidden.filename().string().starts_with("." + name.substr(0, 20)));
    CHECK(hidden.filename().string().ends_with(".zoomflow-0123456789abcdef.tmp"));
  }
  std::string accented;
  for (int i = 0; i < 127; ++i) accented += "\xc3\xa9";  // 254 bytes of 'é'
  const std::string cut = hidden_name_for(accented, "0123456789abcdef", "run").filename().string();
  const std::string stem = cut.substr(1, cut.find(".zoomflow-") - 1);
  CHECK(stem.size() % 2 == 0);  // whole two-byte characters only
  CHECK(temporary_name_for("x.h5").filename().string().starts_with(".x.h5.zoomflow-"));
}

TEST_CASE("a claim records this process; finish removes the record, destruction everything") {
  testing::TempFolder folder;
  const fs::path final_path = folder.file("out.zarr");
  fs::path temporary;
  fs::path record_folder;
  {
    StagingRequest request;
    request.final_path = final_path;
    auto record = StagingRecord::claim(request);
    REQUIRE(record.ok());
    temporary = (*record)->temporary();
    record_folder = (*record)->folder();
    CHECK(temporary.parent_path() == fs::path(folder.file("")).lexically_normal().parent_path());
    const std::string owner = read_file(record_folder / "owner");
    CHECK(line_of(owner, "pid") == std::to_string(::getpid()));
    CHECK(line_of(owner, "host") == host());
    CHECK(line_of(owner, "start") == start_of(::getpid()));
    CHECK(line_of(owner, "final") == fs::absolute(final_path).string());
    fs::create_directory(temporary);
    CHECK(!(*record)->resumable());
  }
  CHECK(!fs::exists(temporary));
  CHECK(!fs::exists(record_folder));
  StagingRequest request;
  request.final_path = final_path;
  auto record = StagingRecord::claim(request);
  REQUIRE(record.ok());
  fs::create_directory((*record)->temporary());
  fs::rename((*record)->temporary(), final_path);
  (*record)->finish();
  CHECK(!fs::exists((*record)->folder()));
  CHECK(fs::exists(final_path));
}

TEST_CASE("the sweep removes a killed process's leftovers, never a live one's or another host's") {
  testing::TempFolder folder;
  const fs::path dir = fs::path(folder.file("")).parent_path();
  const long gone = dead_pid();
  const fs::path dead = fake_leftover(dir, "a.zarr", "1111111111111111", host(), gone, boot(), "5");
  const fs::path rebooted =
      fake_leftover(dir, "b.h5", "2222222222222222", host(), long(::getppid()), "another-boot",
                    start_of(long(::getppid())));
  const fs::path live = fake_leftover(dir, "c.zarr", "3333333333333333", host(), long(::getppid()),
                                      boot(), start_of(long(::getppid())));
  const fs::path reused = fake_leftover(dir, "d.zarr", "4444444444444444", host(),
                                        long(::getppid()), boot(), "1");  // the PID, taken again
  const fs::path elsewhere =
      fake_leftover(dir, "e.zarr", "5555555555555555", "another-host", gone, boot(), "5");
  const fs::path half = dir / ".f.zarr.zoomflow-6666666666666666.run";  // owner not written yet
  fs::create_directory(half);
  const std::string said = sweep_stale_temporaries(dir);
  CHECK(!fs::exists(dead));
  CHECK(!fs::exists(dir / ".a.zarr.zoomflow-1111111111111111.tmp"));
  CHECK(!fs::exists(rebooted));
  CHECK(!fs::exists(reused));
  CHECK(fs::exists(live));
  CHECK(fs::exists(dir / ".c.zarr.zoomflow-3333333333333333.tmp"));
  CHECK(fs::exists(elsewhere));
  CHECK(fs::exists(half));
  CHECK(said.find("3 killed runs") != std::string::npos);
  CHECK(said.find(".a.zarr.zoomflow-1111111111111111.tmp (PID " + std::to_string(gone) + ")") !=
        std::string::npos);
  CHECK(sweep_stale_temporaries(dir).empty());  // nothing more to say
}

TEST_CASE("a resumable temporary is kept, continued by the same request, refused to another") {
  testing::TempFolder folder;
  StagingRequest request;
  request.final_path = folder.file("out.zarr");
  request.request = "chain=resample:zoom=2\nformat=zarr3\n";
  request.resume = true;
  fs::path temporary;
  {
    auto first = StagingRecord::claim(request);
    REQUIRE(first.ok());
    CHECK(!(*first)->resumed());
    CHECK((*first)->resumable());
    CHECK((*first)->notice().find("nothing to resume") != std::string::npos);
    temporary = (*first)->temporary();
    CHECK(temporary.filename().string() ==
          ".out.zarr.zoomflow-" + request_id(request.request) + ".tmp");
    fs::create_directory(temporary);
    // While it is held, the same request cannot be claimed again.
    auto twice = StagingRecord::claim(request);
    REQUIRE(!twice.ok());
    CHECK(twice.error().code == ErrorCode::kUnavailable);
  }
  REQUIRE(fs::exists(temporary));  // a failed resumable run keeps it

  StagingRequest other = request;
  other.request = "chain=resample:zoom=3\nformat=zarr3\n";
  auto refused = StagingRecord::claim(other);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message.find("'chain=resample:zoom=2'") != std::string::npos);
  CHECK(refused.error().message.find("'chain=resample:zoom=3'") != std::string::npos);

  {
    auto again = StagingRecord::claim(request);
    REQUIRE(again.ok());
    CHECK((*again)->resumed());
    CHECK((*again)->temporary() == temporary);
  }
  // Without resume, the same request starts afresh: the interrupted temporary goes.
  StagingRequest fresh = request;
  fresh.resume = false;
  auto afresh = StagingRecord::claim(fresh);
  REQUIRE(afresh.ok());
  CHECK(!(*afresh)->resumed());
  CHECK(!fs::exists(temporary));
}

TEST_CASE("an attached worker only names the owner's temporary") {
  testing::TempFolder folder;
  StagingRequest request;
  request.final_path = folder.file("out.n5");
  request.request = "x=1\n";
  auto owner = StagingRecord::claim(request);
  REQUIRE(owner.ok());
  fs::create_directory((*owner)->temporary());
  request.attach = true;
  {
    auto worker = StagingRecord::claim(request);
    REQUIRE(worker.ok());
    CHECK((*worker)->temporary() == (*owner)->temporary());
    CHECK((*worker)->folder() == (*owner)->folder());
  }
  CHECK(fs::exists((*owner)->temporary()));
  CHECK(fs::exists((*owner)->folder()));
}
