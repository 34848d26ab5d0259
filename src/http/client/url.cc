#include "http/client/url.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

namespace tokenwarden::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error BadUrl(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "URL '" + RedactUrl(text) + "' " + std::string(why));
}

}  // namespace

Result<Url> Url::Parse(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos)
    return BadUrl(text, "has no scheme (expected https://...)");
  Url url;
  url.scheme = Lower(text.substr(0, sep));
  if (url.scheme == "https") {
    url.port = 443;
  } else if (url.scheme == "http") {
    url.port = 80;
  } else {
    return BadUrl(text, "has scheme '" + url.scheme +
                            "'; only http and https are supported");
  }
  std::string_view rest = text.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return BadUrl(text, "carries user info; put credentials elsewhere");
  std::string_view host = authority;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return BadUrl(text, "has an unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return BadUrl(text, "has junk after the IPv6 literal");
      port_text = after.substr(1);
      has_port = true;
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return BadUrl(text, "has a bad IPv6 literal");
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    bool ok_chars = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
             c == '.' || c == '_';
    });
    if (!ok_chars) return BadUrl(text, "has a malformed host");
  }
  if (host.empty()) return BadUrl(text, "has no host");
  if (has_port) {
    int port = 0;
    auto [p, err] = std::from_chars(port_text.data(),
                                    port_text.data() + port_text.size(), port);
    if (port_text.empty() || err != std::errc() ||
        p != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return BadUrl(text, "has a bad port");
    }
    url.port = static_cast<uint16_t>(port);
  }
  url.host = Lower(host);
  bool printable = std::all_of(target.begin(), target.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 &&
           static_cast<unsigned char>(c) < 0x7f;
  });
  if (!printable)
    return BadUrl(text,
                  "has spaces or control characters in its path or query");
  url.target = target.empty()
                   ? "/"
                   : (target.front() == '?' ? "/" + std::string(target)
                                            : std::string(target));
  return url;
}

Result<BaseUrl> BaseUrl::Parse(std::string_view text) {
  BaseUrl base;
  TW_ASSIGN_OR_RETURN(base.url, Url::Parse(text));
  size_t authority = text.find("://") + 3;  // Url::Parse found it
  if (text.find_first_of("/?", authority) == std::string_view::npos) base.url.target.clear();
  base.text = std::string(text);
  base.origin = base.url.Origin();
  base.host_header = base.url.HostHeader();
  base.loopback = IsLoopbackHost(base.url.host);
  return base;
}

// The host as it stands in a URL: an IPv6 literal in brackets.
static std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string Url::Origin() const { return scheme + "://" + UrlHost(host) + ":" + std::to_string(port); }

std::string Url::HostHeader() const {
  std::string h = UrlHost(host);
  bool default_port =
      (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  return default_port ? h : h + ":" + std::to_string(port);
}

std::string Url::Redacted() const {
  return RedactUrl(scheme + "://" + HostHeader() + target);
}

std::string RedactUrl(std::string_view text) {
  std::string_view fragmentless = text.substr(0, text.find('#'));
  std::string out;
  size_t sep = fragmentless.find("://");
  size_t authority_start = sep == std::string_view::npos ? 0 : sep + 3;
  size_t authority_end = fragmentless.find_first_of("/?", authority_start);
  std::string_view authority =
      fragmentless.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  out.append(fragmentless.substr(0, authority_start));
  out.append(at == std::string_view::npos ? authority
                                          : authority.substr(at + 1));
  if (authority_end == std::string_view::npos) return out;
  std::string_view rest = fragmentless.substr(authority_end);
  size_t q = rest.find('?');
  out.append(rest.substr(0, q));
  if (q == std::string_view::npos) return out;
  out += '?';
  std::string_view query = rest.substr(q + 1);
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    size_t eq = pair.find('=');
    out.append(pair.substr(0, eq));
    if (eq != std::string_view::npos) out += "=[redacted]";
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  if (Lower(host) == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v4()) return address.to_v4().is_loopback();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6)
        .is_loopback();
  return v6.is_loopback();
}

std::string UrlEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tokenwarden::http
