// The server under many connections at once (issue 6): the listening socket's
// accept queue is widened beyond httplib's compiled-in backlog of 5, a burst of
// connections is answered, and the page cache's stale-while-rendering path
// gives every concurrent reader the same page while a change shows at once.
#include <fcntl.h>
#include <poll.h>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/server/server_fixture.h"

namespace certledger::testing {
namespace {

int PortOf(const RegistryServer& s) { return std::stoi(s.base().substr(s.base().rfind(':') + 1)); }

// Connects `n` sockets at once (all handshakes in flight together), then
// sends one GET on each and reads every answer. Returns how many got a 200.
int Burst(int port, int n, const std::string& path) {
  std::vector<int> fds;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);  // EINPROGRESS
    fds.push_back(fd);
  }
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  int ok = 0;
  for (int fd : fds) {
    // Blocking from here on, with a generous timeout: this checks answers,
    // not speed.
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    pollfd p{fd, POLLOUT, 0};
    poll(&p, 1, 30000);
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      continue;
    }
  }
  for (int fd : fds) {
    std::string got;
    char buf[4096];
    ssize_t r;
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<size_t>(r));
    if (got.rfind("HTTP/1.1 200", 0) == 0) ++ok;
    close(fd);
  }
  return ok;
}

}  // namespace

TEST_CASE("server: the accept queue is wider than httplib's 5 and a burst is answered",
          "[server][load]") {
  RegistryServer s;
  const int port = PortOf(s);
  // ss shows a listening socket's backlog in its Send-Q column.
  int rc = 0;
  const std::string ss =
      RunCommand("ss -ltnH 'sport = :" + std::to_string(port) + "' 2>/dev/null", &rc);
  if (rc != 0 || ss.find("LISTEN") == std::string::npos) {
    WARN("ss (iproute2) is not available: the backlog is not checked");
  } else {
    std::istringstream in(ss);
    std::string state;
    long recv_q = 0, send_q = 0;
    in >> state >> recv_q >> send_q;
    long somaxconn = 4096;
    std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
    INFO(ss);
    CHECK(send_q == std::min(4096L, somaxconn));
    CHECK(send_q > 5);
  }
  CHECK(Burst(port, 100, "/healthz") == 100);
}

TEST_CASE(
    "server: concurrent readers of an expiring cached page all get it and a change shows at once",
    "[server][load]") {
  // A 30 ms lifetime: the page expires many times during the run, so some
  // requests render it while the others get the expired copy.
  RegistryServer s(
      "{\"deadline_interval_s\": 0, \"page_cache_ms\": 30, \"rate_limit_per_minute\": 0}");
  const std::string code = IssueCertificate(s, "Петров Пётр Петрович", "123-456-789 64");
  // The page shows the newest ledger checkpoint, which the server signs
  // anew now and then, so the readers check the certificate's own parts.
  auto valid_page = [&](const std::string& body) {
    return body.find("Действителен") != std::string::npos &&
           body.find("Петров Пётр Петрович") != std::string::npos &&
           body.find(code) != std::string::npos;
  };
  REQUIRE(valid_page(s.Get("/v/" + code).body));

  std::atomic<int> same{0}, different{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      httplib::Client c("127.0.0.1", PortOf(s));
      for (int i = 0; i < 60; ++i) {
        auto r = c.Get(("/v/" + code).c_str());
        if (r && r->status == 200 && valid_page(r->body)) {
          ++same;
        } else {
          ++different;
        }
        if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(15));
      }
    });
  }
  for (auto& t : readers) t.join();
  CHECK(same == 8 * 60);
  CHECK(different == 0);

  // A change made through the server drops the cache: the next read shows it,
  // even though a copy of the valid page was served a moment ago.
  REQUIRE(valid_page(s.Get("/v/" + code).body));
  auto revoked = s.Post("/api/v1/certificates/" + code + "/revoke",
                        {{"reason", "error-in-data"}, {"reason_text", "опечатка в периоде"}},
                        s.ProviderToken());
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  const std::string after = s.Get("/v/" + code).body;
  CHECK(after.find("Отозван") != std::string::npos);
  CHECK(after.find("опечатка в периоде") != std::string::npos);
}

}  // namespace certledger::testing
