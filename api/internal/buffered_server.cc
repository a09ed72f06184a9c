#include "api/internal/buffered_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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
  // Whether the buffer holds kReadChunk bytes not yet read (a request head
  // longer than that is left to httplib, which rejects it).
  bool Full() const { return in_len_ - in_off_ >= in_.size(); }

  // One recv without waiting, appended to what is pending: bytes read, 0 at
  // the peer's end, -1 on an error, kNothing when nothing came, kFull when
  // the buffer has no room.
  static constexpr ssize_t kNothing = -2, kFull = -3;
  ssize_t RecvSome() {
    if (in_off_ > 0) {  // move what is pending to the front
      std::memmove(in_.data(), in_.data() + in_off_, in_len_ - in_off_);
      in_len_ -= in_off_;
      in_off_ = 0;
    }
    if (in_len_ == in_.size()) return kFull;
    for (;;) {
      const ssize_t n = recv(sock_, in_.data() + in_len_, in_.size() - in_len_, MSG_DONTWAIT);
      if (n >= 0) {
        in_len_ += static_cast<size_t>(n);
        return n;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? kNothing : -1;
    }
  }

  // Sends what the socket takes without waiting: 1 when everything is sent,
  // 0 when the rest must wait for the peer (kept for Flush), -1 on an error.
  int TrySend() {
    size_t off = 0;
    int result = 1;
    while (ok_ && off < out_.size()) {
      const ssize_t n =
          send(sock_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        result = 0;
        break;
      } else {
        ok_ = false;
      }
    }
    out_.erase(0, off);
    return ok_ ? result : -1;
  }

  // Sends everything written so far, waiting for the peer if need be; false
  // if it is gone or does not take it within the write timeout.
  bool Flush() {
    for (;;) {
      const int sent = TrySend();
      if (sent != 0) break;
      pollfd p{sock_, POLLOUT, 0};
      if (poll(&p, 1, write_timeout_ms_) <= 0) ok_ = false;
    }
    out_.clear();
    return ok_;
  }

  static constexpr size_t kFlushAt = 256 * 1024;

 private:
  static constexpr size_t kReadChunk = 16 * 1024;

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

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer (gcc 12's libtsan) orders epoll_ctl before epoll_wait only
// for EPOLL_CTL_ADD: Park's EPOLL_CTL_MOD of a connection's socket and the
// close of that socket by the loop thread that took its event look unordered
// to it, though the kernel delivers the event only once the MOD has armed it,
// and Park touches nothing after (CERTLEDGER_SANITIZE=thread).
extern "C" const char* __tsan_default_suppressions() {
  return "race:certledger::api::internal::BufferedServer::Park\n";
}
#endif

// A connection. Exactly one thread owns it at a time: the httplib pool thread
// that accepted it, then whoever takes its EPOLLONESHOT event (a loop
// thread), a worker it is handed to, and again the epoll set once parked.
// The sweeper only reads the atomics and shuts the socket down (never closes
// it), which its owner then sees as the peer's end.
struct BufferedServer::Conn {
  Conn(socket_t sock, int read_timeout_ms, int write_timeout_ms)
      : strm(sock, read_timeout_ms, write_timeout_ms) {}
  // It owns the socket (closing it also takes it out of the epoll set).
  ~Conn() {
    shutdown(strm.socket(), SHUT_RDWR);
    close(strm.socket());
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  BufferedStream strm;
  size_t served = 0;                  // requests answered
  bool registered = false;            // added to the epoll set
  bool eof = false;                   // the peer has closed its side
  bool closing = false;               // close once the answers so far are written
  std::atomic<bool> busy{true};       // owned by a thread, not parked
  std::atomic<bool> partial{false};   // parked with part of a request head
  std::atomic<int64_t> parked_ms{0};  // when it was parked
};

BufferedServer::BufferedServer() = default;

BufferedServer::~BufferedServer() { Shutdown(); }

size_t BufferedServer::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return conns_.size();
}

void BufferedServer::Start() {
  read_timeout_ms_ = ToMillis(read_timeout_sec_, read_timeout_usec_);
  write_timeout_ms_ = ToMillis(write_timeout_sec_, write_timeout_usec_);
  keep_alive_ms_ = ToMillis(keep_alive_timeout_sec_, 0);
  // The value httplib gives its Keep-Alive header.
  keep_alive_ = "timeout=" + std::to_string(keep_alive_timeout_sec_) +
                ", max=" + std::to_string(keep_alive_max_count_);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    std::perror("certledger: epoll_create1");
    std::abort();
  }
  workers_.reset(new_task_queue ? new_task_queue()
                                : new httplib::ThreadPool(CPPHTTPLIB_THREAD_POOL_COUNT));
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < std::min(cores, 4u); ++i) loops_.emplace_back([this] { LoopThread(); });
}

bool BufferedServer::process_and_close_socket(socket_t sock) {
  std::call_once(started_, [this] { Start(); });
  auto* c = new Conn(sock, read_timeout_ms_, write_timeout_ms_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ || stopped()) {
      delete c;  // (closes the socket)
      return false;
    }
    conns_.insert(c);
  }
  // The first request has usually come with the handshake: answer it here.
  const ssize_t n = c->strm.RecvSome();
  if (n == 0) {
    c->eof = true;
  } else if (n == -1) {
    Close(c);
    return false;
  }
  Continue(c, Answer(c, /*in_loop=*/false));
  return true;
}

