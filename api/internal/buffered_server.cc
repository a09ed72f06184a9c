#include "api/internal/buffered_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

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

}  // namespace

bool BufferedServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    BufferedStream strm(sock, ToMillis(read_timeout_sec_, read_timeout_usec_),
                        ToMillis(write_timeout_sec_, write_timeout_usec_));
    const int keep_alive_ms = ToMillis(keep_alive_timeout_sec_, 0);
    auto stopped = [this] { return svr_sock_ == INVALID_SOCKET; };
    for (size_t left = keep_alive_max_count_; left > 0 && !stopped(); --left) {
      if (!strm.WaitForRequest(keep_alive_ms, stopped)) break;
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
