// Errors as values: Result<T> holds either a T or an Error.
//
// No exception crosses a module boundary in tokenwarden; functions that can
// fail return Result<T> (or Status, which is Result<void>) and callers return
// early with TW_RETURN_IF_ERROR / TW_ASSIGN_OR_RETURN.
#ifndef TOKENWARDEN_RESULT_H_
#define TOKENWARDEN_RESULT_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tokenwarden {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is malformed or out of range
  kUnsupported,         // well-formed but not allowed (an alg not accepted, ...)
  kCryptoFailure,       // authentication, signature or key check failed
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the state does not allow this now (needs support, ...)
  kAborted,             // a compare-and-swap lost, a lease is held elsewhere
  kUnavailable,         // transient: retry later
  kDeadlineExceeded,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,   // a size or count limit was hit
  kDataLoss,            // stored data is corrupt
  kIo,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

// An error: a code and a message for a human. A message never carries a
// secret: it names fields and inputs, not their secret values.
struct Error {
  ErrorCode code;
  std::string message;

  // "invalid_argument: <message>"
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok()
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // REQUIRES: !ok()
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

// Prefixes an error's message with context ("loading account 'shop': ...").
inline Error WithContext(Error e, std::string_view context) {
  e.message = std::string(context) + ": " + e.message;
  return e;
}

}  // namespace tokenwarden

#define TW_CONCAT_INNER_(a, b) a##b
#define TW_CONCAT_(a, b) TW_CONCAT_INNER_(a, b)

// Returns the error of a Result/Status expression from the current function.
#define TW_RETURN_IF_ERROR(expr)                                   \
  do {                                                             \
    auto&& tw_status_ = (expr);                                    \
    if (!tw_status_.ok()) return std::move(tw_status_).error();    \
  } while (0)

// TW_ASSIGN_OR_RETURN(auto x, Foo()); declares x from Foo()'s value or
// returns its error.
#define TW_ASSIGN_OR_RETURN(lhs, expr) \
  TW_ASSIGN_OR_RETURN_IMPL_(TW_CONCAT_(tw_result_, __LINE__), lhs, expr)
#define TW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).error();   \
  lhs = std::move(tmp).value()

#endif  // TOKENWARDEN_RESULT_H_
