// Secrets at rest in the registry's database besides the outbox
// (registry/internal/outbox.h), each sealed with crypto::SealBytes under its
// own subkey of the master key (Registry::SealingKey) and associated data
// naming its row, so a sealed value cannot be moved to another row:
//
//   idempotency.sealed         the stored response of a creating request
//                              (a new bearer token, identity check codes,
//                              voucher codes); key "idempotency",
//                              AD IdempotencyAd(scope, key)
//   certificates.identity_code the learner's identity check code
//                              (crypto/learner_identity.h); key
//                              "identity-code", AD IdentityCodeAd(code)
//
// Schema 7 added both columns; the clear columns of before
// (idempotency.body, certificates.learner_salt) are kept empty (X'', '').
// A row whose sealed column is NULL is from before and read in clear until
// SealClearSecrets seals it.
//
// Internal to registry/. Thread-safety: the Ad, Seal and Open functions are
// pure; SealClearSecrets and ScrubFreedPages run once at open, before any
// other use of the database.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_AT_REST_H_
#define CERTLEDGER_REGISTRY_INTERNAL_AT_REST_H_

#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "crypto/status.h"

namespace certledger::registry::internal {

class Db;

// "idempotency|<scope>|<key>". The scope ("<role>:<issuer slug or
// application id>") holds no '|', so the pair is unambiguous.
std::string IdempotencyAd(std::string_view scope, std::string_view key);
// "identity-code|<certificate code>".
std::string IdentityCodeAd(std::string_view certificate_code);

// kInvalidArgument ("secretbox.bad-key") for a key of the wrong size only.
Result<std::string> SealStoredResponse(const crypto::SecretBytes& key, std::string_view body,
                                       std::string_view scope, std::string_view idem_key);
Result<std::string> SealIdentityCode(const crypto::SecretBytes& key, std::string_view code_hex,
                                     std::string_view certificate_code);

// kDataLoss ("secretbox.open-failed") when the value was altered, moved from
// another row or sealed under another master key.
Result<std::string> OpenStoredResponse(const crypto::SecretBytes& key, std::string_view sealed,
                                       std::string_view scope, std::string_view idem_key);
Result<std::string> OpenIdentityCode(const crypto::SecretBytes& key, std::string_view sealed,
                                     std::string_view certificate_code);

// The upgrade of a database written before schema 7: seals every stored
// response and identity check code still in clear, 1,000 rows per durable
// transaction (a crash between two leaves rows of both kinds, all readable;
// the next open goes on), then ScrubFreedPages with the meta flag
// "secrets_vacuum". Does nothing, after two indexed lookups, when there is
// nothing to do. Called by Registry::Open after SealClearOutbox. kUnavailable
// ("db.busy") when another process held the database.
Status SealClearSecrets(Db& db, const crypto::SecretBytes& idempotency_key,
                        const crypto::SecretBytes& identity_key);

// After clear values were overwritten (flag `owed_flag` set in table meta by
// the same transaction): the UPDATEs leave the old cells in the pages' free
// space and the clear rows in the database file until checkpointed, so
// VACUUM rewrites every page and a TRUNCATE checkpoint copies the WAL over
// the file and empties it; then the flag is deleted. On a connection of its
// own, outside any transaction (REQUIRES: the Db's connections are idle). A
// failure leaves the flag, and the next open tries again. kUnavailable
// ("db.busy", naming `what`) when another process held the database.
Status ScrubFreedPages(Db& db, const char* owed_flag, std::string_view what);

// crypto::Open of a value sealed with SealBytes, as a string (kDataLoss
// "secretbox.open-failed" when altered or sealed under other data).
Result<std::string> OpenString(const crypto::SecretBytes& key, std::string_view sealed,
                               const std::string& ad);

class Conn;
// Whether meta holds `owed_flag` (a scrub is owed); sets it, in the caller's
// transaction.
bool VacuumOwed(Conn& c, const char* owed_flag);
void SetVacuumOwed(Conn& c, const char* owed_flag);

// A subkey of the master key: KeyedHash(master, "<domain>|<purpose>").
// Registry::VoucherKey and Registry::SealingKey.
crypto::SecretBytes DeriveSubkey(const crypto::SecretBytes& master_key, std::string_view domain,
                                 std::string_view purpose);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_AT_REST_H_
