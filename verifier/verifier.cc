#include "verifier/verifier.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/data_integrity.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/merkle.h"
#include "crypto/multikey.h"
#include "crypto/receipt.h"
#include "crypto/rfc3339.h"
#include "crypto/signed_note.h"

namespace certledger::verifier {
namespace {

constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

Check Make(CheckId id, CheckStatus status, std::string slug, std::string en, std::string ru,
           Verdict failure = Verdict::kInvalid) {
  Check c;
  c.id = id;
  c.status = status;
  c.slug = std::move(slug);
  c.reason = Text{std::move(en), std::move(ru)};
  c.failure = failure;
  return c;
}
Check Passed(CheckId id, std::string slug, std::string en, std::string ru) {
  return Make(id, CheckStatus::kPassed, std::move(slug), std::move(en), std::move(ru));
}
Check Failed(CheckId id, Verdict v, std::string slug, std::string en, std::string ru) {
  return Make(id, CheckStatus::kFailed, std::move(slug), std::move(en), std::move(ru), v);
}
Check Cnc(CheckId id, std::string slug, std::string en, std::string ru) {
  return Make(id, CheckStatus::kCouldNotCheck, std::move(slug), std::move(en), std::move(ru));
}
Check Na(CheckId id, std::string slug, std::string en, std::string ru) {
  return Make(id, CheckStatus::kNotApplicable, std::move(slug), std::move(en), std::move(ru));
}

bool HasType(const Json& c, std::string_view type) {
  // One lookup, no copies: this runs several times per verification.
  if (!c.is_object()) return false;
  auto it = c.find("type");
  if (it == c.end()) return false;
  const Json& t = *it;
  if (t.is_string()) return t.get_ref<const std::string&>() == type;
  if (!t.is_array()) return false;
  for (const Json& e : t) {
    if (e.is_string() && e.get_ref<const std::string&>() == type) return true;
  }
  return false;
}

// The members of a ledger entry that the receipt check reads.
struct EntryFields {
  std::string_view type, digest, id, issuer, time;
};

// Reads an entry in the exact RFC 8785 form the registry logs,
// {"digest":"..","id":"..","issuer":"..","time":"..","type":".."} with
// printable ASCII strings that need no escapes, without building a Json. For
// such text crypto::ParseJson gives an object of exactly these members with
// these values; false for any other text (the caller then parses it).
bool ReadPlainEntry(std::string_view e, EntryFields* f) {
  if (e.size() > crypto::JsonParseOptions().max_bytes) return false;
  auto literal = [&e](std::string_view text) {
    if (e.substr(0, text.size()) != text) return false;
    e.remove_prefix(text.size());
    return true;
  };
  auto value = [&e](std::string_view* out) {  // after the opening quote
    for (std::size_t i = 0; i < e.size(); ++i) {
      const char ch = e[i];
      if (ch == '"') {
        *out = e.substr(0, i);
        e.remove_prefix(i + 1);
        return true;
      }
      if (ch < 0x20 || ch > 0x7e || ch == '\\') return false;
    }
    return false;
  };
  return literal("{\"digest\":\"") && value(&f->digest) && literal(",\"id\":\"") && value(&f->id) &&
         literal(",\"issuer\":\"") && value(&f->issuer) && literal(",\"time\":\"") &&
         value(&f->time) && literal(",\"type\":\"") && value(&f->type) && literal("}") && e.empty();
}

// StringOrEmpty without the copy: the string member `key` of `j`, or "".
std::string_view StrView(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

// True if `id`, resolved against `did` when relative ("#key-1"), is `vm_id`.
bool SameMethod(std::string_view id, std::string_view did, std::string_view vm_id) {
  if (id.empty() || id[0] != '#') return id == vm_id;
  return vm_id.size() == did.size() + id.size() && vm_id.substr(0, did.size()) == did &&
         vm_id.substr(did.size()) == id;
}

// The array member `key` of `doc`, or nullptr.
const Json* ArrayMember(const Json& doc, const char* key) {
  if (!doc.is_object()) return nullptr;
  auto it = doc.find(key);
  return it != doc.end() && it->is_array() ? &*it : nullptr;
}

// The verification method object `vm_id` of a DID document, or nullptr.
// Relative ids ("#key-1") are resolved against the document's id.
const Json* FindVerificationMethod(const Json& doc, const std::string& vm_id) {
  std::string_view did = StrView(doc, "id");
  for (const char* list : {"verificationMethod", "assertionMethod"}) {
    const Json* methods = ArrayMember(doc, list);
    if (methods == nullptr) continue;
    for (const Json& m : *methods) {
      if (m.is_object() && SameMethod(StrView(m, "id"), did, vm_id)) return &m;
    }
  }
  return nullptr;
}

bool ListedAsAssertionMethod(const Json& doc, const std::string& vm_id) {
  const Json* methods = ArrayMember(doc, "assertionMethod");
  if (methods == nullptr) return false;
  std::string_view did = StrView(doc, "id");
  for (const Json& m : *methods) {
    std::string_view id =
        m.is_string() ? std::string_view(m.get_ref<const std::string&>()) : StrView(m, "id");
    if (SameMethod(id, did, vm_id)) return true;
  }
  return false;
}

// The key decision shared by credentials and status lists: `vm` belongs to
// `issuer`, is an assertion method, and was not revoked when the proof was
// created (nor, if known, when the credential was logged).
Check KeyCheck(const Json& doc, const std::string& issuer, const crypto::VerifiedProof& p,
               std::optional<int64_t> logged_ms) {
  const std::string& vm = p.verification_method;
  if (std::string_view(vm).substr(0, vm.find('#')) != issuer) {
    return Failed(CheckId::kKey, Verdict::kInvalid, "key.not-issuers",
                  "the proof's key " + vm + " does not belong to the issuer " + issuer,
                  "ключ подписи " + vm + " не принадлежит выдавшей организации " + issuer);
  }
  const Json* m = FindVerificationMethod(doc, vm);
  if (!m) {
    return Failed(CheckId::kKey, Verdict::kInvalid, "key.not-in-did-document",
                  "the key " + vm + " is not in the issuer's DID document",
                  "ключа " + vm + " нет в DID-документе выдавшей организации");
  }
  std::string controller = crypto::StringOrEmpty(*m, "controller");
  if (controller != issuer) {
    return Failed(CheckId::kKey, Verdict::kInvalid, "key.wrong-controller",
                  "the key's controller is \"" + controller + "\", not the issuer",
                  "владелец ключа «" + controller + "» — не выдавшая организация");
  }
  if (!ListedAsAssertionMethod(doc, vm)) {
    return Failed(CheckId::kKey, Verdict::kInvalid, "key.not-assertion-method",
                  "the key " + vm + " is not listed under assertionMethod",
                  "ключ " + vm + " не указан в assertionMethod");
  }
  if (m->contains("revoked")) {
    std::string revoked = crypto::StringOrEmpty(*m, "revoked");
    auto revoked_ms = crypto::ParseDateTimeStamp(revoked);
    if (!revoked_ms.ok()) {
      return Failed(CheckId::kKey, Verdict::kInvalid, "key.bad-revoked",
                    "the key's revocation time is malformed",
                    "время отзыва ключа записано неверно");
    }
    if (!p.created_unix_ms) {
      return Failed(CheckId::kKey, Verdict::kInvalid, "key.revoked",
                    "the key was revoked on " + revoked + " and the proof has no creation time",
                    "ключ отозван " + revoked + ", а время создания подписи не указано");
    }
    if (*p.created_unix_ms >= *revoked_ms) {
      return Failed(CheckId::kKey, Verdict::kInvalid, "key.revoked",
                    "the key was revoked (compromised) on " + revoked +
                        "; the proof was created at " + p.created + ", not before",
                    "ключ отозван (скомпрометирован) " + revoked + "; подпись создана " +
                        p.created + ", то есть не раньше отзыва");
    }
    if (logged_ms && *logged_ms >= *revoked_ms) {
      return Failed(
          CheckId::kKey, Verdict::kInvalid, "key.revoked",
          "the key was revoked on " + revoked +
              " and the credential was logged in the ledger only after that",
          "ключ отозван " + revoked + ", а запись о документе попала в журнал только после этого");
    }
    return Passed(
        CheckId::kKey, "key.revoked-after-signing",
        vm + " was revoked on " + revoked + ", after this proof was created (" + p.created + ")",
        vm + " отозван " + revoked + ", уже после создания этой подписи (" + p.created + ")");
  }
  return Passed(CheckId::kKey, "key.ok", vm + " is an assertion method of the issuer",
                vm + " — действующий ключ подписи выдавшей организации");
}

Check StructureCheck(const Json& c, Report* r) {
  if (!c.is_object()) {
    return Failed(CheckId::kStructure, Verdict::kInvalid, "structure.not-object",
                  "the credential is not a JSON object", "документ не является JSON-объектом");
  }
  r->credential_id = crypto::StringOrEmpty(c, "id");
  r->issuer = IssuerDid(c);
  auto member = [&c](const char* key) -> const Json* {  // one lookup each
    auto it = c.find(key);
    return it == c.end() ? nullptr : &*it;
  };
  if (const Json* type = member("type"); type != nullptr && type->is_array()) {
    r->types.reserve(type->size());
    for (const Json& t : *type) {
      if (t.is_string()) r->types.push_back(t.get_ref<const std::string&>());
    }
  } else if (type != nullptr && type->is_string()) {
    r->types.push_back(type->get_ref<const std::string&>());
  }
  std::vector<std::pair<std::string, std::string>> problems;  // en, ru
  std::vector<std::string_view> contexts;                     // "" for a non-string
  if (const Json* context = member("@context"); context != nullptr && context->is_array()) {
    contexts.reserve(context->size());
    for (const Json& x : *context) {
      contexts.push_back(x.is_string() ? std::string_view(x.get_ref<const std::string&>()) : "");
    }
  } else if (context != nullptr && context->is_string()) {
    contexts.push_back(context->get_ref<const std::string&>());
  }
  if (contexts.empty() || contexts[0] != kVc2Context) {
    problems.push_back({std::string("the first @context must be ") + kVc2Context,
                        std::string("первым @context должен быть ") + kVc2Context});
  }
  if (!HasType(c, "VerifiableCredential")) {
    problems.push_back(
        {"type must include VerifiableCredential", "type должен содержать VerifiableCredential"});
  }
  if (r->issuer.rfind("did:", 0) != 0) {
    problems.push_back({"issuer must be a DID", "issuer должен быть DID"});
  }
  const Json* subject = member("credentialSubject");
  if (!subject || !(subject->is_object() || (subject->is_array() && !subject->empty()))) {
    problems.push_back({"credentialSubject is missing", "нет credentialSubject"});
  }
  if (const Json* id = member("id");
      id != nullptr &&
      (!id->is_string() || id->get_ref<const std::string&>().find(':') == std::string::npos)) {
    problems.push_back({"id must be a URL", "id должен быть URL"});
  }
  for (const char* k : {"validFrom", "validUntil"}) {
    const Json* v = member(k);
    if (v != nullptr &&
        (!v->is_string() || !crypto::ParseDateTimeStamp(v->get_ref<const std::string&>()).ok())) {
      problems.push_back(
          {std::string(k) + " is not a dateTimeStamp", std::string(k) + " — неверный формат даты"});
    }
  }
  bool ob = HasType(c, "OpenBadgeCredential") || HasType(c, "AchievementCredential");
  if (ob) {
    bool has_ob_context = std::any_of(contexts.begin(), contexts.end(), [](std::string_view x) {
      return x.substr(0, sizeof(kOb3ContextPrefix) - 1) == kOb3ContextPrefix;
    });
    if (!has_ob_context) {
      problems.push_back({"an OpenBadgeCredential needs the Open Badges 3.0 context",
                          "для OpenBadgeCredential нужен контекст Open Badges 3.0"});
    }
    for (const char* k : {"id", "name", "validFrom"}) {
      if (member(k) == nullptr) {
        problems.push_back({std::string("Open Badges 3.0 requires \"") + k + "\"",
                            std::string("Open Badges 3.0 требует поле «") + k + "»"});
      }
    }
    const Json* achievement = nullptr;
    if (subject != nullptr && subject->is_object()) {
      auto it = subject->find("achievement");
      if (it != subject->end()) achievement = &*it;
    }
    if (achievement == nullptr || !achievement->is_object()) {
      problems.push_back({"Open Badges 3.0 requires credentialSubject.achievement",
                          "Open Badges 3.0 требует credentialSubject.achievement"});
    }
  }
  if (HasType(c, "TrainingVoucherCredential") && !c.contains("validUntil")) {
    problems.push_back({"a training voucher must have validUntil (the end of its year)",
                        "у сертификата на обучение должен быть validUntil (конец года выдачи)"});
  }
  if (!problems.empty()) {
    std::string en, ru;
    for (const auto& p : problems) {
      en += (en.empty() ? "" : "; ") + p.first;
      ru += (ru.empty() ? "" : "; ") + p.second;
    }
    return Failed(CheckId::kStructure, Verdict::kInvalid, "structure.invalid", en, ru);
  }
  std::string kind = ob ? "Open Badges 3.0 credential" : "VC 2.0 credential";
  std::string kind_ru = ob ? "документ Open Badges 3.0" : "документ VC 2.0";
  return Passed(CheckId::kStructure, "structure.ok",
                kind + ", contexts and required fields present",
                kind_ru + ", контексты и обязательные поля на месте");
}

Check ValidityCheck(const Json& c, int64_t now_ms) {
  std::string from = crypto::StringOrEmpty(c, "validFrom"),
              until = crypto::StringOrEmpty(c, "validUntil");
  bool voucher = HasType(c, "TrainingVoucherCredential");
  if (!from.empty()) {
    auto ms = crypto::ParseDateTimeStamp(from);
    if (!ms.ok()) {
      return Failed(CheckId::kValidity, Verdict::kInvalid, "validity.malformed",
                    "validFrom is malformed", "validFrom записан неверно");
    }
    if (now_ms < *ms) {
      return Failed(CheckId::kValidity, Verdict::kExpired, "validity.not-yet-valid",
                    "not valid before " + from, "действует только с " + from);
    }
  }
  if (!until.empty()) {
    auto ms = crypto::ParseDateTimeStamp(until);
    if (!ms.ok()) {
      return Failed(CheckId::kValidity, Verdict::kInvalid, "validity.malformed",
                    "validUntil is malformed", "validUntil записан неверно");
    }
    if (now_ms > *ms) {
      if (voucher) {
        return Failed(
            CheckId::kValidity, Verdict::kExpired, "validity.expired",
            "the voucher expired at the end of its year (" + until + ")",
            "срок действия сертификата на обучение истёк в конце года выдачи (" + until + ")");
      }
      return Failed(CheckId::kValidity, Verdict::kExpired, "validity.expired",
                    "expired on " + until, "срок действия истёк " + until);
    }
  }
  std::string en = from.empty() ? "no validFrom" : "valid from " + from;
  std::string ru = from.empty() ? "дата начала не указана" : "действует с " + from;
  if (!until.empty()) {
    en += " until " + until;
    ru += " по " + until;
  } else {
    en += ", no expiry";
    ru += ", бессрочно";
  }
  return Passed(CheckId::kValidity, "validity.ok", en, ru);
}

// A DID document for a did:key issuer (did:key Method v0.9, "Document
// Creation Algorithm"), so that did:key and did:web share one code path.
Result<Json> DidKeyDocument(const std::string& did) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string pk, crypto::ResolveDidKey(did));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string mb, crypto::EncodeEd25519Multikey(pk));
  std::string vm = did + "#" + mb;
  return Json{
      {"id", did},
      {"verificationMethod",
       Json::array(
           {{{"id", vm}, {"type", "Multikey"}, {"controller", did}, {"publicKeyMultibase", mb}}})},
      {"assertionMethod", Json::array({vm})}};
}

}  // namespace

