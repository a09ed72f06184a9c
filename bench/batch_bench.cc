// Batch issuance benchmark (issue: issuers, keys and certificates).
//
// Certificates issued per second through Registry::IssueBatch: drafted,
// confirmed, signed (eddsa-jcs-2022), given a status list index, logged in
// the ledger and durable (WAL, synchronous=FULL), then integrated into the
// ledger with a signed checkpoint. Next to it, in the same run:
//   - bare Ed25519 signing of the 64-byte eddsa-jcs-2022 message (the
//     reference the issue names; the ratio is ours / that rate), on one core
//     and on every core (IssueBatch signs on all cores: the ceiling);
//   - bare SQLite batched inserts of the same number of ~3 KB rows;
//   - rendering the PDF of a certificate (issue-batch writes one per row),
//     measured apart because it is not part of issuance.
// Goal: >= 10,000 certificates/s on the 2-core machine.
//
// Also the old path for comparison: CreateDraft + ConfirmName + Issue, three
// durable transactions per certificate (--one-by-one N).
//
// Usage: batch_bench [--certs N] [--pdfs N] [--one-by-one N] [--dir D]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/receipt.h"
#include "registry/registry.h"
#include "render/pdf.h"

using namespace certledger;
using BenchClock = std::chrono::steady_clock;

