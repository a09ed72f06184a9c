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
#ifndef CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
#define CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_

#include <httplib.h>

namespace certledger::api::internal {

class BufferedServer : public httplib::Server {
 private:
  // As httplib's: up to keep_alive_max_count requests, each read with the
  // read timeout, answers sent with the write timeout, the connection
  // closed after keep_alive_timeout seconds without a request or on stop().
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace certledger::api::internal

#endif  // CERTLEDGER_API_INTERNAL_BUFFERED_SERVER_H_