struct Verifier::DidDoc {
  Json doc;
  bool did_key = false;
  // Decoded Ed25519 keys of the verification methods, by full id.
  std::map<std::string, std::string, std::less<>> keys;
};

struct Verifier::VerifiedList {
  crypto::StatusListCredential list;
};

std::string IssuerDid(const Json& c) {
  if (!c.is_object() || !c.contains("issuer")) return "";
  const Json& i = c["issuer"];
  if (i.is_string()) return i.get<std::string>();
  return crypto::StringOrEmpty(i, "id");
}

Verifier::Verifier(TrustSource* trust, VerifierOptions options)
    : trust_(trust), options_(options) {}

Result<std::shared_ptr<const Verifier::DidDoc>> Verifier::Resolve(const std::string& did,
                                                                  int64_t now_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dids_.find(did);
    if (it != dids_.end() && it->second.second > now_ms) return it->second.first;
  }
  auto doc = std::make_shared<DidDoc>();
  if (did.rfind("did:key:", 0) == 0) {
    CERTLEDGER_ASSIGN_OR_RETURN(doc->doc, DidKeyDocument(did));
    doc->did_key = true;
  } else if (did.rfind("did:web:", 0) == 0) {
    CERTLEDGER_ASSIGN_OR_RETURN(doc->doc, trust_->DidDocument(did));
    if (!doc->doc.is_object() || crypto::StringOrEmpty(doc->doc, "id") != did) {
      return Status::InvalidArgument("issuer.did-mismatch",
                                     "the DID document fetched for " + did + " is for \"" +
                                         crypto::StringOrEmpty(doc->doc, "id") + "\"");
    }
  } else {
    return Status::Unavailable("issuer.unsupported-did-method",
                               "DID method of " + did + " is not supported (did:web, did:key)");
  }
  for (const char* list : {"verificationMethod", "assertionMethod"}) {
    if (!doc->doc.contains(list) || !doc->doc[list].is_array()) continue;
    for (const Json& m : doc->doc[list]) {
      std::string id = crypto::StringOrEmpty(m, "id");
      if (!id.empty() && id[0] == '#') id = did + id;
      auto pk = crypto::DecodeEd25519Multikey(crypto::StringOrEmpty(m, "publicKeyMultibase"));
      if (!id.empty() && pk.ok() && !doc->keys.count(id)) doc->keys[id] = *pk;
    }
  }
  std::shared_ptr<const DidDoc> out = std::move(doc);
  std::lock_guard<std::mutex> lock(mu_);
  dids_[did] = {out, out->did_key ? kForever : now_ms + options_.cache_ttl_ms};
  return out;
}

