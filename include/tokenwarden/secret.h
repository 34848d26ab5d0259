// Secret: a string that never prints its value and zeroes its memory.
//
// Tokens, keys, refresh tokens and API keys travel in this type so that a
// log line, an error message or a metric label cannot carry them by mistake:
// streaming or formatting a Secret writes "[redacted]". Read the value only at
// the point where it must leave the process (an HTTP header, an encrypted
// store) with reveal().
#ifndef TOKENWARDEN_SECRET_H_
#define TOKENWARDEN_SECRET_H_

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace tokenwarden {

class Secret {
 public:
  static constexpr std::string_view kRedacted = "[redacted]";

  Secret() = default;
  // Takes the string's buffer, or a copy of its exact size when the buffer
  // has much spare room (a string grown by appending can be twice its size,
  // and sessions live for hours by the 100,000); the spare one is wiped.
  explicit Secret(std::string value);
  explicit Secret(std::string_view value) : value_(value) {}
  explicit Secret(const char* value) : value_(value) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The secret value itself. Keep the view only as long as the Secret lives.
  std::string_view reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  // Constant-time comparison.
  bool Equals(const Secret& other) const;
  // The same against text a caller presented (a credential to check); only
  // the lengths' difference shows in the time taken.
  bool Equals(std::string_view presented) const;
  friend bool operator==(const Secret& a, const Secret& b) { return a.Equals(b); }

 private:
  void Wipe();
  std::string value_;
};

// Writes "[redacted]", never the value.
std::ostream& operator<<(std::ostream& os, const Secret& secret);

// Zeroes memory that held a secret, in a way the compiler may not remove.
void SecureZero(void* data, size_t size);

// An allocator that zeroes each block as it gives it back. For text that
// holds secrets inside a library's own buffers: a JSON lexer grows its token
// buffer by reallocation, and each smaller copy it frees would otherwise
// leave part of a token in freed memory.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    SecureZero(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const WipingAllocator&, const WipingAllocator&) { return true; }
};
using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

}  // namespace tokenwarden

#endif  // TOKENWARDEN_SECRET_H_
