#include "api/internal/buffered_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace certledger::api::internal {
namespace {

using SteadyClock = std::chrono::steady_clock;

int ToMillis(time_t sec, time_t usec) {
  const long long ms = static_cast<long long>(sec) * 1000 + usec / 1000;
  return static_cast<int>(std::clamp<long long>(ms, 1, 24LL * 3600 * 1000));
}

// The numeric address and port of a socket's peer (or its own end).
void AddressOf(socket_t sock, bool peer, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(sock, sa, &len) : getsockname(sock, sa, &len)) != 0) return;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) !=
      0) {
    return;
  }
  *ip = host;
  *port = std::atoi(serv);
}

// The connection's bytes: requests are read from a buffer refilled by recv,
// answers collect in a buffer sent when the request is answered (or when it
// grows large, or before waiting for more input, so that "100 Continue"
// reaches the client before its body is awaited).
class BufferedStream final : public httplib::Stream {
 public:
  BufferedStream(socket_t sock, int read_timeout_ms, int write_timeout_ms)
      : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {
    AddressOf(sock, true, &remote_ip_, &remote_port_);
    AddressOf(sock, false, &local_ip_, &local_port_);
    in_.resize(kReadChunk);
  }

  bool is_readable() const override { return Buffered() || WaitReadable(read_timeout_ms_) > 0; }
  bool is_writable() const override { return ok_; }

  ssize_t read(char* ptr, size_t size) override {
    if (!Buffered()) {
      const ssize_t n = Fill();
      if (n <= 0) return n;
    }
    const size_t n = std::min(size, in_len_ - in_off_);
    std::memcpy(ptr, in_.data() + in_off_, n);
    in_off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!ok_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= kFlushAt && !Flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return sock_; }

  bool Buffered() const { return in_off_ < in_len_; }
  // The bytes received and not yet read.
  std::string_view Pending() const {
    return std::string_view(in_.data() + in_off_, in_len_ - in_off_);
  }
  // Marks the first `n` pending bytes as read.
  void Consume(size_t n) { in_off_ += std::min(n, in_len_ - in_off_); }
  // The answer being collected (sent by Flush).
  std::string& Out() { return out_; }
  // recv when nothing is pending: see Fill.
  ssize_t FillIfEmpty() { return Buffered() ? static_cast<ssize_t>(in_len_ - in_off_) : Fill(); }

  // Sends everything written so far; false if the peer is gone or does not
  // take it within the write timeout.
  bool Flush() {
    size_t off = 0;
    while (ok_ && off < out_.size()) {
      const ssize_t n =
          send(sock_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{sock_, POLLOUT, 0};
        if (poll(&p, 1, write_timeout_ms_) <= 0) ok_ = false;
      } else {
        ok_ = false;
      }
    }
    out_.clear();
    return ok_;
  }

  // Waits for the first bytes of the next request: true when there are some
  // (or the peer closed, which the next read reports); false after
  // `timeout_ms` or once `stop` returns true (checked every 100 ms).
  template <typename Stop>
  bool WaitForRequest(int timeout_ms, const Stop& stop) {
    if (Buffered()) return true;
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
    while (!stop()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
              .count();
      if (left <= 0) return false;
      const int r = WaitReadable(static_cast<int>(std::min<long long>(left, 100)));
      if (r > 0) return true;
      if (r < 0) return false;
    }
    return false;
  }

 private:
  static constexpr size_t kReadChunk = 16 * 1024;
  static constexpr size_t kFlushAt = 256 * 1024;

