// Starts the real `certledger` binary on 127.0.0.1 (any free port) with a
// temporary data directory made by `certledger init --demo`, and talks to it
// over HTTP with cpp-httplib's client. Used by the server's integration tests.
#ifndef CERTLEDGER_TESTS_SERVER_SERVER_FIXTURE_H_
#define CERTLEDGER_TESTS_SERVER_SERVER_FIXTURE_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <httplib.h>
#include <catch2/catch.hpp>

#include "crypto/json.h"
#include "tests/test_util.h"

namespace certledger::testing {

inline std::string RunCommand(const std::string& cmd, int* exit_code = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (exit_code) *exit_code = WEXITSTATUS(status);
  return out;
}

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  httplib::Headers headers;
  Json json() const {
    auto j = crypto::ParseJson(body);
    return j.ok() ? *j : Json();
  }
};

class RegistryServer {
 public:
  // `init_args` are added to `certledger init` (default: --demo).
  explicit RegistryServer(const std::string& config_json = "{\"deadline_interval_s\": 0}") {
    data_ = (dir_.path() / "data").string();
    // The base URL must be the one served, so pick the port first.
    port_ = FreePort();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    int rc = 0;
    std::string out = RunCommand(std::string(CERTLEDGER_BINARY) + " init --data " + data_ +
                                     " --base-url " + base_ + " --demo",
                                 &rc);
    INFO(out);
    REQUIRE(rc == 0);
    std::ofstream(data_ + "/certledger.json") << config_json;
    auto tokens = crypto::ParseJson(ReadFile(data_ + "/demo-tokens.json"));
    REQUIRE(tokens.ok());
    tokens_ = *tokens;
    Start();
  }
  ~RegistryServer() { Stop(); }

  void Start() {
    int out_pipe[2];
    REQUIRE(pipe(out_pipe) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      close(out_pipe[0]);
      std::string log = data_ + "/server.log";
      FILE* err = std::fopen(log.c_str(), "a");
      if (err) dup2(fileno(err), 2);
      std::string listen = "127.0.0.1:" + std::to_string(port_);
      execl(CERTLEDGER_BINARY, CERTLEDGER_BINARY, "serve", "--data", data_.c_str(), "--listen",
            listen.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out_pipe[1]);
    // Wait for "certledger: serving ..." on stdout.
    std::string line;
    char c;
    while (read(out_pipe[0], &c, 1) == 1 && c != '\n') line += c;
    close(out_pipe[0]);
    INFO("server said: " << line << "\nlog: " << ReadFile(data_ + "/server.log"));
    REQUIRE(line.find("serving") != std::string::npos);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(30, 0);
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      stopped_cleanly_ = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      pid_ = -1;
      if (!stopped_cleanly_) {
        std::string log = ReadFile(data_ + "/server.log");
        std::fprintf(stderr, "server exit status %d; its log ends:\n%s\n", status,
                     log.substr(log.size() > 4000 ? log.size() - 4000 : 0).c_str());
      }
    }
  }

  HttpResult Get(const std::string& path, const std::string& token = "",
                 const httplib::Headers& extra = {}) {
    httplib::Headers h = extra;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return Wrap(client_->Get(path.c_str(), h));
  }

  HttpResult Send(const std::string& method, const std::string& path, const std::string& body,
                  const std::string& token = "",
                  const std::string& content_type = "application/json",
                  const httplib::Headers& extra = {}) {
    httplib::Headers h = extra;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = h;
    req.body = body;
    if (!content_type.empty()) req.set_header("Content-Type", content_type);
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool ok = client_->send(req, res, err);
    HttpResult r;
    if (!ok) {
      r.body = "(no response: " + httplib::to_string(err) +
               "; server log: " + ReadFile(data_ + "/server.log").substr(0, 3000) + ")";
      return r;
    }
    r.status = res.status;
    r.body = res.body;
    r.content_type = res.get_header_value("Content-Type");
    r.headers = res.headers;
    return r;
  }

