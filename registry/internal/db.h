// The registry's SQLite storage: one writer connection with group commit and a
// pool of reader connections (WAL snapshots). Internal to registry/: the only
// header that exposes SQLiteCpp types, included by registry .cc files only.
//
// Thread-safety: Db is thread-safe. Write() may be called from any number of
// threads; the writer thread batches concurrent calls into one transaction
// (group commit): each closure runs inside its own SAVEPOINT, so a failing
// closure is rolled back alone while the others commit. Write() returns only
// after COMMIT and the syncer thread's fdatasync of the log, i.e. once the
// change is durable (docs/storage.md). A closure must not call Write itself.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_DB_H_
#define CERTLEDGER_REGISTRY_INTERNAL_DB_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "crypto/status.h"

namespace certledger::registry::internal {

// One SQLite connection with a cache of prepared statements.
// Not thread-safe: owned by one thread at a time (Db hands it out).
class Conn {
 public:
  explicit Conn(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
  SQLite::Database& db() { return *db_; }
  // A cached, reset statement for `sql` (bindings cleared).
  SQLite::Statement& Prepare(const std::string& sql);
  void Exec(const std::string& sql) { db_->exec(sql); }
  // One statement without results (BEGIN, SAVEPOINT, COMMIT...) through the
  // statement cache: no parse per call, unlike Exec.
  void Run(const std::string& sql) { Prepare(sql).exec(); }
  // Resets every cached statement (ends pending reads before COMMIT).
  void ResetAll();

 private:
  std::unique_ptr<SQLite::Database> db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> stmts_;
};

struct DbOptions {
  // Create the file and schema when missing (only `certledger init` does).
  bool create = false;
  // Idle readers kept open for concurrent reads. A Read finding none idle
  // opens a connection (open, pragmas, schema parse: more than most reads
  // cost), so this should cover the server's concurrent requests.
  int reader_connections = 64;
  // Most write closures folded into one transaction.
  int max_group = 256;
  // How long a connection waits on a lock held by another process.
  int busy_timeout_ms = 5000;
  // After a burst the log stays at its high-water mark (a rush leaves a few
  // hundred MB): once nothing has committed for `idle_truncate_after_ms`, a
  // log longer than `idle_truncate_bytes` is checkpointed in full and
  // truncated to zero, if no reader holds an older snapshot (it never waits
  // for one, so writers are not held up; it tries again later). 0: never.
  int idle_truncate_after_ms = 2000;
  int64_t idle_truncate_bytes = int64_t{16} << 20;
  // Tables whose changes WatchedVersion tells (the registry's api_tokens,
  // for its token cache).
  std::vector<std::string> watched_tables;
  // Threads besides the writer that run the computes of step writes
  // (WriteSteps): 0 runs them on the writer alone.
  int step_helpers = 1;
  // Tests only: runs before each fsync of the log (e.g. to hold it).
  std::function<void()> TEST_before_sync;
};

// A write closure: runs inside a transaction; returns non-OK to roll back its
// own changes. It must not have effects outside the database until Write()
// returns OK (validate, then commit).
using WriteFn = std::function<Status(Conn&)>;
using ReadFn = std::function<Status(Conn&)>;

// A write in three steps, for work that needs no database and should not
// hold up the single writer (signing a credential): `prepare` and `finish`
// run in the group's transaction, `compute` between them, perhaps on another
// thread. Step writes queued one after another in a group run all their
// prepares, then their computes side by side (the writer and the helpers),
// the writer finishing each, in queue order, as soon as its compute is done;
// so a finish checks again whatever another write's finish may have changed
// since its prepare, and fails if it did: the group then runs again with
// each write whole (prepare, compute, finish) in its own savepoint.
// Rerunnable (Db::WriteRerunnable): each step sets afresh what it reports.
// compute must not throw, and is skipped when prepare failed.
struct WriteSteps {
  WriteFn prepare;
  std::function<void()> compute;
  WriteFn finish;
};

class Db {
 public:
  // Opens `path`. kNotFound ("db.missing") when the file is absent and
  // !options.create; kDataLoss ("db.corrupt") when it is not a registry.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `fn` in a durable transaction (group commit). Returns fn's status, or
  // kUnavailable ("db.busy") when SQLite was locked, kInternal ("db.error").
  Status Write(const WriteFn& fn);
  // Write for a closure that may run more than once: only the run that
  // commits counts, so it must derive everything from the database and
  // (re)set whatever it reports. A group of such closures runs without a
  // savepoint per closure (SQLite copies every page a savepoint touches: a
  // fifth of the writer's time in a rush of applications); a closure that
  // fails before changing anything needs no rollback, and one that fails
  // after changing rows makes the group start again with savepoints.
  Status WriteRerunnable(const WriteFn& fn);
  // A rerunnable write in steps (WriteSteps).
  Status WriteInSteps(const WriteSteps& steps);
  // Runs `fn` on a reader connection inside a read transaction (a consistent
  // snapshot). The snapshot may hold groups whose fsync is still running
  // (see SyncerLoop): call WaitDurable before anything read reaches anyone
  // outside the process (the server does before every answer).
  Status Read(const ReadFn& fn);
  // Waits until every transaction this process has committed so far is durable.
  void WaitDurable();
  // Whether WaitDurable would return at once (for a thread that must not
  // wait: the server's event loop).
  bool IsDurable() const {
    const uint64_t target = commits_started_.load();  // first, as in WaitDurable
    return durable_.load() >= target;
  }
  // For an answer built on one thread (a server request): BeginAnswer, the
  // reads and writes, then WaitAnswerable before the answer leaves the
  // process. WaitAnswerable returns at once when the thread's last access
  // since BeginAnswer was a Write or WriteRerunnable whose group was
  // committed: that returned after its fsync, and whatever the thread read
  // or saw before was committed before that group started its COMMIT (the
  // commit numbers, see Commit), so is durable with it. Otherwise it is
  // WaitDurable. In-memory state filled from the database (a cache) and read
  // after such a write must come through Read, or the caller must call
  // WaitDurable itself. Without it every answer to a write also waited for
  // the next group's fsync, which had started meanwhile.
  void BeginAnswer();
  void WaitAnswerable();
  // fdatasync of the write-ahead log: makes durable what another process
  // (a serving registry) committed, before this one hands out what it read.
  Status SyncLog();

