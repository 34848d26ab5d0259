// Test support: a real redis-server on a free loopback port, started by the
// test and stopped by PID.
#ifndef TOKENWARDEN_TESTING_REDIS_SERVER_H_
#define TOKENWARDEN_TESTING_REDIS_SERVER_H_

#include <memory>
#include <string>

#include "testing/subprocess.h"

namespace tokenwarden::testing {

class RedisServer {
 public:
  // Starts redis-server (no persistence) and waits until it answers PING.
  // `password` sets requirepass when not empty.
  explicit RedisServer(std::string password = "");
  ~RedisServer();

  bool ok() const { return ready_; }
  int port() const { return port_; }
  std::string url() const;  // redis://[:password@]127.0.0.1:PORT/0

  void Stop();     // SIGTERM and wait
  bool Start();    // again on the same port, waiting until ready

 private:
  std::string password_;
  std::string dir_;
  int port_;
  bool ready_ = false;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_REDIS_SERVER_H_
