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

Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot open " + path.string() + ": " + std::strerror(err));
  }
  auto data = ReadAll(f, max_bytes);
  std::fclose(f);
  if (!data.ok()) return WithContext(std::move(data).error(), path.string());
  return data;
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
