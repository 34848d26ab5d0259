// Pipelining (HttpClientOptions::pipeline_depth): GETs sharing a connection
// to a real nginx and to a listener that answers only once it holds several
// requests; what is never pipelined; the connection ending under a queue.
#include "http/client/pipeline.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/client/http_client.h"
#include "http/client/http_client_test_util.h"
#include "testing/run_awaitable.h"

namespace tokenwarden::http {
namespace {

using Results = std::vector<std::optional<Result<ClientResponse>>>;

class PipelineTest : public HttpClientFixture {
 protected:
  // Starts every request at once on the test's io_context and runs it
  // until all are done. Each marked ClientRequest::pipeline, as the proxy
  // marks its own, unless `marked` is false.
  Results SendTogether(const std::vector<ClientRequest>& requests, bool marked = true) {
    Results results(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      ClientRequest request = marked ? Piped(requests[i]) : requests[i];
      boost::asio::co_spawn(ioc_, tokenwarden::testing::StoreResult(&results[i], client_->Send(std::move(request))),
                            boost::asio::detached);
    }
    ioc_.restart();
    ioc_.run();
    return results;
  }

  // Every request answered (call under ASSERT_NO_FATAL_FAILURE).
  static void ExpectAllAnswered(const Results& results) {
    for (const auto& r : results) ASSERT_TRUE(r && r->ok()) << (r ? r->error().message : "not done");
  }

  // Every request answered with `body`.
  static void ExpectEachBody(const Results& results, const std::string& body) {
    ASSERT_NO_FATAL_FAILURE(ExpectAllAnswered(results));
    for (const auto& r : results) EXPECT_EQ((*r)->body, body);
  }

  static ClientRequest Piped(ClientRequest request) {
    request.pipeline = true;
    return request;
  }

  static HttpClientOptions Pipelining(size_t depth) {
    HttpClientOptions o;
    o.pipeline_depth = depth;
    o.read_timeout = std::chrono::seconds(5);
    return o;
  }
};

// Each request gets its own answer, in order, on one connection.
TEST_F(PipelineTest, ConcurrentGetsShareOneConnectionEachWithItsOwnAnswer) {
  Client(Pipelining(8));
  std::vector<ClientRequest> requests;
  for (int i = 0; i < 8; ++i) {
    requests.push_back({"GET", HttpUrl(i % 2 ? "/file.txt" : i % 4 ? "/status/404" : "/quick/file.txt"), {}, ""});
  }
  Results results = SendTogether(requests);
  std::set<std::string> connections;
  for (int i = 0; i < 8; ++i) {
    const auto& r = results[static_cast<size_t>(i)];
    ASSERT_TRUE(r && r->ok()) << i << ": " << (r ? r->error().message : "not done");
    if (i % 2) {
      EXPECT_EQ((*r)->body, "hello\n") << i;
    } else if (i % 4) {
      EXPECT_EQ((*r)->status, 404) << i;
      EXPECT_EQ((*r)->body, "not here") << i;
    } else {
      EXPECT_EQ((*r)->body, "quick\n") << i;
    }
    connections.insert(std::string((*r)->header("x-conn").value_or("")));
  }
  EXPECT_EQ(connections.size(), 1u);
  EXPECT_EQ(client_->connections_opened(), 1u);
  // And the connection goes on serving, alone and together.
  auto again = Send(Piped({"GET", HttpUrl("/file.txt"), {}, ""}));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->header("x-conn"), std::optional<std::string_view>(*connections.begin()));
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(PipelineTest, PastTheDepthAnotherConnectionOpens) {
  Client(Pipelining(4));
  Results results = SendTogether(std::vector<ClientRequest>(8, {"GET", HttpUrl("/file.txt"), {}, ""}));
  ASSERT_NO_FATAL_FAILURE(ExpectEachBody(results, "hello\n"));
  EXPECT_EQ(client_->connections_opened(), 2u);
}

// A GET not marked for it (the providers' own calls, on a context several
// threads run) keeps a connection to itself.
TEST_F(PipelineTest, OnlyRequestsMarkedForItArePipelined) {
  Client(Pipelining(8));
  Results results = SendTogether(std::vector<ClientRequest>(3, {"GET", HttpUrl("/file.txt"), {}, ""}), /*marked=*/false);
  ASSERT_NO_FATAL_FAILURE(ExpectAllAnswered(results));
  EXPECT_EQ(client_->connections_opened(), 3u);
}

// RFC 9112 9.3.2: a request that is not idempotent waits for no other.
TEST_F(PipelineTest, PostsAreNeverPipelined) {
  Client(Pipelining(8));
  Results results = SendTogether(std::vector<ClientRequest>(3, {"POST", HttpUrl("/echo"), {{"X-Custom", "p"}}, "b"}));
  ASSERT_NO_FATAL_FAILURE(ExpectEachBody(results, "POST p b\n"));
  EXPECT_EQ(client_->connections_opened(), 3u);
}

// The server answers one request per connection and closes it: the
// requests queued behind go again, each on a connection of its own.
TEST_F(PipelineTest, RequestsBehindAnAnswerThatClosesTheConnectionGoAgain) {
  Client(Pipelining(8));
  Results results = SendTogether(std::vector<ClientRequest>(4, {"GET", HttpUrl("/once/file.txt"), {}, ""}));
  ASSERT_NO_FATAL_FAILURE(ExpectEachBody(results, "once\n"));
  EXPECT_EQ(client_->connections_opened(), 4u);
}

// Every request queued for a connection that cannot be opened fails so.
TEST_F(PipelineTest, RequestsQueuedForAConnectionThatCannotOpenFail) {
  Client(Pipelining(8));
  std::string closed = "http://127.0.0.1:" + std::to_string(tokenwarden::testing::FreeLoopbackPort()) + "/x";
  Results results = SendTogether(std::vector<ClientRequest>(3, {"GET", closed, {}, ""}));
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value());
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, ErrorCode::kUnavailable) << r->error().message;
  }
  EXPECT_EQ(client_->connections_opened(), 0u);
}

