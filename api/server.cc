#include "api/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "api/internal/buffered_server.h"
#include "api/internal/router.h"
#include "api/internal/routes.h"
#include "verifier/trust_source.h"

namespace certledger::api {
namespace internal {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- RegistryTrustSource -------------------------------------------------------

Result<Json> RegistryTrustSource::DidDocument(const std::string& did) {
  if (did == r_.RegistryDid()) return r_.RegistryDidDocument();
  const std::string prefix = r_.RegistryDid() + ":issuers:";
  if (did.rfind(prefix, 0) == 0) return r_.IssuerDidDocument(did.substr(prefix.size()));
  return Status::Unavailable("trust.foreign-did",
                             "the DID " + did + " is not one of this registry's issuers");
}

Result<Json> RegistryTrustSource::StatusListCredential(const std::string& url) {
  const std::string prefix = r_.base_url() + "/status/";
  if (url.rfind(prefix, 0) == 0) {
    std::string rest = url.substr(prefix.size());
    size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      const std::string n = rest.substr(slash + 1);
      if (!n.empty() && n.size() < 7 && n.find_first_not_of("0123456789") == std::string::npos) {
        return r_.StatusList(rest.substr(0, slash), std::stoi(n));
      }
    }
  }
  return Status::Unavailable("trust.foreign-status-list",
                             "the status list " + url + " is not served by this registry");
}

Result<std::string> RegistryTrustSource::LedgerVerifierKey() { return r_.ledger().VerifierKey(); }

Result<std::string> RegistryTrustSource::NewestCheckpoint() {
  return r_.ledger().LatestCheckpoint();
}

Result<std::vector<crypto::Hash>> RegistryTrustSource::ConsistencyProof(int64_t old_size,
                                                                        int64_t new_size) {
  return r_.ledger().ConsistencyProof(old_size, new_size);
}

// ---- PageCache -------------------------------------------------------------------

std::optional<Reply> PageCache::Get(const std::string& key) {
  if (ttl_ms_ <= 0) return std::nullopt;
  std::shared_ptr<const Reply> hit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    Entry& e = it->second;
    const int64_t now = SteadyMs();
    if (e.expires_ms < now) {
      // Expired: one caller renders; the rest get this copy meanwhile, but
      // never one older than two lifetimes.
      if (!e.refreshing && e.expires_ms + ttl_ms_ >= now) {
        e.refreshing = true;
        return std::nullopt;
      }
      if (e.expires_ms + ttl_ms_ < now) return std::nullopt;
    }
    hit = e.reply;
  }
  return *hit;  // the copy is made outside the lock
}

std::shared_ptr<const Reply> PageCache::Peek(const std::string& key) {
  if (ttl_ms_ <= 0) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  const Entry& e = it->second;
  const int64_t now = SteadyMs();
  if (e.expires_ms < now && (!e.refreshing || e.expires_ms + ttl_ms_ < now)) return nullptr;
  return e.reply;
}

void PageCache::Put(const std::string& key, const Reply& reply) {
  if (ttl_ms_ <= 0) return;
  // The answer, its key twice (map and entry) and the map's own overhead.
  int64_t bytes = static_cast<int64_t>(reply.body.size() + 2 * key.size()) + 128;
  for (const auto& [k, v] : reply.headers) bytes += static_cast<int64_t>(k.size() + v.size()) + 64;
  if (bytes > max_bytes_ / 4) return;  // one answer never takes most of the cache
  auto shared = std::make_shared<const Reply>(reply);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }
  if (bytes_ + bytes > max_bytes_) {
    // First the entries Get would no longer give (past their second
    // lifetime), then everything.
    const int64_t now = SteadyMs();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.expires_ms + ttl_ms_ < now) {
        bytes_ -= it->second.bytes;
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    if (bytes_ + bytes > max_bytes_) {
      entries_.clear();
      bytes_ = 0;
    }
  }
  entries_[key] = Entry{std::move(shared), SteadyMs() + ttl_ms_, false, bytes};
  bytes_ += bytes;
}

void PageCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  bytes_ = 0;
}

int64_t PageCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

ServerContext::ServerContext(registry::Registry& r, std::shared_ptr<const render::FontSet> f,
                             int64_t page_ttl_ms, int64_t page_cache_bytes)
    : registry(r),
      base_url(r.base_url()),
      fonts(std::move(f)),
      trust(r),
      pages(page_ttl_ms, page_cache_bytes) {
  Changed();
}

std::shared_ptr<verifier::Verifier> ServerContext::Verifier() {
  std::lock_guard<std::mutex> lock(verifier_mu_);
  return verifier_;
}

