// The voucher programme: the Registry methods declared in registry/registry.h
// under "Vouchers" (DESIGN.md "Rules of the voucher programme").
//
// The live queue. Every eligible application gets the year's next arrival
// sequence number inside one write closure, which also reads the year's
// counters and either issues a voucher (a slot is free and nobody waits) or
// queues the application. Db runs write closures one at a time on its single
// writer connection (group commit), each seeing every earlier closure's
// effects, so the check and the allocation are atomic: the vouchers holding a
// slot never exceed the quota, and a freed slot (annulment, withdrawal before
// enrolment) goes to the smallest waiting arrival sequence in the same closure.
//
// The public trail (ledger entries, no personal data), enough to replay a
// year: "year.configured" {year, quota, opensAt, closesAt, timeZone};
// "application.queued" {application, year, queueSeq}; "voucher.issued"
// {application, year, queueSeq, servedSeq when promoted from the queue};
// "voucher.annulled" / "voucher.withdrawn" {application, year, reason,
// slotFreed}; "application.lapsed" {application, year, queueSeq, reason:
// "withdrawn" | "year-end"}; "voucher.enrolled", "voucher.completed",
// "voucher.expired" {application, year}. An auditor keeps the set of waiting
// sequences: an immediate issuance needs it empty and a free slot, a promotion
// must serve its minimum.
#include <algorithm>
#include <array>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <regex>

#include "crypto/data_integrity.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "crypto/secret_box.h"
#include "registry/eligibility.h"
#include "registry/ids.h"
#include "registry/internal/at_rest.h"
#include "registry/internal/canonical_template.h"
#include "registry/internal/db.h"
#include "registry/internal/outbox.h"
#include "registry/internal/status_lists.h"
#include "registry/internal/text.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"

namespace certledger::registry {
namespace {

using internal::Conn;
using internal::OpenString;
using internal::PrintableText;

constexpr int64_t kDayMs = 86'400'000;
// "expiring" notices go out this long before the year ends.
constexpr int64_t kExpiringNoticeMs = 14 * kDayMs;
// Overdue vouchers annulled per transaction by RunDeadlines.
constexpr int64_t kLateChunk = 200;

Status UnknownYear(int year) {
  return Status::NotFound("year.unknown", "the programme year " + std::to_string(year) +
                                              " is not configured; the operator sets it first");
}
Status UnknownVoucher() {
  return Status::NotFound("voucher.unknown",
                          "сертификат с таким номером не найден / no voucher with this code");
}
Status UnknownApplication() {
  return Status::NotFound("application.unknown", "no application with this id");
}
Status VoucherState(const std::string& msg) {
  return Status::FailedPrecondition("voucher.state", msg);
}

std::string YearSubject(int year) { return "urn:certledger:year:" + std::to_string(year); }

// --- rows -------------------------------------------------------------------

struct YearRow {
  int year = 0;
  int64_t quota = 0, opens_ms = 0, closes_ms = 0, next_seq = 1, holding = 0, issued = 0, queued = 0;
  std::optional<int64_t> closed_ms;
  std::string config_text;  // parsed on demand (LoadConfig): most closures need only counters
  // Shared, never modified: every application reads the configuration, and a
  // copy of its lists per read was a tenth of the writer's time in a rush.
  std::shared_ptr<const YearConfigInput> config_ptr;
  const YearConfigInput& config() const { return *config_ptr; }
};

// The stored configuration was validated when written: read it back without
// validating again (this runs inside the writer).
// The text rarely changes and every application reads it twice (the snapshot
// and the writer): each thread keeps the last one parsed.
Status LoadConfig(YearRow& y) {
  if (y.config_ptr) return Status::Ok();
  thread_local std::string cached_text;
  thread_local std::shared_ptr<const YearConfigInput> cached;
  if (cached && cached_text == y.config_text) {
    y.config_ptr = cached;
    return Status::Ok();
  }
  CERTLEDGER_ASSIGN_OR_RETURN(Json j, crypto::ParseJson(y.config_text));
  if (!j.is_object()) return Status::DataLoss("year.corrupt", "stored year configuration");
  auto c = std::make_shared<YearConfigInput>();
  c->year = j.value("year", 0);
  c->quota = j.value("quota", int64_t{0});
  c->opens_at = j.value("opensAt", std::string());
  c->regions = j.value("regions", std::vector<std::string>());
  c->education_levels = j.value("educationLevels", std::vector<std::string>());
  c->document_deadline_days = j.value("documentDeadlineDays", 30);
  c->time_zone = j.value("timeZone", std::string("Europe/Moscow"));
  y.config_ptr = c;
  cached_text = y.config_text;
  cached = std::move(c);
  return Status::Ok();
}

constexpr char kYearSelect[] =
    "SELECT year, quota, opens_ms, closes_ms, config, next_seq, holding, issued, queued, "
    "closed_ms FROM voucher_years ";

Result<YearRow> ReadYear(SQLite::Statement& q) {
  YearRow y;
  y.year = q.getColumn(0).getInt();
  y.quota = q.getColumn(1).getInt64();
  y.opens_ms = q.getColumn(2).getInt64();
  y.closes_ms = q.getColumn(3).getInt64();
  y.config_text = q.getColumn(4).getString();
  y.next_seq = q.getColumn(5).getInt64();
  y.holding = q.getColumn(6).getInt64();
  y.issued = q.getColumn(7).getInt64();
  y.queued = q.getColumn(8).getInt64();
  if (!q.getColumn(9).isNull()) y.closed_ms = q.getColumn(9).getInt64();
  return y;
}

Result<YearRow> LoadYear(Conn& c, int year) {
  auto& q = c.Prepare(std::string(kYearSelect) + "WHERE year = ?");
  q.bind(1, year);
  if (!q.executeStep()) return UnknownYear(year);
  return ReadYear(q);
}

void SaveCounters(Conn& c, const YearRow& y, int64_t now) {
  auto& u = c.Prepare(
      "UPDATE voucher_years SET next_seq = ?, holding = ?, issued = ?, queued = ?, closed_ms = ?, "
      "updated_ms = ? WHERE year = ?");
  u.bind(1, y.next_seq);
  u.bind(2, y.holding);
  u.bind(3, y.issued);
  u.bind(4, y.queued);
  if (y.closed_ms) {
    u.bind(5, *y.closed_ms);
  } else {
    u.bind(5);
  }
  u.bind(6, now);
  u.bind(7, y.year);
  u.exec();
}

// The year that takes applications at `now`, or why none does.
Result<YearRow> OpenYear(Conn& c, int64_t now) {
  {
    auto& open = c.Prepare(std::string(kYearSelect) +
                           "WHERE opens_ms <= ? AND ? < closes_ms AND closed_ms IS NULL LIMIT 1");
    open.bind(1, now);
    open.bind(2, now);
    if (open.executeStep()) {
      CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, ReadYear(open));
      open.reset();
      CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
      return y;
    }
  }
  auto& q = c.Prepare(std::string(kYearSelect) + "ORDER BY year");
  std::vector<YearRow> years;
  while (q.executeStep()) {
    CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, ReadYear(q));
    CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
    years.push_back(std::move(y));
  }
  q.reset();
  for (auto& y : years) {
    if (y.opens_ms <= now && now < y.closes_ms && !y.closed_ms) return std::move(y);
  }
  for (auto& y : years) {
    CERTLEDGER_ASSIGN_OR_RETURN(int64_t day, LocalDay(y.config().time_zone, now));
    int64_t cy;
    unsigned m, d;
    crypto::CivilFromDays(day, &cy, &m, &d);
    if (cy != y.year) continue;
    if (now < y.opens_ms) {
      return Status::FailedPrecondition("year.closed", "applications for " +
                                                           std::to_string(y.year) + " open at " +
                                                           y.config().opens_at + "; apply then");
    }
    return Status::FailedPrecondition(
        "year.closed",
        "the programme year " + std::to_string(y.year) + " has ended; apply next year");
  }
  return Status::NotFound("year.unknown",
                          "no programme year takes applications now; the operator has not "
                          "configured this year yet");
}

struct AppRow {
  std::string id;
  int year = 0;
  int64_t arrival_seq = 0;
  std::string state, issuer, programme, voucher_code, reason, personal;
  std::optional<int64_t> queued_position;
  int64_t created_ms = 0;
};

