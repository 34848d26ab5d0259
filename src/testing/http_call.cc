#include "testing/http_call.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/sync_call.h"

namespace tokenwarden::testing {

HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  HttpReply reply;
  auto r = http::SyncCall("127.0.0.1:" + std::to_string(port), method, target, headers, body);
  if (!r.ok()) return reply;  // status 0: no answer
  reply.status = r->status;
  reply.headers = std::move(r->headers);
  reply.body = std::move(r->body);
  return reply;
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string RawExchange(int port, const std::string& raw) {
  int fd = Connect(port);
  if (fd < 0) return "";
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace tokenwarden::testing
