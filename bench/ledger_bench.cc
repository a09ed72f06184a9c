// Ledger benchmark (issue: the public credential ledger).
//
// 1. Entries sequenced + integrated per second, in batches, next to the bare
//    SQLite batched-insert rate of the same rows on the same machine (both
//    WAL + synchronous=FULL). Goal: ratio >= 0.5.
// 2. Inclusion-proof time against trees of 1M and 10M entries (goal < 1 ms),
//    cold (fresh process cache) and warm.
//
// The integrator runs in the background as in the server (default), or inline
// every 16 batches (--integrate inline); either way the clock stops when a
// signed checkpoint covers every entry.
//
// Usage: ledger_bench [--entries N] [--batch B] [--rounds R] [--integrate background|inline]
//                     [--proof-sizes 1000000,10000000] [--dir D]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "crypto/random.h"
#include "registry/internal/db.h"
#include "registry/ledger/ledger.h"

using namespace certledger;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU seconds used by this process (all threads) so far. On a shared machine
// wall time depends on the others' load; CPU time much less.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::unique_ptr<crypto::Signer> BenchSigner() {
  return std::move(*crypto::Ed25519Signer::Create(
      crypto::SecretBytes(std::string(32, '\x09'), crypto::InsecureSecretAccess::Get())));
}

registry::LedgerEvent Event(int64_t i) {
  registry::LedgerEvent e;
  e.type = std::string(registry::event::kCertificateIssued);
  e.id = crypto::Sha256Tagged("https://cert.example.ru/v/" + std::to_string(i));
  e.issuer = "did:web:cert.example.ru:issuers:demo";
  e.digest = crypto::Sha256Tagged("credential " + std::to_string(i));
  e.time_ms = 1767225600000 + i;
  e.fields = Json{{"statusList", "https://cert.example.ru/status/demo/1"}};
  return e;
}

struct Built {
  std::unique_ptr<registry::internal::Db> db;
  std::unique_ptr<registry::Ledger> ledger;
};

Built Open(const std::string& path, bool background = false) {
  registry::internal::DbOptions o;
  o.create = true;
  Built b;
  b.db = std::move(*registry::internal::Db::Open(path, o));
  registry::LedgerOptions lo;
  lo.origin = "cert.example.ru/ledger";
  // Background: the integrator runs on its own thread while writes go on,
  // as in the server (integrate_delay_ms after a write, woken by Notify).
  lo.background = background;
  lo.integrate_delay_ms = 100;
  lo.max_pending = int64_t{1} << 40;
  static registry::SystemClock clock;
  auto l = registry::Ledger::Open(b.db.get(), BenchSigner(), lo, clock);
  if (!l.ok()) {
    std::fprintf(stderr, "%s\n", l.status().ToString().c_str());
    std::exit(1);
  }
  b.ledger = std::move(*l);
  return b;
}

// Appends n entries in transactions of `batch`, integrating every `integrate_every` entries.
double g_integrate_s = 0;

