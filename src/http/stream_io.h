// Reading an HTTP message and writing a buffer, for the server and the
// client alike, with fewer trips through the scheduler than Beast's
// composed operations take (each of those is an allocation, a post and a
// resumption of the coroutine, on every request through the proxy). The
// caller's coroutine runs the loop itself: a coroutine of ours in between
// would cost a frame per message.
//
//   bool done = ParseBuffered(buffer, parser, header_only, ec);
//   bool midway = false;
//   while (!done) {
//     size_t n = 0;
//     if (!(midway && ReadNow(stream, buffer, 512, n, ec)))
//       n = co_await stream.async_read_some(ReadSpace(buffer), redirect_error(use_awaitable, ec));
//     midway = true;
//     done = Received(buffer, parser, n, header_only, ec);
//   }
//
//   if (!WriteNow(stream, data, ec))
//     co_await asio::async_write(stream, data, redirect_error(use_awaitable, ec));
//
// - ParseBuffered parses what the buffer already holds; when that is the
//   whole message (a pipelined request, a body that came with its header)
//   nothing is awaited. Received takes a read's bytes (or its end) and
//   parses on. The first read of a message waits for epoll when the last
//   one drained the socket (http/draining_read.h); ReadNow tries the later
//   ones of the same message at once.
// - WriteNow sends on a plain socket at once, without blocking; the
//   caller awaits async_write only for what the kernel's buffer could not
//   take. On TLS it sends nothing.
//
// Errors are Beast's: http::error::end_of_stream when the peer closed
// before a message began, the parser's own (header_limit, body_limit, ...),
// else the socket's.
#ifndef TOKENWARDEN_HTTP_STREAM_IO_H_
#define TOKENWARDEN_HTTP_STREAM_IO_H_

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <cstddef>
#include <type_traits>

#include "http/draining_read.h"
#include "http/message_parser.h"

namespace tokenwarden::http {

template <class Stream>
struct IsPlainSocket : std::false_type {};
template <class Protocol, class Executor>
struct IsPlainSocket<boost::asio::basic_stream_socket<Protocol, Executor>> : std::true_type {};

// Parses what `buffer` holds until the parser has the whole header
// (`header_only`) or the whole message. True when that step is over: the
// parser is satisfied, or `ec` is set. Bytes past the message stay in
// `buffer`. The header is parsed on its own (Beast's non-eager mode), so
// that its size is known exactly and held to the parser's header_limit
// (MessageParser::HeaderFits); the body, when wanted, after it.
template <bool isRequest>
bool ParseBuffered(boost::beast::flat_buffer& buffer, MessageParser<isRequest>& parser, bool header_only,
                   boost::system::error_code& ec) {
  ec = {};
  while (!(header_only ? parser.is_header_done() : parser.is_done())) {
    if (buffer.size() == 0) return false;
    bool in_header = !parser.is_header_done();
    parser.eager(!header_only && !in_header);
    size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    bool more = ec == boost::beast::http::error::need_more;
    if (more) ec = {};
    if (ec) return true;
    if (in_header && !parser.HeaderFits(used, buffer.size())) {
      ec = boost::beast::http::error::header_limit;
      return true;
    }
    if (more || used == 0) return false;  // nothing more it can take yet
  }
  return true;
}

// Where the next read goes: up to 64 KiB past what the buffer holds, and at
// least `least` bytes (within the buffer's limit). Beast's read_size alone
// sizes a read by the buffer's spare capacity, so a small buffer takes a
// 4 KiB answer 512 bytes at a time, a system call each; a few pooled
// upstream connections can afford a larger buffer, while the server's
// thousands of idle ones keep the small default. A read into it that comes
// short lets the next one wait for epoll at once (http/draining_read.h).
inline DrainingBuffer ReadSpace(boost::beast::flat_buffer& buffer, size_t least = 512) {
  size_t room = buffer.max_size() - buffer.size();
  size_t spare = buffer.capacity() - buffer.size();
  size_t size = std::min({std::max(least, spare), size_t{65536}, room});
  return DrainingBuffer(size == 0 ? boost::asio::mutable_buffer() : buffer.prepare(size));
}

// After a read into ReadSpace of `n` bytes that ended with `ec`: true when
// the step is over, as for ParseBuffered. The peer's close ends a body that
// runs to it, and is end_of_stream before any byte of a message.
template <bool isRequest>
bool Received(boost::beast::flat_buffer& buffer, MessageParser<isRequest>& parser, size_t n,
              bool header_only, boost::system::error_code& ec) {
  buffer.commit(n);
  if (ec == boost::asio::error::eof) {
    ec = {};
    if (!parser.got_some()) {
      ec = boost::beast::http::error::end_of_stream;
    } else {
      parser.put_eof(ec);
    }
    return true;
  }
  if (ec) return true;
  if (n == 0) {  // no room left to read into
    ec = boost::beast::http::error::buffer_overflow;
    return true;
  }
  return ParseBuffered(buffer, parser, header_only, ec);
}

// The read after a short one of the same message, made at once: one recv
// (MSG_DONTWAIT) into ReadSpace(buffer, least) on a plain socket. True when
// it brought bytes, the peer's close (ec eof) or an error, with `n` set;
// false when nothing was there (or on TLS), and the caller awaits
// async_read_some. A short read into ReadSpace tells Asio the socket is
// drained (http/draining_read.h), so an awaited read waits for epoll's next
// event; but the peer's close may have come in the same event as the bytes
// just read, and would then never be seen. So, within a message, a read
// that follows a short one is tried at once, as Asio would have.
template <class Stream>
bool ReadNow(Stream& stream, boost::beast::flat_buffer& buffer, size_t least, size_t& n,
             boost::system::error_code& ec) {
  if constexpr (IsPlainSocket<Stream>::value) {
    boost::asio::mutable_buffer space = ReadSpace(buffer, least);
    n = 0;
    ec = {};
    if (space.size() == 0) return true;  // Received reports the overflow
    ssize_t got = ::recv(stream.native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (got > 0) {
      n = static_cast<size_t>(got);
    } else if (got == 0) {
      ec = boost::asio::error::eof;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      return false;
    } else {
      ec = boost::system::error_code(errno, boost::system::system_category());
    }
    return true;
  } else {
    return false;
  }
}

// Sends as much of `data` as a plain socket takes now, advancing `data`.
// True when all went, or `ec` is set; then there is nothing to await. Only
// a socket set non-blocking (socket.non_blocking(true)) is written to: on
// any other (and on TLS) it sends nothing and returns false, so that the
// caller's async_write does it all and the thread never blocks.
template <class Stream>
bool WriteNow(Stream& stream, boost::asio::const_buffer& data, boost::system::error_code& ec) {
  ec = {};
  if constexpr (IsPlainSocket<Stream>::value) {
    if (!stream.non_blocking()) return false;
    while (data.size() > 0) {
      data += stream.write_some(data, ec);
      if (ec == boost::asio::error::would_block) {
        ec = {};
        return false;
      }
      if (ec) return true;
    }
    return true;
  } else {
    return false;
  }
}

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_STREAM_IO_H_