namespace {

// `keys` are the DID document's decoded keys (Verifier::DidDoc::keys).
crypto::KeyResolver ResolverFor(const Json* doc,
                                const std::map<std::string, std::string, std::less<>>* keys,
                                const Status& unresolved) {
  return [doc, keys, unresolved](const std::string& vm) -> Result<std::string> {
    if (!doc) return unresolved;
    if (keys) {
      auto it = keys->find(vm);
      if (it != keys->end()) return it->second;
    }
    const Json* m = FindVerificationMethod(*doc, vm);
    if (!m) {
      return Status::NotFound("key.not-in-did-document",
                              "the key " + vm + " is not in the issuer's DID document");
    }
    std::string mb = crypto::StringOrEmpty(*m, "publicKeyMultibase");
    if (mb.empty()) {
      return Status::InvalidArgument("key.unsupported",
                                     "the key " + vm + " has no Ed25519 publicKeyMultibase");
    }
    return crypto::DecodeEd25519Multikey(mb);
  };
}

// Maps VerifyProofDetailed's outcome to the proof check.
Check ProofCheckFrom(const Result<crypto::VerifiedProof>& r) {
  if (r.ok()) {
    return Passed(CheckId::kProof, "proof.ok",
                  "eddsa-jcs-2022 signature verified with " + r->verification_method,
                  "подпись eddsa-jcs-2022 верна (ключ " + r->verification_method + ")");
  }
  const Status& s = r.status();
  if (s.slug() == crypto::kProofKeyUnresolved && s.code() != Code::kNotFound &&
      s.code() != Code::kInvalidArgument) {
    return Cnc(CheckId::kProof, "proof.key-unavailable",
               "the issuer's key could not be obtained: " + s.message(),
               "не удалось получить ключ выдавшей организации: " + s.message());
  }
  if (s.slug() == crypto::kProofBadSignature) {
    return Failed(CheckId::kProof, Verdict::kInvalid, s.slug(),
                  "invalid signature: the credential was altered after signing or forged",
                  "подпись неверна: документ изменён после подписания или подделан");
  }
  return Failed(CheckId::kProof, Verdict::kInvalid, s.slug(),
                "the proof is invalid: " + s.message(), "подпись недействительна: " + s.message());
}

}  // namespace

