// A registry database plus a ledger in a temporary directory, for tests.
#ifndef CERTLEDGER_TESTS_REGISTRY_LEDGER_FIXTURE_H_
#define CERTLEDGER_TESTS_REGISTRY_LEDGER_FIXTURE_H_

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "registry/clock.h"
#include "registry/internal/db.h"
#include "registry/ledger/ledger.h"
#include "tests/test_util.h"

namespace certledger::testing {

// The fixed test ledger key (seed 32 x 0x07). Never used outside tests.
inline std::unique_ptr<crypto::Signer> TestLedgerSigner() {
  auto s = crypto::Ed25519Signer::Create(
      crypto::SecretBytes(std::string(32, '\x07'), crypto::InsecureSecretAccess::Get()));
  return std::move(*s);
}

inline registry::LedgerEvent TestEvent(int64_t seq, int64_t time_ms = 1767225600000) {
  registry::LedgerEvent e;
  e.type = std::string(registry::event::kTest);
  e.id = "urn:test:" + std::to_string(seq);
  e.issuer = "did:web:cert.example.ru";
  e.digest = crypto::Sha256Tagged("entry " + std::to_string(seq));
  e.time_ms = time_ms;
  e.fields = Json{{"seq", seq}};
  return e;
}

inline std::unique_ptr<registry::internal::Db> OpenTestDb(const std::string& path) {
  registry::internal::DbOptions o;
  o.create = true;
  auto db = registry::internal::Db::Open(path, o);
  REQUIRE(db.ok());
  return std::move(*db);
}

}  // namespace certledger::testing

#endif  // CERTLEDGER_TESTS_REGISTRY_LEDGER_FIXTURE_H_
