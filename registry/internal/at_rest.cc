#include "registry/internal/at_rest.h"

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/secret_box.h"
#include "registry/internal/db.h"

namespace certledger::registry::internal {
namespace {

constexpr char kSecretsVacuumOwed[] = "secrets_vacuum";
constexpr int kSecretsSealBatch = 1000;

void Wipe(std::string& s) { std::fill(s.begin(), s.end(), '\0'); }

// Seals up to kSecretsSealBatch stored responses in clear; returns how many.
Result<int64_t> SealClearResponses(Conn& c, const crypto::SecretBytes& key) {
  struct Row {
    std::string scope, key, body;
  };
  std::vector<Row> rows;
  auto& q = c.Prepare("SELECT scope, key, body FROM idempotency WHERE sealed IS NULL LIMIT ?");
  q.bind(1, kSecretsSealBatch);
  while (q.executeStep()) {
    rows.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), Blob(q.getColumn(2))});
  }
  q.reset();
  auto& u = c.Prepare("UPDATE idempotency SET body = X'', sealed = ? WHERE scope = ? AND key = ?");
  for (Row& r : rows) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed,
                                SealStoredResponse(key, r.body, r.scope, r.key));
    Wipe(r.body);
    u.bind(1, sealed.data(), static_cast<int>(sealed.size()));
    u.bind(2, r.scope);
    u.bind(3, r.key);
    u.exec();
    u.reset();
    u.clearBindings();
  }
  return static_cast<int64_t>(rows.size());
}

// Seals up to kSecretsSealBatch identity check codes in clear; returns how many.
Result<int64_t> SealClearIdentityCodes(Conn& c, const crypto::SecretBytes& key) {
  struct Row {
    int64_t id;
    std::string code, salt;
  };
  std::vector<Row> rows;
  auto& q = c.Prepare(
      "SELECT id, code, learner_salt FROM certificates WHERE learner_salt != '' ORDER BY id "
      "LIMIT ?");
  q.bind(1, kSecretsSealBatch);
  while (q.executeStep()) {
    rows.push_back(
        {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString()});
  }
  q.reset();
  auto& u = c.Prepare("UPDATE certificates SET learner_salt = '', identity_code = ? WHERE id = ?");
  for (Row& r : rows) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed, SealIdentityCode(key, r.salt, r.code));
    Wipe(r.salt);
    u.bind(1, sealed.data(), static_cast<int>(sealed.size()));
    u.bind(2, r.id);
    u.exec();
    u.reset();
    u.clearBindings();
  }
  return static_cast<int64_t>(rows.size());
}

}  // namespace

std::string IdempotencyAd(std::string_view scope, std::string_view key) {
  return "idempotency|" + std::string(scope) + "|" + std::string(key);
}

std::string IdentityCodeAd(std::string_view certificate_code) {
  return "identity-code|" + std::string(certificate_code);
}

Result<std::string> SealStoredResponse(const crypto::SecretBytes& key, std::string_view body,
                                       std::string_view scope, std::string_view idem_key) {
  return crypto::SealBytes(key, body, IdempotencyAd(scope, idem_key));
}

Result<std::string> SealIdentityCode(const crypto::SecretBytes& key, std::string_view code_hex,
                                     std::string_view certificate_code) {
  return crypto::SealBytes(key, code_hex, IdentityCodeAd(certificate_code));
}

Result<std::string> OpenStoredResponse(const crypto::SecretBytes& key, std::string_view sealed,
                                       std::string_view scope, std::string_view idem_key) {
  auto body = OpenString(key, sealed, IdempotencyAd(scope, idem_key));
  if (!body.ok()) {
    return body.status().Annotate(
        "the stored response of this Idempotency-Key does not open (altered, moved from another "
        "key, or sealed under another master key)");
  }
  return body;
}

