// POSIX helpers of the config directory writer. Adapter layer.
#include "adapters/files/posix_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"

namespace quorum::adapters::files {
namespace {

namespace fs = std::filesystem;

// Closes a descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string parent_of(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Status write_all(int fd, std::string_view content, const std::string& what) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(errno, fmt::format("write {}", what));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

}  // namespace

Status errno_status(int err, std::string_view what) {
  std::string message = fmt::format("{}: {}", what, std::generic_category().message(err));
  if (err == ENOSPC || err == EDQUOT) return Status::no_space(std::move(message));
  if (err == ENOENT) return Status::not_found(std::move(message));
  return Status::io_error(std::move(message));
}

Status fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status(errno, fmt::format("open directory {}", dir));
  if (::fsync(fd.get()) != 0) return errno_status(errno, fmt::format("fsync directory {}", dir));
  return Status::ok();
}

Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  const std::string dir = parent_of(path);
  const std::string temp =
      (fs::path(dir) / (std::string(kTempPrefix) + fs::path(path).filename().string())).string();
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) return errno_status(errno, fmt::format("create {}", temp));
  Status status = write_all(fd.get(), content, temp);
  // The umask may have narrowed the mode: set it exactly.
  if (status.is_ok() && ::fchmod(fd.get(), mode) != 0) {
    status = errno_status(errno, fmt::format("chmod {}", temp));
  }
  if (status.is_ok() && ::fsync(fd.get()) != 0) {
    status = errno_status(errno, fmt::format("fsync {}", temp));
  }
  if (status.is_ok() && ::close(fd.release()) != 0) {
    status = errno_status(errno, fmt::format("close {}", temp));
  }
  if (status.is_ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = errno_status(errno, fmt::format("rename {} to {}", temp, path));
  }
  if (!status.is_ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return fsync_dir(dir);
}

Result<std::string> read_file_nofollow(const std::string& path, std::size_t bytes_max) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ELOOP) return Status::invalid_argument(fmt::format("{}: is a symlink", path));
    return errno_status(errno, fmt::format("open {}", path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_status(errno, fmt::format("stat {}", path));
  if (!S_ISREG(st.st_mode)) {
    return Status::invalid_argument(fmt::format("{}: not a regular file", path));
  }
  std::string content;
  char buffer[65536];
  while (content.size() <= bytes_max) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(errno, fmt::format("read {}", path));
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

Status remove_file_durable(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return errno_status(errno, fmt::format("remove {}", path));
  return fsync_dir(parent_of(path));
}

Status make_parents(const std::string& root, const std::string& relative) {
  fs::path current(root);
  const fs::path parents = fs::path(relative).parent_path();
  for (const fs::path& part : parents) {
    const fs::path next = current / part;
    struct stat st {};
    if (::lstat(next.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return Status::invalid_argument(fmt::format(
            "{}: exists and is not a directory (symlinks are not followed)", next.string()));
      }
    } else if (errno != ENOENT) {
      return errno_status(errno, fmt::format("stat {}", next.string()));
    } else {
      if (::mkdir(next.c_str(), 0750) != 0) {
        return errno_status(errno, fmt::format("mkdir {}", next.string()));
      }
      if (Status s = fsync_dir(current.string()); !s.is_ok()) return s;
    }
    current = next;
  }
  return Status::ok();
}

Result<std::map<std::string, DiskFile>> scan_dir(const std::string& root, std::size_t bytes_max) {
  std::map<std::string, DiskFile> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return errno_status(ec.value(), fmt::format("list {}", root));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return errno_status(ec.value(), fmt::format("list {}", root));
    const fs::directory_entry& entry = *it;
    const fs::file_status status = entry.symlink_status(ec);
    if (ec) return errno_status(ec.value(), fmt::format("stat {}", entry.path().string()));
    if (fs::is_directory(status)) continue;
    const std::string relative = entry.path().lexically_relative(root).generic_string();
    if (entry.path().filename().string().rfind(kTempPrefix, 0) == 0) {
      if (Status s = remove_file_durable(entry.path().string()); !s.is_ok()) return s;
      continue;
    }
    DiskFile file;
    if (fs::is_regular_file(status)) {
      Result<std::string> content = read_file_nofollow(entry.path().string(), bytes_max);
      if (!content) return content.error();
      file.regular = true;
      file.size = content->size();
      file.checksum = crc32c(*content);
    }
    out.emplace(relative, file);
  }
  if (ec) return errno_status(ec.value(), fmt::format("list {}", root));
  return out;
}

}  // namespace quorum::adapters::files
