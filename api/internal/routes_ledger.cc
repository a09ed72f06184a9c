// The public ledger over HTTP (DESIGN.md "Ledger"): C2SP tlog-tiles paths
// under /ledger/ (checkpoint no-cache, tiles immutable), and JSON helpers
// under /api/v1/ledger/ (verifier key, inclusion and consistency proofs).
#include <charconv>

#include "api/internal/routes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "registry/ledger/entry.h"

namespace certledger::api::internal {
namespace {

Result<int64_t> SizeParam(const Request& r, const std::string& name, bool required = true) {
  std::string v = r.Query(name);
  if (v.empty() && !required) return int64_t{-1};
  int64_t out = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || out < 0) {
    return Status::InvalidArgument("request.parameter", "the query parameter \"" + name +
                                                            "\" must be a non-negative integer")
        .WithField(name);
  }
  return out;
}

Json ProofJson(const std::vector<crypto::Hash>& proof) {
  Json a = Json::array();
  for (const auto& h : proof) a.push_back(crypto::Base64Encode(crypto::AsStringView(h)));
  return a;
}

}  // namespace

Result<int64_t> NewestTreeSize(registry::Registry& registry) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string cp, registry.ledger().LatestCheckpoint());
  size_t a = cp.find('\n');
  size_t b = cp.find('\n', a + 1);
  return std::stoll(cp.substr(a + 1, b - a - 1));
}

void AddLedgerRoutes(Router& router, ServerContext& ctx) {
  const Access pub = Access::Public(/*cors=*/true, /*rate_limited=*/false);
  router.Add({"GET",
              "/ledger/checkpoint",
              pub,
              "the newest signed checkpoint (C2SP tlog-checkpoint, signed note)",
              "ledger",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(std::string cp,
                                            ctx.registry.ledger().LatestCheckpoint());
                Reply rep = Reply::Raw(std::move(cp), "text/plain; charset=utf-8");
                rep.headers.emplace_back("Cache-Control", "no-cache");
                return rep;
              }});
  router.Add({"GET",
              "/ledger/tile/{path*}",
              pub,
              "a hash tile or entry bundle (C2SP tlog-tiles; immutable)",
              "ledger",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                auto tile = ctx.registry.ledger().ReadTile("tile/" + r.Param("path"));
                if (!tile.ok()) {
                  return Status::NotFound("tile.path", "no such tile: " + tile.status().message());
                }
                Reply rep = Reply::Raw(std::move(*tile), "application/octet-stream");
                // Full tiles never change; partial ones are replaced by wider ones.
                rep.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
                return rep;
              }});
  router.Add({"GET",
              "/api/v1/ledger/key",
              pub,
              "the ledger's C2SP verifier key",
              "ledger",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                Json j = {{"verifierKey", ctx.registry.ledger().VerifierKey()},
                          {"origin", ctx.registry.ledger().origin()}};
                return Reply::JsonBody(j);
              }});
  router.Add(
      {"GET",
       "/api/v1/ledger/inclusion",
       pub,
       "an inclusion proof of an entry (?index=N or ?credential=<id URL>) against the "
       "newest checkpoint, or ?size=M",
       "ledger",
       false,
       false,
       {"index", "credential", "size"},
       Json(),
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_ASSIGN_OR_RETURN(int64_t index, SizeParam(r, "index", false));
         std::string credential = r.Query("credential");
         if (index < 0 && credential.empty()) {
           return Status::InvalidArgument("request.parameter",
                                          "give ?index=N or ?credential=<credential URL>")
               .WithField("index");
         }
         if (index < 0) {
           std::string code = credential.substr(credential.rfind('/') + 1);
           CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.GetCertificate(code));
           if (rec.ledger_index < 0) {
             return Status::NotFound("certificate.unknown", "the certificate is not logged");
           }
           index = rec.ledger_index;
         }
         CERTLEDGER_ASSIGN_OR_RETURN(int64_t size, SizeParam(r, "size", false));
         if (size < 0) {
           CERTLEDGER_ASSIGN_OR_RETURN(size, NewestTreeSize(ctx.registry));
         }
         if (index >= size) {
           return Status::InvalidArgument("ledger.range",
                                          "the entry is not (yet) in a tree of that size");
         }
         auto proof = ctx.registry.ledger().InclusionProof(index, size);
         if (!proof.ok()) return Status::InvalidArgument("ledger.range", proof.status().message());
         CERTLEDGER_ASSIGN_OR_RETURN(std::string entry, ctx.registry.ledger().Entry(index));
         Json j = {
             {"index", index}, {"treeSize", size}, {"entry", entry}, {"proof", ProofJson(*proof)}};
         return Reply::JsonBody(j);
       }});
  router.Add({"GET",
              "/api/v1/ledger/consistency",
              pub,
              "an RFC 6962 consistency proof between two tree sizes (?old=N&new=M)",
              "ledger",
              false,
              false,
              {"old", "new"},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(int64_t old_size, SizeParam(r, "old"));
                CERTLEDGER_ASSIGN_OR_RETURN(int64_t new_size, SizeParam(r, "new"));
                auto proof = ctx.registry.ledger().ConsistencyProof(old_size, new_size);
                if (!proof.ok())
                  return Status::InvalidArgument("ledger.range", proof.status().message());
                Reply rep = Reply::JsonBody(
                    {{"old", old_size}, {"new", new_size}, {"proof", ProofJson(*proof)}});
                rep.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
                return rep;
              }});
}

}  // namespace certledger::api::internal