Result<std::string> OpenIdentityCode(const crypto::SecretBytes& key, std::string_view sealed,
                                     std::string_view certificate_code) {
  auto code = OpenString(key, sealed, IdentityCodeAd(certificate_code));
  if (!code.ok()) {
    return code.status().Annotate(
        "the identity check code of certificate " + std::string(certificate_code) +
        " does not open (altered, moved from another certificate, or sealed under another "
        "master key)");
  }
  return code;
}

Status SealClearSecrets(Db& db, const crypto::SecretBytes& idempotency_key,
                        const crypto::SecretBytes& identity_key) {
  bool clear = false, owed = false;
  CERTLEDGER_RETURN_IF_ERROR(db.Read([&](Conn& c) -> Status {
    // Both through partial indexes of schema 7 (idempotency_clear,
    // certificates_clear): no table scan at each open.
    auto& r = c.Prepare("SELECT 1 FROM idempotency WHERE sealed IS NULL LIMIT 1");
    clear = r.executeStep();
    r.reset();
    auto& s = c.Prepare("SELECT 1 FROM certificates WHERE learner_salt != '' LIMIT 1");
    clear = s.executeStep() || clear;
    s.reset();
    owed = VacuumOwed(c, kSecretsVacuumOwed);
    return Status::Ok();
  }));
  if (!clear && !owed) return Status::Ok();
  for (int64_t sealed = clear ? 1 : 0; sealed > 0;) {
    // One durable transaction per batch, each setting the flag: a crash
    // leaves sealed rows, clear rows and the flag, and the next open goes on.
    CERTLEDGER_RETURN_IF_ERROR(db.Write([&](Conn& c) -> Status {
      SetVacuumOwed(c, kSecretsVacuumOwed);
      CERTLEDGER_ASSIGN_OR_RETURN(int64_t responses, SealClearResponses(c, idempotency_key));
      CERTLEDGER_ASSIGN_OR_RETURN(int64_t codes, SealClearIdentityCodes(c, identity_key));
      sealed = responses + codes;
      return Status::Ok();
    }));
  }
  return ScrubFreedPages(db, kSecretsVacuumOwed,
                         "sealing stored responses and identity check codes");
}

Result<std::string> OpenString(const crypto::SecretBytes& key, std::string_view sealed,
                               const std::string& ad) {
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::SecretBytes plain, crypto::Open(key, sealed, ad));
  return std::string(plain.GetSecret(crypto::InsecureSecretAccess::Get()));
}

bool VacuumOwed(Conn& c, const char* owed_flag) {
  auto& m = c.Prepare("SELECT 1 FROM meta WHERE key = ?");
  m.bind(1, owed_flag);
  const bool owed = m.executeStep();
  m.reset();
  return owed;
}

void SetVacuumOwed(Conn& c, const char* owed_flag) {
  auto& m = c.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, X'31')");
  m.bind(1, owed_flag);
  m.exec();
}

crypto::SecretBytes DeriveSubkey(const crypto::SecretBytes& master_key, std::string_view domain,
                                 std::string_view purpose) {
  std::string k = crypto::KeyedHash(master_key, std::string(domain) + "|" + std::string(purpose));
  crypto::SecretBytes out(k, crypto::InsecureSecretAccess::Get());
  std::fill(k.begin(), k.end(), '\0');
  return out;
}

Status ScrubFreedPages(Db& db, const char* owed_flag, std::string_view what) {
  try {
    SQLite::Database conn(db.path(), SQLite::OPEN_READWRITE, 5000);
    conn.exec("VACUUM");
    SQLite::Statement ck(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!ck.executeStep() || ck.getColumn(0).getInt() != 0) {
      return Status::Unavailable("db.busy", "the registry database is busy; " + std::string(what) +
                                                " is not finished; open it again when no other "
                                                "process uses it");
    }
    ck.reset();
    SQLite::Statement del(conn, "DELETE FROM meta WHERE key = ?");
    del.bind(1, owed_flag);
    del.exec();
  } catch (const std::exception& e) {
    return Db::FromException(e).Annotate(what);
  }
  return Status::Ok();
}

}  // namespace certledger::registry::internal
