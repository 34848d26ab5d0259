// Test support: a real nginx on loopback, started from a generated
// configuration and stopped by PID; and a throwaway CA with a server
// certificate made with the openssl command. Not part of libtokenwarden.
#ifndef TOKENWARDEN_TESTING_NGINX_SERVER_H_
#define TOKENWARDEN_TESTING_NGINX_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "testing/subprocess.h"

namespace tokenwarden::testing {

struct TestPki {
  std::string ca_cert;      // PEM file of the CA, to trust
  std::string server_cert;  // PEM chain for the server
  std::string server_key;
};

// Makes a CA and a server certificate for `dns_names` (subjectAltName) in
// `dir`. Empty paths on failure, with the reason in *error.
TestPki MakeTestPki(const std::string& dir,
                    const std::vector<std::string>& dns_names,
                    std::string* error);

class NginxServer {
 public:
  // Writes `dir`/nginx.conf with `http_body` inside its http {} block (after
  // the temp paths and logs set to `dir`), starts nginx in the foreground and
  // waits until every port in `ports` accepts connections. nullptr (and
  // *error) when it does not come up within 10 s.
  static std::unique_ptr<NginxServer> Start(const std::string& dir,
                                            const std::string& http_body,
                                            const std::vector<int>& ports,
                                            std::string* error);
  // Stops nginx by its PID (SIGTERM; SIGKILL if it lingers).
  ~NginxServer();

  const std::string& dir() const { return dir_; }

 private:
  NginxServer(std::string dir, std::unique_ptr<ChildProcess> process)
      : dir_(std::move(dir)), process_(std::move(process)) {}

  std::string dir_;
  std::unique_ptr<ChildProcess> process_;
};

// Writes `content` to `path`; false on failure.
bool WriteTestFile(const std::string& path, const std::string& content);

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_NGINX_SERVER_H_
