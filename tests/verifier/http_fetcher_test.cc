// Tests of verifier/http_fetcher.cc against a cpp-httplib server on
// 127.0.0.1: status mapping (404 -> kNotFound, refused/5xx -> kUnavailable),
// redirects, the size cap and the Accept header.
#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

// The same configuration as the Debian cpp-httplib library (pkg-config).
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>

#include "verifier/trust_source.h"

namespace certledger::verifier {
namespace {

class TestServer {
 public:
  TestServer() {
    server_.Get("/ok", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("accept=" + req.get_header_value("Accept"), "text/plain");
    });
    server_.Get("/gone", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    server_.Get("/boom", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server_.Get("/redir",
                [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/ok"); });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_CASE("http fetcher: statuses map to kNotFound and kUnavailable", "[verifier]") {
  TestServer s;
  auto f = NewHttpFetcher();
  auto ok = f->Get(s.Url("/ok"), "application/ld+json");
  REQUIRE(ok.ok());
  CHECK(*ok == "accept=application/ld+json");
  auto redirected = f->Get(s.Url("/redir"), "text/plain");
  REQUIRE(redirected.ok());
  CHECK(*redirected == "accept=text/plain");
  CHECK(f->Get(s.Url("/gone"), "*/*").status().IsNotFound());
  CHECK(f->Get(s.Url("/boom"), "*/*").status().IsUnavailable());
  HttpFetcherOptions small;
  small.max_body_bytes = 1000;
  auto capped = NewHttpFetcher(small)->Get(s.Url("/big"), "*/*");
  CHECK(capped.status().slug() == "fetch.too-large");
  CHECK(f->Get("ftp://127.0.0.1/x", "*/*").status().IsInvalidArgument());
}

TEST_CASE("http fetcher: a refused connection is kUnavailable", "[verifier]") {
  std::string url;
  {
    TestServer s;
    url = s.Url("/ok");
  }  // stopped: the port is closed now
  HttpFetcherOptions o;
  o.connect_timeout_s = 1;
  auto r = NewHttpFetcher(o)->Get(url, "*/*");
  CHECK(r.status().IsUnavailable());
}

TEST_CASE("did:web: DIDs map to URLs per the did:web method", "[verifier]") {
  CHECK(*DidWebToUrl("did:web:cert.example.ru") == "https://cert.example.ru/.well-known/did.json");
  CHECK(*DidWebToUrl("did:web:cert.example.ru:issuers:demo") ==
        "https://cert.example.ru/issuers/demo/did.json");
  CHECK(*DidWebToUrl("did:web:localhost%3A8443:issuers:demo") ==
        "https://localhost:8443/issuers/demo/did.json");
  CHECK(*DidWebHost("did:web:Cert.Example.RU%3a8443:issuers:demo") == "cert.example.ru:8443");
  for (const char* bad : {"did:key:z6Mk", "did:web:", "did:web:a%2Fb", "did:web:h:..:x",
                          "did:web:h::x", "did:web:h/x", "did:web:h#frag"}) {
    INFO(bad);
    CHECK(DidWebToUrl(bad).status().slug() == "didweb.malformed");
  }
  CHECK(UrlHost("https://cert.example.ru:443/v/X") == "cert.example.ru");
  CHECK(UrlHost("http://127.0.0.1:8080/v/X") == "127.0.0.1:8080");
  CHECK(UrlOrigin("https://Cert.example.ru/v/X?y") == "https://cert.example.ru");
  CHECK(BundleDidPath("did:web:cert.example.ru%3A8443:issuers:demo") ==
        "did/did_web_cert.example.ru%3A8443_issuers_demo.json");
}

}  // namespace
}  // namespace certledger::verifier
