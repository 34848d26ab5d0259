#include "testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace tokenwarden::testing {
namespace {

// True when something answers "+PONG" (or -NOAUTH) on the port.
bool Pings(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    if (::write(fd, ping, sizeof ping - 1) > 0) {
      char buf[64] = {};
      ok = ::read(fd, buf, sizeof buf - 1) > 0 && (buf[0] == '+' || buf[0] == '-');
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

RedisServer::RedisServer(std::string password)
    : password_(std::move(password)), dir_(MakeTempDir("tw-redis")), port_(FreeLoopbackPort()) {
  Start();
}

RedisServer::~RedisServer() {
  process_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url() const {
  std::string auth = password_.empty() ? "" : ":" + password_ + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/0";
}

bool RedisServer::Start() {
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                   "--dir", dir_, "--protected-mode", "yes"};
  if (!password_.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(password_);
  }
  process_ = std::make_unique<ChildProcess>(argv, dir_ + "/redis.log");
  for (int i = 0; i < 500; ++i) {
    if (Pings(port_)) return ready_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ready_ = false;
}

void RedisServer::Stop() {
  process_.reset();
  ready_ = false;
}

}  // namespace tokenwarden::testing
