// Status and Result<T>: how every fallible call in certledger reports failure.
//
// Our code does not throw (STYLE.md, "Errors"). A Status holds a Code, a stable
// slug and a human message; Result<T> holds either a value or a non-OK Status.
// Both are plain values, cheap to move, and safe to share between threads once
// built. Slugs are public API (problem+json `type`, certverify output):
// do not rename them.
#ifndef CERTLEDGER_CRYPTO_STATUS_H_
#define CERTLEDGER_CRYPTO_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace certledger {

// Do not renumber: mapped to HTTP statuses in api/ and exit codes in certverify.
enum class Code {
  kOk = 0,
  kInvalidArgument = 1,
  kNotFound = 2,
  kAlreadyExists = 3,
  kFailedPrecondition = 4,
  kUnauthenticated = 5,
  kPermissionDenied = 6,
  kUnavailable = 7,
  kDataLoss = 8,
  kInternal = 9,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // REQUIRES: code != Code::kOk. `slug` is a stable machine-readable id such as
  // "jcs.duplicate-key"; `message` says what was wrong and what to do.
  Status(Code code, std::string slug, std::string message)
      : code_(code), slug_(std::move(slug)), message_(std::move(message)) {
    assert(code_ != Code::kOk);
  }

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string slug, std::string msg) {
    return Status(Code::kInvalidArgument, std::move(slug), std::move(msg));
  }
  static Status NotFound(std::string slug, std::string msg) {
    return Status(Code::kNotFound, std::move(slug), std::move(msg));
  }
  static Status AlreadyExists(std::string slug, std::string msg) {
    return Status(Code::kAlreadyExists, std::move(slug), std::move(msg));
  }
  static Status FailedPrecondition(std::string slug, std::string msg) {
    return Status(Code::kFailedPrecondition, std::move(slug), std::move(msg));
  }
  static Status Unauthenticated(std::string slug, std::string msg) {
    return Status(Code::kUnauthenticated, std::move(slug), std::move(msg));
  }
  static Status PermissionDenied(std::string slug, std::string msg) {
    return Status(Code::kPermissionDenied, std::move(slug), std::move(msg));
  }
  static Status Unavailable(std::string slug, std::string msg) {
    return Status(Code::kUnavailable, std::move(slug), std::move(msg));
  }
  static Status DataLoss(std::string slug, std::string msg) {
    return Status(Code::kDataLoss, std::move(slug), std::move(msg));
  }
  static Status Internal(std::string slug, std::string msg) {
    return Status(Code::kInternal, std::move(slug), std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& slug() const { return slug_; }
  const std::string& message() const { return message_; }
  // The input field that was wrong (a JSON pointer or a CLI flag), if known.
  const std::string& field() const { return field_; }

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsFailedPrecondition() const { return code_ == Code::kFailedPrecondition; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsDataLoss() const { return code_ == Code::kDataLoss; }

  // Returns a copy naming the failing field.
  Status WithField(std::string field) const& {
    Status s = *this;
    s.field_ = std::move(field);
    return s;
  }
  Status WithField(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  // Returns a copy whose message is prefixed with `context: `.
  Status Annotate(std::string_view context) const {
    if (ok()) return *this;
    Status s = *this;
    s.message_ = std::string(context) + ": " + message_;
    return s;
  }

  // "invalid-argument jcs.duplicate-key: duplicate key \"a\"".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string slug_;
  std::string message_;
  std::string field_;
};

// Either a T or a non-OK Status. Wraps std::variant until C++23 std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

  // REQUIRES: !status.ok().
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  template <typename U,
            typename = std::enable_if_t<
                std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
                !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error, or an OK status when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : T(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace certledger

#define CERTLEDGER_CONCAT_INNER_(a, b) a##b
#define CERTLEDGER_CONCAT_(a, b) CERTLEDGER_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status or Result) failed.
#define CERTLEDGER_RETURN_IF_ERROR(expr)                                   \
  do {                                                                     \
    auto&& certledger_rie_ = (expr);                                       \
    if (!certledger_rie_.ok())                                             \
      return ::certledger::internal::AsStatus(std::move(certledger_rie_)); \
  } while (0)

// `lhs` = the value of Result `rexpr`, or return its Status.
// Usage: CERTLEDGER_ASSIGN_OR_RETURN(auto key, Ed25519Signer::Create(seed));
#define CERTLEDGER_ASSIGN_OR_RETURN(lhs, rexpr) \
  CERTLEDGER_ASSIGN_OR_RETURN_IMPL_(CERTLEDGER_CONCAT_(certledger_aor_, __LINE__), lhs, rexpr)
#define CERTLEDGER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                      \
  if (!tmp.ok()) return tmp.status();                      \
  lhs = std::move(tmp).value()

#endif  // CERTLEDGER_CRYPTO_STATUS_H_
