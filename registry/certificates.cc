// Programmes, certificates and status lists: the Registry methods declared
// in registry/registry.h under "Programmes catalogue" and "Certificates".
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "crypto/data_integrity.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/learner_identity.h"
#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "crypto/secret_box.h"
#include "crypto/status_list.h"
#include "registry/ids.h"
#include "registry/internal/at_rest.h"
#include "registry/internal/canonical_template.h"
#include "registry/internal/db.h"
#include "registry/internal/status_lists.h"
#include "registry/internal/text.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"

namespace certledger::registry {
namespace {

using internal::Conn;
using internal::PrintableText;

constexpr const char* kIdentityMethods[] = {"online-proctoring", "certified-centre",
                                            "keystroke-dynamics", "biometrics", "none"};
constexpr const char* kForms[] = {"distance", "blended", "in-person"};

template <typename Range>
bool OneOf(const Range& r, const std::string& v) {
  return std::find(std::begin(r), std::end(r), v) != std::end(r);
}

Status BadProgramme(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("programme.invalid", msg).WithField(field);
}
Status BadCertificate(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("certificate.invalid", msg).WithField(field);
}

double CreditUnits(int hours) { return std::round(hours / 36.0 * 100) / 100; }

// A programme's outcomes or competencies (a JSON array of strings), parsed
// once per distinct text: every certificate read loads its programme, and
// parsing the same two arrays again was a visible share of each read.
Json StringArray(const std::string& json_text) {
  static std::mutex mu;
  static std::unordered_map<std::string, Json> parsed;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = parsed.find(json_text);
    if (it != parsed.end()) return it->second;
  }
  auto j = crypto::ParseJson(json_text);
  Json out = j.ok() ? *j : Json::array();
  std::lock_guard<std::mutex> lock(mu);
  if (parsed.size() >= 1024) parsed.clear();  // bounded: programmes are few
  parsed.emplace(json_text, out);
  return out;
}

struct Programme {
  int64_t id = 0;
  std::string code, title_ru, title_en, area, form, document_type;
  int hours = 0, pass_mark = 0, max_points = 0;
  Json outcomes, competencies;
};

Result<Programme> LoadProgramme(Conn& c, int64_t issuer_id, const std::string& code,
                                int64_t by_id = 0) {
  auto& q = c.Prepare(
      "SELECT id, code, title_ru, title_en, competence_area, hours, pass_mark, max_points, form, "
      "document_type, outcomes, competencies FROM programmes WHERE issuer_id = ? AND (code = ? "
      "OR id = ?)");
  q.bind(1, static_cast<int64_t>(issuer_id));
  q.bind(2, code);
  q.bind(3, static_cast<int64_t>(by_id));
  if (!q.executeStep()) {
    return Status::NotFound("programme.unknown", "the issuer has no programme \"" + code + "\"")
        .WithField("programme");
  }
  Programme p;
  p.id = q.getColumn(0).getInt64();
  p.code = q.getColumn(1).getString();
  p.title_ru = q.getColumn(2).getString();
  p.title_en = q.getColumn(3).getString();
  p.area = q.getColumn(4).getString();
  p.hours = q.getColumn(5).getInt();
  p.pass_mark = q.getColumn(6).getInt();
  p.max_points = q.getColumn(7).getInt();
  p.form = q.getColumn(8).getString();
  p.document_type = q.getColumn(9).getString();
  p.outcomes = StringArray(q.getColumn(10).getString());
  p.competencies = StringArray(q.getColumn(11).getString());
  return p;
}

// An issuer as issuance reads it: what the credential names, and the rest of
// what the answer shows (IssuerView, built without reading it again).
struct IssuerRow {
  int64_t id = 0;
  std::string status, name_ru, licence_number, licence_date;
  std::string name_en, inn;
  std::optional<int64_t> suspended_ms;
};

Result<IssuerRow> LoadIssuer(Conn& c, const std::string& slug) {
  auto& q = c.Prepare(
      "SELECT id, status, name_ru, licence_number, licence_date, name_en, inn, suspended_ms FROM "
      "issuers WHERE slug = ?");
  q.bind(1, slug);
  if (!q.executeStep()) {
    return Status::NotFound("issuer.unknown", "no issuer \"" + slug + "\" is registered")
        .WithField("issuer");
  }
  IssuerRow r{q.getColumn(0).getInt64(),  q.getColumn(1).getString(),
              q.getColumn(2).getString(), q.getColumn(3).getString(),
              q.getColumn(4).getString(), q.getColumn(5).getString(),
              q.getColumn(6).getString(), std::nullopt};
  if (!q.getColumn(7).isNull()) r.suspended_ms = q.getColumn(7).getInt64();
  return r;
}

// The issuer `slug` as Registry::IssuerViewIn reads it (registry.cc,
// ReadIssuerRow), from the row issuance read.
model::IssuerView ViewOfIssuer(const IssuerRow& r, const std::string& slug,
                               const std::string& did) {
  model::IssuerView v;
  v.slug = slug;
  v.did = did;
  v.name.ru = r.name_ru;
  v.name.en = r.name_en;
  v.inn = r.inn;
  v.licence_number = r.licence_number;
  v.licence_date = r.licence_date;
  v.status = r.status;
  v.suspended_at_ms = r.suspended_ms;
  return v;
}

}  // namespace

namespace internal {
// Issuer and programme rows already read in this write transaction
// (IssueBatch: one issuer, a few programmes, thousands of rows). Only valid
// inside the transaction it was filled in.
struct CertificateLookups {
  std::optional<IssuerRow> issuer;
  std::map<std::string, Programme> by_code;
  std::map<int64_t, Programme> by_id;
};
}  // namespace internal

namespace {

Result<IssuerRow> CachedIssuer(Conn& c, const std::string& slug,
                               internal::CertificateLookups* cache) {
  if (cache && cache->issuer) return *cache->issuer;
  CERTLEDGER_ASSIGN_OR_RETURN(IssuerRow row, LoadIssuer(c, slug));
  if (cache) cache->issuer = row;
  return row;
}

Result<Programme> CachedProgramme(Conn& c, int64_t issuer_id, const std::string& code,
                                  int64_t by_id, internal::CertificateLookups* cache) {
  if (cache) {
    if (by_id != 0) {
      auto it = cache->by_id.find(by_id);
      if (it != cache->by_id.end()) return it->second;
    } else {
      auto it = cache->by_code.find(code);
      if (it != cache->by_code.end()) return it->second;
    }
  }
  CERTLEDGER_ASSIGN_OR_RETURN(Programme p, LoadProgramme(c, issuer_id, code, by_id));
  if (cache) {
    cache->by_code[p.code] = p;
    cache->by_id[p.id] = p;
  }
  return p;
}

// CachedIssuer and CachedProgramme without a copy (rows of a batch): the
// cached row, or the row read into *storage when there is no cache.
Result<const IssuerRow*> IssuerRef(Conn& c, const std::string& slug,
                                   internal::CertificateLookups* cache, IssuerRow* storage) {
  if (cache == nullptr) {
    CERTLEDGER_ASSIGN_OR_RETURN(*storage, LoadIssuer(c, slug));
    return storage;
  }
  if (!cache->issuer) CERTLEDGER_RETURN_IF_ERROR(CachedIssuer(c, slug, cache).status());
  return &*cache->issuer;
}

Result<const Programme*> ProgrammeRef(Conn& c, int64_t issuer_id, const std::string& code,
                                      internal::CertificateLookups* cache, Programme* storage) {
  if (cache == nullptr) {
    CERTLEDGER_ASSIGN_OR_RETURN(*storage, LoadProgramme(c, issuer_id, code));
    return storage;
  }
  auto it = cache->by_code.find(code);
  if (it == cache->by_code.end()) {
    CERTLEDGER_RETURN_IF_ERROR(CachedProgramme(c, issuer_id, code, 0, cache).status());
    it = cache->by_code.find(code);
    if (it == cache->by_code.end()) {
      return Status::NotFound("programme.unknown", "the issuer has no programme \"" + code + "\"")
          .WithField("programme");
    }
  }
  return &it->second;
}

struct CertRow {
  int64_t id = 0, issuer_id = 0, programme_id = 0;
  std::string code, state, learner_name, learner_hash, learner_salt, period_start, period_end;
  std::string identity_method, voucher, supersedes, superseded_by, revocation_reason;
  std::string learner_key;
  // The identity check code sealed (internal/at_rest.h); nullopt for a row
  // from before schema 7, whose code is learner_salt in clear.
  std::optional<std::string> sealed_identity_code;
  int points = 0;
  double identity_share = 0;
  bool name_confirmed = false;
  std::string credential;
  int64_t ledger_idx = -1, created_ms = 0, issued_ms = 0;
  std::optional<int64_t> revoked_ms;
  int status_n = 0, status_idx = -1;
};

constexpr char kCertSelect[] =
    "SELECT id, issuer_id, programme_id, code, state, learner_name, learner_hash, learner_salt, "
    "period_start, period_end, identity_method, voucher, supersedes, superseded_by, "
    "revocation_reason, points, identity_share, name_confirmed, credential, ledger_idx, "
    "created_ms, issued_ms, revoked_ms, status_n, status_idx, learner_key, identity_code FROM "
    "certificates ";

CertRow ReadCert(SQLite::Statement& q) {
  CertRow r;
  r.id = q.getColumn(0).getInt64();
  r.issuer_id = q.getColumn(1).getInt64();
  r.programme_id = q.getColumn(2).getInt64();
  r.code = q.getColumn(3).getString();
  r.state = q.getColumn(4).getString();
  r.learner_name = q.getColumn(5).getString();
  r.learner_hash = q.getColumn(6).getString();
  r.learner_salt = q.getColumn(7).getString();
  r.period_start = q.getColumn(8).getString();
  r.period_end = q.getColumn(9).getString();
  r.identity_method = q.getColumn(10).getString();
  r.voucher = q.getColumn(11).getString();
  r.supersedes = q.getColumn(12).getString();
  r.superseded_by = q.getColumn(13).getString();
  r.revocation_reason = q.getColumn(14).getString();
  r.points = q.getColumn(15).getInt();
  r.identity_share = q.getColumn(16).getDouble();
  r.name_confirmed = q.getColumn(17).getInt() != 0;
  if (!q.getColumn(18).isNull()) r.credential = internal::Blob(q.getColumn(18));
  if (!q.getColumn(19).isNull()) r.ledger_idx = q.getColumn(19).getInt64();
  r.created_ms = q.getColumn(20).getInt64();
  if (!q.getColumn(21).isNull()) r.issued_ms = q.getColumn(21).getInt64();
  if (!q.getColumn(22).isNull()) r.revoked_ms = q.getColumn(22).getInt64();
  if (!q.getColumn(23).isNull()) r.status_n = q.getColumn(23).getInt();
  if (!q.getColumn(24).isNull()) r.status_idx = q.getColumn(24).getInt();
  r.learner_key = internal::Blob(q.getColumn(25));
  if (!q.getColumn(26).isNull()) r.sealed_identity_code = internal::Blob(q.getColumn(26));
  return r;
}

Status CertificateNotFound() {
  return Status::NotFound("certificate.unknown",
                          "сертификат с таким номером не найден / no certificate with this code");
}

Result<CertRow> LoadCert(Conn& c, const std::string& code) {
  auto& q = c.Prepare(std::string(kCertSelect) + "WHERE code = ?");
  q.bind(1, code);
  if (!q.executeStep()) return CertificateNotFound();
  return ReadCert(q);
}

std::string DateTime(const std::string& ymd) { return ymd + "T00:00:00Z"; }

std::string SlugOf(Conn& c, int64_t issuer_id) {
  auto& q = c.Prepare("SELECT slug FROM issuers WHERE id = ?");
  q.bind(1, static_cast<int64_t>(issuer_id));
  q.executeStep();
  return q.getColumn(0).getString();
}

// The slug of a certificate's issuer (read before a write, so the issuer's key
// is decrypted outside the write lock).
Result<std::string> IssuerSlugOf(internal::Db& db, const std::string& code) {
  std::string slug;
  CERTLEDGER_RETURN_IF_ERROR(db.Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
    slug = SlugOf(c, r.issuer_id);
    return Status::Ok();
  }));
  return slug;
}

