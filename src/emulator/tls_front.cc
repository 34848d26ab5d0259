#include "emulator/tls_front.h"

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <thread>

#include "util/openssl_error.h"

namespace tokenwarden::emulator {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::use_awaitable;
using TlsStream = asio::ssl::stream<tcp::socket>;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A self-signed certificate for localhost and 127.0.0.1, and its key.
Result<std::pair<Cert, Pkey>> MakeCertificate() {
  Pkey key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) return OpenSslError(ErrorCode::kInternal, "making the TLS key");
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_set_version(cert.get(), 2) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 86400) != nullptr &&
       X509_set_pubkey(cert.get(), key.get()) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("tokenwarden emulator"), -1, -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 &&
       AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
       AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
       X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return OpenSslError(ErrorCode::kInternal, "making the TLS certificate");
  return std::make_pair(std::move(cert), std::move(key));
}

Status WritePem(const std::string& path, X509* cert) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "w"), std::fclose);
  if (!f) return MakeError(ErrorCode::kIo, "cannot write the certificate to " + path);
  if (PEM_write_X509(f.get(), cert) != 1) return OpenSslError(ErrorCode::kIo, "writing the certificate to " + path);
  return OkStatus();
}

class TlsFrontImpl final : public TlsFront {
 public:
  explicit TlsFrontImpl(int backend_port) : backend_port_(backend_port) {}
  ~TlsFrontImpl() override { Stop(); }

  Status Init(const std::string& listen, const std::string& cert_file) {
    TW_ASSIGN_OR_RETURN(auto made, MakeCertificate());
    if (SSL_CTX_use_certificate(tls_.native_handle(), made.first.get()) != 1 ||
        SSL_CTX_use_PrivateKey(tls_.native_handle(), made.second.get()) != 1) {
      return OpenSslError(ErrorCode::kInternal, "setting up TLS");
    }
    TW_RETURN_IF_ERROR(WritePem(cert_file, made.first.get()));
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return MakeError(ErrorCode::kInvalidArgument, "--listen must be HOST:PORT with --tls");
    boost::system::error_code ec;
    auto address = asio::ip::make_address(listen.substr(0, colon), ec);
    int port = std::atoi(listen.c_str() + colon + 1);
    if (ec || port < 0 || port > 65535) {
      return MakeError(ErrorCode::kInvalidArgument, "--listen must be IP:PORT with --tls, not " + listen);
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot listen on " + listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, Accept(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
    return OkStatus();
  }

  int port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      auto peer = socket.remote_endpoint(ec);
      if (ec || !peer.address().is_loopback()) continue;  // closed as it goes out of scope
      asio::co_spawn(ioc_, Serve(std::move(socket)), asio::detached);
    }
  }

  // Copies `from` to `to` until either side ends, then closes both
  // connections, which ends the other direction too.
  template <class From, class To>
  static asio::awaitable<void> Pipe(std::shared_ptr<From> from, std::shared_ptr<To> to, std::shared_ptr<TlsStream> tls,
                                    std::shared_ptr<tcp::socket> backend) {
    std::array<char, 16 * 1024> buf;
    boost::system::error_code ec;
    while (true) {
      size_t n = co_await from->async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      co_await asio::async_write(*to, asio::buffer(buf.data(), n), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
    backend->close(ec);
    tls->lowest_layer().close(ec);
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    auto tls = std::make_shared<TlsStream>(std::move(socket), tls_);
    boost::system::error_code ec;
    co_await tls->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    auto backend = std::make_shared<tcp::socket>(ioc_);
    tcp::endpoint to(asio::ip::address_v4::loopback(), static_cast<unsigned short>(backend_port_));
    co_await backend->async_connect(to, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(ioc_, Pipe(backend, tls, tls, backend), asio::detached);
    co_await Pipe(tls, backend, tls, backend);
  }

  int backend_port_;
  int port_ = 0;
  asio::io_context ioc_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<TlsFront>> TlsFront::Start(const std::string& listen, const std::string& cert_file,
                                                  int backend_port) {
  auto front = std::make_unique<TlsFrontImpl>(backend_port);
  TW_RETURN_IF_ERROR(front->Init(listen, cert_file));
  return std::unique_ptr<TlsFront>(std::move(front));
}

}  // namespace tokenwarden::emulator
