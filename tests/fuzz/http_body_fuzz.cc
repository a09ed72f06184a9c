// The HTTP API's request-body handling (api/internal/router.cc and the
// handlers of api/internal/routes_*.cc), in-process: a real registry made by
// `certledger init --demo` in a temporary directory (once, at start-up), the
// real Router with every route, and each input dispatched as the server's
// handler would dispatch it (Router::TEST_Dispatch), without a network.
//
// Input: the first byte picks the route of tests/fuzz/http_body_routes.h
// (low 7 bits modulo the count; the high bit adds an Idempotency-Key), the
// rest is the body, sent as application/json with the route's token.
//
// Invariants: never a 5xx; every 4xx is application/problem+json whose
// `type` is <base>/problems/<slug> and whose `status` is the HTTP status;
// every JSON answer parses strictly; and no crash, leak or undefined
// behaviour (ASan, UBSan).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <httplib.h>

#include "api/cli.h"
#include "api/internal/router.h"
#include "api/internal/routes.h"
#include "crypto/json.h"
#include "registry/clock.h"
#include "registry/registry.h"
#include "tests/fuzz/http_body_routes.h"

using namespace certledger;
namespace fs = std::filesystem;

namespace {

constexpr char kBase[] = "https://cert.example.ru";

#define HTTP_FUZZ_CHECK(cond, what, route, ans)                                                    \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\nroute: %s %s\nanswer: %d %s\n%s\n", \
                   what, __FILE__, __LINE__, (route).method, (route).path, (ans).status,           \
                   (ans).content_type.c_str(), (ans).body.substr(0, 2000).c_str());                \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

void Die(const std::string& what) {
  std::fprintf(stderr, "http_body_fuzz: %s\n", what.c_str());
  std::abort();
}

struct Answer {
  int status = 0;
  std::string content_type, body;
};