Result<std::shared_ptr<const Verifier::VerifiedList>> Verifier::StatusList(
    const std::string& url, const std::string& issuer, int64_t now_ms, Check* why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = lists_.find(url);
    if (it != lists_.end() && it->second.second > now_ms) return it->second.first;
  }
  auto cnc = [&](std::string slug, std::string en, std::string ru) {
    *why = Cnc(CheckId::kStatus, slug, en, ru);
    return Status::Unavailable(slug, why->reason.en);
  };
  auto fetched = trust_->StatusListCredential(url);
  if (!fetched.ok()) {
    return cnc(
        "status.list-unavailable",
        "the status list " + url + " could not be obtained (" + fetched.status().message() + ")",
        "не удалось получить список статусов " + url + " (" + fetched.status().message() + ")");
  }
  const Json& lc = *fetched;
  if (IssuerDid(lc) != issuer) {
    return cnc("status.list-wrong-issuer",
               "the status list " + url + " is not issued by the credential's issuer",
               "список статусов " + url + " выпущен не выдавшей документ организацией");
  }
  auto doc = Resolve(issuer, now_ms);
  if (!doc.ok()) {
    return cnc("status.list-key-unavailable",
               "the issuer's key for the status list could not be obtained",
               "не удалось получить ключ для проверки списка статусов");
  }
  crypto::VerifyProofOptions vpo;
  vpo.now_unix_ms = now_ms;
  auto proof =
      crypto::VerifyProofDetailed(lc, ResolverFor(&(*doc)->doc, &(*doc)->keys, Status::Ok()), vpo);
  if (!proof.ok()) {
    return cnc("status.list-invalid",
               "the status list's signature does not verify: " + proof.status().message(),
               "подпись списка статусов неверна: " + proof.status().message());
  }
  Check key = KeyCheck((*doc)->doc, issuer, *proof, std::nullopt);
  if (key.status != CheckStatus::kPassed) {
    return cnc("status.list-invalid", "the status list's key: " + key.reason.en,
               "ключ списка статусов: " + key.reason.ru);
  }
  std::string until = crypto::StringOrEmpty(lc, "validUntil");
  int64_t expires = now_ms + options_.cache_ttl_ms;
  if (!until.empty()) {
    auto u = crypto::ParseDateTimeStamp(until);
    if (!u.ok() || *u < now_ms) {
      return cnc("status.list-expired", "the status list " + url + " expired on " + until,
                 "срок действия списка статусов " + url + " истёк " + until);
    }
    expires = std::min(expires, *u);
  }
  auto parsed = crypto::ParseStatusListCredential(lc);
  if (!parsed.ok()) {
    return cnc("status.list-malformed",
               "the status list is malformed: " + parsed.status().message(),
               "список статусов повреждён: " + parsed.status().message());
  }
  if (parsed->ttl_ms) expires = std::min(expires, now_ms + static_cast<int64_t>(*parsed->ttl_ms));
  std::shared_ptr<const VerifiedList> shared =
      std::make_shared<const VerifiedList>(VerifiedList{std::move(parsed).value()});
  std::lock_guard<std::mutex> lock(mu_);
  lists_[url] = {shared, expires};
  return shared;
}

