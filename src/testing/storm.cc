#include "testing/storm.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>

namespace tokenwarden::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

StormResult Storm(const std::vector<int>& ports, int n, const std::string& method, const std::string& target,
                  const std::string& body, std::chrono::seconds limit) {
  struct Conn {
    explicit Conn(asio::io_context& ioc) : socket(ioc) {}
    asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request;
    bhttp::response<bhttp::string_body> response;
  };
  asio::io_context ioc;
  StormResult out;
  out.status.assign(n, 0);
  std::vector<std::unique_ptr<Conn>> conns;
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<Conn>(ioc);
    c->request = {method == "POST" ? bhttp::verb::post : bhttp::verb::get, target, 11};
    c->request.set(bhttp::field::host, "127.0.0.1");
    c->request.set(bhttp::field::content_type, "application/json");
    c->request.body() = body;
    c->request.prepare_payload();
    c->request.keep_alive(false);
    Conn* raw = c.get();
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                                     static_cast<uint16_t>(ports[static_cast<size_t>(i) % ports.size()]));
    raw->socket.async_connect(endpoint, [raw, i, &out](boost::system::error_code connected) {
      if (connected) return;
      bhttp::async_write(raw->socket, raw->request, [raw, i, &out](boost::system::error_code written, size_t) {
        if (written) return;
        bhttp::async_read(raw->socket, raw->buffer, raw->response, [raw, i, &out](boost::system::error_code read, size_t) {
          if (read) return;
          out.status[i] = raw->response.result_int();
          if (raw->response["Tokenwarden-Retried"] == "1") ++out.retried;
        });
      });
    });
    conns.push_back(std::move(c));
  }
  ioc.run_for(limit);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return out;
}

}  // namespace tokenwarden::testing
