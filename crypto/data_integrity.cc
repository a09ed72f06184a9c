#include "crypto/data_integrity.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"

namespace certledger::crypto {
namespace {

// base58btc of 64 bytes is at most ceil(512 / log2(58)) = 88 characters.
// Longer proofValues are rejected before the quadratic decoder runs.
constexpr std::size_t kMaxProofValueChars = 1 + 88;

Status Invalid(const char* slug, std::string message) {
  return Status::InvalidArgument(slug, std::move(message));
}

// --- RFC 8785 of an object "view", streamed into SHA-256 -------------------

// The UTF-16 code units of UTF-8 `s`: RFC 8785 section 3.2.3 sorts object
// keys by them. Bytes that are not valid UTF-8 pass through as one unit each;
// Canonicalize rejects such keys when they are written.
std::u16string Utf16Units(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<uint8_t>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (len <= 1 || i + len > s.size()) {
      out.push_back(b);
      ++i;
      continue;
    }
    uint32_t cp = b & (0xff >> (len + 1));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

// True if `key` is written by RFC 8785 section 3.2.2.2 as itself between
// quotes: printable ASCII other than '"' and '\'.
bool IsPlainKey(std::string_view key) {
  for (char c : key) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// Where Canonicalize(obj) has the member that CanonicalView left out: it is
// the view with `text` inserted at byte `at`.
struct LeftOut {
  std::size_t at = 0;
  std::string text;  // empty if that member cannot be written
};

// Writes RFC 8785 (JCS) of object `obj` to *out, as if member `skip` (if any:
// "" is a valid member name) were absent and, when `context` is non-null,
// "@context" had the value *context. This is Canonicalize() of the edited
// object without copying the object (a deep copy of a credential costs as
// much as canonicalizing it): each member value is canonicalized where it
// lies, all into one buffer. When `left_out` is non-null and `skip` names a
// member, it receives that member's place and text (see LeftOut), so that
// the caller can hash Canonicalize(obj) too without writing it again.
Status CanonicalView(const Json& obj, std::optional<std::string_view> skip, const Json* context,
                     std::string* out, LeftOut* left_out = nullptr) {
  struct Entry {
    const std::string* key;
    const Json* value;  // as written; nullptr for `skip`
  };
  std::vector<Entry> members;
  members.reserve(obj.size());
  bool ascii = true;
  const auto& object = obj.get_ref<const Json::object_t&>();
  for (const auto& [key, real] : object) {
    const Json* value = skip && key == *skip                        ? nullptr
                        : (context != nullptr && key == "@context") ? context
                                                                    : &real;
    if (value == nullptr && left_out == nullptr) continue;
    members.push_back({&key, value});
    for (char c : key) ascii &= static_cast<unsigned char>(c) < 0x80;
  }
  // nlohmann::json keeps keys in UTF-8 byte order, which is UTF-16 order for
  // ASCII keys; otherwise sort by UTF-16 code units (RFC 8785 section 3.2.3).
  if (!ascii) {
    std::stable_sort(members.begin(), members.end(), [](const Entry& a, const Entry& b) {
      return Utf16Units(*a.key) < Utf16Units(*b.key);
    });
  }
  JsonParseOptions child;
  child.max_depth = JsonParseOptions().max_depth - 1;
  out->clear();
  out->reserve(2048);
  CanonicalWriter w(out);
  w.AppendRaw("{");
  bool left_out_first = false;
  for (const Entry& m : members) {
    const bool plain = IsPlainKey(*m.key);
    std::string quoted;  // the name as JSON, unless plain
    if (!plain) {
      auto q = Canonicalize(Json(*m.key));
      if (!q.ok() && m.value == nullptr) continue;  // only Canonicalize(obj) fails
      CERTLEDGER_RETURN_IF_ERROR(q.status());
      quoted = std::move(q).value();
    }
    if (m.value == nullptr) {  // the member left out: Canonicalize(obj) only
      left_out->at = w.size();
      left_out_first = w.size() == 1;
      auto v = Canonicalize(object.find(*m.key)->second, child);
      if (!v.ok()) continue;
      std::string& t = left_out->text;
      t.reserve(m.key->size() + 4 + v->size());
      if (!left_out_first) t += ',';
      if (plain) {
        t += '"';
        t += *m.key;
        t += '"';
      } else {
        t += quoted;
      }
      t += ':';
      t += *v;
      continue;
    }
    if (w.size() > 1) w.AppendRaw(",");
    if (plain) {
      w.AppendRaw("\"");
      w.AppendRaw(*m.key);
      w.AppendRaw("\":");
    } else {
      w.AppendRaw(quoted);
      w.AppendRaw(":");
    }
    CERTLEDGER_RETURN_IF_ERROR(w.AppendValue(*m.value, child));
  }
  // A left-out first member is followed by a comma if any member follows.
  if (left_out_first && !left_out->text.empty() && w.size() > 1) left_out->text += ',';
  w.AppendRaw("}");
  w.Finish();
  return Status::Ok();
}

// --- @context (eddsa-jcs-2022 section 3.3.2 step 4) -------------------------

// A context value as a list: an array's elements, or the value itself.
std::pair<const Json*, std::size_t> ContextItems(const Json& context) {
  if (context.is_array()) {
    const auto& a = context.get_ref<const Json::array_t&>();
    return {a.data(), a.size()};
  }
  return {&context, 1};
}

// 3.3.2 step 4.1: the document's @context starts with all values contained in
// the proof's @context, in the same order.
bool ContextStartsWith(const Json* doc_context, const Json& proof_context) {
  if (doc_context == nullptr) return false;
  auto [d, dn] = ContextItems(*doc_context);
  auto [p, pn] = ContextItems(proof_context);
  if (pn > dn) return false;
  for (std::size_t i = 0; i < pn; ++i) {
    if (d[i] != p[i]) return false;
  }
  return true;
}

// 3.3.2 step 4.2 sets the document's @context to the proof's. Returns the
// value to substitute, or nullptr when the document's is already equal.
const Json* ContextSubstitute(const Json* doc_context, const Json* proof_context) {
  if (proof_context == nullptr) return nullptr;
  if (doc_context != nullptr && *doc_context == *proof_context) return nullptr;
  return proof_context;
}

std::string Concat(const Sha256Digest& a, const Sha256Digest& b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(AsStringView(a));
  out.append(AsStringView(b));
  return out;
}

// --- XMLSchema dateTimeStamp ------------------------------------------------

Status BadDateTime(std::string_view text) {
  return Status::InvalidArgument(
      "datetime.malformed",
      "not an XMLSchema dateTimeStamp (YYYY-MM-DDThh:mm:ss[.f](Z|+hh:mm)): \"" + Excerpt(text, 64) +
          "\"");
}

// Reads an optional dateTimeStamp member of the proof.
Status ReadTime(const Json& proof, const char* key, std::string* text,
                std::optional<int64_t>* unix_ms) {
  const Json* v = FindMember(proof, key);
  if (v == nullptr) return Status::Ok();
  const auto* s = v->get_ptr<const std::string*>();
  auto parsed = s != nullptr ? ParseDateTimeStamp(*s) : Result<int64_t>(BadDateTime(""));
  if (!parsed.ok()) {
    return Invalid(kProofMalformed,
                   std::string("proof.") + key + " must be an XMLSchema dateTimeStamp string")
        .WithField(std::string("/proof/") + key);
  }
  *text = *s;
  *unix_ms = *parsed;
  return Status::Ok();
}

// A required non-empty string member of the proof.
Result<const std::string*> RequiredString(const Json& proof, const char* key) {
  const Json* v = FindMember(proof, key);
  const auto* s = v != nullptr ? v->get_ptr<const std::string*>() : nullptr;
  if (s == nullptr || s->empty()) {
    return Invalid(kProofMalformed, std::string("proof.") + key + " must be a non-empty string")
        .WithField(std::string("/proof/") + key);
  }
  return s;
}

}  // namespace

// XMLSchema 1.1 Part 2 section 3.4.28 dateTimeStamp, which RFC 3339 section
// 5.6 covers but for the exceptions below.
Result<int64_t> ParseDateTimeStamp(std::string_view text) {
  if (text.find_first_of("tz") != std::string_view::npos ||
      (text.size() > 18 && text.substr(17, 2) == "60")) {
    return BadDateTime(text);
  }
  std::size_t sign = text.find_first_of("+-", 19);
  if (sign != std::string_view::npos && text.size() == sign + 6 &&
      text.substr(sign + 1) > "14:00") {
    return BadDateTime(text);
  }
  auto ms = ParseRfc3339(text);
  if (!ms.ok()) return BadDateTime(text);
  return ms;
}

KeyResolver DidKeyResolver() {
  return [](const std::string& verification_method) -> Result<std::string> {
    return ResolveDidKey(verification_method);
  };
}

// eddsa-jcs-2022 section 3.3.1 steps 1-2 and section 3.3.5.
Result<Json> ProofConfigFor(const Json& unsigned_doc, const ProofOptions& options) {
  if (!unsigned_doc.is_object()) {
    return Invalid(kProofBadDocument, "only a JSON object can carry a Data Integrity proof");
  }
  if (options.verification_method.empty()) {
    return Invalid(kProofBadOptions, "the proof needs a verificationMethod");
  }
  if (options.proof_purpose.empty()) {
    return Invalid(kProofBadOptions, "the proof needs a proofPurpose");
  }
  // 3.3.5 step 3: created must be a valid XMLSchema dateTime (VC Data
  // Integrity 1.0 section 2.1: a dateTimeStamp); so must expires.
  if (!options.created.empty() && !ParseDateTimeStamp(options.created).ok()) {
    return Invalid(kProofBadOptions, "created: " + BadDateTime(options.created).message());
  }
  if (options.expires && !ParseDateTimeStamp(*options.expires).ok()) {
    return Invalid(kProofBadOptions, "expires: " + BadDateTime(*options.expires).message());
  }
  Json config = Json::object();
  config["type"] = kDataIntegrityProofType;
  config["cryptosuite"] = kEddsaJcs2022;
  if (!options.created.empty()) config["created"] = options.created;
  if (options.expires) config["expires"] = *options.expires;
  config["verificationMethod"] = options.verification_method;
  config["proofPurpose"] = options.proof_purpose;
  const Json* doc_context = FindMember(unsigned_doc, "@context");
  if (!options.context_override) {
    // 3.3.1 step 2: if unsecuredDocument.@context is present, set
    // proof.@context to unsecuredDocument.@context.
    if (doc_context != nullptr) config["@context"] = *doc_context;
  } else if (!options.context_override->is_null()) {
    if (!ContextStartsWith(doc_context, *options.context_override)) {
      return Invalid(kProofBadOptions,
                     "the proof's @context must be a prefix of the document's @context "
                     "(eddsa-jcs-2022 section 3.3.2 step 4.1)");
    }
    config["@context"] = *options.context_override;
  }
  return config;
}

// eddsa-jcs-2022 section 3.3.4.
Result<std::string> HashData(const Json& proof_config, const Json& document) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canonical_config, Canonicalize(proof_config));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canonical_doc, Canonicalize(document));
  return Concat(Sha256(canonical_config), Sha256(canonical_doc));
}

