#include "util/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tokenwarden {
namespace {

Error IoError(std::string_view what, const std::filesystem::path& path, int err) {
  return MakeError(ErrorCode::kIo, std::string(what) + " " + path.string() + ": " +
                                       std::strerror(err));
}

}  // namespace

// Plain open/read: no FILE and its buffer to allocate per file (an agent
// restoring 100,000 records reads 100,000 files).
Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot open " + path.string() + ": " + std::strerror(err));
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= max_bytes) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return IoError("cannot read", path, err);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return MakeError(ErrorCode::kResourceExhausted,
                       path.string() + ": input larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<std::string> ReadAll(std::FILE* in, size_t max_bytes) {
  std::string out;
  char buf[16384];
  while (true) {
    size_t n = std::fread(buf, 1, sizeof buf, in);
    if (n > 0) {
      if (out.size() + n > max_bytes) {
        return MakeError(ErrorCode::kResourceExhausted,
                         "input larger than " + std::to_string(max_bytes) + " bytes");
      }
      out.append(buf, n);
    }
    if (n < sizeof buf) {
      if (std::ferror(in)) return MakeError(ErrorCode::kIo, "read failed");
      break;
    }
  }
  return out;
}

Status WriteNewFile(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) {
      return MakeError(ErrorCode::kAlreadyExists, path.string() + " already exists");
    }
    return IoError("cannot create", path, err);
  }
  // The umask may have narrowed the mode; never widen, but make it exact.
  ::fchmod(fd, mode);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return IoError("cannot write", path, err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  int sync_rc = ::fsync(fd);
  int sync_err = errno;
  int close_rc = ::close(fd);
  if (sync_rc != 0 || close_rc != 0) {
    ::unlink(path.c_str());
    return IoError("cannot sync", path, sync_rc != 0 ? sync_err : errno);
  }
  return OkStatus();
}

}  // namespace tokenwarden
