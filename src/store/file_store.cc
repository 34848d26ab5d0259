// The embedded default SessionStore: one sealed file per account.
//
//   <state_dir>/<account>.record   the sealed AccountRecord (mode 0600)
//   <state_dir>/<account>.lock     flock'ed around load-compare-write
//   <state_dir>/<account>.lease    flock'ed by the lease holder while it lives
//
// A save writes a temp file, fsyncs it, renames it over the record and
// fsyncs the directory, so a crash at any point leaves the old or the new
// record. Leases are file locks: the kernel drops them when the holder
// dies, so `ttl` is not needed on one host.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "store/record_codec.h"
#include "tokenwarden/session_store.h"
#include "util/file_io.h"

namespace tokenwarden {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxRecordBytes = 4 << 20;

Error Io(const std::string& what, const fs::path& path) {
  return MakeError(ErrorCode::kIo, what + " " + path.string() + ": " + std::strerror(errno));
}

Status CheckAccountId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64 && id.front() != '.';
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.');
  }
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "account id '" + std::string(id.substr(0, 64)) + "' is not a safe file name");
  return OkStatus();
}

// An open file descriptor, closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

class FileStore : public SessionStore {
 public:
  FileStore(fs::path dir, store::RecordCipher cipher) : dir_(std::move(dir)), cipher_(std::move(cipher)) {}

  // Records are replaced by rename, so a read without the lock sees a whole
  // record, old or new. Only one that cannot be read takes the lock (to set
  // it aside without racing a writer): an agent restoring 100,000 accounts
  // opens one file per account, not two, and creates no lock files.
  Result<std::optional<VersionedRecord>> Load(std::string_view account) override {
    TW_RETURN_IF_ERROR(CheckAccountId(account));
    auto blob = ReadFile(RecordPath(account), kMaxRecordBytes);
    if (!blob.ok() && blob.error().code == ErrorCode::kNotFound) return std::optional<VersionedRecord>();
    if (blob.ok()) {
      auto record = cipher_.Open(account, *blob);
      if (record.ok()) return std::optional<VersionedRecord>(std::move(*record));
    }
    TW_ASSIGN_OR_RETURN(Fd lock, Lock(account, LOCK_SH));
    return LoadLocked(account);
  }

  Result<uint64_t> Save(std::string_view account, const AccountRecord& record, uint64_t expected_version) override {
    TW_RETURN_IF_ERROR(CheckAccountId(account));
    TW_ASSIGN_OR_RETURN(Fd lock, Lock(account, LOCK_EX));
    TW_ASSIGN_OR_RETURN(auto current, LoadLocked(account));
    uint64_t stored = current ? current->version : 0;
    if (stored != expected_version) {
      return MakeError(ErrorCode::kAborted, "account '" + std::string(account) + "' is at version " +
                                                std::to_string(stored) + ", not " + std::to_string(expected_version));
    }
    TW_ASSIGN_OR_RETURN(std::string blob, cipher_.Seal(account, record, stored + 1));
    TW_RETURN_IF_ERROR(WriteAtomically(RecordPath(account), blob));
    return stored + 1;
  }

  Result<bool> TryLease(std::string_view account, std::string_view holder, Duration) override {
    TW_RETURN_IF_ERROR(CheckAccountId(account));
    std::lock_guard<std::mutex> guard(mu_);
    std::string key = std::string(account);
    auto held = leases_.find(key);
    if (held != leases_.end()) return held->second.first == holder;
    fs::path path = dir_ / (key + ".lease");
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Io("cannot open", path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return false;
      return Io("cannot lock", path);
    }
    leases_.emplace(key, std::make_pair(std::string(holder), std::move(fd)));
    return true;
  }

  Status ReleaseLease(std::string_view account, std::string_view holder) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto held = leases_.find(std::string(account));
    if (held != leases_.end() && held->second.first == holder) leases_.erase(held);  // closing unlocks
    return OkStatus();
  }

 private:
  fs::path RecordPath(std::string_view account) const { return dir_ / (std::string(account) + ".record"); }

  Result<Fd> Lock(std::string_view account, int how) {
    fs::path path = dir_ / (std::string(account) + ".lock");
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Io("cannot open", path);
    while (::flock(fd.get(), how) != 0) {
      if (errno != EINTR) return Io("cannot lock", path);
    }
    return fd;
  }

  // REQUIRES: the account's lock file is held.
  Result<std::optional<VersionedRecord>> LoadLocked(std::string_view account) {
    fs::path path = RecordPath(account);
    auto blob = ReadFile(path, kMaxRecordBytes);
    if (!blob.ok()) {
      if (blob.error().code == ErrorCode::kNotFound) return std::optional<VersionedRecord>();
      return std::move(blob).error();
    }
    auto record = cipher_.Open(account, *blob);
    if (!record.ok()) {
      // Never overwrite what we cannot read: set it aside for an operator.
      fs::path aside = path;
      aside += ".corrupt-" + std::to_string(ToUnixSeconds(std::chrono::system_clock::now()));
      std::error_code ec;
      fs::rename(path, aside, ec);
      return MakeError(ErrorCode::kDataLoss, record.error().message + "; moved to " + aside.string());
    }
    return std::optional<VersionedRecord>(std::move(*record));
  }

  Status WriteAtomically(const fs::path& path, const std::string& data) {
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    TW_RETURN_IF_ERROR(WriteNewFile(tmp, data, 0600));  // written and fsynced
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      Error e = Io("cannot replace", path);
      ::unlink(tmp.c_str());
      return e;
    }
    Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Io("cannot sync directory", dir_);
    return OkStatus();
  }

  fs::path dir_;
  store::RecordCipher cipher_;
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, Fd>> leases_;  // account -> (holder, locked fd)
};

}  // namespace

Result<std::unique_ptr<SessionStore>> MakeFileStore(const FileStoreOptions& options) {
  if (options.state_dir.empty()) return MakeError(ErrorCode::kInvalidArgument, "state_dir is required");
  std::error_code ec;
  if (!fs::exists(options.state_dir, ec)) {
    fs::create_directories(options.state_dir, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create " + options.state_dir.string() + ": " + ec.message());
    ::chmod(options.state_dir.c_str(), 0700);
  }
  Secret key;
  if (options.master_key) {
    key = *options.master_key;
  } else {
    fs::path key_file = options.key_file.empty() ? options.state_dir / "master.key" : options.key_file;
    TW_ASSIGN_OR_RETURN(key, store::LoadOrCreateMasterKey(key_file));
  }
  TW_ASSIGN_OR_RETURN(store::RecordCipher cipher, store::RecordCipher::Create(std::move(key)));
  return std::unique_ptr<SessionStore>(new FileStore(options.state_dir, std::move(cipher)));
}

}  // namespace tokenwarden
