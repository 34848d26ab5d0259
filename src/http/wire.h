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

// "METHOD target HTTP/1.1", Host, `headers` (framing left out as above, and
// Host), "User-Agent: tokenwarden" unless `headers` has one, Content-Length
// when there is a body or the method carries one (POST, PUT, PATCH), and
// the body.
std::string WireRequest(std::string_view method, std::string_view target, std::string_view host,
                        const Headers& headers, std::string_view body, std::string into = {});

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
