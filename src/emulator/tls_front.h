// `tokenwarden emulate --tls CERT_FILE`: a TLS front for the emulator, so
// that a client can be tested over https:// as it runs in production.
//
// The front makes a fresh self-signed certificate (P-256, for localhost and
// 127.0.0.1, valid 30 days) and writes it, PEM, to the file the user names:
// the client's trust (e.g. the agent's ca_file). Each TLS connection's bytes
// are passed to the plain emulator server on loopback. Only loopback peers
// are admitted: the backend sees every connection as coming from loopback,
// so a remote peer would otherwise reach the control API.
#ifndef TOKENWARDEN_EMULATOR_TLS_FRONT_H_
#define TOKENWARDEN_EMULATOR_TLS_FRONT_H_

#include <memory>
#include <string>

#include "tokenwarden/result.h"

namespace tokenwarden::emulator {

// Thread-safety: Stop() may be called from any thread, once; the destructor
// stops.
class TlsFront {
 public:
  // Listens on `listen` (HOST:PORT, port 0 for any), writes the certificate
  // to `cert_file` (replacing it) and passes connections to
  // 127.0.0.1:`backend_port`.
  static Result<std::unique_ptr<TlsFront>> Start(const std::string& listen, const std::string& cert_file,
                                                 int backend_port);
  virtual ~TlsFront() = default;
  virtual int port() const = 0;
  virtual void Stop() = 0;
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_TLS_FRONT_H_