  const std::string& path() const { return path_; }
  // Online backup of the whole database to `dest` (consistent while serving).
  Status Backup(const std::string& dest);

  // Maps a SQLite exception to a Status (SQLITE_BUSY -> kUnavailable).
  static Status FromException(const std::exception& e);

  // Asks the checkpointer thread to copy the WAL into the database (called
  // from the writer's WAL hook when the log has grown).
  void WantCheckpoint();

  // A number that changes whenever a row of a watched table
  // (DbOptions::watched_tables) may have changed, for caches of those rows:
  // a value read from the database after this returned v may be kept while
  // it still returns v. This process's writes bump it as they change a row
  // (sqlite3_update_hook) and again once their COMMIT returned, before
  // anyone is told; another process's commits (`certledger admin`) are
  // seen at the start of the next group (PRAGMA data_version on the
  // writer's connection, which counts other connections' commits only).
  // nullopt when no group has started for `max_age_ms`: another process's
  // change might not be counted yet, so read the database.
  std::optional<uint64_t> WatchedVersion(int64_t max_age_ms) const;

  // Tests: writes queued and not yet taken into a group.
  size_t TEST_Queued() {
    std::lock_guard<std::mutex> lk(write_mu_);
    return queue_.size();
  }

 private:
  struct Pending {
    const WriteFn* fn;  // the whole write, or the prepare of steps
    bool rerunnable = false;
    const WriteSteps* steps = nullptr;
    bool prepare_changed = false;  // rows (RunWithoutSavepoints)
    Status result;
    bool done = false;
    uint64_t committed = 0;  // the group's commit number, 0: none tried
    // Each caller waits on its own condition, woken by the syncer once its
    // group is durable (or by the writer when BEGIN failed): one shared
    // condition would wake every waiting thread after each group.
    std::condition_variable cv;
  };
  Db(std::string path, DbOptions options) : path_(std::move(path)), options_(options) {}
  Status Enqueue(const WriteFn& fn, bool rerunnable, const WriteSteps* steps = nullptr);
  // One write whole: its closure, or its three steps one after another.
  static Status RunWhole(Pending* p, Conn& c);
  // The computes of `batch` (step writes whose prepare succeeded), on the
  // writer thread and the helpers, and `finish` of each in order once its
  // compute is done; stops at the first finish that returns false. Returns
  // once no helper is inside the batch.
  bool RunSteps(const std::vector<Pending*>& batch, const std::function<bool(Pending*)>& finish);
  static void Compute(Pending* p) noexcept;
  void HelperLoop();
  // BEGIN IMMEDIATE on the writer; false (and the failure in every result)
  // when it failed.
  bool Begin(std::vector<Pending*>& group);
  // Runs the group and COMMITs; the commit's number, 0 if none was tried.
  uint64_t RunGroup(std::vector<Pending*>& group);
  // Runs a group of rerunnable closures without savepoints; false (rolled
  // back) when one failed after changing rows.
  bool RunWithoutSavepoints(std::vector<Pending*>& group, uint64_t* seq);
  // COMMIT, or the failure of COMMIT for every closure that succeeded; the
  // commit's number either way.
  uint64_t Commit(std::vector<Pending*>& group);
  // The writer thread: runs the queued writes in groups, one transaction
  // each, and hands each committed group to the syncer.
  void WriterLoop();
  // The syncer thread: fdatasync of the log after commits, then the
  // watermark that WaitDurable waits for moves and the groups are answered.
  void SyncerLoop();
  // The checkpointer thread: PASSIVE checkpoints on its own connection when
  // asked, so COMMIT never waits for one.
  void CheckpointLoop();
  // The log file's size now (0 when there is none).
  int64_t LogBytes() const;
  // The writer's update hook: counts changes of watched tables.
  static void OnUpdate(void* self, int op, const char* db, const char* table, sqlite3_int64 row);
  // In the writer's transaction, at the start of a group: another
  // connection's commits since the last group bump watched_version_.
  void CountOtherWriters();

