#include "registry/ledger/ledger.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "crypto/hash.h"
#include "registry/internal/db.h"
#include "registry/ledger/integrate.h"
#include "registry/ledger/sequencer.h"

namespace certledger::registry {
namespace {

struct Head {
  int64_t size = 0;
  crypto::Hash root{};
};

crypto::Hash ToHash(const std::string& bytes) {
  crypto::Hash h{};
  std::copy_n(bytes.begin(), std::min<size_t>(bytes.size(), h.size()), h.begin());
  return h;
}

Head ReadHead(internal::Conn& c) {
  auto& q = c.Prepare("SELECT size, root FROM ledger_head WHERE id = 1");
  q.executeStep();
  return Head{q.getColumn(0).getInt64(), ToHash(internal::Blob(q.getColumn(1)))};
}

struct Published {
  bool any = false;
  int64_t size = 0;
  crypto::Hash root{};
  std::string note;
};

// tlog-tiles "Log entries": the bundle of entries [n*256, n*256 + width),
// assembled from the entry rows. Only integrated entries are served.
Result<std::string> ReadBundle(internal::Conn& c, const crypto::Tile& tile) {
  int64_t start = tile.n * crypto::kTileWidth;
  if (start + tile.width > ReadHead(c).size) {
    return Status::NotFound("ledger.no-such-tile", crypto::TilePath(tile) + " is not integrated");
  }
  auto& q = c.Prepare("SELECT body FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx");
  q.bind(1, static_cast<int64_t>(start));
  q.bind(2, static_cast<int64_t>(start + tile.width));
  std::string bundle;
  int64_t count = 0;
  while (q.executeStep()) {
    const auto& col = q.getColumn(0);
    CERTLEDGER_RETURN_IF_ERROR(
        crypto::AppendToEntryBundle(std::string_view(static_cast<const char*>(col.getBlob()),
                                                     static_cast<size_t>(col.getBytes())),
                                    &bundle));
    ++count;
  }
  if (count != tile.width) return Status::DataLoss("ledger.missing-entry", "entries missing");
  return bundle;
}

Published ReadLatestCheckpoint(internal::Conn& c) {
  auto& q = c.Prepare("SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  Published p;
  if (q.executeStep()) {
    p.any = true;
    p.size = q.getColumn(0).getInt64();
    p.root = ToHash(internal::Blob(q.getColumn(1)));
    p.note = internal::Blob(q.getColumn(2));
  }
  return p;
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view data) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return Status::Unavailable("io.write", "cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("io.write", "cannot rename to " + path.string());
  return Status::Ok();
}

}  // namespace

Ledger::Ledger(internal::Db* db, std::unique_ptr<crypto::Signer> signer,
               crypto::NoteSigner note_signer, crypto::NoteVerifier verifier,
               const LedgerOptions& options, const Clock& clock)
    : db_(db),
      signer_(std::move(signer)),
      note_signer_(std::move(note_signer)),
      note_verifier_(std::move(verifier)),
      verifier_key_(crypto::FormatVerifierKey(note_verifier_)),
      options_(options),
      clock_(clock) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(internal::Db* db,
                                             std::unique_ptr<crypto::Signer> signer,
                                             const LedgerOptions& options, const Clock& clock) {
  if (options.origin.empty() || options.max_batch <= 0 || options.max_pending <= 0) {
    return Status::InvalidArgument("ledger.bad-options", "the ledger needs an origin and limits");
  }
  auto ns = crypto::NoteSigner::Create(options.origin, signer.get());
  if (!ns.ok()) {
    return Status::InvalidArgument(
        "ledger.bad-options",
        "invalid ledger origin \"" + options.origin + "\": " + ns.status().message());
  }
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::NoteVerifier v, ns->Verifier());
  std::unique_ptr<Ledger> ledger(
      new Ledger(db, std::move(signer), std::move(*ns), std::move(v), options, clock));
  // Recovery is the ordinary path: integrate what was sequenced, publish the head.
  CERTLEDGER_RETURN_IF_ERROR(ledger->IntegrateNow().status());
  if (options.background) ledger->bg_ = std::thread([p = ledger.get()] { p->BackgroundLoop(); });
  return ledger;
}

Ledger::~Ledger() {
  if (bg_.joinable()) {
    {
      std::lock_guard<std::mutex> lk(bg_mu_);
      bg_stop_ = true;
    }
    bg_cv_.notify_all();
    bg_.join();
  }
}

void Ledger::MaybeCrash(LedgerCrashPoint at) const {
  if (crash_point_.load() == at) {
    std::fprintf(stderr, "ledger: TEST crash point %d\n", static_cast<int>(at));
    std::_Exit(86);
  }
}

Result<int64_t> Ledger::Append(internal::Conn& conn, const LedgerEvent& event) const {
  return SequenceEntry(conn, event, integrated_size_.load(), options_.max_pending);
}

Result<int64_t> Ledger::AppendBatch(internal::Conn& conn,
                                    std::span<const LedgerEvent> events) const {
  return SequenceEntries(conn, events, integrated_size_.load(), options_.max_pending);
}

Result<int64_t> Ledger::AppendEncodedBatch(internal::Conn& conn,
                                           std::span<const std::string> bodies) const {
  return SequenceEncodedEntries(conn, bodies, integrated_size_.load(), options_.max_pending);
}

void Ledger::Notify() {
  {
    std::lock_guard<std::mutex> lk(bg_mu_);
    bg_notified_ = true;
  }
  bg_cv_.notify_one();
}

void Ledger::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock<std::mutex> lk(bg_mu_);
  Clock::time_point last_round = Clock::now() - std::chrono::hours(1);
  while (!bg_stop_) {
    bg_cv_.wait_for(lk, std::chrono::milliseconds(options_.integrate_delay_ms),
                    [this] { return bg_stop_ || bg_notified_; });
    if (bg_stop_) break;
    // Not sooner than integrate_min_interval_ms after the previous round.
    const Clock::time_point earliest =
        last_round + std::chrono::milliseconds(options_.integrate_min_interval_ms);
    if (bg_cv_.wait_until(lk, earliest, [this] { return bg_stop_; })) break;
    bg_notified_ = false;
    last_round = Clock::now();
    lk.unlock();
    auto r = IntegrateNow();
    if (!r.ok()) {
      // No personal data can be in ledger errors: entries are public by construction.
      std::fprintf(stderr, "ledger: integration failed, will retry: %s\n",
                   r.status().ToString().c_str());
    }
    lk.lock();
  }
}

