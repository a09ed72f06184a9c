// `certledger serve --tls-cert --tls-key`: HTTPS with OpenSSL through
// cpp-httplib's SSLServer. A self-signed certificate for 127.0.0.1 is made
// with the openssl tool; curl, a real TLS client, checks it against that
// certificate and reads the public routes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "crypto/json.h"
#include "tests/server/server_fixture.h"
#include "tests/test_util.h"

namespace certledger::testing {
namespace {

namespace fs = std::filesystem;

// A demo registry served over HTTPS on 127.0.0.1.
class TlsServer {
 public:
  TlsServer() {
    data_ = (dir_.path() / "data").string();
    port_ = RegistryServer::FreePort();
    base_ = "https://127.0.0.1:" + std::to_string(port_);
    int rc = 0;
    std::string out = RunCommand(std::string(CERTLEDGER_BINARY) + " init --data " + data_ +
                                     " --base-url " + base_ + " --demo",
                                 &rc);
    INFO(out);
    REQUIRE(rc == 0);
    std::ofstream(data_ + "/certledger.json") << "{\"deadline_interval_s\": 0}";
    cert_ = (dir_.path() / "tls.crt").string();
    key_ = (dir_.path() / "tls.key").string();
    out = RunCommand(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
            key_ + " -out " + cert_,
        &rc);
    INFO(out);
    REQUIRE(rc == 0);
  }
  ~TlsServer() { Stop(); }

  // Starts `serve` with `cert` and `key`; the first line it prints.
  std::string Start(const std::string& cert, const std::string& key) {
    int out_pipe[2];
    REQUIRE(pipe(out_pipe) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      dup2(out_pipe[1], 2);
      close(out_pipe[0]);
      std::string listen = "127.0.0.1:" + std::to_string(port_);
      execl(CERTLEDGER_BINARY, CERTLEDGER_BINARY, "serve", "--data", data_.c_str(), "--listen",
            listen.c_str(), "--tls-cert", cert.c_str(), "--tls-key", key.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out_pipe[1]);
    std::string text;
    char c;
    while (read(out_pipe[0], &c, 1) == 1) {
      text += c;
      if (c == '\n' && text.find("serving") != std::string::npos) break;
    }
    close(out_pipe[0]);
    return text;
  }

  // The exit status of a server that stopped by itself (-1 if still running).
  int Wait() {
    int status = 0;
    if (pid_ <= 0 || waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  // curl's exit code; the body, and after it a line "HTTP <status>".
  std::string Curl(const std::string& args, int* rc) const {
    return RunCommand("curl -sS --max-time 20 -w '\\nHTTP %{http_code}' " + args, rc);
  }

  TempDir dir_;
  std::string data_, base_, cert_, key_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_CASE("tls: serve answers over HTTPS with the given certificate and verifies a certificate",
          "[server][tls]") {
  TlsServer s;
  std::string said = s.Start(s.cert_, s.key_);
  INFO(said);
  REQUIRE(said.find("serving") != std::string::npos);
  CHECK(said.find("https://") != std::string::npos);

  int rc = -1;
  // curl checks the chain against the self-signed certificate and the
  // name against 127.0.0.1 (its subjectAltName).
  std::string out = s.Curl("--cacert " + s.cert_ + " " + s.base_ + "/healthz", &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("HTTP 200") != std::string::npos);

  // A public route with its security headers, over TLS: the issuer's DID
  // document names the HTTPS host.
  out = s.Curl("--cacert " + s.cert_ + " -D - " + s.base_ + "/issuers/demo/did.json", &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("HTTP 200") != std::string::npos);
  CHECK(out.find("X-Content-Type-Options: nosniff") != std::string::npos);
  CHECK(out.find("did:web:127.0.0.1%3A" + std::to_string(s.port_) + ":issuers:demo") !=
        std::string::npos);

  // A request body over TLS: POST /api/v1/verify with a credential that is
  // not one answers problem+json.
  out = s.Curl("--cacert " + s.cert_ +
                   " -H 'Content-Type: application/json' --data '{\"credential\": 5}' " + s.base_ +
                   "/api/v1/verify",
               &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("HTTP 400") != std::string::npos);
  CHECK(out.find("/problems/") != std::string::npos);

  // Without the certificate as a trust anchor, curl refuses the server (it
  // is self-signed): the server really presents it.
  out = s.Curl(s.base_ + "/healthz", &rc);
  CHECK(rc == 60);  // CURLE_PEER_FAILED_VERIFICATION
  // Plain HTTP to the HTTPS port gets no HTTP answer.
  out = s.Curl("http://127.0.0.1:" + std::to_string(s.port_) + "/healthz", &rc);
  CHECK(out.find("HTTP 200") == std::string::npos);
  // The server still serves after both.
  out = s.Curl("--cacert " + s.cert_ + " " + s.base_ + "/healthz", &rc);
  CHECK(rc == 0);
  CHECK(out.find("HTTP 200") != std::string::npos);
}

TEST_CASE(
    "tls: a key that does not match the certificate, or a missing file, stops serve with "
    "a clear message",
    "[server][tls]") {
  TlsServer s;
  // Another key than the certificate's.
  const std::string other = (s.dir_.path() / "other.key").string();
  int rc = -1;
  RunCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + other, &rc);
  REQUIRE(rc == 0);
  std::string said = s.Start(s.cert_, other);
  INFO(said);
  CHECK(s.Wait() == 1);
  CHECK(said.find("cannot load the TLS certificate or key") != std::string::npos);
  CHECK(said.find("serving") == std::string::npos);

  said = s.Start((s.dir_.path() / "missing.crt").string(), s.key_);
  INFO(said);
  CHECK(s.Wait() == 1);
  CHECK(said.find("cannot load the TLS certificate or key") != std::string::npos);
}

}  // namespace
}  // namespace certledger::testing