void ServerContext::Changed() {
  pages.Invalidate();
  // Changes made by other processes (the CLI) show within the cache's 2 s.
  auto fresh = std::make_shared<verifier::Verifier>(&trust, verifier::VerifierOptions{2000, false});
  std::lock_guard<std::mutex> lock(verifier_mu_);
  verifier_ = std::move(fresh);
}

}  // namespace internal

namespace {

using internal::Reply;
using internal::Request;
using internal::Router;

Status BadConfig(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("config.invalid", "configuration \"" + key + "\": " + why)
      .WithField(key);
}

// Splits "host:port".
bool SplitListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  const std::string p = listen.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *port = std::stoi(p);
  return *port <= 65535;
}

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

Status ServerConfig::MergeJson(const Json& j) {
  if (!j.is_object()) return BadConfig("(file)", "the configuration must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    auto str = [&](std::string* out) -> Status {
      if (!v.is_string()) return BadConfig(k, "must be a string");
      *out = v.get<std::string>();
      return Status::Ok();
    };
    auto num = [&](auto* out) -> Status {
      if (!v.is_number_integer()) return BadConfig(k, "must be an integer");
      *out = v.get<std::decay_t<decltype(*out)>>();
      return Status::Ok();
    };
    Status s;
    if (k == "listen") {
      s = str(&listen);
    } else if (k == "tls_cert") {
      s = str(&tls_cert);
    } else if (k == "tls_key") {
      s = str(&tls_key);
    } else if (k == "threads") {
      s = num(&threads);
    } else if (k == "keep_alive_max") {
      s = num(&keep_alive_max);
    } else if (k == "keep_alive_timeout_s") {
      s = num(&keep_alive_timeout_s);
    } else if (k == "max_body_bytes") {
      s = num(&max_body_bytes);
    } else if (k == "max_batch_body_bytes") {
      s = num(&max_batch_body_bytes);
    } else if (k == "rate_limit_per_minute") {
      s = num(&rate_limit_per_minute);
    } else if (k == "rate_limit_burst") {
      s = num(&rate_limit_burst);
    } else if (k == "page_cache_ms") {
      s = num(&page_cache_ms);
    } else if (k == "page_cache_mb") {
      s = num(&page_cache_mb);
    } else if (k == "deadline_interval_s") {
      s = num(&deadline_interval_s);
    } else if (k == "log_requests") {
      if (!v.is_boolean()) return BadConfig(k, "must be true or false");
      log_requests = v.get<bool>();
    } else if (k == "base_url" || k == "data") {
      // Read by the CLI itself.
    } else {
      return BadConfig(k, "unknown key (see docs/operations.md)");
    }
    CERTLEDGER_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Status ServerConfig::MergeEnvironment() {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  auto num = [](const char* name, const char* v, auto* out) -> Status {
    char* end = nullptr;
    long long n = std::strtoll(v, &end, 10);
    if (*end != '\0' || n < 0) return BadConfig(name, "must be a non-negative integer");
    *out = static_cast<std::decay_t<decltype(*out)>>(n);
    return Status::Ok();
  };
  if (const char* v = env("CERTLEDGER_LISTEN")) listen = v;
  if (const char* v = env("CERTLEDGER_TLS_CERT")) tls_cert = v;
  if (const char* v = env("CERTLEDGER_TLS_KEY")) tls_key = v;
  if (const char* v = env("CERTLEDGER_THREADS")) {
    CERTLEDGER_RETURN_IF_ERROR(num("CERTLEDGER_THREADS", v, &threads));
  }
  if (const char* v = env("CERTLEDGER_RATE_LIMIT")) {
    CERTLEDGER_RETURN_IF_ERROR(num("CERTLEDGER_RATE_LIMIT", v, &rate_limit_per_minute));
  }
  if (const char* v = env("CERTLEDGER_MAX_BODY")) {
    CERTLEDGER_RETURN_IF_ERROR(num("CERTLEDGER_MAX_BODY", v, &max_body_bytes));
  }
  return Status::Ok();
}

Status ServerConfig::Validate() const {
  std::string host;
  int port = 0;
  if (!SplitListen(listen, &host, &port)) {
    return BadConfig("listen", "must be host:port, e.g. 127.0.0.1:8080 (port 0: any free port)");
  }
  if (tls_cert.empty() != tls_key.empty()) {
    return BadConfig("tls_cert", "give both the TLS certificate and its key, or neither");
  }
  if (threads < 2 || threads > 4096) return BadConfig("threads", "must be 2..4096");
  if (max_body_bytes < 1024 || max_body_bytes > (1 << 30)) {
    return BadConfig("max_body_bytes", "must be 1 KiB..1 GiB");
  }
  if (max_batch_body_bytes < max_body_bytes) {
    return BadConfig("max_batch_body_bytes", "must be at least max_body_bytes");
  }
  if (keep_alive_max < 1 || keep_alive_timeout_s < 1) {
    return BadConfig("keep_alive_max", "keep-alive settings must be positive");
  }
  if (page_cache_mb < 1 || page_cache_mb > 65536) {
    return BadConfig("page_cache_mb", "must be 1..65536 (MiB)");
  }
  return Status::Ok();
}

Json ServerConfig::ToJson() const {
  return {{"listen", listen},
          {"tls_cert", tls_cert},
          {"tls_key", tls_key.empty() ? "" : "(redacted path)"},
          {"threads", threads},
          {"keep_alive_max", keep_alive_max},
          {"keep_alive_timeout_s", keep_alive_timeout_s},
          {"max_body_bytes", max_body_bytes},
          {"max_batch_body_bytes", max_batch_body_bytes},
          {"rate_limit_per_minute", rate_limit_per_minute},
          {"rate_limit_burst", rate_limit_burst},
          {"page_cache_ms", page_cache_ms},
          {"page_cache_mb", page_cache_mb},
          {"deadline_interval_s", deadline_interval_s},
          {"log_requests", log_requests}};
}

int Serve(registry::Registry& registry, const ServerConfig& config) {
  Status valid = config.Validate();
  if (!valid.ok()) {
    std::fprintf(stderr, "certledger: %s\n", valid.ToString().c_str());
    return 2;
  }
  std::string host;
  int port = 0;
  SplitListen(config.listen, &host, &port);

  // Signals are taken by one thread with sigwait (BlockStopSignals ran first).
  sigset_t stop_signals = StopSignals();
  BlockStopSignals();
  // Open connections wait in the event loop without a thread each, so the
  // soft limit on descriptors (often 1024) is what caps them: raise it to
  // the hard limit, as nginx's worker_rlimit_nofile does.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
      std::fprintf(stderr, "certledger: cannot raise the open-file limit\n");
    }
  }

  auto fonts = render::FontSet::LoadDefault();
  if (!fonts.ok()) {
    std::fprintf(stderr, "certledger: PDFs unavailable: %s\n", fonts.status().ToString().c_str());
  }
  internal::ServerContext ctx(registry, fonts.ok() ? *fonts : nullptr, config.page_cache_ms,
                              int64_t{config.page_cache_mb} << 20);
  internal::RouterOptions ro;
  ro.base_url = registry.base_url();
  ro.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  ro.max_batch_body_bytes = static_cast<size_t>(config.max_batch_body_bytes);
  ro.rate_limit_per_minute = config.rate_limit_per_minute;
  ro.rate_limit_burst = config.rate_limit_burst;
  Router router(registry, ro);
  internal::AddPublicRoutes(router, ctx);
  internal::AddLedgerRoutes(router, ctx);
  internal::AddCertificateRoutes(router, ctx);
  internal::AddVoucherRoutes(router, ctx);
  internal::AddOperatorRoutes(router, ctx);
  const internal::Access pub = internal::Access::Public(/*cors=*/false, /*rate_limited=*/false);
  router.Add({"GET",
              "/api/v1/openapi.json",
              pub,
              "this OpenAPI 3 document",
              "ops",
              false,
              false,
              {},
              Json(),
              [&router](Request&) -> Result<Reply> {
                Reply rep = Reply::JsonBody(router.OpenApi());
                rep.headers.emplace_back("Cache-Control", "public, max-age=300");
                return rep;
              }});
  internal::BufferedServer* buffered_server = nullptr;  // (server, for plain HTTP)
  router.Add({"GET",
              "/metrics",
              pub,
              "Prometheus metrics (no personal data)",
              "ops",
              false,
              false,
              {},
              Json(),
              [&router, &registry, &buffered_server, &ctx](Request&) -> Result<Reply> {
                std::map<std::string, double> gauges;
                gauges["certledger_page_cache_bytes"] = static_cast<double>(ctx.pages.bytes());
                if (buffered_server != nullptr) {
                  gauges["certledger_http_connections"] =
                      static_cast<double>(buffered_server->connections());
                }
                auto size = internal::NewestTreeSize(registry);
                if (size.ok()) {
                  gauges["certledger_ledger_checkpoint_size"] = static_cast<double>(*size);
                }
                return Reply::Raw(router.metrics().Render(gauges),
                                  "text/plain; version=0.0.4; charset=utf-8");
              }});

  std::unique_ptr<httplib::Server> server;
  if (!config.tls_cert.empty()) {
    auto tls =
        std::make_unique<httplib::SSLServer>(config.tls_cert.c_str(), config.tls_key.c_str());
    if (!tls->is_valid()) {
      std::fprintf(stderr, "certledger: cannot load the TLS certificate or key (%s, %s)\n",
                   config.tls_cert.c_str(), config.tls_key.c_str());
      return 1;
    }
    server = std::move(tls);
  } else {
    // httplib's parsing and routing over buffered socket I/O: one send per
    // answer (api/internal/buffered_server.h).
    auto buffered = std::make_unique<internal::BufferedServer>();
    buffered_server = buffered.get();
    // Cached public pages skip httplib's parsing (buffered_server.h).
    const bool log = config.log_requests;
    buffered->set_fast_get(
        [&router, log](const internal::FastGetRequest& request, std::string* out) {
          const int status = router.FastGet(request, out);
          if (status != 0 && log) {  // as the logger below
            std::fprintf(stderr, "GET %.*s %d\n", static_cast<int>(request.path.size()),
                         request.path.data(), status);
          }
          return status;
        });
    server = std::move(buffered);
  }
  // Tuning (cpp-httplib's defaults: Nagle on, 5 requests per connection, 8 threads).
  server->set_tcp_nodelay(true);
  server->set_keep_alive_max_count(static_cast<size_t>(config.keep_alive_max));
  server->set_keep_alive_timeout(config.keep_alive_timeout_s);
  server->set_read_timeout(10, 0);
  server->set_write_timeout(10, 0);
  server->set_payload_max_length(static_cast<size_t>(config.max_batch_body_bytes));
  const int threads = config.threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // The listening socket, to widen its accept queue once bound: Debian's
  // compiled httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG),
  // so a burst of connections (64 at once from wrk, or clients after a
  // restart) overflows it; the kernel drops the handshakes and the clients
  // wait for a retransmission, 1 s and then 3 s, 7 s (TcpExtListenOverflows).
  int listen_fd = -1;
  server->set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;  // the last socket tried is the one bound
  });
  if (config.log_requests) {
    server->set_logger([](const httplib::Request& req, const httplib::Response& res) {
      // Method, path (codes and ids only, no bodies), status.
      std::fprintf(stderr, "%s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
    });
  }
  router.Install(*server);

  if (port == 0) {
    port = server->bind_to_any_port(host.c_str());
  } else if (!server->bind_to_port(host.c_str(), port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "certledger: cannot listen on %s (in use or not permitted)\n",
                 config.listen.c_str());
    return 1;
  }
  // listen() again on a listening socket only changes its backlog (Linux);
  // the kernel caps it at net.core.somaxconn.
  if (listen_fd >= 0 && ::listen(listen_fd, 4096) != 0) {
    std::fprintf(stderr, "certledger: cannot widen the accept queue (backlog stays 5)\n");
  }
  std::fprintf(stderr, "certledger: configuration %s\n", config.ToJson().dump().c_str());
  std::printf("certledger: serving %s on %s://%s:%d (%zu routes)\n", registry.base_url().c_str(),
              config.tls_cert.empty() ? "http" : "https", host.c_str(), port,
              router.routes().size());
  std::fflush(stdout);

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread deadlines([&] {
    if (config.deadline_interval_s <= 0) return;
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(config.deadline_interval_s),
                        [&] { return stopping; })) {
      lock.unlock();
      auto n = registry.RunDeadlines();
      if (!n.ok()) std::fprintf(stderr, "certledger: deadlines: %s\n", n.status().slug().c_str());
      lock.lock();
    }
  });
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (sig == SIGUSR1) return;  // woken by ourselves at the end
    std::fprintf(stderr, "certledger: stopping (signal %d)\n", sig);
    server->stop();
  });

  bool ok = server->listen_after_bind();
  // Answer the requests under way (the event loop's workers outlive listen).
  if (buffered_server != nullptr) buffered_server->Shutdown();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  deadlines.join();
  pthread_kill(signals.native_handle(), SIGUSR1);
  signals.join();
  // Publish everything acknowledged before exiting.
  auto size = registry.ledger().IntegrateNow();
  std::fprintf(stderr, "certledger: stopped; ledger size %lld\n",
               size.ok() ? static_cast<long long>(*size) : -1LL);
  return ok ? 0 : 1;
}

}  // namespace certledger::api
