// Test fixture: the HTTP client against a real nginx on loopback, plain and
// TLS (a throwaway CA), started once per test binary; an io_context per
// test on which the client's coroutines run.
#ifndef TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_TEST_UTIL_H_
#define TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "http/client/http_client.h"
#include "testing/nginx_server.h"
#include "testing/run_awaitable.h"
#include "testing/subprocess.h"

namespace tokenwarden::http {

class HttpClientFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(tokenwarden::testing::MakeTempDir("tw-http-client"));
    std::string error;
    pki_ = new tokenwarden::testing::TestPki(
        tokenwarden::testing::MakeTestPki(*dir_, {"localhost"}, &error));
    ASSERT_FALSE(pki_->ca_cert.empty()) << error;
    ::mkdir((*dir_ + "/www").c_str(), 0700);
    ::mkdir((*dir_ + "/www/quick").c_str(), 0700);
    ::mkdir((*dir_ + "/www/once").c_str(), 0700);
    ASSERT_TRUE(tokenwarden::testing::WriteTestFile(*dir_ + "/www/once/file.txt", "once\n"));
    ASSERT_TRUE(tokenwarden::testing::WriteTestFile(*dir_ + "/www/file.txt",
                                                    "hello\n"));
    ASSERT_TRUE(tokenwarden::testing::WriteTestFile(
        *dir_ + "/www/quick/file.txt", "quick\n"));
    ASSERT_TRUE(tokenwarden::testing::WriteTestFile(
        *dir_ + "/www/big.bin", std::string(200 * 1024, 'x')));
    http_port_ = tokenwarden::testing::FreeLoopbackPort();
    https_port_ = tokenwarden::testing::FreeLoopbackPort();
    std::string www = *dir_ + "/www";
    std::string conf =
        "  server {\n"
        "    listen 127.0.0.1:" +
        std::to_string(http_port_) +
        ";\n"
        "    root " +
        www +
        ";\n"
        "    keepalive_timeout 30s;\n"
        "    add_header X-Conn $connection always;\n"
        "    location = /status/404 { return 404 'not here'; }\n"
        "    location = /status/503 { add_header X-Conn $connection always; "
        "add_header Retry-After 7 always;"
        " return 503 'busy'; }\n"
        "    location = /redirect { return 302 /file.txt; }\n"
        "    location = /echo { echo_read_request_body; echo \"$request_method "
        "$http_x_custom $request_body\"; }\n"
        "    location = /bigheader { add_header X-Conn $connection always; "
        "add_header X-Big " +
        std::string(4000, 'h') +
        " always; return 200 'ok'; }\n"
        "    location /quick/ { keepalive_timeout 1s; }\n"
        // One answer per connection, which closes it (Connection: close).
        "    location /once/ { keepalive_requests 1; }\n"
        "  }\n"
        "  server {\n"
        "    listen 127.0.0.1:" +
        std::to_string(https_port_) +
        " ssl;\n"
        "    ssl_certificate " +
        pki_->server_cert +
        ";\n"
        "    ssl_certificate_key " +
        pki_->server_key +
        ";\n"
        "    root " +
        www +
        ";\n"
        "    add_header X-Conn $connection always;\n"
        "  }\n";
    nginx_ = tokenwarden::testing::NginxServer::Start(
                 *dir_, conf, {http_port_, https_port_}, &error)
                 .release();
    ASSERT_NE(nginx_, nullptr) << error;
  }

  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    if (dir_) std::filesystem::remove_all(*dir_);
  }

  void TearDown() override {
    if (client_) client_->CloseIdle();
  }

  std::shared_ptr<HttpClient> Client(HttpClientOptions options = {}) {
    auto c = MakeHttpClient(options);
    EXPECT_TRUE(c.ok()) << c.error().message;
    client_ = *c;
    return client_;
  }

  Result<ClientResponse> Send(ClientRequest request) {
    return tokenwarden::testing::RunAwaitable(ioc_, client_->Send(std::move(request)));
  }
  Result<ClientResponse> Get(const std::string& url) {
    return Send({"GET", url, {}, ""});
  }

  // Sends `request` with these timeouts: it must fail, timed out at `step`,
  // within `limit`.
  void ExpectTimesOut(ClientRequest request, Duration write, Duration read, const std::string& step,
                      Duration limit) {
    HttpClientOptions o;
    o.write_timeout = write;
    o.read_timeout = read;
    Client(o);
    auto start = std::chrono::steady_clock::now();
    auto r = Send(std::move(request));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded) << r.error().message;
    EXPECT_NE(r.error().message.find(step), std::string::npos) << r.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, limit);
  }

  static std::string HttpUrl(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(http_port_) + path;
  }
  static std::string HttpsUrl(const std::string& host,
                              const std::string& path) {
    return "https://" + host + ":" + std::to_string(https_port_) + path;
  }

  static inline std::string* dir_ = nullptr;
  static inline tokenwarden::testing::TestPki* pki_ = nullptr;
  static inline tokenwarden::testing::NginxServer* nginx_ = nullptr;
  static inline int http_port_ = 0;
  static inline int https_port_ = 0;
  boost::asio::io_context ioc_;
  std::shared_ptr<HttpClient> client_;  // destroyed before ioc_
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_TEST_UTIL_H_