// The field checks of a certificate that need no database (CreateDraft and
// IssueBatch run them before any transaction).
Status ValidateCertificateFields(const CertificateInput& in) {
  if (!PrintableText(in.learner_name, 300)) {
    return BadCertificate("learner_name",
                          "ФИО обучающегося обязательно (до 300 байт) / the "
                          "learner's full name is required (up to 300 bytes)");
  }
  if (!PrintableText(in.learner_id, 100)) {
    return BadCertificate("learner_id", "the learner identifier (e.g. SNILS) is required");
  }
  auto start = crypto::ParseDate(in.period_start);
  auto end = crypto::ParseDate(in.period_end);
  if (!start.ok()) return BadCertificate("period_start", "period start must be YYYY-MM-DD");
  if (!end.ok()) return BadCertificate("period_end", "period end must be YYYY-MM-DD");
  if (*end < *start) return BadCertificate("period_end", "the period ends before it starts");
  if (!(in.identity_share >= 0 && in.identity_share <= 1)) {
    return BadCertificate("identity_share", "the identity-verified share must be 0..1");
  }
  if (!OneOf(kIdentityMethods, in.identity_method)) {
    return BadCertificate("identity_method",
                          "identity method: online-proctoring, certified-centre, "
                          "keystroke-dynamics, biometrics or none");
  }
  return Status::Ok();
}

// What a draft needs besides its input, computed outside the write lock.
struct DraftSecrets {
  std::string code;         // the new registration code
  std::string learner_key;  // keyed hash of the learner identifier
  // The identity check code (crypto/learner_identity.h), the learner's
  // secret: sealed under `identity_key` (internal/at_rest.h), never kept in clear.
  std::string sealed_identity_code;
  std::string learner_hash;  // "sha256$<hex>", printed in the credential
};

// `identity_key` is Registry::SealingKey("identity-code").
Result<DraftSecrets> NewDraftSecrets(const crypto::SecretBytes& master_key,
                                     const crypto::SecretBytes& identity_key,
                                     const CertificateInput& in) {
  DraftSecrets d;
  d.code = NewRegistrationCode();
  // The duplicate check's key uses the identifier as hashed (digits of a
  // SNILS), so "112-233-445 95" and "11223344595" are the same learner.
  d.learner_key = crypto::KeyedHash(
      master_key, "learner|" + in.issuer + "|" + crypto::NormalizeLearnerId(in.learner_id));
  std::string salt = crypto::NewIdentityCode();
  d.learner_hash = crypto::LearnerIdentityHash(salt, in.learner_id);
  auto sealed = internal::SealIdentityCode(identity_key, salt, d.code);
  std::fill(salt.begin(), salt.end(), '\0');
  CERTLEDGER_ASSIGN_OR_RETURN(d.sealed_identity_code, std::move(sealed));
  return d;
}

// Inside the caller's write transaction: the checks that need the database
// (issuer active, programme, licence, points, pass mark, duplicates, the
// certificate a reissue supersedes); writes nothing. A request_key seen
// before sets *existing_code. Otherwise *issuer_id and *programme_id are set.
// REQUIRES: ValidateCertificateFields(in) is OK.
Status CheckDraft(Conn& c, const CertificateInput& in, const DraftSecrets& d,
                  std::string* existing_code, int64_t* issuer_id, int64_t* programme_id,
                  internal::CertificateLookups* cache) {
  if (!in.request_key.empty()) {
    auto& k = c.Prepare("SELECT code FROM certificates WHERE request_key = ?");
    k.bind(1, in.request_key);
    if (k.executeStep()) {
      *existing_code = k.getColumn(0).getString();
      return Status::Ok();
    }
  }
  IssuerRow issuer_row;
  CERTLEDGER_ASSIGN_OR_RETURN(const IssuerRow* issuer_ptr,
                              IssuerRef(c, in.issuer, cache, &issuer_row));
  const IssuerRow& issuer = *issuer_ptr;
  if (issuer.status != "active") {
    return Status::FailedPrecondition("issuer.suspended",
                                      "the issuer is suspended and cannot issue certificates");
  }
  Programme programme_row;
  CERTLEDGER_ASSIGN_OR_RETURN(const Programme* programme_ptr,
                              ProgrammeRef(c, issuer.id, in.programme, cache, &programme_row));
  const Programme& p = *programme_ptr;
  if (p.document_type != "certificate" && issuer.licence_number.empty()) {
    return Status::FailedPrecondition(
        "issuer.no-licence", "a state-standard document needs the issuer's education licence");
  }
  if (in.points < 0 || in.points > p.max_points) {
    return BadCertificate("points", "points must be 0.." + std::to_string(p.max_points));
  }
  if (in.points < p.pass_mark) {
    return Status::FailedPrecondition(
               "certificate.below-pass-mark",
               "баллы ниже проходного (" + std::to_string(in.points) + " < " +
                   std::to_string(p.pass_mark) +
                   "): сертификат не выдаётся / points are below the pass mark: no certificate")
        .WithField("points");
  }
  auto& dup = c.Prepare(
      "SELECT code, state FROM certificates WHERE issuer_id = ? AND programme_id = ? AND "
      "learner_key = ? AND period_start = ? AND period_end = ? AND (state = 'draft' OR "
      "state = 'issued')");  // not IN (...): that builds an ephemeral table per run
  dup.bind(1, static_cast<int64_t>(issuer.id));
  dup.bind(2, static_cast<int64_t>(p.id));
  dup.bind(3, d.learner_key.data(), static_cast<int>(d.learner_key.size()));
  dup.bind(4, in.period_start);
  dup.bind(5, in.period_end);
  while (dup.executeStep()) {
    if (dup.getColumn(0).getString() != in.supersedes) {
      return Status::AlreadyExists(
          "certificate.duplicate",
          "this learner already has a certificate for this programme and period (" +
              dup.getColumn(0).getString() + "); declare a reissue to replace it");
    }
  }
  if (!in.supersedes.empty()) {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow old, LoadCert(c, in.supersedes));
    if (old.issuer_id != issuer.id || old.state != "issued") {
      return BadCertificate("supersedes", "only an issued certificate of this issuer is reissued");
    }
  }
  *issuer_id = issuer.id;
  *programme_id = p.id;
  return Status::Ok();
}