constexpr char kAppSelect[] =
    "SELECT id, year, arrival_seq, state, issuer, programme, voucher_code, reason, personal, "
    "queued_position, created_ms FROM applications ";

AppRow ReadApp(SQLite::Statement& q) {
  AppRow a;
  a.id = q.getColumn(0).getString();
  a.year = q.getColumn(1).getInt();
  a.arrival_seq = q.getColumn(2).getInt64();
  a.state = q.getColumn(3).getString();
  a.issuer = q.getColumn(4).getString();
  a.programme = q.getColumn(5).getString();
  if (!q.getColumn(6).isNull()) a.voucher_code = q.getColumn(6).getString();
  a.reason = q.getColumn(7).getString();
  a.personal = internal::Blob(q.getColumn(8));
  if (!q.getColumn(9).isNull()) a.queued_position = q.getColumn(9).getInt64();
  a.created_ms = q.getColumn(10).getInt64();
  return a;
}

Result<AppRow> LoadApp(Conn& c, const std::string& id) {
  auto& q = c.Prepare(std::string(kAppSelect) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return UnknownApplication();
  AppRow a = ReadApp(q);
  q.reset();
  return a;
}

int64_t QueuePosition(Conn& c, int year, int64_t seq) {
  auto& q = c.Prepare(
      "SELECT COUNT(*) FROM applications WHERE year = ? AND state = 'queued' AND arrival_seq <= ?");
  q.bind(1, year);
  q.bind(2, seq);
  q.executeStep();
  int64_t n = q.getColumn(0).getInt64();
  q.reset();
  return n;
}

ApplicationView ViewOf(Conn& c, const AppRow& a) {
  ApplicationView v;
  v.id = a.id;
  v.year = a.year;
  v.state = a.state;
  v.arrival_seq = a.arrival_seq;
  if (a.state == "queued") v.queue_position = QueuePosition(c, a.year, a.arrival_seq);
  v.voucher_code = a.voucher_code;
  v.issuer = a.issuer;
  v.programme = a.programme;
  v.created_ms = a.created_ms;
  v.reason = a.reason;
  return v;
}

void SetAppState(Conn& c, const std::string& id, const std::string& state,
                 const std::string& reason, const std::string& voucher_code, int64_t now) {
  auto& u = c.Prepare(
      "UPDATE applications SET state = ?, reason = ?, voucher_code = COALESCE(?, voucher_code), "
      "updated_ms = ? WHERE id = ?");
  u.bind(1, state);
  u.bind(2, reason);
  if (voucher_code.empty()) {
    u.bind(3);
  } else {
    u.bind(3, voucher_code);
  }
  u.bind(4, now);
  u.bind(5, id);
  u.exec();
}

struct VoucherRow {
  std::string code, application_id, state, issuer, programme, valid_until, valid_reason, grp,
      start_date, reason, certificate, sealed_credential;
  int year = 0;
  std::optional<int64_t> served_seq;
  int status_n = 0;
  int64_t status_idx = 0, valid_until_ms = 0, deadline_ms = 0, issued_ms = 0;
};

constexpr char kVoucherSelect[] =
    "SELECT code, application_id, state, issuer, programme, valid_until, valid_reason, grp, "
    "start_date, reason, certificate, credential, year, served_seq, status_n, status_idx, "
    "valid_until_ms, deadline_ms, issued_ms FROM vouchers ";

VoucherRow ReadVoucher(SQLite::Statement& q) {
  VoucherRow v;
  v.code = q.getColumn(0).getString();
  v.application_id = q.getColumn(1).getString();
  v.state = q.getColumn(2).getString();
  v.issuer = q.getColumn(3).getString();
  v.programme = q.getColumn(4).getString();
  v.valid_until = q.getColumn(5).getString();
  v.valid_reason = q.getColumn(6).getString();
  v.grp = q.getColumn(7).getString();
  v.start_date = q.getColumn(8).getString();
  v.reason = q.getColumn(9).getString();
  v.certificate = q.getColumn(10).getString();
  v.sealed_credential = internal::Blob(q.getColumn(11));
  v.year = q.getColumn(12).getInt();
  if (!q.getColumn(13).isNull()) v.served_seq = q.getColumn(13).getInt64();
  v.status_n = q.getColumn(14).getInt();
  v.status_idx = q.getColumn(15).getInt64();
  v.valid_until_ms = q.getColumn(16).getInt64();
  v.deadline_ms = q.getColumn(17).getInt64();
  v.issued_ms = q.getColumn(18).getInt64();
  return v;
}

Result<VoucherRow> LoadVoucher(Conn& c, const std::string& code) {
  auto& q = c.Prepare(std::string(kVoucherSelect) + "WHERE code = ?");
  q.bind(1, code);
  if (!q.executeStep()) return UnknownVoucher();
  VoucherRow v = ReadVoucher(q);
  q.reset();
  return v;
}

void SetVoucherState(Conn& c, const std::string& code, const std::string& state,
                     const std::string& reason, int64_t now) {
  auto& u = c.Prepare("UPDATE vouchers SET state = ?, reason = ?, updated_ms = ? WHERE code = ?");
  u.bind(1, state);
  u.bind(2, reason);
  u.bind(3, now);
  u.bind(4, code);
  u.exec();
}

// --- the transaction context --------------------------------------------------

}  // namespace

namespace internal {
// The template of the voucher credentials the operator (`key_id`, `name`)
// signs in one second for one year (valid until `valid_until`).
struct VoucherTemplates {
  std::string key_id, name, valid_until;
  int64_t second = 0;
  int year = 0;
  CanonicalTemplate credential;
  ProofTemplate proof;
};
}  // namespace internal

namespace {

// What the write closures need from the Registry, resolved before the write
// (the operator's key is decrypted outside the writer).
struct Tx {
  const std::string& base_url;
  Ledger& ledger;
  const crypto::SecretBytes& pii;
  const crypto::Signer* signer;  // the operator's active key
  std::string operator_did;
  int64_t now;
  // Where the newest voucher template is kept (Registry): null, every
  // voucher is built and signed as a JSON document.
  internal::VoucherTemplateKeeper* templates = nullptr;
};

struct OperatorRow {
  int64_t id = 0;
  std::string name;
};

Result<OperatorRow> LoadOperator(Conn& c) {
  auto& q = c.Prepare("SELECT id, name_ru FROM issuers WHERE slug = ?");
  q.bind(1, kOperatorSlug);
  if (!q.executeStep()) {
    return Status::FailedPrecondition("issuer.unknown", "the registry has no operator issuer");
  }
  OperatorRow o{q.getColumn(0).getInt64(), q.getColumn(1).getString()};
  q.reset();
  return o;
}

internal::StatusListOwner OwnerOf(const Tx& x, const OperatorRow& op) {
  return internal::StatusListOwner{op.id, x.base_url, kOperatorSlug, x.operator_did, x.signer};
}

Status AppendIn(Conn& c, const Tx& x, std::string_view type, const std::string& id,
                const std::string& digest, Json fields) {
  LedgerEvent e{std::string(type), id, x.operator_did, digest, x.now, std::move(fields)};
  return x.ledger.Append(c, e).status();
}

// A digest for events about a record with no credential: the canonical JSON
// of its public fields.
std::string RecordDigest(std::string_view type, const std::string& id, const Json& fields) {
  Json rec = fields;
  rec["type"] = std::string(type);
  rec["id"] = id;
  auto canon = crypto::Canonicalize(rec);
  return crypto::Sha256Tagged(canon.ok() ? *canon : rec.dump());
}

Result<std::string> HolderName(const Tx& x, const AppRow& a) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string personal,
                              OpenString(x.pii, a.personal, "application|" + a.id));
  CERTLEDGER_ASSIGN_OR_RETURN(Json j, crypto::ParseJson(personal));
  return j.value("full_name", std::string());
}

// A voucher's signed credential, made before its transaction when possible
// (signing is the costliest step; the writer only checks and stores).
struct SignedVoucher {
  std::string code, url, valid_until;
  internal::StatusSlot slot;
  std::string canon;   // the signed credential, canonical JSON
  std::string sealed;  // canon sealed under the PII key, AD "voucher|<code>"
  std::string digest;  // of canon, for the ledger entry
};

