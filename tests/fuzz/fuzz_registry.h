// A deterministic registry in memory for the fuzz targets and their seed
// generator (fuzz_make_seeds): one did:web issuer with a fixed Ed25519 key,
// its signed Bitstring Status List (entry 7 revoked), a ledger with a fixed
// C2SP note key, and a TrustSource that serves exactly these. Keys come from
// fixed seeds, so credentials and receipts written as seeds by one process
// verify in another. Not thread-safe; nothing here is for production.
#ifndef CERTLEDGER_TESTS_FUZZ_FUZZ_REGISTRY_H_
#define CERTLEDGER_TESTS_FUZZ_FUZZ_REGISTRY_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/data_integrity.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/multikey.h"
#include "crypto/receipt.h"
#include "crypto/secret_bytes.h"
#include "crypto/signed_note.h"
#include "crypto/status_list.h"
#include "verifier/trust_source.h"

namespace certledger::fuzz {

inline constexpr char kBase[] = "https://cert.example.ru";
inline constexpr char kOrigin[] = "cert.example.ru/ledger";
inline constexpr char kIssuer[] = "did:web:cert.example.ru:issuers:demo";
inline constexpr char kStatusUrl[] = "https://cert.example.ru/status/demo/1";
// 2026-07-01T12:00:00Z: after every validFrom below.
inline constexpr int64_t kNowMs = 1782907200000;

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz registry: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

inline std::unique_ptr<crypto::Ed25519Signer> FixedKey(char fill, std::string key_id) {
  crypto::SecretBytes seed(std::string(crypto::kEd25519SeedSize, fill),
                           crypto::InsecureSecretAccess::Get());
  return Must(crypto::Ed25519Signer::Create(seed, std::move(key_id)));
}

class FuzzRegistry {
 public:
  FuzzRegistry()
      : key_(FixedKey('k', std::string(kIssuer) + "#key-1")),
        ledger_key_(FixedKey('l', "")),
        note_signer_(Must(crypto::NoteSigner::Create(kOrigin, ledger_key_.get()))) {
    crypto::Bitstring bits = Must(crypto::Bitstring::Create());
    (void)bits.Set(7, true);
    Json list = crypto::MakeStatusListCredential(kStatusUrl, kIssuer, "2026-01-01T00:00:00Z",
                                                 Must(bits.Encode()));
    status_list_ = Sign(list, "2026-01-01T00:00:00Z");
    std::string mb = Must(crypto::EncodeEd25519Multikey(key_->PublicKey()));
    did_document_ = {{"@context", Json::array({"https://www.w3.org/ns/did/v1",
                                               "https://w3id.org/security/multikey/v1"})},
                     {"id", kIssuer},
                     {"verificationMethod", Json::array({{{"id", key_->KeyId()},
                                                          {"type", "Multikey"},
                                                          {"controller", kIssuer},
                                                          {"publicKeyMultibase", mb}}})},
                     {"assertionMethod", Json::array({key_->KeyId()})},
                     {"certledger:issuer", {{"status", "active"}, {"name", "Digital Academy"}}}};
  }

  const crypto::Ed25519Signer& key() const { return *key_; }
  const Json& did_document() const { return did_document_; }
  const Json& status_list() const { return status_list_; }
  std::string VerifierKey() const {
    return crypto::FormatVerifierKey(Must(note_signer_.Verifier()));
  }
  crypto::NoteVerifier NoteVerifier() const { return Must(note_signer_.Verifier()); }