Check Verifier::StatusCheck(const Json& c, const std::string& issuer, int64_t now_ms) {
  if (!c.contains("credentialStatus")) {
    return Na(CheckId::kStatus, "status.none", "the credential has no credentialStatus",
              "у документа нет credentialStatus");
  }
  std::vector<const Json*> entries;
  const Json& cs = c["credentialStatus"];
  if (cs.is_array()) {
    for (const Json& e : cs) entries.push_back(&e);
  } else {
    entries.push_back(&cs);
  }
  if (entries.empty()) {
    return Failed(CheckId::kStatus, Verdict::kInvalid, "status.bad-entry",
                  "credentialStatus is empty", "credentialStatus пуст");
  }
  std::optional<Check> cnc;
  std::string en, ru;
  for (const Json* e : entries) {
    if (crypto::StringOrEmpty(*e, "type") != "BitstringStatusListEntry") {
      cnc =
          Cnc(CheckId::kStatus, "status.unsupported-type",
              "unsupported credentialStatus type \"" + crypto::StringOrEmpty(*e, "type") + "\"",
              "неподдерживаемый тип credentialStatus «" + crypto::StringOrEmpty(*e, "type") + "»");
      continue;
    }
    auto entry = crypto::ParseStatusListEntry(*e);
    if (!entry.ok()) {
      return Failed(CheckId::kStatus, Verdict::kInvalid, "status.bad-entry",
                    "credentialStatus is malformed: " + entry.status().message(),
                    "credentialStatus записан неверно: " + entry.status().message());
    }
    Check why;
    auto list = StatusList(entry->status_list_credential, issuer, now_ms, &why);
    if (!list.ok()) {
      cnc = why;
      continue;
    }
    auto value = crypto::LookupStatus(*entry, (*list)->list);
    if (!value.ok()) {
      cnc = Cnc(CheckId::kStatus, "status.lookup-failed",
                "the status could not be read: " + value.status().message(),
                "не удалось прочитать статус: " + value.status().message());
      continue;
    }
    std::string idx = std::to_string(entry->status_list_index);
    const std::string& purpose = entry->status_purpose;
    if (*value != 0 && purpose == "revocation") {
      return Failed(CheckId::kStatus, Verdict::kRevoked, "status.revoked",
                    "REVOKED by the issuer (status list " + entry->status_list_credential +
                        ", index " + idx + ")",
                    "ОТОЗВАН выдавшей организацией (список " + entry->status_list_credential +
                        ", позиция " + idx + ")");
    }
    if (*value != 0 && purpose == "suspension") {
      return Failed(CheckId::kStatus, Verdict::kRevoked, "status.suspended",
                    "SUSPENDED by the issuer (status list " + entry->status_list_credential +
                        ", index " + idx + ")",
                    "ДЕЙСТВИЕ ПРИОСТАНОВЛЕНО выдавшей организацией (список " +
                        entry->status_list_credential + ", позиция " + idx + ")");
    }
    en += (en.empty() ? "" : "; ") + purpose + ": not set (index " + idx + ")";
    ru += (ru.empty() ? "" : "; ") + purpose + ": не установлен (позиция " + idx + ")";
  }
  if (cnc) return *cnc;
  return Passed(CheckId::kStatus, "status.ok", "not revoked or suspended: " + en,
                "не отозван и не приостановлен: " + ru);
}

Result<crypto::Checkpoint> Verifier::OpenCheckpointCached(const std::string& note,
                                                          const std::string& vkey) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checkpoints_.find(std::string_view(note));
    if (it != checkpoints_.end() && it->second.first == vkey) return it->second.second;
  }
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::NoteVerifier v, crypto::ParseVerifierKey(vkey));
  std::vector<crypto::NoteVerifier> keys{v};
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::Note opened, crypto::OpenNote(note, keys));
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::Checkpoint cp, crypto::ParseCheckpoint(opened.text));
  std::lock_guard<std::mutex> lock(mu_);
  if (checkpoints_.size() > 1024) checkpoints_.clear();
  checkpoints_[note] = {vkey, cp};
  return cp;
}

