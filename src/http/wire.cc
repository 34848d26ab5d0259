#include "http/wire.h"

#include <boost/beast/http/status.hpp>
#include <array>
#include <charconv>
#include <cstring>

#include "util/ascii.h"

namespace tokenwarden::http {
namespace {

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// RFC 9110 tchar: the characters of a header name.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

void Append(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void AppendHeaders(std::string& out, const Headers& headers, std::initializer_list<std::string_view> left_out) {
  for (const auto& [name, value] : headers) {
    if (!WritableHeader(name, value) || OneOf(name, left_out)) continue;
    Append(out, name, value);
  }
}

size_t HeadersSize(const Headers& headers) {
  size_t n = 0;
  for (const auto& [name, value] : headers) n += name.size() + value.size() + 4;
  return n;
}

// `then`: the bytes of body the caller appends, reserved for at once.
std::string Head(int status, const Headers& headers, unsigned version, bool keep_alive, Framing framing,
                 uint64_t length, size_t then, std::string into) {
  auto beast_reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  std::string_view reason(beast_reason.data(), beast_reason.size());
  std::string out = std::move(into);
  out.clear();
  out.reserve(64 + reason.size() + HeadersSize(headers) + then);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason);
  out.append("\r\n");
  AppendHeaders(out, headers, {"content-length", "transfer-encoding", "connection"});
  if (version == 10 && keep_alive) Append(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) Append(out, "Connection", "close");
  if (!Bodiless(status)) {
    if (framing == Framing::kLength) Append(out, "Content-Length", std::to_string(length));
    if (framing == Framing::kChunked) Append(out, "Transfer-Encoding", "chunked");
  }
  out.append("\r\n");
  return out;
}

}  // namespace

bool Bodiless(int status) { return status < 200 || status == 204 || status == 304; }

bool WritableHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!kTokenChars[c]) return false;
  }
  if (value.empty()) return true;
  // memchr is vectorised; values can be long (an Authorization JWT).
  for (char c : {'\r', '\n', '\0'}) {
    if (std::memchr(value.data(), c, value.size()) != nullptr) return false;
  }
  return true;
}

void KeepOrRelease(std::string& wire) {
  if (wire.capacity() > kKeptWireCapacity) {
    std::string().swap(wire);
  } else {
    wire.clear();
  }
}

std::string WireResponse(int status, const Headers& headers, std::string_view body, unsigned version,
                         bool keep_alive, std::string into) {
  const bool bodiless = Bodiless(status);
  std::string out = Head(status, headers, version, keep_alive, Framing::kLength, body.size(),
                         bodiless ? 0 : body.size(), std::move(into));
  if (!bodiless) out.append(body);
  return out;
}

std::string WireResponseHead(int status, const Headers& headers, unsigned version, bool keep_alive,
                             Framing framing, uint64_t length, std::string into) {
  return Head(status, headers, version, keep_alive, framing, length, 0, std::move(into));
}

void AppendChunk(std::string& out, std::string_view piece) {
  char size[20];
  auto [end, ec] = std::to_chars(size, size + sizeof size, piece.size(), 16);
  out.append(size, end).append("\r\n").append(piece).append("\r\n");
}

std::string WireRequest(std::string_view method, std::string_view target, std::string_view host,
                        const Headers& headers, std::string_view body, std::string into) {
  std::string out = std::move(into);
  out.clear();
  AppendWireRequest(out, method, target, host, headers, body);
  return out;
}

void AppendWireRequest(std::string& out, std::string_view method, std::string_view target, std::string_view host,
                       const Headers& headers, std::string_view body) {
  out.reserve(out.size() + 64 + method.size() + target.size() + host.size() + HeadersSize(headers) + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  Append(out, "Host", host);
  bool has_agent = false;
  for (const auto& header : headers) has_agent = has_agent || EqualsIgnoreCase(header.first, "user-agent");
  if (!has_agent) Append(out, "User-Agent", "tokenwarden");
  AppendHeaders(out, headers, {"content-length", "transfer-encoding", "connection", "host"});
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    Append(out, "Content-Length", std::to_string(body.size()));
  }
  out.append("\r\n").append(body);
}

}  // namespace tokenwarden::http
