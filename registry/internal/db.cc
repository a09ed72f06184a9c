#include "registry/internal/db.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <sqlite3.h>

#include "registry/internal/schema.h"

namespace certledger::registry::internal {
namespace {

// 'CLGR': marks the SQLite file as a certledger registry (PRAGMA application_id).
constexpr int kApplicationId = 0x434c4752;

// SQLite counts every allocation under one global mutex (memory statistics
// nobody here reads): with a reader connection per request thread, that lock
// was the most contended in the server. Off before SQLite initializes.
const int kMemstatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

// WAL pages after which the checkpointer copies the log into the database.
// 40 MB: a busy registry rewrites the same index pages in many transactions,
// and each checkpoint copies a page once however often the log holds it (at
// 1,000 pages a rush of applications spent an eighth of its time copying).
constexpr int kCheckpointPages = 10000;

// A connection is used by one thread at a time (Conn, Db), so SQLite's
// per-call mutex (OPEN_FULLMUTEX) only costs time: NOMUTEX.
std::unique_ptr<SQLite::Database> OpenConnection(const std::string& path, bool create,
                                                 int busy_timeout_ms) {
  int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;
  if (create) flags |= SQLite::OPEN_CREATE;
  auto db = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
  // Durability: a committed transaction survives power loss (WAL + FULL; the
  // writer's connection is NORMAL and Db::SyncerLoop syncs its log).
  db->exec("PRAGMA journal_mode = WAL");
  db->exec("PRAGMA synchronous = FULL");
  db->exec("PRAGMA foreign_keys = ON");
  db->exec("PRAGMA temp_store = MEMORY");
  // No memory-mapped reads: a read transaction that finds the log changed
  // since its connection's last one (every one, under writes) unmaps the
  // whole file (SQLite's pagerBeginReadTransaction), a TLB shootdown on
  // every core, then faults its pages in again. Copying pages with pread
  // cost less: 256 MB maps -> none took issuance from 301-414 to 261-271 us
  // of CPU per certificate and the rush from 21.3-22.3 to 19.8-21.0 s
  // (bench/server_bench.sh, alternating binaries).
  db->exec("PRAGMA mmap_size = 0");
  return db;
}

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The writer's WAL hook: instead of checkpointing inside COMMIT (SQLite's
// auto-checkpoint, which holds up the whole group), wake the checkpointer.
int OnWalCommit(void* arg, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) static_cast<Db*>(arg)->WantCheckpoint();
  return SQLITE_OK;
}

}  // namespace

SQLite::Statement& Conn::Prepare(const std::string& sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    it = stmts_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql)).first;
  } else {
    it->second->tryReset();
    it->second->clearBindings();
  }
  return *it->second;
}