Check Verifier::CheckReceipt(const Json& c, const Json& receipt_json, const std::string& issuer,
                             const std::optional<crypto::Sha256Digest>& credential_digest,
                             int64_t now_ms, Report* report, crypto::Checkpoint* cp_out,
                             std::optional<int64_t>* entry_time_ms, std::string* vkey_out) {
  std::string vkey;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (vkey_.second > now_ms) vkey = vkey_.first;
  }
  if (vkey.empty()) {
    auto k = trust_->LedgerVerifierKey();
    if (!k.ok()) {
      return Cnc(CheckId::kReceipt, "receipt.no-ledger-key",
                 "the ledger's verifier key is not known: " + k.status().message(),
                 "ключ проверки журнала неизвестен: " + k.status().message());
    }
    vkey = *k;
    if (!crypto::ParseVerifierKey(vkey).ok()) {
      return Cnc(CheckId::kReceipt, "receipt.bad-ledger-key",
                 "the ledger's verifier key is malformed", "ключ проверки журнала записан неверно");
    }
    std::lock_guard<std::mutex> lock(mu_);
    vkey_ = {vkey, now_ms + options_.cache_ttl_ms};
  }
  *vkey_out = vkey;
  auto receipt = crypto::ReceiptFromJson(receipt_json);
  if (!receipt.ok()) {
    return Failed(CheckId::kReceipt, Verdict::kInvalid, "receipt.malformed",
                  "the receipt is malformed: " + receipt.status().message(),
                  "квитанция повреждена: " + receipt.status().message());
  }
  // The checkpoint's signature (cached), then exactly VerifyReceipt's other
  // steps: origin, index range, inclusion proof (RFC 9162 2.1.3.2).
  auto cp = OpenCheckpointCached(receipt->checkpoint, vkey);
  Status s = cp.status();
  if (cp.ok() && cp->origin != receipt->origin) {
    s = Status::InvalidArgument("receipt.origin-mismatch",
                                "the receipt names ledger \"" + receipt->origin +
                                    "\" but its checkpoint is from \"" + cp->origin + "\"");
  }
  if (s.ok() && (receipt->index < 0 || receipt->index >= cp->size)) {
    s = Status::InvalidArgument("merkle.bad-proof", "the entry index is outside the tree");
  }
  if (s.ok()) {
    s = crypto::CheckRecord(receipt->inclusion_proof, cp->size, cp->root, receipt->index,
                            crypto::LeafHash(receipt->entry));
  }
  if (!s.ok()) {
    bool forged_sig = s.slug().rfind("note.", 0) == 0;
    return Failed(
        CheckId::kReceipt, Verdict::kInvalid, s.slug(),
        forged_sig
            ? "the receipt's checkpoint is not signed by the ledger key (forged): " + s.message()
            : "the receipt does not prove the entry is in the ledger (forged): " + s.message(),
        forged_sig
            ? "контрольная точка квитанции не подписана ключом журнала (подделка): " + s.message()
            : "квитанция не доказывает наличие записи в журнале (подделка): " + s.message());
  }
  report->ledger_index = receipt->index;
  report->checkpoint_size = cp->size;
  *cp_out = *cp;
  // The entry must be about this very credential.
  auto mismatch = [](std::string en, std::string ru) {
    return Failed(CheckId::kReceipt, Verdict::kInvalid, "receipt.entry-mismatch", std::move(en),
                  std::move(ru));
  };
  EntryFields entry;
  std::string parsed[5];  // the members of an entry that needed parsing
  if (!ReadPlainEntry(receipt->entry, &entry)) {
    auto j = crypto::ParseJson(receipt->entry);
    if (!j.ok() || !j->is_object()) {
      return mismatch("the logged entry is not a JSON object", "запись журнала — не JSON-объект");
    }
    std::string_view* fields[5] = {&entry.type, &entry.digest, &entry.id, &entry.issuer,
                                   &entry.time};
    const char* names[5] = {"type", "digest", "id", "issuer", "time"};
    for (int i = 0; i < 5; ++i) {
      parsed[i] = crypto::StringOrEmpty(*j, names[i]);
      *fields[i] = parsed[i];
    }
  }
  // The SHA-256 of the credential's RFC 8785 form: from the proof check's
  // single canonicalization pass when the proof verified, else computed here.
  std::string digest;
  if (credential_digest) {
    digest = "sha256:" + crypto::HexEncode(crypto::AsStringView(*credential_digest));
  } else {
    auto canonical = crypto::Canonicalize(c);
    if (!canonical.ok()) {
      return mismatch("the credential cannot be canonicalized", "документ нельзя канонизировать");
    }
    digest = crypto::Sha256Tagged(*canonical);
  }
  std::string_view type = entry.type;
  if (type.size() < 7 || type.substr(type.size() - 7) != ".issued") {
    return mismatch("the logged entry is a \"" + std::string(type) + "\" event, not an issuance",
                    "запись журнала — событие «" + std::string(type) + "», а не выдача");
  }
  if (entry.digest != digest) {
    return mismatch(
        "the ledger logged a different credential (digest mismatch): altered after "
        "logging, or the receipt belongs to another credential",
        "в журнале записан другой документ (не совпадает хеш): документ изменён или "
        "квитанция от другого документа");
  }
  if (entry.id != crypto::Sha256Tagged(StrView(c, "id"))) {
    return mismatch("the logged entry is for another credential id",
                    "запись журнала относится к другому идентификатору документа");
  }
  if (entry.issuer != issuer) {
    return mismatch("the logged entry names another issuer",
                    "в записи журнала указана другая организация");
  }
  auto t = crypto::ParseRfc3339(entry.time);
  if (t.ok()) *entry_time_ms = *t;
  std::string idx = std::to_string(receipt->index), size = std::to_string(cp->size);
  return Passed(
      CheckId::kReceipt, "receipt.ok",
      "logged as entry " + idx + " of " + cp->origin + " (signed checkpoint of size " + size + ")",
      "записан в журнал " + cp->origin + " под номером " + idx +
          " (подписанная контрольная точка размера " + size + ")");
}

