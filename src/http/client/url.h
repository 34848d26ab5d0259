// Absolute http(s) URLs as the client needs them, and their redaction for
// messages: a query string may carry a credential (Nova Post's apiKey), so
// every error and log line shows a URL only through RedactUrl().
#ifndef TOKENWARDEN_HTTP_CLIENT_URL_H_
#define TOKENWARDEN_HTTP_CLIENT_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden::http {

struct Url {
  std::string scheme;  // "http" or "https", lower-case
  std::string host;    // lower-case; an IPv6 literal without brackets
  uint16_t port = 0;   // explicit, or the scheme's default
  std::string target;  // path plus "?query" ("/" when the URL has no path)

  // Parses "scheme://host[:port][/path][?query][#fragment]". The fragment is
  // dropped; user info ("user:pass@") is refused, since a credential has no
  // business in a URL we log. Errors name the URL, redacted.
  static Result<Url> Parse(std::string_view text);

  // "https://host:port", the key connections are pooled by.
  std::string Origin() const;
  // The Host header: the host, with the port when it is not the default.
  std::string HostHeader() const;
  // The URL for messages: query values redacted (see RedactUrl).
  std::string Redacted() const;
  bool is_https() const { return scheme == "https"; }
};

// A base URL parsed once for the many requests made below it (the proxy's
// upstream): what the client would otherwise work out from every request.
struct BaseUrl {
  std::string text;         // as given
  Url url;                  // url.target is the prefix every request's target starts with
  std::string origin;       // url.Origin()
  std::string host_header;  // url.HostHeader()
  bool loopback = false;    // IsLoopbackHost(url.host)

  // Parses as Url::Parse does. A base without a path ("https://host")
  // has an empty prefix, so that "https://host" + "/x" targets "/x".
  static Result<BaseUrl> Parse(std::string_view text);
};

// The URL with every query value replaced by "[redacted]" (names are kept,
// they help a reader) and user info dropped. Safe for messages and logs.
std::string RedactUrl(std::string_view text);

// True for "localhost", 127.0.0.0/8 and ::1 (also as v4-mapped ::ffff:127.x).
bool IsLoopbackHost(std::string_view host);

// %XX-encodes everything outside RFC 3986's unreserved set, for a query value.
std::string UrlEncode(std::string_view in);

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_URL_H_