Result<int64_t> Ledger::IntegrateBatch() {
  Head head;
  Published last;
  Integration integ;
  bool have_work = false;
  // Step 0: read the head, the newest published checkpoint and the pending
  // entries; compute the new tiles and a consistency proof from the newest
  // checkpoint. Entries are hashed straight from the rows (no copies). A
  // crash here changes nothing.
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    head = ReadHead(c);
    last = ReadLatestCheckpoint(c);
    auto& q = c.Prepare("SELECT body FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?");
    q.bind(1, static_cast<int64_t>(head.size));
    q.bind(2, static_cast<int64_t>(options_.max_batch));
    std::vector<crypto::Hash> leaves;
    while (q.executeStep()) {
      const auto& col = q.getColumn(0);
      leaves.push_back(crypto::LeafHash(std::string_view(static_cast<const char*>(col.getBlob()),
                                                         static_cast<size_t>(col.getBytes()))));
    }
    if (leaves.empty()) return Status::Ok();
    have_work = true;
    if (last.any && last.size > head.size) {
      return Status::DataLoss("ledger.fork", "the tree head is behind a published checkpoint");
    }
    TileStore::Reader reader(tiles_, c);
    CERTLEDGER_ASSIGN_OR_RETURN(integ,
                                Integrate(head.size, leaves, reader, last.any ? last.size : 0));
    return Status::Ok();
  }));
  if (!have_work) return int64_t{0};
  MaybeCrash(LedgerCrashPoint::kAfterIntegrate);

  // Never sign a checkpoint inconsistent with one already published: the new
  // tree must extend the newest published one (proof checked before signing).
  if (last.any && last.size > 0) {
    Status consistent =
        crypto::CheckTree(integ.consistency, integ.new_size, integ.new_root, last.size, last.root);
    if (!consistent.ok()) {
      return Status::DataLoss("ledger.fork",
                              "refusing to sign: the new tree head is not consistent with the "
                              "newest published checkpoint: " +
                                  consistent.message());
    }
  }
  crypto::Checkpoint cp{options_.origin, integ.new_size, integ.new_root, {}};
  CERTLEDGER_ASSIGN_OR_RETURN(std::string body, crypto::FormatCheckpoint(cp));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string note, crypto::SignNote(body, note_signer_));
  MaybeCrash(LedgerCrashPoint::kAfterSign);

  // Steps 1 to 3 in one transaction, as Sunlight's compare-and-swap of the
  // signed checkpoint: write the tiles, compare-and-swap the head, and store
  // the checkpoint signed for that head. A crash before COMMIT leaves the old
  // head, no new tiles and no new checkpoint (the signature is simply lost;
  // nobody saw it); after COMMIT all three are durable together, so a stored
  // checkpoint never lacks its tiles. One durable commit per round instead of
  // two.
  Status st = db_->Write([&](internal::Conn& c) -> Status {
    for (const auto& [tile, data] : integ.tiles) {
      CERTLEDGER_RETURN_IF_ERROR(tiles_.Put(c, tile, data));
    }
    auto& cas = c.Prepare(
        "UPDATE ledger_head SET size = ?, root = ? WHERE id = 1 AND size = ? AND root = ?");
    cas.bind(1, static_cast<int64_t>(integ.new_size));
    cas.bind(2, integ.new_root.data(), static_cast<int>(integ.new_root.size()));
    cas.bind(3, static_cast<int64_t>(head.size));
    cas.bind(4, head.root.data(), static_cast<int>(head.root.size()));
    if (cas.exec() != 1) {
      return Status::Unavailable("ledger.head-moved", "another integrator moved the tree head");
    }
    // The head is still the one the proof started from, so the checkpoint
    // extends every checkpoint published for it or before it.
    CERTLEDGER_RETURN_IF_ERROR(InsertCheckpoint(c, integ.new_size, integ.new_root, note));
    MaybeCrash(LedgerCrashPoint::kBeforeHeadCommit);
    return Status::Ok();
  });
  if (st.slug() == "ledger.head-moved") return int64_t{0};  // retry from the new head
  CERTLEDGER_RETURN_IF_ERROR(st);
  MaybeCrash(LedgerCrashPoint::kAfterHeadCommit);
  integrated_size_.store(integ.new_size);
  MaybeCrash(LedgerCrashPoint::kAfterPublish);
  return integ.new_size - integ.old_size;
}

