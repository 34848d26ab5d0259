// Maps the client's socket, TLS and HTTP-parse errors to tokenwarden errors
// whose message says which step failed and where, never with a query value.
#ifndef TOKENWARDEN_HTTP_CLIENT_TRANSPORT_ERROR_H_
#define TOKENWARDEN_HTTP_CLIENT_TRANSPORT_ERROR_H_

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

#include "http/client/url.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden::http {

// The caps on an answer, named in the error when one was hit (0: not named).
struct AnswerLimits {
  size_t header_bytes = 0;
  size_t body_bytes = 0;
};

// `step` reads as "connecting to", "writing to", "reading from".
// `timeout` is the limit of that step, named when it was hit.
//   timeout -> kDeadlineExceeded; refused/reset/closed/unreachable ->
//   kUnavailable; header or body caps -> kResourceExhausted; a malformed
//   answer -> kInternal.
Error TransportError(const boost::system::error_code& ec, std::string_view step,
                     const Url& url, Duration timeout, AnswerLimits limits = {});

// A TLS handshake failure. `verify_result` is OpenSSL's X509 verify result
// (X509_V_OK when the failure was not about the certificate):
// a certificate that does not verify -> kUnauthenticated naming the host.
Error TlsHandshakeError(const boost::system::error_code& ec, long verify_result,
                        const Url& url);

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_TRANSPORT_ERROR_H_