void BufferedServer::LoopThread() {
  epoll_event events[16];
  while (!quit_.load()) {
    const int n = epoll_wait(epoll_fd_, events, 16, /*timeout ms=*/100);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Conn*>(events[i].data.ptr);
      // Taking it over: this exchange reads the `false` its last owner wrote
      // before parking it (release), which orders everything that owner did
      // before what this thread does (the epoll set orders them too, but
      // outside what the C++ memory model and ThreadSanitizer see).
      c->busy.exchange(true, std::memory_order_acq_rel);
      const ssize_t got = c->strm.RecvSome();
      if (got == 0) {
        c->eof = true;
      } else if (got == -1) {
        Close(c);
        continue;
      }
      Continue(c, Answer(c, /*in_loop=*/true));
    }
    Sweep();
  }
}

BufferedServer::Next BufferedServer::Answer(Conn* c, bool in_loop) {
  BufferedStream& strm = c->strm;
  // Sends what is answered: nothing when all went out, else what to do next
  // (a loop thread leaves a slow peer to a worker, which waits for it).
  auto send = [&strm, in_loop]() -> std::optional<Next> {
    if (!in_loop) return strm.Flush() ? std::nullopt : std::optional(Next::kClose);
    const int sent = strm.TrySend();
    if (sent > 0) return std::nullopt;
    return sent < 0 ? Next::kClose : Next::kHandOff;
  };
  while (!c->closing) {
    if (stopped()) {  // answer nothing more, write what is answered
      c->closing = true;
      break;
    }
    const std::string_view pending = strm.Pending();
    if (pending.empty()) break;
    const bool whole_head = pending.find("\r\n\r\n") != std::string_view::npos;
    if (!whole_head && !strm.Full()) break;  // the rest of the head is on its way
    const bool last = c->served + 1 >= keep_alive_max_count_;
    FastHead h;
    if (whole_head && fast_get_ && ParseFastHead(pending, &h)) {
      const bool close = last || h.close;
      h.req.connection_name = close ? "Connection" : "Keep-Alive";
      h.req.connection_value = close ? std::string_view("close") : std::string_view(keep_alive_);
      h.req.in_event_loop = in_loop;
      if (fast_get_(h.req, &strm.Out()) != 0) {
        strm.Consume(h.length);
        ++c->served;
        c->closing = close;
        if (strm.Out().size() >= BufferedStream::kFlushAt) {
          if (auto next = send()) return *next;
        }
        continue;
      }
    }
    if (in_loop) return Next::kHandOff;  // httplib's, on a worker
    bool connection_closed = false;
    const bool ok = process_request(strm, last, connection_closed, nullptr);
    ++c->served;
    if (!strm.Flush() || !ok || connection_closed) return Next::kClose;
  }
  if (auto next = send()) return *next;
  return c->closing || c->eof ? Next::kClose : Next::kPark;
}

void BufferedServer::Continue(Conn* c, Next next) {
  if (next == Next::kHandOff) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closing_) {
        workers_->enqueue([this, c] { Continue(c, Answer(c, /*in_loop=*/false)); });
        return;
      }
    }
    next = Next::kClose;
  }
  if (next == Next::kPark) {
    Park(c);
  } else {
    Close(c);
  }
}

void BufferedServer::Park(Conn* c) {
  if (stopped()) {
    Close(c);
    return;
  }
  c->partial.store(!c->strm.Pending().empty());
  c->parked_ms.store(SteadyNowMs());
  epoll_event ev{};
  // Level-triggered: input that came while it was owned wakes it at once.
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = c;
  const int op = c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  const socket_t sock = c->strm.socket();
  c->registered = true;
  // The last touch of `c`: from the epoll_ctl on a loop thread may own it.
  c->busy.store(false, std::memory_order_release);
  if (epoll_ctl(epoll_fd_, op, sock, &ev) != 0) {
    // Not in the set: still ours.
    c->busy.exchange(true, std::memory_order_acq_rel);
    Close(c);
  }
}

void BufferedServer::Close(Conn* c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(c);
  }
  delete c;
}

void BufferedServer::Sweep() {
  const int64_t now = SteadyNowMs();
  int64_t due = next_sweep_ms_.load();
  if (now < due || !next_sweep_ms_.compare_exchange_strong(due, now + 100)) return;
  const bool stop = stopped();
  std::lock_guard<std::mutex> lock(mu_);
  for (Conn* c : conns_) {
    if (c->busy.load()) continue;
    const int64_t limit = c->partial.load() ? read_timeout_ms_ : keep_alive_ms_;
    // Its owner (a loop thread, at the event this causes) closes it.
    if (stop || now - c->parked_ms.load() >= limit) shutdown(c->strm.socket(), SHUT_RDWR);
  }
}

void BufferedServer::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = closing_ = true;
  }
  // The workers finish the requests they have (and queued hand-overs), then
  // the loop threads end; whatever is still parked is closed.
  if (workers_) workers_->shutdown();
  quit_.store(true);
  for (auto& t : loops_) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (Conn* c : conns_) delete c;
  conns_.clear();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  epoll_fd_ = -1;
}

}  // namespace certledger::api::internal
