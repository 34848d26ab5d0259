// libFuzzer: an upstream's answer as the HTTP client reads it. The
// client's parser (http/message_parser.h, MessageParser<false>) set up as
// the client sets it (LimitAnswer, with the default limits), fed by the
// same loop its Connection runs (http/stream_io.h: ParseBuffered,
// ReadSpace, Received), the bytes arriving in reads of a size the input
// picks and the peer closing after the last one.
//
// Input: byte 0 picks the read size (1-64 bytes, or all at once) and whether
// the request was a HEAD; the rest is what the upstream sent. Beyond "no
// crash, no UB":
// - an answer read in pieces is the same as one read at once: the same
//   error or none, status, headers, body and bytes left over;
// - a complete answer has a status from 100 to 599, its body is within
//   the body limit, and its header names are lower-case;
// - an answer to HEAD has no body;
// - interim answers (1xx but 101) are read past to the final one.
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "http/client/connection.h"
#include "http/client/http_client.h"
#include "http/message_parser.h"
#include "http/stream_io.h"

namespace {

using namespace tokenwarden;

struct Outcome {
  bool failed = false;
  std::string error;
  http::ClientResponse response;
  size_t left_over = 0;
};

// Reads `data` as Connection::ExchangeOn does, `piece` bytes per read
// (0: everything in one read), then the peer's close; past interim
// answers, each read by a parser of its own.
Outcome Read(const uint8_t* data, size_t size, size_t piece, bool head) {
  std::optional<http::ResponseParser> reading;
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  size_t pos = 0;
  while (true) {
    http::ResponseParser& parser = reading.emplace();
    http::LimitAnswer(parser, http::HttpClientOptions{}, head);
    bool done = http::ParseBuffered(buffer, parser, /*header_only=*/false, ec);
    while (!done) {
      auto space = http::ReadSpace(buffer);
      size_t n = std::min({space.size(), piece == 0 ? size - pos : piece, size - pos});
      ec = {};
      if (n == 0) ec = boost::asio::error::eof;  // all sent: the peer closes
      if (n > 0) std::memcpy(space.data(), data + pos, n);
      pos += n;
      done = http::Received(buffer, parser, n, /*header_only=*/false, ec);
    }
    if (ec || !http::InterimAnswer(parser)) break;
  }
  http::ResponseParser& parser = *reading;
  Outcome out;
  out.failed = static_cast<bool>(ec);
  if (ec) {
    out.error = ec.message();
    return out;
  }
  if (!parser.is_done()) {
    std::fprintf(stderr, "the read loop stopped without an error before the answer was complete\n");
    std::abort();
  }
  out.response = std::move(parser.get());
  out.left_over = buffer.size() + (size - pos);
  return out;
}

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "contract broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = data[0] & 0x3f;  // 0: one read
  const bool head = (data[0] & 0x40) != 0;
  const uint8_t* answer = data + 1;
  const size_t n = size - 1;

  Outcome whole = Read(answer, n, 0, head);
  Outcome pieces = Read(answer, n, piece == 0 ? 1 : piece, head);

  if (whole.failed != pieces.failed) {
    std::fprintf(stderr, "read at once: %s; in pieces of %zu: %s\n", whole.failed ? whole.error.c_str() : "ok",
                 piece == 0 ? size_t{1} : piece, pieces.failed ? pieces.error.c_str() : "ok");
  }
  Check(whole.failed == pieces.failed, "the same bytes read in pieces fail or succeed alike");
  if (whole.failed) return 0;
  const http::ClientResponse& a = whole.response;
  const http::ClientResponse& b = pieces.response;
  Check(a.status == b.status, "the same status in pieces");
  Check(a.headers == b.headers, "the same headers in pieces");
  Check(a.body == b.body, "the same body in pieces");
  Check(whole.left_over == pieces.left_over, "the same bytes left over in pieces");
  Check(a.status >= 100 && a.status <= 599, "a status RFC 9110 allows (100-599)");
  Check(a.status == 101 || a.status >= 200, "the final answer, past any interim one");
  Check(a.body.size() <= http::HttpClientOptions{}.max_body_bytes, "the body within its limit");
  Check(!head || a.body.empty(), "no body in an answer to HEAD");
  for (const auto& [name, value] : a.headers) {
    Check(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
          "header names lower-case");
  }
  return 0;
}