// The unsigned TrainingVoucherCredential (docs/formats.md): the one builder
// of the format, used as a JSON document and, with placeholders, as the
// template (VoucherTemplateFor).
Json BuildVoucher(const Tx& x, const std::string& operator_name, const std::string& url,
                  const std::string& valid_until, const std::string& holder_name,
                  const std::string& programme_url, const Json& year, const std::string& entry_id,
                  const std::string& status_idx, const std::string& list_url) {
  return Json{
      {"@context", {"https://www.w3.org/ns/credentials/v2", x.base_url + "/contexts/v1.json"}},
      {"id", url},
      {"type", {"VerifiableCredential", "TrainingVoucherCredential"}},
      {"issuer", {{"id", x.operator_did}, {"name", operator_name}}},
      {"validFrom", crypto::FormatRfc3339(x.now)},
      {"validUntil", valid_until},
      {"credentialSubject",
       {{"type", "TrainingVoucher"},
        {"holderName", holder_name},
        {"programme", programme_url},
        {"year", year}}},
      {"credentialStatus",
       {{"id", entry_id},
        {"type", "BitstringStatusListEntry"},
        {"statusPurpose", "revocation"},
        {"statusListIndex", status_idx},
        {"statusListCredential", list_url}}}};
}

// The holes of the voucher template: what differs between the vouchers of one
// second and year.
enum VoucherHole : int {
  kVoucherUrl = 0,
  kVoucherHolder,
  kVoucherProgramme,
  kVoucherEntryId,
  kVoucherStatusIdx,
  kVoucherListUrl,
  kVoucherHoles
};

// The template for the vouchers x.signer signs at x.now for `year`: the one
// kept in x.templates when made from the same key, operator name, second and
// year, else a new one (kept in its place).
Result<std::shared_ptr<const internal::VoucherTemplates>> VoucherTemplateFor(
    const Tx& x, const std::string& operator_name, int year, const std::string& valid_until) {
  const int64_t second = x.now / 1000;
  const std::string key_id = x.signer->KeyId();
  {
    std::lock_guard<std::mutex> lk(x.templates->mu);
    const auto& kept = x.templates->kept;
    if (kept && kept->second == second && kept->year == year && kept->key_id == key_id &&
        kept->name == operator_name && kept->valid_until == valid_until) {
      return kept;
    }
  }
  auto t = std::make_shared<internal::VoucherTemplates>();
  t->key_id = key_id;
  t->name = operator_name;
  t->valid_until = valid_until;
  t->second = second;
  t->year = year;
  const internal::CanonicalTemplate::Marker m;
  CERTLEDGER_ASSIGN_OR_RETURN(
      t->credential,
      internal::CanonicalTemplate::Create(
          BuildVoucher(x, operator_name, m.Hole(kVoucherUrl), valid_until, m.Hole(kVoucherHolder),
                       m.Hole(kVoucherProgramme), Json(year), m.Hole(kVoucherEntryId),
                       m.Hole(kVoucherStatusIdx), m.Hole(kVoucherListUrl)),
          m, kVoucherHoles));
  CERTLEDGER_ASSIGN_OR_RETURN(
      t->proof, internal::ProofTemplate::Create(t->credential.context(),
                                                crypto::FormatRfc3339(x.now), *x.signer));
  std::lock_guard<std::mutex> lk(x.templates->mu);
  x.templates->kept = t;
  return std::shared_ptr<const internal::VoucherTemplates>(std::move(t));
}

// Signs the TrainingVoucherCredential `code` for `holder_name` (programme
// `issuer`/`programme` of `year`, valid until `closes_ms` - 1 in `time_zone`)
// with status entry `slot`. No database access. From the kept template when
// x has one (the same bytes as the JSON document signed with AddProof:
// vouchers_test, "a voucher signed from the template is byte for byte...").
Result<SignedVoucher> SignVoucher(const Tx& x, const std::string& operator_name,
                                  const std::string& code, const internal::StatusSlot& slot,
                                  int year, int64_t closes_ms, const std::string& time_zone,
                                  const std::string& issuer, const std::string& programme,
                                  const std::string& holder_name) {
  SignedVoucher out;
  out.code = code;
  out.url = x.base_url + "/v/" + code;
  out.slot = slot;
  CERTLEDGER_ASSIGN_OR_RETURN(out.valid_until, FormatLocalRfc3339(time_zone, closes_ms - 1));
  const std::string programme_url = x.base_url + "/programmes/" + issuer + "/" + programme;
  const std::string status_idx = std::to_string(slot.idx);
  // A text that is not UTF-8 takes the JSON path, which reports it.
  std::array<std::string, kVoucherHoles> values;
  bool templated = x.templates != nullptr;
  if (templated) {
    for (auto& [hole, text] : std::initializer_list<std::pair<VoucherHole, const std::string*>>{
             {kVoucherUrl, &out.url},
             {kVoucherHolder, &holder_name},
             {kVoucherProgramme, &programme_url},
             {kVoucherListUrl, &slot.list_url}}) {
      auto content = internal::CanonicalContent(*text);
      if (!content.ok()) {
        templated = false;
        break;
      }
      values[hole] = std::move(content).value();
    }
  }
  if (templated) {
    values[kVoucherStatusIdx] = status_idx;
    values[kVoucherEntryId] = values[kVoucherListUrl] + "#" + status_idx;
    CERTLEDGER_ASSIGN_OR_RETURN(auto t,
                                VoucherTemplateFor(x, operator_name, year, out.valid_until));
    CERTLEDGER_ASSIGN_OR_RETURN(
        out.canon, internal::SignFromTemplate(t->credential, t->proof, values, *x.signer,
                                              internal::ProofShape::kObject));
  } else {
    Json cred = BuildVoucher(x, operator_name, out.url, out.valid_until, holder_name, programme_url,
                             Json(year), slot.EntryId(), status_idx, slot.list_url);
    crypto::ProofOptions po;
    po.created = crypto::FormatRfc3339(x.now);
    CERTLEDGER_ASSIGN_OR_RETURN(Json signed_cred, crypto::AddProof(cred, po, *x.signer));
    CERTLEDGER_ASSIGN_OR_RETURN(out.canon, crypto::Canonicalize(signed_cred));
  }
  CERTLEDGER_ASSIGN_OR_RETURN(out.sealed, crypto::SealBytes(x.pii, out.canon, "voucher|" + code));
  out.digest = crypto::Sha256Tagged(out.canon);
  return out;
}

