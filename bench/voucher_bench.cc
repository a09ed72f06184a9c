// Voucher programme benchmark (issue 5: the live queue).
//
// 100,000 applications against a quota of 33,000, submitted in-process by
// concurrent threads to Registry::Apply (validation, eligibility, sealing of
// the personal data, the quota check and allocation in one write closure,
// voucher signing, status list slot, ledger entries, outbox), reported as
// applications per second next to a reference measured in the same run: bare
// SQLite, one transaction per inserted row, WAL + synchronous=FULL (what an
// application costs if each one were committed on its own).
//
// Usage: voucher_bench [--applications N] [--quota Q] [--threads T]
//                      [--ref-rows R] [--dir D]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "registry/eligibility.h"
#include "registry/registry.h"

using namespace certledger;
using SteadyClock = std::chrono::steady_clock;

namespace {

double Seconds(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string Snils(int64_t n) {
  std::string d = std::to_string(n);
  d = std::string(9 - d.size(), '0') + d;
  int s = 0;
  for (int i = 0; i < 9; ++i) s += (d[i] - '0') * (9 - i);
  int control = s < 100 ? s : (s == 100 || s == 101) ? 0 : s % 101 % 100;
  return d + static_cast<char>('0' + control / 10) + static_cast<char>('0' + control % 10);
}

registry::ApplicationInput Person(int64_t n) {
  registry::ApplicationInput in;
  in.full_name = "Заявитель Номер " + std::to_string(n);
  in.birth_date = "1985-03-1" + std::to_string(n % 10);
  in.sex = n % 2 ? "male" : "female";
  in.citizenship = "RU";
  in.education_level = "higher-master";
  in.region_code = "77";
  in.registration_type = "permanent";
  in.email = "person" + std::to_string(n) + "@example.ru";
  in.phone = "+7 900 " + std::to_string(1000000 + n);
  in.snils = Snils(100000000 + n);
  in.issuer = "demo";
  in.programme = "DA-101";
  return in;
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Reference: one durable transaction per row (the row about the size of an
// application's sealed data), single thread. Rows per second.
double ReferenceRate(const std::string& path, int64_t rows) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  SQLite::Statement ins(db, "INSERT INTO t(id, body) VALUES (?, ?)");
  const std::string body = crypto::RandomBytes(600);
  auto t0 = SteadyClock::now();
  for (int64_t i = 0; i < rows; ++i) {
    db.exec("BEGIN");
    ins.bind(1, i);
    ins.bindNoCopy(2, body.data(), static_cast<int>(body.size()));
    ins.exec();
    ins.reset();
    db.exec("COMMIT");
  }
  return static_cast<double>(rows) / Seconds(t0, SteadyClock::now());
}

}  // namespace

int main(int argc, char** argv) {
  crypto::Init();
  int64_t applications = 100000, quota = 33000, ref_rows = 2000;
  int threads = 32;
  std::string dir = std::filesystem::temp_directory_path() / "certledger-voucher-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--applications") applications = std::atoll(argv[i + 1]);
    if (a == "--quota") quota = std::atoll(argv[i + 1]);
    if (a == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--ref-rows") ref_rows = std::max<int64_t>(1, std::atoll(argv[i + 1]));
    if (a == "--dir") dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // The reference runs before and after ours (the machine may be shared;
  // the mean of the two is the denominator).
  const double ref_before = ReferenceRate(dir + "/bare.db", ref_rows);

  registry::ManualClock clock(*crypto::ParseRfc3339("2026-06-30T09:00:00Z"));
  registry::InitOptions io;
  io.data_dir = dir + "/registry";
  io.base_url = "https://cert.example.ru";
  Check(registry::Registry::Init(io, clock), "init");
  registry::RegistryOptions ro;
  ro.data_dir = io.data_dir;
  ro.ledger.background = true;
  ro.ledger.max_pending = int64_t{1} << 40;
  auto opened = registry::Registry::Open(ro, clock);
  Check(opened.status(), "open");
  auto reg = std::move(*opened);
  Check(reg->RegisterIssuer({"demo", "provider", "АНО ДПО «Цифровая академия»", "Digital Academy",
                             "7707083893", "Л035-01298-77/00179876", "2021-03-15"})
            .status(),
        "issuer");
  Check(reg->AddProgramme({"demo",
                           "DA-101",
                           "Анализ данных на Python",
                           "Data analysis in Python",
                           "data-analysis",
                           72,
                           60,
                           100,
                           "distance",
                           "qualification-upgrade",
                           {"умеет готовить данные"},
                           {"анализ данных"}}),
        "programme");
  registry::YearConfigInput year;
  year.year = 2026;
  year.quota = quota;
  year.opens_at = "2026-01-15T09:00:00+03:00";
  for (const auto& r : registry::Regions()) year.regions.push_back(r.code);
  year.education_levels = registry::DefaultEducationLevels();
  Check(reg->ConfigureYear(year), "year");

  std::vector<registry::ApplicationInput> inputs;
  inputs.reserve(static_cast<size_t>(applications));
  for (int64_t i = 0; i < applications; ++i) inputs.push_back(Person(i + 1));

  std::atomic<int64_t> next{0}, failed{0};
  auto t0 = SteadyClock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (;;) {
        int64_t i = next.fetch_add(1);
        if (i >= applications) return;
        auto r = reg->Apply(inputs[static_cast<size_t>(i)], "bench-" + std::to_string(i));
        if (!r.ok() || !r->application) ++failed;
      }
    });
  }
  for (auto& t : pool) t.join();
  const double secs = Seconds(t0, SteadyClock::now());
  auto ti = SteadyClock::now();
  auto size = reg->ledger().IntegrateNow();
  const double integrate_s = Seconds(ti, SteadyClock::now());
  Check(size.status(), "integrate");
  auto counter = reg->Counter(2026);
  Check(counter.status(), "counter");
  const double rate = static_cast<double>(applications) / secs;
  const double ref_after = ReferenceRate(dir + "/bare.db", ref_rows);
  const double ref_rate = (ref_before + ref_after) / 2;
  // The year end: every unused voucher expires and the queue lapses.
  clock.Set(*crypto::ParseRfc3339("2026-12-31T21:00:00Z"));
  auto te = SteadyClock::now();
  auto ended = reg->RunDeadlines();
  Check(ended.status(), "year end");
  const double year_end_s = Seconds(te, SteadyClock::now());

  std::printf("voucher_bench: %lld applications, quota %lld, %d threads\n",
              static_cast<long long>(applications), static_cast<long long>(quota), threads);
  std::printf("  vouchers issued %lld, queued %lld, failed %lld\n",
              static_cast<long long>(counter->issued),
              static_cast<long long>(counter->queue_length), static_cast<long long>(failed.load()));
  std::printf(
      "  ours:      %.0f applications/s (%.2f s; ledger caught up %.2f s later, %lld entries)\n",
      rate, secs, integrate_s, static_cast<long long>(*size));
  std::printf(
      "  reference: %.0f rows/s (SQLite, one transaction per row, WAL, synchronous=FULL; "
      "%.0f before, %.0f after)\n",
      ref_rate, ref_before, ref_after);
  std::printf("  ratio:     %.2f\n", rate / ref_rate);
  std::printf("  year end:  %lld vouchers expired and applications lapsed in %.2f s\n",
              static_cast<long long>(*ended), year_end_s);
  reg.reset();
  std::filesystem::remove_all(dir);
  return failed.load() == 0 ? 0 : 1;
}
