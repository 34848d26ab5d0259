// HTTP/1.1 messages written into one buffer: one send per message, without
// a serializer walking a chain of buffers for every header.
#ifndef TOKENWARDEN_HTTP_WIRE_H_
#define TOKENWARDEN_HTTP_WIRE_H_

#include <string>
#include <string_view>

#include "http/message.h"

namespace tokenwarden::http {

// The status line, every header of `headers` in order (repeats kept, as
// for Set-Cookie), Content-Length and the body. Framing is the writer's:
// Content-Length, Transfer-Encoding and Connection in `headers` are left
// out; Connection is written when `keep_alive` differs from the version's
// default. 1xx, 204 and 304 carry neither Content-Length nor body.
// `version` is 10 or 11.
//
// Both writers fill `into` (emptied first) and return it, so that a
// connection can hand back the buffer of its last message and reuse its
// memory; see KeepOrRelease.
std::string WireResponse(int status, const Headers& headers, std::string_view body, unsigned version,
                         bool keep_alive, std::string into = {});

// How the body that follows a response's header is delimited.
enum class Framing {
  kLength,   // Content-Length: the body's size, given
  kChunked,  // Transfer-Encoding: chunked (HTTP/1.1 only); see AppendChunk
  kToClose,  // neither: the body ends when the connection closes
};

// The status line and headers only, as WireResponse writes them, for a body
// written after them: `length` bytes (kLength), in chunks (kChunked), or up
// to the close (kToClose, where `keep_alive` must be false). 1xx, 204 and
// 304 carry no framing header, whatever is asked.
std::string WireResponseHead(int status, const Headers& headers, unsigned version, bool keep_alive,
                             Framing framing, uint64_t length = 0, std::string into = {});

// Whether an answer of this status never has a body: 1xx, 204 and 304.
bool Bodiless(int status);

// Appends `piece` as one chunk of a chunked body. An empty piece is the last
// chunk, which ends the body.
void AppendChunk(std::string& out, std::string_view piece);

// "METHOD target HTTP/1.1", Host, `headers` (framing left out as above, and
// Host), "User-Agent: tokenwarden" unless `headers` has one, Content-Length
// when there is a body or the method carries one (POST, PUT, PATCH), and
// the body.
std::string WireRequest(std::string_view method, std::string_view target, std::string_view host,
                        const Headers& headers, std::string_view body, std::string into = {});
// The same request appended to `out`, after the requests it holds (a pipeline's).
void AppendWireRequest(std::string& out, std::string_view method, std::string_view target, std::string_view host,
                       const Headers& headers, std::string_view body);

// After a message is sent: empties `wire`, keeping its memory for the next
// message unless it grew past kKeptWireCapacity (one large message should
// not stay allocated on an idle connection).
constexpr size_t kKeptWireCapacity = 4096;
void KeepOrRelease(std::string& wire);

// Whether a header can be written as it is: a non-empty token name and a
// value without CR, LF or NUL (which would end the header, or the message,
// early). The writers above leave out the headers that cannot.
bool WritableHeader(std::string_view name, std::string_view value);

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_WIRE_H_