Status Ledger::InsertCheckpoint(internal::Conn& c, int64_t size, const crypto::Hash& root,
                                const std::string& note) {
  auto& ins = c.Prepare(
      "INSERT OR IGNORE INTO ledger_checkpoints(size, root, note, published_ms) VALUES (?, ?, "
      "?, ?)");
  ins.bind(1, static_cast<int64_t>(size));
  ins.bind(2, root.data(), static_cast<int>(root.size()));
  ins.bindNoCopy(3, note.data(), static_cast<int>(note.size()));
  ins.bind(4, static_cast<int64_t>(clock_.NowMillis()));
  ins.exec();
  return Status::Ok();
}

Status Ledger::Publish() {
  Head head;
  Published last;
  std::vector<crypto::Hash> proof;
  // Never sign a checkpoint inconsistent with one already published: prove
  // the new head extends the newest published tree before signing.
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    head = ReadHead(c);
    last = ReadLatestCheckpoint(c);
    if (last.any && last.size < head.size && last.size > 0) {
      TileStore::Reader reader(tiles_, c);
      CERTLEDGER_ASSIGN_OR_RETURN(proof, crypto::ProveTree(head.size, last.size, reader));
    }
    return Status::Ok();
  }));
  if (last.any && last.size == head.size) {
    if (last.root != head.root) {
      return Status::DataLoss("ledger.fork", "the tree head and the newest checkpoint disagree");
    }
    return Status::Ok();
  }
  if (last.any && last.size > head.size) {
    return Status::DataLoss("ledger.fork", "the tree head is behind a published checkpoint");
  }
  if (last.any) {
    Status consistent = crypto::CheckTree(proof, head.size, head.root, last.size, last.root);
    if (!consistent.ok()) {
      return Status::DataLoss("ledger.fork",
                              "refusing to sign: the new tree head is not consistent with the "
                              "newest published checkpoint: " +
                                  consistent.message());
    }
  }
  crypto::Checkpoint cp{options_.origin, head.size, head.root, {}};
  CERTLEDGER_ASSIGN_OR_RETURN(std::string body, crypto::FormatCheckpoint(cp));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string note, crypto::SignNote(body, note_signer_));
  MaybeCrash(LedgerCrashPoint::kAfterSign);
  // Recovery path only (a head integrated by an older certledger, which
  // committed the head before signing). A crash before COMMIT: the signature
  // is lost, the next start signs the same (deterministic) checkpoint again.
  CERTLEDGER_RETURN_IF_ERROR(db_->Write([&](internal::Conn& c) -> Status {
    return InsertCheckpoint(c, head.size, head.root, note);
  }));
  MaybeCrash(LedgerCrashPoint::kAfterPublish);
  return Status::Ok();
}