  std::atomic<uint64_t> watched_version_{0};
  std::atomic<int64_t> others_checked_ms_{0};  // steady clock, 0: never
  bool watched_changed_ = false;               // by the group running now (writer only)
  int64_t data_version_ = -1;                  // writer only

  const std::string path_;
  const DbOptions options_;

  std::mutex write_mu_;  // guards queue_, writer_stop_ and each Pending's done
  // Group commit with the fsync outside the writer (registry/internal/db.cc):
  // commits numbered from 1 when COMMIT starts; durable_ is the highest
  // number whose fsync has returned (covering all before it).
  std::atomic<uint64_t> commits_started_{0};
  // Steady-clock milliseconds of the newest commit (CheckpointLoop's idleness).
  std::atomic<int64_t> last_commit_ms_{0};
  // Guards commits_done_, durable_'s writes, unsynced_, syncer_stop_ and
  // sync_error_.
  std::mutex durable_mu_;
  std::condition_variable durable_cv_;
  uint64_t commits_done_ = 0;                    // highest number whose COMMIT has returned
  std::atomic<uint64_t> durable_{0};             // written under durable_mu_; read without it
  std::condition_variable sync_cv_;              // commits to sync, or stop
  std::vector<std::vector<Pending*>> unsynced_;  // committed groups, not yet answered
  bool syncer_stop_ = false;
  Status sync_error_;  // the first failed fsync (sticky)
  std::mutex log_fd_mu_;
  int log_fd_ = -1;  // the -wal file, opened after the first commit
  std::deque<Pending*> queue_;
  std::condition_variable writer_cv_;  // queue_ not empty, or stop
  bool writer_stop_ = false;
  std::unique_ptr<Conn> writer_;  // used only by the writer thread (and Open)

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Conn>> readers_;  // idle readers

  // The step helpers (RunSteps): a batch is offered to them, and whoever
  // takes it runs computes until none is left.
  struct StepBatch {
    const std::vector<Pending*>* writes;
    std::atomic<size_t> next{0};                // the next compute to take
    std::unique_ptr<std::atomic<bool>[]> done;  // per write: its compute has run
    std::atomic<bool> writer_waiting{false};    // for a done (helper_done_cv_)
    int running = 0;                            // helpers inside it (under helper_mu_)
  };
  std::mutex helper_mu_;
  std::condition_variable helper_cv_;       // a batch is offered, or stop
  std::condition_variable helper_done_cv_;  // a helper left the batch, or a compute is done
  StepBatch* offered_ = nullptr;
  bool helpers_stop_ = false;
  std::vector<std::thread> helpers_;

  std::mutex ckpt_mu_;  // guards ckpt_wanted_ and ckpt_stop_
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;
  bool ckpt_stop_ = false;
  std::thread syncer_;
  std::thread writer_thread_;
  std::thread checkpointer_;  // last member
};

// Column helpers.
inline std::string Blob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()));
}

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_DB_H_
