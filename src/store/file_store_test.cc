#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "store/record_codec.h"
#include "testing/subprocess.h"
#include "tokenwarden/session_store.h"
#include "util/file_io.h"

namespace tokenwarden {
namespace {

namespace fs = std::filesystem;

AccountRecord Record(uint64_t generation, const std::string& token = "refresh-token-secret") {
  AccountRecord r;
  Session s;
  s.account = "shop";
  s.provider = "alliance";
  s.generation = generation;
  s.issued_at = FromUnixSeconds(1740658354);
  s.expires_at = FromUnixSeconds(1740658354 + 86400);
  s.refresh_at = FromUnixSeconds(1740658354 + 43200);
  s.headers.push_back({"x-device_id", Secret("device-1")});
  s.headers.push_back({"x-refresh_token", Secret(token)});
  s.upstream_state = Secret(R"({"serverPublic":{"kty":"EC"}})");
  r.session = std::move(s);
  r.last_used = FromUnixSeconds(1740658000);
  return r;
}

std::unique_ptr<SessionStore> Open(const fs::path& dir) {
  auto store = MakeFileStore({.state_dir = dir});
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(*store) : nullptr;
}

mode_t Mode(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(FileStore, RoundTripsAndCreatesItsKeyAndFilesPrivately) {
  fs::path dir = fs::path(testing::MakeTempDir()) / "state";
  auto store = Open(dir);
  EXPECT_EQ(Mode(dir), 0700u);
  EXPECT_EQ(Mode(dir / "master.key"), 0600u);
  EXPECT_FALSE(store->Load("shop")->has_value());
  ASSERT_EQ(*store->Save("shop", Record(1), 0), 1u);
  EXPECT_EQ(Mode(dir / "shop.record"), 0600u);
  // A new process (a restart) reads it back with the same key file.
  auto again = Open(dir);
  auto loaded = again->Load("shop");
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << (loaded.ok() ? "" : loaded.error().message);
  const Session& s = *(*loaded)->record.session;
  EXPECT_EQ((*loaded)->version, 1u);
  EXPECT_EQ(s.generation, 1u);
  EXPECT_EQ(s.headers[1].value.reveal(), "refresh-token-secret");
  EXPECT_EQ(s.expires_at, FromUnixSeconds(1740658354 + 86400));
  EXPECT_EQ(s.upstream_state.reveal(), R"({"serverPublic":{"kty":"EC"}})");
  // Nothing secret is in the file in clear.
  std::string raw = *ReadFile(dir / "shop.record");
  EXPECT_EQ(raw.find("refresh-token-secret"), std::string::npos);
  EXPECT_EQ(raw.find("device-1"), std::string::npos);
  fs::remove_all(dir.parent_path());
}

TEST(FileStore, CompareAndSwapRefusesAStaleWriter) {
  fs::path dir = testing::MakeTempDir();
  auto a = Open(dir);
  auto b = Open(dir);
  ASSERT_TRUE(a->Save("shop", Record(1), 0).ok());
  auto stale = b->Save("shop", Record(1, "other"), 0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kAborted);
  EXPECT_EQ(*b->Save("shop", Record(2), 1), 2u);
  fs::remove_all(dir);
}

TEST(FileStore, LoadingReadsTheRecordWithoutCreatingALockFile) {
  // A restore of many accounts opens one file each; the lock is only for
  // writers (and for setting a damaged record aside).
  fs::path dir = testing::MakeTempDir();
  auto store = Open(dir);
  ASSERT_TRUE(store->Save("shop", Record(3), 0).ok());
  fs::remove(dir / "shop.lock");
  auto loaded = Open(dir)->Load("shop");
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << (loaded.ok() ? "" : loaded.error().message);
  EXPECT_EQ((*loaded)->record.session->generation, 3u);
  EXPECT_FALSE(fs::exists(dir / "shop.lock"));
  EXPECT_FALSE(store->Load("absent")->has_value());
  EXPECT_FALSE(fs::exists(dir / "absent.lock"));
  fs::remove_all(dir);
}

TEST(FileStore, AForeignOrDamagedRecordIsReportedAndSetAside) {
  fs::path dir = testing::MakeTempDir();
  auto store = Open(dir);
  ASSERT_TRUE(store->Save("shop", Record(1), 0).ok());
  // Another installation's key cannot open it.
  auto other = MakeFileStore({.state_dir = dir, .master_key = Secret(std::string(32, 'k'))});
  ASSERT_TRUE(other.ok());
  auto foreign = (*other)->Load("shop");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kDataLoss);
  EXPECT_FALSE(fs::exists(dir / "shop.record"));
  int aside = 0;
  for (const auto& e : fs::directory_iterator(dir)) aside += e.path().filename().string().find("shop.record.corrupt-") == 0;
  EXPECT_EQ(aside, 1);
  // A file copied under another account's name does not open either.
  ASSERT_TRUE(store->Save("a", Record(1), 0).ok());
  fs::copy_file(dir / "a.record", dir / "b.record");
  EXPECT_EQ(store->Load("b").error().code, ErrorCode::kDataLoss);
  // Truncated.
  ASSERT_TRUE(store->Save("c", Record(1), 0).ok());
  fs::resize_file(dir / "c.record", 10);
  EXPECT_EQ(store->Load("c").error().code, ErrorCode::kDataLoss);
  fs::remove_all(dir);
}

TEST(FileStore, AccountIdsCannotEscapeTheStateDirectory) {
  fs::path dir = testing::MakeTempDir();
  auto store = Open(dir);
  for (const char* bad : {"../x", "a/b", "", ".hidden", "a b"}) {
    EXPECT_EQ(store->Save(bad, Record(1), 0).error().code, ErrorCode::kInvalidArgument) << bad;
  }
  fs::remove_all(dir);
}

TEST(FileStore, MasterKeyFromTheEnvironment) {
  fs::path dir = testing::MakeTempDir();
  ::setenv(store::kMasterKeyEnv, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 1);
  auto store = Open(dir);
  ::unsetenv(store::kMasterKeyEnv);
  EXPECT_FALSE(fs::exists(dir / "master.key"));
  ASSERT_TRUE(store->Save("shop", Record(1), 0).ok());
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);  // what the base64url above encodes
  auto same = MakeFileStore({.state_dir = dir, .master_key = Secret(key)});
  EXPECT_TRUE((*same)->Load("shop").ok());
  ::setenv(store::kMasterKeyEnv, "too-short", 1);
  auto bad = MakeFileStore({.state_dir = dir});
  ::unsetenv(store::kMasterKeyEnv);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(store::kMasterKeyEnv), std::string::npos);
  fs::remove_all(dir);
}