namespace {

double Seconds(BenchClock::time_point a, BenchClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

std::vector<registry::CertificateInput> Rows(int64_t n) {
  std::vector<registry::CertificateInput> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    registry::CertificateInput c;
    c.issuer = "bench";
    c.programme = i % 2 == 0 ? "DA-101" : "PY-036";
    c.learner_name = "Учащийся Номер " + std::to_string(i) + " Тестович";
    c.learner_id = "learner-" + std::to_string(i);
    c.period_start = "2026-03-01";
    c.period_end = "2026-06-28";
    c.points = 60 + static_cast<int>(i % 41);
    c.identity_share = 0.4;
    c.identity_method = "online-proctoring";
    c.request_key = "bench:" + std::to_string(i);
    rows.push_back(std::move(c));
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::Init()) return 1;
  int64_t certs = 20000, pdfs = 300, one_by_one = 300;
  std::string dir = std::filesystem::temp_directory_path() / "certledger-batch-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--certs") certs = std::max<int64_t>(1, std::atoll(argv[i + 1]));
    if (a == "--pdfs") pdfs = std::max<int64_t>(0, std::atoll(argv[i + 1]));
    if (a == "--one-by-one") one_by_one = std::max<int64_t>(0, std::atoll(argv[i + 1]));
    if (a == "--dir") dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // Reference 1: bare Ed25519 signing of the 64-byte message eddsa-jcs-2022
  // signs (SHA-256 of the proof options || SHA-256 of the document).
  double sign_rate;
  {
    auto signer = crypto::Ed25519Signer::Generate("bench");
    std::string msg(64, '\0');
    auto t0 = BenchClock::now();
    for (int64_t i = 0; i < certs; ++i) {
      msg[static_cast<size_t>(i % 64)] = static_cast<char>(i);
      auto sig = signer->Sign(msg);
      if (!sig.ok()) return 1;
    }
    sign_rate = static_cast<double>(certs) / Seconds(t0, BenchClock::now());
  }
  // Reference 1b: the same signing on every core (IssueBatch signs on all of
  // them): the ceiling for certificates/s on this machine.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double sign_all_rate;
  {
    auto signer = crypto::Ed25519Signer::Generate("bench");
    std::atomic<int64_t> next{0};
    auto t0 = BenchClock::now();
    auto work = [&] {
      std::string msg(64, '\0');
      for (int64_t i; (i = next.fetch_add(1)) < certs;) {
        msg[static_cast<size_t>(i % 64)] = static_cast<char>(i);
        if (!signer->Sign(msg).ok()) std::exit(1);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < cores; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    sign_all_rate = static_cast<double>(certs) / Seconds(t0, BenchClock::now());
  }
  // Reference 2: bare SQLite batched inserts of rows of a credential's size.
  double insert_rate;
  {
    SQLite::Database db(dir + "/bare.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, code TEXT UNIQUE, body BLOB NOT NULL)");
    SQLite::Statement ins(db, "INSERT INTO t(id, code, body) VALUES (?, ?, ?)");
    std::string body(3000, 'x');
    auto t0 = BenchClock::now();
    for (int64_t i = 0; i < certs; i += 512) {
      db.exec("BEGIN");
      for (int64_t k = i; k < std::min(certs, i + 512); ++k) {
        ins.bind(1, static_cast<int64_t>(k));
        ins.bind(2, "code-" + std::to_string(k));
        ins.bindNoCopy(3, body.data(), static_cast<int>(body.size()));
        ins.exec();
        ins.reset();
      }
      db.exec("COMMIT");
    }
    insert_rate = static_cast<double>(certs) / Seconds(t0, BenchClock::now());
  }

  // Ours: a real registry with one provider and two programmes.
  registry::SystemClock clock;
  registry::InitOptions init;
  init.data_dir = dir + "/registry";
  init.base_url = "https://cert.example.ru";
  Check(registry::Registry::Init(init, clock), "init");
  registry::RegistryOptions ro;
  ro.data_dir = init.data_dir;
  ro.ledger.background = false;
  auto opened = registry::Registry::Open(ro, clock);
  Check(opened.status(), "open");
  registry::Registry& reg = **opened;
  Check(reg.RegisterIssuer({"bench", "provider", "АНО ДПО «Цифровая академия»", "Digital Academy",
                            "7707083893", "Л035-01298-77/00179876", "2021-03-15"})
            .status(),
        "issuer");
  Check(reg.AddProgramme({"bench",
                          "DA-101",
                          "Анализ данных на Python",
                          "Data analysis in Python",
                          "data-analysis",
                          72,
                          60,
                          100,
                          "distance",
                          "qualification-upgrade",
                          {"готовит и очищает данные с помощью pandas",
                           "строит и проверяет регрессионные модели"},
                          {"анализ данных", "программирование на Python"}}),
        "programme");
  Check(reg.AddProgramme({"bench",
                          "PY-036",
                          "Основы программирования на Python",
                          "Python programming basics",
                          "programming",
                          36,
                          60,
                          100,
                          "distance",
                          "certificate",
                          {"пишет программы с ветвлениями, циклами и функциями"},
                          {"программирование на Python"}}),
        "programme");
  Check(reg.ledger().IntegrateNow().status(), "integrate");

  std::vector<registry::CertificateInput> rows = Rows(certs);
  std::vector<std::string> codes;
  auto t0 = BenchClock::now();
  constexpr size_t kSlice = 2048;  // as certledger issue-batch calls it
  for (size_t k = 0; k < rows.size(); k += kSlice) {
    std::vector<registry::CertificateInput> slice(
        rows.begin() + static_cast<std::ptrdiff_t>(k),
        rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), k + kSlice)));
    auto results = reg.IssueBatch("bench", slice);
    Check(results.status(), "issue batch");
    for (const auto& r : *results) {
      Check(r.status, "row");
      codes.push_back(r.code);
    }
  }
  double issue_s = Seconds(t0, BenchClock::now());
  auto ti = BenchClock::now();
  Check(reg.ledger().IntegrateNow().status(), "integrate");
  double integrate_s = Seconds(ti, BenchClock::now());
  double total_s = Seconds(t0, BenchClock::now());
  double rate = static_cast<double>(certs) / total_s;

  // The path issue-batch used before IssueBatch: three durable transactions
  // per certificate (draft, confirm, issue).
  double single_rate = 0;
  if (one_by_one > 0) {
    auto ts = BenchClock::now();
    for (int64_t i = 0; i < one_by_one; ++i) {
      registry::CertificateInput in = Rows(certs + i + 1).back();
      auto d = reg.CreateDraft(in);
      Check(d.status(), "draft");
      Check(reg.ConfirmName(d->code), "confirm");
      Check(reg.Issue(d->code).status(), "issue");
    }
    Check(reg.ledger().IntegrateNow().status(), "integrate");
    single_rate = static_cast<double>(one_by_one) / Seconds(ts, BenchClock::now());
  }

  // PDF rendering, apart: issue-batch renders one per certificate.
  double pdf_rate = 0;
  if (pdfs > 0) {
    auto fonts = render::FontSet::LoadDefault();
    Check(fonts.status(), "fonts");
    int64_t n = std::min<int64_t>(pdfs, static_cast<int64_t>(codes.size()));
    auto tp = BenchClock::now();
    for (int64_t i = 0; i < n; ++i) {
      auto rec = reg.GetCertificate(codes[static_cast<size_t>(i)]);
      Check(rec.status(), "get");
      auto receipt = reg.CertificateReceipt(codes[static_cast<size_t>(i)]);
      Check(receipt.status(), "receipt");
      auto credential = crypto::ParseJson(rec->credential);
      Check(credential.status(), "parse");
      render::PdfOptions po;
      po.fonts = *fonts;
      auto pdf = render::RenderCertificatePdf(
          rec->view, {credential->dump(2), crypto::ReceiptToJson(*receipt).dump(2)}, po);
      Check(pdf.status(), "pdf");
    }
    pdf_rate = static_cast<double>(n) / Seconds(tp, BenchClock::now());
  }

  std::printf(
      "batch issuance: %lld certificates through Registry::IssueBatch "
      "(signed, status index, ledger entry, WAL + synchronous=FULL)\n",
      static_cast<long long>(certs));
  std::printf("  bare Ed25519 signing (64 B)  : %10.0f /s (reference)\n", sign_rate);
  std::printf("  bare Ed25519 signing, %u cores: %9.0f /s (the ceiling)\n", cores, sign_all_rate);
  std::printf("  bare SQLite batched insert   : %10.0f rows/s (3 KB rows)\n", insert_rate);
  std::printf(
      "  issued (incl. integration)   : %10.0f certificates/s  (%.2f s + %.2f s "
      "integration and checkpoint)\n",
      rate, issue_s, integrate_s);
  if (one_by_one > 0) {
    std::printf("  one by one (3 transactions) : %10.0f certificates/s (%lld; the old path)\n",
                single_rate, static_cast<long long>(one_by_one));
  }
  std::printf("  ratio to Ed25519 signing     : %10.2f\n", rate / sign_rate);
  std::printf("  ratio to signing, all cores  : %10.2f\n", rate / sign_all_rate);
  std::printf("  ratio to SQLite inserts      : %10.2f\n", rate / insert_rate);
  std::printf("  goal                         : %10d certificates/s (%s)\n", 10000,
              rate >= 10000 ? "met" : "not met");
  if (pdfs > 0) {
    std::printf("  PDF rendering (+ JSON, receipt): %8.0f certificates/s (apart; %lld rendered)\n",
                pdf_rate, static_cast<long long>(std::min<int64_t>(pdfs, certs)));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