void Conn::ResetAll() {
  // Only the statements still running (the cache holds every statement this
  // connection ever ran). sqlite3_reset repeats the error of a failed last
  // step, which the closure has already handled: the result is ignored.
  sqlite3* h = db_->getHandle();
  for (sqlite3_stmt* s = sqlite3_next_stmt(h, nullptr); s != nullptr; s = sqlite3_next_stmt(h, s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

Status Db::FromException(const std::exception& e) {
  if (const auto* se = dynamic_cast<const SQLite::Exception*>(&e)) {
    int code = se->getErrorCode() & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return Status::Unavailable("db.busy", "the registry database is busy; retry shortly");
    }
    if (code == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("db.constraint",
                                   std::string("a uniqueness rule was violated: ") + se->what());
    }
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
      return Status::DataLoss("db.corrupt", std::string("database corrupt: ") + se->what());
    }
    if (code == SQLITE_FULL || code == SQLITE_IOERR) {
      return Status::Unavailable("db.io", std::string("database I/O error: ") + se->what());
    }
  }
  return Status::Internal("db.error", std::string("database error: ") + e.what());
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  bool exists = std::filesystem::exists(path);
  if (!exists && !options.create) {
    return Status::NotFound(
        "db.missing", "no registry database at " + path + "; create one with `certledger init`");
  }
  std::unique_ptr<Db> db(new Db(path, options));
  try {
    auto conn = OpenConnection(path, options.create, options.busy_timeout_ms);
    int app_id = conn->execAndGet("PRAGMA application_id").getInt();
    if (exists && app_id != kApplicationId && app_id != 0) {
      return Status::DataLoss("db.corrupt", path + " is not a certledger registry database");
    }
    db->writer_ = std::make_unique<Conn>(std::move(conn));
    if (app_id == 0) {
      if (!options.create) {
        return Status::DataLoss("db.corrupt", path + " is not a certledger registry database");
      }
      db->writer_->Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    }
    CERTLEDGER_RETURN_IF_ERROR(Migrate(*db->writer_));
    // 8 MB of page cache for the writer (SQLite's default is 2 MB; pages it
    // does not hold come through the memory map or the log). 64 MB made every
    // COMMIT slower: a rush of applications spent 5% of its time in SQLite's
    // commit phase two, and took 21-22 s instead of 20.
    db->writer_->Exec("PRAGMA cache_size = -8192");
    // The writer's COMMIT does not fsync: the syncer thread calls fdatasync
    // on the log while the writer runs the next group (SyncerLoop). A group
    // is acknowledged only after that fsync, and what others read is
    // answered only after WaitDurable.
    // WAL + NORMAL keeps the database consistent across a crash (SQLite
    // syncs the log before each checkpoint and when it reuses the log).
    db->writer_->Exec("PRAGMA synchronous = NORMAL");
    sqlite3_wal_hook(db->writer_->db().getHandle(), &OnWalCommit, db.get());
    if (!options.watched_tables.empty()) {
      sqlite3_update_hook(db->writer_->db().getHandle(), &Db::OnUpdate, db.get());
    }
    db->checkpointer_ = std::thread([p = db.get()] { p->CheckpointLoop(); });
    for (int i = 0; i < options.step_helpers; ++i) {
      db->helpers_.emplace_back([p = db.get()] { p->HelperLoop(); });
    }
    db->syncer_ = std::thread([p = db.get()] { p->SyncerLoop(); });
    db->writer_thread_ = std::thread([p = db.get()] { p->WriterLoop(); });
  } catch (const std::exception& e) {
    return FromException(e);
  }
  // Whatever the migrations wrote, and what an earlier process left unsynced.
  CERTLEDGER_RETURN_IF_ERROR(db->SyncLog());
  return db;
}

Db::~Db() {
  // The writer runs what is queued, the syncer syncs what was committed, and
  // only then do the helpers (the writer's) stop.
  if (writer_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lk(write_mu_);
      writer_stop_ = true;
    }
    writer_cv_.notify_one();
    writer_thread_.join();
  }
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> lk(durable_mu_);
      syncer_stop_ = true;
    }
    sync_cv_.notify_one();
    syncer_.join();
  }
  {
    std::lock_guard<std::mutex> lk(helper_mu_);
    helpers_stop_ = true;
  }
  helper_cv_.notify_all();
  for (auto& t : helpers_) t.join();
  if (log_fd_ >= 0) ::close(log_fd_);
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lk(ckpt_mu_);
      ckpt_stop_ = true;
    }
    ckpt_cv_.notify_one();
    checkpointer_.join();
  }
}

void Db::WantCheckpoint() {
  {
    std::lock_guard<std::mutex> lk(ckpt_mu_);
    ckpt_wanted_ = true;
  }
  ckpt_cv_.notify_one();
}

