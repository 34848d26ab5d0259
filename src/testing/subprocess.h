// Test support: run a program with given stdin and collect its output, or
// start a long-running one (an emulator, an agent, redis-server, nginx) and
// stop it by PID.
#ifndef TOKENWARDEN_TESTING_SUBPROCESS_H_
#define TOKENWARDEN_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tokenwarden::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or not started
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with `input` on stdin until it exits or `timeout`
// passes (then it is killed).
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A child process that is killed (SIGTERM, then SIGKILL) when this goes out
// of scope. stdout/stderr go to `log_path` when given, else are discarded.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig` and waits up to `timeout` for the exit; returns the exit
  // status as from waitpid, or -1.
  int Stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

// A new private temporary directory (mode 0700).
std::string MakeTempDir(const std::string& prefix = "tw-test");

// Lifts this process's soft open-files limit to the hard one, for tests
// that hold thousands of sockets (storms, idle connections).
void RaiseOpenFilesLimit();

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_SUBPROCESS_H_
