// Group commit (registry/internal/db.h): closures folded into one transaction
// keep their own outcomes, with and without a savepoint per closure.
#include "registry/internal/db.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/registry/ledger_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry::internal {
namespace {

using testing::OpenTestDb;
using testing::TempDir;

Status InsertCheckpoint(Conn& c, int64_t size) {
  auto& q = c.Prepare(
      "INSERT INTO ledger_checkpoints(size, root, note, published_ms) VALUES (?, x'00', x'00', 0)");
  q.bind(1, size);
  q.exec();
  return Status::Ok();
}

// The checkpoint sizes stored; no assertion inside (Catch2 asserts on the
// main thread only): a failed read gives {-1}.
std::set<int64_t> Sizes(Db& db) {
  std::set<int64_t> out;
  Status st = db.Read([&](Conn& c) -> Status {
    auto& q = c.Prepare("SELECT size FROM ledger_checkpoints");
    while (q.executeStep()) out.insert(q.getColumn(0).getInt64());
    return Status::Ok();
  });
  if (!st.ok()) return {-1};
  return out;
}

// The first closure holds the writer until the others are queued in order
// (they form the next group).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> entered{0};
  std::atomic<bool> holding{false};
};

TEST_CASE("db: rerunnable closures in one group keep their own outcomes", "[registry]") {
  TempDir dir;
  std::unique_ptr<Db> db = OpenTestDb((dir.path() / "registry.db").string());
  Gate gate;
  std::atomic<int> runs_ok{0}, runs_fail_clean{0};
  const bool fail_after_change = GENERATE(false, true);
  CAPTURE(fail_after_change);

  // The leader of the first group waits until the others are queued.
  Status first_status;
  std::thread first([&] {
    first_status = db->WriteRerunnable([&](Conn& c) -> Status {
      gate.holding = true;
      std::unique_lock<std::mutex> lk(gate.mu);
      gate.cv.wait(lk, [&] { return gate.release; });
      return InsertCheckpoint(c, 1);
    });
  });
  while (!gate.holding) std::this_thread::yield();
  std::vector<std::thread> rest;
  std::vector<Status> results(4);
  // Starts the threads one after another, each queued before the next.
  auto queue_next = [&] {
    while (gate.entered < static_cast<int>(rest.size())) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(rest.empty() ? 0 : 100));
  };
  // 2: succeeds; 3: fails before changing anything; 4: fails after an
  // insert (only when fail_after_change) or before; 5: succeeds.
  queue_next();
  rest.emplace_back([&] {
    ++gate.entered;
    results[0] = db->WriteRerunnable([&](Conn& c) -> Status {
      ++runs_ok;
      return InsertCheckpoint(c, 2);
    });
  });
  queue_next();
  rest.emplace_back([&] {
    ++gate.entered;
    results[1] = db->WriteRerunnable([&](Conn& c) -> Status {
      ++runs_fail_clean;
      auto& q = c.Prepare("SELECT COUNT(*) FROM ledger_checkpoints");
      q.executeStep();
      return Status::AlreadyExists("test.clean", "refused before any change");
    });
  });
  queue_next();
  rest.emplace_back([&] {
    ++gate.entered;
    results[2] = db->WriteRerunnable([&](Conn& c) -> Status {
      if (fail_after_change) CERTLEDGER_RETURN_IF_ERROR(InsertCheckpoint(c, 4));
      return Status::FailedPrecondition("test.dirty", "refused");
    });
  });
  queue_next();
  rest.emplace_back([&] {
    ++gate.entered;
    results[3] = db->WriteRerunnable([&](Conn& c) -> Status { return InsertCheckpoint(c, 5); });
  });
  queue_next();
  {
    std::lock_guard<std::mutex> lk(gate.mu);
    gate.release = true;
  }
  gate.cv.notify_all();
  first.join();
  for (auto& t : rest) t.join();

  CHECK(first_status.ok());
  CHECK(results[0].ok());
  CHECK(results[1].slug() == "test.clean");
  CHECK(results[2].slug() == "test.dirty");
  CHECK(results[3].ok());
  // Only the successful closures' rows, whichever way the group ran.
  CHECK(Sizes(*db) == std::set<int64_t>{1, 2, 5});
  if (fail_after_change) {
    // The group started again with savepoints: the closures before the
    // failure ran twice.
    CHECK(runs_ok == 2);
    CHECK(runs_fail_clean == 2);
  } else {
    // A closure that failed before changing anything needs no rerun.
    CHECK(runs_ok == 1);
    CHECK(runs_fail_clean == 1);
  }
}

