// Verifies a credential (a W3C VC 2.0 with an eddsa-jcs-2022 Data Integrity
// proof, docs/formats.md) and its optional ledger receipt against what a
// TrustSource yields, check by check (verifier/report.h).
//
// The checks, each reported separately:
//  structure   VC 2.0 context first; OB 3.0 context for OpenBadgeCredential;
//              required fields (issuer, credentialSubject, id/name/validFrom
//              and achievement for OB 3.0, validUntil for vouchers), dates.
//  proof       eddsa-jcs-2022 (W3C Data Integrity EdDSA Cryptosuites v1.0,
//              3.3.2) with the key from the issuer's DID document (did:web
//              through the TrustSource, did:key by itself).
//  key         the verification method is the issuer's: its DID is the
//              issuer, its controller is the issuer, it is listed under
//              assertionMethod, and if it carries `revoked` the proof was
//              created (and, with a receipt, logged) strictly before that.
//  issuer      the DID document resolved; `certledger:issuer.status` is not
//              "suspended".
//  validity    validFrom <= now <= validUntil (VC 2.0 section 4.9).
//  status      every BitstringStatusListEntry: the list credential's own
//              proof by the same issuer, then the revocation / suspension bit.
//  receipt     crypto::VerifyReceipt with the ledger key, and the entry's
//              digest, id and issuer match this credential.
//  consistency the receipt's checkpoint is consistent with the newest one
//              known (RFC 9162 2.1.4.2); could-not-check when no proof can
//              be had (e.g. offline and the receipt is newer than the bundle).
// "Could not check" never yields a valid verdict.
//
// Thread-safety: Verifier is thread-safe if its TrustSource is. It caches
// what it fetched and verified (DID documents, status lists, checkpoints,
// consistency proofs) for VerifierOptions::cache_ttl_ms of the caller's
// clock, so a long-lived Verifier (the server, a batch) verifies each further
// credential with one Ed25519 verification.
#ifndef CERTLEDGER_VERIFIER_VERIFIER_H_
#define CERTLEDGER_VERIFIER_VERIFIER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "crypto/checkpoint.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"
#include "crypto/status_list.h"
#include "verifier/report.h"
#include "verifier/trust_source.h"

namespace certledger::verifier {

// Context URLs (VC 2.0 section 4.3; OB 3.0 section B.1.1).
inline constexpr char kVc2Context[] = "https://www.w3.org/ns/credentials/v2";
inline constexpr char kOb3ContextPrefix[] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.";

struct VerifierOptions {
  // How long fetched and verified objects are reused, in the caller's clock.
  int64_t cache_ttl_ms = 60'000;
  // Without a receipt the receipt check is "could not check" (true) or "not
  // applicable" (false: e.g. third-party credentials that have none).
  bool require_receipt = false;
};

class Verifier {
 public:
  // REQUIRES: *trust outlives the Verifier.
  explicit Verifier(TrustSource* trust, VerifierOptions options = {});
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verifies `credential` (and `receipt`, a LedgerReceipt JSON) at `now_ms`
  // (Unix milliseconds, from the caller's Clock). Every problem with the
  // credential, the receipt or the trust source is a Check in the Report;
  // the Result fails only with kInternal (out of memory and such).
  Result<Report> Verify(const Json& credential, const std::optional<Json>& receipt, int64_t now_ms);

 private:
  struct DidDoc;
  struct VerifiedList;
  Result<std::shared_ptr<const DidDoc>> Resolve(const std::string& did, int64_t now_ms);
  Result<std::shared_ptr<const VerifiedList>> StatusList(const std::string& url,
                                                         const std::string& issuer, int64_t now_ms,
                                                         Check* why);
  Result<crypto::Checkpoint> OpenCheckpointCached(const std::string& note, const std::string& vkey);
  Check StatusCheck(const Json& credential, const std::string& issuer, int64_t now_ms);
  Check CheckReceipt(const Json& credential, const Json& receipt, const std::string& issuer,
                     const std::optional<crypto::Sha256Digest>& credential_digest, int64_t now_ms,
                     Report* report, crypto::Checkpoint* cp, std::optional<int64_t>* entry_time_ms,
                     std::string* vkey_out);
  Check CheckConsistency(const crypto::Checkpoint& cp, const std::string& vkey, int64_t now_ms,
                         Report* report);

  TrustSource* const trust_;
  const VerifierOptions options_;

  std::mutex mu_;  // guards the caches below
  std::map<std::string, std::pair<std::shared_ptr<const DidDoc>, int64_t>> dids_;
  std::map<std::string, std::pair<std::shared_ptr<const VerifiedList>, int64_t>> lists_;
  // Verified checkpoints: note text -> (ledger key, checkpoint).
  std::map<std::string, std::pair<std::string, crypto::Checkpoint>, std::less<>> checkpoints_;
  std::pair<std::string, int64_t> vkey_;  // ledger key, expiry
  // The newest checkpoint (verified with newest_vkey_), until newest_expiry_.
  std::optional<crypto::Checkpoint> newest_;
  std::string newest_vkey_;
  int64_t newest_expiry_ = 0;
  std::set<std::string> consistent_;  // proven (old size, old root, new size, new root)
};

// One-shot verification without caching across calls (the server may keep a
// Verifier instead). Same contract as Verifier::Verify.
Result<Report> VerifyCredential(const Json& credential, const std::optional<Json>& receipt,
                                TrustSource& trust, int64_t now_ms,
                                const VerifierOptions& options = {});

// The issuer DID of a credential: `issuer` as a string, or `issuer.id`.
// Empty if neither.
std::string IssuerDid(const Json& credential);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_VERIFIER_H_