Check Verifier::CheckConsistency(const crypto::Checkpoint& rcp, const std::string& vkey,
                                 int64_t now_ms, Report* report) {
  std::optional<crypto::Checkpoint> ncp;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (newest_ && newest_expiry_ > now_ms && newest_vkey_ == vkey) ncp = newest_;
  }
  if (!ncp) {
    auto n = trust_->NewestCheckpoint();
    if (!n.ok()) {
      return Cnc(CheckId::kConsistency, "consistency.no-checkpoint",
                 "no newer checkpoint is known to compare with: " + n.status().message(),
                 "нет более новой контрольной точки для сравнения: " + n.status().message());
    }
    auto opened = OpenCheckpointCached(*n, vkey);
    if (!opened.ok() || opened->origin != rcp.origin) {
      std::string why = opened.ok() ? "it is from another ledger" : opened.status().message();
      return Cnc(CheckId::kConsistency, "consistency.bad-checkpoint",
                 "the newest known checkpoint does not verify: " + why,
                 "новейшая известная контрольная точка не проходит проверку: " + why);
    }
    ncp = *opened;
    std::lock_guard<std::mutex> lock(mu_);
    newest_ = ncp;
    newest_vkey_ = vkey;
    newest_expiry_ = now_ms + options_.cache_ttl_ms;
  }
  report->newest_checkpoint_size = ncp->size;
  const crypto::Checkpoint& older = rcp.size <= ncp->size ? rcp : *ncp;
  const crypto::Checkpoint& newer = rcp.size <= ncp->size ? *ncp : rcp;
  std::string a = std::to_string(rcp.size), b = std::to_string(ncp->size);
  auto fork = [&] {
    return Failed(CheckId::kConsistency, Verdict::kInvalid, "consistency.fork",
                  "the ledger shows two inconsistent histories (checkpoints of size " + a +
                      " and " + b + "): the registry's log was forked or rewritten",
                  "журнал показывает две несовместимые истории (контрольные точки размера " + a +
                      " и " + b + "): журнал реестра разветвлён или переписан");
  };
  if (older.size == newer.size) {
    if (older.root != newer.root) return fork();
    return Passed(CheckId::kConsistency, "consistency.ok",
                  "the receipt's checkpoint is the newest known (size " + b + ")",
                  "контрольная точка квитанции — новейшая известная (размер " + b + ")");
  }
  std::string key =
      std::to_string(older.size) + "/" + crypto::HexEncode(crypto::AsStringView(older.root)) + "/" +
      std::to_string(newer.size) + "/" + crypto::HexEncode(crypto::AsStringView(newer.root));
  bool proven;
  {
    std::lock_guard<std::mutex> lock(mu_);
    proven = consistent_.count(key) > 0;
  }
  if (!proven) {
    auto proof = trust_->ConsistencyProof(older.size, newer.size);
    if (!proof.ok()) {
      if (rcp.size > ncp->size) {
        return Cnc(CheckId::kConsistency, "consistency.receipt-newer",
                   "the receipt's checkpoint (size " + a + ") is newer than the newest known (" +
                       b + ") and no consistency proof could be obtained",
                   "контрольная точка квитанции (размер " + a + ") новее известной (" + b +
                       "), а доказательство согласованности получить не удалось");
      }
      return Cnc(CheckId::kConsistency, "consistency.no-proof",
                 "no consistency proof from size " + a + " to " + b +
                     " could be obtained: " + proof.status().message(),
                 "не удалось получить доказательство согласованности от размера " + a + " до " + b +
                     ": " + proof.status().message());
    }
    if (!crypto::CheckTree(*proof, newer.size, newer.root, older.size, older.root).ok()) {
      return fork();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (consistent_.size() > 4096) consistent_.clear();
    consistent_.insert(key);
  }
  return Passed(
      CheckId::kConsistency, "consistency.ok",
      "the receipt's checkpoint (size " + a + ") is consistent with the newest known (" + b + ")",
      "контрольная точка квитанции (размер " + a + ") согласована с новейшей (" + b + ")");
}

