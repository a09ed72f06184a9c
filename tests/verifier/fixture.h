// A registry built in memory for the verifier's tests, shaped exactly like
// docs/formats.md: an issuer DID document with Multikey keys, signed
// certificates and vouchers, a signed Bitstring Status List, and a ledger
// (RFC 6962 tree, C2SP signed checkpoints, receipts), served either as a
// trust bundle directory or through a Fetcher that answers the registry's
// URLs. Not thread-safe.
#ifndef CERTLEDGER_TESTS_VERIFIER_FIXTURE_H_
#define CERTLEDGER_TESTS_VERIFIER_FIXTURE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/checkpoint.h"
#include "crypto/data_integrity.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/multikey.h"
#include "crypto/receipt.h"
#include "crypto/rfc3339.h"
#include "crypto/signed_note.h"
#include "crypto/status_list.h"
#include "crypto/tlog_tiles.h"
#include "tests/test_util.h"
#include "verifier/trust_source.h"

namespace certledger::verifier::fixture {

inline int64_t T(const char* rfc3339) {
  auto t = crypto::ParseRfc3339(rfc3339);
  REQUIRE(t.ok());
  return *t;
}

inline Json J(const char* text) {
  auto j = crypto::ParseJson(text);
  REQUIRE(j.ok());
  return *j;
}

class FakeRegistry {
 public:
  static constexpr char kBase[] = "https://cert.example.ru";
  static constexpr char kHost[] = "cert.example.ru";
  static constexpr char kIssuer[] = "did:web:cert.example.ru:issuers:demo";
  static constexpr char kStatusUrl[] = "https://cert.example.ru/status/demo/1";

  FakeRegistry() {
    keys_.push_back(crypto::Ed25519Signer::Generate(std::string(kIssuer) + "#key-1"));
    keys_.push_back(crypto::Ed25519Signer::Generate(std::string(kIssuer) + "#key-2"));
    ledger_key_ = crypto::Ed25519Signer::Generate();
    auto ns = crypto::NoteSigner::Create(std::string(kHost) + "/ledger", ledger_key_.get());
    REQUIRE(ns.ok());
    note_signer_ = std::make_unique<crypto::NoteSigner>(*ns);
    auto bits = crypto::Bitstring::Create();
    REQUIRE(bits.ok());
    bits_ = std::make_unique<crypto::Bitstring>(*bits);
  }

  // --- the issuer ---------------------------------------------------------
  std::string Vm(int n) const { return std::string(kIssuer) + "#key-" + std::to_string(n); }
  void RevokeKey(int n, const std::string& at) { revoked_[n] = at; }
  void Suspend(const std::string& at) { suspended_at_ = at; }

  Json DidDocument() const {
    Json vms = Json::array(), am = Json::array();
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      int n = static_cast<int>(i) + 1;
      auto mb = crypto::EncodeEd25519Multikey(keys_[i]->PublicKey());
      REQUIRE(mb.ok());
      Json vm = {{"id", Vm(n)},
                 {"type", "Multikey"},
                 {"controller", kIssuer},
                 {"publicKeyMultibase", *mb}};
      if (revoked_.count(n)) vm["revoked"] = revoked_.at(n);
      vms.push_back(vm);
      am.push_back(Vm(n));
    }
    Json meta = {{"name", {{"ru", "АНО ДПО «Цифровая академия»"}, {"en", "Digital Academy"}}},
                 {"inn", "7707083893"},
                 {"kind", "provider"},
                 {"status", suspended_at_ ? "suspended" : "active"},
                 {"suspendedAt", suspended_at_ ? Json(*suspended_at_) : Json(nullptr)}};
    return {{"@context", Json::array({"https://www.w3.org/ns/did/v1",
                                      "https://w3id.org/security/multikey/v1"})},
            {"id", kIssuer},
            {"verificationMethod", vms},
            {"assertionMethod", am},
            {"service", Json::array({{{"id", std::string(kIssuer) + "#registry"},
                                      {"type", "CertledgerIssuer"},
                                      {"serviceEndpoint", std::string(kBase) + "/issuers/demo"}}})},
            {"certledger:issuer", meta}};
  }

  // --- credentials ----------------------------------------------------------
  static std::string Id(const std::string& code) { return std::string(kBase) + "/v/" + code; }

  static Json StatusEntry(int index) {
    return {{"id", std::string(kStatusUrl) + "#" + std::to_string(index)},
            {"type", "BitstringStatusListEntry"},
            {"statusPurpose", "revocation"},
            {"statusListIndex", std::to_string(index)},
            {"statusListCredential", kStatusUrl}};
  }