Result<int64_t> Ledger::IntegrateNow() {
  std::lock_guard<std::mutex> lk(integrate_mu_);
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    integrated_size_.store(ReadHead(c).size);  // another process may have integrated
    return Status::Ok();
  }));
  for (;;) {
    CERTLEDGER_ASSIGN_OR_RETURN(int64_t n, IntegrateBatch());
    if (n == 0) break;  // caught up (or lost a race to another process; its head is published)
  }
  CERTLEDGER_RETURN_IF_ERROR(Publish());
  int64_t size = 0;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    size = ReadLatestCheckpoint(c).size;
    return Status::Ok();
  }));
  return size;
}

Result<std::string> Ledger::LatestCheckpoint() {
  Published p;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    p = ReadLatestCheckpoint(c);
    return Status::Ok();
  }));
  if (!p.any) return Status::NotFound("ledger.no-checkpoint", "no checkpoint published yet");
  return p.note;
}

Result<std::string> Ledger::ReadTile(std::string_view path) {
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::Tile tile, crypto::ParseTilePath(path));
  std::string data;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    if (tile.is_entries()) {
      CERTLEDGER_ASSIGN_OR_RETURN(data, ReadBundle(c, tile));
    } else {
      CERTLEDGER_ASSIGN_OR_RETURN(data, tiles_.Get(c, tile));
    }
    return Status::Ok();
  }));
  return data;
}

Result<std::string> Ledger::Entry(int64_t index) {
  std::string body;
  bool found = false;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    auto& q = c.Prepare("SELECT body FROM ledger_entries WHERE idx = ?");
    q.bind(1, static_cast<int64_t>(index));
    if (q.executeStep()) {
      found = true;
      body = internal::Blob(q.getColumn(0));
    }
    return Status::Ok();
  }));
  if (!found) {
    return Status::NotFound("ledger.no-such-entry", "no ledger entry " + std::to_string(index));
  }
  return body;
}

