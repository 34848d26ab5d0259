#include "testing/nginx_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace tokenwarden::testing {
namespace {

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool Run(const std::vector<std::string>& argv, std::string* error) {
  ProcessResult r = RunProcess(argv);
  if (r.exit_code == 0) return true;
  *error = argv[0] + " " + argv[1] + " failed: " + r.err;
  return false;
}

}  // namespace

bool WriteTestFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out.flush());
}

TestPki MakeTestPki(const std::string& dir,
                    const std::vector<std::string>& dns_names,
                    std::string* error) {
  const std::string openssl = "/usr/bin/openssl";
  std::string san = "subjectAltName=";
  for (size_t i = 0; i < dns_names.size(); ++i)
    san += (i ? ",DNS:" : "DNS:") + dns_names[i];
  TestPki pki{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  bool ok =
      Run({openssl,
           "req",
           "-x509",
           "-newkey",
           "ec",
           "-pkeyopt",
           "ec_paramgen_curve:P-256",
           "-nodes",
           "-keyout",
           dir + "/ca.key",
           "-out",
           pki.ca_cert,
           "-days",
           "2",
           "-subj",
           "/CN=tokenwarden test CA",
           "-addext",
           "basicConstraints=critical,CA:TRUE",
           "-addext",
           "keyUsage=critical,keyCertSign"},
          error) &&
      Run({openssl, "req", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:P-256", "-nodes", "-keyout", pki.server_key,
           "-out", dir + "/server.csr", "-subj", "/CN=" + dns_names.front()},
          error) &&
      WriteTestFile(dir + "/ext.cnf",
                    san + "\nextendedKeyUsage=serverAuth\n") &&
      Run({openssl, "x509", "-req", "-in", dir + "/server.csr", "-CA",
           pki.ca_cert, "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out",
           pki.server_cert, "-days", "2", "-extfile", dir + "/ext.cnf"},
          error);
  return ok ? pki : TestPki{};
}

std::unique_ptr<NginxServer> NginxServer::Start(const std::string& dir,
                                                const std::string& http_body,
                                                const std::vector<int>& ports,
                                                std::string* error) {
  std::string conf =
      "user root;\n"  // ignored unless run as root; then workers can read the
                      // 0700 test dir
      "worker_processes 1;\n"
      "error_log " +
      dir +
      "/error.log warn;\n"
      "pid " +
      dir +
      "/nginx.pid;\n"
      "load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;\n"
      "events { worker_connections 128; }\n"
      "http {\n"
      "  access_log off;\n"
      "  client_body_temp_path " +
      dir +
      "/client_body;\n"
      "  proxy_temp_path " +
      dir +
      "/proxy;\n"
      "  fastcgi_temp_path " +
      dir +
      "/fastcgi;\n"
      "  uwsgi_temp_path " +
      dir +
      "/uwsgi;\n"
      "  scgi_temp_path " +
      dir +
      "/scgi;\n"
      "  default_type application/octet-stream;\n" +
      http_body + "\n}\n";
  if (!WriteTestFile(dir + "/nginx.conf", conf)) {
    *error = "cannot write " + dir + "/nginx.conf";
    return nullptr;
  }
  auto process = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/sbin/nginx", "-c", dir + "/nginx.conf",
                               "-p", dir, "-g", "daemon off;"},
      dir + "/nginx.out");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int port : ports) {
    while (!Accepts(port)) {
      if (!process->running() || std::chrono::steady_clock::now() > deadline) {
        std::ifstream log(dir + "/error.log");
        std::string text((std::istreambuf_iterator<char>(log)),
                         std::istreambuf_iterator<char>());
        *error = "nginx did not come up on port " + std::to_string(port) +
                 ": " + text;
        return nullptr;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return std::unique_ptr<NginxServer>(new NginxServer(dir, std::move(process)));
}

NginxServer::~NginxServer() {
  process_->Stop(SIGTERM, std::chrono::seconds(5));
}

}  // namespace tokenwarden::testing