// Stores voucher `v` of application `a` (state "queued" or just inserted):
// logs it, marks the application and notifies the holder. `served_seq` is
// set when the voucher goes to the head of the queue.
Status StoreVoucherTx(Conn& c, const Tx& x, YearRow& y, const AppRow& a, const SignedVoucher& v,
                      std::optional<int64_t> served_seq) {
  CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
  Json fields = {{"application", a.id},
                 {"year", y.year},
                 {"queueSeq", a.arrival_seq},
                 {"validUntil", v.valid_until},
                 {"statusList", v.slot.list_url}};
  if (served_seq) fields["servedSeq"] = *served_seq;
  CERTLEDGER_RETURN_IF_ERROR(
      AppendIn(c, x, event::kVoucherIssued, SubjectIdFor(v.url), v.digest, std::move(fields)));
  auto& ins = c.Prepare(
      "INSERT INTO vouchers(code, application_id, year, state, issuer, programme, served_seq, "
      "credential, status_n, status_idx, valid_until, valid_until_ms, deadline_ms, issued_ms, "
      "updated_ms) VALUES (?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, v.code);
  ins.bind(2, a.id);
  ins.bind(3, y.year);
  ins.bind(4, a.issuer);
  ins.bind(5, a.programme);
  if (served_seq) {
    ins.bind(6, *served_seq);
  } else {
    ins.bind(6);
  }
  ins.bind(7, v.sealed.data(), static_cast<int>(v.sealed.size()));
  ins.bind(8, v.slot.n);
  ins.bind(9, v.slot.idx);
  ins.bind(10, v.valid_until);
  ins.bind(11, y.closes_ms - 1);
  ins.bind(12, x.now + int64_t{y.config().document_deadline_days} * kDayMs);
  ins.bind(13, x.now);
  ins.bind(14, x.now);
  ins.exec();
  SetAppState(c, a.id, "voucher-issued", "", v.code, x.now);
  ++y.holding;
  ++y.issued;
  Json params = {{"code", v.code}, {"url", v.url}, {"valid_until", v.valid_until}};
  if (served_seq) {
    params["old_position"] = a.queued_position.value_or(1);
    return internal::EnqueueOutbox(c, x.pii, "promoted", a.id, params, x.now);
  }
  return internal::EnqueueOutbox(c, x.pii, "voucher-issued", a.id, params, x.now);
}

// Issues a voucher to application `a` (state "queued" or just inserted):
// allocates its status index, signs the credential and stores it.
Result<std::string> IssueVoucherTx(Conn& c, const Tx& x, YearRow& y, const AppRow& a,
                                   const std::string& holder_name,
                                   std::optional<int64_t> served_seq) {
  CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
  CERTLEDGER_ASSIGN_OR_RETURN(OperatorRow op, LoadOperator(c));
  CERTLEDGER_ASSIGN_OR_RETURN(internal::StatusSlot slot,
                              internal::AllocateStatusIndex(c, OwnerOf(x, op), x.now));
  CERTLEDGER_ASSIGN_OR_RETURN(
      SignedVoucher v, SignVoucher(x, op.name, NewRegistrationCode(), slot, y.year, y.closes_ms,
                                   y.config().time_zone, a.issuer, a.programme, holder_name));
  CERTLEDGER_RETURN_IF_ERROR(StoreVoucherTx(c, x, y, a, v, served_seq));
  return v.code;
}

// Serves the queue while slots are free: each freed slot goes to the smallest
// waiting arrival sequence. Returns how many were promoted.
Result<int64_t> PromoteTx(Conn& c, const Tx& x, YearRow& y) {
  int64_t promoted = 0;
  while (!y.closed_ms && x.now < y.closes_ms && y.holding < y.quota && y.queued > 0) {
    auto& q = c.Prepare(std::string(kAppSelect) +
                        "WHERE year = ? AND state = 'queued' ORDER BY arrival_seq LIMIT 1");
    q.bind(1, y.year);
    if (!q.executeStep()) {
      return Status::DataLoss("voucher.counters", "the queue counter disagrees with the queue");
    }
    AppRow head = ReadApp(q);
    q.reset();
    CERTLEDGER_ASSIGN_OR_RETURN(std::string name, HolderName(x, head));
    --y.queued;
    CERTLEDGER_RETURN_IF_ERROR(IssueVoucherTx(c, x, y, head, name, head.arrival_seq).status());
    ++promoted;
  }
  return promoted;
}

// Sets the voucher's status bit and logs the status list update.
Status RevokeStatusTx(Conn& c, const Tx& x, const VoucherRow& v) {
  CERTLEDGER_ASSIGN_OR_RETURN(OperatorRow op, LoadOperator(c));
  CERTLEDGER_ASSIGN_OR_RETURN(
      std::string signed_list,
      internal::SetStatusBit(c, OwnerOf(x, op), v.status_n, v.status_idx, x.now));
  const std::string list_url = internal::StatusListUrl(x.base_url, kOperatorSlug, v.status_n);
  return AppendIn(c, x, event::kStatusListUpdated, list_url, crypto::Sha256Tagged(signed_list),
                  Json{{"statusList", list_url}});
}

// Annuls (or, for the holder, withdraws) voucher `v`: status bit, state,
// ledger, notice; the slot is freed and the queue served.
Status EndVoucherTx(Conn& c, const Tx& x, const VoucherRow& v, bool withdrawal,
                    const std::string& reason_code, const std::string& reason_text) {
  CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, v.year));
  CERTLEDGER_RETURN_IF_ERROR(RevokeStatusTx(c, x, v));
  const std::string reason =
      reason_code + (reason_text.empty() ? std::string() : ": " + reason_text);
  SetVoucherState(c, v.code, withdrawal ? "withdrawn" : "annulled", reason, x.now);
  if (withdrawal) SetAppState(c, v.application_id, "withdrawn", reason_code, "", x.now);
  const bool frees = !y.closed_ms && x.now < y.closes_ms;
  if (frees) --y.holding;
  const std::string url = x.base_url + "/v/" + v.code;
  Json fields = {{"application", v.application_id},
                 {"year", v.year},
                 {"reason", reason_code},
                 {"slotFreed", frees}};
  CERTLEDGER_RETURN_IF_ERROR(AppendIn(
      c, x, withdrawal ? event::kVoucherWithdrawn : event::kVoucherAnnulled, SubjectIdFor(url),
      RecordDigest(withdrawal ? "voucher.withdrawn" : "voucher.annulled", SubjectIdFor(url),
                   fields),
      fields));
  if (withdrawal) {
    CERTLEDGER_RETURN_IF_ERROR(internal::EnqueueOutbox(c, x.pii, "withdrawn", v.application_id,
                                                       Json{{"code", v.code}}, x.now));
  } else {
    CERTLEDGER_RETURN_IF_ERROR(internal::EnqueueOutbox(
        c, x.pii, "annulled", v.application_id,
        Json{{"code", v.code}, {"reason", reason_text.empty() ? reason_code : reason_text}},
        x.now));
  }
  CERTLEDGER_RETURN_IF_ERROR(PromoteTx(c, x, y).status());
  SaveCounters(c, y, x.now);
  return Status::Ok();
}

Result<VoucherView> ToView(const std::string& base_url, const crypto::SecretBytes& pii,
                           const VoucherRow& r) {
  VoucherView v;
  v.code = r.code;
  v.url = base_url + "/v/" + r.code;
  v.state = r.state;
  v.application_id = r.application_id;
  v.issuer = r.issuer;
  v.programme = r.programme;
  v.valid_until = r.valid_until;
  v.group = r.grp;
  v.start_date = r.start_date;
  v.reason = r.reason;
  v.certificate = r.certificate;
  v.served_seq = r.served_seq;
  v.issued_ms = r.issued_ms;
  v.deadline_ms = r.deadline_ms;
  v.valid_reason = r.valid_reason;
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canon,
                              OpenString(pii, r.sealed_credential, "voucher|" + r.code));
  CERTLEDGER_ASSIGN_OR_RETURN(v.credential, crypto::ParseJson(canon));
  return v;
}

Result<std::string> VoucherCode(const std::string& base_url, const std::string& ref) {
  std::string s = ref;
  const std::string prefix = base_url + "/v/";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  auto code = NormalizeRegistrationCode(s);
  if (!code.ok()) return UnknownVoucher();
  return *code;
}

}  // namespace

crypto::SecretBytes Registry::VoucherKey(std::string_view purpose) const {
  if (auto it = subkeys_.find("v|" + std::string(purpose)); it != subkeys_.end()) {
    return it->second;
  }
  return internal::DeriveSubkey(master_key_, "certledger voucher subkey", purpose);
}

