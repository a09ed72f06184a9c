// The server's socket I/O (api/internal/buffered_server.h) on a raw TCP
// connection: pipelined requests, "Expect: 100-continue", the keep-alive
// limits, stopping with idle connections open, and the fast path for cached
// public pages.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
  // No more requests: the server sees the end of input.
  void ShutdownWrite() { REQUIRE(shutdown(fd_, SHUT_WR) == 0); }
  // Reads until `size` bytes have come in all, the peer closes or `ms` pass.
  const std::string& ReadBytes(size_t size, int ms) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(ms);
    while (got_.size() < size && SteadyClock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
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

// One answer read off `c`: the head, then Content-Length bytes of body.
std::string ReadAnswer(Conn& c, size_t from = 0) {
  std::string got = c.ReadUntil("\r\n\r\n", 1, 10000);
  for (int i = 0; i < 50 && got.find("\r\n\r\n", from) == std::string::npos; ++i) {
    got = c.ReadUntil("never", 1, 200);
  }
  const size_t head_end = got.find("\r\n\r\n", from);
  REQUIRE(head_end != std::string::npos);
  const size_t cl = got.find("Content-Length: ", from);
  REQUIRE(cl != std::string::npos);
  const size_t want = head_end + 4 + std::strtoul(got.c_str() + cl + 16, nullptr, 10);
  while (got.size() < want) {
    const size_t before = got.size();
    got = c.ReadUntil("never", 1, 200);
    if (got.size() == before) break;
  }
  REQUIRE(got.size() >= want);
  return got.substr(from, want - from);
}

// The raw answer to one request on a new connection.
std::string Exchange(int port, const std::string& request) {
  Conn c(port);
  c.Send(request);
  return ReadAnswer(c);
}

// The value of the sample `name` (no labels) on /metrics.
int64_t Metric(RegistryServer& s, const std::string& name) {
  auto m = s.Get("/metrics", s.OperatorToken());
  REQUIRE(m.status == 200);
  const std::string line = "\n" + name + " ";
  const size_t at = m.body.find(line);
  REQUIRE(at != std::string::npos);
  return std::strtoll(m.body.c_str() + at + line.size(), nullptr, 10);
}

uint64_t FastAnswers(RegistryServer& s) {
  return static_cast<uint64_t>(Metric(s, "certledger_http_fast_answers_total"));
}

TEST_CASE("http io: a cached public page is answered on the fast path with httplib's bytes",
          "[server][http]") {
  RegistryServer s;
  const std::string code = IssueCertificate(s, "Иванов Иван Иванович", "112-233-445 95");
  struct Case {
    std::string target, headers;
    int status;
  };
  const std::vector<Case> cases = {
      {"/v/" + code, "Host: x\r\n", 200},
      {"/v/" + code + "?lang=en", "Host: x\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n", 200},
      {"/v/" + code,
       "Host: x\r\nAccept: text/html,application/xhtml+xml\r\n"
       "Accept-Language: en-GB,en;q=0.9\r\nSec-Fetch-Mode: navigate\r\n",
       200},
      {"/v/" + code + "?lang=ru", "Host: x\r\nAccept-Language: en\r\nConnection: keep-alive\r\n",
       200},
      {"/v/" + code, "Host: x\r\nConnection: close\r\n", 200},
      {"/v/AAAA-BBBB-CCCC-DDDD-E", "Host: x\r\n", 404},
  };
  for (const Case& c : cases) {
    INFO(c.target << "\n" << c.headers);
    // X-Slow is no header the fast path takes: httplib answers (and the
    // page is rendered and cached); then the same request without it.
    const std::string slow =
        Exchange(s.port(), "GET " + c.target + " HTTP/1.1\r\n" + c.headers + "X-Slow: 1\r\n\r\n");
    const uint64_t before = FastAnswers(s);
    const std::string fast =
        Exchange(s.port(), "GET " + c.target + " HTTP/1.1\r\n" + c.headers + "\r\n");
    CHECK(FastAnswers(s) == before + 1);
    CHECK(slow.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0) == 0);
    CHECK(slow.find("Content-Security-Policy: default-src 'none'; style-src 'sha256-") !=
          std::string::npos);
    CHECK(fast == slow);
    CHECK((fast.find("\r\nConnection: close\r\n") != std::string::npos) ==
          (c.headers.find("Connection: close") != std::string::npos));
  }
  SECTION("requests the page's handler must see go to it") {
    const uint64_t before = FastAnswers(s);
    const std::string path = "GET /v/" + code;
    // JSON by content negotiation, a token (checked even here), an unknown
    // header, a percent-encoded path, a query other than lang, HTTP/1.0, HEAD.
    for (const std::string& request :
         {path + " HTTP/1.1\r\nHost: x\r\nAccept: application/ld+json\r\n\r\n",
          path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nonsense\r\n\r\n",
          path + " HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\n\r\n",
          "GET /v/" + code.substr(0, 4) + "%2D" + code.substr(5) + " HTTP/1.1\r\nHost: x\r\n\r\n",
          path + "?lang=en&x=%41 HTTP/1.1\r\nHost: x\r\n\r\n",
          path + " HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nAccept: application/json\r\n\r\n",
          path + " HTTP/1.0\r\nHost: x\r\n\r\n"}) {
      INFO(request);
      Conn c(s.port());
      c.Send(request);
      const std::string got = c.ReadUntil("\r\n\r\n", 1, 10000);
      CHECK(got.rfind("HTTP/1.1 ", 0) == 0);
    }
    CHECK(FastAnswers(s) == before);
    CHECK(
        Exchange(s.port(), path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nonsense\r\n\r\n")
            .rfind("HTTP/1.1 401 ", 0) == 0);
  }
  SECTION("fast and httplib answers pipelined on one connection stay in order") {
    Conn c(s.port());
    c.Send("GET /v/" + code + " HTTP/1.1\r\nHost: x\r\n\r\n" +
           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /v/" + code +
           "?lang=en HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string first = ReadAnswer(c);
    const std::string second = ReadAnswer(c, first.size());
    const std::string third = ReadAnswer(c, first.size() + second.size());
    CHECK(first.find("<html lang=\"ru\">") != std::string::npos);
    CHECK(second.find("\"ok\"") != std::string::npos);
    CHECK(third.find("<html lang=\"en\">") != std::string::npos);
  }
  SECTION("a revocation shows at once on the fast path") {
    CHECK(Exchange(s.port(), "GET /v/" + code + " HTTP/1.1\r\nHost: x\r\n\r\n")
              .find("class=\"banner valid") != std::string::npos);
    auto r = s.Post("/api/v1/certificates/" + code + "/revoke", Json{{"reason", "error-in-data"}},
                    s.ProviderToken());
    INFO(r.body);
    REQUIRE(r.status == 200);
    const std::string after = Exchange(s.port(), "GET /v/" + code + " HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(after.find("class=\"banner valid") == std::string::npos);
    CHECK(after.find("class=\"banner revoked") != std::string::npos);
  }
}

TEST_CASE("http io: idle keep-alive connections hold no worker thread", "[server][http]") {
  // Two workers; thirty connections stay open after their answer (each
  // would have kept a thread for itself with httplib's own handling).
  RegistryServer s("{\"deadline_interval_s\": 0, \"threads\": 2}");
  std::vector<std::unique_ptr<Conn>> idle;
  for (int i = 0; i < 30; ++i) {
    idle.push_back(std::make_unique<Conn>(s.port()));
    idle.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string got = idle.back()->ReadUntil("}", 1, 5000);
    INFO(i << ": " << got);
    REQUIRE(got.rfind("HTTP/1.1 200 ", 0) == 0);
  }
  const auto t0 = SteadyClock::now();
  const std::string got = Exchange(s.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(got.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(std::chrono::duration<double>(SteadyClock::now() - t0).count() < 2.0);
  // /metrics counts them (30 idle, the one asking).
  CHECK(Metric(s, "certledger_http_connections") >= 31);
  // And every idle connection still takes requests.
  for (auto& c : idle) {
    c->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(c->ReadUntil("HTTP/1.1 200 ", 2, 5000).find("HTTP/1.1 200 ", 1) != std::string::npos);
  }
}

// The public page cache (page_cache_mb, here 1 MiB, entries kept a minute):
// a certificate PDF, once rendered, is kept and served again byte for byte;
// many distinct pages never take the cache past its budget
// (certledger_page_cache_bytes on /metrics).
TEST_CASE("http io: the page cache keeps PDFs and stays within its byte budget", "[server]") {
  RegistryServer s(R"({"deadline_interval_s": 0, "page_cache_mb": 1, "page_cache_ms": 60000})");
  auto cached_bytes = [&] { return Metric(s, "certledger_page_cache_bytes"); };
  const std::string code = IssueCertificate(s, "Иванов Иван Иванович", "112-233-445 95");
  const int64_t before = cached_bytes();
  auto pdf = s.Get("/v/" + code + "/certificate.pdf");
  REQUIRE(pdf.status == 200);
  REQUIRE(pdf.body.rfind("%PDF-", 0) == 0);
  const int64_t with_pdf = cached_bytes();
  CHECK(with_pdf - before >= static_cast<int64_t>(pdf.body.size()));
  CHECK(s.Get("/v/" + code + "/certificate.pdf").body == pdf.body);

  // Pages of 1,000 unknown codes (404 pages are kept too): over 2 MB in all.
  int64_t most = 0;
  for (int i = 0; i < 1000; ++i) {
    auto page = s.Get("/v/CL-NOPE-" + std::to_string(100000 + i));
    REQUIRE(page.status == 404);
    if (i % 50 == 49) most = std::max(most, cached_bytes());
  }
  CHECK(most > 0);
  CHECK(most <= int64_t{1} << 20);
  // A certificate's page still answers (and is kept).
  CHECK(s.Get("/v/" + code).status == 200);
}

// A new certificate's page: the request for it and its answer (the page is
// then cached, so the same request takes the fast path).
std::pair<std::string, std::string> CachedPage(RegistryServer& s) {
  const std::string code = IssueCertificate(s, "Иванов Иван Иванович", "112-233-445 95");
  const std::string request = "GET /v/" + code + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string whole = Exchange(s.port(), request);
  REQUIRE(whole.rfind("HTTP/1.1 200 ", 0) == 0);
  return {request, whole};
}

TEST_CASE("http io: a request that arrives in pieces, and one before the peer's end, are answered",
          "[server][http]") {
  RegistryServer s;
  const auto [request, whole] = CachedPage(s);
  {
    // The head in three pieces, then a POST whose head and body come apart.
    Conn c(s.port());
    c.Send(request.substr(0, 7));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.Send(request.substr(7, 20));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.Send(request.substr(27));
    CHECK(ReadAnswer(c) == whole);
    const std::string body = "{\"credential\": 1}";
    c.Send(
        "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.Send(body.substr(5));
    const std::string got = ReadAnswer(c, whole.size());
    INFO(got);
    CHECK(got.rfind("HTTP/1.1 4", 0) == 0);  // answered (a bad credential), not hung
    CHECK(got.find("application/problem+json") != std::string::npos);
  }
  {
    // Two requests, then the client's end: both answered, then closed.
    Conn c(s.port());
    c.Send(request + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    c.ShutdownWrite();
    bool closed = false;
    const std::string got = c.ReadUntil("never", 1, 5000, &closed);
    CHECK(closed);
    CHECK(got.rfind(whole, 0) == 0);
    CHECK(got.find("HTTP/1.1 200 ", whole.size()) == whole.size());
  }
}

TEST_CASE("http io: a client that does not read its answers holds up no one else",
          "[server][http]") {
  RegistryServer s;
  const auto [request, whole] = CachedPage(s);
  // ~1,000 pages (megabytes, more than the socket buffers take) asked for
  // and not read: the answers wait for the reader on a worker.
  const int n = 1000;
  Conn greedy(s.port());
  std::string many;
  for (int i = 0; i < n; ++i) many += request;
  greedy.Send(many);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = SteadyClock::now();
  for (int i = 0; i < 20; ++i) CHECK(Exchange(s.port(), request) == whole);
  CHECK(std::chrono::duration<double>(SteadyClock::now() - t0).count() < 3.0);
  // Then every answer reaches the greedy client, in full and in order.
  const std::string& got = greedy.ReadBytes(whole.size() * n, 30000);
  REQUIRE(got.size() == whole.size() * n);
  for (int i = 0; i < n; i += 97) CHECK(got.compare(whole.size() * i, whole.size(), whole) == 0);
}

}  // namespace
}  // namespace certledger::testing
