// Test support: a storm of concurrent HTTP calls, each on its own
// connection, all under way before any answer is read.
#ifndef TOKENWARDEN_TESTING_STORM_H_
#define TOKENWARDEN_TESTING_STORM_H_

#include <chrono>
#include <string>
#include <vector>

namespace tokenwarden::testing {

struct StormResult {
  std::vector<int> status;  // per call; 0: no answer
  int retried = 0;          // answers with Tokenwarden-Retried: 1
  double seconds = 0;       // until the last answer (or the limit)
};

// `n` calls, call i to ports[i % ports.size()] on 127.0.0.1; gives up on
// the ones unanswered after `limit`. The caller's open-files limit must
// allow n sockets.
StormResult Storm(const std::vector<int>& ports, int n, const std::string& method, const std::string& target,
                  const std::string& body, std::chrono::seconds limit);

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_STORM_H_