// eddsa-jcs-2022 section 3.3.1 (VC Data Integrity 1.0 section 4.2).
Result<Json> AddProof(const Json& unsigned_doc, const ProofOptions& options, const Signer& signer) {
  if (!unsigned_doc.is_object()) {
    return Invalid(kProofBadDocument, "only a JSON object can carry a Data Integrity proof");
  }
  if (unsigned_doc.contains("proof")) {
    return Invalid(kProofAlreadyPresent,
                   "the document already has a proof; proof sets and proof chains are not "
                   "supported");
  }
  ProofOptions opts = options;
  if (opts.verification_method.empty()) opts.verification_method = signer.KeyId();
  // Steps 1-3: the proof configuration, canonicalized and hashed (3.3.5).
  CERTLEDGER_ASSIGN_OR_RETURN(Json proof, ProofConfigFor(unsigned_doc, opts));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string canonical_config, Canonicalize(proof));
  const Sha256Digest proof_hash = Sha256(canonical_config);
  // Step 4: transformation (3.3.3), hashed (3.3.4). With a context override,
  // hash the document as the verifier will see it (3.3.2 step 4.2).
  std::string canonical_doc;
  CERTLEDGER_RETURN_IF_ERROR(CanonicalView(
      unsigned_doc, std::nullopt,
      ContextSubstitute(FindMember(unsigned_doc, "@context"), FindMember(proof, "@context")),
      &canonical_doc));
  const std::string hash_data = Concat(proof_hash, Sha256(canonical_doc));
  // Steps 5-7: proof serialization (3.3.6) and proofValue.
  CERTLEDGER_ASSIGN_OR_RETURN(std::string signature, signer.Sign(hash_data));
  if (signature.size() != kEd25519SignatureSize) {
    return Status::Internal("proof.bad-signer", "the signer did not return an Ed25519 signature");
  }
  proof["proofValue"] = MultibaseEncode(Multibase::kBase58Btc, signature);
  Json secured = unsigned_doc;
  secured["proof"] = std::move(proof);
  return secured;
}