// CheckDraft, then the draft row. A request_key seen before sets
// *existing_code and writes nothing. `confirmed`: the provider vouches for
// the spelling of the name (batch rows from its records).
// REQUIRES: ValidateCertificateFields(in) is OK.
Status InsertDraft(Conn& c, const CertificateInput& in, const DraftSecrets& d, int64_t now,
                   bool confirmed, std::string* existing_code,
                   internal::CertificateLookups* cache = nullptr) {
  int64_t issuer_id = 0, programme_id = 0;
  CERTLEDGER_RETURN_IF_ERROR(CheckDraft(c, in, d, existing_code, &issuer_id, &programme_id, cache));
  if (!existing_code->empty()) return Status::Ok();
  auto& ins = c.Prepare(
      "INSERT INTO certificates(code, issuer_id, programme_id, state, learner_name, "
      "learner_key, identity_code, learner_hash, period_start, period_end, points, "
      "identity_share, identity_method, voucher, supersedes, created_ms, request_key, "
      "name_confirmed, learner_salt) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, '')");
  ins.bind(1, d.code);
  ins.bind(2, static_cast<int64_t>(issuer_id));
  ins.bind(3, static_cast<int64_t>(programme_id));
  ins.bind(4, in.learner_name);
  ins.bind(5, d.learner_key.data(), static_cast<int>(d.learner_key.size()));
  ins.bind(6, d.sealed_identity_code.data(), static_cast<int>(d.sealed_identity_code.size()));
  ins.bind(7, d.learner_hash);
  ins.bind(8, in.period_start);
  ins.bind(9, in.period_end);
  ins.bind(10, in.points);
  ins.bind(11, in.identity_share);
  ins.bind(12, in.identity_method);
  ins.bind(13, in.voucher);
  ins.bind(14, in.supersedes);
  ins.bind(15, static_cast<int64_t>(now));
  if (in.request_key.empty()) {
    ins.bind(16);
  } else {
    ins.bind(16, in.request_key);
  }
  ins.bind(17, confirmed ? 1 : 0);
  ins.exec();
  return Status::Ok();
}

// What a certificate credential holds besides its issuer and programme
// (docs/formats.md), as the strings written into it. `share` is a Json value
// so that a CredentialTemplate can put a placeholder there too.
struct CredentialRowValues {
  std::string url;                         // <base>/v/<code>, the credential id
  std::string learner_name, learner_hash;  // no salt: it is the learner's secret
  std::string points;                      // decimal
  std::string start, end;                  // activity dates as dateTime
  Json share;                              // identity-verified share, a number
  std::string method;                      // identity verification method
  std::string voucher;                     // empty: none
  std::string supersedes_url;              // empty: none
  std::string status_idx;                  // decimal index in the status list
  std::string list_url;                    // the status list credential
};

// What every credential of one issuance run shares.
struct CredentialConstants {
  const std::string& base_url;
  const std::string& slug;
  const std::string& did;
  std::string valid_from;  // RFC 3339
};

// A number as ParseJson reads back its RFC 8785 form (§3.2.2.3 writes 2.0 as
// "2"): whole values as integers, so a credential in hand prints the same as
// the one parsed from its stored form (Issue answers with the one in hand).
Json JcsNumber(double x) {
  if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9007199254740992.0) {
    return Json(static_cast<int64_t>(x));
  }
  return Json(x);
}

// The unsigned credential (docs/formats.md): an Open Badges 3.0
// OpenBadgeCredential. The one builder of the format: Issue() signs its
// result with AddProof; IssueBatch canonicalizes it once per programme with
// placeholders (CredentialTemplate) and fills in each row.
Json BuildCredential(const CredentialConstants& k, const IssuerRow& issuer, const Programme& p,
                     const CredentialRowValues& v) {
  const Json units = JcsNumber(CreditUnits(p.hours));
  Json achievement = {
      {"id", k.base_url + "/programmes/" + k.slug + "/" + p.code},
      {"type", {"Achievement"}},
      {"achievementType", "Certificate"},
      {"name", p.title_ru},
      {"description", p.title_en},
      {"criteria",
       {{"narrative", "Итоговая аттестация: не менее " + std::to_string(p.pass_mark) +
                          " баллов из " + std::to_string(p.max_points)}}},
      {"creditsAvailable", units},
      {"workloadHours", p.hours},
      {"competenceArea", p.area},
      {"learningForm", p.form},
      {"learningOutcomes", p.outcomes},
      {"competencies", p.competencies},
      {"resultDescription",
       {{{"id", v.url + "#score"},
         {"type", {"ResultDescription"}},
         {"name", "Итоговая аттестация"},
         {"resultType", "ScaledScore"},
         {"valueMin", "0"},
         {"valueMax", std::to_string(p.max_points)},
         {"requiredValue", std::to_string(p.pass_mark)}}}}};
  Json subject = {{"type", {"AchievementSubject"}},
                  {"identifier",
                   {{{"type", "IdentityObject"},
                     {"identityType", "name"},
                     {"hashed", false},
                     {"identityHash", v.learner_name}},
                    {{"type", "IdentityObject"},
                     {"identityType", "identifier"},
                     {"hashed", true},
                     {"identityHash", v.learner_hash}}}},
                  {"achievement", std::move(achievement)},
                  {"result",
                   {{{"type", {"Result"}},
                     {"resultDescription", v.url + "#score"},
                     {"value", v.points},
                     {"status", "Completed"}}}},
                  {"creditsEarned", units},
                  {"activityStartDate", v.start},
                  {"activityEndDate", v.end},
                  {"identityVerification", {{"share", v.share}, {"method", v.method}}}};
  if (!v.voucher.empty()) subject["voucher"] = v.voucher;
  Json issuer_json = {{"id", k.did},
                      {"type", {"Profile"}},
                      {"name", issuer.name_ru},
                      {"url", k.base_url + "/issuers/" + k.slug}};
  if (!issuer.licence_number.empty()) {
    issuer_json["licence"] = issuer.licence_number + " от " + issuer.licence_date;
  }
  Json cred = {
      {"@context",
       {"https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        k.base_url + "/contexts/v1.json"}},
      {"id", v.url},
      {"type", {"VerifiableCredential", "OpenBadgeCredential"}},
      {"name", p.document_type == "qualification-upgrade" ? "Удостоверение о повышении квалификации"
               : p.document_type == "professional-retraining"
                   ? "Диплом о профессиональной переподготовке"
                   : "Сертификат об обучении"},
      {"documentType", p.document_type},
      {"issuer", std::move(issuer_json)},
      {"validFrom", k.valid_from},
      {"credentialSubject", std::move(subject)},
      {"credentialStatus",
       {{"id", v.list_url + "#" + v.status_idx},
        {"type", "BitstringStatusListEntry"},
        {"statusPurpose", "revocation"},
        {"statusListIndex", v.status_idx},
        {"statusListCredential", v.list_url}}}};
  if (!v.supersedes_url.empty()) cred["supersedes"] = v.supersedes_url;
  return cred;
}

// --- Batch issuance: credentials written from a canonical template --------
//
// IssueBatch signs thousands of credentials of a few programmes, and single
// issues many of one programme a second. Each is BuildCredential's output with
// other row values: its RFC 8785 text is written from a template made once per
// programme (registry/internal/canonical_template.h), byte for byte what
// Canonicalize(BuildCredential(...)) gives.

// The per-row holes of the template.
enum Hole : int {
  kHoleUrl = 0,
  kHoleName,
  kHoleHash,
  kHolePoints,
  kHoleStart,
  kHoleEnd,
  kHoleShare,  // a number: the placeholder string's quotes are part of the hole
  kHoleMethod,
  kHoleStatusIdx,
  kHoleListUrl,
  kHoleCount
};

// A certificate credential's template: BuildCredential's document with
// placeholders for the row values (internal/canonical_template.h).
class CredentialTemplate {
 public:
  // The canonical row values, indexed by Hole: string contents without quotes
  // (CanonicalContent), the share as ECMAScript number text.
  using Values = std::array<std::string, kHoleCount>;

  // REQUIRES: no voucher, no supersedes (those rows take the Json path).
  static Result<CredentialTemplate> Create(const CredentialConstants& k, const IssuerRow& issuer,
                                           const Programme& p) {
    const internal::CanonicalTemplate::Marker m;
    auto token = [&](int hole) { return m.Hole(hole); };
    CredentialRowValues v{token(kHoleUrl),
                          token(kHoleName),
                          token(kHoleHash),
                          token(kHolePoints),
                          token(kHoleStart),
                          token(kHoleEnd),
                          Json(token(kHoleShare)),
                          token(kHoleMethod),
                          "",
                          "",
                          token(kHoleStatusIdx),
                          token(kHoleListUrl)};
    CredentialTemplate t;
    CERTLEDGER_ASSIGN_OR_RETURN(
        t.t_, internal::CanonicalTemplate::Create(BuildCredential(k, issuer, p, v), m, kHoleCount,
                                                  {kHoleShare}));
    return t;
  }

  const internal::CanonicalTemplate& canonical() const { return t_; }
  // The credential's @context (the proof configuration copies it).
  const Json& context() const { return t_.context(); }

 private:
  internal::CanonicalTemplate t_;
};

using internal::CanonicalContent;
using internal::ProofTemplate;

// A certificate's RFC 8785 text from the templates and row values: the proof
// as Open Badges 3.0 carries it, a set of one ("proof" sorts after "name",
// before "type"). Byte for byte Canonicalize of SignCredential's document.
Result<std::string> SignFromTemplate(const CredentialTemplate& t, const ProofTemplate& proof,
                                     const CredentialTemplate::Values& values,
                                     const crypto::Signer& signer) {
  return internal::SignFromTemplate(t.canonical(), proof, values, signer,
                                    internal::ProofShape::kSetOfOne);
}

// The holes of a credential without voucher or reissue, as BuildCredential
// writes them (and LoadCert reads them back), status index and list left
// empty. nullopt if a text is not UTF-8: the Json path reports that.
std::optional<CredentialTemplate::Values> RowValues(
    const std::string& url, const std::string& learner_name, const std::string& learner_hash,
    int points, const std::string& period_start, const std::string& period_end,
    double identity_share, const std::string& identity_method) {
  CredentialTemplate::Values v;
  for (auto& [hole, text] :
       std::initializer_list<std::pair<Hole, std::string>>{{kHoleUrl, url},
                                                           {kHoleName, learner_name},
                                                           {kHoleHash, learner_hash},
                                                           {kHolePoints, std::to_string(points)},
                                                           {kHoleStart, DateTime(period_start)},
                                                           {kHoleEnd, DateTime(period_end)},
                                                           {kHoleMethod, identity_method}}) {
    auto content = CanonicalContent(text);
    if (!content.ok()) return std::nullopt;
    v[hole] = std::move(content).value();
  }
  v[kHoleShare] = crypto::FormatEcmaNumber(identity_share);
  return v;
}

// Runs fn(0) .. fn(n - 1) on up to one thread per core, the caller's
// included. fn must be thread-safe and must not throw.
template <typename Fn>
void ParallelFor(size_t n, const Fn& fn) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min(cores, (n + 7) / 8);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads: the others do the work
    }
  }
  work();
  for (auto& th : pool) th.join();
}

