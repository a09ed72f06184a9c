// `certledger serve`: the registry's HTTP(S) server (cpp-httplib), tuned for
// load (TCP_NODELAY, long keep-alive; over plain HTTP connections wait in an
// epoll event loop and `threads` workers answer requests, see
// api/internal/buffered_server.h; over TLS a thread per connection up to
// `threads`), with every route of the API (api/internal/routes.h).
//
// Configuration is layered (STYLE.md): defaults < the JSON file
// DIR/certledger.json or --config < CERTLEDGER_* environment < flags, and is
// logged at start with secrets redacted.
#ifndef CERTLEDGER_API_SERVER_H_
#define CERTLEDGER_API_SERVER_H_

#include <cstdint>
#include <string>

#include "crypto/json.h"
#include "crypto/status.h"
#include "registry/registry.h"

namespace certledger::api {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port
  std::string tls_cert, tls_key;          // PEM files; both or neither
  int threads = 128;                      // worker threads (requests answered at once)
  int keep_alive_max = 100000;            // requests per connection
  int keep_alive_timeout_s = 10;
  int64_t max_body_bytes = 1 << 20;
  int64_t max_batch_body_bytes = 16 << 20;
  int rate_limit_per_minute = 120;  // per client address, public POSTs; 0: off
  int rate_limit_burst = 30;
  int page_cache_ms = 1000;       // public page cache (dropped on any change)
  int page_cache_mb = 64;         // at most this much in it (MiB)
  int deadline_interval_s = 300;  // how often the deadline job runs; 0: never
  bool log_requests = false;

  // Applies the keys present in `j` (same names as the fields). Unknown keys
  // and wrong types are kInvalidArgument ("config.invalid") naming the key.
  Status MergeJson(const Json& j);
  // Applies CERTLEDGER_LISTEN, CERTLEDGER_TLS_CERT, CERTLEDGER_TLS_KEY,
  // CERTLEDGER_THREADS, CERTLEDGER_RATE_LIMIT, CERTLEDGER_MAX_BODY.
  Status MergeEnvironment();
  Status Validate() const;
  // For the start-up log; no secrets are in the config itself (the TLS key
  // is a path), but any value under a key named *key*, *secret*, *token* or
  // *passphrase* is shown as "(redacted)".
  Json ToJson() const;
};

// Blocks SIGINT, SIGTERM (taken by Serve's signal thread) and ignores
// SIGPIPE. Call before any thread starts (before opening the registry, whose
// ledger integrator is a thread), so no other thread receives them.
void BlockStopSignals();

// Serves until SIGINT or SIGTERM; returns the process exit code. Logs one
// line per start and stop to stderr (no personal data).
int Serve(registry::Registry& registry, const ServerConfig& config);

}  // namespace certledger::api

#endif  // CERTLEDGER_API_SERVER_H_
