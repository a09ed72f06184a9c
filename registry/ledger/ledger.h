// The public credential ledger: an append-only RFC 6962 Merkle log of the
// registry's public events, served as C2SP tlog-tiles with C2SP
// tlog-checkpoint bodies signed as C2SP signed notes (Ed25519), origin
// "<host>/ledger". Modelled on Sunlight and Tessera (STYLE.md "Ledger").
//
// Four pieces: the sequencer (registry/ledger/sequencer.h) gives an entry its
// index in the caller's transaction; Integrate (integrate.h) is a pure
// function from the old tree to the new root and tiles; the TileStore
// (tile_store.h) keeps immutable tiles; the checkpoint publisher (here) signs.
//
// Commit order, as in Sunlight: the new tiles are computed and the checkpoint
// for the new head is signed, after checking it is consistent with the newest
// checkpoint ever published; then (1) the tiles are written, (2) the tree head
// is compare-and-swapped and (3) the checkpoint is published (stored), all in
// one SQLite transaction, so a published checkpoint never lacks its tiles and
// a failed swap publishes nothing. Open() runs the same code as recovery, so
// a crash at any step is repaired at the next start.
//
// Thread-safety: Ledger is thread-safe. One integration runs at a time per
// process; several processes on one database are safe (the head moves only
// by compare-and-swap; the loser retries).
#ifndef CERTLEDGER_REGISTRY_LEDGER_LEDGER_H_
#define CERTLEDGER_REGISTRY_LEDGER_LEDGER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "crypto/receipt.h"
#include "crypto/signed_note.h"
#include "crypto/status.h"
#include "registry/clock.h"
#include "registry/ledger/entry.h"
#include "registry/ledger/tile_store.h"

namespace certledger::registry {
namespace internal {
class Db;
class Conn;
}  // namespace internal

struct LedgerOptions {
  // The log's identity, "<host>/ledger" (tlog-checkpoint "origin").
  std::string origin;
  // Integration and signing run at most this long after a write.
  int64_t integrate_delay_ms = 1000;
  // ... and, after a write is announced (Notify), at least this long after
  // the previous round began: under load one round integrates the writes of
  // this interval together (one durable transaction, one signed checkpoint,
  // each partial tile rewritten once), instead of one round per few writes.
  int64_t integrate_min_interval_ms = 50;
  // Sequenced-but-unintegrated entries beyond which writes get kUnavailable.
  int64_t max_pending = 100000;
  // Entries integrated per round.
  int64_t max_batch = 65536;
  // Run the integrator on a background thread (off in tools and some tests).
  bool background = true;
};

// Crash points for tests (TEST_SetCrashPoint): the process aborts there.
enum class LedgerCrashPoint {
  kNone = 0,
  kAfterIntegrate = 1,    // tiles computed, nothing written
  kBeforeHeadCommit = 2,  // tiles, head and checkpoint written, transaction not committed
  kAfterHeadCommit = 3,   // tiles, head and checkpoint durable, in-memory state not updated
  kAfterSign = 4,         // checkpoint signed, nothing written
  kAfterPublish = 5,      // checkpoint stored and the in-memory state updated
};

class Ledger {
 public:
  // Attaches to the ledger tables of `db` and recovers: integrates anything
  // sequenced but not integrated and publishes a checkpoint for the head.
  // REQUIRES: *db and `clock` outlive the Ledger. `signer` is the registry's
  // Ed25519 ledger key. kInvalidArgument ("ledger.bad-options") for an empty
  // or invalid origin; kDataLoss when stored state is inconsistent.
  static Result<std::unique_ptr<Ledger>> Open(internal::Db* db,
                                              std::unique_ptr<crypto::Signer> signer,
                                              const LedgerOptions& options, const Clock& clock);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Sequences `event` inside the caller's open write transaction (see
  // SequenceEntry for errors, including backpressure). Call Notify() after
  // the transaction commits.
  Result<int64_t> Append(internal::Conn& conn, const LedgerEvent& event) const;
  // Sequences `events` as consecutive entries inside the caller's open write
  // transaction; returns the first index (see SequenceEntries). For batches:
  // one index lookup instead of one per entry.
  Result<int64_t> AppendBatch(internal::Conn& conn, std::span<const LedgerEvent> events) const;
  // AppendBatch for entries already encoded with EncodeEntry (batch issuance
  // encodes them on its signing threads). REQUIRES: each body is the
  // EncodeEntry output of a valid event.
  Result<int64_t> AppendEncodedBatch(internal::Conn& conn,
                                     std::span<const std::string> bodies) const;
  // Wakes the integrator early.
  void Notify();
  // Integrates everything sequenced so far and publishes a checkpoint for
  // it; returns the published tree size. Safe to call any time.
  Result<int64_t> IntegrateNow();

