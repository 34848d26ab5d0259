#include "redis/redis_url.h"

#include <charconv>

namespace tokenwarden::redis {
namespace {

Error BadUrl(std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, "redis URL: " + std::string(why) +
                                                    " (expected redis://[user:password@]host:port/db)");
}

bool ParseInt(std::string_view s, int& out, int min, int max) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= min && out <= max;
}

}  // namespace

std::string RedisUrl::ToString() const {
  std::string out = "redis://";
  if (!user.empty()) out += user + "@";
  return out + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  if (url.rfind("rediss://", 0) == 0) {
    return MakeError(ErrorCode::kUnsupported,
                     "redis URL: rediss:// (TLS) is not supported by this build's hiredis; "
                     "use a TLS tunnel on loopback and redis://127.0.0.1:PORT");
  }
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) return BadUrl("must start with redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      out.password = Secret(userinfo);  // redis://password@host: the old form
    } else {
      out.user = std::string(userinfo.substr(0, colon));
      out.password = Secret(userinfo.substr(colon + 1));
    }
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  std::string_view path = rest.size() > hostport.size() ? rest.substr(hostport.size() + 1) : "";
  size_t colon = hostport.rfind(':');
  std::string_view host = colon == std::string_view::npos ? hostport : hostport.substr(0, colon);
  if (host.empty()) return BadUrl("no host");
  out.host = std::string(host);
  if (colon != std::string_view::npos && !ParseInt(hostport.substr(colon + 1), out.port, 1, 65535)) {
    return BadUrl("bad port");
  }
  if (!path.empty() && !ParseInt(path, out.db, 0, 1000)) return BadUrl("bad database number");
  return out;
}

}  // namespace tokenwarden::redis