class Harness {
 public:
  Harness() {
    // SQLite syncs every commit: keep the registry in memory-backed storage.
    fs::path tmp = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string templ = (tmp / "http-body-fuzz-XXXXXX").string();
    if (!mkdtemp(templ.data())) Die("mkdtemp failed");
    dir_ = templ;
    data_ = (dir_ / "data").string();
    std::vector<std::string> args = {"certledger", "init", "--data", data_,
                                     "--base-url", kBase,  "--demo"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (api::Main(static_cast<int>(args.size()), argv.data()) != 0) Die("certledger init failed");
    std::ifstream in(dir_ / "data" / "demo-tokens.json");
    auto tokens = crypto::ParseJson(std::string(std::istreambuf_iterator<char>(in), {}));
    if (!tokens.ok()) Die("no demo-tokens.json");
    operator_ = (*tokens)["operator"].get<std::string>();
    provider_ = (*tokens)["provider"]["token"].get<std::string>();
    application_ = (*tokens)["applicant"]["application"].get<std::string>();

    registry::RegistryOptions o;
    o.data_dir = data_;
    o.ledger.background = false;  // integrated by the harness, deterministically
    auto reg = registry::Registry::Open(o, clock_);
    if (!reg.ok()) Die(reg.status().ToString());
    registry_ = std::move(*reg);
    ctx_ = std::make_unique<api::internal::ServerContext>(*registry_, nullptr, 0, 0);
    api::internal::RouterOptions ro;
    ro.base_url = registry_->base_url();
    ro.rate_limit_per_minute = 0;
    router_ = std::make_unique<api::internal::Router>(*registry_, ro);
    api::internal::AddPublicRoutes(*router_, *ctx_);
    api::internal::AddLedgerRoutes(*router_, *ctx_);
    api::internal::AddCertificateRoutes(*router_, *ctx_);
    api::internal::AddVoucherRoutes(*router_, *ctx_);
    api::internal::AddOperatorRoutes(*router_, *ctx_);

    // Every fuzzed route is in the table, and every JSON-body route fuzzed.
    const auto& routes = router_->routes();
    for (size_t i = 0; i < fuzz::kBodyRouteCount; ++i) {
      const auto& want = fuzz::kBodyRoutes[i];
      size_t found = routes.size();
      for (size_t k = 0; k < routes.size(); ++k) {
        if (routes[k].method == want.method && routes[k].path == want.path) found = k;
      }
      if (found == routes.size()) Die(std::string("no route ") + want.method + " " + want.path);
      index_.push_back(found);
    }
    for (const auto& r : routes) {
      if (!r.json_body) continue;
      bool listed = false;
      for (const auto& b : fuzz::kBodyRoutes) listed |= r.method == b.method && r.path == b.path;
      if (!listed)
        Die("JSON-body route " + r.method + " " + r.path + " is not in http_body_routes.h");
    }

    // Objects for the path parameters: the demo voucher, a draft, an issued
    // certificate.
    auto app = registry_->GetApplication(application_);
    if (!app.ok() || app->voucher_code.empty()) Die("the demo application has no voucher");
    voucher_ = app->voucher_code;
    issued_ = MakeDraft("112-233-445 95", "2026-02-01");
    Must(Post("/api/v1/certificates/" + issued_ + "/confirm-name", ""), 200);
    Must(Post("/api/v1/certificates/" + issued_ + "/issue", ""), 200);
    draft_ = MakeDraft("123-456-789 64", "2026-03-01");
    (void)registry_->ledger().IntegrateNow();
    std::time_t t = std::time(nullptr);
    std::tm tm;
    gmtime_r(&t, &tm);
    next_year_ = std::to_string(tm.tm_year + 1900 + 1);
  }

  ~Harness() {
    router_.reset();
    ctx_.reset();
    registry_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The concrete path of fuzzed route `i`.
  std::string PathFor(size_t i) const {
    std::string p = fuzz::kBodyRoutes[i].path;
    auto sub = [&](const std::string& name, const std::string& v) {
      size_t at = p.find("{" + name + "}");
      if (at != std::string::npos) p.replace(at, name.size() + 2, v);
    };
    const bool certificate = p.rfind("/api/v1/certificates/", 0) == 0;
    const bool revoke = p.ends_with("/revoke");
    sub("code", certificate ? (revoke ? issued_ : draft_) : voucher_);
    sub("id", p.find("/outbox/") != std::string::npos ? "1" : application_);
    sub("year", next_year_);
    sub("slug", "demo");
    sub("n", "99");
    return p;
  }

  Answer Run(size_t i, const std::string& body, bool idempotency_key) {
    const auto& route = fuzz::kBodyRoutes[i];
    std::string role = route.role;
    return Call(index_[i], route.method, PathFor(i), body,
                role == "operator"   ? operator_
                : role == "provider" ? provider_
                                     : "",
                idempotency_key);
  }

  void AfterInput() {
    if (++runs_ % 256 == 0) (void)registry_->ledger().IntegrateNow();
  }

 private:
  Answer Call(size_t route_index, const std::string& method, const std::string& path,
              const std::string& body, const std::string& token, bool idempotency_key) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.remote_addr = "127.0.0.1";
    req.set_header("Content-Type", "application/json");
    if (!token.empty()) req.set_header("Authorization", "Bearer " + token);
    if (idempotency_key) req.set_header("Idempotency-Key", "fuzz-key");
    httplib::Response res;
    if (!router_->TEST_Dispatch(route_index, req, res)) Die("path does not match: " + path);
    return {res.status, res.get_header_value("Content-Type"), res.body};
  }

  Answer Post(const std::string& path, const std::string& body) {
    for (size_t k = 0; k < router_->routes().size(); ++k) {
      const auto& r = router_->routes()[k];
      if (r.method != "POST") continue;
      std::vector<std::string> names;
      httplib::Request probe;
      probe.path = path;
      // The first POST route whose pattern matches (as httplib would).
      std::string re;
      for (size_t c = 0; c < r.path.size(); ++c) {
        if (r.path[c] == '{') {
          c = r.path.find('}', c);
          re += "[^/]+";
        } else {
          re += r.path[c];
        }
      }
      if (std::regex_match(path, std::regex(re))) {
        return Call(k, "POST", path, body, provider_, false);
      }
    }
    Die("no POST route for " + path);
    return {};
  }

  void Must(const Answer& a, int status) {
    if (a.status != status) Die("setup: " + std::to_string(a.status) + " " + a.body);
  }

  std::string MakeDraft(const std::string& learner_id, const std::string& start) {
    Json d = {{"programme", "DA-101"},      {"learner_name", "Иванов Иван Иванович"},
              {"learner_id", learner_id},   {"period_start", start},
              {"period_end", "2026-06-30"}, {"points", 91},
              {"identity_share", 0.4},      {"identity_method", "online-proctoring"}};
    Answer a = Post("/api/v1/certificates", d.dump());
    Must(a, 201);
    return crypto::ParseJson(a.body)->at("code").get<std::string>();
  }

  fs::path dir_;
  std::string data_, operator_, provider_, application_, voucher_, draft_, issued_, next_year_;
  registry::SystemClock clock_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<api::internal::ServerContext> ctx_;
  std::unique_ptr<api::internal::Router> router_;
  std::vector<size_t> index_;  // kBodyRoutes[i] -> index in the router
  uint64_t runs_ = 0;
};

Harness* harness = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness = new Harness();
  std::atexit([] {
    delete harness;
    harness = nullptr;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t i = (data[0] & 0x7f) % fuzz::kBodyRouteCount;
  const bool idempotency_key = (data[0] & 0x80) != 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const fuzz::BodyRoute& route = fuzz::kBodyRoutes[i];
  Answer a = harness->Run(i, body, idempotency_key);
  harness->AfterInput();

  HTTP_FUZZ_CHECK(a.status >= 200 && a.status < 500, "a status of 2xx-4xx (never 5xx)", route, a);
  const bool problem = a.content_type == "application/problem+json";
  if (a.status >= 400) {
    HTTP_FUZZ_CHECK(problem, "every 4xx is application/problem+json", route, a);
  }
  if (problem || a.content_type.rfind("application/json", 0) == 0) {
    auto j = crypto::ParseJson(a.body);
    HTTP_FUZZ_CHECK(j.ok() && j->is_object(), "a JSON answer is a strict JSON object", route, a);
    if (problem) {
      const std::string prefix = std::string(kBase) + "/problems/";
      auto type = j->find("type");
      HTTP_FUZZ_CHECK(type != j->end() && type->is_string() &&
                          type->get<std::string>().rfind(prefix, 0) == 0 &&
                          type->get<std::string>().size() > prefix.size(),
                      "a problem's type is <base>/problems/<slug>", route, a);
      auto status = j->find("status");
      HTTP_FUZZ_CHECK(
          status != j->end() && status->is_number_integer() && status->get<int>() == a.status,
          "a problem's status is the HTTP status", route, a);
    }
  }
  return 0;
}