Status Registry::ConfigureYear(const YearConfigInput& in) {
  CERTLEDGER_RETURN_IF_ERROR(ValidateYearConfig(in));
  const int64_t now = clock_.NowMillis();
  CERTLEDGER_ASSIGN_OR_RETURN(int64_t opens_ms, crypto::ParseRfc3339(in.opens_at));
  CERTLEDGER_ASSIGN_OR_RETURN(
      int64_t closes_ms, StartOfLocalDay(in.time_zone, crypto::DaysFromCivil(in.year + 1, 1, 1)));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string closes_at,
                              FormatLocalRfc3339(in.time_zone, closes_ms - 1));
  const Json cfg = YearConfigToJson(in);
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canon, crypto::Canonicalize(cfg));
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, SignerFor(kOperatorSlug, true));
  const crypto::SecretBytes pii = VoucherKey("pii");
  Tx x{base_url_, *ledger_, pii, signer.get(), IssuerDid(kOperatorSlug), now, &voucher_templates_};
  Status st = db_->Write([&](Conn& c) -> Status {
    auto existing = LoadYear(c, in.year);
    if (existing.ok()) {
      if (existing->closed_ms || now >= existing->closes_ms) {
        return Status::FailedPrecondition(
            "year.closed",
            "the programme year " + std::to_string(in.year) + " has ended and cannot change");
      }
      CERTLEDGER_RETURN_IF_ERROR(LoadConfig(*existing));
      if (existing->next_seq > 1 && in.time_zone != existing->config().time_zone) {
        return Status::InvalidArgument("year.invalid",
                                       "the time zone cannot change once applications arrived: "
                                       "issued vouchers end the year in the old one")
            .WithField("timeZone");
      }
      if (in.quota < existing->holding) {
        return Status::InvalidArgument("year.invalid", "the quota cannot go below the " +
                                                           std::to_string(existing->holding) +
                                                           " vouchers already holding a slot")
            .WithField("quota");
      }
      auto& u = c.Prepare(
          "UPDATE voucher_years SET quota = ?, opens_ms = ?, closes_ms = ?, config = ?, "
          "updated_ms = ? WHERE year = ?");
      u.bind(1, in.quota);
      u.bind(2, opens_ms);
      u.bind(3, closes_ms);
      u.bind(4, canon);
      u.bind(5, now);
      u.bind(6, in.year);
      u.exec();
    } else if (existing.status().IsNotFound()) {
      auto& ins = c.Prepare(
          "INSERT INTO voucher_years(year, quota, opens_ms, closes_ms, config, updated_ms) VALUES "
          "(?, ?, ?, ?, ?, ?)");
      ins.bind(1, in.year);
      ins.bind(2, in.quota);
      ins.bind(3, opens_ms);
      ins.bind(4, closes_ms);
      ins.bind(5, canon);
      ins.bind(6, now);
      ins.exec();
    } else {
      return existing.status();
    }
    Json fields = {{"year", in.year},
                   {"quota", in.quota},
                   {"opensAt", in.opens_at},
                   {"closesAt", closes_at},
                   {"timeZone", in.time_zone}};
    CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kYearConfigured, YearSubject(in.year),
                                        crypto::Sha256Tagged(canon), std::move(fields)));
    // A larger quota serves the queue at once.
    CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, in.year));
    CERTLEDGER_RETURN_IF_ERROR(PromoteTx(c, x, y).status());
    SaveCounters(c, y, now);
    return Status::Ok();
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Result<YearConfigInput> Registry::GetYearConfig(int year) {
  YearConfigInput out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, year));
    CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
    out = y.config();
    return Status::Ok();
  }));
  return out;
}

Result<ApplyOutcome> Registry::Apply(const ApplicationInput& in, const std::string& request_key,
                                     bool send_login_code) {
  if (request_key.size() > 200) {
    return Status::InvalidArgument("application.invalid", "the idempotency key is too long")
        .WithField("request_key");
  }
  const int64_t now = clock_.NowMillis();
  // 1. A retry with the same key gets the first answer.
  std::optional<std::string> existing_id;
  std::optional<YearRow> year;
  Status found_year, programme_ok;
  // When a voucher may be issued now (a hint): the operator and its newest
  // status list, to sign the voucher before the write transaction.
  std::optional<OperatorRow> op;
  internal::NewestList list;
  int64_t list_idx = 0;  // free in the snapshot (DrawFreeIndex)
  std::optional<SealedKey> op_key;
  // One read for the key, the year and the programme (a Read beyond the
  // pooled connections opens a new one, which costs more than the queries).
  // A hint: the write closure checks the key, the year and the counters again.
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    if (!request_key.empty()) {
      auto& k = c.Prepare("SELECT id FROM applications WHERE request_key = ?");
      k.bind(1, request_key);
      if (k.executeStep()) {
        existing_id = k.getColumn(0).getString();
        return Status::Ok();
      }
    }
    auto y = OpenYear(c, now);
    if (!y.ok()) {
      found_year = y.status();
      return Status::Ok();
    }
    year = std::move(*y);
    if (year->holding < year->quota && year->queued == 0) {
      auto o = LoadOperator(c);
      if (o.ok()) {
        op = std::move(*o);
        list = internal::ReadNewestList(c, op->id);
        if (list.n > 0 && list.allocated < list.size / 2) {
          list_idx = internal::DrawFreeIndex(c, op->id, list);
        }
        op_key = ActiveKeyIn(c, op->id);
      }
    }
    // The programme must be in the catalogue of an active provider.
    auto& q = c.Prepare(
        "SELECT i.status, p.id FROM issuers i LEFT JOIN programmes p ON p.issuer_id = i.id AND "
        "p.code = ? WHERE i.slug = ?");
    q.bind(1, in.programme);
    q.bind(2, in.issuer);
    if (!q.executeStep()) {
      programme_ok =
          Status::NotFound("issuer.unknown", "no provider \"" + in.issuer + "\" is registered")
              .WithField("issuer");
    } else if (q.getColumn(1).isNull()) {
      programme_ok = Status::NotFound("programme.unknown", "the provider has no programme \"" +
                                                               in.programme + "\" in the catalogue")
                         .WithField("programme");
    } else if (q.getColumn(0).getString() != "active") {
      programme_ok = Status::FailedPrecondition(
                         "issuer.suspended", "the provider is suspended; choose another programme")
                         .WithField("issuer");
    }
    return Status::Ok();
  }));
  if (existing_id) return Replay(*existing_id, send_login_code);
  // 2. Shape, then the year, then eligibility: nothing is stored on failure.
  CERTLEDGER_RETURN_IF_ERROR(ValidateApplicationInput(in));
  CERTLEDGER_RETURN_IF_ERROR(found_year);
  EligibilityContext ctx;
  CERTLEDGER_ASSIGN_OR_RETURN(ctx.application_day, LocalDay(year->config().time_zone, now));
  ctx.regions = year->config().regions;
  ctx.education_levels = year->config().education_levels;
  std::vector<EligibilityFailure> failures = CheckEligibility(in, ctx);
  if (!failures.empty()) return ApplyOutcome{std::move(failures), std::nullopt};
  // 3. The programme chosen.
  CERTLEDGER_RETURN_IF_ERROR(programme_ok);
  // 4. Seal the personal data under the application's random id.
  CERTLEDGER_ASSIGN_OR_RETURN(std::string snils, ValidateSnils(in.snils));
  const crypto::SecretBytes pii = VoucherKey("pii");
  const std::string snils_hash = crypto::KeyedHash(VoucherKey("snils"), "snils|" + snils);
  const std::string id = crypto::HexEncode(crypto::RandomBytes(16));
  const LoginCode login = send_login_code ? NewLoginCode(id) : LoginCode{};
  Json personal = {{"full_name", in.full_name},
                   {"birth_date", in.birth_date},
                   {"sex", in.sex},
                   {"citizenship", in.citizenship},
                   {"education_level", in.education_level},
                   {"region_code", in.region_code},
                   {"registration_type", in.registration_type},
                   {"phone", in.phone},
                   {"snils", snils}};
  CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed,
                              crypto::SealBytes(pii, personal.dump(), "application|" + id));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string sealed_email,
                              crypto::SealBytes(pii, in.email, "email|" + id));
  // The operator's key is needed only when a voucher may be issued now; the
  // snapshot is a hint, and the closure asks for the key when it was wrong.
  std::shared_ptr<const crypto::Signer> signer;
  if (year->holding < year->quota && year->queued == 0) {
    if (op_key) {
      CERTLEDGER_ASSIGN_OR_RETURN(signer, CachedSigner(kOperatorSlug, op_key->n, op_key->sealed));
    } else {
      CERTLEDGER_ASSIGN_OR_RETURN(signer, SignerFor(kOperatorSlug, true));
    }
  }
  Tx x{base_url_, *ledger_, pii, signer.get(), IssuerDid(kOperatorSlug), now, &voucher_templates_};
  const int the_year = year->year;
  // Sign the voucher now, with a random index of the operator's newest status
  // list; the closure claims the index and stores the voucher, or (the index
  // was taken, the list filled up, the year or the operator changed) signs
  // another one itself.
  std::optional<SignedVoucher> presigned;
  if (signer && op && list.n > 0 && list.allocated < list.size / 2) {
    internal::StatusSlot slot{list.n, list_idx,
                              internal::StatusListUrl(base_url_, kOperatorSlug, list.n)};
    auto v = SignVoucher(x, op->name, NewRegistrationCode(), slot, year->year, year->closes_ms,
                         year->config().time_zone, in.issuer, in.programme, in.full_name);
    if (v.ok()) presigned = std::move(*v);
  }
  ApplicationView view;
  // Rerunnable (Db::WriteRerunnable): reads everything it decides on, and
  // sets what it reports afresh.
  auto write = [&](Conn& c) -> Status {
    existing_id.reset();
    view = ApplicationView{};
    if (!request_key.empty()) {
      auto& k = c.Prepare("SELECT id FROM applications WHERE request_key = ?");
      k.bind(1, request_key);
      if (k.executeStep()) {
        existing_id = k.getColumn(0).getString();
        return Status::Ok();
      }
    }
    CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, the_year));
    if (y.closed_ms || now >= y.closes_ms || now < y.opens_ms) {
      return Status::FailedPrecondition(
          "year.closed",
          "the programme year " + std::to_string(y.year) + " does not take applications now");
    }
    auto& dup = c.Prepare("SELECT 1 FROM applications WHERE year = ? AND snils_hash = ?");
    dup.bind(1, y.year);
    dup.bind(2, snils_hash.data(), static_cast<int>(snils_hash.size()));
    if (dup.executeStep()) {
      return Status::AlreadyExists(
                 "application.duplicate",
                 "this person has already applied in " + std::to_string(y.year) +
                     " (one voucher per person per calendar year); sign in to see that "
                     "application")
          .WithField("snils");
    }
    dup.reset();
    AppRow a;
    a.id = id;
    a.year = y.year;
    a.arrival_seq = y.next_seq++;
    a.issuer = in.issuer;
    a.programme = in.programme;
    a.created_ms = now;
    const bool immediate = y.holding < y.quota && y.queued == 0;
    if (immediate && x.signer == nullptr) {
      return Status::Unavailable("voucher.need-signer", "retry with the operator's key");
    }
    if (!immediate) a.queued_position = y.queued + 1;
    auto& ins = c.Prepare(
        "INSERT INTO applications(id, year, arrival_seq, snils_hash, state, issuer, programme, "
        "personal, email, queued_position, request_key, created_ms, updated_ms) VALUES (?, ?, ?, "
        "?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, id);
    ins.bind(2, y.year);
    ins.bind(3, a.arrival_seq);
    ins.bind(4, snils_hash.data(), static_cast<int>(snils_hash.size()));
    ins.bind(5, in.issuer);
    ins.bind(6, in.programme);
    ins.bind(7, sealed.data(), static_cast<int>(sealed.size()));
    ins.bind(8, sealed_email.data(), static_cast<int>(sealed_email.size()));
    if (a.queued_position) {
      ins.bind(9, *a.queued_position);
    } else {
      ins.bind(9);
    }
    if (request_key.empty()) {
      ins.bind(10);
    } else {
      ins.bind(10, request_key);
    }
    ins.bind(11, now);
    ins.bind(12, now);
    ins.exec();
    view.id = id;
    view.year = y.year;
    view.arrival_seq = a.arrival_seq;
    view.issuer = in.issuer;
    view.programme = in.programme;
    view.created_ms = now;
    if (immediate) {
      bool stored = false;
      if (presigned) {
        CERTLEDGER_RETURN_IF_ERROR(LoadConfig(y));
        CERTLEDGER_ASSIGN_OR_RETURN(OperatorRow now_op, LoadOperator(c));
        if (now_op.id == op->id && now_op.name == op->name && y.closes_ms == year->closes_ms &&
            y.config().time_zone == year->config().time_zone &&
            internal::ClaimStatusIndex(c, op->id, presigned->slot)) {
          CERTLEDGER_RETURN_IF_ERROR(StoreVoucherTx(c, x, y, a, *presigned, std::nullopt));
          view.voucher_code = presigned->code;
          stored = true;
        }
      }
      if (!stored) {
        CERTLEDGER_ASSIGN_OR_RETURN(view.voucher_code,
                                    IssueVoucherTx(c, x, y, a, in.full_name, std::nullopt));
      }
      view.state = "voucher-issued";
    } else {
      ++y.queued;
      Json fields = {{"application", id}, {"year", y.year}, {"queueSeq", a.arrival_seq}};
      CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kApplicationQueued, id,
                                          RecordDigest(event::kApplicationQueued, id, fields),
                                          std::move(fields)));
      CERTLEDGER_RETURN_IF_ERROR(internal::EnqueueOutbox(
          c, x.pii, "queued", id, Json{{"position", *a.queued_position}}, now));
      view.state = "queued";
      view.queue_position = *a.queued_position;
    }
    SaveCounters(c, y, now);
    if (send_login_code) CERTLEDGER_RETURN_IF_ERROR(StoreLoginCodeIn(c, id, login, now));
    return Status::Ok();
  };
  Status st = db_->WriteRerunnable(write);
  if (st.slug() == "voucher.need-signer") {
    CERTLEDGER_ASSIGN_OR_RETURN(signer, SignerFor(kOperatorSlug, true));
    x.signer = signer.get();
    st = db_->WriteRerunnable(write);
  }
  CERTLEDGER_RETURN_IF_ERROR(st);
  ledger_->Notify();
  if (existing_id) return Replay(*existing_id, send_login_code);
  return ApplyOutcome{{}, std::move(view)};
}

