#include "http/client/transport_error.h"

#include <openssl/x509.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

namespace tokenwarden::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

std::string Seconds(Duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                        : std::to_string(ms) + " ms";
}

// "4 MiB", "16 KiB", "1000 bytes".
std::string Bytes(size_t n) {
  if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) return std::to_string(n / (1024 * 1024)) + " MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " bytes";
}

// "answer body too large", or with its cap known "answer body larger than
// 4 MiB".
std::string TooLarge(std::string_view part, size_t cap) {
  std::string out = "answer " + std::string(part);
  return cap == 0 ? out + " too large" : out + " larger than " + Bytes(cap);
}

bool IsConnectionFailure(const boost::system::error_code& ec) {
  return ec == asio::error::connection_refused ||
         ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::eof ||
         ec == asio::error::broken_pipe ||
         ec == asio::error::host_unreachable ||
         ec == asio::error::network_unreachable ||
         ec == asio::error::host_not_found ||
         ec == asio::error::host_not_found_try_again ||
         ec == asio::error::not_connected || ec == asio::error::timed_out ||
         ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message ||
         ec == asio::ssl::error::stream_truncated ||
         ec.category() == asio::error::get_netdb_category() ||
         ec.category() == asio::error::get_addrinfo_category();
}

}  // namespace

Error TransportError(const boost::system::error_code& ec, std::string_view step,
                     const Url& url, Duration timeout, AnswerLimits limits) {
  std::string where = std::string(step) + " " + url.Redacted();
  if (ec == boost::beast::error::timeout ||
      ec == asio::error::operation_aborted) {
    return MakeError(ErrorCode::kDeadlineExceeded,
                     "timed out " + where + " after " + Seconds(timeout));
  }
  if (ec == bhttp::error::header_limit) {
    return MakeError(ErrorCode::kResourceExhausted,
                     TooLarge("headers", limits.header_bytes) + " " + where);
  }
  if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
    return MakeError(ErrorCode::kResourceExhausted,
                     TooLarge("body", limits.body_bytes) + " " + where);
  }
  if (IsConnectionFailure(ec)) {
    return MakeError(ErrorCode::kUnavailable, where + ": " + ec.message());
  }
  if (ec.category() ==
      bhttp::make_error_code(bhttp::error::bad_version).category()) {
    return MakeError(ErrorCode::kInternal,
                     "malformed answer " + where + ": " + ec.message());
  }
  return MakeError(ErrorCode::kUnavailable, where + ": " + ec.message());
}

Error TlsHandshakeError(const boost::system::error_code& ec, long verify_result,
                        const Url& url) {
  if (verify_result != X509_V_OK) {
    return MakeError(ErrorCode::kUnauthenticated,
                     "TLS certificate of '" + url.host + "' did not verify: " +
                         X509_verify_cert_error_string(verify_result));
  }
  if (ec == boost::beast::error::timeout) {
    return MakeError(ErrorCode::kDeadlineExceeded,
                     "timed out in the TLS handshake with '" + url.host + "'");
  }
  if (ec.category() == asio::error::get_ssl_category() ||
      ec == asio::ssl::error::stream_truncated) {
    return MakeError(
        ErrorCode::kUnavailable,
        "TLS handshake with '" + url.host + "' failed: " + ec.message());
  }
  return TransportError(ec, "in the TLS handshake with", url, Duration{});
}

}  // namespace tokenwarden::http
