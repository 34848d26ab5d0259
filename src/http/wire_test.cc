#include "http/wire.h"

#include <gtest/gtest.h>

namespace tokenwarden::http {
namespace {

TEST(WireResponse, WritesStatusHeadersLengthAndBodyInOrder) {
  Headers h = {{"Content-Type", "application/json"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  EXPECT_EQ(WireResponse(200, h, "{}", 11, true),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
            "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(WireResponse(404, {}, "", 11, false), "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(WireResponse(200, {}, "x", 10, true), "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_EQ(WireResponse(200, {}, "x", 10, false), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
}

TEST(WireResponse, FramingIsTheWritersAndBodilessStatusesHaveNoBody) {
  Headers h = {{"content-length", "999"}, {"Transfer-Encoding", "chunked"}, {"CONNECTION", "keep-alive"}, {"X", "y"}};
  EXPECT_EQ(WireResponse(201, h, "abc", 11, true), "HTTP/1.1 201 Created\r\nX: y\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(WireResponse(204, h, "", 11, true), "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n");
  EXPECT_EQ(WireResponse(304, {}, "", 11, true), "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST(WireResponse, AHeadForABodyWrittenAfterItCarriesTheFramingAsked) {
  Headers h = {{"Content-Length", "5"}, {"X", "y"}};
  EXPECT_EQ(WireResponseHead(200, h, 11, true, Framing::kLength, 123456),
            "HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 123456\r\n\r\n");
  EXPECT_EQ(WireResponseHead(200, h, 11, true, Framing::kChunked),
            "HTTP/1.1 200 OK\r\nX: y\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(WireResponseHead(200, h, 10, false, Framing::kToClose), "HTTP/1.0 200 OK\r\nX: y\r\n\r\n");
  EXPECT_EQ(WireResponseHead(204, {}, 11, true, Framing::kChunked), "HTTP/1.1 204 No Content\r\n\r\n");
  std::string chunks;
  AppendChunk(chunks, std::string(26, 'a'));
  AppendChunk(chunks, "b");
  AppendChunk(chunks, {});
  EXPECT_EQ(chunks, "1a\r\n" + std::string(26, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n");
}

TEST(WireResponse, LeavesOutHeadersThatWouldSplitTheMessage) {
  Headers h = {{"X-Evil", "a\r\nSet-Cookie: stolen=1"}, {"Bad Name", "v"}, {"", "v"}, {"X-Nul", std::string("a\0b", 3)},
               {"X-Ok", "fine value"}};
  EXPECT_EQ(WireResponse(200, h, "", 11, true), "HTTP/1.1 200 OK\r\nX-Ok: fine value\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(WritableHeader("x-request_id", "0f1c"));
  EXPECT_FALSE(WritableHeader("x:y", "v"));
  EXPECT_FALSE(WritableHeader("x", "a\nb"));
}

TEST(WireRequest, WritesHostAgentHeadersAndLength) {
  EXPECT_EQ(WireRequest("GET", "/v.1.0/divisions?x=1", "127.0.0.1:8080", {{"Authorization", "jwt"}}, ""),
            "GET /v.1.0/divisions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: tokenwarden\r\n"
            "Authorization: jwt\r\n\r\n");
  EXPECT_EQ(WireRequest("POST", "/p", "h", {{"Host", "evil"}, {"Content-Length", "7"}, {"user-agent", "shop/1.0"}}, ""),
            "POST /p HTTP/1.1\r\nHost: h\r\nuser-agent: shop/1.0\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(WireRequest("PUT", "/p", "h", {}, "body"),
            "PUT /p HTTP/1.1\r\nHost: h\r\nUser-Agent: tokenwarden\r\nContent-Length: 4\r\n\r\nbody");
}

TEST(Wire, ABufferHandedBackIsReusedUnlessItGrewLarge) {
  std::string wire = WireResponse(200, {}, std::string(100, 'x'), 11, true);
  KeepOrRelease(wire);
  EXPECT_TRUE(wire.empty());
  size_t kept = wire.capacity();
  EXPECT_GE(kept, 100u);  // the memory stays for the next message
  const char* memory = wire.data();
  wire = WireRequest("GET", "/", "h", {}, "", std::move(wire));
  EXPECT_EQ(wire.data(), memory) << "a small message is written into the buffer handed back";
  EXPECT_EQ(wire, "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: tokenwarden\r\n\r\n");

  wire = WireResponse(200, {}, std::string(kKeptWireCapacity * 2, 'x'), 11, true, std::move(wire));
  KeepOrRelease(wire);
  EXPECT_TRUE(wire.empty());
  EXPECT_LE(wire.capacity(), kKeptWireCapacity) << "a large message's memory is given back";
}

}  // namespace
}  // namespace tokenwarden::http