Result<ApplyOutcome> Registry::Replay(const std::string& application_id, bool send_login_code) {
  if (send_login_code) {
    // A retry of the request gets a new code, as the first answer did; the
    // answer does not depend on it being stored.
    Status sent = SendLoginCode(application_id);
    if (!sent.ok()) std::fprintf(stderr, "certledger: login code: %s\n", sent.slug().c_str());
  }
  CERTLEDGER_ASSIGN_OR_RETURN(ApplicationView v, GetApplication(application_id));
  return ApplyOutcome{{}, std::move(v)};
}

Result<ApplicationView> Registry::GetApplication(const std::string& id) {
  ApplicationView v;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(AppRow a, LoadApp(c, id));
    v = ViewOf(c, a);
    return Status::Ok();
  }));
  return v;
}

Status Registry::Withdraw(const std::string& application_id) {
  const int64_t now = clock_.NowMillis();
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, SignerFor(kOperatorSlug, true));
  const crypto::SecretBytes pii = VoucherKey("pii");
  Tx x{base_url_, *ledger_, pii, signer.get(), IssuerDid(kOperatorSlug), now, &voucher_templates_};
  Status st = db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(AppRow a, LoadApp(c, application_id));
    if (a.state == "queued") {
      CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, a.year));
      SetAppState(c, a.id, "withdrawn", "withdrawn", "", now);
      --y.queued;
      Json fields = {{"application", a.id},
                     {"year", a.year},
                     {"queueSeq", a.arrival_seq},
                     {"reason", "withdrawn"}};
      CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kApplicationLapsed, a.id,
                                          RecordDigest(event::kApplicationLapsed, a.id, fields),
                                          std::move(fields)));
      CERTLEDGER_RETURN_IF_ERROR(
          internal::EnqueueOutbox(c, x.pii, "withdrawn", a.id, Json::object(), now));
      SaveCounters(c, y, now);
      return Status::Ok();
    }
    if (a.state == "voucher-issued") {
      CERTLEDGER_ASSIGN_OR_RETURN(VoucherRow v, LoadVoucher(c, a.voucher_code));
      if (v.state != "issued" || now > v.valid_until_ms) {
        return Status::FailedPrecondition(
            "application.state",
            "the voucher is " + (now > v.valid_until_ms ? std::string("expired") : v.state) +
                "; only a voucher not yet used for enrolment can be withdrawn");
      }
      return EndVoucherTx(c, x, v, /*withdrawal=*/true, "withdrawn", "");
    }
    return Status::FailedPrecondition("application.state", "the application is already " + a.state);
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Status Registry::Enrol(const std::string& issuer_slug, const std::string& voucher_code,
                       const std::string& group, const std::string& start_date) {
  if (!PrintableText(group, 100)) {
    return Status::InvalidArgument("voucher.invalid", "the group is required (up to 100 bytes)")
        .WithField("group");
  }
  auto start = crypto::ParseDate(start_date);
  if (!start.ok()) {
    return Status::InvalidArgument("voucher.invalid", "the start date must be YYYY-MM-DD")
        .WithField("start_date");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, VoucherCode(base_url_, voucher_code));
  const int64_t now = clock_.NowMillis();
  const crypto::SecretBytes pii = VoucherKey("pii");
  Tx x{base_url_, *ledger_, pii, nullptr, IssuerDid(kOperatorSlug), now};
  Status st = db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(VoucherRow v, LoadVoucher(c, code));
    if (v.issuer != issuer_slug) {
      return Status::PermissionDenied("voucher.wrong-issuer",
                                      "this voucher is for a programme of another provider");
    }
    if (v.state != "issued") {
      return VoucherState("only an issued voucher can be enrolled (it is " + v.state + ")");
    }
    if (now > v.valid_until_ms) return VoucherState("the voucher has expired");
    if (now >= v.deadline_ms && v.valid_reason.empty()) {
      return VoucherState(
          "the document deadline has passed without a valid reason recorded by the operator");
    }
    auto& u = c.Prepare(
        "UPDATE vouchers SET state = 'enrolled', grp = ?, start_date = ?, updated_ms = ? WHERE "
        "code = ?");
    u.bind(1, group);
    u.bind(2, start_date);
    u.bind(3, now);
    u.bind(4, code);
    u.exec();
    const std::string subject = SubjectIdFor(base_url_ + "/v/" + code);
    Json fields = {{"application", v.application_id}, {"year", v.year}};
    CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kVoucherEnrolled, subject,
                                        RecordDigest(event::kVoucherEnrolled, subject, fields),
                                        std::move(fields)));
    return internal::EnqueueOutbox(
        c, x.pii, "enrolled", v.application_id,
        Json{{"code", code}, {"group", group}, {"start_date", start_date}}, now);
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Status Registry::Annul(const std::string& voucher_code, const std::string& reason_code,
                       const std::string& reason_text) {
  static const std::regex reason_re("^[a-z0-9][a-z0-9-]{1,39}$");
  if (!std::regex_match(reason_code, reason_re)) {
    return Status::InvalidArgument("voucher.invalid",
                                   "the reason code must be 2-40 characters a-z, 0-9, '-'")
        .WithField("reason");
  }
  if (!reason_text.empty() && !PrintableText(reason_text, 1000)) {
    return Status::InvalidArgument("voucher.invalid",
                                   "the reason text is too long or has control characters")
        .WithField("reason_text");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, VoucherCode(base_url_, voucher_code));
  const int64_t now = clock_.NowMillis();
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, SignerFor(kOperatorSlug, true));
  const crypto::SecretBytes pii = VoucherKey("pii");
  Tx x{base_url_, *ledger_, pii, signer.get(), IssuerDid(kOperatorSlug), now, &voucher_templates_};
  Status st = db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(VoucherRow v, LoadVoucher(c, code));
    if (v.state != "issued" && v.state != "enrolled") {
      return VoucherState("only an issued or enrolled voucher can be annulled (it is " + v.state +
                          ")");
    }
    if (now > v.valid_until_ms) return VoucherState("the voucher has expired with its year");
    return EndVoucherTx(c, x, v, /*withdrawal=*/false, reason_code, reason_text);
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Status Registry::RecordValidReason(const std::string& voucher_code, const std::string& text) {
  if (!PrintableText(text, 1000)) {
    return Status::InvalidArgument("voucher.invalid",
                                   "describe the valid reason (up to 1000 bytes)")
        .WithField("text");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, VoucherCode(base_url_, voucher_code));
  const int64_t now = clock_.NowMillis();
  return db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(VoucherRow v, LoadVoucher(c, code));
    if (v.state != "issued" && v.state != "enrolled") {
      return VoucherState("a valid reason is recorded only for an issued or enrolled voucher");
    }
    auto& u = c.Prepare("UPDATE vouchers SET valid_reason = ?, updated_ms = ? WHERE code = ?");
    u.bind(1, text);
    u.bind(2, now);
    u.bind(3, code);
    u.exec();
    return Status::Ok();
  });
}

