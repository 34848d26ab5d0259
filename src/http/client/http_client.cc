#include "http/client/http_client.h"

#include <dirent.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <cctype>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "http/client/connection.h"
#include "http/client/connection_pool.h"
#include "http/client/pipeline.h"
#include "http/client/url.h"
#include "util/ascii.h"
#include "util/async_limit.h"
#include "util/openssl_error.h"

namespace tokenwarden::http {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

Result<asio::ssl::context> MakeTlsContext(const HttpClientOptions& options);

// The rest of a streamed answer, read on the connection it holds. That
// connection is closed with it, never pooled: such answers are rare, and
// one given up half-way leaves its connection unusable.
class ConnectionBody final : public BodyStream {
 public:
  ConnectionBody(std::unique_ptr<Connection> connection, Duration read_timeout)
      : connection_(std::move(connection)), read_timeout_(read_timeout) {}

  // Not a coroutine: the caller awaits ReadMore's at once, while this lives.
  awaitable<Result<std::string>> Next() override { return connection_->ReadMore(read_timeout_); }

 private:
  std::unique_ptr<Connection> connection_;
  const Duration read_timeout_;
};

class BeastHttpClient : public HttpClient {
 public:
  BeastHttpClient(const HttpClientOptions& options, std::optional<asio::ssl::context> tls)
      : options_(options),
        tls_(std::move(tls)),
        pool_(options.max_idle_per_origin, options.idle_timeout),
        pipelines_(options.pipeline_depth, options.idle_timeout) {}

  // One coroutine for the whole exchange (each nested one costs a frame
  // on every request through the proxy).
  awaitable<Result<ClientResponse>> Send(ClientRequest request) override {
    try {
      // Where to: the request's base, checked here (it may have been parsed
      // for another client), or its own URL, parsed and checked.
      // (Kept out of the frame, which is allocated on every request.)
      std::unique_ptr<const BaseUrl> own;
      const BaseUrl* to = request.base.get();
      std::string_view rest = request.url;
      if (to && !Allowed(*to)) co_return InsecureHttp(to->url);
      if (!to) {
        auto checked = Check(request.url);
        if (!checked.ok()) co_return std::move(checked).error();
        own = std::move(*checked);
        to = own.get();
        rest = {};
      }
      std::optional<AsyncLimit::Place> place;
      if (in_flight_) {
        if (!in_flight_->TryAcquire()) co_await in_flight_->Acquire();
        place.emplace(in_flight_.get());
      }
      auto executor = co_await asio::this_coro::executor;
      const asio::execution_context* context = &asio::query(executor, asio::execution::context);
      bool replayable = request.method == "GET" || request.method == "HEAD";
      if (replayable && request.pipeline && request.body.empty() && options_.pipeline_depth > 1) {
        co_return co_await Pipelined(*to, rest, request, executor, context);
      }
      for (int attempt = 0;; ++attempt) {
        std::unique_ptr<Connection> connection = pool_.Take(to->origin, context);
        bool reused = connection != nullptr;
        if (!reused) {
          auto opened = co_await Open(*to);
          if (!opened.ok()) co_return std::move(opened).error();
          connection = std::move(*opened);
        }
        auto response = co_await connection->Exchange(*to, rest, request, options_);
        if (response.ok()) {
          if (connection->streaming()) {
            response->rest = std::make_shared<ConnectionBody>(std::move(connection), options_.read_timeout);
            co_return response;
          }
          if (connection->reusable()) pool_.Put(to->origin, std::move(connection));
          co_return response;
        }
        // A kept-alive connection the server closed meanwhile fails before any
        // answer; the server never saw a request whose write failed, and a GET
        // may be repeated. Anything else might have been processed: no retry.
        bool unseen = !connection->answer_started() && (connection->failed_writing() || replayable);
        if (!(reused && unseen && attempt == 0)) co_return response;
      }
    } catch (const std::exception& e) {
      co_return MakeError(ErrorCode::kInternal, std::string("HTTP client failure: ") + e.what());
    }
  }

