// The public auditor (`certverify audit`), a Certificate Transparency style
// monitor of the credential ledger:
//
//  1. mirrors the ledger from its public C2SP tlog-tiles (`<base>/ledger/
//     checkpoint`, `<base>/ledger/tile/...`, `<base>/ledger/tile/entries/...`),
//     checks the C2SP signed-note signature of the checkpoint with the ledger
//     key (pinned, or kept in the state directory after trust on first use),
//     recomputes the RFC 6962 tree from the entries, compares the checkpoint
//     root and every published hash tile, and checks that the checkpoint is
//     consistent with the newest checkpoint seen before (state directory);
//  2. replays each voucher year from the ledger alone (quota, arrivals,
//     issuances, slot-freeing annulments, withdrawals and expiries): the
//     vouchers holding a slot never exceed the quota and the queue is served
//     strictly in arrival order (rules: docs/verifier.md "Audit");
//  3. lists the revocations per issuer.
//
// Every inconsistency is an AuditProblem with a stable code (public API, do
// not rename): audit.bad-signature, audit.key-changed, audit.checkpoint-
// malformed, audit.origin-mismatch, audit.root-mismatch, audit.tile-mismatch,
// audit.tile-malformed, audit.checkpoint-inconsistent, audit.checkpoint-older,
// audit.bad-entry, audit.year-unconfigured, audit.quota-exceeded,
// audit.queue-order, audit.queue-not-served, audit.slot-not-freed,
// audit.replay-mismatch, audit.outside-year, audit.fetch-failed,
// audit.no-key.
//
// The state directory holds `ledger-key` (the trusted verifier key),
// `checkpoint` (the newest checkpoint that passed every check) and `tile/...`
// (the mirrored tiles of that checkpoint). It is updated only when the audit
// finds no problem. Not thread-safe: one audit per state directory at a time.
#ifndef CERTLEDGER_VERIFIER_AUDIT_H_
#define CERTLEDGER_VERIFIER_AUDIT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"
#include "verifier/report.h"
#include "verifier/trust_source.h"

namespace certledger::verifier {

struct AuditOptions {
  // The registry's base URL; the ledger is read under <base_url>/ledger/.
  std::string base_url;
  // Where the trusted key, the last good checkpoint and the mirror live.
  // Created if missing.
  std::string state_dir;
  // A C2SP verifier key to pin ("<origin>+<hex id>+<base64>"); empty: the
  // key in the state directory, else trust on first use of
  // <base>/api/v1/ledger/key (or <base>/ledger/key of a static export).
  std::string ledger_key;
  // Tiles fetched concurrently. The fetcher must be thread-safe when > 1
  // (the HTTP fetcher is).
  int fetch_threads = 4;
  // Fetch again the full tiles already mirrored and report any that changed
  // (tiles are immutable). Off: mirrored full tiles are read from disk.
  bool refetch = false;
  // Called now and then with the entries processed and the tree size.
  std::function<void(int64_t done, int64_t total)> progress;
};

// How serious a problem is; the exit code of `certverify audit`.
enum class AuditSeverity {
  kInconsistent = 1,   // the ledger contradicts itself, its key or its rules
  kCouldNotCheck = 5,  // something could not be fetched or checked
};

struct AuditProblem {
  std::string code;  // "audit.tile-mismatch" ... (see the file comment)
  AuditSeverity severity = AuditSeverity::kInconsistent;
  std::string where;   // a tile path, "entry 123", "year 2026", a URL; may be empty
  int64_t entry = -1;  // the ledger index, when the problem is one entry
  Text text;           // what is wrong, in English and Russian
};

// The replay of one programme year.
struct YearAudit {
  int year = 0;
  int64_t quota = 0;  // the last configured quota
  int64_t configured = 0;
  int64_t arrivals = 0;  // arrival sequence numbers seen (queued or issued at once)
  int64_t issued = 0;
  int64_t issued_from_queue = 0;  // with servedSeq
  int64_t freed = 0;              // annulled/withdrawn with slotFreed, and expired
  int64_t lapsed = 0;
  int64_t holding = 0;      // vouchers holding a slot after the last entry
  int64_t max_holding = 0;  // the most held at once
  int64_t waiting = 0;      // applications still queued after the last entry
};

// One revocation-like entry as logged.
struct RevocationEntry {
  int64_t index = 0;
  std::string type;    // certificate.revoked, certificate.superseded, voucher.annulled, ...
  std::string id;      // the ledger id ("sha256:<hex>")
  std::string reason;  // as logged ("superseded" for supersessions)
  std::string time;
};

struct AuditReport {
  std::string base_url;
  std::string origin;
  std::string verifier_key;
  std::string key_source;      // "pinned", "state" or "first-use"
  int64_t tree_size = -1;      // -1: no verified checkpoint
  std::string root;            // base64
  int64_t previous_size = -1;  // the state's checkpoint, -1 if none
  std::string previous_root;
  int64_t entries = 0;  // entries read and replayed
  int64_t tiles_fetched = 0;
  int64_t tiles_mirrored = 0;  // read from the state directory
  std::map<std::string, int64_t> entry_types;
  std::vector<YearAudit> years;
  // Issuer DID -> its revocations, in ledger order.
  std::map<std::string, std::vector<RevocationEntry>> revocations;
  std::vector<AuditProblem> problems;
  // Problems beyond the first 50 of a code are only counted here.
  std::map<std::string, int64_t> problems_omitted;
  bool state_saved = false;
  double seconds = 0;

  // 0 without problems; 1 if any is kInconsistent; else 5.
  int ExitCode() const;
};

// Runs the audit. Fetch failures and inconsistencies are problems in the
// report; the Status is an error only for bad options (kInvalidArgument
// "audit.usage": no base URL or state directory, a malformed pinned key) or
// an unusable state directory (kFailedPrecondition "audit.state").
Result<AuditReport> Audit(Fetcher& fetcher, const AuditOptions& options);

// The report as JSON (`certverify audit --json`; field names are public API).
Json AuditReportToJson(const AuditReport& report);
// The report as text in `lang`.
std::string AuditReportToText(const AuditReport& report, Lang lang);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_AUDIT_H_