Result<int64_t> Registry::RunDeadlines() {
  const int64_t now = clock_.NowMillis();
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, SignerFor(kOperatorSlug, true));
  const crypto::SecretBytes pii = VoucherKey("pii");
  Tx x{base_url_, *ledger_, pii, signer.get(), IssuerDid(kOperatorSlug), now, &voucher_templates_};
  std::vector<int> years;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare("SELECT year FROM voucher_years WHERE closed_ms IS NULL ORDER BY year");
    while (q.executeStep()) years.push_back(q.getColumn(0).getInt());
    return Status::Ok();
  }));
  int64_t changed = 0;
  for (int year : years) {
    int64_t n = 0;
    bool more = false;
    auto run = [&](Conn& c) -> Status {
      n = 0;
      more = false;
      CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, year));
      if (y.closed_ms) return Status::Ok();
      if (now >= y.closes_ms) {
        // Year end: unused vouchers expire, the queue lapses; nothing is
        // promoted. In chunks, so one transaction (and the ledger's backlog)
        // stays bounded; the year is marked closed with the last chunk. A
        // crash between chunks leaves some done: the next run continues.
        constexpr int64_t kChunk = 1000;
        std::vector<VoucherRow> live;
        {
          auto& q = c.Prepare(std::string(kVoucherSelect) +
                              "WHERE year = ? AND state IN ('issued', 'enrolled') ORDER BY code "
                              "LIMIT ?");
          q.bind(1, year);
          q.bind(2, kChunk);
          while (q.executeStep()) live.push_back(ReadVoucher(q));
        }
        for (const auto& v : live) {
          SetVoucherState(c, v.code, "expired", "year-end", now);
          const std::string subject = SubjectIdFor(base_url_ + "/v/" + v.code);
          Json fields = {{"application", v.application_id}, {"year", year}};
          CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kVoucherExpired, subject,
                                              RecordDigest(event::kVoucherExpired, subject, fields),
                                              std::move(fields)));
          CERTLEDGER_RETURN_IF_ERROR(internal::EnqueueOutbox(c, x.pii, "expired", v.application_id,
                                                             Json{{"code", v.code}}, now));
          ++n;
        }
        std::vector<AppRow> waiting;
        if (static_cast<int64_t>(live.size()) < kChunk) {
          auto& q = c.Prepare(std::string(kAppSelect) +
                              "WHERE year = ? AND state = 'queued' ORDER BY arrival_seq LIMIT ?");
          q.bind(1, year);
          q.bind(2, kChunk - static_cast<int64_t>(live.size()));
          while (q.executeStep()) waiting.push_back(ReadApp(q));
        }
        for (const auto& a : waiting) {
          SetAppState(c, a.id, "lapsed", "year-end", "", now);
          Json fields = {{"application", a.id},
                         {"year", year},
                         {"queueSeq", a.arrival_seq},
                         {"reason", "year-end"}};
          CERTLEDGER_RETURN_IF_ERROR(AppendIn(c, x, event::kApplicationLapsed, a.id,
                                              RecordDigest(event::kApplicationLapsed, a.id, fields),
                                              std::move(fields)));
          CERTLEDGER_RETURN_IF_ERROR(
              internal::EnqueueOutbox(c, x.pii, "lapsed", a.id, Json::object(), now));
          ++n;
        }
        y.queued -= static_cast<int64_t>(waiting.size());
        more = static_cast<int64_t>(live.size() + waiting.size()) == kChunk;
        if (!more) y.closed_ms = now;
        SaveCounters(c, y, now);
        return Status::Ok();
      }
      // Documents overdue without a valid reason: annulled, slot freed.
      std::vector<VoucherRow> late;
      {
        auto& q = c.Prepare(std::string(kVoucherSelect) +
                            "WHERE year = ? AND state = 'issued' AND deadline_ms <= ? AND "
                            "valid_reason = '' ORDER BY issued_ms, code LIMIT ?");
        q.bind(1, year);
        q.bind(2, now);
        q.bind(3, kLateChunk);
        while (q.executeStep()) late.push_back(ReadVoucher(q));
      }
      for (const auto& v : late) {
        CERTLEDGER_RETURN_IF_ERROR(EndVoucherTx(c, x, v, false, "documents-late", ""));
        ++n;
      }
      // Each annulment re-signs the status list and may sign a promoted
      // voucher: a bounded number per transaction keeps the writer responsive.
      more = static_cast<int64_t>(late.size()) == kLateChunk;
      // Expiring soon: one notice per voucher.
      if (now >= y.closes_ms - kExpiringNoticeMs) {
        std::vector<std::pair<std::string, std::string>> soon;  // code, application
        std::string until;
        {
          auto& q = c.Prepare(
              "SELECT code, application_id, valid_until FROM vouchers WHERE year = ? AND state "
              "IN ('issued', 'enrolled') AND expiring_notified = 0");
          q.bind(1, year);
          while (q.executeStep()) {
            soon.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
            until = q.getColumn(2).getString();
          }
        }
        for (const auto& [code, app] : soon) {
          CERTLEDGER_RETURN_IF_ERROR(internal::EnqueueOutbox(
              c, x.pii, "expiring", app, Json{{"code", code}, {"valid_until", until}}, now));
          auto& u = c.Prepare("UPDATE vouchers SET expiring_notified = 1 WHERE code = ?");
          u.bind(1, code);
          u.exec();
          ++n;
        }
      }
      return Status::Ok();
    };
    do {
      CERTLEDGER_RETURN_IF_ERROR(db_->Write(run));
      changed += n;
    } while (more);
  }
  if (changed > 0) ledger_->Notify();
  return changed;
}