// Runs jobs submitted by one thread (the writer) on worker threads, and on
// the writer itself while it waits for one. Jobs are numbers; `run` must be
// thread-safe, must not throw, and must mark its job done (Done()).
class SignerPool {
 public:
  SignerPool(std::function<void(size_t)> run, size_t workers) : run_(std::move(run)) {
    for (size_t t = 0; t < workers; ++t) {
      try {
        threads_.emplace_back([this] { Work(); });
      } catch (const std::system_error&) {
        break;  // fewer threads: the writer runs the rest while it waits
      }
    }
  }
  ~SignerPool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  SignerPool(const SignerPool&) = delete;
  SignerPool& operator=(const SignerPool&) = delete;

  void Submit(size_t job) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      queue_.push_back(job);
      ++outstanding_;
    }
    work_cv_.notify_one();
  }
  // Returns once `done()` holds, running queued jobs meanwhile.
  template <typename Pred>
  void WaitUntil(const Pred& done) {
    std::unique_lock<std::mutex> lk(mu_);
    while (!done()) {
      if (!queue_.empty()) {
        RunOne(lk);
      } else {
        done_cv_.wait(lk);
      }
    }
  }
  // Every submitted job has finished.
  void Quiesce() {
    WaitUntil([this] { return outstanding_ == 0; });
  }

 private:
  // REQUIRES: lk holds mu_ and the queue is not empty.
  void RunOne(std::unique_lock<std::mutex>& lk) {
    const size_t job = queue_.front();
    queue_.pop_front();
    lk.unlock();
    run_(job);
    lk.lock();
    --outstanding_;
    done_cv_.notify_all();
  }
  void Work() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      work_cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_
      RunOne(lk);
    }
  }

  const std::function<void(size_t)> run_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<size_t> queue_;  // GUARDED_BY(mu_)
  size_t outstanding_ = 0;    // GUARDED_BY(mu_): submitted, not finished
  bool stop_ = false;         // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

// What GetCertificate answers for the row `r` of programme `p` of issuer
// `slug` (its view `issuer`), whose signed or draft credential is `credential`
// (the stored text): shared with Issue, which has all of it in hand.
Result<CertificateRecord> RecordOf(const CertRow& r, const Programme& p, const std::string& slug,
                                   const std::string& base_url, std::string credential,
                                   const crypto::SecretBytes& identity_key,
                                   model::IssuerView issuer) {
  CertificateRecord rec;
  rec.issuer_slug = slug;
  rec.code = r.code;
  rec.url = base_url + "/v/" + r.code;
  rec.state = r.state;
  rec.ledger_index = r.ledger_idx;
  rec.revocation_reason = r.revocation_reason;
  rec.revoked_ms = r.revoked_ms;
  rec.supersedes = r.supersedes;
  rec.voucher = r.voucher;
  rec.name_confirmed = r.name_confirmed;
  if (r.sealed_identity_code) {
    CERTLEDGER_ASSIGN_OR_RETURN(
        std::string salt,
        internal::OpenIdentityCode(identity_key, *r.sealed_identity_code, r.code));
    rec.identity_code = crypto::FormatIdentityCode(salt);
    std::fill(salt.begin(), salt.end(), '\0');
  } else {
    rec.identity_code = crypto::FormatIdentityCode(r.learner_salt);
  }
  rec.superseded_by = r.superseded_by;
  rec.credential = std::move(credential);
  model::CertificateView& v = rec.view;
  v.code = r.code;
  v.url = rec.url;
  v.document_type = p.document_type;
  v.document_title = p.document_type == "qualification-upgrade"
                         ? model::Text{"Удостоверение о повышении квалификации",
                                       "Certificate of professional development"}
                     : p.document_type == "professional-retraining"
                         ? model::Text{"Диплом о профессиональной переподготовке",
                                       "Diploma of professional retraining"}
                         : model::Text{"Сертификат об обучении", "Certificate of training"};
  v.learner_name = r.learner_name;
  v.course_code = p.code;
  v.course_title = p.title_ru;
  v.period_start = r.period_start;
  v.period_end = r.period_end;
  v.hours = p.hours;
  v.credit_units = CreditUnits(p.hours);
  for (const auto& o : p.outcomes) v.outcomes.push_back(o.get<std::string>());
  for (const auto& o : p.competencies) v.competencies.push_back(o.get<std::string>());
  v.points = r.points;
  v.max_points = p.max_points;
  v.pass_mark = p.pass_mark;
  v.grade = CertificateGrade(p.document_type, r.points, p.pass_mark, p.max_points);
  v.identity_verified_share = r.identity_share;
  v.identity_method = r.identity_method;
  if (r.issued_ms) v.issue_date = crypto::FormatRfc3339(r.issued_ms).substr(0, 10);
  v.issuer = std::move(issuer);
  return rec;
}

// A credential signed for one draft and status slot: its RFC 8785 form (what
// is stored, what answers carry and what the ledger digest covers) and that
// digest.
struct SignedCredential {
  std::string canon;
  std::string digest;
};

// The credential of draft `r` (docs/formats.md) at status slot `slot`, signed
// (eddsa-jcs-2022) by `signer` at `now_ms`.
Result<SignedCredential> SignCredential(const std::string& base_url, const std::string& slug,
                                        const std::string& did, const IssuerRow& issuer,
                                        const Programme& p, const CertRow& r,
                                        const internal::StatusSlot& slot,
                                        const crypto::Signer& signer, int64_t now_ms) {
  const std::string url = base_url + "/v/" + r.code;
  CredentialRowValues values{url,
                             r.learner_name,
                             r.learner_hash,
                             std::to_string(r.points),
                             DateTime(r.period_start),
                             DateTime(r.period_end),
                             r.identity_share,
                             r.identity_method,
                             r.voucher,
                             r.supersedes.empty() ? "" : base_url + "/v/" + r.supersedes,
                             std::to_string(slot.idx),
                             slot.list_url};
  CredentialConstants constants{base_url, slug, did, crypto::FormatRfc3339(now_ms)};
  Json cred = BuildCredential(constants, issuer, p, values);
  crypto::ProofOptions po;
  po.created = crypto::FormatRfc3339(now_ms);
  CERTLEDGER_ASSIGN_OR_RETURN(Json signed_doc, crypto::AddProof(cred, po, signer));
  // Open Badges 3.0 carries the proof as a set (its JSON Schema requires an
  // array); the signature does not cover the proof member, so this is the
  // same signed document.
  signed_doc["proof"] = Json::array({std::move(signed_doc["proof"])});
  SignedCredential out;
  CERTLEDGER_ASSIGN_OR_RETURN(out.canon, crypto::Canonicalize(signed_doc));
  out.digest = crypto::Sha256Tagged(out.canon);
  return out;
}

bool SameIssuer(const IssuerRow& a, const IssuerRow& b) {
  return a.id == b.id && a.status == b.status && a.name_ru == b.name_ru &&
         a.licence_number == b.licence_number && a.licence_date == b.licence_date;
}

bool SameProgramme(const Programme& a, const Programme& b) {
  return a.id == b.id && a.code == b.code && a.title_ru == b.title_ru && a.title_en == b.title_en &&
         a.area == b.area && a.form == b.form && a.document_type == b.document_type &&
         a.hours == b.hours && a.pass_mark == b.pass_mark && a.max_points == b.max_points &&
         a.outcomes == b.outcomes && a.competencies == b.competencies;
}

}  // namespace

namespace internal {
// The templates of the credentials one issuer signs for one programme with
// one key in one second (validFrom and the proof's created have whole
// seconds), and what they were made from.
struct IssueTemplates {
  std::string key_id;  // the issuer's DID (so its slug) and key number
  int64_t second = 0;
  IssuerRow issuer;
  Programme programme;
  CredentialTemplate credential;
  ProofTemplate proof;
};

// One certificate being issued, between the steps of its write
// (PrepareIssueIn, SignIssue, FinishIssueIn).
struct IssueWork {
  CertRow row;
  IssuerRow issuer;
  Programme programme;
  const crypto::Signer* key = nullptr;           // signs the credential
  std::shared_ptr<const crypto::Signer> active;  // owns *key when it was opened here
  StatusSlot slot;
  Result<SignedCredential> signed_credential = Status::Internal("issue.unsigned", "not signed");
};

// What IssueDraftIn wrote, for Issue to build its answer from after the
// transaction (outside the single writer).
struct IssuedDraft {
  CertRow row;  // as the UPDATE left it
  Programme programme;
  model::IssuerView issuer;
  std::string credential;  // as stored: RFC 8785
};
}  // namespace internal