void Db::CheckpointLoop() {
  pthread_setname_np(pthread_self(), "cl-checkpoint");  // (top -H, perf)
  std::unique_ptr<SQLite::Database> conn;
  std::unique_lock<std::mutex> lk(ckpt_mu_);
  const bool truncates = options_.idle_truncate_after_ms > 0;
  const auto tick = std::chrono::milliseconds(
      truncates ? std::clamp(options_.idle_truncate_after_ms / 4, 10, 1000) : 3600 * 1000);
  uint64_t truncated_at = 0;  // commits_started_ at the last truncation
  for (;;) {
    const bool wanted = ckpt_cv_.wait_for(lk, tick, [this] { return ckpt_stop_ || ckpt_wanted_; });
    if (ckpt_stop_) return;
    ckpt_wanted_ = false;
    lk.unlock();
    try {
      if (!conn) conn = OpenConnection(path_, false, options_.busy_timeout_ms);
      sqlite3* h = conn->getHandle();
      if (wanted) {
        // PASSIVE: copies what no reader still needs, never blocks the writer
        // or readers. A failure leaves the WAL longer; the next wake-up retries.
        sqlite3_wal_checkpoint_v2(h, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      } else if (truncates && commits_started_.load() != truncated_at &&
                 MonotonicMs() - last_commit_ms_.load() >= options_.idle_truncate_after_ms &&
                 LogBytes() > options_.idle_truncate_bytes) {
        // Idle: TRUNCATE copies the whole log, syncs the database and cuts the
        // log to zero. It would wait for readers of older snapshots and hold
        // off writers meanwhile; without a busy handler it gives up at once
        // instead (SQLITE_BUSY) and the next tick tries again.
        const uint64_t seen = commits_started_.load();
        sqlite3_busy_timeout(h, 0);
        const int rc =
            sqlite3_wal_checkpoint_v2(h, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        sqlite3_busy_timeout(h, options_.busy_timeout_ms);
        if (rc == SQLITE_OK) truncated_at = seen;
      }
    } catch (const std::exception&) {
      conn.reset();
    }
    lk.lock();
  }
}

int64_t Db::LogBytes() const {
  struct stat st;
  if (::stat((path_ + "-wal").c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_size);
}

void Db::OnUpdate(void* self, int, const char*, const char* table, sqlite3_int64) {
  Db* db = static_cast<Db*>(self);
  for (const std::string& t : db->options_.watched_tables) {
    if (t == table) {
      db->watched_changed_ = true;
      db->watched_version_.fetch_add(1);
      return;
    }
  }
}

void Db::CountOtherWriters() {
  if (options_.watched_tables.empty()) return;
  auto& q = writer_->Prepare("PRAGMA data_version");
  q.executeStep();
  const int64_t v = q.getColumn(0).getInt64();
  q.reset();
  if (data_version_ >= 0 && v != data_version_) watched_version_.fetch_add(1);
  data_version_ = v;
  others_checked_ms_.store(MonotonicMs());
}

std::optional<uint64_t> Db::WatchedVersion(int64_t max_age_ms) const {
  const uint64_t v = watched_version_.load();  // before the age: a later check only adds
  const int64_t checked = others_checked_ms_.load();
  if (checked == 0 || MonotonicMs() - checked > max_age_ms) return std::nullopt;
  return v;
}

bool Db::Begin(std::vector<Pending*>& group) {
  try {
    writer_->Run("BEGIN IMMEDIATE");
    CountOtherWriters();
    return true;
  } catch (const std::exception& e) {
    Status s = FromException(e);
    for (auto* p : group) p->result = s;
    return false;
  }
}

uint64_t Db::RunGroup(std::vector<Pending*>& group) {
  uint64_t seq = 0;
  if (std::all_of(group.begin(), group.end(), [](const Pending* p) { return p->rerunnable; }) &&
      RunWithoutSavepoints(group, &seq)) {
    return seq;
  }
  Conn& c = *writer_;
  if (!Begin(group)) return 0;
  // `fn` of `p` in savepoint `name`, rolled back if it fails.
  auto in_savepoint = [&c](Pending* p, const std::string& name, auto&& fn) -> bool {
    Status st;
    try {
      c.Run("SAVEPOINT " + name);
      st = fn();
      c.ResetAll();
      if (!st.ok()) c.Run("ROLLBACK TO " + name);
      c.Run("RELEASE " + name);
    } catch (const std::exception& e) {
      st = FromException(e);
      try {
        c.ResetAll();
        c.Run("ROLLBACK TO " + name);
        c.Run("RELEASE " + name);
      } catch (const std::exception&) {
        // The outer transaction is unusable; fall through to COMMIT, which fails.
      }
    }
    const bool ok = st.ok();
    if (p != nullptr) p->result = std::move(st);
    return ok;
  };
  auto whole = [&](Pending* p) { in_savepoint(p, "w", [&] { return RunWhole(p, c); }); };
  for (size_t i = 0; i < group.size();) {
    if (group[i]->steps == nullptr) {
      whole(group[i++]);
      continue;
    }
    // Step writes one after another (a rush of issues among the ledger's
    // own writes): prepares each in its savepoint, computes side by side,
    // finishes; if a finish fails, all of them again, whole, one by one.
    size_t end = i;
    while (end < group.size() && group[end]->steps != nullptr) ++end;
    std::vector<Pending*> prepared;
    const bool finished = in_savepoint(nullptr, "b", [&]() -> Status {
      for (size_t k = i; k < end; ++k) {
        Pending* p = group[k];
        if (in_savepoint(p, "w", [&] { return (*p->fn)(c); })) prepared.push_back(p);
      }
      Status failed;
      RunSteps(prepared, [&](Pending* p) {
        try {
          p->result = p->steps->finish(c);
          c.ResetAll();
        } catch (const std::exception& e) {
          p->result = FromException(e);
        }
        if (!p->result.ok()) failed = p->result;
        return p->result.ok();
      });
      return failed;
    });
    if (!finished) {
      for (size_t k = i; k < end; ++k) whole(group[k]);
    }
    i = end;
  }
  return Commit(group);
}

Status Db::RunWhole(Pending* p, Conn& c) {
  Status st = (*p->fn)(c);
  if (!st.ok() || p->steps == nullptr) return st;
  c.ResetAll();
  p->steps->compute();
  return p->steps->finish(c);
}

bool Db::RunWithoutSavepoints(std::vector<Pending*>& group, uint64_t* seq) {
  Conn& c = *writer_;
  sqlite3* h = c.db().getHandle();
  if (!Begin(group)) return true;
  // Runs `fn` of `p`; false (rolled back) when it failed after changing rows,
  // its own or, for a finish, its prepare's.
  auto run = [&](Pending* p, const WriteFn& fn, bool is_finish) -> bool {
    const int64_t before = sqlite3_total_changes64(h);
    bool clean = true;
    try {
      p->result = fn(c);
      c.ResetAll();
    } catch (const std::exception& e) {
      // An exception may come from SQLite with the transaction in any state.
      p->result = FromException(e);
      clean = false;
    }
    const bool changed = sqlite3_total_changes64(h) != before;
    if (!is_finish) p->prepare_changed = changed;
    // A failed closure that changed no row left the transaction as a
    // savepoint's rollback would have (a failed statement undoes itself).
    if (!p->result.ok() && (!clean || changed || (is_finish && p->prepare_changed))) {
      try {
        c.ResetAll();
        c.Run("ROLLBACK");
      } catch (const std::exception&) {
        // BEGIN in RunGroup fails and reports it if the rollback did not happen.
      }
      return false;
    }
    return true;
  };
  // Step writes prepared and waiting for their computes and finishes.
  std::vector<Pending*> batch;
  auto finish_batch = [&]() -> bool {
    if (!RunSteps(batch, [&](Pending* p) { return run(p, p->steps->finish, true); })) return false;
    batch.clear();
    return true;
  };
  for (auto* p : group) {
    if (p->steps != nullptr) {
      if (!run(p, *p->fn, false)) return false;
      if (p->result.ok()) batch.push_back(p);
      continue;
    }
    // A whole write sees every earlier step write finished.
    if (!finish_batch() || !run(p, *p->fn, false)) return false;
  }
  if (!finish_batch()) return false;
  *seq = Commit(group);
  return true;
}

void Db::Compute(Pending* p) noexcept {
  // A compute must not throw (WriteSteps); if one does anyway, it must not
  // unwind through the batch another thread is in: its finish finds its
  // result missing and fails.
  try {
    p->steps->compute();
  } catch (...) {
  }
}

bool Db::RunSteps(const std::vector<Pending*>& batch, const std::function<bool(Pending*)>& finish) {
  const size_t n = batch.size();
  if (n == 0) return true;
  StepBatch b;
  b.writes = &batch;
  b.done = std::make_unique<std::atomic<bool>[]>(n);
  const bool offer = n > 1 && !helpers_.empty();
  if (offer) {
    {
      std::lock_guard<std::mutex> lk(helper_mu_);
      offered_ = &b;
    }
    helper_cv_.notify_one();
  }
  // The writer finishes each write, in order, as soon as its compute is
  // done, and computes the next one not taken while the helper works on the
  // one it waits for: finishes overlap the helper's computes.
  bool ok = true;
  for (size_t f = 0; f < n;) {
    if (b.done[f].load()) {
      if (!finish(batch[f])) {
        ok = false;
        b.next.store(n);  // nothing more to compute
        break;
      }
      ++f;
      continue;
    }
    if (const size_t i = b.next.fetch_add(1); i < n) {
      Compute(batch[i]);
      b.done[i].store(true);
      continue;
    }
    // Every compute is taken: a helper is running batch[f]'s. (The helper
    // stores done, then reads writer_waiting; this thread stores
    // writer_waiting, then reads done: one of them sees the other's store.)
    std::unique_lock<std::mutex> lk(helper_mu_);
    b.writer_waiting.store(true);
    helper_done_cv_.wait(lk, [&] { return b.done[f].load(); });
    b.writer_waiting.store(false);
  }
  if (offer) {
    // Withdrawn if no helper took it yet; else wait for those inside it
    // (each runs at most the compute it took last).
    std::unique_lock<std::mutex> lk(helper_mu_);
    if (offered_ == &b) offered_ = nullptr;
    helper_done_cv_.wait(lk, [&] { return b.running == 0; });
  }
  return ok;
}

void Db::HelperLoop() {
  pthread_setname_np(pthread_self(), "cl-db-helper");  // (top -H, perf)
  std::unique_lock<std::mutex> lk(helper_mu_);
  for (;;) {
    helper_cv_.wait(lk, [&] { return helpers_stop_ || offered_ != nullptr; });
    if (helpers_stop_) return;
    StepBatch* b = offered_;
    ++b->running;
    lk.unlock();
    const auto& writes = *b->writes;
    for (size_t i; (i = b->next.fetch_add(1)) < writes.size();) {
      Compute(writes[i]);
      b->done[i].store(true);
      if (b->writer_waiting.load()) {
        std::lock_guard<std::mutex> wl(helper_mu_);
        helper_done_cv_.notify_all();
      }
    }
    lk.lock();
    if (offered_ == b) offered_ = nullptr;  // nothing left in it for anyone
    if (--b->running == 0) helper_done_cv_.notify_all();
  }
}

uint64_t Db::Commit(std::vector<Pending*>& group) {
  // A crash before COMMIT returns leaves none of the group's changes; nobody
  // has been acknowledged yet. Numbered before COMMIT: a Read whose snapshot
  // holds this commit ends after the number was taken, so a WaitDurable
  // after it waits for this commit too.
  const uint64_t seq = ++commits_started_;
  last_commit_ms_.store(MonotonicMs());
  Conn& c = *writer_;
  try {
    c.Run("COMMIT");
  } catch (const std::exception& e) {
    Status s = FromException(e);
    try {
      c.Exec("ROLLBACK");
    } catch (const std::exception&) {
    }
    for (auto* p : group) {
      if (p->result.ok()) p->result = s;
    }
  }
  // A cache filled from a snapshot taken before this COMMIT, but after the
  // update hook's bump, must not be taken for current.
  if (watched_changed_) {
    watched_changed_ = false;
    watched_version_.fetch_add(1);
  }
  return seq;
}

Status Db::SyncLog() {
  int fd;
  {
    std::lock_guard<std::mutex> lk(log_fd_mu_);
    if (log_fd_ < 0) {
      log_fd_ = ::open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
      if (log_fd_ < 0 && errno == ENOENT) return Status::Ok();  // no log: nothing to sync
    }
    fd = log_fd_;
  }
  // The descriptor stays open while the Db lives, as the writer's does, so
  // the file is the same: SQLite deletes the log only when the last
  // connection closes, and restarts or truncates it in place.
  if (fd < 0 || ::fdatasync(fd) != 0) {
    return Status::Unavailable("db.io", std::string("cannot sync the registry's log ") + path_ +
                                            "-wal: " + std::strerror(errno));
  }
  return Status::Ok();
}

void Db::SyncerLoop() {
  pthread_setname_np(pthread_self(), "cl-db-syncer");  // (top -H, perf)
  std::unique_lock<std::mutex> lk(durable_mu_);
  for (;;) {
    sync_cv_.wait(lk, [&] { return syncer_stop_ || commits_done_ > durable_.load(); });
    if (commits_done_ <= durable_.load()) return;  // stopped, nothing left to sync
    // One fsync covers every commit that had returned when it started
    // (commits are serial, so all before them too): groups that commit
    // during an fsync share the next one, and the disk never queues one
    // fsync per group.
    const uint64_t target = commits_done_;
    std::vector<std::vector<Pending*>> groups;
    groups.swap(unsynced_);
    lk.unlock();
    if (options_.TEST_before_sync) options_.TEST_before_sync();
    Status st = SyncLog();
    lk.lock();
    // After a failed fsync the kernel may have dropped the pages, and a
    // later fsync can succeed without them: every later write fails too.
    if (!st.ok() && sync_error_.ok()) sync_error_ = st;
    durable_.store(target);
    durable_cv_.notify_all();
    const Status synced = sync_error_;
    lk.unlock();
    {
      // Nobody in a group is acknowledged before its fsync returned; if it
      // failed, the changes may not survive a crash: reported as failed.
      // Notified under the lock: a woken writer returns and destroys its
      // Pending as soon as it sees done.
      std::lock_guard<std::mutex> wl(write_mu_);
      for (auto& group : groups) {
        for (auto* p : group) {
          if (p->result.ok() && !synced.ok()) p->result = synced;
          p->done = true;
          p->cv.notify_one();
        }
      }
    }
    lk.lock();
  }
}

void Db::WaitDurable() {
  const uint64_t target = commits_started_.load();
  if (durable_.load() >= target) return;  // nothing running: every page hit asks
  std::unique_lock<std::mutex> lk(durable_mu_);
  durable_cv_.wait(lk, [&] { return durable_.load() >= target; });
}

namespace {
// The Db whose committed Write the calling thread made last since
// BeginAnswer, with no Read after it (WaitAnswerable); else null.
thread_local const Db* tl_answer_written = nullptr;
}  // namespace

void Db::BeginAnswer() { tl_answer_written = nullptr; }

void Db::WaitAnswerable() {
  const bool settled = tl_answer_written == this;
  tl_answer_written = nullptr;
  if (!settled) WaitDurable();
}

Status Db::Write(const WriteFn& fn) { return Enqueue(fn, false); }

Status Db::WriteRerunnable(const WriteFn& fn) { return Enqueue(fn, true); }

Status Db::WriteInSteps(const WriteSteps& steps) { return Enqueue(steps.prepare, true, &steps); }

Status Db::Enqueue(const WriteFn& fn, bool rerunnable, const WriteSteps* steps) {
  Pending me{&fn, rerunnable, steps, false, Status(), false, 0, {}};
  {
    std::unique_lock<std::mutex> lk(write_mu_);
    queue_.push_back(&me);
    if (queue_.size() == 1) writer_cv_.notify_one();
    me.cv.wait(lk, [&] { return me.done; });
  }
  // Durable up to the group's number (SyncerLoop), also when this closure
  // failed: what it read in the group is covered.
  tl_answer_written = me.committed != 0 ? this : nullptr;
  return me.result;
}

void Db::WriterLoop() {
  pthread_setname_np(pthread_self(), "cl-db-writer");  // (top -H, perf)
  std::unique_lock<std::mutex> lk(write_mu_);
  for (;;) {
    writer_cv_.wait(lk, [&] { return writer_stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopped, nothing left to run
    // Everything queued so far, in one transaction.
    std::vector<Pending*> group;
    while (!queue_.empty() && static_cast<int>(group.size()) < options_.max_group) {
      group.push_back(queue_.front());
      queue_.pop_front();
    }
    lk.unlock();
    const uint64_t seq = RunGroup(group);
    for (auto* p : group) p->committed = seq;
    if (seq == 0) {  // nothing committed (BEGIN failed): nothing to sync
      lk.lock();
      for (auto* p : group) {
        p->done = true;
        p->cv.notify_one();
      }
      continue;
    }
    // The syncer makes it durable while this thread runs the next group.
    {
      std::lock_guard<std::mutex> dl(durable_mu_);
      commits_done_ = seq;
      unsynced_.push_back(std::move(group));
    }
    sync_cv_.notify_one();
    lk.lock();
  }
}

Status Db::Read(const ReadFn& fn) {
  std::unique_ptr<Conn> conn;
  {
    std::unique_lock<std::mutex> lk(read_mu_);
    if (!readers_.empty()) {
      conn = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  Status st;
  try {
    if (!conn) {
      conn = std::make_unique<Conn>(OpenConnection(path_, false, options_.busy_timeout_ms));
    }
    conn->Run("BEGIN");
    try {
      st = fn(*conn);
    } catch (const std::exception& e) {
      st = FromException(e);
    }
    conn->ResetAll();
    conn->Run("COMMIT");
  } catch (const std::exception& e) {
    st = FromException(e);
    conn.reset();  // Drop a broken connection.
  }
  tl_answer_written = nullptr;  // WaitAnswerable: this snapshot may be newer
  if (conn) {
    std::unique_lock<std::mutex> lk(read_mu_);
    if (static_cast<int>(readers_.size()) < options_.reader_connections) {
      readers_.push_back(std::move(conn));
    }
  }
  return st;
}

Status Db::Backup(const std::string& dest) {
  try {
    auto src = OpenConnection(path_, false, options_.busy_timeout_ms);
    src->backup(dest.c_str(), SQLite::Database::Save);
    // The copy may hold commits whose fsync is running, here or in a
    // serving process.
    WaitDurable();
    CERTLEDGER_RETURN_IF_ERROR(SyncLog());
    SQLite::Database out(dest, SQLite::OPEN_READWRITE);
    out.exec("PRAGMA journal_mode = DELETE");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromException(e).Annotate("backup to " + dest);
  }
}

}  // namespace certledger::registry::internal
