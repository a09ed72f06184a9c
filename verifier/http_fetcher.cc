// The online Fetcher over cpp-httplib: the only file of verifier/ that
// includes <httplib.h> (STYLE.md, "Targets and arrows").
#include <memory>
#include <string>

#include <httplib.h>

#include "verifier/trust_source.h"

namespace certledger::verifier {
namespace {

class HttpFetcher final : public Fetcher {
 public:
  explicit HttpFetcher(const HttpFetcherOptions& options) : options_(options) {}

  Result<std::string> Get(const std::string& url, const std::string& accept) override {
    std::string origin = UrlOrigin(url);
    if (origin.empty()) {
      return Status::InvalidArgument("fetch.bad-url", "not an http(s) URL: " + url);
    }
    std::string path = url.substr(origin.size());
    if (path.empty()) path = "/";
    std::size_t hash = path.find('#');
    if (hash != std::string::npos) path.resize(hash);
    for (int redirects = 0;; ++redirects) {
      httplib::Client client(origin);
      client.set_connection_timeout(options_.connect_timeout_s, 0);
      client.set_read_timeout(options_.read_timeout_s, 0);
      client.set_write_timeout(options_.read_timeout_s, 0);
      client.set_follow_location(false);
      std::string body;
      bool too_large = false;
      httplib::Headers headers = {{"Accept", accept}, {"User-Agent", "certverify/0.1"}};
      auto res = client.Get(path, headers, [&](const char* data, size_t len) {
        if (body.size() + len > options_.max_body_bytes) {
          too_large = true;
          return false;
        }
        body.append(data, len);
        return true;
      });
      if (too_large) {
        return Status::Unavailable(
            "fetch.too-large",
            url + ": response larger than " + std::to_string(options_.max_body_bytes) + " bytes");
      }
      if (!res) {
        return Status::Unavailable("fetch.unavailable",
                                   url + ": " + httplib::to_string(res.error()));
      }
      int status = res->status;
      if (status >= 300 && status < 400 && res->has_header("Location")) {
        if (redirects >= options_.max_redirects) {
          return Status::Unavailable("fetch.unavailable", url + ": too many redirects");
        }
        std::string location = res->get_header_value("Location");
        if (location.empty())
          return Status::Unavailable("fetch.unavailable", url + ": bad redirect");
        if (location[0] == '/') {
          path = location;
        } else {
          std::string new_origin = UrlOrigin(location);
          if (new_origin.empty()) {
            return Status::Unavailable("fetch.unavailable", url + ": bad redirect");
          }
          // Never downgrade from https to http.
          if (origin.rfind("https://", 0) == 0 && new_origin.rfind("https://", 0) != 0) {
            return Status::Unavailable("fetch.unavailable", url + ": redirect to plain http");
          }
          origin = new_origin;
          path = location.substr(new_origin.size());
          if (path.empty()) path = "/";
        }
        continue;
      }
      if (status == 404 || status == 410) {
        return Status::NotFound("fetch.not-found", url + ": HTTP " + std::to_string(status));
      }
      if (status < 200 || status >= 300) {
        return Status::Unavailable("fetch.unavailable", url + ": HTTP " + std::to_string(status));
      }
      return body;
    }
  }

 private:
  const HttpFetcherOptions options_;
};

}  // namespace

std::unique_ptr<Fetcher> NewHttpFetcher(const HttpFetcherOptions& options) {
  return std::make_unique<HttpFetcher>(options);
}

}  // namespace certledger::verifier