// A pipeline the server closed while it was idle: the request goes again
// on a new connection.
TEST_F(PipelineTest, APipelineTheServerClosedWhileIdleIsReplaced) {
  Client(Pipelining(8));
  ASSERT_TRUE(Send(Piped({"GET", HttpUrl("/quick/file.txt"), {}, ""})).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // keepalive_timeout here is 1 s
  auto again = Send(Piped({"GET", HttpUrl("/quick/file.txt"), {}, ""}));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->body, "quick\n");
  EXPECT_EQ(client_->connections_opened(), 2u);
}

// An answer past stream_past takes the connection with it; the requests
// behind it go on another.
TEST_F(PipelineTest, AStreamedAnswerTakesTheConnectionAndTheRequestsBehindGoAgain) {
  Client(Pipelining(8));
  ClientRequest big{"GET", HttpUrl("/big.bin"), {}, ""};
  big.stream_past = 16 * 1024;
  std::vector<ClientRequest> requests = {big, {"GET", HttpUrl("/file.txt"), {}, ""},
                                         {"GET", HttpUrl("/file.txt"), {}, ""}};
  Results results = SendTogether(requests);
  ASSERT_NO_FATAL_FAILURE(ExpectAllAnswered(results));
  EXPECT_EQ((*results[1])->body, "hello\n");
  EXPECT_EQ((*results[2])->body, "hello\n");
  const ClientResponse& streamed = **results[0];
  ASSERT_NE(streamed.rest, nullptr);
  std::string body = streamed.body;
  for (int i = 0; i < 1000; ++i) {  // bounded: 200 KiB come in a few pieces
    auto piece = tokenwarden::testing::RunAwaitable(ioc_, streamed.rest->Next());
    ASSERT_TRUE(piece.ok()) << piece.error().message;
    if (piece->empty()) break;
    body += *piece;
  }
  EXPECT_EQ(body, std::string(200 * 1024, 'x'));
  EXPECT_EQ(client_->connections_opened(), 2u);
}

// A listener that answers only once it holds `n` requests on its one
// connection, all answers in one write, bodies "0", "1", ... (none for a
// HEAD): a client that sent one request at a time would wait for ever.
class BatchServer {
 public:
  explicit BatchServer(int n)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}), socket_(ioc_), thread_([this, n] {
          boost::system::error_code ec;
          acceptor_.accept(socket_, ec);
          if (ec) return;
          std::string got;
          char buffer[4096];
          std::vector<std::string> requests;
          while (static_cast<int>(requests.size()) < n) {
            size_t read = socket_.read_some(boost::asio::buffer(buffer), ec);
            if (ec) return;
            got.append(buffer, read);
            for (size_t end; (end = got.find("\r\n\r\n")) != std::string::npos; got.erase(0, end + 4)) {
              requests.push_back(got.substr(0, end));
            }
          }
          std::string answers;
          for (int i = 0; i < n; ++i) {
            bool head = requests[static_cast<size_t>(i)].rfind("HEAD ", 0) == 0;
            answers += "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + (head ? "" : std::to_string(i));
          }
          {
            std::lock_guard<std::mutex> lock(mu_);
            received_ = std::move(requests);
          }
          boost::asio::write(socket_, boost::asio::buffer(answers), ec);
          socket_.read_some(boost::asio::buffer(buffer), ec);  // until the client closes, or the end
        }) {}
  ~BatchServer() {
    // Wakes the thread wherever it waits (shutdown, unlike close, does).
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    ::shutdown(socket_.native_handle(), SHUT_RDWR);
    thread_.join();
  }
  std::string Url(int i) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/r" + std::to_string(i);
  }
  // The request lines and headers, once all `n` came.
  std::vector<std::string> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket socket_;
  std::mutex mu_;
  std::vector<std::string> received_;
  std::thread thread_;  // last: it uses the members above
};

TEST_F(PipelineTest, RequestsGoBeforeTheFirstAnswerAndAnswersAreMatchedInOrder) {
  BatchServer server(3);
  Client(Pipelining(4));
  Results results = SendTogether({{"GET", server.Url(0), {}, ""}, {"HEAD", server.Url(1), {}, ""},
                                  {"GET", server.Url(2), {}, ""}});
  ASSERT_NO_FATAL_FAILURE(ExpectAllAnswered(results));
  EXPECT_EQ((*results[0])->body, "0");
  EXPECT_EQ((*results[1])->body, "");  // a HEAD's answer has no body, whatever follows it
  EXPECT_EQ((*results[1])->length, std::optional<uint64_t>(1));
  EXPECT_EQ((*results[2])->body, "2");
  auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].rfind("GET /r0 HTTP/1.1\r\n", 0), 0u) << received[0];
  EXPECT_EQ(received[1].rfind("HEAD /r1 HTTP/1.1\r\n", 0), 0u) << received[1];
  EXPECT_EQ(received[2].rfind("GET /r2 HTTP/1.1\r\n", 0), 0u) << received[2];
  EXPECT_EQ(client_->connections_opened(), 1u);
}

}  // namespace
}  // namespace tokenwarden::http