TEST(FileStore, OneLeaseHolderAcrossProcesses) {
  fs::path dir = testing::MakeTempDir();
  auto store = Open(dir);
  ASSERT_TRUE(*store->TryLease("shop", "parent", std::chrono::seconds(30)));
  pid_t child = ::fork();
  if (child == 0) {
    auto mine = MakeFileStore({.state_dir = dir});
    bool got = mine.ok() && (*mine)->TryLease("shop", "child", std::chrono::seconds(30)).value_or(true);
    ::_exit(got ? 1 : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child got a lease the parent holds";
  ASSERT_TRUE(store->ReleaseLease("shop", "parent").ok());
  child = ::fork();
  if (child == 0) {
    auto mine = MakeFileStore({.state_dir = dir});
    bool got = mine.ok() && (*mine)->TryLease("shop", "child", std::chrono::seconds(30)).value_or(false);
    ::_exit(got ? 0 : 1);
  }
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child did not get the released lease";
  fs::remove_all(dir);
}

// A writer killed with SIGKILL at random moments of its saves, hundreds of
// times: every load afterwards must give a whole record, old or new.
TEST(FileStoreCrash, SigkillDuringSavesNeverLeavesABrokenRecord) {
  fs::path dir = testing::MakeTempDir();
  { ASSERT_TRUE(Open(dir)->Save("shop", Record(1), 0).ok()); }  // creates the key too
  std::mt19937 rng(12345);
  uint64_t last_seen = 1;
  const int kRounds = 300;
  for (int round = 0; round < kRounds; ++round) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    if (child == 0) {
      ::close(ready[0]);
      auto store = MakeFileStore({.state_dir = dir});
      if (!store.ok()) ::_exit(2);
      for (int i = 0; i < 1000000; ++i) {
        auto cur = (*store)->Load("shop");
        if (!cur.ok() || !cur->has_value()) ::_exit(3);
        uint64_t g = (*cur)->record.session->generation + 1;
        auto saved = (*store)->Save("shop", Record(g, std::string(200 + g % 500, 'x')), (*cur)->version);
        if (i == 0) {
          if (!saved.ok()) ::_exit(4);
          char one = 1;  // "a save has landed": the kill below falls on later ones
          if (::write(ready[1], &one, 1) != 1) ::_exit(5);
        }
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "round " << round << ": the writer never saved";
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": the writer failed on its own, status " << status;
    auto store = Open(dir);
    auto loaded = store->Load("shop");
    ASSERT_TRUE(loaded.ok()) << "round " << round << ": " << loaded.error().message;
    ASSERT_TRUE(loaded->has_value());
    uint64_t g = (*loaded)->record.session->generation;
    // At least this round's first save landed; nothing went backwards.
    ASSERT_GT(g, last_seen) << "round " << round;
    last_seen = g;
  }
  EXPECT_GE(last_seen, static_cast<uint64_t>(kRounds + 1));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tokenwarden

namespace tokenwarden::store {
namespace {

TEST(RecordCodec, KeepsEarlierTokenExpiriesAndReadsRecordsWrittenWithoutThem) {
  AccountRecord r;
  r.earlier_expiries = {FromUnixSeconds(1740000000), FromUnixSeconds(1740003600)};
  auto back = ParseRecord(SerializeRecord(r, 7));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->version, 7u);
  EXPECT_EQ(back->record.earlier_expiries, r.earlier_expiries);

  auto old = ParseRecord(R"({"version":3,"last_used_ms":0,"needs_support":false,"support_message":""})");
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_TRUE(old->record.earlier_expiries.empty());

  auto bad = ParseRecord(R"({"version":3,"last_used_ms":0,"needs_support":false,"support_message":"",)"
                         R"("earlier_expires_at_ms":["soon"]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kDataLoss);
}

TEST(RecordCodec, ReadsEveryFieldBackAndSkipsMembersItDoesNotKnow) {
  AccountRecord r = tokenwarden::Record(9, "refresh-9");
  r.needs_support = true;
  r.support_message = "call the bank";
  r.earlier_expiries = {FromUnixSeconds(1740000000)};
  auto back = ParseRecord(SerializeRecord(r, 12));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->version, 12u);
  EXPECT_EQ(back->record.last_used, r.last_used);
  EXPECT_TRUE(back->record.needs_support);
  EXPECT_EQ(back->record.support_message, "call the bank");
  EXPECT_EQ(back->record.earlier_expiries, r.earlier_expiries);
  ASSERT_TRUE(back->record.session.has_value());
  const Session& s = *back->record.session;
  EXPECT_EQ(s.account, "shop");
  EXPECT_EQ(s.provider, "alliance");
  EXPECT_EQ(s.generation, 9u);
  EXPECT_EQ(s.issued_at, r.session->issued_at);
  EXPECT_EQ(s.expires_at, r.session->expires_at);
  EXPECT_EQ(s.refresh_at, r.session->refresh_at);
  ASSERT_EQ(s.headers.size(), 2u);
  EXPECT_EQ(s.headers[0].name, "x-device_id");
  EXPECT_EQ(s.headers[0].value.reveal(), "device-1");
  EXPECT_EQ(s.headers[1].value.reveal(), "refresh-9");
  EXPECT_EQ(s.upstream_state.reveal(), R"({"serverPublic":{"kty":"EC"}})");

  // A newer writer's members (of any shape) are skipped.
  auto newer = ParseRecord(
      R"({"future":{"a":[1,{"b":null}],"c":"d"},"version":4,"last_used_ms":-5,"needs_support":false,)"
      R"("support_message":"","also":[[true],1.5],"session":{"account":"a","provider":"novapost","generation":2,)"
      R"("issued_at_ms":1,"expires_at_ms":3,"refresh_at_ms":2,"headers":[["Authorization","Bearer x"]],)"
      R"("upstream_state":"","note":{"x":[]}}})");
  ASSERT_TRUE(newer.ok()) << newer.error().message;
  EXPECT_EQ(newer->version, 4u);
  EXPECT_EQ(newer->record.last_used, FromUnixSeconds(0) - std::chrono::milliseconds(5));
  ASSERT_TRUE(newer->record.session.has_value());
  EXPECT_EQ(newer->record.session->headers[0].value.reveal(), "Bearer x");
}

// Found by fuzz/record_fuzz.cc: 9740000000000 ms overflowed the conversion
// to nanoseconds (undefined behaviour) instead of being refused.
TEST(RecordCodec, RefusesATimeTheClockCannotHold) {
  const std::string head = R"({"version":1,"needs_support":false,"support_message":"",)";
  const std::string session =
      R"(,"session":{"account":"a","provider":"p","generation":1,"headers":[],"upstream_state":"",)";
  const std::string ok_times = R"("issued_at_ms":1,"expires_at_ms":3,"refresh_at_ms":2}})";
  const std::string limit = "7258118400000";  // 2200-01-01 UTC
  auto at_limit = ParseRecord(head + R"("last_used_ms":-)" + limit + R"(,"earlier_expires_at_ms":[)" + limit +
                              "]" + session + R"("issued_at_ms":)" + limit + R"(,"expires_at_ms":)" + limit +
                              R"(,"refresh_at_ms":)" + limit + "}}");
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  EXPECT_EQ(at_limit->record.session->expires_at, FromUnixSeconds(7258118400));
  EXPECT_EQ(at_limit->record.last_used, FromUnixSeconds(-7258118400));
  for (const std::string& bad : {
           head + R"("last_used_ms":9740000000000})",
           head + R"("last_used_ms":-7258118400001})",
           head + R"("last_used_ms":0,"earlier_expires_at_ms":[1,9223372036854775807]})",
           head + R"("last_used_ms":0)" + session + R"("issued_at_ms":1,"expires_at_ms":7258118400001,"refresh_at_ms":2}})",
           head + R"("last_used_ms":0)" + session + R"("issued_at_ms":-9223372036854775807,"expires_at_ms":3,"refresh_at_ms":2}})",
           head + R"("last_used_ms":0)" + session + R"("issued_at_ms":1,"expires_at_ms":3,"refresh_at_ms":99999999999999}})",
       }) {
    auto r = ParseRecord(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kDataLoss) << bad;
    EXPECT_NE(r.error().message.find("holds a time out of range"), std::string::npos) << r.error().message;
  }
  ASSERT_TRUE(ParseRecord(head + R"("last_used_ms":0)" + session + ok_times).ok());
}

TEST(RecordCodec, RefusesARecordWithAMissingOrMistypedField) {
  const std::string head = R"({"version":1,"last_used_ms":0,"needs_support":false,"support_message":"")";
  const std::string session =
      R"("account":"a","provider":"p","generation":1,"issued_at_ms":1,"expires_at_ms":3,"refresh_at_ms":2,)"
      R"("upstream_state":"")";
  ASSERT_TRUE(ParseRecord(head + R"(,"session":{)" + session + R"(,"headers":[]}})").ok());
  for (const std::string& bad : {
           std::string(R"({"last_used_ms":0,"needs_support":false,"support_message":""})"),  // no version
           std::string(R"({"version":-1,"last_used_ms":0,"needs_support":false,"support_message":""})"),
           std::string(R"({"version":1.5,"last_used_ms":0,"needs_support":false,"support_message":""})"),
           std::string(R"({"version":"1","last_used_ms":0,"needs_support":false,"support_message":""})"),
           std::string(R"({"version":1,"last_used_ms":0,"needs_support":"no","support_message":""})"),
           head + R"(,"session":null})",
           head + R"(,"session":{)" + session + "}}",  // no headers
           head + R"(,"session":{)" + session + R"(,"headers":[["a"]]}})",
           head + R"(,"session":{)" + session + R"(,"headers":[["a","b","c"]]}})",
           head + R"(,"session":{)" + session + R"(,"headers":[["a",1]]}})",
           head + R"(,"session":{)" + session + R"(,"headers":["a"]}})",
           head + R"(,"earlier_expires_at_ms":[null]})",
       }) {
    auto r = ParseRecord(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kDataLoss) << bad;
    EXPECT_NE(r.error().message.find("lacks a field or has one of the wrong type"), std::string::npos)
        << bad << ": " << r.error().message;
  }
  for (const std::string& bad : {std::string("[]"), std::string("7"), std::string("{"), std::string(""),
                                 head + "}x"}) {
    auto r = ParseRecord(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("is not a JSON object"), std::string::npos) << bad << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace tokenwarden::store
