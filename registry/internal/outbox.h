// The notification outbox: messages to applicants (voucher issued, promoted
// from the queue, enrolled, annulled, expiring soon, login codes), written in
// the same transaction as the change they announce. A sender reads them with
// Registry::Outbox() and marks them sent; the outbox is the record, sending
// (SMTP or anything else) is optional.
//
// The recipient is not copied: it is the application's sealed e-mail, opened
// when the message is read. Subject and body are rendered here in Russian and
// English from the kind and its parameters.
//
// Internal to registry/. Thread-safety: the functions run inside a Db::Write
// closure on the caller's connection; RenderOutboxMessage is pure.
#ifndef CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_
#define CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/status.h"

namespace certledger::registry::internal {

class Conn;

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

// Appends a message for the applicant of `application_id`. kNotFound
// ("application.unknown") when there is no such application; kInvalidArgument
// ("outbox.kind") as above. A crash before the caller's COMMIT leaves nothing.
Status EnqueueOutbox(Conn& c, std::string_view kind, std::string_view application_id,
                     const Json& params, int64_t now_ms);

}  // namespace certledger::registry::internal

#endif  // CERTLEDGER_REGISTRY_INTERNAL_OUTBOX_H_