namespace {

using TemplateCache =
    std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const internal::IssueTemplates>>;

// The templates for the credentials of `issuer` (`slug`, `did`) and
// programme `p` signed by `signer` at `now_ms`: the ones kept in `cache` if
// they were made from the same rows, key and second, else new ones (kept in
// their place). Issuance at a steady rate makes one per programme a second.
Result<std::shared_ptr<const internal::IssueTemplates>> TemplatesFor(
    std::mutex& mu, TemplateCache& cache, const std::string& base_url, const std::string& slug,
    const std::string& did, const IssuerRow& issuer, const Programme& p,
    const crypto::Signer& signer, int64_t now_ms) {
  const int64_t second = now_ms / 1000;
  const auto key = std::make_pair(issuer.id, p.id);
  const std::string key_id = signer.KeyId();
  {
    std::lock_guard<std::mutex> lk(mu);
    auto it = cache.find(key);
    if (it != cache.end()) {
      const internal::IssueTemplates& t = *it->second;
      if (t.second == second && t.key_id == key_id && SameIssuer(t.issuer, issuer) &&
          SameProgramme(t.programme, p)) {
        return it->second;
      }
    }
  }
  const CredentialConstants constants{base_url, slug, did, crypto::FormatRfc3339(now_ms)};
  auto t = std::make_shared<internal::IssueTemplates>();
  t->key_id = key_id;
  t->second = second;
  t->issuer = issuer;
  t->programme = p;
  CERTLEDGER_ASSIGN_OR_RETURN(t->credential, CredentialTemplate::Create(constants, issuer, p));
  CERTLEDGER_ASSIGN_OR_RETURN(
      t->proof, ProofTemplate::Create(t->credential.context(), constants.valid_from, signer));
  std::lock_guard<std::mutex> lk(mu);
  if (cache.size() >= 1024 && !cache.count(key)) cache.clear();  // bounded by the catalogue
  cache[key] = t;
  return std::shared_ptr<const internal::IssueTemplates>(std::move(t));
}

// The credential of draft `r` at status slot `slot`, signed by `signer` at
// `now_ms`: filled into the programme's templates (TemplatesFor) when the
// draft has no voucher and is no reissue, else built as a JSON document
// (SignCredential). The same bytes either way (issue_batch_test, "single
// issue: each stored credential is byte for byte the documented credential").
Result<SignedCredential> SignDraft(std::mutex& mu, TemplateCache& cache,
                                   const std::string& base_url, const std::string& slug,
                                   const std::string& did, const IssuerRow& issuer,
                                   const Programme& p, const CertRow& r,
                                   const internal::StatusSlot& slot, const crypto::Signer& signer,
                                   int64_t now_ms) {
  std::optional<CredentialTemplate::Values> values;
  std::optional<std::string> list_url;
  if (r.voucher.empty() && r.supersedes.empty()) {
    values = RowValues(base_url + "/v/" + r.code, r.learner_name, r.learner_hash, r.points,
                       r.period_start, r.period_end, r.identity_share, r.identity_method);
    if (auto u = CanonicalContent(slot.list_url); u.ok()) list_url = std::move(u).value();
  }
  if (!values || !list_url) {
    return SignCredential(base_url, slug, did, issuer, p, r, slot, signer, now_ms);
  }
  (*values)[kHoleStatusIdx] = std::to_string(slot.idx);
  (*values)[kHoleListUrl] = std::move(*list_url);
  CERTLEDGER_ASSIGN_OR_RETURN(
      auto t, TemplatesFor(mu, cache, base_url, slug, did, issuer, p, signer, now_ms));
  SignedCredential out;
  CERTLEDGER_ASSIGN_OR_RETURN(out.canon,
                              SignFromTemplate(t->credential, t->proof, *values, signer));
  out.digest = crypto::Sha256Tagged(out.canon);
  return out;
}

}  // namespace

model::Text CertificateGrade(const std::string& document_type, int points, int pass_mark,
                             int max_points) {
  const bool passed = points >= pass_mark;
  if (document_type != "professional-retraining") {
    return passed ? model::Text{"зачтено", "pass"} : model::Text{"не зачтено", "fail"};
  }
  if (!passed || max_points <= 0) return {"неудовлетворительно", "unsatisfactory"};
  // Whole numbers: points / max >= 90 % without rounding.
  const int64_t percent_times_max = int64_t{points} * 100;
  if (percent_times_max >= int64_t{90} * max_points) return {"отлично", "excellent"};
  if (percent_times_max >= int64_t{70} * max_points) return {"хорошо", "good"};
  return {"удовлетворительно", "satisfactory"};
}

Status Registry::AddProgramme(const ProgrammeInput& in) {
  static const std::regex code_re("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$");
  if (!std::regex_match(in.code, code_re)) {
    return BadProgramme("code", "programme code: 1-32 characters A-Z, a-z, 0-9, '.', '_', '-'");
  }
  if (!PrintableText(in.title_ru, 500) || !PrintableText(in.title_en, 500)) {
    return BadProgramme("title", "the title in Russian and English is required");
  }
  if (!PrintableText(in.competence_area, 100)) {
    return BadProgramme("competence_area", "the competence area is required");
  }
  if (in.hours <= 0 || in.hours > 10000) return BadProgramme("hours", "hours must be 1..10000");
  if (in.max_points <= 0 || in.pass_mark < 0 || in.pass_mark > in.max_points) {
    return BadProgramme("pass_mark", "need 0 <= pass mark <= maximum points, maximum > 0");
  }
  if (!OneOf(kForms, in.form)) return BadProgramme("form", "form: distance, blended or in-person");
  if (!OneOf(kDocumentTypes, in.document_type)) {
    return BadProgramme("document_type",
                        "document type: qualification-upgrade, professional-retraining or "
                        "certificate");
  }
  if (in.outcomes.empty()) return BadProgramme("outcomes", "list at least one learning outcome");
  for (const auto& o : in.outcomes) {
    if (!PrintableText(o, 1000)) return BadProgramme("outcomes", "an outcome is empty or too long");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string outcomes, crypto::Canonicalize(Json(in.outcomes)));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string comps, crypto::Canonicalize(Json(in.competencies)));
  return db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(IssuerRow issuer, LoadIssuer(c, in.issuer));
    auto& q = c.Prepare(
        "INSERT INTO programmes(issuer_id, code, title_ru, title_en, competence_area, hours, "
        "pass_mark, max_points, form, document_type, outcomes, competencies) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(issuer.id));
    q.bind(2, in.code);
    q.bind(3, in.title_ru);
    q.bind(4, in.title_en);
    q.bind(5, in.competence_area);
    q.bind(6, in.hours);
    q.bind(7, in.pass_mark);
    q.bind(8, in.max_points);
    q.bind(9, in.form);
    q.bind(10, in.document_type);
    q.bind(11, outcomes);
    q.bind(12, comps);
    try {
      q.exec();
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
        return Status::AlreadyExists("programme.exists", "programme " + in.code + " exists")
            .WithField("code");
      }
      throw;
    }
    return Status::Ok();
  });
}

Result<CertificateRecord> Registry::CreateDraft(const CertificateInput& in) {
  CERTLEDGER_RETURN_IF_ERROR(ValidateCertificateFields(in));
  const int64_t now = clock_.NowMillis();
  CERTLEDGER_ASSIGN_OR_RETURN(const DraftSecrets d,
                              NewDraftSecrets(master_key_, SealingKey("identity-code"), in));
  std::string existing_code;
  // Rerunnable (Db::WriteRerunnable): everything from the database, the
  // answer set afresh.
  Status st = db_->WriteRerunnable([&](Conn& c) -> Status {
    existing_code.clear();
    return InsertDraft(c, in, d, now, /*confirmed=*/false, &existing_code);
  });
  CERTLEDGER_RETURN_IF_ERROR(st);
  return GetCertificate(existing_code.empty() ? d.code : existing_code);
}

Status Registry::CorrectName(const std::string& code, const std::string& name) {
  if (!PrintableText(name, 300)) {
    return BadCertificate("learner_name", "ФИО обязательно / the full name is required");
  }
  return db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
    if (r.state != "draft") {
      return Status::FailedPrecondition("certificate.state", "only a draft can be corrected");
    }
    auto& u =
        c.Prepare("UPDATE certificates SET learner_name = ?, name_confirmed = 1 WHERE id = ?");
    u.bind(1, name);
    u.bind(2, static_cast<int64_t>(r.id));
    u.exec();
    return Status::Ok();
  });
}

Status Registry::ConfirmName(const std::string& code) {
  return db_->WriteRerunnable([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
    if (r.state != "draft") {
      return Status::FailedPrecondition("certificate.state", "only a draft is confirmed");
    }
    auto& u = c.Prepare("UPDATE certificates SET name_confirmed = 1 WHERE id = ?");
    u.bind(1, static_cast<int64_t>(r.id));
    u.exec();
    return Status::Ok();
  });
}

Result<CertificateRecord> Registry::Issue(const std::string& code) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string slug, IssuerSlugOf(*db_, code));
  return Issue(CertificateScope{code, slug});
}

Result<CertificateRecord> Registry::Issue(const CertificateScope& scope) {
  return IssueChecked(scope, false);
}

Result<CertificateRecord> Registry::IssueFor(const std::string& typed_code,
                                             const std::string& issuer_slug) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, NormalizeRegistrationCode(typed_code));
  return IssueChecked(CertificateScope{std::move(code), issuer_slug}, true);
}

Result<CertificateRecord> Registry::IssueChecked(const CertificateScope& scope, bool check_owner) {
  const int64_t now = clock_.NowMillis();
  // In steps (Db::WriteInSteps): the writer checks the draft and claims its
  // status index, the credential is signed beside the writer (on a helper,
  // alongside the other issues of the group), then the writer logs and
  // stores it. Before, each request read a snapshot and signed for it
  // before its transaction: that read (its pages read again after every
  // commit) cost a sixth of the server's time per certificate.
  internal::IssueWork work;
  internal::IssuedDraft issued;
  const internal::WriteSteps steps{
      [&](Conn& c) -> Status {
        work = internal::IssueWork{};
        return PrepareIssueIn(c, scope.code, scope.issuer_slug, nullptr, now, nullptr, check_owner,
                              &work);
      },
      [&] { SignIssue(scope.issuer_slug, now, &work); },
      [&](Conn& c) -> Status {
        issued = internal::IssuedDraft{};
        return FinishIssueIn(c, scope.issuer_slug, now, work, &issued).status();
      }};
  CERTLEDGER_RETURN_IF_ERROR(db_->WriteInSteps(steps));
  ledger_->Notify();
  // The answer, as GetCertificate would read it back, built here rather than
  // in the writer.
  return RecordOf(issued.row, issued.programme, scope.issuer_slug, base_url_,
                  std::move(issued.credential), SealingKey("identity-code"),
                  std::move(issued.issuer));
}

