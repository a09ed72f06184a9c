// The server's socket I/O (api/internal/buffered_server.h) on a raw TCP
// connection: pipelined requests, "Expect: 100-continue", the keep-alive
// limits, and stopping with idle connections open.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "tests/server/server_fixture.h"

namespace certledger::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

class Conn {
 public:
  explicit Conn(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~Conn() { close(fd_); }
  void Send(const std::string& s) {
    REQUIRE(send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
  }
  // Reads until `want` occurs `times` times in what was read, the peer
  // closes, or `ms` pass. Returns everything read.
  std::string ReadUntil(const std::string& want, int times, int ms, bool* closed = nullptr) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      size_t found = 0;
      for (size_t at = got_.find(want); at != std::string::npos; at = got_.find(want, at + 1)) {
        ++found;
      }
      if (static_cast<int>(found) >= times) return got_;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) return got_;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return got_;
      char buf[65536];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        return got_;
      }
      got_.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string got_;
};

TEST_CASE("http io: pipelined requests in one packet are answered in order", "[server][http]") {
  RegistryServer s;
  Conn c(s.port());
  c.Send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /issuers/demo/did.json HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /no/such/route HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string got = c.ReadUntil("HTTP/1.1 ", 3, 10000);
  INFO(got.substr(0, 3000));
  const size_t a = got.find("HTTP/1.1 200");
  const size_t b = got.find("did:web:", a);
  const size_t d = got.find("HTTP/1.1 404", b);
  CHECK(a == 0);
  CHECK(b != std::string::npos);
  CHECK(d != std::string::npos);
  CHECK(got.find("application/problem+json", d) != std::string::npos);
}

TEST_CASE("http io: Expect 100-continue gets 100 Continue before the body is sent",
          "[server][http]") {
  RegistryServer s;
  Conn c(s.port());
  const std::string body = "{\"credential\": 5}";
  c.Send(
      "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  std::string got = c.ReadUntil("100 Continue", 1, 5000);
  INFO(got);
  REQUIRE(got.find("HTTP/1.1 100 Continue\r\n\r\n") == 0);
  c.Send(body);
  got = c.ReadUntil("}", 1, 10000);
  CHECK(got.find("HTTP/1.1 400", 20) != std::string::npos);
  CHECK(got.find("application/problem+json") != std::string::npos);
}

TEST_CASE("http io: the keep-alive request limit and idle timeout close the connection",
          "[server][http]") {
  RegistryServer s(
      "{\"deadline_interval_s\": 0, \"keep_alive_max\": 2, \"keep_alive_timeout_s\": 1}");
  {
    // Two requests, then the server answers the second with Connection: close.
    Conn c(s.port());
    c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    std::string got = c.ReadUntil("never", 1, 5000, &closed);
    INFO(got);
    CHECK(closed);
    const size_t second = got.find("HTTP/1.1 200", 1);
    REQUIRE(second != std::string::npos);
    CHECK(got.find("Connection: close", second) != std::string::npos);
  }
  {
    // An idle connection is closed after the keep-alive timeout (1 s).
    Conn c(s.port());
    c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto t0 = SteadyClock::now();
    bool closed = false;
    c.ReadUntil("never", 1, 8000, &closed);
    const double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    CHECK(closed);
    CHECK(secs < 4.0);
  }
}

TEST_CASE("http io: the server stops promptly with idle keep-alive connections open",
          "[server][http]") {
  RegistryServer s;
  Conn a(s.port()), b(s.port());
  a.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  b.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  a.ReadUntil("}", 1, 5000);
  b.ReadUntil("}", 1, 5000);
  const auto t0 = SteadyClock::now();
  s.Stop();
  const double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  CHECK(s.stopped_cleanly());
  CHECK(secs < 3.0);  // not the 10 s keep-alive timeout
}

}  // namespace
}  // namespace certledger::testing