  // Send's way for a GET or HEAD when pipelining (pipeline_depth): on a
  // pipeline with room, or a new one on an idle or new connection. A request
  // given up unanswered goes again:
  // - the front one, once, as on a connection of its own, when the pipeline
  //   had served before (it may have been closed meanwhile);
  // - one waiting behind others, up to pipeline_depth times: each time, the
  //   one in front of it was answered or failed (a server answering one
  //   request per connection serves a queue of them one per connection).
  awaitable<Result<ClientResponse>> Pipelined(const BaseUrl& to, std::string_view rest, const ClientRequest& request,
                                              const asio::any_io_executor& executor,
                                              const asio::execution_context* context) {
    for (int attempt = 0;; ++attempt) {
      std::shared_ptr<Pipeline> pipeline = pipelines_.Find(to.origin, context);
      bool reused = pipeline != nullptr;
      if (!pipeline) {
        // Made before its connection is open, so that the requests meanwhile
        // queue on it rather than open one each.
        std::unique_ptr<Connection> connection = pool_.Take(to.origin, context);
        reused = connection != nullptr;
        pipeline = std::make_shared<Pipeline>(std::move(connection), context, executor);
        pipelines_.Add(to.origin, pipeline);
        if (!reused) asio::co_spawn(executor, OpenFor(pipeline, to), asio::detached);
      }
      Pipeline::Outcome outcome = co_await pipeline->Exchange(to, rest, request, options_);
      if (outcome.response.ok() && outcome.streamed) {
        outcome.response->rest = std::make_shared<ConnectionBody>(std::move(outcome.streamed), options_.read_timeout);
      }
      bool again = outcome.behind ? attempt < static_cast<int>(options_.pipeline_depth) : reused && attempt == 0;
      if (outcome.response.ok() || !outcome.unseen || !again) co_return std::move(outcome.response);
    }
  }

  // Opens `pipeline`'s connection (a coroutine of its own, spawned).
  awaitable<void> OpenFor(std::shared_ptr<Pipeline> pipeline, BaseUrl to) {
    try {
      auto opened = co_await Open(to);
      if (opened.ok()) {
        pipeline->Attach(std::move(*opened));
      } else {
        pipeline->Fail(std::move(opened).error());
      }
    } catch (const std::exception& e) {
      pipeline->Fail(MakeError(ErrorCode::kInternal, std::string("HTTP client failure: ") + e.what()));
    }
  }

  // A new connection to `to`'s origin.
  awaitable<Result<std::unique_ptr<Connection>>> Open(const BaseUrl& to) {
    asio::ssl::context* tls = nullptr;
    if (to.url.is_https()) {
      auto made = Tls();
      if (!made.ok()) co_return std::move(made).error();
      tls = *made;
    }
    auto opened = co_await Connection::Open(to.url, tls, options_);
    if (opened.ok()) opened_.fetch_add(1);
    co_return opened;
  }

  Status CheckUrl(std::string_view text) const override {
    return Check(text).ok() ? OkStatus() : Check(text).error();
  }

  uint64_t connections_opened() const override { return opened_.load(); }

  void CloseIdle() override {
    pool_.Clear();
    pipelines_.Clear();
  }

 private:
  Result<std::unique_ptr<const BaseUrl>> Check(std::string_view text) const {
    TW_ASSIGN_OR_RETURN(BaseUrl url, BaseUrl::Parse(text));
    if (!Allowed(url)) return InsecureHttp(url.url);
    return std::make_unique<const BaseUrl>(std::move(url));
  }

  bool Allowed(const BaseUrl& url) const { return url.url.is_https() || options_.allow_insecure_http || url.loopback; }

  static Error InsecureHttp(const Url& url) {
    return MakeError(ErrorCode::kPermissionDenied, "refusing plain http:// to non-loopback host '" + url.host +
                                                       "' (" + url.Redacted() + "); use https, or set allow_insecure_http");
  }

  // The TLS context, made by the first https connection unless it was made
  // at once (see MakeHttpClient).
  Result<asio::ssl::context*> Tls() {
    std::lock_guard<std::mutex> lock(tls_mu_);
    if (!tls_) {
      TW_ASSIGN_OR_RETURN(auto made, MakeTlsContext(options_));
      tls_.emplace(std::move(made));
    }
    return &*tls_;
  }