  // poll for input: 1 ready (or hung up), 0 timed out, -1 error.
  int WaitReadable(int timeout_ms) const {
    for (;;) {
      pollfd p{sock_, POLLIN, 0};
      const int r = poll(&p, 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      return r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
  }

  // recv into the empty buffer: bytes read, 0 at the peer's end, -1 on an
  // error or when nothing came within the read timeout.
  ssize_t Fill() {
    if (!out_.empty() && !Flush()) return -1;
    in_off_ = in_len_ = 0;
    for (;;) {
      const ssize_t n = recv(sock_, in_.data(), in_.size(), MSG_DONTWAIT);
      if (n >= 0) {
        in_len_ = static_cast<size_t>(n);
        return n;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (WaitReadable(read_timeout_ms_) <= 0) return -1;
    }
  }

  socket_t sock_;
  int read_timeout_ms_, write_timeout_ms_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;
  std::string in_;
  size_t in_off_ = 0, in_len_ = 0;
  std::string out_;
  bool ok_ = true;
};

// ---- The fast path's request parser ------------------------------------------

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// RFC 9110 section 5.6.2: tchar.
bool IsTchar(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool AllOf(std::string_view s, const char* extra) {
  for (unsigned char c : s) {
    if (!std::isalnum(c) && std::strchr(extra, c) == nullptr) return false;
  }
  return true;
}

// Request headers that cannot change the answer of a cached public GET.
bool Harmless(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "host", "user-agent", "accept-encoding",           "cache-control", "pragma",
      "dnt",  "referer",    "upgrade-insecure-requests", "priority"};
  for (std::string_view n : kNames) {
    if (EqualsLower(name, n)) return true;
  }
  return name.size() > 4 && EqualsLower(name.substr(0, 4), "sec-");  // Sec-Fetch-*, Sec-CH-UA*
}

struct FastHead {
  FastGetRequest req;
  bool close = false;  // "Connection: close"
  size_t length = 0;   // bytes of the head, final CRLF CRLF included
};

// Whether `buf` starts with a whole request the fast path may answer: an
// HTTP/1.1 GET (RFC 9112 section 3) in origin form without percent-encoding,
// no body, and only the headers above plus one Accept, Accept-Language and
// Connection (keep-alive or close), each a single line of visible ASCII.
// Anything else is httplib's.
bool ParseFastHead(std::string_view buf, FastHead* out) {
  const size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  out->length = end + 4;
  std::string_view head = buf.substr(0, end + 2);  // each line ends with CRLF
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  constexpr std::string_view kMethod = "GET ", kVersion = " HTTP/1.1";
  if (line.size() <= kMethod.size() + kVersion.size() || line.substr(0, 4) != kMethod ||
      line.substr(line.size() - kVersion.size()) != kVersion) {
    return false;
  }
  std::string_view target =
      line.substr(kMethod.size(), line.size() - kMethod.size() - kVersion.size());
  if (target.empty() || target[0] != '/' || target.size() > 2048) return false;
  const size_t q = target.find('?');
  out->req.path = target.substr(0, q);
  out->req.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (!AllOf(out->req.path, "-._~/") || !AllOf(out->req.query, "-._~=&")) return false;
  bool accept = false, accept_language = false, connection = false;
  for (size_t pos = eol + 2; pos < head.size();) {
    const size_t e = head.find("\r\n", pos);
    std::string_view h = head.substr(pos, e - pos);
    pos = e + 2;
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view name = h.substr(0, colon), value = h.substr(colon + 1);
    for (unsigned char c : name) {
      if (!IsTchar(c)) return false;
    }
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
    }
    if (EqualsLower(name, "accept")) {
      if (accept) return false;
      accept = true;
      out->req.accept = value;
    } else if (EqualsLower(name, "accept-language")) {
      if (accept_language) return false;
      accept_language = true;
      out->req.accept_language = value;
    } else if (EqualsLower(name, "connection")) {
      // httplib closes on exactly "close" and ignores any other value but
      // its own spelling of keep-alive is all this path takes.
      if (connection) return false;
      connection = true;
      if (value == "close") {
        out->close = true;
      } else if (!EqualsLower(value, "keep-alive")) {
        return false;
      }
    } else if (!Harmless(name)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool BufferedServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    BufferedStream strm(sock, ToMillis(read_timeout_sec_, read_timeout_usec_),
                        ToMillis(write_timeout_sec_, write_timeout_usec_));
    const int keep_alive_ms = ToMillis(keep_alive_timeout_sec_, 0);
    auto stopped = [this] { return svr_sock_ == INVALID_SOCKET; };
    // The value httplib gives its Keep-Alive header.
    const std::string keep_alive = "timeout=" + std::to_string(keep_alive_timeout_sec_) +
                                   ", max=" + std::to_string(keep_alive_max_count_);
    for (size_t left = keep_alive_max_count_; left > 0 && !stopped(); --left) {
      if (!strm.WaitForRequest(keep_alive_ms, stopped)) break;
      if (fast_get_) {
        // A read that fails here would fail in httplib too.
        if (strm.FillIfEmpty() <= 0) break;
        FastHead h;
        if (ParseFastHead(strm.Pending(), &h)) {
          const bool close = left == 1 || h.close;
          h.req.connection_name = close ? "Connection" : "Keep-Alive";
          h.req.connection_value = close ? std::string_view("close") : keep_alive;
          const int status = fast_get_(h.req, &strm.Out());
          if (status != 0) {
            strm.Consume(h.length);
            ret = true;
            if (!strm.Flush() || close) break;
            continue;
          }
        }
      }
      bool connection_closed = false;
      ret = process_request(strm, /*close_connection=*/left == 1, connection_closed, nullptr);
      if (!strm.Flush() || !ret || connection_closed) break;
    }
  }
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return ret;
}

}  // namespace certledger::api::internal
