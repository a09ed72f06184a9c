#include "registry/ledger/entry.h"

#include <algorithm>
#include <array>
#include <cstring>
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

// Whether any of the 8 bytes in `w` needs the full canonical writer: a
// control character, '"', '\\', DEL or a non-ASCII byte (bit tricks from
// "Bit Twiddling Hacks", haszero/hasless).
inline bool HasNonPlainByte(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  uint64_t special = ((w - kOnes * 0x20) & ~w & kHigh) | (w & kHigh) | has_zero(w ^ (kOnes * '"')) |
                     has_zero(w ^ (kOnes * '\\')) | has_zero(w ^ (kOnes * 0x7f));
  return special != 0;
}

// Appends `s` as an RFC 8785 string. Ids, DIDs, digests and URLs are
// printable ASCII with nothing to escape, which is copied as is; anything
// else goes through the full canonical writer.
Status AppendJsonString(std::string_view s, std::string* out) {
  bool plain = true;
  size_t i = 0;
  for (uint64_t w; plain && i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    plain = !HasNonPlainByte(w);
  }
  for (; plain && i < s.size(); ++i) {
    char c = s[i];
    plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  if (!plain) return crypto::AppendCanonicalString(s, out);
  out->push_back('"');
  out->append(s);
  out->push_back('"');
  return Status::Ok();
}

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
  bool hex = e.digest.size() == 71 && e.digest.compare(0, 7, "sha256:") == 0;
  for (size_t i = 7; hex && i < e.digest.size(); ++i) {
    char c = e.digest[i];
    hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!hex) {
    return BadEvent("a ledger digest must be sha256:<64 hex digits>");
  }
  if (e.time_ms <= 0) return BadEvent("a ledger event needs a time");
  if (!e.fields.is_object()) return BadEvent("ledger fields must be an object");
  // Written directly in canonical form (RFC 8785) into one buffer: every key
  // is ASCII, so byte order equals the UTF-16 order of section 3.2.3. The
  // five base keys are a fixed sorted list and e.fields iterates its keys in
  // sorted order (std::map), so a merge of the two gives the member order.
  // This runs once per ledger entry; building a JSON object first, or one
  // string per member, cost more than the SQLite insert.
  struct Base {
    std::string_view key;
    const std::string* value;  // nullptr: the time
  };
  const std::array<Base, 5> base = {{{"digest", &e.digest},
                                     {"id", &e.id},
                                     {"issuer", &e.issuer},
                                     {"time", nullptr},
                                     {"type", &e.type}}};
  std::string out;
  out.reserve(512);
  out += '{';
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += k;
    out += "\":";
  };
  auto write_base = [&](const Base& b) -> Status {
    key(b.key);
    if (b.value == nullptr) {
      out += '"';
      out += crypto::FormatRfc3339(e.time_ms, true);
      out += '"';
      return Status::Ok();
    }
    return AppendJsonString(*b.value, &out);
  };
  size_t next_base = 0;
  for (const auto& [k, value] : e.fields.items()) {
    auto known = std::find(kPublicFields.begin(), kPublicFields.end(), k);
    if (known == kPublicFields.end()) {
      return Status::InvalidArgument("ledger.field-not-public",
                                     "field \"" + k + "\" is not on the ledger's public list");
    }
    bool ok = IsScalar(value);
    if (value.is_array()) ok = std::all_of(value.begin(), value.end(), IsScalar);
    if (!ok) return BadEvent("ledger field \"" + k + "\" must be a scalar or array of scalars");
    while (next_base < base.size() && base[next_base].key < *known) {
      CERTLEDGER_RETURN_IF_ERROR(write_base(base[next_base++]));
    }
    key(*known);
    if (value.is_string()) {
      CERTLEDGER_RETURN_IF_ERROR(AppendJsonString(value.get_ref<const std::string&>(), &out));
    } else {
      CERTLEDGER_ASSIGN_OR_RETURN(std::string v, crypto::Canonicalize(value));
      out += v;
    }
  }
  while (next_base < base.size()) CERTLEDGER_RETURN_IF_ERROR(write_base(base[next_base++]));
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
