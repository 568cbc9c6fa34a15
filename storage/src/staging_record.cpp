#include "staging_record.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "file_system.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOwnerFile = "owner";
constexpr const char* kRequestFile = "request";
constexpr const char* kMarker = ".zoomflow-";

// Who made a record, as its "owner" file says.
struct Owner {
  std::string final_path;
  std::string host;
  std::string boot;
  long pid = 0;
  std::uint64_t start = 0;  // clock ticks after boot (/proc/PID/stat, field 22)
};

enum class OwnerState { kAlive, kGone, kElsewhere };

std::string read_small_file(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string boot_id() {
  std::string id = read_small_file("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

// Field 22 of /proc/PID/stat, or 0 when there is no such process or it has ended (a zombie,
// state Z or X, that nobody reaped: in a container whose first process reaps nothing, a killed
// MPI rank stays one). The command name (field 2) may hold spaces and parentheses: the fields
// are counted after its last ')'.
std::uint64_t process_start(long pid) {
  const std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int n = 3; n <= 22 && fields >> field; ++n) {
    if (n == 3 && (field == "Z" || field == "X")) return 0;
    if (n == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

const Owner& this_process() {
  static const Owner owner = [] {
    Owner o;
    o.host = host_name();
    o.boot = boot_id();
    o.pid = long(::getpid());
    o.start = process_start(o.pid);
    return o;
  }();
  return owner;
}

// Records this process holds now: a record of this process not among them was left by an
// earlier run in the same process (a failed resumable run), and counts as gone.
std::mutex g_active_mutex;
std::set<std::string> g_active;

bool is_active(const fs::path& folder) {
  std::lock_guard lock(g_active_mutex);
  return g_active.count(folder.string()) != 0;
}

void set_active(const fs::path& folder, bool active) {
  std::lock_guard lock(g_active_mutex);
  if (active)
    g_active.insert(folder.string());
  else
    g_active.erase(folder.string());
}

std::string owner_text(const Owner& owner) {
  return "final=" + owner.final_path + "\nhost=" + owner.host + "\nboot=" + owner.boot +
         "\npid=" + std::to_string(owner.pid) + "\nstart=" + std::to_string(owner.start) + "\n";
}

std::optional<Owner> read_owner(const fs::path& folder) {
  std::ifstream in(folder / kOwnerFile);
  if (!in) return std::nullopt;
  Owner owner;
  std::string line;
  int fields = 0;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    ++fields;
    if (key == "final")
      owner.final_path = value;
    else if (key == "host")
      owner.host = value;
    else if (key == "boot")
      owner.boot = value;
    else if (key == "pid")
      owner.pid = std::strtol(value.c_str(), nullptr, 10);
    else if (key == "start")
      owner.start = std::strtoull(value.c_str(), nullptr, 10);
    else
      --fields;
  }
  if (fields != 5 || owner.pid <= 0) return std::nullopt;  // being written, or not ours
  return owner;
}

OwnerState owner_state(const Owner& owner, const fs::path& folder) {
  const Owner& me = this_process();
  if (owner.host != me.host) return OwnerState::kElsewhere;
  if (owner.boot != me.boot) return OwnerState::kGone;  // the machine restarted since
  if (owner.pid == me.pid && owner.start == me.start)
    return is_active(folder) ? OwnerState::kAlive : OwnerState::kGone;
  const std::uint64_t start = process_start(owner.pid);
  return start != 0 && start == owner.start ? OwnerState::kAlive : OwnerState::kGone;
}

// Writes `text` to `folder/name` whole: a temporary file, then a rename over the name.
Status write_record_file(const fs::path& folder, const std::string& name, const std::string& text) {
  const fs::path temporary = folder / ("." + name + ".new");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.close();
    if (!out)
      return make_error(ErrorCode::kIoError,
                        "cannot write " + temporary.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(temporary, folder / name, ec);
  if (ec)
    return make_error(ErrorCode::kIoError,
                      "cannot write " + (folder / name).string() + ": " + ec.message());
  return ok_status();
}

// A record folder's name: ".NAME.zoomflow-ID.run".
bool is_record_name(const std::string& name) {
  return name.size() > 4 && name.front() == '.' && name.ends_with(".run") &&
         name.find(kMarker) != std::string::npos;
}

// The record's ID (between the last ".zoomflow-" and ".run").
std::string id_of_record(const std::string& name) {
  const std::size_t at = name.rfind(kMarker);
  if (at == std::string::npos) return {};
  const std::size_t begin = at + std::strlen(kMarker);
  return name.substr(begin, name.size() - 4 - begin);
}

fs::path temporary_of_record(const fs::path& record) {
  std::string name = record.filename().string();
  name.replace(name.size() - 4, 4, ".tmp");
  return record.parent_path() / name;
}

struct FoundRecord {
  fs::path folder;
  std::string id;
  Owner owner;
  OwnerState state = OwnerState::kElsewhere;
};

std::vector<FoundRecord> records_in(const fs::path& folder) {
  std::vector<FoundRecord> found;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_record_name(name) || !it->is_directory(ec)) continue;
    const std::optional<Owner> owner = read_owner(it->path());
    if (!owner) continue;  // unreadable or half made: not ours to judge
    found.push_back({it->path(), id_of_record(name), *owner, owner_state(*owner, it->path())});
  }
  return found;
}

// Removes a killed run's temporary, then its record.
void remove_leftover(const fs::path& record) {
  remove_tree_quietly(temporary_of_record(record));
  remove_tree_quietly(record);
}

std::string describe_removed(const std::vector<std::string>& removed) {
  if (removed.empty()) return {};
  std::string line = "removed the temporar" + std::string(removed.size() == 1 ? "y" : "ies") +
                     " of " + std::to_string(removed.size()) + " killed run" +
                     (removed.size() == 1 ? "" : "s") + ": ";
  constexpr std::size_t kNamed = 3;
  for (std::size_t i = 0; i < removed.size() && i < kNamed; ++i)
    line += (i ? ", " : "") + removed[i];
  if (removed.size() > kNamed) line += " and " + std::to_string(removed.size() - kNamed) + " more";
  return line;
}

std::string removed_entry(const FoundRecord& record) {
  return temporary_of_record(record.folder).filename().string() + " (PID " +
         std::to_string(record.owner.pid) + ")";
}

// The first line of `a` that differs from `b`'s, for messages: "chain=resample:zoom=2".
std::pair<std::string, std::string> first_difference(const std::string& a, const std::string& b) {
  std::istringstream left(a);
  std::istringstream right(b);
  std::string l;
  std::string r;
  while (true) {
    const bool more_left = bool(std::getline(left, l));
    const bool more_right = bool(std::getline(right, r));
    if (!more_left && !more_right) return {"", ""};
    if (!more_left) l = "(nothing)";
    if (!more_right) r = "(nothing)";
    if (l != r || !more_left || !more_right) return {l, r};
  }
}

std::string join_notes(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

}  // namespace

std::string request_id(const std::string& request) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : request) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string sweep_stale_temporaries(const fs::path& folder, const fs::path& spare_final) {
  std::vector<std::string> removed;
  for (const FoundRecord& record : records_in(folder)) {
    if (record.state != OwnerState::kGone) continue;
    if (!spare_final.empty() && record.owner.final_path == spare_final.string()) continue;
    remove_leftover(record.folder);
    removed.push_back(removed_entry(record));
  }
  return describe_removed(removed);
}

Result<std::unique_ptr<StagingRecord>> StagingRecord::claim(const StagingRequest& request) {
  std::unique_ptr<StagingRecord> record(new StagingRecord());
  record->final_ = fs::absolute(request.final_path).lexically_normal();
  const fs::path& final_path = record->final_;
  const bool resumable = !request.request.empty();
  const std::string id = resumable ? request_id(request.request) : random_id();
  record->resumable_ = resumable;
  record->folder_ = hidden_name_for(final_path, id, "run");
  record->temporary_ = hidden_name_for(final_path, id, "tmp");
  if (request.attach) {
    record->attached_ = true;
    return record;
  }
  record->keep_on_failure_ = resumable && request.resume;
  const fs::path parent = folder_of(final_path);
  std::string notice = sweep_stale_temporaries(parent, request.resume ? final_path : fs::path());

  if (resumable) {
    std::optional<FoundRecord> same;  // this request's
    std::vector<FoundRecord> others;  // interrupted runs of other requests for this output
    for (FoundRecord& found : records_in(parent)) {
      if (found.owner.final_path != final_path.string()) continue;
      if (found.id == id)
        same = std::move(found);
      else if (found.state == OwnerState::kGone)
        others.push_back(std::move(found));
    }
    if (same && same->state == OwnerState::kAlive)
      return make_error(ErrorCode::kUnavailable,
                        final_path.string() + " is being written by another zoomflow run (PID " +
                            std::to_string(same->owner.pid) +
                            " on this host) with the same arguments; wait for it to finish");
    if (same && same->state == OwnerState::kElsewhere && !request.resume)
      return make_error(ErrorCode::kUnavailable,
                        final_path.string() + " has the temporary of a zoomflow run on host " +
                            same->owner.host + " (PID " + std::to_string(same->owner.pid) +
                            "); if that run has ended, rerun with --resume to continue it");
    if (same && !request.resume) {
      remove_leftover(same->folder);  // a fresh start: the killed run's work goes
      same.reset();
    }
    if (same) {
      const std::string stored = read_small_file(same->folder / kRequestFile);
      if (stored != request.request) {
        const auto [was, now] = first_difference(stored, request.request);
        return make_error(ErrorCode::kInvalidArgument,
                          "--resume: the interrupted run of " + final_path.string() +
                              " has the same ID but another request (its '" + was +
                              "', this run's '" + now + "'); rerun without --resume");
      }
      std::error_code ec;
      if (fs::exists(record->temporary_, ec)) {
        Owner owner = this_process();
        owner.final_path = final_path.string();
        ZF_RETURN_IF_ERROR(write_record_file(record->folder_, kOwnerFile, owner_text(owner)));
        set_active(record->folder_, true);
        record->resumed_ = true;
        std::vector<std::string> removed;
        for (const FoundRecord& other : others) {
          remove_leftover(other.folder);
          removed.push_back(removed_entry(other));
        }
        record->notice_ = join_notes(notice, describe_removed(removed));
        return record;
      }
      remove_leftover(same->folder);  // killed before its temporary was made: nothing to keep
    } else if (request.resume && !others.empty()) {
      const std::string stored = read_small_file(others.front().folder / kRequestFile);
      const auto [was, now] = first_difference(stored, request.request);
      return make_error(ErrorCode::kInvalidArgument,
                        "--resume: the interrupted run of " + final_path.string() +
                            " was asked for something else (its '" + was + "', this run's '" + now +
                            "'); rerun with its arguments, or without --resume to start afresh "
                            "(which removes it)");
    } else if (request.resume) {
      notice =
          join_notes(notice, "nothing to resume for " + final_path.string() + "; starting afresh");
    }
  }

  std::error_code ec;
  if (!fs::create_directory(record->folder_, ec)) {
    if (!ec)
      return make_error(ErrorCode::kUnavailable, final_path.string() +
                                                     " is being written by another zoomflow run (" +
                                                     record->folder_.string() + " exists)");
    return make_error(ErrorCode::kIoError,
                      "cannot create " + record->folder_.string() + ": " + ec.message());
  }
  set_active(record->folder_, true);
  Owner owner = this_process();
  owner.final_path = final_path.string();
  Status written = write_record_file(record->folder_, kOwnerFile, owner_text(owner));
  if (written.ok() && resumable)
    written = write_record_file(record->folder_, kRequestFile, request.request);
  if (!written.ok()) {
    record->discard();
    return written.error();
  }
  record->notice_ = notice;
  return record;
}

StagingRecord::~StagingRecord() {
  if (attached_ || done_) return;
  if (!keep_on_failure_) {
    discard();
    return;
  }
  set_active(folder_, false);
}

void StagingRecord::finish() {
  if (attached_ || done_) return;
  remove_tree_quietly(folder_);
  set_active(folder_, false);
  done_ = true;
}

void StagingRecord::discard() {
  if (attached_ || done_) return;
  remove_tree_quietly(temporary_);
  remove_tree_quietly(folder_);
  set_active(folder_, false);
  done_ = true;
}

}  // namespace zoomflow::storage