void Fill(Built& b, int64_t from, int64_t n, int64_t batch, int64_t integrate_every, bool progress,
          const std::vector<registry::LedgerEvent>* prebuilt = nullptr) {
  int64_t since = 0;
  for (int64_t i = from; i < from + n; i += batch) {
    int64_t end = std::min(from + n, i + batch);
    std::vector<registry::LedgerEvent> made;
    std::span<const registry::LedgerEvent> events;
    if (prebuilt) {
      events = std::span(*prebuilt).subspan(static_cast<size_t>(i), static_cast<size_t>(end - i));
    } else {
      for (int64_t k = i; k < end; ++k) made.push_back(Event(k));
      events = made;
    }
    Status s = b.db->Write([&](registry::internal::Conn& c) -> Status {
      return b.ledger->AppendBatch(c, events).status();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::exit(1);
    }
    b.ledger->Notify();
    since += end - i;
    if (since >= integrate_every) {
      auto ti = Clock::now();
      (void)b.ledger->IntegrateNow();
      g_integrate_s += Seconds(ti, Clock::now());
      since = 0;
      if (progress) {
        std::fprintf(stderr, "\r  building: %lld / %lld entries",
                     static_cast<long long>(end - from), static_cast<long long>(n));
      }
    }
  }
  auto ti = Clock::now();
  (void)b.ledger->IntegrateNow();
  g_integrate_s += Seconds(ti, Clock::now());
  if (progress) std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  crypto::Init();
  int64_t entries = 200000, batch = 1000;
  int rounds = 3;
  bool background = true;
  std::vector<int64_t> proof_sizes = {1000000, 10000000};
  std::string dir = std::filesystem::temp_directory_path() / "certledger-ledger-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--entries") entries = std::atoll(argv[i + 1]);
    if (a == "--batch") batch = std::atoll(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
    if (a == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--integrate") background = std::string(argv[i + 1]) != "inline";
    if (a == "--proof-sizes") {
      proof_sizes.clear();
      std::string s = argv[i + 1];
      size_t pos = 0;
      while (pos < s.size()) {
        size_t c = s.find(',', pos);
        proof_sizes.push_back(std::atoll(s.substr(pos, c - pos).c_str()));
        pos = c == std::string::npos ? s.size() : c + 1;
      }
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // Reference: bare SQLite batched inserts of the same entry bytes.
  // Both sides start from prepared input: the reference from encoded rows,
  // ours from the events (encoding them is part of our cost).
  std::vector<registry::LedgerEvent> events;
  std::vector<std::string> bodies;
  events.reserve(static_cast<size_t>(entries));
  bodies.reserve(static_cast<size_t>(entries));
  for (int64_t i = 0; i < entries; ++i) {
    events.push_back(Event(i));
    bodies.push_back(*registry::EncodeEntry(events.back()));
  }
  // The two sides run alternately, `rounds` times each on fresh files, and
  // the median of the per-round ratios is reported: the machine is shared,
  // and a load change between one reference run and one of ours would skew a
  // single ratio.
  std::vector<double> ratios, ref_rates, our_rates, cpu_ratios;
  for (int r = 0; r < rounds; ++r) {
    double ref_rate, ref_cpu;
    {
      std::filesystem::remove(dir + "/bare.db");
      std::filesystem::remove(dir + "/bare.db-wal");
      SQLite::Database db(dir + "/bare.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      db.exec("CREATE TABLE t(idx INTEGER PRIMARY KEY, body BLOB NOT NULL)");
      SQLite::Statement ins(db, "INSERT INTO t(idx, body) VALUES (?, ?)");
      double c0 = CpuSeconds();
      auto t0 = Clock::now();
      for (int64_t i = 0; i < entries; i += batch) {
        db.exec("BEGIN");
        for (int64_t k = i; k < std::min(entries, i + batch); ++k) {
          ins.bind(1, static_cast<int64_t>(k));
          ins.bindNoCopy(2, bodies[k].data(), static_cast<int>(bodies[k].size()));
          ins.exec();
          ins.reset();
        }
        db.exec("COMMIT");
      }
      ref_rate = entries / Seconds(t0, Clock::now());
      ref_cpu = CpuSeconds() - c0;
    }
    // Ours: sequenced in the same batches, integrated + tiles + signed
    // checkpoint, until the checkpoint covers every entry.
    double our_rate, our_cpu;
    {
      std::string path = dir + "/ledger-" + std::to_string(r) + ".db";
      Built b = Open(path, background);
      g_integrate_s = 0;
      double c0 = CpuSeconds();
      auto t0 = Clock::now();
      Fill(b, 0, entries, batch, background ? entries + 1 : 16 * batch, false, &events);
      double total = Seconds(t0, Clock::now());
      our_cpu = CpuSeconds() - c0;
      our_rate = entries / total;
      if (!background) {
        std::printf("  round %d: %.2f s, of which inline integration + signing %.2f s\n", r + 1,
                    total, g_integrate_s);
      }
      b.ledger.reset();
      b.db.reset();
      std::filesystem::remove(path);
    }
    ref_rates.push_back(ref_rate);
    our_rates.push_back(our_rate);
    ratios.push_back(our_rate / ref_rate);
    cpu_ratios.push_back(ref_cpu / our_cpu);
    std::printf("  round %d: bare %8.0f/s, ledger %8.0f/s, ratio %.2f (by CPU time %.2f)\n", r + 1,
                ref_rate, our_rate, our_rate / ref_rate, ref_cpu / our_cpu);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "ledger append: %lld entries in batches of %lld (WAL, synchronous=FULL), %s "
      "integration, median of %d rounds\n",
      static_cast<long long>(entries), static_cast<long long>(batch),
      background ? "background" : "inline", rounds);
  std::printf("  bare SQLite batched insert : %10.0f entries/s (reference)\n", median(ref_rates));
  std::printf("  sequenced + integrated     : %10.0f entries/s\n", median(our_rates));
  std::printf("  ratio                      : %10.2f  (goal >= 0.50)\n", median(ratios));
  std::printf("  ratio by CPU time           : %10.2f  (less sensitive to other load)\n",
              median(cpu_ratios));

  // Inclusion proofs at large sizes: one growing ledger.
  Built big = Open(dir + "/big.db");
  int64_t have = 0;
  for (int64_t size : proof_sizes) {
    std::fprintf(stderr, "growing the ledger to %lld entries...\n", static_cast<long long>(size));
    Fill(big, have, size - have, 20000, 200000, true);
    have = size;
    // A fresh ledger object: cold tile cache.
    big.ledger.reset();
    big = Open(dir + "/big.db");
    const int kProofs = 2000;
    auto t0 = Clock::now();
    auto first = big.ledger->InclusionProof(0, size);
    double cold_ms = Seconds(t0, Clock::now()) * 1e3;
    if (!first.ok()) {
      std::fprintf(stderr, "%s\n", first.status().ToString().c_str());
      return 1;
    }
    t0 = Clock::now();
    for (int i = 0; i < kProofs; ++i) {
      int64_t idx = static_cast<int64_t>(crypto::RandomUniform(static_cast<uint32_t>(size)));
      auto p = big.ledger->InclusionProof(idx, size);
      if (!p.ok()) return 1;
    }
    double per_ms = Seconds(t0, Clock::now()) * 1e3 / kProofs;
    std::printf(
        "inclusion proof at %9lld entries: %.3f ms mean over %d random leaves "
        "(first, cold cache: %.3f ms; goal < 1 ms)\n",
        static_cast<long long>(size), per_ms, kProofs, cold_ms);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