Result<std::vector<crypto::Hash>> Ledger::InclusionProof(int64_t index, int64_t tree_size) {
  std::vector<crypto::Hash> proof;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    Head head = ReadHead(c);
    if (index < 0 || tree_size <= index || tree_size > head.size) {
      return Status::InvalidArgument("ledger.bad-range",
                                     "need 0 <= index < tree size <= " + std::to_string(head.size));
    }
    TileStore::Reader reader(tiles_, c);
    CERTLEDGER_ASSIGN_OR_RETURN(proof, crypto::ProveRecord(tree_size, index, reader));
    return Status::Ok();
  }));
  return proof;
}

Result<std::vector<crypto::Hash>> Ledger::ConsistencyProof(int64_t old_size, int64_t new_size) {
  std::vector<crypto::Hash> proof;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    Head head = ReadHead(c);
    if (old_size < 0 || new_size < old_size || new_size > head.size) {
      return Status::InvalidArgument(
          "ledger.bad-range", "need 0 <= old size <= new size <= " + std::to_string(head.size));
    }
    TileStore::Reader reader(tiles_, c);
    CERTLEDGER_ASSIGN_OR_RETURN(proof, crypto::ProveTree(new_size, old_size, reader));
    return Status::Ok();
  }));
  return proof;
}

Result<crypto::Receipt> Ledger::ReceiptFor(int64_t index) {
  crypto::Receipt r;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    Published p = ReadLatestCheckpoint(c);
    if (!p.any || index >= p.size) {
      return Status::Unavailable("ledger.not-yet-integrated",
                                 "entry " + std::to_string(index) +
                                     " is not in a published checkpoint yet; retry in a second");
    }
    if (index < 0) return Status::InvalidArgument("ledger.bad-range", "negative entry index");
    auto& q = c.Prepare("SELECT body FROM ledger_entries WHERE idx = ?");
    q.bind(1, static_cast<int64_t>(index));
    if (!q.executeStep()) return Status::DataLoss("ledger.missing-entry", "entry missing");
    r.entry = internal::Blob(q.getColumn(0));
    TileStore::Reader reader(tiles_, c);
    CERTLEDGER_ASSIGN_OR_RETURN(r.inclusion_proof, crypto::ProveRecord(p.size, index, reader));
    r.origin = options_.origin;
    r.index = index;
    r.checkpoint = p.note;
    return Status::Ok();
  }));
  return r;
}

Result<std::vector<std::string>> Ledger::AllCheckpoints() {
  std::vector<std::string> out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    auto& q = c.Prepare("SELECT note FROM ledger_checkpoints ORDER BY size");
    while (q.executeStep()) out.push_back(internal::Blob(q.getColumn(0)));
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> Ledger::Export(const std::string& dir) {
  CERTLEDGER_RETURN_IF_ERROR(IntegrateNow().status());
  // One read snapshot: the newest checkpoint and exactly its tiles.
  Published p;
  std::vector<std::pair<crypto::Tile, std::string>> files;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](internal::Conn& c) -> Status {
    p = ReadLatestCheckpoint(c);
    if (!p.any) return Status::NotFound("ledger.no-checkpoint", "no checkpoint published yet");
    for (const crypto::Tile& t : crypto::TilesForSize(p.size)) {
      auto data = t.is_entries() ? ReadBundle(c, t) : tiles_.Get(c, t);
      if (!data.ok()) {
        return Status::Unavailable("ledger.moving",
                                   "the ledger grew during export; run the export again");
      }
      files.emplace_back(t, std::move(*data));
    }
    return Status::Ok();
  }));
  namespace fs = std::filesystem;
  for (const auto& [tile, data] : files) {
    fs::path path = fs::path(dir) / crypto::TilePath(tile);
    // Tiles are immutable: an existing file with the same bytes is kept.
    CERTLEDGER_RETURN_IF_ERROR(WriteFileAtomically(path, data));
  }
  // The checkpoint last, so a reader never sees a checkpoint without its tiles.
  CERTLEDGER_RETURN_IF_ERROR(WriteFileAtomically(fs::path(dir) / "checkpoint", p.note));
  return p.size;
}

}  // namespace certledger::registry
