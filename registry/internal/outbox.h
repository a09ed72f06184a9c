// The notification outbox: messages to applicants (voucher issued, promoted
// from the queue, enrolled, annulled, expiring soon, login codes), written in
// the same transaction as the change they announce. A sender reads them with
// Registry::Outbox() and marks them sent; the outbox is the record, sending
// (SMTP or anything else) is optional.
//
// The recipient is not copied: it is the application's sealed e-mail, opened
// when the message is read. Subject and body are rendered here in Russian and
// English from the kind and its parameters, and stored sealed (they hold
// sign-in codes, voucher codes and annulment reasons): crypto::SealBytes with
// the registry's PII key, associated data OutboxAd(id, application, kind),
// never in clear (the columns `subject` and `body` of schema 4 are kept
// empty; schema 6 added `sealed`).
//
// Internal to registry/. Thread-safety: EnqueueOutbox runs inside a Db::Write
// closure on the caller's connection; RenderOutboxMessage, OutboxAd and
// OpenOutboxMessage are pure; SealClearOutbox runs once at open, before any
// other use of the database.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_
#define CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/secret_bytes.h"
#include "crypto/status.h"

namespace certledger::registry::internal {

class Conn;
class Db;

// Message kinds and their params. Do not rename: stored, and seen by senders.
//   "login-code"      {"code": "123456"}
//   "queued"          {"position": 12}
//   "voucher-issued"  {"code", "url", "valid_until"}
//   "promoted"        {"code", "url", "valid_until", "old_position": 12}
//   "enrolled"        {"code", "group", "start_date"}
//   "annulled"        {"code", "reason"}
//   "withdrawn"       {"code"} (code may be empty: left the queue)
//   "expiring"        {"code", "valid_until"}
//   "expired"         {"code"}
//   "lapsed"          {}
struct RenderedMessage {
  std::string subject;
  std::string body;
};

// kInvalidArgument ("outbox.kind") for an unknown kind or missing params.
Result<RenderedMessage> RenderOutboxMessage(std::string_view kind, const Json& params);

// Appends a message for the applicant of `application_id`, sealed with `pii`
// (Registry::VoucherKey("pii")). kNotFound ("application.unknown") when there
// is no such application; kInvalidArgument ("outbox.kind") as above. A crash
// before the caller's COMMIT leaves nothing.
Status EnqueueOutbox(Conn& c, const crypto::SecretBytes& pii, std::string_view kind,
                     std::string_view application_id, const Json& params, int64_t now_ms);

// The associated data of a sealed message: "outbox|<id>|<application_id>|<kind>",
// so a sealed message cannot be moved to another row, applicant or kind.
std::string OutboxAd(int64_t id, std::string_view application_id, std::string_view kind);

// Opens the column `sealed` of outbox row `id`. kDataLoss
// ("secretbox.open-failed" or "outbox.corrupt") when it does not open.
Result<RenderedMessage> OpenOutboxMessage(const crypto::SecretBytes& pii, std::string_view sealed,
                                          int64_t id, std::string_view application_id,
                                          std::string_view kind);

// The upgrade of a database written before schema 6: seals every row still
// in clear (in batches, one transaction), then VACUUMs and truncates the WAL
// so no copy of the clear text is left in free pages or old WAL frames
// (meta "outbox_vacuum" marks a VACUUM still owed, should it fail). Does
// nothing, after one indexed lookup, when there is nothing to do. Called by
// Registry::Open before the ledger starts. kUnavailable ("db.busy") when
// another process held the database.
Status SealClearOutbox(Db& db, const crypto::SecretBytes& pii);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_