  // An unsigned Open Badges 3.0 certificate with status list index `index`.
  static Json Certificate(int index) {
    Json c = Must(crypto::ParseJson(R"({
  "@context": ["https://www.w3.org/ns/credentials/v2",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
               "https://cert.example.ru/contexts/v1.json"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "name": "Удостоверение о повышении квалификации",
  "issuer": {"id": "did:web:cert.example.ru:issuers:demo", "type": ["Profile"],
             "name": "АНО ДПО «Цифровая академия»"},
  "validFrom": "2026-06-30T09:00:00Z",
  "credentialSubject": {"type": ["AchievementSubject"],
    "achievement": {"id": "https://cert.example.ru/programmes/demo/DA-101",
      "type": ["Achievement"], "name": "Анализ данных на Python", "workloadHours": 72,
      "learningOutcomes": ["Загрузка и очистка данных"]},
    "result": [{"type": ["Result"], "value": "87"}], "creditsEarned": 2}
})"));
    c["id"] = std::string(kBase) + "/v/FUZZ-" + std::to_string(index);
    c["credentialStatus"] = {{"id", std::string(kStatusUrl) + "#" + std::to_string(index)},
                             {"type", "BitstringStatusListEntry"},
                             {"statusPurpose", "revocation"},
                             {"statusListIndex", std::to_string(index)},
                             {"statusListCredential", kStatusUrl}};
    return c;
  }

  Json Sign(const Json& doc, const std::string& created = "2026-06-30T09:00:00Z") const {
    crypto::ProofOptions po;
    po.verification_method = key_->KeyId();
    po.created = created;
    return Must(crypto::AddProof(doc, po, *key_));
  }

  // Logs the issuance of each credential and returns one receipt per
  // credential against a checkpoint of all of them (the newest checkpoint).
  std::vector<Json> LogAll(const std::vector<Json>& signed_credentials) {
    for (const Json& c : signed_credentials) {
      Json e = {{"type", "certificate.issued"},
                {"id", crypto::Sha256Tagged(c["id"].get<std::string>())},
                {"issuer", kIssuer},
                {"digest", crypto::Sha256Tagged(Must(crypto::Canonicalize(c)))},
                {"time", "2026-06-30T09:00:01.000Z"}};
      entries_.push_back(Must(crypto::Canonicalize(e)));
      store_.AppendLeafHash(crypto::LeafHash(entries_.back()));
    }
    crypto::Checkpoint cp{
        kOrigin, store_.Size(), Must(crypto::TreeHash(store_.Size(), store_)), {}};
    checkpoint_ = Must(crypto::SignNote(Must(crypto::FormatCheckpoint(cp)), note_signer_));
    std::vector<Json> receipts;
    for (int64_t i = store_.Size() - static_cast<int64_t>(signed_credentials.size());
         i < store_.Size(); ++i) {
      crypto::Receipt r{kOrigin, i, entries_[i],
                        Must(crypto::ProveRecord(store_.Size(), i, store_)), checkpoint_};
      receipts.push_back(crypto::ReceiptToJson(r));
    }
    return receipts;
  }
  const std::string& checkpoint() const { return checkpoint_; }

 private:
  std::unique_ptr<crypto::Ed25519Signer> key_;
  std::unique_ptr<crypto::Ed25519Signer> ledger_key_;
  crypto::NoteSigner note_signer_;
  Json did_document_;
  Json status_list_;
  crypto::InMemoryHashStore store_;
  std::vector<std::string> entries_;
  std::string checkpoint_;
};

// The signed credentials and receipts both fuzz_make_seeds and the verifier
// target derive from a fresh FuzzRegistry (the same bytes every time, as
// Ed25519 signatures are deterministic): certificates 3 and 12 (valid) and 7
// (revoked), each with its receipt.
struct SignedSeed {
  Json credential;
  Json receipt;
};
inline std::vector<SignedSeed> MakeSignedSeeds(FuzzRegistry* r) {
  std::vector<Json> creds;
  for (int index : {3, 7, 12}) creds.push_back(r->Sign(FuzzRegistry::Certificate(index)));
  std::vector<Json> receipts = r->LogAll(creds);
  std::vector<SignedSeed> out;
  for (std::size_t i = 0; i < creds.size(); ++i) out.push_back({creds[i], receipts[i]});
  return out;
}

// Aborts with a message: an invariant of the code under test failed.
#define CERTLEDGER_FUZZ_CHECK(cond, what)                                                    \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, __FILE__, __LINE__); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

// Serves a FuzzRegistry's objects, as a trust bundle would. Consistency
// proofs are unavailable (every seed receipt is against the newest
// checkpoint).
class FuzzTrustSource final : public verifier::TrustSource {
 public:
  explicit FuzzTrustSource(const FuzzRegistry* r) : r_(r) {}
  Result<Json> DidDocument(const std::string& did) override {
    if (did == kIssuer) return r_->did_document();
    return Status::NotFound("fetch.not-found", did);
  }
  Result<Json> StatusListCredential(const std::string& url) override {
    if (url == kStatusUrl) return r_->status_list();
    return Status::Unavailable("trust.not-in-bundle", url);
  }
  Result<std::string> LedgerVerifierKey() override { return r_->VerifierKey(); }
  Result<std::string> NewestCheckpoint() override {
    if (r_->checkpoint().empty()) return Status::Unavailable("trust.not-in-bundle", "checkpoint");
    return r_->checkpoint();
  }
  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t, int64_t) override {
    return Status::Unavailable("trust.not-in-bundle", "consistency proof");
  }

 private:
  const FuzzRegistry* r_;
};

}  // namespace certledger::fuzz

#endif  // CERTLEDGER_TESTS_FUZZ_FUZZ_REGISTRY_H_
