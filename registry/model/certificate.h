// Plain value types of the registry's domain that render/ may include
// (DESIGN.md: render -> registry types). No behaviour, no storage, no
// third-party types: just what a certificate, a voucher and their public page
// show. Thread-compatible value types.
#ifndef CERTLEDGER_REGISTRY_MODEL_CERTIFICATE_H_
#define CERTLEDGER_REGISTRY_MODEL_CERTIFICATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace certledger::registry::model {

// Bilingual text shown to people.
struct Text {
  std::string ru;
  std::string en;
};

struct IssuerView {
  std::string slug;
  std::string did;
  Text name;
  std::string inn;
  std::string licence_number;  // empty when none recorded
  std::string licence_date;    // YYYY-MM-DD
  std::string status;          // "active" | "suspended"
  std::optional<int64_t> suspended_at_ms;
};

// What the PDF prints and the public page shows about one certificate.
struct CertificateView {
  std::string code;           // "7KQ2-M9XH-4TPA-ZR3C-5"
  std::string url;            // "<base>/v/<code>", what the QR encodes
  std::string document_type;  // "qualification-upgrade" | "professional-retraining" | "certificate"
  Text document_title;  // "Удостоверение о повышении квалификации" / "Certificate of ..."
  IssuerView issuer;
  std::string learner_name;  // as printed
  std::string course_code;
  std::string course_title;
  std::string period_start;  // YYYY-MM-DD
  std::string period_end;    // YYYY-MM-DD
  int hours = 0;
  double credit_units = 0;  // hours / 36
  std::vector<std::string> outcomes;
  std::vector<std::string> competencies;
  int points = 0;
  int max_points = 0;
  int pass_mark = 0;
  Text grade;                          // e.g. {"отлично", "excellent"}; empty if none
  double identity_verified_share = 0;  // 0..1
  std::string identity_method;         // "online-proctoring", ...
  std::string issue_date;              // YYYY-MM-DD
  std::string signatory;               // name and role printed on the signature line
};

// The certificate's state as the public page shows it.
enum class CertificateState {
  kValid = 0,
  kRevoked = 1,
  kExpired = 2,
  kSuperseded = 3,
  kIssuerSuspended = 4,
  kUnknown = 5,
};

struct PublicPageView {
  CertificateState state = CertificateState::kUnknown;
  std::string code;                            // the code looked up, as normalized; shown
                                               // for kUnknown, where there is no certificate
  std::optional<CertificateView> certificate;  // absent for kUnknown
  std::string revocation_reason;               // shown for kRevoked
  std::optional<int64_t> revoked_at_ms;
  std::string superseded_by_url;  // for kSuperseded
  std::string supersedes_url;     // a reissue links back
  int64_t ledger_index = -1;
  std::string checkpoint_text;  // the checkpoint body it is proven in
  std::string json_url, pdf_url, ob3_url;
};

struct VoucherView {
  std::string code;
  std::string url;
  std::string holder_name;
  std::string programme_code;
  std::string programme_title;
  std::string provider_name;
  int year = 0;
  std::string valid_until;  // display form, e.g. "31.12.2026 23:59 (МСК)"
  std::string issued_on;    // YYYY-MM-DD
};

// The public page of a training voucher (`<base>/v/<voucher code>`): its status
// and programme only. The holder's name and every other personal field stay off
// it (the voucher PDF in the holder's hands prints the name; the provider checks
// identity at enrolment).
// Values index tables (render/html.cc banners, the public status JSON): append only.
enum class VoucherState {
  kIssued = 0,     // valid, not yet used for enrolment
  kEnrolled = 1,   // valid, the holder is enrolled on the programme
  kCompleted = 2,  // used: the completion certificate has been issued
  kAnnulled = 3,
  kExpired = 4,
  kWithdrawn = 5,  // given up by the holder
};

struct VoucherPageView {
  VoucherState state = VoucherState::kIssued;
  std::string code;
  std::string programme_code, programme_title;
  Text provider_name;
  int year = 0;
  std::string valid_until;      // RFC 3339 with the year's offset, e.g. "...T23:59:59.999+03:00"
  std::string issued_on;        // YYYY-MM-DD
  std::string start_date;       // YYYY-MM-DD, once enrolled
  std::string certificate_url;  // once completed
};

}  // namespace certledger::registry::model

#endif  // CERTLEDGER_REGISTRY_MODEL_CERTIFICATE_H_
