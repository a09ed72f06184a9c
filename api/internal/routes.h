// The routes of the registry server, grouped by who uses them (DESIGN.md
// "Who uses it"). Each Add*Routes function appends its routes to the Router.
#ifndef CERTLEDGER_API_INTERNAL_ROUTES_H_
#define CERTLEDGER_API_INTERNAL_ROUTES_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/internal/router.h"
#include "registry/registry.h"
#include "render/fonts.h"
#include "verifier/trust_source.h"
#include "verifier/verifier.h"

namespace certledger::api::internal {

// The verifier's view of this registry, read in-process (no HTTP, no cache
// beyond the Verifier's own): DID documents, status lists and the ledger.
class RegistryTrustSource : public verifier::TrustSource {
 public:
  explicit RegistryTrustSource(registry::Registry& r) : r_(r) {}
  Result<Json> DidDocument(const std::string& did) override;
  Result<Json> StatusListCredential(const std::string& url) override;
  Result<std::string> LedgerVerifierKey() override;
  Result<std::string> NewestCheckpoint() override;
  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size, int64_t new_size) override;

 private:
  registry::Registry& r_;
};

// A small cache of rendered public responses (the status hot path and the
// certificate PDFs): entries live `ttl_ms` and are all dropped on any change
// made through this server. It holds at most `max_bytes` of answers (bodies,
// headers and keys): when a new one would not fit, the entries past their
// last use are dropped, then all of them.
// When an entry expires, the first Get misses (that caller renders and Puts)
// while the others keep getting the expired copy for up to another `ttl_ms`,
// instead of every concurrent request rendering the same page at once.
class PageCache {
 public:
  PageCache(int64_t ttl_ms, int64_t max_bytes) : ttl_ms_(ttl_ms), max_bytes_(max_bytes) {}
  std::optional<Reply> Get(const std::string& key);
  // The entry Get would give, without a copy, except that an expired entry
  // nobody is re-rendering gives nullptr without making this caller the one
  // to render it (the fast path then leaves the request to the handler, whose
  // Get does).
  std::shared_ptr<const Reply> Peek(const std::string& key);
  void Put(const std::string& key, const Reply& reply);
  void Invalidate();
  // What the entries hold now (for /metrics).
  int64_t bytes() const;

 private:
  struct Entry {
    std::shared_ptr<const Reply> reply;
    int64_t expires_ms = 0;
    bool refreshing = false;  // a Get missed after expiry and is rendering
    int64_t bytes = 0;
  };
  const int64_t ttl_ms_;
  const int64_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  int64_t bytes_ = 0;                               // GUARDED_BY(mu_)
};

struct ServerContext {
  registry::Registry& registry;
  std::string base_url;
  std::shared_ptr<const render::FontSet> fonts;  // null: PDFs unavailable
  RegistryTrustSource trust;
  PageCache pages;

  ServerContext(registry::Registry& r, std::shared_ptr<const render::FontSet> f,
                int64_t page_ttl_ms, int64_t page_cache_bytes);
  // The verifier (its caches are dropped by Changed()).
  std::shared_ptr<verifier::Verifier> Verifier();
  // Something public changed through this server (issued, revoked,
  // suspended...): drop the page cache and the verifier's caches.
  void Changed();

 private:
  std::mutex verifier_mu_;
  std::shared_ptr<verifier::Verifier> verifier_;
};

void AddPublicRoutes(Router& router, ServerContext& ctx);
void AddLedgerRoutes(Router& router, ServerContext& ctx);
void AddCertificateRoutes(Router& router, ServerContext& ctx);
void AddOperatorRoutes(Router& router, ServerContext& ctx);
void AddVoucherRoutes(Router& router, ServerContext& ctx);

// The tree size of the newest signed checkpoint (C2SP tlog-checkpoint line 2).
Result<int64_t> NewestTreeSize(registry::Registry& registry);

// The body of a revocation or annulment: {"reason": published code,
// "reason_text": optional text}, and its OpenAPI schema.
struct ReasonBody {
  std::string reason, text;
};
Result<ReasonBody> ParseReasonBody(const Json& body);
Json ReasonBodySchema();

// Scope helpers for handlers: 403 "auth.scope" unless the principal may act
// for `issuer_slug` (operator, or that issuer's provider).
Status RequireIssuerScope(const Request& r, const std::string& issuer_slug);
// True if the applicant principal of `r` holds the voucher `rec` references
// (the learner may check and correct the name on the draft).
Result<bool> ApplicantOwnsCertificate(ServerContext& ctx, const Request& r,
                                      const registry::CertificateRecord& rec);

}  // namespace certledger::api::internal

#endif  // CERTLEDGER_API_INTERNAL_ROUTES_H_