Result<YearCounter> Registry::Counter(int year) {
  const int64_t now = clock_.NowMillis();
  YearCounter out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(YearRow y, LoadYear(c, year));
    out.year = y.year;
    out.quota = y.quota;
    out.issued = y.issued;
    out.active = y.holding;
    out.queue_length = y.queued;
    out.spaces_left = std::max<int64_t>(0, y.quota - y.holding);
    out.open = !y.closed_ms && y.opens_ms <= now && now < y.closes_ms;
    return Status::Ok();
  }));
  return out;
}

Result<VoucherView> Registry::GetVoucher(const std::string& typed_code) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, VoucherCode(base_url_, typed_code));
  VoucherRow r;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(r, LoadVoucher(c, code));
    return Status::Ok();
  }));
  return ToView(base_url_, VoucherKey("pii"), r);
}

Result<std::vector<VoucherView>> Registry::VouchersOfIssuer(const std::string& slug) {
  std::vector<VoucherRow> rows;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q =
        c.Prepare(std::string(kVoucherSelect) + "WHERE issuer = ? ORDER BY issued_ms DESC, code");
    q.bind(1, slug);
    while (q.executeStep()) rows.push_back(ReadVoucher(q));
    return Status::Ok();
  }));
  const crypto::SecretBytes pii = VoucherKey("pii");
  std::vector<VoucherView> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    CERTLEDGER_ASSIGN_OR_RETURN(VoucherView v, ToView(base_url_, pii, r));
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

Result<std::vector<OutboxMessage>> ReadOutbox(internal::Db& db, const crypto::SecretBytes& pii,
                                              const std::string& where, int64_t after_id,
                                              int limit) {
  if (limit < 1 || limit > 1000) {
    return Status::InvalidArgument("outbox.limit", "the limit must be 1..1000");
  }
  std::vector<OutboxMessage> out;
  std::vector<std::string> sealed, sealed_message;
  CERTLEDGER_RETURN_IF_ERROR(db.Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT o.id, o.kind, o.application_id, o.sealed, o.created_ms, o.sent_ms, "
        "a.email FROM outbox o LEFT JOIN applications a ON a.id = o.application_id WHERE " +
        where + " ORDER BY o.id LIMIT ?");
    q.bind(1, after_id);
    q.bind(2, limit);
    while (q.executeStep()) {
      OutboxMessage m;
      m.id = q.getColumn(0).getInt64();
      m.kind = q.getColumn(1).getString();
      m.application_id = q.getColumn(2).getString();
      sealed_message.push_back(internal::Blob(q.getColumn(3)));
      m.created_ms = q.getColumn(4).getInt64();
      if (!q.getColumn(5).isNull()) m.sent_ms = q.getColumn(5).getInt64();
      sealed.push_back(q.getColumn(6).isNull() ? std::string() : internal::Blob(q.getColumn(6)));
      out.push_back(std::move(m));
    }
    return Status::Ok();
  }));
  for (size_t i = 0; i < out.size(); ++i) {
    CERTLEDGER_ASSIGN_OR_RETURN(internal::RenderedMessage text,
                                internal::OpenOutboxMessage(pii, sealed_message[i], out[i].id,
                                                            out[i].application_id, out[i].kind));
    out[i].subject = std::move(text.subject);
    out[i].body = std::move(text.body);
    if (sealed[i].empty()) continue;
    CERTLEDGER_ASSIGN_OR_RETURN(out[i].recipient,
                                OpenString(pii, sealed[i], "email|" + out[i].application_id));
  }
  return out;
}

}  // namespace

Result<std::vector<OutboxMessage>> Registry::Outbox(int64_t after_id, int limit) {
  return ReadOutbox(*db_, VoucherKey("pii"), "o.id > ?", after_id, limit);
}

Result<std::vector<OutboxMessage>> Registry::UnsentOutbox(int limit) {
  return ReadOutbox(*db_, VoucherKey("pii"), "o.sent_ms IS NULL AND o.id > ?", 0, limit);
}

Status Registry::MarkSent(int64_t message_id) {
  const int64_t now = clock_.NowMillis();
  return db_->Write([&](Conn& c) -> Status {
    auto& u = c.Prepare("UPDATE outbox SET sent_ms = ? WHERE id = ? AND sent_ms IS NULL");
    u.bind(1, now);
    u.bind(2, message_id);
    if (u.exec() == 1) return Status::Ok();
    auto& q = c.Prepare("SELECT 1 FROM outbox WHERE id = ?");
    q.bind(1, message_id);
    if (!q.executeStep())
      return Status::NotFound("outbox.unknown", "no outbox message with this id");
    return Status::Ok();  // already sent: idempotent
  });
}

Result<ApplicationInput> Registry::ApplicantData(const std::string& application_id) {
  AppRow a;
  std::string sealed_email;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(a, LoadApp(c, application_id));
    auto& q = c.Prepare("SELECT email FROM applications WHERE id = ?");
    q.bind(1, application_id);
    if (q.executeStep()) sealed_email = internal::Blob(q.getColumn(0));
    return Status::Ok();
  }));
  const crypto::SecretBytes pii = VoucherKey("pii");
  CERTLEDGER_ASSIGN_OR_RETURN(std::string text, OpenString(pii, a.personal, "application|" + a.id));
  CERTLEDGER_ASSIGN_OR_RETURN(Json j, crypto::ParseJson(text));
  ApplicationInput in;
  in.full_name = j.value("full_name", std::string());
  in.birth_date = j.value("birth_date", std::string());
  in.sex = j.value("sex", std::string());
  in.citizenship = j.value("citizenship", std::string());
  in.education_level = j.value("education_level", std::string());
  in.region_code = j.value("region_code", std::string());
  in.registration_type = j.value("registration_type", std::string());
  in.phone = j.value("phone", std::string());
  in.snils = j.value("snils", std::string());
  in.issuer = a.issuer;
  in.programme = a.programme;
  CERTLEDGER_ASSIGN_OR_RETURN(in.email, OpenString(pii, sealed_email, "email|" + a.id));
  return in;
}

Status Registry::CompleteVoucher(Conn& c, const std::string& voucher_ref,
                                 const std::string& issuer_slug,
                                 const std::string& certificate_code, int64_t now_ms) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, VoucherCode(base_url_, voucher_ref));
  CERTLEDGER_ASSIGN_OR_RETURN(VoucherRow v, LoadVoucher(c, code));
  if (v.issuer != issuer_slug) {
    return Status::PermissionDenied(
        "voucher.wrong-issuer", "the certificate's voucher is for another provider's programme");
  }
  if (v.state != "enrolled") {
    return VoucherState(
        "the voucher must be enrolled before the certificate that completes it is "
        "issued (it is " +
        v.state + ")");
  }
  auto& u = c.Prepare(
      "UPDATE vouchers SET state = 'completed', certificate = ?, updated_ms = ? WHERE code = ?");
  u.bind(1, certificate_code);
  u.bind(2, now_ms);
  u.bind(3, code);
  u.exec();
  const crypto::SecretBytes none;
  Tx x{base_url_, *ledger_, none, nullptr, IssuerDid(kOperatorSlug), now_ms};
  const std::string subject = SubjectIdFor(base_url_ + "/v/" + code);
  Json fields = {{"application", v.application_id}, {"year", v.year}};
  return AppendIn(c, x, event::kVoucherCompleted, subject,
                  RecordDigest(event::kVoucherCompleted, subject, fields), std::move(fields));
}

}  // namespace certledger::registry
