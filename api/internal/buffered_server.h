// An httplib::Server whose connections read and write through a buffered
// socket stream, for plain HTTP. cpp-httplib still parses each request,
// routes it and formats the response (Server::process_request); only the
// socket I/O underneath is replaced.
//
// Why: Debian's cpp-httplib 0.11 spends ten system calls on each keep-alive
// request — a poll loop waking every 11 ms to wait for it, recv, getpeername
// and getsockname, then for the status line and headers and again for the
// body a poll for POLLOUT, a poll(POLLIN) and a recv(MSG_PEEK) to see whether
// the peer is alive, and a send each — so every answer goes out as two TCP
// segments. Here a request costs a poll and a recv, and its answer one send
// (headers and body together); the peer's addresses are read once per
// connection; a connection waiting for its next request sleeps in poll
// instead of waking every 11 ms. TLS connections (httplib::SSLServer) keep
// httplib's own I/O.
//
// A fast path for the public hot path: a plain GET whose whole head is in
// the buffer and has only headers that cannot change the answer (Host,
// User-Agent, Accept*, Connection, Cache-Control, Sec-*, ...) is offered to a
// FastGetHandler first, which may answer it from a cache of rendered
// responses with exactly the bytes httplib would have written; anything else
// (or a cache miss) goes through httplib as before.
#ifndef CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
#define CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_

#include <httplib.h>

#include <functional>
#include <string>
#include <string_view>

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
};

// Appends the whole answer (status line, headers, body) to `out` and returns
// its HTTP status, or returns 0 (appending nothing) to leave the request to
// httplib. httplib's logger does not see these requests: the handler logs.
using FastGetHandler = std::function<int(const FastGetRequest&, std::string* out)>;

class BufferedServer : public httplib::Server {
 public:
  void set_fast_get(FastGetHandler handler) { fast_get_ = std::move(handler); }

 private:
  // As httplib's: up to keep_alive_max_count requests, each read with the
  // read timeout, answers sent with the write timeout, the connection
  // closed after keep_alive_timeout seconds without a request or on stop().
  bool process_and_close_socket(socket_t sock) override;

  FastGetHandler fast_get_;
};

}  // namespace certledger::api::internal

#endif  // CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