Result<int64_t> Registry::IssueDraftIn(Conn& c, const std::string& code, const std::string& slug,
                                       const crypto::Signer& signer, int64_t now_ms,
                                       internal::CertificateLookups* cache,
                                       internal::IssuedDraft* issued) {
  internal::IssueWork work;
  CERTLEDGER_RETURN_IF_ERROR(PrepareIssueIn(c, code, slug, &signer, now_ms, cache, false, &work));
  SignIssue(slug, now_ms, &work);
  return FinishIssueIn(c, slug, now_ms, work, issued);
}

Status Registry::PrepareIssueIn(Conn& c, const std::string& code, const std::string& slug,
                                const crypto::Signer* signer, int64_t now_ms,
                                internal::CertificateLookups* cache, bool check_owner,
                                internal::IssueWork* w) {
  CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
  auto issuer = CachedIssuer(c, slug, cache);
  if (check_owner && (!issuer.ok() || issuer->id != r.issuer_id)) {
    return Status::PermissionDenied("auth.scope", "this belongs to another issuer");
  }
  if (r.state != "draft") {
    return Status::FailedPrecondition("certificate.state", "the certificate is already " + r.state);
  }
  if (!r.name_confirmed) {
    return Status::FailedPrecondition(
        "certificate.name-unconfirmed",
        "the learner has not yet confirmed the spelling of the name on the draft");
  }
  CERTLEDGER_RETURN_IF_ERROR(issuer.status());
  if (issuer->status != "active") {
    return Status::FailedPrecondition("issuer.suspended",
                                      "the issuer \"" + slug + "\" is suspended and cannot issue");
  }
  if (r.issuer_id != issuer->id) return CertificateNotFound();  // not this issuer's
  CERTLEDGER_ASSIGN_OR_RETURN(w->programme,
                              CachedProgramme(c, issuer->id, "", r.programme_id, cache));
  // The issuer's active key as of this transaction: after a rotation since the
  // caller opened `signer`, the new key signs.
  const std::string did = IssuerDid(slug);
  auto active = ActiveKeyIn(c, issuer->id);
  if (signer != nullptr &&
      (!active || signer->KeyId() == did + "#key-" + std::to_string(active->n))) {
    w->key = signer;
  } else if (!active) {
    return Status::FailedPrecondition("key.none-active",
                                      "the issuer has no active key; rotate to a new key first");
  } else {
    CERTLEDGER_ASSIGN_OR_RETURN(w->active, CachedSigner(slug, active->n, active->sealed));
    w->key = w->active.get();
  }
  // A random free index in the issuer's current status list (a new list,
  // signed by the key, when it is full).
  internal::StatusListOwner owner{issuer->id, base_url_, slug, did, w->key};
  CERTLEDGER_ASSIGN_OR_RETURN(w->slot, internal::AllocateStatusIndex(c, owner, now_ms));
  w->row = std::move(r);
  w->issuer = std::move(issuer).value();
  return Status::Ok();
}

void Registry::SignIssue(const std::string& slug, int64_t now_ms, internal::IssueWork* w) {
  try {
    w->signed_credential = SignDraft(templates_mu_, templates_, base_url_, slug, IssuerDid(slug),
                                     w->issuer, w->programme, w->row, w->slot, *w->key, now_ms);
  } catch (const std::exception& e) {
    w->signed_credential = Status::Internal("issue.sign", e.what());
  }
}

Result<int64_t> Registry::FinishIssueIn(Conn& c, const std::string& slug, int64_t now_ms,
                                        internal::IssueWork& w, internal::IssuedDraft* issued) {
  CERTLEDGER_RETURN_IF_ERROR(w.signed_credential.status());
  const SignedCredential& sc = *w.signed_credential;
  CertRow& r = w.row;
  const std::string did = IssuerDid(slug);
  const int n = w.slot.n;
  const int64_t idx = w.slot.idx;
  const std::string url = base_url_ + "/v/" + r.code;
  const std::string& list_url = w.slot.list_url;
  const std::string& canon = sc.canon;
  LedgerEvent ev{std::string(event::kCertificateIssued),
                 SubjectIdFor(url),
                 did,
                 sc.digest,
                 now_ms,
                 Json{{"documentType", w.programme.document_type}, {"statusList", list_url}}};
  if (!r.supersedes.empty())
    ev.fields["supersedes"] = SubjectIdFor(base_url_ + "/v/" + r.supersedes);
  CERTLEDGER_ASSIGN_OR_RETURN(int64_t ledger_idx, ledger_->Append(c, ev));
  // Stored as its RFC 8785 form: the exact bytes the ledger digest covers
  // (so a revocation entry's digest is the issuance digest), and no second
  // serialization per certificate. Still a draft: another write of the
  // group may have issued it since PrepareIssueIn (Db::WriteSteps).
  auto& u = c.Prepare(
      "UPDATE certificates SET state = 'issued', credential = ?, ledger_idx = ?, status_n = ?, "
      "status_idx = ?, issued_ms = ? WHERE id = ? AND state = 'draft'");
  u.bind(1, canon.data(), static_cast<int>(canon.size()));
  u.bind(2, static_cast<int64_t>(ledger_idx));
  u.bind(3, n);
  u.bind(4, static_cast<int64_t>(idx));
  u.bind(5, static_cast<int64_t>(now_ms));
  u.bind(6, static_cast<int64_t>(r.id));
  if (u.exec() != 1) {
    return Status::FailedPrecondition("certificate.state", "the certificate is already issued");
  }
  // The voucher it references is completed in the same transaction (vouchers.cc).
  if (!r.voucher.empty()) {
    CERTLEDGER_RETURN_IF_ERROR(CompleteVoucher(c, r.voucher, slug, r.code, now_ms));
  }
  if (!r.supersedes.empty()) {
    const internal::StatusListOwner owner{w.issuer.id, base_url_, slug, did, w.key};
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow prev, LoadCert(c, r.supersedes));
    if (prev.state != "issued" || prev.issuer_id != w.issuer.id) {
      return Status::FailedPrecondition("certificate.state",
                                        "the certificate to supersede is no longer issued");
    }
    // A superseded certificate is no longer in force: its revocation bit is set
    // (W3C Bitstring Status List §2.1, statusPurpose "revocation"), so a verifier
    // that sees only the credential and the list does not call it valid.
    CERTLEDGER_ASSIGN_OR_RETURN(
        std::string prev_list,
        internal::SetStatusBit(c, owner, prev.status_n, prev.status_idx, now_ms));
    auto& old =
        c.Prepare("UPDATE certificates SET state = 'superseded', superseded_by = ? WHERE id = ?");
    old.bind(1, r.code);
    old.bind(2, static_cast<int64_t>(prev.id));
    old.exec();
    const std::string prev_list_url = internal::StatusListUrl(base_url_, slug, prev.status_n);
    LedgerEvent lu{
        std::string(event::kStatusListUpdated), prev_list_url, did,
        crypto::Sha256Tagged(prev_list),        now_ms,        Json{{"statusList", prev_list_url}}};
    CERTLEDGER_RETURN_IF_ERROR(ledger_->Append(c, lu).status());
    const std::string old_url = base_url_ + "/v/" + r.supersedes;
    LedgerEvent sup{std::string(event::kCertificateSuperseded),
                    SubjectIdFor(old_url),
                    did,
                    crypto::Sha256Tagged(canon),
                    now_ms,
                    Json{{"supersededBy", SubjectIdFor(url)}}};
    CERTLEDGER_RETURN_IF_ERROR(ledger_->Append(c, sup).status());
  }
  if (issued) {
    // The row as the UPDATE above left it.
    r.state = "issued";
    r.ledger_idx = ledger_idx;
    r.status_n = n;
    r.status_idx = static_cast<int>(idx);
    r.issued_ms = now_ms;
    issued->issuer = ViewOfIssuer(w.issuer, slug, did);  // as prepare read it
    issued->row = std::move(r);
    issued->programme = std::move(w.programme);
    issued->credential = canon;
  }
  return ledger_idx;
}

