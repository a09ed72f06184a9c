// The route table of the HTTP API and what every request goes through before
// and after its handler: authentication and role/scope checks, body limits and
// strict JSON parsing, Idempotency-Key replay, rate limits on public POSTs,
// RFC 9457 problem+json errors, security headers, CORS on the public
// verification routes, and metrics. The OpenAPI document is generated from the
// same table, so it describes every route by construction.
//
// Internal to api/: the only header that exposes cpp-httplib.
#ifndef CERTLEDGER_API_INTERNAL_ROUTER_H_
#define CERTLEDGER_API_INTERNAL_ROUTER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <httplib.h>

#include "api/internal/buffered_server.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "registry/registry.h"

namespace certledger::api::internal {

using registry::Principal;
using registry::Role;

// What a handler answers. Errors are returned as a non-OK Status instead.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Reply JsonBody(const Json& j, int status = 200);
  static Reply Raw(std::string body, std::string content_type, int status = 200);
};

struct Request {
  const httplib::Request& http;
  Principal principal;
  std::map<std::string, std::string> params;  // {name} path parameters
  Json body;                                  // parsed JSON body (POST/PUT with JSON)
  std::string idempotency_key;                // the request's Idempotency-Key, if any

  const std::string& Param(const std::string& name) const;
  // A query parameter, or "" when absent.
  std::string Query(const std::string& name) const;
  // "ru" (default) or "en", from ?lang= or Accept-Language.
  std::string Lang() const;
};

// Request::Lang from the ?lang= value and the Accept-Language header.
std::string LangOf(std::string_view lang_param, std::string_view accept_language);
// The value of `name` in a query string that needs no decoding (the fast
// path's), as httplib reads it: the first occurrence; "" when absent.
std::string_view FastQueryValue(std::string_view query, std::string_view name);

using Handler = std::function<Result<Reply>(Request&)>;

// Access rule of a route. A principal passes if its role is listed; the
// handler then checks the scope (a provider's issuer, an applicant's
// application) and answers 403 "auth.scope" itself.
struct Access {
  bool is_public = false;     // no token needed (a token, if sent, must be valid)
  std::vector<Role> roles;    // roles admitted when !is_public
  bool rate_limited = false;  // public POSTs: per-client token bucket
  bool cors = false;          // Access-Control-Allow-Origin: * (public verification)

  static Access Public(bool cors, bool rate_limited = false) {
    Access a;
    a.is_public = true;
    a.cors = cors;
    a.rate_limited = rate_limited;
    return a;
  }
  static Access For(std::vector<Role> roles) {
    Access a;
    a.roles = std::move(roles);
    return a;
  }
};

struct Route {
  std::string method;  // GET, POST, PUT
  std::string path;    // OpenAPI form: /api/v1/certificates/{code}; {path*} matches slashes
  Access access;
  std::string summary;             // one line for the OpenAPI document
  std::string tag;                 // public, applicant, provider, operator, ledger, ops
  bool json_body = false;          // expects an application/json body
  bool creates = false;            // honours Idempotency-Key
  std::vector<std::string> query;  // documented query parameters
  Json request_schema;             // OpenAPI schema of the body (documentation)
  Handler handler;
};

// Problem types (RFC 9457): `type` is <base>/problems/<slug>, served as a
// short description at that URL.
struct ProblemType {
  std::string_view slug;
  int status;
  std::string_view title_en, title_ru;
};
// The catalogue of every problem type the API answers (documented in
// /api/v1/openapi.json and at /problems/<slug>).
const std::vector<ProblemType>& ProblemCatalogue();
// HTTP status for a Status from the registry or the verifier.
int HttpStatusFor(const Status& s);

struct RouterOptions {
  std::string base_url;
  size_t max_body_bytes = 1 << 20;  // 1 MiB; the batch route allows more
  size_t max_batch_body_bytes = 16 << 20;
  int rate_limit_per_minute = 120;  // per client address on public POSTs; 0: off
  int rate_limit_burst = 30;
};

// Request counters and latency histogram per route, in Prometheus text form.
class Metrics {
 public:
  void Observe(const std::string& route, int status, double seconds);
  // One more answer given by the fast path (also Observe()d).
  void CountFast() { fast_answers_.fetch_add(1, std::memory_order_relaxed); }
  std::string Render(const std::map<std::string, double>& gauges) const;