TEST_CASE("db: a rerunnable closure that throws after a change leaves nothing of it",
          "[registry]") {
  TempDir dir;
  std::unique_ptr<Db> db = OpenTestDb((dir.path() / "registry.db").string());
  int runs = 0;
  Status st = db->WriteRerunnable([&](Conn& c) -> Status {
    ++runs;
    CERTLEDGER_RETURN_IF_ERROR(InsertCheckpoint(c, 7));
    return InsertCheckpoint(c, 7);  // UNIQUE constraint: SQLite throws
  });
  CHECK_FALSE(st.ok());
  CHECK(runs == 2);  // once without, once with a savepoint
  CHECK(Sizes(*db).empty());
  // The writer is usable afterwards.
  CHECK(db->WriteRerunnable([](Conn& c) { return InsertCheckpoint(c, 8); }).ok());
  CHECK(Sizes(*db) == std::set<int64_t>{8});
}

// Holds every fsync of the log while `hold` is set (DbOptions::TEST_before_sync),
// counting the ones it held.
struct SyncGate {
  std::mutex mu;
  std::condition_variable cv;
  bool hold;
  int held = 0;
  explicit SyncGate(bool hold_at_start) : hold(hold_at_start) {}
  std::function<void()> Hook() {
    return [this] {
      std::unique_lock<std::mutex> lk(mu);
      if (!hold) return;
      ++held;
      cv.notify_all();
      cv.wait(lk, [this] { return !hold; });
    };
  }
  void Hold(bool h) {
    {
      std::lock_guard<std::mutex> lk(mu);
      hold = h;
    }
    cv.notify_all();
  }
  int Held() {
    std::lock_guard<std::mutex> lk(mu);
    return held;
  }
};

// A new registry database in `dir` whose fsyncs go through `gate`.
std::unique_ptr<Db> OpenGated(const TempDir& dir, SyncGate& gate) {
  DbOptions o;
  o.create = true;
  o.TEST_before_sync = gate.Hook();
  auto opened = Db::Open((dir.path() / "registry.db").string(), o);
  REQUIRE(opened.ok());
  return std::move(*opened);
}