Result<std::vector<BatchRowResult>> Registry::IssueBatch(
    const std::string& issuer_slug, const std::vector<CertificateInput>& rows) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, ActiveSigner(issuer_slug));
  const int64_t now = clock_.NowMillis();
  const std::string did = IssuerDid(issuer_slug);
  const CredentialConstants constants{base_url_, issuer_slug, did, crypto::FormatRfc3339(now)};
  std::vector<BatchRowResult> out(rows.size());
  // Validate, then commit: the checks that need no database run first, and
  // the secrets and canonical values of each row are made outside the write
  // lock, on every core.
  struct Prepared {
    CertificateInput in;
    DraftSecrets d;
    // No voucher, no reissue, every value canonical: drafted, then signed
    // from the programme's CredentialTemplate. Other rows take the path of
    // Issue() (InsertDraft, IssueDraftIn) in their own savepoint.
    bool templated = false;
    CredentialTemplate::Values values;
  };
  std::vector<Prepared> prep(rows.size());
  const crypto::SecretBytes identity_key = SealingKey("identity-code");
  ParallelFor(rows.size(), [&](size_t i) {
    BatchRowResult& res = out[i];
    res.row = i;
    try {
      if (!rows[i].issuer.empty() && rows[i].issuer != issuer_slug) {
        res.status = Status::InvalidArgument("issuer.mismatch",
                                             "the row names another issuer than the batch")
                         .WithField("issuer");
        return;
      }
      Prepared& p = prep[i];
      p.in = rows[i];
      p.in.issuer = issuer_slug;
      res.status = ValidateCertificateFields(p.in);
      if (!res.status.ok()) return;
      auto d = NewDraftSecrets(master_key_, identity_key, p.in);
      res.status = d.status();
      if (!res.status.ok()) return;
      p.d = std::move(d).value();
      if (!p.in.voucher.empty() || !p.in.supersedes.empty()) return;
      auto values =
          RowValues(base_url_ + "/v/" + p.d.code, p.in.learner_name, p.d.learner_hash, p.in.points,
                    p.in.period_start, p.in.period_end, p.in.identity_share, p.in.identity_method);
      if (!values) return;  // Issue()'s path reports it
      p.values = std::move(*values);
      p.templated = true;
    } catch (const std::exception& e) {
      res.status = Status::Internal("batch.internal", e.what());
    }
  });
  std::vector<size_t> good;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (out[i].status.ok()) good.push_back(i);
  }

  // Templated rows on their way: checked and given a status index by the
  // writer (in a transaction), signed on every core, then logged and stored
  // by the writer, in row order. Indexed like `good`.
  struct Job {
    const CredentialTemplate* tmpl = nullptr;
    const std::string* document_type = nullptr;
    int64_t issuer_id = 0, programme_id = 0;
    internal::StatusSlot slot;
    std::string credential;  // RFC 8785: the stored bytes, what the digest covers
    std::string entry;       // its ledger entry (EncodeEntry)
    Status status;
    std::atomic<bool> done{false};
  };
  std::vector<Job> jobs(good.size());
  std::optional<ProofTemplate> proof;  // set before the first job is submitted
  auto sign = [&](size_t id) {
    Job& job = jobs[id];
    try {
      Prepared& row = prep[good[id]];
      row.values[kHoleStatusIdx] = std::to_string(job.slot.idx);
      auto list_url = CanonicalContent(job.slot.list_url);
      if (list_url.ok()) {
        row.values[kHoleListUrl] = std::move(list_url).value();
        auto signed_text = SignFromTemplate(*job.tmpl, *proof, row.values, *signer);
        if (signed_text.ok()) {
          const std::string& cred = job.credential = std::move(signed_text).value();
          const LedgerEvent ev{
              std::string(event::kCertificateIssued),
              SubjectIdFor(base_url_ + "/v/" + row.d.code),
              did,
              crypto::Sha256Tagged(cred),
              now,
              Json{{"documentType", *job.document_type}, {"statusList", job.slot.list_url}}};
          auto entry = EncodeEntry(ev);
          if (entry.ok()) {
            job.entry = std::move(entry).value();
          } else {
            job.status = entry.status();
          }
        } else {
          job.status = signed_text.status();
        }
      } else {
        job.status = list_url.status();
      }
    } catch (const std::exception& e) {
      job.status = Status::Internal("batch.internal", e.what());
    }
    job.done.store(true, std::memory_order_release);
  };
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  SignerPool pool(sign, good.empty() ? 0 : std::max<size_t>(1, cores - 1));

  // Many rows per durable transaction, handled in row order. A templated row
  // is checked (CheckDraft) and queued; every few rows the queued ones get
  // their status indexes and go to the signers, and the signed ones are
  // logged and stored (one ledger entry each, in row order), while the writer
  // goes on checking. Before any other row (a voucher, a reissue, a request
  // key seen before that is still a draft), and before a row that could
  // collide with a queued one (same request key, or learner, programme and
  // period), every queued row is stored first, so each check sees every
  // earlier row exactly as when rows were issued one by one. A row that
  // fails a database check (programme, pass mark, duplicate, voucher) leaves
  // nothing behind while the others commit; any other error fails the group
  // (Db::Write rolls the closure back). A crash before a COMMIT leaves none
  // of that group's rows and nobody has been told.
  const size_t rows_per_transaction = batch_rows_per_transaction_;
  constexpr size_t kSubmitEvery = 16;
  for (size_t g = 0; g < good.size(); g += rows_per_transaction) {
    const size_t end = std::min(good.size(), g + rows_per_transaction);
    std::vector<BatchRowResult> group(end - g);
    Status st = db_->Write([&](Conn& c) -> Status {
      internal::CertificateLookups cache;
      std::map<int64_t, CredentialTemplate> templates;  // by programme id
      std::vector<size_t> queued;                       // job ids, in row order
      size_t submitted = 0, stored = 0;                 // prefixes of `queued`
      std::set<std::string> queued_keys;                // request keys and learner keys
      // No job may outlive the closure's state, whichever way it returns.
      struct QuiesceOnExit {
        SignerPool& pool;
        ~QuiesceOnExit() { pool.Quiesce(); }
      } quiesce{pool};

      auto submit = [&]() -> Status {
        if (submitted == queued.size()) return Status::Ok();
        internal::StatusListOwner owner{cache.issuer->id, base_url_, issuer_slug, did,
                                        signer.get()};
        CERTLEDGER_ASSIGN_OR_RETURN(
            std::vector<internal::StatusSlot> slots,
            internal::AllocateStatusIndexes(c, owner, now, queued.size() - submitted));
        for (auto& slot : slots) {
          jobs[queued[submitted]].slot = std::move(slot);
          pool.Submit(queued[submitted++]);
        }
        return Status::Ok();
      };
      // Logs and stores the signed prefix of the queue; with `all`, the
      // whole queue (waiting for, and helping with, the signing).
      auto store = [&](bool all) -> Status {
        if (all) CERTLEDGER_RETURN_IF_ERROR(submit());
        size_t upto = stored;
        while (upto < submitted) {
          Job& job = jobs[queued[upto]];
          if (all) {
            pool.WaitUntil([&] { return job.done.load(std::memory_order_acquire); });
          } else if (!job.done.load(std::memory_order_acquire)) {
            break;
          }
          ++upto;
        }
        if (upto > stored) {
          std::vector<std::string> entries;
          entries.reserve(upto - stored);
          for (size_t q = stored; q < upto; ++q) {
            Job& job = jobs[queued[q]];
            CERTLEDGER_RETURN_IF_ERROR(job.status);
            entries.push_back(std::move(job.entry));
          }
          CERTLEDGER_ASSIGN_OR_RETURN(int64_t first, ledger_->AppendEncodedBatch(c, entries));
          // The row as InsertDraft and IssueDraftIn together would leave it.
          auto& ins = c.Prepare(
              "INSERT INTO certificates(code, issuer_id, programme_id, state, learner_name, "
              "learner_key, identity_code, learner_hash, period_start, period_end, points, "
              "identity_share, identity_method, voucher, supersedes, created_ms, request_key, "
              "name_confirmed, credential, ledger_idx, status_n, status_idx, issued_ms, "
              "learner_salt) VALUES (?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, "
              "?, 1, ?, ?, ?, ?, ?, '')");
          for (size_t q = stored; q < upto; ++q) {
            const size_t id = queued[q];
            const Job& job = jobs[id];
            const Prepared& row = prep[good[id]];
            const int64_t ledger_idx = first + static_cast<int64_t>(q - stored);
            ins.bind(1, row.d.code);
            ins.bind(2, static_cast<int64_t>(job.issuer_id));
            ins.bind(3, static_cast<int64_t>(job.programme_id));
            ins.bind(4, row.in.learner_name);
            ins.bindNoCopy(5, row.d.learner_key.data(), static_cast<int>(row.d.learner_key.size()));
            ins.bindNoCopy(6, row.d.sealed_identity_code.data(),
                           static_cast<int>(row.d.sealed_identity_code.size()));
            ins.bind(7, row.d.learner_hash);
            ins.bind(8, row.in.period_start);
            ins.bind(9, row.in.period_end);
            ins.bind(10, row.in.points);
            ins.bind(11, row.in.identity_share);
            ins.bind(12, row.in.identity_method);
            ins.bind(13, static_cast<int64_t>(now));
            if (row.in.request_key.empty()) {
              ins.bind(14);
            } else {
              ins.bind(14, row.in.request_key);
            }
            ins.bindNoCopy(15, job.credential.data(), static_cast<int>(job.credential.size()));
            ins.bind(16, static_cast<int64_t>(ledger_idx));
            ins.bind(17, job.slot.n);
            ins.bind(18, static_cast<int64_t>(job.slot.idx));
            ins.bind(19, static_cast<int64_t>(now));
            ins.exec();
            ins.reset();
            BatchRowResult& res = group[id - g];
            res.code = row.d.code;
            res.ledger_index = ledger_idx;
          }
          stored = upto;
        }
        if (all) {
          queued.clear();
          queued_keys.clear();
          submitted = stored = 0;
        }
        return Status::Ok();
      };

      for (size_t k = g; k < end; ++k) {
        const size_t i = good[k];
        const Prepared& row = prep[i];
        const CertificateInput& in = row.in;
        BatchRowResult& res = group[k - g];
        res = BatchRowResult{i, "", false, -1, Status::Ok()};
        std::string existing;
        if (row.templated) {
          if (!in.request_key.empty() && queued_keys.count("r" + in.request_key)) {
            CERTLEDGER_RETURN_IF_ERROR(store(/*all=*/true));
          }
          Job& job = jobs[k];
          res.status =
              CheckDraft(c, in, row.d, &existing, &job.issuer_id, &job.programme_id, &cache);
          std::string learner;
          if (res.status.ok() && existing.empty()) {
            learner = "l" + std::to_string(job.programme_id) + "|" + row.d.learner_key + "|" +
                      in.period_start + "|" + in.period_end;
            if (queued_keys.count(learner)) {
              // The same learner, programme and period as a queued row:
              // store it, and check again (now a duplicate).
              CERTLEDGER_RETURN_IF_ERROR(store(/*all=*/true));
              res.status =
                  CheckDraft(c, in, row.d, &existing, &job.issuer_id, &job.programme_id, &cache);
            }
          }
          if (!res.status.ok()) continue;
          if (existing.empty()) {
            const Programme& p = cache.by_code.at(in.programme);  // CheckDraft read it
            auto tit = templates.find(p.id);
            if (tit == templates.end()) {
              CERTLEDGER_ASSIGN_OR_RETURN(CredentialTemplate t,
                                          CredentialTemplate::Create(constants, *cache.issuer, p));
              if (!proof) {
                CERTLEDGER_ASSIGN_OR_RETURN(
                    proof, ProofTemplate::Create(t.context(), constants.valid_from, *signer));
              }
              tit = templates.emplace(p.id, std::move(t)).first;
            }
            job.tmpl = &tit->second;
            job.document_type = &p.document_type;
            queued.push_back(k);
            queued_keys.insert(std::move(learner));
            if (!in.request_key.empty()) queued_keys.insert("r" + in.request_key);
            if (queued.size() - submitted >= kSubmitEvery) {
              CERTLEDGER_RETURN_IF_ERROR(submit());
              CERTLEDGER_RETURN_IF_ERROR(store(/*all=*/false));
            }
            continue;
          }
          // A request key seen before: as Issue() would, below.
        } else {
          CERTLEDGER_RETURN_IF_ERROR(store(/*all=*/true));
        }
        // Every check of a plain row runs before its first write, so a
        // rejected row has written nothing; a row with a voucher or a
        // reissue can fail after writing (CompleteVoucher, the superseded
        // row), so it gets its own savepoint. A database exception fails
        // the whole group (rolled back by Db::Write).
        const bool savepoint = !in.voucher.empty() || !in.supersedes.empty();
        if (savepoint) c.Exec("SAVEPOINT batch_row");
        if (existing.empty()) {
          res.status = InsertDraft(c, in, row.d, now, /*confirmed=*/true, &existing, &cache);
        }
        if (res.status.ok() && !existing.empty()) {
          // Idempotent re-run: the row was handled by an earlier request.
          CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, existing));
          res.code = existing;
          res.already_issued = r.state != "draft";
          res.ledger_index = r.ledger_idx;
          if (!res.already_issued) {
            // It is issued now: after the queued rows, in row order.
            CERTLEDGER_RETURN_IF_ERROR(store(/*all=*/true));
            if (!r.name_confirmed) {
              auto& u = c.Prepare("UPDATE certificates SET name_confirmed = 1 WHERE id = ?");
              u.bind(1, static_cast<int64_t>(r.id));
              u.exec();
            }
          }
        } else if (res.status.ok()) {
          res.code = row.d.code;
        }
        if (res.status.ok() && !res.already_issued) {
          auto idx = IssueDraftIn(c, res.code, issuer_slug, *signer, now, &cache);
          res.status = idx.status();
          if (idx.ok()) res.ledger_index = *idx;
        }
        if (!res.status.ok()) {
          res.code.clear();
          res.already_issued = false;
          res.ledger_index = -1;
        }
        if (savepoint) {
          c.ResetAll();
          if (!res.status.ok()) c.Exec("ROLLBACK TO batch_row");
          c.Exec("RELEASE batch_row");
        }
      }
      return store(/*all=*/true);
    });
    if (!st.ok()) {
      // The whole group was rolled back (a database error): nothing of it stays.
      for (auto& res : group) res = BatchRowResult{res.row, "", false, -1, st};
    }
    for (auto& res : group) out[res.row] = std::move(res);
  }
  ledger_->Notify();
  return out;
}