 private:
  struct PerRoute {
    std::map<int, uint64_t> by_status;
    std::vector<uint64_t> buckets;  // cumulative counts per kBuckets bound
    double sum = 0;
    uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, PerRoute> routes_;
  std::atomic<uint64_t> fast_answers_{0};
};

// A cached answer of a GET route for the fast path, or nullptr to leave the
// request to the route's handler. `values` are the path parameters.
using FastHandler = std::function<std::shared_ptr<const Reply>(
    const FastGetRequest& request, const std::vector<std::string>& values)>;

class RateLimiter {
 public:
  RateLimiter(int per_minute, int burst) : per_minute_(per_minute), burst_(burst) {}
  // True if `client` may make one more request now.
  bool Allow(const std::string& client);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  const int per_minute_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

class Router {
 public:
  Router(registry::Registry& registry, RouterOptions options);
  void Add(Route route);
  // Registers every route, the error handlers and the 404 fallback on `server`.
  void Install(httplib::Server& server);
  const std::vector<Route>& routes() const { return routes_; }
  Json OpenApi() const;
  Metrics& metrics() { return metrics_; }
  const RouterOptions& options() const { return options_; }

  // Lets the GET route `path` (as added) answer from a cache on the
  // BufferedServer's fast path; the handler must return what the route's own
  // handler would for such a request (no token, no body).
  void SetFastGet(const std::string& path, FastHandler handler);
  // The BufferedServer's FastGetHandler: the answer, with exactly the bytes
  // httplib writes for the same Reply (headers in its case-insensitive order),
  // counted in the metrics; 0 if the route has no fast handler, it has
  // nothing cached, or (in the event loop) the answer would have to wait for
  // an fsync.
  int FastGet(const FastGetRequest& request, std::string* out);

  // A problem+json reply for `s` (public: the bad-input handlers use it too).
  Reply Problem(const Status& s) const;

  // Test-only (tests/fuzz/http_body_fuzz.cc): runs route `route_index` on
  // `req` as the handler Install registers would, without a network: takes
  // the path parameters from req.path, then dispatches; false, doing
  // nothing, if the path does not match the route. Thread-safe.
  bool TEST_Dispatch(size_t route_index, httplib::Request& req, httplib::Response& res);

 private:
  // Runs route `route_index`; `values` are its path parameters in {name} order.
  void Dispatch(size_t route_index, const httplib::Request& req, httplib::Response& res,
                const std::vector<std::string>& values);
  // The GET route that `path` names (the first in registration order, as
  // httplib would pick), with its parameter values; -1 if none.
  int MatchGet(std::string_view path, std::vector<std::string>* values) const;
  // Whether `path` matches route `i`'s segments; its parameter values if so.
  bool MatchRoute(size_t i, std::string_view path, std::vector<std::string>* values) const;
  Result<Reply> Run(const Route& route, const httplib::Request& req, Request& r);

  registry::Registry& registry_;
  RouterOptions options_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> param_names_;  // per route, its {names}
  // Per route, its path split at '/': a literal segment, "{}" for one
  // parameter segment, "{*}" for a parameter that takes the rest.
  std::vector<std::vector<std::string>> segments_;
  std::vector<FastHandler> fast_;  // per route, set by SetFastGet
  Metrics metrics_;
  RateLimiter limiter_;
  std::mutex inflight_mu_;
  std::set<std::string> inflight_;  // Idempotency-Keys being processed
};

// Body helpers for handlers. Each fails with "request.field" naming the field.
Status AllowOnly(const Json& body, std::initializer_list<std::string_view> fields);
Result<std::string> StringField(const Json& body, std::string_view field, bool required = true,
                                size_t max_bytes = 1000);
Result<int64_t> IntField(const Json& body, std::string_view field, bool required = true);
Result<double> NumberField(const Json& body, std::string_view field, bool required = true);
Result<std::vector<std::string>> StringArrayField(const Json& body, std::string_view field,
                                                  bool required = true);

}  // namespace certledger::api::internal

#endif  // CERTLEDGER_API_INTERNAL_ROUTER_H_
