// The client against a real nginx on loopback, and against listeners that
// answer late, in pieces or never. TLS trust: http_client_tls_test.cc.
#include "http/client/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http/client/http_client_test_util.h"
#include "testing/run_awaitable.h"

namespace tokenwarden::http {
namespace {

using tokenwarden::testing::RunAwaitable;

class HttpClientTest : public HttpClientFixture {
 protected:
  // `n` GETs of /file.txt started at once on the test's io_context; each
  // must succeed.
  void GetFileConcurrently(int n) {
    std::vector<std::optional<Result<ClientResponse>>> results(static_cast<size_t>(n));
    for (auto& slot : results) {
      boost::asio::co_spawn(
          ioc_, tokenwarden::testing::StoreResult(&slot, client_->Send({"GET", HttpUrl("/file.txt"), {}, ""})),
          boost::asio::detached);
    }
    ioc_.run();
    for (auto& r : results) {
      ASSERT_TRUE(r.has_value() && r->ok());
      EXPECT_EQ((*r)->body, "hello\n");
    }
  }
};

TEST_F(HttpClientTest, GetsAFileAndReusesTheConnection) {
  Client();
  std::string first_connection;
  for (int i = 0; i < 3; ++i) {
    auto r = Get(HttpUrl("/file.txt"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello\n");
    ASSERT_TRUE(r->header("X-CONN").has_value());
    if (i == 0) first_connection = std::string(*r->header("x-conn"));
    EXPECT_EQ(*r->header("x-conn"), first_connection)
        << "request " << i << " came on a new connection";
  }
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpClientTest, ReturnsStatusesAndDoesNotFollowRedirects) {
  Client();
  auto missing = Get(HttpUrl("/status/404"));
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "not here");
  auto busy = Get(HttpUrl("/status/503"));
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(*busy->header("retry-after"), "7");
  auto moved = Get(HttpUrl("/redirect"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->status, 302);
  EXPECT_NE(moved->header("location")->find("/file.txt"),
            std::string_view::npos);
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpClientTest, PostsBodyAndHeaders) {
  Client();
  auto r = Send({"POST",
                 HttpUrl("/echo"),
                 {{"X-Custom", "abc"}, {"Content-Type", "application/json"}},
                 R"({"serviceCode":"x"})"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST abc {\"serviceCode\":\"x\"}\n");
}

TEST_F(HttpClientTest, CapsBodyAndHeaderSizeAndDropsTheConnection) {
  HttpClientOptions o;
  o.max_body_bytes = 10 * 1024;
  o.max_header_bytes = 2 * 1024;
  Client(o);
  auto big = Get(HttpUrl("/big.bin?apiKey=SECRET"));
  ASSERT_FALSE(big.ok()) << big->status << " " << big->body.size();
  EXPECT_EQ(big.error().code, ErrorCode::kResourceExhausted)
      << big.error().message;
  EXPECT_EQ(big.error().message.find("SECRET"), std::string::npos)
      << big.error().message;
  EXPECT_NE(big.error().message.find("answer body larger than 10 KiB"), std::string::npos)
      << big.error().message;
  auto header = Get(HttpUrl("/bigheader"));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, ErrorCode::kResourceExhausted)
      << header.error().message;
  EXPECT_NE(header.error().message.find("answer headers larger than 2 KiB"), std::string::npos)
      << header.error().message;
  auto ok = Get(HttpUrl("/file.txt"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(client_->connections_opened(), 3u)
      << "a connection that failed must not be reused";
}

// Idle past ConnectionPool::kUnprobedIdle, the connection is checked before
// reuse and found closed: the POST, never retried, needs that check to pass.
TEST_F(HttpClientTest, ReconnectsWhenTheServerClosedAnIdleConnection) {
  Client();
  ASSERT_TRUE(Get(HttpUrl("/quick/file.txt")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(
      1600));  // nginx's keepalive_timeout here is 1 s
  auto again =
      Send({"POST", HttpUrl("/echo"), {{"X-Custom", "after"}}, "idle"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->body, "POST after idle\n");
  EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(HttpClientTest, ConcurrentRequestsUseSeparateConnectionsThenReuseThem) {
  Client();
  GetFileConcurrently(4);
  EXPECT_EQ(client_->connections_opened(), 4u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Get(HttpUrl("/file.txt")).ok());
  EXPECT_EQ(client_->connections_opened(), 4u);
}

TEST_F(HttpClientTest, AtMostMaxInFlightExchangesRunAtOnce) {
  HttpClientOptions o;
  o.max_in_flight = 2;
  Client(o);
  GetFileConcurrently(6);
  // Six at once would open six connections; two at a time open two and
  // the others wait, then reuse them.
  EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(HttpClientTest, RefusesPlainHttpBeyondLoopback) {
  Client();
  auto r =
      Get("http://api.novapost.com/v.1.0/clients/authorization?apiKey=SECRET");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("api.novapost.com"), std::string::npos);
  EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(client_->CheckUrl("http://10.1.2.3/x").ok());
  EXPECT_TRUE(client_->CheckUrl("http://localhost:1/x").ok());
  HttpClientOptions insecure;
  insecure.allow_insecure_http = true;
  EXPECT_TRUE((*MakeHttpClient(insecure))->CheckUrl("http://10.1.2.3/x").ok());
}

TEST_F(HttpClientTest, ARequestBelowABaseGoesToTheBasePathFollowedByItsOwn) {
  Client();
  auto quick = BaseUrl::Parse(HttpUrl("/quick"));
  ASSERT_TRUE(quick.ok()) << quick.error().message;
  ClientRequest request{"GET", "/file.txt", {}, ""};
  request.base = std::make_shared<const BaseUrl>(*quick);
  auto r = Send(request);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "quick\n");

  auto bare = BaseUrl::Parse("http://127.0.0.1:" + std::to_string(http_port_));
  ASSERT_TRUE(bare.ok());
  request.base = std::make_shared<const BaseUrl>(*bare);
  r = Send(request);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "hello\n");
  EXPECT_EQ(client_->connections_opened(), 1u) << "one origin, one connection";
}

TEST_F(HttpClientTest, ABaseIsCheckedAgainstTheClientsOwnPolicy) {
  Client();  // plain http beyond loopback not allowed
  auto remote = BaseUrl::Parse("http://api.novapost.com/v.1.0");
  ASSERT_TRUE(remote.ok());
  ClientRequest request{"GET", "/divisions?apiKey=SECRET", {}, ""};
  request.base = std::make_shared<const BaseUrl>(*remote);
  auto r = Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("api.novapost.com"), std::string::npos) << r.error().message;
  EXPECT_EQ(client_->connections_opened(), 0u);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailable) {
  Client();
  int port = tokenwarden::testing::FreeLoopbackPort();
  auto r = Get("http://127.0.0.1:" + std::to_string(port) + "/x?apiKey=SECRET");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
  EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos)
      << r.error().message;
}

TEST_F(HttpClientTest, AServerThatNeverAnswersTimesOut) {
  // The kernel completes the TCP handshake for a listening socket that never
  // accepts; nothing is ever read or written.
  boost::asio::ip::tcp::acceptor silent(
      ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::string port = std::to_string(silent.local_endpoint().port());
  HttpClientOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  o.connect_timeout = std::chrono::milliseconds(300);
  Client(o);
  auto start = std::chrono::steady_clock::now();
  auto r = Get("http://127.0.0.1:" + port + "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded) << r.error().message;
  auto tls = Get("https://127.0.0.1:" + port + "/x");
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().code, ErrorCode::kDeadlineExceeded)
      << tls.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

// A listener on its own thread that accepts one connection, reads the
// request's head and, after `delay`, writes `answer` (by default 200 "late")
// in two pieces 50 ms apart, then closes if `close`. With `read` false it
// never reads nor answers, so a large request fills the socket buffers and
// stalls.
class OneShotServer {
 public:
  OneShotServer(std::chrono::milliseconds delay, bool read,
                std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate", bool close = false)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this, delay, read, answer = std::move(answer), close] {
          boost::system::error_code ec;
          auto socket = acceptor_.accept(ec);
          if (ec) return;
          std::string head;
          char c;
          while (read && head.find("\r\n\r\n") == std::string::npos &&
                 boost::asio::read(socket, boost::asio::buffer(&c, 1), ec) == 1) {
            head += c;
          }
          std::unique_lock<std::mutex> lock(mu_);
          done_cv_.wait_for(lock, delay, [this] { return done_; });
          if (read) {
            size_t half = answer.size() / 2;
            boost::asio::write(socket, boost::asio::buffer(answer.data(), half), ec);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            boost::asio::write(socket, boost::asio::buffer(answer.data() + half, answer.size() - half), ec);
            if (close) socket.close(ec);
          }
          done_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return done_; });
        }) {}
  ~OneShotServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/x";
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

// The write's deadline passes while the answer is awaited: the read has a
// deadline of its own, later, and the answer within it arrives.
TEST_F(HttpClientTest, AnAnswerWithinTheReadTimeoutArrivesAfterTheWriteTimeoutPassed) {
  OneShotServer server(std::chrono::milliseconds(600), /*read=*/true);
  HttpClientOptions o;
  o.write_timeout = std::chrono::milliseconds(150);
  o.read_timeout = std::chrono::seconds(5);
  Client(o);
  auto r = Get(server.Url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "late");
}

TEST_F(HttpClientTest, AnAnswerPastTheReadTimeoutTimesOutWhenTheWriteTimeoutIsLonger) {
  OneShotServer server(std::chrono::seconds(5), /*read=*/true);
  ExpectTimesOut({"GET", server.Url(), {}, ""}, std::chrono::seconds(30), std::chrono::milliseconds(300),
                 "reading the answer", std::chrono::seconds(3));
}

TEST_F(HttpClientTest, ARequestThePeerDoesNotReadTimesOutWriting) {
  OneShotServer server(std::chrono::seconds(10), /*read=*/false);
  ExpectTimesOut({"POST", server.Url(), {}, std::string(64 << 20, 'x')}, std::chrono::milliseconds(300),
                 std::chrono::seconds(30), "writing to", std::chrono::seconds(5));
}

// Without a length, the body runs to the close.
TEST_F(HttpClientTest, AnAnswerWithoutALengthEndsAtTheClose) {
  OneShotServer server(std::chrono::milliseconds(0), /*read=*/true,
                       "HTTP/1.1 200 OK\r\nX-Kind: eof\r\n\r\nthe body runs to the close", /*close=*/true);
  Client({});
  auto r = Get(server.Url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "the body runs to the close");
  EXPECT_EQ(r->header("X-Kind").value_or(""), "eof");
}

TEST_F(HttpClientTest, AChunkedAnswerInPiecesIsAssembledWithRepeatedHeadersKept) {
  OneShotServer server(std::chrono::milliseconds(0), /*read=*/true,
                       "HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nTransfer-Encoding: chunked\r\n"
                       "Set-Cookie: b=2\r\n\r\n5\r\nchunk\r\n2\r\ned\r\n0\r\n\r\n");
  Client({});
  auto r = Get(server.Url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "chunked");
  Headers cookies;
  for (const auto& h : r->headers) {
    if (h.first == "set-cookie") cookies.push_back(h);
  }
  EXPECT_EQ(cookies, (Headers{{"set-cookie", "a=1"}, {"set-cookie", "b=2"}}));
}

// Reads a streamed answer's rest to its end: the pieces' sizes, and the
// body they make after `start`.
struct ReadRest {
  std::string body;
  std::vector<size_t> pieces;
  std::optional<Error> error;
};
ReadRest ReadToEnd(boost::asio::io_context& ioc, const ClientResponse& r) {
  ReadRest out{r.body, {}, std::nullopt};
  for (int i = 0; i < 100000; ++i) {  // bounded: 6 GiB in 64 KiB pieces
    auto piece = RunAwaitable(ioc, r.rest->Next());
    if (!piece.ok()) {
      out.error = piece.error();
      break;
    }
    if (piece->empty()) break;
    out.pieces.push_back(piece->size());
    out.body += *piece;
  }
  return out;
}

// Past stream_past the answer is handed over in pieces of at most one read
// (64 KiB), the body limit not applying; an answer within it is whole and
// its connection is reused.
TEST_F(HttpClientTest, AnAnswerPastStreamPastComesInPiecesWithoutTheBodyLimit) {
  HttpClientOptions o;
  o.max_body_bytes = 10 * 1024;  // far below the file: it applies to answers held whole
  o.ca_file = pki_->ca_cert;
  Client(o);
  for (const std::string& url : {HttpUrl("/big.bin"), HttpsUrl("localhost", "/big.bin")}) {
    ClientRequest request{"GET", url, {}, ""};
    request.stream_past = 16 * 1024;
    auto r = Send(request);
    ASSERT_TRUE(r.ok()) << url << ": " << r.error().message;
    EXPECT_EQ(r->status, 200);
    ASSERT_NE(r->rest, nullptr) << url;
    EXPECT_EQ(r->length, std::optional<uint64_t>(200 * 1024)) << url;
    EXPECT_GE(r->body.size(), 16u * 1024) << url;
    EXPECT_LT(r->body.size(), 200u * 1024) << url << ": the whole body was held";
    ReadRest rest = ReadToEnd(ioc_, *r);
    ASSERT_FALSE(rest.error) << rest.error->message;
    EXPECT_EQ(rest.body, std::string(200 * 1024, 'x')) << url;
    EXPECT_FALSE(rest.pieces.empty());
    for (size_t n : rest.pieces) {
      EXPECT_GT(n, 0u);
      EXPECT_LE(n, 64u * 1024) << url;
    }
    ClientRequest small{"GET", url.substr(0, url.find("/big.bin")) + "/file.txt", {}, ""};
    small.stream_past = 16 * 1024;
    auto whole = Send(small);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_EQ(whole->body, "hello\n");
    EXPECT_EQ(whole->rest, nullptr);
  }
  // Each streamed answer took its connection with it; each small one
  // reused a pooled connection, then kept it.
  EXPECT_EQ(client_->connections_opened(), 4u);
  EXPECT_EQ(Get(HttpUrl("/file.txt"))->body, "hello\n");
  EXPECT_EQ(client_->connections_opened(), 4u);
}

// The answer to a HEAD has no body; the length it declares is kept.
TEST_F(HttpClientTest, AHeadAnswerKeepsItsDeclaredLength) {
  Client({});
  auto r = Send({"HEAD", HttpUrl("/big.bin"), {}, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->length, std::optional<uint64_t>(200 * 1024));
  EXPECT_EQ(Get(HttpUrl("/file.txt"))->body, "hello\n");
  EXPECT_EQ(client_->connections_opened(), 1u);
}

// Interim answers (100 Continue, 103 Early Hints) are read past: the
// answer is the final one, and nothing of the interim ones is left over.
TEST_F(HttpClientTest, InterimAnswersAreReadPastToTheFinalOne) {
  OneShotServer server(std::chrono::milliseconds(0), /*read=*/true,
                       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                       "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmade");
  Client({});
  auto r = Send({"POST", server.Url(), {{"Expect", "100-continue"}}, "body"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "made");
  EXPECT_FALSE(r->header("link").has_value()) << "a header of an interim answer";
}

TEST_F(HttpClientTest, AStreamedChunkedAnswerHasNoLengthAndComesWhole) {
  // Written in two halves: the first ends inside the long last chunk.
  const std::string last(100, 'p');
  OneShotServer server(std::chrono::milliseconds(0), /*read=*/true,
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nchunk\r\n2\r\ned\r\n64\r\n" + last + "\r\n0\r\n\r\n");
  Client({});
  ClientRequest request{"GET", server.Url(), {}, ""};
  request.stream_past = 3;
  auto r = Send(request);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_NE(r->rest, nullptr);
  EXPECT_FALSE(r->length.has_value());
  ReadRest rest = ReadToEnd(ioc_, *r);
  ASSERT_FALSE(rest.error) << rest.error->message;
  EXPECT_EQ(rest.body, "chunked" + last);
}

// A body cut short of its length is an error at the piece where it ends,
// naming the step, never a short body taken for the whole.
TEST_F(HttpClientTest, AStreamedAnswerCutShortIsAnErrorOfTheRest) {
  OneShotServer server(std::chrono::milliseconds(0), /*read=*/true,
                       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly twenty bytes...", /*close=*/true);
  Client({});
  ClientRequest request{"GET", server.Url() + "?apiKey=SECRET", {}, ""};
  request.stream_past = 5;
  auto r = Send(request);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_NE(r->rest, nullptr);
  EXPECT_EQ(r->length, std::optional<uint64_t>(100));
  ReadRest rest = ReadToEnd(ioc_, *r);
  ASSERT_TRUE(rest.error.has_value()) << "a short body was taken for the whole: " << rest.body;
  EXPECT_EQ(rest.body, "only twenty bytes...");
  EXPECT_NE(rest.error->message.find("reading the rest of the answer"), std::string::npos) << rest.error->message;
  EXPECT_EQ(rest.error->message.find("SECRET"), std::string::npos) << rest.error->message;
}

}  // namespace
}  // namespace tokenwarden::http