  HttpResult Post(const std::string& path, const Json& body, const std::string& token = "",
                  const httplib::Headers& extra = {}) {
    return Send("POST", path, body.dump(), token, "application/json", extra);
  }

  // Reads the newest login code sent to `application` from the outbox (what
  // the applicant would read in their e-mail).
  std::string LoginCodeFor(const std::string& application) {
    auto r = Get("/api/v1/outbox?limit=1000", OperatorToken());
    REQUIRE(r.status == 200);
    std::string code;
    const Json outbox = r.json();
    for (const auto& m : outbox["messages"]) {
      if (m["application"] == application && m["kind"] == "login-code") {
        std::string body = m["body"].get<std::string>();
        for (size_t i = 0; i + 6 <= body.size(); ++i) {
          if (std::all_of(body.begin() + static_cast<long>(i),
                          body.begin() + static_cast<long>(i) + 6, ::isdigit) &&
              (i + 6 == body.size() || !::isdigit(body[i + 6])) &&
              (i == 0 || !::isdigit(body[i - 1]))) {
            code = body.substr(i, 6);
          }
        }
      }
    }
    return code;
  }

  std::string OperatorToken() const { return tokens_["operator"].get<std::string>(); }
  std::string ProviderToken() const { return tokens_["provider"]["token"].get<std::string>(); }
  std::string ApplicantToken() const { return tokens_["applicant"]["token"].get<std::string>(); }
  std::string DemoApplication() const {
    return tokens_["applicant"]["application"].get<std::string>();
  }
  const std::string& base() const { return base_; }
  const std::string& data() const { return data_; }
  int port() const { return port_; }
  bool stopped_cleanly() const { return stopped_cleanly_; }
  // `sqlite3 .dump` of the database (for "bad input changes nothing").
  std::string Dump() const { return RunCommand("sqlite3 " + data_ + "/registry.db .dump"); }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // A port the kernel considers free now (bound, read back, closed). Not
  // httplib::Server: it leaks its listening socket when never run.
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
  }

  static HttpResult Wrap(const httplib::Result& res) {
    HttpResult r;
    if (!res) {
      r.body = "(no response: " + httplib::to_string(res.error()) + ")";
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    r.content_type = res->get_header_value("Content-Type");
    r.headers = res->headers;
    return r;
  }

  TempDir dir_;
  std::string data_, base_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool stopped_cleanly_ = false;
  Json tokens_;
  std::unique_ptr<httplib::Client> client_;
};

// The current calendar year (UTC), as the demo registry's year configuration uses.
inline std::string Year() {
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  return std::to_string(tm.tm_year + 1900);
}

// A certificate by the demo provider on DA-101 (no voucher): draft, name
// confirmed by the provider, issued. Returns the registration code.
inline std::string IssueCertificate(RegistryServer& s, const std::string& name,
                                    const std::string& snils, int points = 88,
                                    const std::string& supersedes = "") {
  const std::string provider = s.ProviderToken(), year = Year();
  Json draft_body = {{"programme", "DA-101"},         {"learner_name", name},
                     {"learner_id", snils},           {"period_start", year + "-09-01"},
                     {"period_end", year + "-11-20"}, {"points", points},
                     {"identity_share", 0.4},         {"identity_method", "online-proctoring"}};
  if (!supersedes.empty()) draft_body["supersedes"] = supersedes;
  auto draft = s.Post("/api/v1/certificates", draft_body, provider);
  INFO(draft.body);
  REQUIRE(draft.status == 201);
  const std::string code = draft.json()["code"];
  auto confirmed =
      s.Post("/api/v1/certificates/" + code + "/confirm-name", Json::object(), provider);
  INFO(confirmed.body);
  REQUIRE(confirmed.status == 200);
  auto issued = s.Post("/api/v1/certificates/" + code + "/issue", Json::object(), provider);
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  return code;
}

}  // namespace certledger::testing

#endif  // CERTLEDGER_TESTS_SERVER_SERVER_FIXTURE_H_
