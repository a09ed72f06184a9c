// An httplib::Server for plain HTTP whose connections live in an epoll event
// loop and read and write through a buffered socket stream. cpp-httplib
// still parses each request it answers, routes it and formats the response
// (Server::process_request); the connection handling underneath is ours.
//
// Why: Debian's cpp-httplib 0.11 gives each connection a pool thread for its
// whole life and spends ten system calls on each keep-alive request — a poll
// loop waking every 11 ms to wait for it, recv, getpeername and getsockname,
// then for the status line and headers and again for the body a poll for
// POLLOUT, a poll(POLLIN) and a recv(MSG_PEEK) to see whether the peer is
// alive, and a send each — so every answer goes out as two TCP segments.
// Here:
//  - a connection waiting for its next request is parked in an epoll set
//    (EPOLLONESHOT: whoever takes its event owns it until it parks it again),
//    so idle keep-alive connections hold no thread, and a pool of `threads`
//    serves as many connections as the machine can keep open;
//  - a few loop threads (one per core, at most four) take the events. A GET
//    of a cached public page (the status hot path) is answered right there, on
//    the loop thread, without httplib: no hand-over between threads, one recv
//    and one send per batch of requests;
//  - anything else — a request with a body, a token, a cache miss, a page
//    whose fsync is still running — goes to a worker thread, which answers it
//    with httplib (and any request already buffered behind it) and parks the
//    connection again;
//  - a request costs a recv and its answer one send (headers and body
//    together); the peer's addresses are read once per connection.
// The first request of a new connection is answered by the httplib pool
// thread that accepted it when it has already arrived (curl and browsers send
// it with the handshake).
//
// Timeouts are httplib's: an idle connection is closed after the keep-alive
// timeout, one with a half-received request head after the read timeout
// (checked every 100 ms); a worker reading a body or writing an answer waits
// at most the read or write timeout. After stop() (httplib's), connections
// are closed as soon as what they are being answered is written.
//
// TLS connections (httplib::SSLServer) keep httplib's own I/O.
#ifndef CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
#define CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace certledger::api::internal {

// A GET request as the fast path sees it (views into the connection's
// buffer, valid during the call).
struct FastGetRequest {
  std::string_view path;             // before '?': only A-Z a-z 0-9 - . _ ~ /
  std::string_view query;            // after '?' (A-Z a-z 0-9 - . _ ~ = &), may be empty
  std::string_view accept;           // "" when absent
  std::string_view accept_language;  // "" when absent
  // The connection header httplib would add: ("Connection", "close") when
  // this is the connection's last answer, else ("Keep-Alive", "timeout=..").
  std::string_view connection_name, connection_value;
  // True on an event-loop thread: the handler must not block (no database
  // read, no waiting for an fsync); returning 0 hands the request to a worker.
  bool in_event_loop = false;
};

// Appends the whole answer (status line, headers, body) to `out` and returns
// its HTTP status, or returns 0 (appending nothing) to leave the request to
// httplib. httplib's logger does not see these requests: the handler logs.
using FastGetHandler = std::function<int(const FastGetRequest&, std::string* out)>;

class BufferedServer : public httplib::Server {
 public:
  BufferedServer();
  ~BufferedServer() override;
  BufferedServer(const BufferedServer&) = delete;
  BufferedServer& operator=(const BufferedServer&) = delete;

  // Before listening.
  void set_fast_get(FastGetHandler handler) { fast_get_ = std::move(handler); }

  // After listen returns (stop() was called): waits for the requests being
  // answered, then closes every connection. The destructor calls it.
  void Shutdown();

  // Open connections (parked or being answered), for tests and metrics.
  size_t connections() const;

 private:
  struct Conn;  // (buffered_server.cc)

  enum class Next { kPark, kHandOff, kClose };

  bool process_and_close_socket(socket_t sock) override;

  void Start();                        // once, on the first connection
  void LoopThread();                   // takes the epoll events
  Next Answer(Conn* c, bool in_loop);  // answers what is buffered
  void Continue(Conn* c, Next next);   // parks, hands over or closes
  void Park(Conn* c);
  void Close(Conn* c);
  void Sweep();  // timeouts and stop()
  bool stopped() const { return svr_sock_ == INVALID_SOCKET; }

  FastGetHandler fast_get_;
  std::once_flag started_;
  int epoll_fd_ = -1;
  std::string keep_alive_;  // the Keep-Alive header's value, as httplib writes it
  int read_timeout_ms_ = 0, write_timeout_ms_ = 0, keep_alive_ms_ = 0;
  std::vector<std::thread> loops_;
  std::unique_ptr<httplib::TaskQueue> workers_;
  std::atomic<bool> quit_{false};  // the loop threads end
  std::atomic<int64_t> next_sweep_ms_{0};

  mutable std::mutex mu_;  // guards the three below
  std::unordered_set<Conn*> conns_;
  bool closing_ = false;  // Shutdown has begun: no more hand-overs
  bool shut_down_ = false;
};

}  // namespace certledger::api::internal

#endif  // CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
