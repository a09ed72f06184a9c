// Ledger entries: the public events of the registry, each appended to the
// ledger as the RFC 8785 canonical JSON of
//   {"type", "id", "issuer", "digest", "time", ...public fields}.
// Entries carry nothing personal: no names, SNILS, birth dates, e-mails or
// phones. The allowed extra fields are a closed list (kPublicFields); a
// credential's public URL is logged only as its SHA-256 (SubjectIdFor), so the
// ledger cannot be used to enumerate certificate pages.
//
// Thread-safe: pure functions.
#ifndef CERTLEDGER_REGISTRY_LEDGER_ENTRY_H_
#define CERTLEDGER_REGISTRY_LEDGER_ENTRY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/status.h"

namespace certledger::registry {

// Event types. Do not rename: ledger format, replayed by auditors.
namespace event {
inline constexpr std::string_view kCertificateIssued = "certificate.issued";
inline constexpr std::string_view kCertificateRevoked = "certificate.revoked";
inline constexpr std::string_view kCertificateSuperseded = "certificate.superseded";
inline constexpr std::string_view kApplicationQueued = "application.queued";
inline constexpr std::string_view kApplicationLapsed = "application.lapsed";
inline constexpr std::string_view kVoucherIssued = "voucher.issued";
inline constexpr std::string_view kVoucherEnrolled = "voucher.enrolled";
inline constexpr std::string_view kVoucherCompleted = "voucher.completed";
inline constexpr std::string_view kVoucherAnnulled = "voucher.annulled";
inline constexpr std::string_view kVoucherWithdrawn = "voucher.withdrawn";
inline constexpr std::string_view kVoucherExpired = "voucher.expired";
inline constexpr std::string_view kYearConfigured = "year.configured";
inline constexpr std::string_view kIssuerRegistered = "issuer.registered";
inline constexpr std::string_view kIssuerSuspended = "issuer.suspended";
inline constexpr std::string_view kIssuerReactivated = "issuer.reactivated";
inline constexpr std::string_view kKeyAdded = "key.added";
inline constexpr std::string_view kKeyRetired = "key.retired";
inline constexpr std::string_view kKeyRevoked = "key.revoked";
inline constexpr std::string_view kStatusListUpdated = "statuslist.updated";
// Used by tests and tools only.
inline constexpr std::string_view kTest = "test.entry";
}  // namespace event

// Whether `type` is one of the event types above.
bool IsKnownEventType(std::string_view type);

struct LedgerEvent {
  std::string type;    // one of event::k*
  std::string id;      // what the event is about (see SubjectIdFor)
  std::string issuer;  // the DID of the issuer or of the registry
  std::string digest;  // "sha256:<hex>" of the canonical signed credential or record
  int64_t time_ms = 0;
  // Further public fields; every key must be in the public-field list and
  // every value a string, number, boolean or an array of those.
  Json fields = Json::object();
};

// The ledger id under which a credential's events are logged:
// "sha256:<hex of SHA-256(credential id URL)>". A verifier holding the
// credential computes it; nobody can invert it into the credential's URL.
std::string SubjectIdFor(std::string_view credential_id);

// The entry bytes (RFC 8785). kInvalidArgument "ledger.bad-event" for an
// unknown type, an empty id, a malformed digest or time, or a field that is
// not on the public list ("ledger.field-not-public").
Result<std::string> EncodeEntry(const LedgerEvent& event);

// Parses entry bytes back (for receipts, exports and audits).
// kInvalidArgument "ledger.bad-entry".
Result<LedgerEvent> DecodeEntry(std::string_view bytes);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_ENTRY_H_
