// A registry in a temporary directory with the provider `demo` and its
// programmes DA-101 (72 h, pass mark 60) and PY-036 (36 h, pass mark 50), at
// a fixed time: what the certificate and batch tests start from.
#ifndef CERTLEDGER_TESTS_REGISTRY_CERTIFICATE_FIXTURE_H_
#define CERTLEDGER_TESTS_REGISTRY_CERTIFICATE_FIXTURE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/data_integrity.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"
#include "registry/internal/db.h"
#include "registry/registry.h"
#include "tests/test_util.h"

namespace certledger::registry::fixture {

struct CertificateEnv {
  certledger::testing::TempDir dir;
  ManualClock clock{*crypto::ParseRfc3339("2026-06-30T09:00:00Z")};
  std::unique_ptr<Registry> reg;

  // `batch_rows`: IssueBatch's rows per transaction (RegistryOptions).
  explicit CertificateEnv(size_t batch_rows = RegistryOptions().batch_rows_per_transaction) {
    InitOptions io;
    io.data_dir = dir.path().string();
    io.base_url = "https://cert.example.ru";
    REQUIRE(Registry::Init(io, clock).ok());
    RegistryOptions ro;
    ro.data_dir = dir.path().string();
    ro.ledger.background = false;
    ro.batch_rows_per_transaction = batch_rows;
    reg = std::move(*Registry::Open(ro, clock));
    REQUIRE(
        reg->RegisterIssuer({"demo", "provider", "АНО ДПО «Цифровая академия»", "Digital Academy",
                             "7707083893", "Л035-01298-77/00179876", "2021-03-15"})
            .ok());
    Status s = reg->AddProgramme({"demo",
                                  "DA-101",
                                  "Анализ данных на Python",
                                  "Data analysis in Python",
                                  "data-analysis",
                                  72,
                                  60,
                                  100,
                                  "distance",
                                  "qualification-upgrade",
                                  {"умеет готовить данные", "строит модели"},
                                  {"анализ данных"}});
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(reg->AddProgramme({"demo",
                               "PY-036",
                               "Основы программирования на Python",
                               "Python programming basics",
                               "programming",
                               36,
                               50,
                               100,
                               "blended",
                               "certificate",
                               {"пишет программы с циклами и функциями"},
                               {}})
                .ok());
  }

  // Resolves the demo issuer's verification methods from its DID document.
  crypto::KeyResolver Resolver() {
    return [this](const std::string& vm) -> Result<std::string> {
      auto doc = reg->IssuerDidDocument("demo");
      if (!doc.ok()) return doc.status();
      for (const auto& m : (*doc)["verificationMethod"]) {
        if (m["id"] == vm) {
          return crypto::DecodeEd25519Multikey(m["publicKeyMultibase"].get<std::string>());
        }
      }
      return Status::NotFound("test.key", vm);
    };
  }
};

// Runs `calls` (each one write of `reg`, on its own thread) in one group of
// the single writer, queued in this order: the writer is held by another
// write until all of them are queued (Db::TEST_Queued).
inline void InOneGroup(Registry& reg, const std::vector<std::function<void()>>& calls) {
  internal::Db& db = reg.db();
  std::atomic<bool> holding{false}, release{false};
  Status held;
  std::thread holder([&] {
    held = db.Write([&](internal::Conn&) -> Status {
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::Ok();
    });
  });
  auto wait_for = [](auto done) {
    for (int i = 0; i < 10000 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return done();
  };
  bool queued = wait_for([&] { return holding.load(); });
  std::vector<std::thread> threads;
  for (size_t i = 0; queued && i < calls.size(); ++i) {
    threads.emplace_back(calls[i]);
    queued = wait_for([&] { return db.TEST_Queued() == i + 1; });
  }
  release = true;
  holder.join();
  for (auto& t : threads) t.join();
  // (Catch's assertions are not for other threads: checked here.)
  REQUIRE(held.ok());
  REQUIRE(queued);
}

}  // namespace certledger::registry::fixture

#endif  // CERTLEDGER_TESTS_REGISTRY_CERTIFICATE_FIXTURE_H_
