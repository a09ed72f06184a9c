// Value types of the voucher programme (DESIGN.md "Rules of the voucher
// programme"): the year's configuration, an application and its eligibility
// failures, a voucher, the public counter and the notification outbox.
// Registry (registry/registry.h, section "Vouchers") takes and returns them.
// Plain values; thread-compatible.
#ifndef CERTLEDGER_REGISTRY_MODEL_VOUCHER_H_
#define CERTLEDGER_REGISTRY_MODEL_VOUCHER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/json.h"

namespace certledger::registry {

// Application states and voucher states. Do not rename: API and storage format.
//   application: "queued" | "voucher-issued" | "withdrawn" | "lapsed"
//   voucher:     "issued" | "enrolled" | "completed" | "annulled" | "expired" | "withdrawn"

// The operator's configuration of one programme year (docs/formats.md "Year
// configuration"). Parsed from JSON by ParseYearConfig (registry/eligibility.h).
struct YearConfigInput {
  int year = 0;
  int64_t quota = 0;
  std::string opens_at;                       // RFC 3339, when applications open
  std::vector<std::string> regions;           // participating region codes (regions.csv)
  std::vector<std::string> education_levels;  // accepted levels (kEducationLevels)
  int document_deadline_days = 30;            // days after issuance to hand in documents
  std::string time_zone = "Europe/Moscow";    // IANA name; the year's days and end
};

// What a citizen submits. Personal fields are sealed at rest and never logged.
struct ApplicationInput {
  std::string full_name;
  std::string birth_date;         // YYYY-MM-DD
  std::string sex;                // "male" | "female"
  std::string citizenship;        // ISO 3166-1 alpha-2, "RU"
  std::string education_level;    // one of kEducationLevels
  std::string region_code;        // regions.csv code, e.g. "77"
  std::string registration_type;  // "permanent" | "temporary"
  std::string email;
  std::string phone;
  std::string snils;      // "NNN-NNN-NNN CC", separators optional
  std::string issuer;     // provider slug of the chosen programme
  std::string programme;  // programme code in that provider's catalogue
};

// One failed eligibility rule. Codes are stable (API): see registry/eligibility.h.
struct EligibilityFailure {
  std::string code;   // e.g. "age.under-18"
  std::string field;  // the input field, e.g. "birth_date"
  std::string reason_ru, reason_en;
};

struct ApplicationView {
  std::string id;  // random pseudonymous id (also the ledger's application id)
  int year = 0;
  std::string state;  // queued | voucher-issued | withdrawn | lapsed
  int64_t arrival_seq = 0;
  std::optional<int64_t> queue_position;  // 1 = next to be served; only while queued
  std::string voucher_code;               // when a voucher was issued
  std::string issuer, programme;
  int64_t created_ms = 0;
  std::string reason;  // why withdrawn or lapsed
};

struct ApplyOutcome {
  std::vector<EligibilityFailure> failures;  // non-empty: nothing was stored
  std::optional<ApplicationView> application;
};

struct VoucherView {
  std::string code, url;
  std::string state;  // issued | enrolled | completed | annulled | expired | withdrawn
  std::string application_id, issuer, programme;
  std::string valid_until;  // RFC 3339 with the year's UTC offset, e.g. "...T23:59:59.999+03:00"
  std::string group, start_date;      // set by enrolment
  std::string reason;                 // annulment reason "code: text", or expiry/withdrawal
  std::string certificate;            // code of the completion certificate, once completed
  std::optional<int64_t> served_seq;  // queue arrival sequence this issuance served
  int64_t issued_ms = 0;
  int64_t deadline_ms = 0;   // documents due
  std::string valid_reason;  // excuse recorded by the operator for missing the deadline
  Json credential;           // the signed TrainingVoucherCredential
};

// The public counter of a year: no personal data.
struct YearCounter {
  int year = 0;
  int64_t quota = 0;
  int64_t issued = 0;        // vouchers issued in the year, whatever their later fate
  int64_t active = 0;        // vouchers holding a slot now (issued, enrolled, completed)
  int64_t queue_length = 0;  // applications waiting
  int64_t spaces_left = 0;   // quota - active, never negative
  bool open = false;         // applications accepted now
};

struct OutboxMessage {
  int64_t id = 0;
  std::string kind, application_id;
  std::string recipient;  // e-mail, opened from the sealed application
  std::string subject, body;
  int64_t created_ms = 0;
  std::optional<int64_t> sent_ms;
};

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_MODEL_VOUCHER_H_
