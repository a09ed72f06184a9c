// The ledger crash test: a child process appends entries in a loop and is
// killed with SIGKILL at random points (and aborted at each commit step by
// the TEST_ crash hook). After each restart every acknowledged entry is
// present, the tree matches a recomputation from the entries, and every
// checkpoint ever published is consistent with the newest.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "crypto/checkpoint.h"
#include "crypto/random.h"
#include "crypto/signed_note.h"
#include "registry/internal/db.h"
#include "registry/ledger/ledger.h"
#include "tests/registry/ledger_fixture.h"

namespace certledger::registry {
namespace {

struct ChildRun {
  int64_t max_acked = -1;
  int status = 0;
};

// Runs the child; kills it after `kill_after_ms` (or lets a crash point end it).
ChildRun RunChild(const std::string& db_path, int kill_after_ms, int crash_point) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::string cp = std::to_string(crash_point);
    execl(CERTLEDGER_LEDGER_CRASH_CHILD, CERTLEDGER_LEDGER_CRASH_CHILD, db_path.c_str(),
          crash_point ? cp.c_str() : nullptr, nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::atomic<bool> ended{false};
  std::thread killer([pid, kill_after_ms, &ended] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms);
    while (!ended && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!ended) kill(pid, SIGKILL);
  });
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  ChildRun run;
  ended = true;  // stdout closed: the child is exiting; a zombie ignores SIGKILL
  waitpid(pid, &run.status, 0);
  killer.join();
  std::istringstream in(out);
  std::string word;
  long long idx;
  while (in >> word >> idx) {
    if (word == "ack") run.max_acked = std::max<int64_t>(run.max_acked, idx);
  }
  return run;
}

TEST_CASE("ledger crash: SIGKILL at random points loses nothing acknowledged and never forks",
          "[registry][crash]") {
  testing::TempDir dir;
  std::string db_path = (dir.path() / "registry.db").string();
  std::set<std::string> ever_published;
  int64_t max_acked = -1;
  ManualClock clock(1767225600000);
  // 24 random kills, then one run per TEST_ crash point (each commit step).
  std::vector<int> crash_points(24, 0);
  for (int p = 1; p <= 5; ++p) crash_points.push_back(p);
  int round = 0;
  for (int cp : crash_points) {
    // From 1 ms: a kill may land before the database, its schema or the
    // first checkpoint exist.
    int kill_ms = cp ? 10000 : 1 + static_cast<int>(crypto::RandomUniform(280));
    ChildRun run = RunChild(db_path, kill_ms, cp);
    INFO("round " << round++ << " crash point " << cp << " kill after " << kill_ms << " ms");
    REQUIRE(WIFSIGNALED(run.status) | WIFEXITED(run.status));
    if (cp) {
      REQUIRE(WIFEXITED(run.status));
      CHECK(WEXITSTATUS(run.status) == 86);  // the crash hook fired
    }
    max_acked = std::max(max_acked, run.max_acked);

    // Restart: Open() runs recovery.
    // create: a kill in the first milliseconds can land before the child
    // made the file or set its application_id; nothing was acknowledged then,
    // and the checks below still find every acknowledged entry.
    internal::DbOptions dbo;
    dbo.create = true;
    auto db = internal::Db::Open(db_path, dbo);
    REQUIRE(db.ok());
    LedgerOptions o;
    o.origin = "cert.example.ru/ledger";
    o.background = false;
    auto ledger = Ledger::Open(db->get(), testing::TestLedgerSigner(), o, clock);
    REQUIRE(ledger.ok());
    std::vector<crypto::NoteVerifier> keys{(*ledger)->NoteVerifier()};

    // Every acknowledged entry is present.
    if (max_acked >= 0) REQUIRE((*ledger)->Entry(max_acked).ok());
    // The newest checkpoint covers every entry and its root is recomputed from them.
    auto all = (*ledger)->AllCheckpoints();
    REQUIRE(all.ok());
    REQUIRE_FALSE(all->empty());  // Open publishes the head, if only of the empty tree
    auto newest_note = crypto::OpenNote(all->back(), keys);
    REQUIRE(newest_note.ok());
    auto newest = crypto::ParseCheckpoint(newest_note->text);
    REQUIRE(newest.ok());
    std::vector<crypto::Hash> leaves;
    for (int64_t i = 0;; ++i) {
      auto e = (*ledger)->Entry(i);
      if (!e.ok()) break;
      leaves.push_back(crypto::LeafHash(*e));
    }
    REQUIRE(static_cast<int64_t>(leaves.size()) == newest->size);
    REQUIRE(newest->size > max_acked);
    CHECK(crypto::RootFromLeafHashes(leaves) == newest->root);
    // Every checkpoint ever published is still there and consistent with the newest.
    std::set<std::string> now(all->begin(), all->end());
    for (const auto& note : ever_published) CHECK(now.count(note) == 1);
    for (const auto& note : *all) {
      auto opened = crypto::OpenNote(note, keys);
      REQUIRE(opened.ok());
      auto old = crypto::ParseCheckpoint(opened->text);
      REQUIRE(old.ok());
      auto proof = (*ledger)->ConsistencyProof(old->size, newest->size);
      REQUIRE(proof.ok());
      REQUIRE(crypto::CheckTree(*proof, newest->size, newest->root, old->size, old->root).ok());
      ever_published.insert(note);
    }
  }
  CHECK(max_acked > 100);
}

}  // namespace
}  // namespace certledger::registry