// eddsa-jcs-2022 section 3.3.1 steps 4-7: 3.3.4 Hashing (SHA-256 of the
// canonical proof configuration || SHA-256 of the canonical document), 3.3.6
// Proof Serialization (Ed25519 over those 64 bytes), multibase base58btc.
Result<std::string> ProofValueForCanonical(const Sha256Digest& proof_config_hash,
                                           std::span<const std::string_view> canonical_document,
                                           const Signer& signer) {
  Sha256Hasher hasher;
  for (std::string_view piece : canonical_document) hasher.Update(piece);
  const std::string hash_data = Concat(proof_config_hash, hasher.Finish());
  CERTLEDGER_ASSIGN_OR_RETURN(std::string signature, signer.Sign(hash_data));
  if (signature.size() != kEd25519SignatureSize) {
    return Status::Internal("proof.bad-signer", "the signer did not return an Ed25519 signature");
  }
  return MultibaseEncode(Multibase::kBase58Btc, signature);
}

// eddsa-jcs-2022 section 3.3.2, with the checks of VC Data Integrity 1.0
// section 4.4 (Verify Proof) on the proof's members.
Result<VerifiedProof> VerifyProofDetailed(const Json& signed_doc, const KeyResolver& resolve,
                                          const VerifyProofOptions& options) {
  if (!signed_doc.is_object()) {
    return Invalid(kProofMalformed, "a secured document must be a JSON object");
  }
  const Json* proof = FindMember(signed_doc, "proof");
  if (proof == nullptr) return Invalid(kProofMissing, "the document has no proof");
  if (proof->is_array()) {
    // A proof set (DI 1.0 section 2.1.1) of one proof is that proof: Open
    // Badges 3.0 credentials carry their proof as an array (its JSON Schema
    // requires one). Sets of several proofs are not supported.
    if (proof->size() != 1) {
      return Invalid(kProofMalformed, "proof sets of more than one proof are not supported")
          .WithField("/proof");
    }
    proof = &(*proof)[0];
  }
  if (!proof->is_object()) {
    return Invalid(kProofMalformed, "proof must be an object").WithField("/proof");
  }
  // DI 1.0 section 4.4 step 4 / 2.1: type, verificationMethod, proofPurpose
  // are required; the cryptosuite is the one we implement.
  CERTLEDGER_ASSIGN_OR_RETURN(const std::string* type, RequiredString(*proof, "type"));
  if (*type != kDataIntegrityProofType) {
    return Invalid(kProofWrongType,
                   "proof.type is \"" + Excerpt(*type, 64) + "\", expected \"DataIntegrityProof\"")
        .WithField("/proof/type");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(const std::string* suite, RequiredString(*proof, "cryptosuite"));
  if (*suite != kEddsaJcs2022) {
    return Invalid(kProofUnsupportedCryptosuite, "proof.cryptosuite is \"" + Excerpt(*suite, 64) +
                                                     "\"; only \"" + kEddsaJcs2022 +
                                                     "\" is supported")
        .WithField("/proof/cryptosuite");
  }
  VerifiedProof out;
  CERTLEDGER_ASSIGN_OR_RETURN(const std::string* vm, RequiredString(*proof, "verificationMethod"));
  CERTLEDGER_ASSIGN_OR_RETURN(const std::string* purpose, RequiredString(*proof, "proofPurpose"));
  CERTLEDGER_RETURN_IF_ERROR(ReadTime(*proof, "created", &out.created, &out.created_unix_ms));
  std::string expires_text;
  std::optional<int64_t> expires_time;
  CERTLEDGER_RETURN_IF_ERROR(ReadTime(*proof, "expires", &expires_text, &expires_time));
  if (FindMember(*proof, "previousProof") != nullptr) {
    return Invalid(kProofMalformed, "proof chains (previousProof) are not supported")
        .WithField("/proof/previousProof");
  }
  const Json* proof_context = FindMember(*proof, "@context");
  if (proof_context != nullptr && proof_context->is_null()) {
    return Invalid(kProofMalformed, "proof.@context must not be null").WithField("/proof/@context");
  }
  // Step 3: proofBytes, the multibase base58btc proofValue.
  const Json* pv = FindMember(*proof, "proofValue");
  const auto* proof_value = pv != nullptr ? pv->get_ptr<const std::string*>() : nullptr;
  if (proof_value == nullptr) {
    return Invalid(kProofMalformed, "proof.proofValue must be a string")
        .WithField("/proof/proofValue");
  }
  if (proof_value->empty() || (*proof_value)[0] != 'z' ||
      proof_value->size() > kMaxProofValueChars) {
    return Invalid(kProofBadProofValue, "proof.proofValue must be 'z' + base58btc(signature)")
        .WithField("/proof/proofValue");
  }
  auto signature = Base58Decode(std::string_view(*proof_value).substr(1));
  if (!signature.ok() || signature->size() != kEd25519SignatureSize) {
    return Invalid(kProofBadProofValue,
                   "proof.proofValue must be 'z' + base58btc of a 64-byte Ed25519 signature")
        .WithField("/proof/proofValue");
  }
  if (options.expected_proof_purpose && *purpose != *options.expected_proof_purpose) {
    return Invalid(kProofPurposeMismatch, "proof.proofPurpose is \"" + Excerpt(*purpose, 64) +
                                              "\", expected \"" + *options.expected_proof_purpose +
                                              "\"")
        .WithField("/proof/proofPurpose");
  }
  if (options.now_unix_ms && expires_time && *expires_time < *options.now_unix_ms) {
    return Invalid(kProofExpired, "the proof expired at " + expires_text)
        .WithField("/proof/expires");
  }
  // Step 4: the document's @context must start with the proof's (4.1); the
  // document is then hashed with the proof's @context (4.2).
  const Json* doc_context = FindMember(signed_doc, "@context");
  if (proof_context != nullptr && !ContextStartsWith(doc_context, *proof_context)) {
    return Invalid(kProofContextMismatch,
                   "the document's @context does not start with the proof's @context")
        .WithField("/@context");
  }
  // Steps 5-7: JCS of the document without `proof` and of the proof options
  // (the proof without proofValue), each hashed once (3.3.3-3.3.5).
  std::string canonical;
  CERTLEDGER_RETURN_IF_ERROR(CanonicalView(*proof, "proofValue", nullptr, &canonical));
  const Sha256Digest proof_hash = Sha256(canonical);
  // The document as hashed, and where the proof goes in the JCS of the whole
  // signed document (its digest, if asked for: one canonicalization pass).
  const Json* context = ContextSubstitute(doc_context, proof_context);
  LeftOut proof_member;
  const bool want_full = options.want_document_digest && context == nullptr;
  CERTLEDGER_RETURN_IF_ERROR(
      CanonicalView(signed_doc, "proof", context, &canonical, want_full ? &proof_member : nullptr));
  const std::string hash_data = Concat(proof_hash, Sha256(canonical));
  std::optional<Sha256Digest> full_digest;
  if (want_full && !proof_member.text.empty()) {
    std::string_view view = canonical;
    Sha256Hasher full;
    full.Update(view.substr(0, proof_member.at));
    full.Update(proof_member.text);
    full.Update(view.substr(proof_member.at));
    full_digest = full.Finish();
  }
  // Step 8 (3.3.7): the key of the verification method, then Ed25519.
  auto key = resolve(*vm);
  if (!key.ok()) {
    const Status& s = key.status();
    return Status(
               s.code(), kProofKeyUnresolved,
               "cannot resolve verification method \"" + Excerpt(*vm, 200) + "\": " + s.ToString())
        .WithField("/proof/verificationMethod");
  }
  if (key->size() != kEd25519PublicKeySize) {
    return Invalid(kProofKeyUnresolved, "the verification method \"" + Excerpt(*vm, 200) +
                                            "\" is not a 32-byte Ed25519 key")
        .WithField("/proof/verificationMethod");
  }
  if (!Ed25519Verify(*key, *signature, hash_data).ok()) {
    return Invalid(kProofBadSignature,
                   "the Ed25519 signature does not match the document and proof options");
  }
  out.verification_method = *vm;
  out.proof_purpose = *purpose;
  if (expires_time) out.expires = expires_text;
  if (full_digest) {
    out.document_sha256 = *full_digest;
  } else if (options.want_document_digest && context != nullptr) {
    // The proof's @context replaced the document's in the hash: the whole
    // document is a text of its own.
    auto full = Canonicalize(signed_doc);
    if (full.ok()) out.document_sha256 = Sha256(*full);
  }
  return out;
}

Status VerifyProof(const Json& signed_doc, const KeyResolver& resolve,
                   const VerifyProofOptions& options) {
  return VerifyProofDetailed(signed_doc, resolve, options).status();
}

}  // namespace certledger::crypto