// Whether `what` became true within 10 s.
bool WaitFor(const std::function<bool()>& what) {
  for (int i = 0; i < 1000 && !what(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return what();
}

TEST_CASE(
    "db: a group and what was read of it are answered only after its fsync, and the next group "
    "commits "
    "meanwhile",
    "[registry]") {
  TempDir dir;
  SyncGate gate(/*hold_at_start=*/true);
  const std::unique_ptr<Db> owned = OpenGated(dir, gate);
  Db& db = *owned;

  std::atomic<bool> first_answered{false}, read_answered{false}, second_ran{false};
  Status first_status, second_status;
  std::thread first([&] {
    first_status = db.Write([](Conn& c) { return InsertCheckpoint(c, 1); });
    first_answered = true;
  });
  REQUIRE(WaitFor([&] { return gate.Held() == 1; }));
  // Committed, not yet durable: a Read sees it, WaitDurable (before an
  // answer) waits.
  bool hinted = false;
  REQUIRE(db.Read([&](Conn& c) -> Status {
              auto& q = c.Prepare("SELECT COUNT(*) FROM ledger_checkpoints WHERE size = 1");
              q.executeStep();
              hinted = q.getColumn(0).getInt() == 1;
              return Status::Ok();
            }).ok());
  CHECK(hinted);
  std::set<int64_t> read;
  std::thread reader([&] {
    read = Sizes(db);
    db.WaitDurable();
    read_answered = true;
  });
  // The writer is free: the next group runs and commits during the fsync.
  std::thread second([&] {
    CHECK(db.Write([&](Conn& c) {
              second_ran = true;
              return InsertCheckpoint(c, 2);
            }).ok());
  });
  CHECK(WaitFor([&] { return second_ran.load(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(first_answered);
  CHECK_FALSE(read_answered);
  gate.Hold(false);
  first.join();
  reader.join();
  second.join();
  CHECK(first_answered);
  CHECK(first_status.ok());
  CHECK(second_status.ok());
  CHECK(read.count(1) == 1);
  CHECK(Sizes(db) == std::set<int64_t>{1, 2});
}

// WaitAnswerable (before a server's answer): after a committed write, the
// thread answers without waiting for the next group's fsync; after a read,
// or with nothing but a read since BeginAnswer, it waits as WaitDurable.
// Db::WriteInSteps: in one group, step writes run their prepares, then their
// computes side by side (the writer and a helper), each finish in order as
// soon as its compute is done (while the helper computes the next);
// another write runs after the step writes before it have finished; a failed
// prepare skips its compute and finish; a finish failing after the prepare
// changed rows makes the steps run again, each write whole.
TEST_CASE(
    "db: step writes in one group: prepares, computes side by side, finishes in order as they come",
    "[registry]") {
  TempDir dir;
  std::unique_ptr<Db> db = OpenTestDb((dir.path() / "registry.db").string());
  // Whole writes between the steps: rerunnable (the group runs without
  // savepoints) or not (each write in a savepoint, the steps in one of
  // their own).
  const bool plain_between = GENERATE(false, true);
  const bool fail_finish = GENERATE(false, true);
  CAPTURE(plain_between, fail_finish);
  std::atomic<bool> holding{false}, release{false};
  Status held;
  std::thread holder([&] {
    held = db->Write([&](Conn&) -> Status {
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::Ok();
    });
  });
  REQUIRE(WaitFor([&] { return holding.load(); }));

  std::atomic<int> prepares1{0}, computes3{0};
  std::atomic<bool> started1{false}, started2{false};
  std::atomic<bool> overlapped{false}, finished1{false}, finish1_during_2{false};
  std::thread::id thread1, thread2, writer;
  bool finish2_saw_1 = false, whole_saw_2 = false;
  // S1 and S2: each compute waits for the other to start (10 s at most), so
  // both run at once only if a helper takes one (the first run: a rerun
  // runs each write whole on the writer).
  const WriteSteps s1{[&](Conn& c) -> Status {
                        ++prepares1;
                        writer = std::this_thread::get_id();  // prepares run on the writer
                        return InsertCheckpoint(c, 10);
                      },
                      [&] {
                        if (started1) return;  // a rerun, whole, on the writer
                        thread1 = std::this_thread::get_id();
                        started1 = true;
                        overlapped = WaitFor([&] { return started2.load(); });
                      },
                      [&](Conn& c) -> Status {
                        finished1 = true;
                        return InsertCheckpoint(c, 11);
                      }};
  const WriteSteps s2{[&](Conn& c) -> Status { return InsertCheckpoint(c, 20); },
                      [&] {
                        if (started2) return;
                        thread2 = std::this_thread::get_id();
                        started2 = true;
                        WaitFor([&] { return started1.load(); });
                        // On the helper (the writer took S1, as it usually
                        // does: it starts at once, the helper once woken):
                        // the writer finishes S1 while this compute runs.
                        if (std::this_thread::get_id() != writer) {
                          finish1_during_2 = WaitFor([&] { return finished1.load(); });
                        }
                      },
                      [&](Conn& c) -> Status {
                        auto& q =
                            c.Prepare("SELECT COUNT(*) FROM ledger_checkpoints WHERE size = 11");
                        q.executeStep();
                        finish2_saw_1 = q.getColumn(0).getInt() == 1;
                        q.reset();
                        return InsertCheckpoint(c, 21);
                      }};
  auto whole = [&](Conn& c) -> Status {
    auto& q = c.Prepare("SELECT COUNT(*) FROM ledger_checkpoints WHERE size = 21");
    q.executeStep();
    whole_saw_2 = q.getColumn(0).getInt() == 1;
    q.reset();
    return InsertCheckpoint(c, 30);
  };
  const WriteSteps s3{[](Conn&) -> Status { return Status::AlreadyExists("test.refused", "no"); },
                      [&] { ++computes3; }, [](Conn&) -> Status { return Status::Ok(); }};
  const WriteSteps s4{[&](Conn& c) -> Status { return InsertCheckpoint(c, 40); }, [] {},
                      [&](Conn& c) -> Status {
                        if (fail_finish) return Status::FailedPrecondition("test.finish", "no");
                        return InsertCheckpoint(c, 41);
                      }};
  std::vector<Status> results(5);
  std::vector<std::thread> threads;
  auto queue = [&](std::function<Status()> write) {
    const size_t i = threads.size();
    threads.emplace_back([&results, i, write] { results[i] = write(); });
    return WaitFor([&] { return db->TEST_Queued() == i + 1; });
  };
  bool queued =
      queue([&] { return db->WriteInSteps(s1); }) && queue([&] { return db->WriteInSteps(s2); }) &&
      queue([&] { return plain_between ? db->Write(whole) : db->WriteRerunnable(whole); }) &&
      queue([&] { return db->WriteInSteps(s3); }) && queue([&] { return db->WriteInSteps(s4); });
  release = true;
  holder.join();
  for (auto& t : threads) t.join();
  REQUIRE(held.ok());
  REQUIRE(queued);

  CHECK(results[0].ok());
  CHECK(results[1].ok());
  CHECK(results[2].ok());
  CHECK(results[3].slug() == "test.refused");
  CHECK(computes3 == 0);
  CHECK(overlapped);
  CHECK(thread1 != thread2);
  CHECK((finish1_during_2 || thread2 == writer));
  CHECK(finish2_saw_1);
  CHECK(whole_saw_2);
  if (fail_finish) {
    CHECK(results[4].slug() == "test.finish");
    CHECK(Sizes(*db) == std::set<int64_t>{10, 11, 20, 21, 30});
    // Without savepoints the whole group ran again; with them only the
    // steps after the plain write.
    CHECK(prepares1 == (plain_between ? 1 : 2));
  } else {
    CHECK(results[4].ok());
    CHECK(Sizes(*db) == std::set<int64_t>{10, 11, 20, 21, 30, 40, 41});
    CHECK(prepares1 == 1);
  }
}

TEST_CASE("db: an answer whose last access was a committed write does not wait for later groups",
          "[registry]") {
  TempDir dir;
  SyncGate gate(/*hold_at_start=*/false);
  const std::unique_ptr<Db> owned = OpenGated(dir, gate);
  Db& db = *owned;

  // Each thread writes first (durable at once), then waits for the held fsync
  // of another group before answering:
  //   A answers at once (its write is its last access);
  //   B reads that group's row, then waits; C (the read alone) too;
  //   D begins a new answer, in which it has done nothing yet: waits.
  std::atomic<bool> go{false};
  std::atomic<int> written{0}, write_failed{0};
  std::atomic<bool> answered[4] = {false, false, false, false};
  std::set<int64_t> b_read;
  // (Catch's assertions are for the main thread: failures counted.)
  auto answer = [&](int who) {
    db.BeginAnswer();
    if (!db.Write([who](Conn& c) { return InsertCheckpoint(c, 10 + who); }).ok()) ++write_failed;
    ++written;
    while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (who == 1) b_read = Sizes(db);
    if (who == 2) (void)Sizes(db);
    if (who == 3) db.BeginAnswer();
    db.WaitAnswerable();
    answered[who] = true;
  };
  std::vector<std::thread> threads;
  for (int who = 0; who < 4; ++who) threads.emplace_back(answer, who);
  REQUIRE(WaitFor([&] { return written == 4; }));
  gate.Hold(true);
  std::thread second([&] {
    if (!db.Write([](Conn& c) { return InsertCheckpoint(c, 2); }).ok()) ++write_failed;
  });
  REQUIRE(WaitFor([&] { return gate.Held() == 1; }));
  CHECK_FALSE(db.IsDurable());
  go = true;
  CHECK(WaitFor([&] { return answered[0].load(); }));  // during the held fsync
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(answered[1]);
  CHECK_FALSE(answered[2]);
  CHECK_FALSE(answered[3]);
  gate.Hold(false);
  for (auto& t : threads) t.join();
  second.join();
  CHECK(write_failed == 0);
  CHECK(b_read.count(2) == 1);
  CHECK(answered[1]);
  CHECK(answered[2]);
  CHECK(answered[3]);
}

}  // namespace
// After a burst the log would stay at its high-water mark; once the database
// is idle the checkpointer copies it all and cuts it to zero, not while a
// reader still holds an older snapshot, and what was written stays readable.
// Db::WatchedVersion (the token cache's check): changes with every change of
// a watched table's rows, this process's (also after its COMMIT) and another
// connection's (at the next group), not with other tables' rows written
// here; unknown when no group ran for longer than the age asked for.
TEST_CASE("db: the watched version changes with a watched table's rows, here and elsewhere",
          "[registry]") {
  TempDir dir;
  const std::string path = (dir.path() / "r.db").string();
  OpenTestDb(path).reset();  // the schema
  DbOptions o;
  o.watched_tables = {"api_tokens"};
  auto opened = Db::Open(path, o);
  REQUIRE(opened.ok());
  Db& db = **opened;
  CHECK_FALSE(db.WatchedVersion(60000).has_value());  // no group yet
  auto insert_token = [](Conn& c, const std::string& id) {
    auto& q = c.Prepare(
        "INSERT INTO api_tokens(id, secret_hash, role, created_ms) VALUES (?, x'00', "
        "'operator', 0)");
    q.bind(1, id);
    q.exec();
  };
  REQUIRE(db.Write([](Conn& c) { return InsertCheckpoint(c, 1); }).ok());
  const auto v0 = db.WatchedVersion(60000);
  REQUIRE(v0.has_value());
  // Another table: unchanged.
  REQUIRE(db.Write([](Conn& c) { return InsertCheckpoint(c, 2); }).ok());
  CHECK(db.WatchedVersion(60000) == v0);
  // A token written here: changed while its transaction runs, and again
  // after its COMMIT (a read meanwhile saw the old rows).
  std::optional<uint64_t> during;
  REQUIRE(db.Write([&](Conn& c) {
              insert_token(c, "a");
              during = db.WatchedVersion(60000);
              return Status::Ok();
            }).ok());
  const auto v1 = db.WatchedVersion(60000);
  CHECK(during != v0);
  CHECK(v1 != during);
  // Written by another connection: counted at the start of the next group.
  {
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec(
        "INSERT INTO api_tokens(id, secret_hash, role, created_ms) VALUES ('b', x'00', "
        "'operator', 0)");
  }
  CHECK(db.WatchedVersion(60000) == v1);
  REQUIRE(db.Write([](Conn& c) { return InsertCheckpoint(c, 3); }).ok());
  const auto v2 = db.WatchedVersion(60000);
  CHECK(v2 != v1);
  REQUIRE(db.Write([](Conn& c) { return InsertCheckpoint(c, 4); }).ok());
  CHECK(db.WatchedVersion(60000) == v2);
  // No group for longer than the age asked for: unknown.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(db.WatchedVersion(10).has_value());
  CHECK(db.WatchedVersion(60000) == v2);
}

TEST_CASE("db: an idle database's log is truncated after a burst, not under a reader",
          "[registry]") {
  TempDir dir;
  const std::string path = (dir.path() / "registry.db").string();
  DbOptions o;
  o.create = true;
  o.idle_truncate_after_ms = 200;
  o.idle_truncate_bytes = 1 << 20;
  auto opened = Db::Open(path, o);
  REQUIRE(opened.ok());
  std::unique_ptr<Db> db = std::move(*opened);
  auto log_bytes = [&] {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + "-wal", ec);
    return ec ? uintmax_t{0} : n;
  };
  auto wait_for_log = [&](auto pred) {
    for (int i = 0; i < 100 && !pred(log_bytes()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return log_bytes();
  };
  // A burst: 300 transactions of about 8 KB each (2.4 MB of log at least).
  for (int64_t i = 1; i <= 300; ++i) {
    REQUIRE(db->Write([&](Conn& c) -> Status {
                auto& q = c.Prepare(
                    "INSERT INTO ledger_checkpoints(size, root, note, published_ms) VALUES (?, "
                    "x'00', zeroblob(8000), 0)");
                q.bind(1, i);
                q.exec();
                return Status::Ok();
              }).ok());
  }
  CHECK(log_bytes() > (1u << 20));
  // A reader holding its snapshot keeps the log as it is (TRUNCATE gives up).
  std::mutex mu;
  std::condition_variable cv;
  bool reading = false, release = false;
  std::thread reader([&] {
    Status st = db->Read([&](Conn& c) -> Status {
      auto& q = c.Prepare("SELECT count(*) FROM ledger_checkpoints");
      q.executeStep();
      std::unique_lock<std::mutex> lk(mu);
      reading = true;
      cv.notify_all();
      cv.wait(lk, [&] { return release; });
      return Status::Ok();
    });
    (void)st;
  });
  {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [&] { return reading; });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(log_bytes() > (1u << 20));
  // A write meanwhile is not held up by the checkpointer's attempts.
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(db->Write([](Conn& c) { return InsertCheckpoint(c, 1000); }).ok());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  {
    std::lock_guard<std::mutex> lk(mu);
    release = true;
  }
  cv.notify_all();
  reader.join();
  // Idle, no reader: truncated to zero, everything still there.
  CHECK(wait_for_log([](uintmax_t n) { return n == 0; }) == 0);
  std::set<int64_t> sizes = Sizes(*db);
  CHECK(sizes.size() == 301);
  CHECK(sizes.count(300) == 1);
  CHECK(sizes.count(1000) == 1);
  // And the log starts over.
  REQUIRE(db->Write([](Conn& c) { return InsertCheckpoint(c, 1001); }).ok());
  CHECK(log_bytes() > 0);
  CHECK(Sizes(*db).count(1001) == 1);
}

}  // namespace certledger::registry::internal
