// A read that tells Asio when it has drained the socket, so that the next
// read waits for epoll instead of failing first.
//
// Asio's epoll reactor (Boost 1.74, and still in later releases) tries each
// read at once ("speculatively") unless the descriptor's try_speculative
// flag is off, and turns that flag off only after a read of 0 bytes. So on
// a request-answer connection every read of the next message first fails
// with EAGAIN: the answer to a request just sent, the next request of a
// client just answered, is not there yet. On the proxy that was two failed
// recvfrom per proxied request, a third of its system calls, where nginx
// makes none (docs/BENCHMARKS.md, "System calls per request").
//
// A read into a DrainingBuffer reports a short read (fewer bytes than there
// was room for) as exhausting the socket, which is what it means on a
// stream socket: the kernel's queue held no more. The reactor then queues
// the next read without trying it, and the next epoll event for the socket
// performs it. The flag is set and cleared under the descriptor's lock, and
// an event that comes after the short read sets it again, so no event is
// lost with several threads either. Asio's other reads keep Asio's rule.
//
// It is a specialisation of an Asio internal (reactive_socket_recv_op_base)
// for our own buffer type; Boost's layout of it is checked at compile time
// by the specialisation's use of it, and a Boost without the epoll reactor
// or this class would fail to build here, not misbehave.
#ifndef TOKENWARDEN_HTTP_DRAINING_READ_H_
#define TOKENWARDEN_HTTP_DRAINING_READ_H_

#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/reactive_socket_recv_op.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/socket_base.hpp>

namespace tokenwarden::http {

// One buffer to read into; as a mutable buffer sequence it is just that
// buffer, for any stream (a TLS stream reads its socket with its own).
struct DrainingBuffer : boost::asio::mutable_buffer {
  explicit DrainingBuffer(boost::asio::mutable_buffer b) : boost::asio::mutable_buffer(b) {}
};

}  // namespace tokenwarden::http

namespace boost::asio::detail {

template <>
class reactive_socket_recv_op_base<tokenwarden::http::DrainingBuffer> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state, const tokenwarden::http::DrainingBuffer& buffer,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        state_(state),
        buffer_(buffer),
        flags_(flags) {}

  static status do_perform(reactor_op* base) {
    auto* o = static_cast<reactive_socket_recv_op_base*>(base);
    bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(o->socket_, o->buffer_.data(), o->buffer_.size(), o->flags_, stream, o->ec_,
                                        o->bytes_transferred_)) {
      return not_done;  // would block: wait for the reactor
    }
    // Asio's own rule is "== 0" (the peer closed, or an error).
    return stream && o->bytes_transferred_ < o->buffer_.size() ? done_and_exhausted : done;
  }

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  tokenwarden::http::DrainingBuffer buffer_;
  socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail

#endif  // TOKENWARDEN_HTTP_DRAINING_READ_H_