  const HttpClientOptions options_;
  std::mutex tls_mu_;
  std::optional<asio::ssl::context> tls_;  // guarded by tls_mu_
  ConnectionPool pool_;
  Pipelines pipelines_;
  std::atomic<uint64_t> opened_{0};
  // Null: no limit.
  std::unique_ptr<AsyncLimit> in_flight_ =
      options_.max_in_flight > 0 ? std::make_unique<AsyncLimit>(options_.max_in_flight) : nullptr;
};

// "1a2b3c4d.0": a certificate's subject hash, then which of that hash.
bool IsHashName(std::string_view name) {
  auto all = [](std::string_view s, auto pred) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
  };
  return name.size() >= 10 && name[8] == '.' && all(name.substr(0, 8), isxdigit) && all(name.substr(9), isdigit);
}

// Whether one of `dirs` (separated by ':') holds certificates under their
// subject hash ("1a2b3c4d.0"), as OpenSSL's directory lookup reads them.
bool AnyHashedDirectory(std::string_view dirs) {
  while (!dirs.empty()) {
    size_t end = dirs.find(':');
    std::string dir(dirs.substr(0, end));
    dirs = end == std::string_view::npos ? std::string_view() : dirs.substr(end + 1);
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
    if (!d) continue;
    while (dirent* e = readdir(d.get())) {
      if (IsHashName(e->d_name)) return true;
    }
  }
  return false;
}

// The system trust store. OpenSSL's default paths parse every certificate of
// the bundle file at once (about 0.9 MiB of heap on Debian 12), for the one
// or two issuers an agent's upstreams need. The default directory holds the
// same certificates (update-ca-certificates writes both), read one issuer at
// a time as chains need them. So the directory alone is used when it is
// hashed and SSL_CERT_FILE names no bundle but the system's own (container
// images often set it to that, for the tools that need telling); otherwise
// the defaults, file and directory, as OpenSSL has them.
bool LoadSystemTrust(SSL_CTX* ctx) {
  const char* file_env = std::getenv(X509_get_default_cert_file_env());
  const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
  std::string dirs = dir_env && *dir_env ? dir_env : X509_get_default_cert_dir();
  bool other_bundle = false;  // SSL_CERT_FILE names a bundle that is not the system's
  if (file_env && *file_env) {
    std::error_code named_ec, system_ec;
    auto named = std::filesystem::canonical(file_env, named_ec);
    auto system = std::filesystem::canonical(X509_get_default_cert_file(), system_ec);
    other_bundle = named_ec || system_ec || named != system;
  }
  if (!other_bundle && AnyHashedDirectory(dirs)) {
    return SSL_CTX_load_verify_dir(ctx, dirs.c_str()) == 1;
  }
  return SSL_CTX_set_default_verify_paths(ctx) == 1;
}

Result<asio::ssl::context> MakeTlsContext(const HttpClientOptions& options) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_verify_mode(asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (options.use_system_trust && !LoadSystemTrust(tls.native_handle())) {
    return OpenSslError(ErrorCode::kInternal, "cannot load the system trust store");
  }
  if (!options.ca_file.empty()) {
    tls.load_verify_file(options.ca_file, ec);
    if (ec)
      return MakeError(
          ErrorCode::kInvalidArgument,
          "cannot load CA file '" + options.ca_file + "': " + ec.message());
  }
  return tls;
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(
    std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Result<std::shared_ptr<HttpClient>> MakeHttpClient(
    const HttpClientOptions& options) {
  if (options.connect_timeout <= Duration::zero() ||
      options.read_timeout <= Duration::zero() ||
      options.write_timeout <= Duration::zero()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "HTTP client timeouts must be positive");
  }
  // A CA file is loaded at once, so that a bad one fails here. The system
  // trust store alone waits for the first https connection, which a client
  // of plain http to loopback (an emulator, a local upstream) never makes.
  std::optional<asio::ssl::context> tls;
  if (!options.ca_file.empty()) {
    TW_ASSIGN_OR_RETURN(auto made, MakeTlsContext(options));
    tls.emplace(std::move(made));
  }
  return std::shared_ptr<HttpClient>(std::make_shared<BeastHttpClient>(options, std::move(tls)));
}

}  // namespace tokenwarden::http