  // The newest signed checkpoint (note text). kNotFound before the first.
  Result<std::string> LatestCheckpoint();
  // A tile or entry bundle by its tlog-tiles path ("tile/0/000.p/12").
  // kInvalidArgument "tlog.bad-tile-path"; kNotFound "ledger.no-such-tile".
  Result<std::string> ReadTile(std::string_view path);
  // The entry bytes at `index`. kNotFound ("ledger.no-such-entry").
  Result<std::string> Entry(int64_t index);
  // Proofs against an integrated tree size (<= the newest checkpoint).
  // kInvalidArgument ("ledger.bad-range") for sizes out of range.
  Result<std::vector<crypto::Hash>> InclusionProof(int64_t index, int64_t tree_size);
  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size, int64_t new_size);
  // A receipt for the entry at `index` against the newest checkpoint.
  // kUnavailable ("ledger.not-yet-integrated") before its integration.
  Result<crypto::Receipt> ReceiptFor(int64_t index);
  // Every published checkpoint, oldest first (for audits and tests).
  Result<std::vector<std::string>> AllCheckpoints();
  // Writes `dir`/checkpoint and every tile and entry bundle of the newest
  // checkpoint as static files for any web server or CDN; each file is
  // written to a temporary name and renamed. Returns the exported size.
  Result<int64_t> Export(const std::string& dir);

  const std::string& origin() const { return options_.origin; }
  // The C2SP signed-note verifier key "<origin>+<keyid>+<base64>".
  const std::string& VerifierKey() const { return verifier_key_; }
  const crypto::NoteVerifier& NoteVerifier() const { return note_verifier_; }

  // Test builds only: abort at `point` during the next integrations.
  void TEST_SetCrashPoint(LedgerCrashPoint point) { crash_point_ = point; }

 private:
  Ledger(internal::Db* db, std::unique_ptr<crypto::Signer> signer, crypto::NoteSigner note_signer,
         crypto::NoteVerifier verifier, const LedgerOptions& options, const Clock& clock);
  // One round: integrates up to max_batch entries. Returns the entries integrated.
  Result<int64_t> IntegrateBatch();
  // Signs a checkpoint for the head if it is newer than the newest published
  // (an empty ledger; a head integrated by an older certledger).
  Status Publish();
  // Stores a signed checkpoint inside the caller's write transaction.
  Status InsertCheckpoint(internal::Conn& c, int64_t size, const crypto::Hash& root,
                          const std::string& note);
  void BackgroundLoop();
  void MaybeCrash(LedgerCrashPoint at) const;

  internal::Db* const db_;
  const std::unique_ptr<crypto::Signer> signer_;
  const crypto::NoteSigner note_signer_;
  const crypto::NoteVerifier note_verifier_;
  const std::string verifier_key_;
  const LedgerOptions options_;
  const Clock& clock_;
  TileStore tiles_;
  std::atomic<LedgerCrashPoint> crash_point_{LedgerCrashPoint::kNone};
  // The integrated size last seen (for the backpressure check).
  std::atomic<int64_t> integrated_size_{0};

  std::mutex integrate_mu_;  // one integration at a time

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;      // GUARDED_BY(bg_mu_)
  bool bg_notified_ = false;  // GUARDED_BY(bg_mu_)
  std::thread bg_;
};

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_LEDGER_H_
