#include "util/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace tokenwarden {
namespace {

std::filesystem::path TempDir() {
  char tmpl[] = "/tmp/tw-fileio-XXXXXX";
  return std::filesystem::path(::mkdtemp(tmpl));
}

TEST(FileIo, WriteNewFileSetsModeAndRefusesToReplace) {
  auto dir = TempDir();
  auto path = dir / "private.jwk.json";
  ASSERT_TRUE(WriteNewFile(path, "secret-bytes", 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(path), "secret-bytes");
  auto again = WriteNewFile(path, "other", 0600);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(*ReadFile(path), "secret-bytes");
  std::filesystem::remove_all(dir);
}

TEST(FileIo, ReadFileLimitsAndMissing) {
  auto dir = TempDir();
  auto path = dir / "big";
  ASSERT_TRUE(WriteNewFile(path, std::string(100, 'x'), 0644).ok());
  auto r = ReadFile(path, 99);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(r.error().message.find(path.string()), std::string::npos);
  auto missing = ReadFile(dir / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tokenwarden