Status Registry::Revoke(const std::string& code, const std::string& reason_code,
                        const std::string& reason_text) {
  static const std::regex reason_re("^[a-z0-9][a-z0-9-]{1,39}$");
  if (!std::regex_match(reason_code, reason_re)) {
    return BadCertificate("reason", "the reason code must be 2-40 characters a-z, 0-9, '-'");
  }
  if (!reason_text.empty() && !PrintableText(reason_text, 1000)) {
    return BadCertificate("reason_text", "the reason text is too long or has control characters");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(std::string slug, IssuerSlugOf(*db_, code));
  // The status list is re-signed by the issuer even when it is suspended: a
  // revocation must always be publishable.
  CERTLEDGER_ASSIGN_OR_RETURN(auto signer, SignerFor(slug, /*allow_suspended=*/true));
  const int64_t now = clock_.NowMillis();
  const std::string did = IssuerDid(slug);
  Status st = db_->Write([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
    if (r.state != "issued") {
      return Status::FailedPrecondition(
          "certificate.state", "only an issued certificate can be revoked (it is " + r.state + ")");
    }
    internal::StatusListOwner owner{r.issuer_id, base_url_, slug, did, signer.get()};
    CERTLEDGER_ASSIGN_OR_RETURN(std::string signed_list,
                                internal::SetStatusBit(c, owner, r.status_n, r.status_idx, now));
    auto& u = c.Prepare(
        "UPDATE certificates SET state = 'revoked', revoked_ms = ?, revocation_reason = ? WHERE "
        "id = ?");
    u.bind(1, static_cast<int64_t>(now));
    u.bind(2, reason_code + (reason_text.empty() ? "" : ": " + reason_text));
    u.bind(3, static_cast<int64_t>(r.id));
    u.exec();
    const std::string url = base_url_ + "/v/" + r.code;
    const std::string list_url = internal::StatusListUrl(base_url_, slug, r.status_n);
    LedgerEvent ev{std::string(event::kCertificateRevoked),
                   SubjectIdFor(url),
                   did,
                   crypto::Sha256Tagged(r.credential),
                   now,
                   Json{{"reason", reason_code}, {"statusList", list_url}}};
    CERTLEDGER_RETURN_IF_ERROR(ledger_->Append(c, ev).status());
    LedgerEvent lu{
        std::string(event::kStatusListUpdated), list_url, did,
        crypto::Sha256Tagged(signed_list),      now,      Json{{"statusList", list_url}}};
    return ledger_->Append(c, lu).status();
  });
  if (st.ok()) ledger_->Notify();
  return st;
}

Result<ProgrammeInput> Registry::GetProgramme(const std::string& slug, const std::string& code) {
  ProgrammeInput out;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(IssuerRow issuer, LoadIssuer(c, slug));
    CERTLEDGER_ASSIGN_OR_RETURN(Programme p, LoadProgramme(c, issuer.id, code));
    out = ProgrammeInput{slug,        p.code,       p.title_ru, p.title_en,      p.area, p.hours,
                         p.pass_mark, p.max_points, p.form,     p.document_type, {},     {}};
    for (const auto& o : p.outcomes) out.outcomes.push_back(o.get<std::string>());
    for (const auto& o : p.competencies) out.competencies.push_back(o.get<std::string>());
    return Status::Ok();
  }));
  return out;
}

Result<CertificateRecord> Registry::GetCertificate(const std::string& typed_code) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, NormalizeRegistrationCode(typed_code));
  std::optional<CertificateRecord> rec;
  const crypto::SecretBytes identity_key = SealingKey("identity-code");
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    CERTLEDGER_ASSIGN_OR_RETURN(CertRow r, LoadCert(c, code));
    const std::string slug = SlugOf(c, r.issuer_id);
    CERTLEDGER_ASSIGN_OR_RETURN(Programme p, LoadProgramme(c, r.issuer_id, "", r.programme_id));
    // In the same read (one snapshot, one transaction).
    CERTLEDGER_ASSIGN_OR_RETURN(model::IssuerView issuer, IssuerViewIn(c, slug));
    std::string credential = std::move(r.credential);
    CERTLEDGER_ASSIGN_OR_RETURN(rec, RecordOf(r, p, slug, base_url_, std::move(credential),
                                              identity_key, std::move(issuer)));
    return Status::Ok();
  }));
  return std::move(*rec);
}

Result<CertificateScope> Registry::CertificateScopeOf(const std::string& typed_code) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, NormalizeRegistrationCode(typed_code));
  CertificateScope scope;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT c.code, i.slug FROM certificates c JOIN issuers i ON i.id = c.issuer_id WHERE "
        "c.code = ?");
    q.bind(1, code);
    if (!q.executeStep()) return CertificateNotFound();
    scope.code = q.getColumn(0).getString();
    scope.issuer_slug = q.getColumn(1).getString();
    return Status::Ok();
  }));
  return scope;
}

Result<crypto::Receipt> Registry::CertificateReceipt(const std::string& code) {
  CERTLEDGER_ASSIGN_OR_RETURN(CertificateRecord rec, GetCertificate(code));
  if (rec.ledger_index < 0) {
    return Status::FailedPrecondition("certificate.state", "a draft has no ledger receipt");
  }
  return ledger_->ReceiptFor(rec.ledger_index);
}

Result<Json> Registry::StatusList(const std::string& slug, int n) {
  std::string signed_list;
  CERTLEDGER_RETURN_IF_ERROR(db_->Read([&](Conn& c) -> Status {
    auto& q = c.Prepare(
        "SELECT s.signed FROM status_lists s JOIN issuers i ON s.issuer_id = i.id WHERE i.slug = "
        "? AND s.n = ?");
    q.bind(1, slug);
    q.bind(2, n);
    if (!q.executeStep()) {
      return Status::NotFound("statuslist.unknown",
                              "no status list " + slug + "/" + std::to_string(n));
    }
    signed_list = internal::Blob(q.getColumn(0));
    return Status::Ok();
  }));
  return crypto::ParseJson(signed_list);
}

}  // namespace certledger::registry