  // An unsigned completion certificate as in docs/formats.md.
  static Json Certificate(const std::string& code, int status_index) {
    Json c = J(R"({
  "@context": ["https://www.w3.org/ns/credentials/v2",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
               "https://cert.example.ru/contexts/v1.json"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "name": "Удостоверение о повышении квалификации",
  "documentType": "qualification-upgrade",
  "issuer": {"id": "did:web:cert.example.ru:issuers:demo", "type": ["Profile"],
             "name": "АНО ДПО «Цифровая академия»", "url": "https://cert.example.ru/issuers/demo",
             "licence": "Л035-01298-77/00179876 от 2021-03-15"},
  "validFrom": "2026-06-30T09:00:00Z",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [
      {"type": "IdentityObject", "identityType": "name", "hashed": false,
       "identityHash": "Иванова Мария Сергеевна"},
      {"type": "IdentityObject", "identityType": "identifier", "hashed": true,
       "identityHash": "sha256$4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
       "salt": "d1c5e3"}
    ],
    "achievement": {
      "id": "https://cert.example.ru/programmes/demo/DA-101", "type": ["Achievement"],
      "achievementType": "Certificate",
      "name": "Анализ данных на Python", "description": "Программа повышения квалификации",
      "criteria": {"narrative": "Итоговая аттестация: не менее 60 баллов из 100"},
      "creditsAvailable": 2, "workloadHours": 72, "competenceArea": "data-analysis",
      "learningForm": "distance",
      "learningOutcomes": ["Загрузка и очистка данных", "Построение отчётов"],
      "competencies": ["Анализ данных"],
      "resultDescription": [{"id": "urn:x:score",
        "type": ["ResultDescription"], "name": "Итоговая аттестация",
        "resultType": "ScaledScore", "valueMin": "0", "valueMax": "100", "requiredValue": "60"}]
    },
    "result": [{"type": ["Result"], "resultDescription": "urn:x:score",
                "value": "87", "status": "Completed"}],
    "creditsEarned": 2,
    "activityStartDate": "2026-03-01T00:00:00Z", "activityEndDate": "2026-06-28T00:00:00Z",
    "identityVerification": {"share": 0.4, "method": "online-proctoring"}
  }
})");
    c["id"] = Id(code);
    std::string score = Id(code) + "#score";
    c["credentialSubject"]["achievement"]["resultDescription"][0]["id"] = score;
    c["credentialSubject"]["result"][0]["resultDescription"] = score;
    c["credentialStatus"] = StatusEntry(status_index);
    return c;
  }

  // An unsigned voucher valid until the end of 2026 (Europe/Moscow).
  static Json Voucher(const std::string& code, int status_index) {
    Json v = J(R"({
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://cert.example.ru/contexts/v1.json"],
  "type": ["VerifiableCredential", "TrainingVoucherCredential"],
  "issuer": {"id": "did:web:cert.example.ru:issuers:demo", "name": "Оператор"},
  "validFrom": "2026-03-02T10:00:00Z",
  "validUntil": "2026-12-31T23:59:59.999+03:00",
  "credentialSubject": {"type": "TrainingVoucher", "holderName": "Иванова Мария Сергеевна",
                        "programme": "https://cert.example.ru/programmes/demo/DA-101", "year": 2026}
})");
    v["id"] = Id(code);
    v["credentialStatus"] = StatusEntry(status_index);
    return v;
  }

  Json Sign(const Json& doc, int key = 2, const std::string& created = "2026-06-30T09:00:00Z") {
    crypto::ProofOptions po;
    po.verification_method = Vm(key);
    po.created = created;
    auto s = crypto::AddProof(doc, po, *keys_[key - 1]);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    return *s;
  }

  // --- the status list --------------------------------------------------------
  void SetStatus(int index, bool revoked) { REQUIRE(bits_->Set(index, revoked).ok()); }

  Json StatusListCredential(int key = 2) {
    auto enc = bits_->Encode();
    REQUIRE(enc.ok());
    Json lc = crypto::MakeStatusListCredential(kStatusUrl, kIssuer, "2026-01-01T00:00:00Z", *enc);
    return Sign(lc, key, "2026-01-01T00:00:00Z");
  }

  // --- the ledger -------------------------------------------------------------
  std::string VerifierKey() const {
    auto v = note_signer_->Verifier();
    REQUIRE(v.ok());
    return crypto::FormatVerifierKey(*v);
  }

  // Logs an issuance of `signed_credential`; returns its index.
  int64_t Log(const Json& signed_credential, const std::string& time = "2026-06-30T09:00:01.000Z",
              const std::string& type = "certificate.issued") {
    auto jcs = crypto::Canonicalize(signed_credential);
    REQUIRE(jcs.ok());
    Json e = {{"type", type},
              {"id", crypto::Sha256Tagged(signed_credential["id"].get<std::string>())},
              {"issuer", kIssuer},
              {"digest", crypto::Sha256Tagged(*jcs)},
              {"time", time}};
    auto bytes = crypto::Canonicalize(e);
    REQUIRE(bytes.ok());
    return LogRaw(*bytes);
  }
  int64_t LogRaw(const std::string& entry) {
    entries_.push_back(entry);
    store_.AppendLeafHash(crypto::LeafHash(entry));
    return store_.Size() - 1;
  }
  // Signs a checkpoint for the current size and remembers it as the newest.
  std::string Checkpoint() {
    auto root = crypto::TreeHash(store_.Size(), store_);
    REQUIRE(root.ok());
    crypto::Checkpoint cp{std::string(kHost) + "/ledger", store_.Size(), *root, {}};
    auto text = crypto::FormatCheckpoint(cp);
    REQUIRE(text.ok());
    auto note = crypto::SignNote(*text, *note_signer_);
    REQUIRE(note.ok());
    newest_ = *note;
    return *note;
  }
  // A receipt for `index` against `checkpoint` (of size `size`).
  Json Receipt(int64_t index, const std::string& checkpoint, int64_t size) {
    auto proof = crypto::ProveRecord(size, index, store_);
    REQUIRE(proof.ok());
    crypto::Receipt r{std::string(kHost) + "/ledger", index, entries_[index], *proof, checkpoint};
    return crypto::ReceiptToJson(r);
  }
  Json Receipt(int64_t index) { return Receipt(index, Checkpoint(), store_.Size()); }
  std::vector<crypto::Hash> Consistency(int64_t old_size, int64_t new_size) {
    auto p = crypto::ProveTree(new_size, old_size, store_);
    REQUIRE(p.ok());
    return *p;
  }
  const std::string& Newest() const { return newest_; }
  int64_t Size() const { return store_.Size(); }

  // --- serving it -----------------------------------------------------------------
  // A trust bundle as `certledger trust-bundle` writes it; with `tiles`, also
  // the ledger's tiles up to the newest checkpoint.
  void WriteBundle(const std::filesystem::path& dir, bool tiles = false) {
    Json b = {
        {"type", "CertledgerTrustBundle"},
        {"baseUrl", kBase},
        {"created", "2026-07-01T00:00:00Z"},
        {"ledger", {{"origin", std::string(kHost) + "/ledger"}, {"verifierKey", VerifierKey()}}}};
    certledger::testing::WriteFile(dir / "bundle.json", b.dump(2));
    certledger::testing::WriteFile(dir / BundleDidPath(kIssuer), DidDocument().dump(2));
    certledger::testing::WriteFile(dir / "status/demo/1.json", StatusListCredential().dump(2));
    if (!newest_.empty()) certledger::testing::WriteFile(dir / "checkpoint", newest_);
    if (tiles) {
      auto cp = crypto::ParseCheckpoint(newest_.substr(0, newest_.find("\n\n") + 1));
      REQUIRE(cp.ok());
      for (const crypto::Tile& t : crypto::TilesForSize(cp->size)) {
        if (t.is_entries()) continue;
        auto data = crypto::ReadTileData(t, store_);
        REQUIRE(data.ok());
        certledger::testing::WriteFile(dir / crypto::TilePath(t), *data);
      }
    }
  }

  // Serves the registry's URLs from memory: DID document, status list,
  // credentials by URL (and URL/receipt), and the ledger routes.
  class Server final : public Fetcher {
   public:
    explicit Server(FakeRegistry* r) : r_(r) {}
    std::map<std::string, std::string> pages;  // extra URL -> body
    bool down = false;
    int gets = 0;
    Result<std::string> Get(const std::string& url, const std::string& accept) override {
      ++gets;
      if (down) return Status::Unavailable("fetch.unavailable", "network down");
      std::string b = kBase;
      if (url == b + "/issuers/demo/did.json") return r_->DidDocument().dump();
      if (url == kStatusUrl) return r_->StatusListCredential().dump();
      if (url == b + "/api/v1/ledger/key") return r_->VerifierKey() + "\n";
      if (url == b + "/ledger/checkpoint") return r_->Newest();
      std::string cons = b + "/api/v1/ledger/consistency?old=";
      if (url.rfind(cons, 0) == 0) {
        int64_t old_size = std::stoll(url.substr(cons.size()));
        int64_t new_size = std::stoll(url.substr(url.find("&new=") + 5));
        Json proof = Json::array();
        for (const auto& h : r_->Consistency(old_size, new_size)) {
          proof.push_back(crypto::Base64Encode(crypto::AsStringView(h)));
        }
        return Json{{"proof", proof}}.dump();
      }
      auto it = pages.find(url);
      if (it != pages.end()) return it->second;
      return Status::NotFound("fetch.not-found", url + ": HTTP 404");
    }

   private:
    FakeRegistry* r_;
  };

 private:
  std::vector<std::unique_ptr<crypto::Ed25519Signer>> keys_;
  std::map<int, std::string> revoked_;
  std::optional<std::string> suspended_at_;
  std::unique_ptr<crypto::Ed25519Signer> ledger_key_;
  std::unique_ptr<crypto::NoteSigner> note_signer_;
  std::unique_ptr<crypto::Bitstring> bits_;
  crypto::InMemoryHashStore store_;
  std::vector<std::string> entries_;
  std::string newest_;
};

}  // namespace certledger::verifier::fixture

#endif  // CERTLEDGER_TESTS_VERIFIER_FIXTURE_H_
