#include "registry/ledger/entry.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "crypto/hash.h"
#include "crypto/rfc3339.h"

namespace certledger::registry {
namespace {

constexpr std::array<std::string_view, 20> kEventTypes = {
    event::kCertificateIssued,
    event::kCertificateRevoked,
    event::kCertificateSuperseded,
    event::kApplicationQueued,
    event::kApplicationLapsed,
    event::kVoucherIssued,
    event::kVoucherEnrolled,
    event::kVoucherCompleted,
    event::kVoucherAnnulled,
    event::kVoucherWithdrawn,
    event::kVoucherExpired,
    event::kYearConfigured,
    event::kIssuerRegistered,
    event::kIssuerSuspended,
    event::kIssuerReactivated,
    event::kKeyAdded,
    event::kKeyRetired,
    event::kKeyRevoked,
    event::kStatusListUpdated,
    event::kTest,
};

// The closed list of public fields an entry may carry besides the five base
// ones. Adding a field here is a privacy review: it must never hold personal
// data. Do not rename: ledger format.
constexpr std::array<std::string_view, 22> kPublicFields = {
    "reason",      // revocation/annulment reason code, e.g. "documents-late"
    "supersedes",  // ledger id of the credential a reissue replaces
    "supersededBy",
    "year",          // programme year
    "quota",         // the year's voucher quota
    "opensAt",       // when applications open (RFC 3339)
    "closesAt",      // when the year ends (RFC 3339)
    "timeZone",      // the year's time zone
    "queueSeq",      // arrival sequence number of a queued application
    "servedSeq",     // the queue sequence an issuance served
    "slotFreed",     // whether an annulment/withdrawal freed a quota slot
    "application",   // pseudonymous application id
    "statusList",    // URL of a status list credential
    "keyId",         // verification method id
    "kind",          // issuer kind
    "validUntil",    // end of validity (RFC 3339)
    "effectiveAt",   // when a key revocation takes effect (RFC 3339)
    "programme",     // programme code from the public catalogue
    "documentType",  // certificate document type code
    "count",         // a count (e.g. entries in a status list update)
    "slug",          // issuer slug (public)
    "seq",           // test sequence number
};

Status BadEvent(std::string msg) {
  return Status::InvalidArgument("ledger.bad-event", std::move(msg));
}

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

}  // namespace

bool IsKnownEventType(std::string_view type) {
  return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

std::string SubjectIdFor(std::string_view credential_id) {
  return crypto::Sha256Tagged(credential_id);
}

Result<std::string> EncodeEntry(const LedgerEvent& e) {
  if (!IsKnownEventType(e.type)) return BadEvent("unknown ledger event type \"" + e.type + "\"");
  if (e.id.empty()) return BadEvent("a ledger event needs an id");
  auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (e.digest.size() != 71 || e.digest.compare(0, 7, "sha256:") != 0 ||
      !std::all_of(e.digest.begin() + 7, e.digest.end(), lower_hex)) {
    return BadEvent("a ledger digest must be sha256:<64 hex digits>");
  }
  if (e.time_ms <= 0) return BadEvent("a ledger event needs a time");
  if (!e.fields.is_object()) return BadEvent("ledger fields must be an object");
  // Written directly in canonical form (RFC 8785): every key is ASCII, so
  // byte order equals the UTF-16 order of section 3.2.3. This runs once per
  // ledger entry; building a JSON object first cost more than the insert.
  std::vector<std::pair<std::string_view, std::string>> members;
  members.reserve(5 + e.fields.size());
  for (const auto& [key, value] : e.fields.items()) {
    if (std::find(kPublicFields.begin(), kPublicFields.end(), key) == kPublicFields.end()) {
      return Status::InvalidArgument("ledger.field-not-public",
                                     "field \"" + key + "\" is not on the ledger's public list");
    }
    bool ok = IsScalar(value);
    if (value.is_array()) ok = std::all_of(value.begin(), value.end(), IsScalar);
    if (!ok) return BadEvent("ledger field \"" + key + "\" must be a scalar or array of scalars");
    CERTLEDGER_ASSIGN_OR_RETURN(std::string v, crypto::Canonicalize(value));
    // The key's storage lives in e.fields (std::map keys are stable).
    members.emplace_back(*std::find(kPublicFields.begin(), kPublicFields.end(), key), std::move(v));
  }
  auto str = [](std::string_view s) -> Result<std::string> {
    std::string out;
    CERTLEDGER_RETURN_IF_ERROR(crypto::AppendCanonicalString(s, &out));
    return out;
  };
  CERTLEDGER_ASSIGN_OR_RETURN(std::string digest, str(e.digest));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string id, str(e.id));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string issuer, str(e.issuer));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string type, str(e.type));
  members.emplace_back("digest", std::move(digest));
  members.emplace_back("id", std::move(id));
  members.emplace_back("issuer", std::move(issuer));
  members.emplace_back("time", "\"" + crypto::FormatRfc3339(e.time_ms, true) + "\"");
  members.emplace_back("type", std::move(type));
  std::sort(members.begin(), members.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += members[i].first;
    out += "\":";
    out += members[i].second;
  }
  out += '}';
  return out;
}

Result<LedgerEvent> DecodeEntry(std::string_view bytes) {
  auto parsed = crypto::ParseJson(bytes);
  auto bad = [](std::string m) { return Status::InvalidArgument("ledger.bad-entry", m); };
  if (!parsed.ok()) return bad("entry is not JSON: " + parsed.status().message());
  Json& j = *parsed;
  if (!j.is_object()) return bad("entry is not a JSON object");
  LedgerEvent e;
  for (const char* k : {"type", "id", "issuer", "digest", "time"}) {
    if (!j.contains(k) || !j[k].is_string()) return bad(std::string("entry lacks \"") + k + "\"");
  }
  e.type = j["type"].get<std::string>();
  e.id = j["id"].get<std::string>();
  e.issuer = j["issuer"].get<std::string>();
  e.digest = j["digest"].get<std::string>();
  auto t = crypto::ParseRfc3339(j["time"].get<std::string>());
  if (!t.ok()) return bad("entry time: " + t.status().message());
  e.time_ms = *t;
  for (const char* k : {"type", "id", "issuer", "digest", "time"}) j.erase(k);
  e.fields = std::move(j);
  return e;
}

}  // namespace certledger::registry