Result<Report> Verifier::Verify(const Json& c, const std::optional<Json>& receipt, int64_t now_ms) {
  Report report;
  report.checked_at_ms = now_ms;
  std::vector<Check>& checks = report.checks;
  checks.push_back(StructureCheck(c, &report));
  if (!c.is_object()) {
    report.verdict = ComputeVerdict(checks);
    return report;
  }
  const std::string issuer = report.issuer;

  // Issuer and its DID document.
  std::shared_ptr<const DidDoc> doc;
  Status unresolved;
  Check issuer_check;
  if (issuer.empty()) {
    unresolved = Status::InvalidArgument("issuer.missing", "the credential names no issuer");
    issuer_check = Failed(CheckId::kIssuer, Verdict::kInvalid, "issuer.missing",
                          "the credential names no issuer", "в документе не указан выдавший");
  } else {
    auto d = Resolve(issuer, now_ms);
    if (d.ok()) {
      doc = *d;
    } else {
      unresolved = d.status();
      const std::string& m = unresolved.message();
      if (unresolved.IsNotFound()) {
        issuer_check =
            Failed(CheckId::kIssuer, Verdict::kInvalid, "issuer.unknown",
                   "unknown issuer: its DID document does not exist (" + m + ")",
                   "неизвестная организация: её DID-документа не существует (" + m + ")");
      } else if (unresolved.IsInvalidArgument()) {
        issuer_check = Failed(CheckId::kIssuer, Verdict::kInvalid, "issuer.bad-did-document",
                              "the issuer's DID document is invalid: " + m,
                              "DID-документ организации недействителен: " + m);
      } else {
        issuer_check = Cnc(CheckId::kIssuer, "issuer.unavailable",
                           "the issuer's DID document could not be obtained: " + m,
                           "не удалось получить DID-документ организации: " + m);
      }
    }
  }
  if (doc) {
    const Json& d = doc->doc;
    const Json* info = d.contains("certledger:issuer") ? &d["certledger:issuer"] : nullptr;
    std::string status = info ? crypto::StringOrEmpty(*info, "status") : "";
    std::string name;
    if (info && info->contains("name")) {
      const Json& n = (*info)["name"];
      name = n.is_string() ? n.get<std::string>() : crypto::StringOrEmpty(n, "ru");
    }
    if (doc->did_key) {
      issuer_check =
          Passed(CheckId::kIssuer, "issuer.did-key",
                 "did:key issuer: the key is the identity (no registry status)",
                 "выдавший с did:key: ключ и есть идентификатор (статуса в реестре нет)");
    } else if (!info) {
      issuer_check = Passed(CheckId::kIssuer, "issuer.resolved",
                            "the issuer's DID document resolved (no registry status recorded)",
                            "DID-документ организации получен (статус в реестре не указан)");
    } else if (status == "active") {
      issuer_check = Passed(CheckId::kIssuer, "issuer.active", "registered and active: " + name,
                            "зарегистрирована и действует: " + name);
    } else if (status == "suspended") {
      std::string since = crypto::StringOrEmpty(*info, "suspendedAt");
      issuer_check = Failed(CheckId::kIssuer, Verdict::kIssuerSuspended, "issuer.suspended",
                            "the issuer " + name + " is suspended in the registry" +
                                (since.empty() ? "" : " since " + since),
                            "деятельность организации " + name + " приостановлена в реестре" +
                                (since.empty() ? "" : " с " + since));
    } else {
      issuer_check = Cnc(CheckId::kIssuer, "issuer.unknown-status",
                         "the issuer's registry status \"" + status + "\" is not understood",
                         "статус организации в реестре «" + status + "» не распознан");
    }
  }

  // Proof.
  crypto::VerifyProofOptions vpo;
  vpo.now_unix_ms = now_ms;
  vpo.want_document_digest = receipt.has_value();  // the receipt's entry digest
  if (unresolved.ok() && !doc) {
    unresolved = Status::Unavailable("issuer.unavailable", "no DID document");
  }
  auto proof = crypto::VerifyProofDetailed(
      c, ResolverFor(doc ? &doc->doc : nullptr, doc ? &doc->keys : nullptr, unresolved), vpo);
  checks.reserve(8);
  checks.push_back(ProofCheckFrom(proof));
  const std::size_t key_slot = checks.size();
  checks.emplace_back();  // the key check, filled in below
  if (proof.ok()) {
    report.verification_method = proof->verification_method;
    report.proof_created = proof->created;
  }
  checks.push_back(issuer_check);
  checks.push_back(ValidityCheck(c, now_ms));
  checks.push_back(StatusCheck(c, issuer, now_ms));

  // Receipt and consistency.
  std::optional<int64_t> logged_ms;
  if (!receipt) {
    if (options_.require_receipt) {
      checks.push_back(Cnc(CheckId::kReceipt, "receipt.missing", "no ledger receipt was supplied",
                           "квитанция журнала не предоставлена"));
    } else {
      checks.push_back(Na(CheckId::kReceipt, "receipt.none", "no ledger receipt was supplied",
                          "квитанция журнала не предоставлена"));
    }
    checks.push_back(Na(CheckId::kConsistency, "consistency.no-receipt", "no receipt to compare",
                        "нет квитанции для сравнения"));
  } else {
    crypto::Checkpoint cp;
    std::string vkey;
    std::optional<crypto::Sha256Digest> digest;
    if (proof.ok()) digest = proof->document_sha256;
    Check rc = CheckReceipt(c, *receipt, issuer, digest, now_ms, &report, &cp, &logged_ms, &vkey);
    bool passed = rc.status == CheckStatus::kPassed;
    checks.push_back(std::move(rc));
    if (passed) {
      checks.push_back(CheckConsistency(cp, vkey, now_ms, &report));
    } else {
      checks.push_back(Cnc(CheckId::kConsistency, "consistency.receipt-unverified",
                           "the receipt did not verify", "квитанция не прошла проверку"));
    }
  }

  // Key: needs the verified proof and, for revoked keys, the logging time.
  if (proof.ok() && doc) {
    checks[key_slot] = KeyCheck(doc->doc, issuer, *proof, logged_ms);
  } else if (!doc) {
    checks[key_slot] =
        (Cnc(CheckId::kKey, "key.no-did-document", "the issuer's DID document is not available",
             "DID-документ организации недоступен"));
  } else {
    checks[key_slot] =
        (Cnc(CheckId::kKey, "key.proof-failed", "not checked: the signature did not verify",
             "не проверялся: подпись не прошла проверку"));
  }
  // Report order is CheckId order.
  report.verdict = ComputeVerdict(checks);
  return report;
}

Result<Report> VerifyCredential(const Json& credential, const std::optional<Json>& receipt,
                                TrustSource& trust, int64_t now_ms,
                                const VerifierOptions& options) {
  Verifier v(&trust, options);
  return v.Verify(credential, receipt, now_ms);
}

}  // namespace certledger::verifier
