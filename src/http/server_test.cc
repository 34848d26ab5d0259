#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "testing/subprocess.h"

namespace tokenwarden::http {
namespace {

using namespace std::chrono_literals;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// Reads until the peer closes, `timeout` passes or (if given) `until` has
// been read.
std::string ReadAll(int fd, std::chrono::milliseconds timeout = 3s, std::string_view until = {}) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline &&
         (until.empty() || out.find(until) == std::string::npos)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string Exchange(int port, const std::string& raw) {
  int fd = Connect(port);
  EXPECT_EQ(::write(fd, raw.data(), raw.size()), static_cast<ssize_t>(raw.size()));
  std::string out = ReadAll(fd);
  ::close(fd);
  return out;
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

Response Echo(const Request& r) {
  nlohmann::json j = {{"method", r.method},
                      {"path", std::string(r.path())},
                      {"q", r.query_param("q").value_or("-")},
                      {"body", r.body},
                      {"loopback", r.peer_is_loopback},
                      {"x", std::string(r.header("X-Test").value_or(""))}};
  return Response::Json(200, j);
}

std::unique_ptr<Server> StartEcho(ServerOptions o = {}) {
  auto s = Server::Start(o, Sync(Echo));
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(*s);
}

TEST(HttpServer, ServesAPureHandlerWithKeepAlive) {
  auto server = StartEcho();
  std::string two =
      "GET /a?q=hello%20world HTTP/1.1\r\nHost: x\r\nX-Test: one\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody";
  std::string out = Exchange(server->port(), two);
  EXPECT_EQ(Count(out, "HTTP/1.1 200 OK"), 2) << out;  // both on one connection
  EXPECT_NE(out.find(R"("q":"hello world")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("x":"one")"), std::string::npos);
  EXPECT_NE(out.find(R"("body":"body")"), std::string::npos);
  EXPECT_NE(out.find(R"("loopback":true)"), std::string::npos);
}

// Requests that arrive together are answered from the buffer, in order; the
// session lets others have a turn every 16 of them, and goes on after.
TEST(HttpServer, PipelinedRequestsAreAllAnsweredInOrder) {
  auto server = StartEcho();
  std::string many;
  for (int i = 0; i < 40; ++i) many += "GET /p?q=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  many += "GET /p?q=last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string out = Exchange(server->port(), many);
  ASSERT_EQ(Count(out, "HTTP/1.1 200 OK"), 41) << out.substr(0, 400);
  size_t at = 0;
  for (int i = 0; i < 40; ++i) {
    size_t next = out.find("\"q\":\"" + std::to_string(i) + "\"", at);
    ASSERT_NE(next, std::string::npos) << "answer " << i << " missing or out of order";
    at = next;
  }
  EXPECT_NE(out.find("\"q\":\"last\"", at), std::string::npos);
}

TEST(HttpServer, AChunkedRequestBodyIsAssembled) {
  auto server = StartEcho();
  std::string out = Exchange(server->port(),
                             "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                             "3\r\nbod\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_NE(out.find(R"("body":"body")"), std::string::npos) << out;
}

// An answer larger than the socket buffers: what the kernel cannot take at
// once is written as the reader drains it.
TEST(HttpServer, AnAnswerLargerThanTheSocketBuffersArrivesWhole) {
  const std::string big(8 << 20, 'z');
  auto s = Server::Start({}, Sync([&](const Request&) { return Response::Text(200, big); }));
  ASSERT_TRUE(s.ok());
  int fd = Connect((*s)->port());
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::this_thread::sleep_for(300ms);  // the server fills the buffers and waits
  std::string out = ReadAll(fd, 10s);
  ::close(fd);
  size_t body = out.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_NE(out.find("Content-Length: " + std::to_string(big.size())), std::string::npos);
  EXPECT_EQ(out.size() - body - 4, big.size());
  EXPECT_EQ(out.find_first_not_of('z', body + 4), std::string::npos);
}

// A reader that does not drain the answer is cut off once write_timeout
// passes, rather than holding the connection forever.
TEST(HttpServer, AnAnswerNobodyReadsIsCutOffByTheWriteTimeout) {
  const std::string big(32 << 20, 'z');
  ServerOptions o;
  o.write_timeout = 300ms;
  auto s = Server::Start(o, Sync([&](const Request&) { return Response::Text(200, big); }));
  ASSERT_TRUE(s.ok());
  int fd = Connect((*s)->port());
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::this_thread::sleep_for(1500ms);
  auto start = std::chrono::steady_clock::now();
  std::string out = ReadAll(fd, 10s);
  ::close(fd);
  EXPECT_LT(out.size(), big.size()) << "the whole answer went out: nothing was cut off";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the connection was not closed";
}

// A body handed out piece by piece, each after a turn of the event loop;
// `fail_after` pieces, then an error (never, when negative).
class Pieces final : public BodyStream {
 public:
  Pieces(std::vector<std::string> pieces, int fail_after = -1) : pieces_(std::move(pieces)), fail_after_(fail_after) {}
  boost::asio::awaitable<Result<std::string>> Next() override {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    if (fail_after_ >= 0 && next_ >= static_cast<size_t>(fail_after_)) {
      co_return MakeError(ErrorCode::kUnavailable, "the sender broke off");
    }
    if (next_ == pieces_.size()) co_return std::string();
    co_return pieces_[next_++];
  }

 private:
  std::vector<std::string> pieces_;
  int fail_after_;
  size_t next_ = 0;
};

// A handler's answer whose body goes on in `rest`, of `length` when declared.
std::unique_ptr<Server> StartStreaming(std::optional<uint64_t> length, int fail_after = -1) {
  auto s = Server::Start({}, Sync([=](const Request&) {
                           Response r = Response::Text(200, "start-");
                           r.rest = std::make_shared<Pieces>(std::vector<std::string>{"one-", "two-", "three"},
                                                             fail_after);
                           r.length = length;
                           return r;
                         }));
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

// The bytes after the header of the first answer in `out`.
std::string AfterHeader(const std::string& out) {
  size_t end = out.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : out.substr(end + 4);
}

TEST(HttpServer, AStreamedBodyIsChunkedWithoutALengthAndTheConnectionIsKept) {
  auto server = StartStreaming(std::nullopt);
  std::string out = Exchange(server->port(),
                             "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Count(out, "HTTP/1.1 200 OK"), 2) << out;
  EXPECT_EQ(Count(out, "Transfer-Encoding: chunked\r\n"), 2) << out;
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "6\r\nstart-\r\n4\r\none-\r\n4\r\ntwo-\r\n5\r\nthree\r\n0\r\n\r\n"), 2) << out;
}

TEST(HttpServer, AStreamedBodyOfADeclaredLengthCarriesIt) {
  auto server = StartStreaming(std::string("start-one-two-three").size());
  std::string out = Exchange(server->port(), "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: 19\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("chunked"), std::string::npos) << out;
  EXPECT_EQ(AfterHeader(out), "start-one-two-three");
}

// HTTP/1.0 has no chunks: the body runs to the close.
TEST(HttpServer, AStreamedBodyToAnHttp10ClientEndsWithTheConnection) {
  auto server = StartStreaming(std::nullopt);
  int fd = Connect(server->port());
  std::string req = "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string out = ReadAll(fd, 5s);
  ::close(fd);
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << out;
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_EQ(out.find("chunked"), std::string::npos) << out;
  EXPECT_EQ(out.find("keep-alive"), std::string::npos) << "a body that ends at the close cannot keep it";
  EXPECT_EQ(AfterHeader(out), "start-one-two-three");
}

// A body that breaks off cuts the connection: no last chunk, nothing more
// answered on it, so the client cannot take the part for the whole.
TEST(HttpServer, AStreamedBodyThatBreaksOffCutsTheConnection) {
  auto server = StartStreaming(std::nullopt, /*fail_after=*/1);
  std::string out = Exchange(server->port(),
                             "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(Count(out, "HTTP/1.1 200 OK"), 1) << out;
  EXPECT_EQ(AfterHeader(out), "6\r\nstart-\r\n4\r\none-\r\n") << out;
  auto declared = StartStreaming(19, /*fail_after=*/2);
  std::string cut = Exchange(declared->port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(cut.find("Content-Length: 19\r\n"), std::string::npos) << cut;
  EXPECT_EQ(AfterHeader(cut), "start-one-two-") << "short of its length, and closed";
}

// A HEAD is answered with the header alone, its Content-Length the body's
// (or the declared length of a streamed one): a body written after it
// would be read as the next answer on the connection.
TEST(HttpServer, AHeadRequestIsAnsweredWithTheHeaderAlone) {
  auto server = StartEcho();
  std::string out = Exchange(server->port(),
                             "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Count(out, "HTTP/1.1 200 OK"), 2) << out;
  size_t length_at = out.find("Content-Length: ");
  ASSERT_NE(length_at, std::string::npos) << out;
  EXPECT_GT(std::atoi(out.c_str() + length_at + 16), 0) << out;
  EXPECT_EQ(AfterHeader(out).rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "a body followed the HEAD's header: " << out;
  EXPECT_NE(out.find(R"("path":"/b")"), std::string::npos) << out;

  auto streaming = StartStreaming(19);
  std::string head = Exchange(streaming->port(),
                              "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Count(head, "Content-Length: 19\r\n"), 2) << head;
  EXPECT_EQ(AfterHeader(head).rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(AfterHeader(AfterHeader(head)), "start-one-two-three") << head;
}

// "Expect: 100-continue" (curl sends it for PUT and large POST bodies) is answered
// with 100 Continue before the body is read, so the client need not wait
// a second to send it; a body too large is refused at once instead.
TEST(HttpServer, AClientThatExpectsContinueHearsItBeforeSendingTheBody) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  auto s = Server::Start(o, Sync(Echo));
  ASSERT_TRUE(s.ok());
  int fd = Connect((*s)->port());
  std::string head = "POST /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
  ASSERT_EQ(::write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  std::string go = ReadAll(fd, 2s, "\r\n\r\n");
  EXPECT_EQ(go, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(::write(fd, "body", 4), 4);
  std::string answer = ReadAll(fd, 2s, "}");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"("body":"body")"), std::string::npos) << answer;
  ::close(fd);

  std::string refused = Exchange((*s)->port(),
                                 "POST /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n");
  EXPECT_EQ(refused.rfind("HTTP/1.1 413 ", 0), 0u) << refused;
  EXPECT_EQ(refused.find("100 Continue"), std::string::npos) << refused;
}

TEST(HttpServer, OversizedHeadersAndBodiesAreRefused) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  o.max_body_bytes = 100;
  auto server = StartEcho(o);
  std::string big_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n";
  EXPECT_NE(Exchange(server->port(), big_header).find("HTTP/1.1 431"), std::string::npos);
  std::string big_body = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'b');
  EXPECT_NE(Exchange(server->port(), big_body).find("HTTP/1.1 413"), std::string::npos);
  EXPECT_NE(Exchange(server->port(), "NOT HTTP AT ALL\r\n\r\n").find("HTTP/1.1 400"), std::string::npos);
  // Still serving.
  EXPECT_NE(Exchange(server->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("200 OK"),
            std::string::npos);
}

TEST(HttpServer, AThrowingHandlerAnswers500AndTheServerGoesOn) {
  int calls = 0;
  auto s = Server::Start({}, Sync([&](const Request&) -> Response {
                           if (++calls == 1) throw std::runtime_error("boom");
                           return Response::Text(200, "fine");
                         }));
  ASSERT_TRUE(s.ok());
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  EXPECT_NE(Exchange((*s)->port(), req).find("HTTP/1.1 500"), std::string::npos);
  EXPECT_NE(Exchange((*s)->port(), req).find("fine"), std::string::npos);
}

TEST(HttpServer, DropConnectionClosesWithoutAnswer) {
  auto s = Server::Start({}, Sync([](const Request&) {
                           Response r;
                           r.drop_connection = true;
                           return r;
                         }));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Exchange((*s)->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "");
}

TEST(HttpServer, SlowClientsAreCutOffByTheReadTimeout) {
  ServerOptions o;
  o.read_timeout = 200ms;
  auto server = StartEcho(o);
  int fd = Connect(server->port());
  const char partial[] = "GET / HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_GT(::write(fd, partial, sizeof partial - 1), 0);
  auto start = std::chrono::steady_clock::now();
  std::string out = ReadAll(fd, 3s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // closed by the server
  EXPECT_EQ(out, "");
  ::close(fd);
  // Others are served meanwhile.
  EXPECT_NE(Exchange(server->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("200 OK"),
            std::string::npos);
}

TEST(HttpServer, ASlowBodyIsCutOffByTheReadTimeoutEvenWhenIdleIsLonger) {
  ServerOptions o;
  o.read_timeout = 200ms;
  o.idle_timeout = 10s;
  auto server = StartEcho(o);
  int fd = Connect(server->port());
  // A first request, so that the next one is awaited under idle_timeout.
  const char first[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::write(fd, first, sizeof first - 1), 0);
  std::this_thread::sleep_for(400ms);  // past read_timeout: the connection now waits under idle_timeout
  // Headers whole, body never: the body must arrive within read_timeout.
  const char partial[] = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc";
  ASSERT_GT(::write(fd, partial, sizeof partial - 1), 0);
  auto start = std::chrono::steady_clock::now();
  std::string out = ReadAll(fd, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // closed by the server, not after idle_timeout
  EXPECT_EQ(Count(out, "HTTP/1.1 200"), 1) << out;           // the first answered, the second not
  ::close(fd);
}

TEST(HttpServer, AnIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  auto server = StartEcho(o);
  int fd = Connect(server->port());
  const char first[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::write(fd, first, sizeof first - 1), 0);
  auto start = std::chrono::steady_clock::now();
  std::string out = ReadAll(fd, 5s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Count(out, "HTTP/1.1 200"), 1) << out;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
  ::close(fd);
}

TEST(HttpServer, AHandlerSlowerThanTheReadTimeoutIsNotCutOff) {
  ServerOptions o;
  o.read_timeout = 100ms;
  o.idle_timeout = 100ms;
  o.write_timeout = 100ms;
  auto s = Server::Start(o, [](Request) -> boost::asio::awaitable<Response> {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 500ms);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return Response::Text(200, "slow upstream, whole answer");
  });
  ASSERT_TRUE(s.ok());
  // Twice on one connection: the deadline of the first exchange must not
  // linger into the second.
  int fd = Connect((*s)->port());
  for (int i = 0; i < 2; ++i) {
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_GT(::write(fd, req, sizeof req - 1), 0);
    std::string out = ReadAll(fd, 3s, "whole answer");
    EXPECT_NE(out.find("slow upstream, whole answer"), std::string::npos) << "request " << i << ": " << out;
  }
  ::close(fd);
}

TEST(HttpServer, StopLetsARequestInFlightFinish) {
  auto s = Server::Start({}, [](Request) -> boost::asio::awaitable<Response> {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 300ms);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return Response::Text(200, "late but whole");
  });
  ASSERT_TRUE(s.ok());
  std::string out;
  std::thread client([&] { out = Exchange((*s)->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); });
  std::this_thread::sleep_for(100ms);
  (*s)->Stop(2s);
  client.join();
  EXPECT_NE(out.find("late but whole"), std::string::npos) << out;
}

TEST(HttpServer, ListensOnAUnixSocket) {
  std::string dir = testing::MakeTempDir();
  ServerOptions o;
  o.listen = "unix:" + dir + "/agent.sock";
  auto server = StartEcho(o);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s/agent.sock", dir.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string req = "GET /u HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_GT(::write(fd, req.data(), req.size()), 0);
  std::string out = ReadAll(fd);
  ::close(fd);
  EXPECT_NE(out.find(R"("path":"/u")"), std::string::npos) << out;
  server->Stop(0s);
  std::filesystem::remove_all(dir);
}

TEST(HttpServer, BadListenAddressesAreClearErrors) {
  ServerOptions o;
  o.listen = "127.0.0.1:notaport";
  auto s = Server::Start(o, Sync(Echo));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("127.0.0.1:notaport"), std::string::npos);
  auto first = StartEcho();
  o.listen = "127.0.0.1:" + std::to_string(first->port());
  auto busy = Server::Start(o, Sync(Echo));
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace tokenwarden::http
