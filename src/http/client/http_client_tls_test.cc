// The client's TLS against a real nginx on loopback: the CA file, the
// system trust store (read from its hashed directory), host names.
#include "http/client/http_client.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "http/client/http_client_test_util.h"

namespace tokenwarden::http {
namespace {

class HttpClientTest : public HttpClientFixture {};

TEST_F(HttpClientTest, TlsSucceedsWithTheCaFileAndReuses) {
  HttpClientOptions o;
  o.ca_file = pki_->ca_cert;
  Client(o);
  auto a = Get(HttpsUrl("localhost", "/file.txt"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->body, "hello\n");
  auto b = Get(HttpsUrl("localhost", "/file.txt"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(*a->header("x-conn"), *b->header("x-conn"));
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpClientTest, TlsFailsWithoutTheCa) {
  Client();
  auto r = Get(HttpsUrl("localhost", "/file.txt"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().message;
  EXPECT_NE(r.error().message.find("'localhost'"), std::string::npos)
      << r.error().message;
}

// Made without a CA file, a client loads the system trust store at its
// first https connection, not before:
// TlsFailsWithoutTheCa above shows that connection still checks the peer.
TEST(HttpClientMemoryTest, NoTrustStoreIsLoadedBeforeAnHttpsConnection) {
  SSL_CTX_free(SSL_CTX_new(TLS_client_method()));  // OpenSSL's own start-up, out of the count
  size_t before = mallinfo2().uordblks;
  auto client = MakeHttpClient({});
  ASSERT_TRUE(client.ok()) << client.error().message;
  size_t after = mallinfo2().uordblks;
  EXPECT_LT(after - before, size_t{64} << 10) << "bytes allocated by making a client";
}

// An environment variable set (or unset: nullptr) for the life of the
// object; the old value comes back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The test CA under its subject hash in a new directory, as
// update-ca-certificates (or openssl rehash) lays out a trust directory.
std::string HashedDirectoryWith(const std::string& ca_pem, const std::string& dir) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(ca_pem.c_str(), "r"), std::fclose);
  if (!f) return "";
  std::unique_ptr<X509, void (*)(X509*)> ca(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), X509_free);
  if (!ca) return "";
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_NAME_hash_ex(X509_get_subject_name(ca.get()), nullptr, nullptr, nullptr));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(ca_pem, dir + "/" + name, std::filesystem::copy_options::overwrite_existing);
  return dir;
}

// The first https request with the trust directory held 124 KiB in all
// here, with the bundle 971 KiB.
constexpr size_t kTrustDirectoryBudget = size_t{384} << 10;

// With a hashed trust directory the system store is read from it, issuer by
// issuer: the bundle file (about 0.9 MiB of heap parsed on Debian 12) is not
// loaded, also when SSL_CERT_FILE names that very bundle (`cert_file`).
// TlsFailsWithoutTheCa shows the directory is still checked.
class HttpClientTrustTest : public HttpClientFixture {
 protected:
  void ExpectTrustFromTheDirectoryOnly(const std::string& dir, const char* cert_file) {
    ScopedEnv cert_dir("SSL_CERT_DIR", dir.c_str()), file("SSL_CERT_FILE", cert_file);
    SSL_CTX_free(SSL_CTX_new(TLS_client_method()));  // OpenSSL's own start-up, out of the count
    size_t before = mallinfo2().uordblks;
    Client();
    auto r = Get(HttpsUrl("localhost", "/file.txt"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "hello\n");
    size_t after = mallinfo2().uordblks;
    // Under ASan mallinfo2 does not see the allocations; the plain build's
    // run is the check.
    EXPECT_LT(after - before, size_t{kTrustDirectoryBudget}) << "bytes held after the first https request";
  }
};

TEST_F(HttpClientTrustTest, SystemTrustIsReadFromItsHashedDirectoryNotTheWholeBundle) {
  std::string dir = HashedDirectoryWith(pki_->ca_cert, *dir_ + "/trust-dir");
  ASSERT_FALSE(dir.empty());
  ExpectTrustFromTheDirectoryOnly(dir, nullptr);
}

TEST_F(HttpClientTrustTest, SslCertFileNamingTheSystemBundleStillReadsTheDirectory) {
  std::string dir = HashedDirectoryWith(pki_->ca_cert, *dir_ + "/trust-dir");
  ASSERT_FALSE(dir.empty());
  ExpectTrustFromTheDirectoryOnly(dir, X509_get_default_cert_file());
}

// SSL_CERT_FILE names a bundle of the user's own: it is read, beside a
// hashed directory that does not hold the CA.
TEST_F(HttpClientTest, SystemTrustHonoursSslCertFile) {
  std::string other = HashedDirectoryWith(pki_->server_cert, *dir_ + "/other-dir");  // not a CA
  ASSERT_FALSE(other.empty());
  ScopedEnv cert_dir("SSL_CERT_DIR", other.c_str()), cert_file("SSL_CERT_FILE", pki_->ca_cert.c_str());
  Client();
  auto r = Get(HttpsUrl("localhost", "/file.txt"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "hello\n");
}

TEST_F(HttpClientTest, TlsFailsForAnotherHostName) {
  HttpClientOptions o;
  o.ca_file = pki_->ca_cert;
  Client(o);
  auto r = Get(HttpsUrl("127.0.0.1",
                        "/file.txt"));  // the certificate names only localhost
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().message;
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("mismatch"), std::string::npos)
      << r.error().message;
}

TEST_F(HttpClientTest, PlainHttpToATlsPortFailsCleanly) {
  Client();
  auto r = Get("http://127.0.0.1:" + std::to_string(https_port_) + "/file.txt");
  ASSERT_TRUE(r.ok()) << r.error().message;  // nginx answers 400 in plain text
  EXPECT_EQ(r->status, 400);
}

TEST(HttpClientOptionsTest, RefusesAMissingCaFile) {
  HttpClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto c = MakeHttpClient(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace tokenwarden::http
