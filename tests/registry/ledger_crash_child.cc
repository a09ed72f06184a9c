// The child process of the ledger crash test: appends entries in a loop and
// prints "ack <index>" after each durable commit, until it is killed (or hits
// the crash point given as argv[2]). Test-only.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/random.h"
#include "registry/internal/db.h"
#include "registry/ledger/ledger.h"
#include "tests/registry/ledger_fixture.h"

using namespace certledger;

int main(int argc, char** argv) {
  if (argc < 2 || !crypto::Init()) return 2;
  registry::internal::DbOptions dbo;
  dbo.create = true;
  auto db = registry::internal::Db::Open(argv[1], dbo);
  if (!db.ok()) return 3;
  registry::SystemClock clock;
  registry::LedgerOptions o;
  o.origin = "cert.example.ru/ledger";
  o.integrate_delay_ms = 5;
  o.max_batch = 97;  // small batches: many integration rounds to crash in
  auto ledger = registry::Ledger::Open(db->get(), testing::TestLedgerSigner(), o, clock);
  if (!ledger.ok()) {
    std::fprintf(stderr, "open: %s\n", ledger.status().ToString().c_str());
    return 4;
  }
  if (argc > 2)
    (*ledger)->TEST_SetCrashPoint(static_cast<registry::LedgerCrashPoint>(std::atoi(argv[2])));
  for (int64_t round = 0;; ++round) {
    int n = 1 + static_cast<int>(crypto::RandomUniform(40));
    int64_t last = -1;
    Status s = (*db)->Write([&](registry::internal::Conn& c) -> Status {
      for (int i = 0; i < n; ++i) {
        CERTLEDGER_ASSIGN_OR_RETURN(last,
                                    (*ledger)->Append(c, testing::TestEvent(round * 100 + i)));
      }
      return Status::Ok();
    });
    if (s.ok()) {
      std::printf("ack %lld\n", static_cast<long long>(last));
      std::fflush(stdout);
      (*ledger)->Notify();
    }
    if (round % 7 == 0) (void)(*ledger)->IntegrateNow();
  }
}
