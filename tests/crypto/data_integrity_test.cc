#include "crypto/data_integrity.h"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/multikey.h"
#include "crypto/status_list.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;
using testing::Unhex;

constexpr char kCreated[] = "2023-02-24T23:36:38Z";
constexpr char kVm[] =
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";

Json Load(std::string_view rel) { return testing::SharedJson(rel); }

std::string Text(std::string_view rel) { return ReadFile(SharedPath(rel)); }

std::string Jcs(const Json& j) {
  auto c = Canonicalize(j);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  return *c;
}

// The W3C test key, from keyPair.json's privateKeyMultibase.
std::unique_ptr<Ed25519Signer> W3cSigner() {
  Json pair = Load("vectors/eddsa-jcs-2022/keyPair.json");
  auto seed = DecodeEd25519SecretMultikey(
      SecretBytes(pair["privateKeyMultibase"].get<std::string>(), InsecureSecretAccess::Get()));
  REQUIRE(seed.ok());
  auto signer = Ed25519Signer::Create(*seed, kVm);
  REQUIRE(signer.ok());
  return std::move(signer).value();
}

ProofOptions W3cOptions() {
  ProofOptions o;
  o.verification_method = kVm;
  o.created = kCreated;
  return o;
}

// The slug VerifyProof fails with, or "ok".
std::string VerifySlug(const Json& doc, const KeyResolver& resolve = DidKeyResolver(),
                       const VerifyProofOptions& options = {}) {
  Status s = VerifyProof(doc, resolve, options);
  INFO(s.ToString());
  return s.ok() ? std::string("ok") : s.slug();
}

// did:web resolution over the files in vectors/vc/didweb/site (did:web
// Method Specification section 3.2: did:web:registry.example ->
// https://registry.example/.well-known/did.json): finds the Multikey
// verification method with that id in the DID document.
Result<std::string> ResolveFromDidWebSite(const std::string& vm) {
  const std::string did = "did:web:registry.example";
  if (vm.rfind(did + "#", 0) != 0) {
    return Status::NotFound("test.unknown-key", "no DID document for " + vm);
  }
  Json doc = Load("vectors/vc/didweb/site/.well-known/did.json");
  for (const Json& m : doc["verificationMethod"]) {
    if (m["id"] == vm && m["type"] == "Multikey" && m["controller"] == did) {
      return DecodeEd25519Multikey(m["publicKeyMultibase"].get<std::string>());
    }
  }
  return Status::NotFound("test.unknown-key", vm + " is not in the DID document");
}

// --- W3C vc-di-eddsa vectors (eddsa-jcs-2022) --------------------------------

TEST_CASE("eddsa-jcs-2022: every intermediate value of the W3C vectors is reproduced", "[crypto]") {
  const std::string dir = "vectors/eddsa-jcs-2022/";
  Json unsigned_doc = Load(dir + "unsigned.json");
  auto signer = W3cSigner();

  // Transformation (3.3.3).
  CHECK(Jcs(unsigned_doc) == Text(dir + "canonDocJCS.txt"));
  CHECK(Hex(AsStringView(Sha256(Jcs(unsigned_doc)))) == Text(dir + "docHashJCS.txt"));

  // Proof configuration (3.3.5).
  auto config = ProofConfigFor(unsigned_doc, W3cOptions());
  REQUIRE(config.ok());
  CHECK(*config == Load(dir + "proofConfigJCS.json"));
  CHECK(Jcs(*config) == Text(dir + "proofCanonJCS.txt"));
  CHECK(Hex(AsStringView(Sha256(Jcs(*config)))) == Text(dir + "proofHashJCS.txt"));

  // Hashing (3.3.4) and serialization (3.3.6).
  auto hash_data = HashData(*config, unsigned_doc);
  REQUIRE(hash_data.ok());
  CHECK(Hex(*hash_data) == Text(dir + "combinedHashJCS.txt"));
  auto sig = signer->Sign(*hash_data);
  REQUIRE(sig.ok());
  CHECK(Hex(*sig) == Text(dir + "sigHexJCS.txt"));
  CHECK(MultibaseEncode(Multibase::kBase58Btc, *sig) == Text(dir + "sigBTC58JCS.txt"));
}

TEST_CASE("eddsa-jcs-2022: AddProof gives the W3C signed credential exactly", "[crypto]") {
  const std::string dir = "vectors/eddsa-jcs-2022/";
  auto signed_doc = AddProof(Load(dir + "unsigned.json"), W3cOptions(), *W3cSigner());
  INFO(signed_doc.status().ToString());
  REQUIRE(signed_doc.ok());
  Json expected = Load(dir + "signedJCS.json");
  CHECK((*signed_doc)["proof"] == expected["proof"]);
  CHECK(*signed_doc == expected);
  // vectors.json carries the same values in one object.
  Json all = Load(dir + "vectors.json");
  CHECK(*signed_doc == all["signedDocument"]);
  CHECK((*signed_doc)["proof"]["proofValue"] == all["proofValue"]);
  CHECK(VerifySlug(*signed_doc) == "ok");
}

TEST_CASE("eddsa-jcs-2022: the W3C signed credential verifies with its did:key", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  auto detail = VerifyProofDetailed(doc, DidKeyResolver());
  INFO(detail.status().ToString());
  REQUIRE(detail.ok());
  CHECK(detail->verification_method == kVm);
  CHECK(detail->proof_purpose == "assertionMethod");
  CHECK(detail->created == kCreated);
  REQUIRE(detail->created_unix_ms.has_value());
  CHECK(*detail->created_unix_ms == 1677281798000);
  CHECK_FALSE(detail->expires.has_value());
}

TEST_CASE("eddsa-jcs-2022: an empty verification method defaults to the signer's key id",
          "[crypto]") {
  ProofOptions o = W3cOptions();
  o.verification_method.clear();
  auto signed_doc = AddProof(Load("vectors/eddsa-jcs-2022/unsigned.json"), o, *W3cSigner());
  REQUIRE(signed_doc.ok());
  CHECK((*signed_doc)["proof"]["verificationMethod"] == kVm);
  CHECK(*signed_doc == Load("vectors/eddsa-jcs-2022/signedJCS.json"));
}

// --- Digital Bazaar credentials (vectors/vc) ---------------------------------

TEST_CASE("vc: the Digital Bazaar eddsa-jcs-2022 credential verifies with its did:key",
          "[crypto]") {
  CHECK(VerifySlug(Load("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar.json")) == "ok");
}

TEST_CASE("vc: the tampered Digital Bazaar credential fails with a bad signature", "[crypto]") {
  Json doc = Load("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar-tampered.json");
  Status s = VerifyProof(doc, DidKeyResolver());
  CHECK(s.slug() == kProofBadSignature);
  CHECK(s.code() == Code::kInvalidArgument);
}

TEST_CASE("vc: an eddsa-rdfc-2022 credential is reported as an unsupported cryptosuite",
          "[crypto]") {
  CHECK(VerifySlug(Load("vectors/vc/eddsa-rdfc-2022-signed-by-digitalbazaar.json")) ==
        kProofUnsupportedCryptosuite);
}

TEST_CASE("vc: the did:web credentials verify with the key of the DID document", "[crypto]") {
  for (const char* f : {"vectors/vc/didweb/didweb-status-valid.json",
                        "vectors/vc/didweb/didweb-status-revoked.json",
                        "vectors/vc/didweb/site/status/revocation-1.json"}) {
    INFO(f);
    CHECK(VerifySlug(Load(f), ResolveFromDidWebSite) == "ok");
    // A did:key resolver cannot vouch for a did:web key.
    Status s = VerifyProof(Load(f), DidKeyResolver());
    CHECK(s.slug() == kProofKeyUnresolved);
  }
}

TEST_CASE("vc: the did:web status list shows index 3 valid and index 7 revoked", "[crypto]") {
  Json list_vc = Load("vectors/vc/didweb/site/status/revocation-1.json");
  // The list is only trusted once its own proof verifies.
  REQUIRE(VerifySlug(list_vc, ResolveFromDidWebSite) == "ok");
  auto list = ParseStatusListCredential(list_vc);
  INFO(list.status().ToString());
  REQUIRE(list.ok());
  CHECK(list->id == "https://registry.example/status/revocation-1.json");
  CHECK(list->list.size() == 131072);
  CHECK(list->list.CountSet() == 1);
  CHECK(*list->list.Get(7));
  CHECK_FALSE(*list->list.Get(3));

  struct Case {
    const char* file;
    uint32_t status;
  };
  for (Case c : {Case{"vectors/vc/didweb/didweb-status-valid.json", 0},
                 Case{"vectors/vc/didweb/didweb-status-revoked.json", 1}}) {
    INFO(c.file);
    Json vc = Load(c.file);
    REQUIRE(VerifySlug(vc, ResolveFromDidWebSite) == "ok");
    auto entry = ParseStatusListEntry(vc["credentialStatus"]);
    REQUIRE(entry.ok());
    CHECK(entry->status_purpose == "revocation");
    auto status = LookupStatus(*entry, *list);
    REQUIRE(status.ok());
    CHECK(*status == c.status);
  }
}

// --- Each failure has its own slug -------------------------------------------

TEST_CASE("verify: a document without a proof is proof.missing", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  doc.erase("proof");
  CHECK(VerifySlug(doc) == kProofMissing);
  CHECK(VerifySlug(Json::array()) == kProofMalformed);
  CHECK(VerifySlug(Json("text")) == kProofMalformed);
}

TEST_CASE("verify: a proof of another type or cryptosuite is named as such", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  Json wrong_type = doc;
  wrong_type["proof"]["type"] = "Ed25519Signature2020";
  CHECK(VerifySlug(wrong_type) == kProofWrongType);
  Json wrong_suite = doc;
  wrong_suite["proof"]["cryptosuite"] = "ecdsa-jcs-2019";
  CHECK(VerifySlug(wrong_suite) == kProofUnsupportedCryptosuite);
}

// Found by the verifier fuzz target: the message quoted the first 64 bytes of
// proof.type, cutting a Cyrillic letter in two, and the verifier's JSON report
// holding the message could not be serialised.
TEST_CASE("verify: messages quoting a long non-ASCII value stay well-formed UTF-8", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  std::string cyrillic = "x";  // then 120 two-byte letters: 241 bytes
  for (int i = 0; i < 120; ++i) cyrillic += "\xD0\x96";
  for (const char* member : {"type", "cryptosuite", "proofPurpose", "verificationMethod"}) {
    INFO(member);
    Json d = doc;
    d["proof"][member] = cyrillic;
    Status s = VerifyProof(d, DidKeyResolver(), {});
    REQUIRE_FALSE(s.ok());
    CHECK_NOTHROW(Json(s.message()).dump());
    // Each quotes an excerpt of at most 64 or 200 bytes, cut between letters.
    CHECK(s.message().find("...") != std::string::npos);
  }
}

TEST_CASE("verify: missing or mistyped proof members are proof.malformed", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  for (const char* key :
       {"type", "cryptosuite", "verificationMethod", "proofPurpose", "proofValue"}) {
    INFO(key);
    Json missing = doc;
    missing["proof"].erase(key);
    CHECK(VerifySlug(missing) == kProofMalformed);
    Json number = doc;
    number["proof"][key] = 7;
    CHECK(VerifySlug(number) == kProofMalformed);
  }
  Json not_object = doc;
  not_object["proof"] = "z2HnFSS";
  CHECK(VerifySlug(not_object) == kProofMalformed);
  // A set of one proof (as Open Badges 3.0 writes it) is that proof; a set
  // of two is not supported.
  Json proof_set = doc;
  proof_set["proof"] = Json::array({doc["proof"]});
  CHECK(VerifySlug(proof_set) == "ok");
  proof_set["proof"].push_back(doc["proof"]);
  CHECK(VerifySlug(proof_set) == kProofMalformed);
  Json chain = doc;
  chain["proof"]["previousProof"] = "urn:uuid:1";
  CHECK(VerifySlug(chain) == kProofMalformed);
  Json bad_created = doc;
  bad_created["proof"]["created"] = "2023-02-24 23:36:38";
  CHECK(VerifySlug(bad_created) == kProofMalformed);
  Json bad_expires = doc;
  bad_expires["proof"]["expires"] = "tomorrow";
  CHECK(VerifySlug(bad_expires) == kProofMalformed);
  Json null_context = doc;
  null_context["proof"]["@context"] = nullptr;
  CHECK(VerifySlug(null_context) == kProofMalformed);
}

TEST_CASE("verify: the document's @context must start with the proof's, in order", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  Json shorter = doc;
  shorter["@context"] = Json::array({"https://www.w3.org/ns/credentials/v2"});
  CHECK(VerifySlug(shorter) == kProofContextMismatch);
  Json reordered = doc;
  reordered["@context"] = Json::array(
      {"https://www.w3.org/ns/credentials/examples/v2", "https://www.w3.org/ns/credentials/v2"});
  CHECK(VerifySlug(reordered) == kProofContextMismatch);
  Json none = doc;
  none.erase("@context");
  CHECK(VerifySlug(none) == kProofContextMismatch);

  // 3.3.2 step 4.2: contexts appended after the proof's are outside the
  // signature, so the document still verifies.
  Json appended = doc;
  appended["@context"].push_back("https://example.org/extra/v1");
  CHECK(VerifySlug(appended) == "ok");
}

TEST_CASE("verify: a proofValue that is not z-base58 of 64 bytes is proof.bad-proof-value",
          "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  const std::string sig = Unhex(Text("vectors/eddsa-jcs-2022/sigHexJCS.txt"));
  for (const std::string& pv : {std::string(""), MultibaseEncode(Multibase::kBase64Url, sig),
                                Base58Encode(sig),                   // no multibase prefix
                                "z" + Base58Encode(sig.substr(1)),   // 63 bytes
                                "z" + Base58Encode(sig + "x"),       // 65 bytes
                                "z0" + Base58Encode(sig).substr(1),  // '0' is not base58
                                "z" + std::string(10000, '2')}) {    // refused before decoding
    INFO(pv.substr(0, 100));
    Json bad = doc;
    bad["proof"]["proofValue"] = pv;
    CHECK(VerifySlug(bad) == kProofBadProofValue);
  }
}

TEST_CASE("verify: an unresolvable key keeps the resolver's code", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  KeyResolver offline = [](const std::string&) -> Result<std::string> {
    return Status::Unavailable("didweb.fetch-failed", "connection refused");
  };
  Status s = VerifyProof(doc, offline);
  CHECK(s.slug() == kProofKeyUnresolved);
  CHECK(s.code() == Code::kUnavailable);  // could not check, not "invalid"
  CHECK(s.message().find("didweb.fetch-failed") != std::string::npos);

  KeyResolver unknown = [](const std::string&) -> Result<std::string> {
    return Status::NotFound("key.unknown", "no such key");
  };
  CHECK(VerifyProof(doc, unknown).code() == Code::kNotFound);

  KeyResolver short_key = [](const std::string&) -> Result<std::string> {
    return std::string(31, 'k');
  };
  s = VerifyProof(doc, short_key);
  CHECK(s.slug() == kProofKeyUnresolved);
  CHECK(s.code() == Code::kInvalidArgument);

  Json other_did = doc;
  other_did["proof"]["verificationMethod"] = "did:key:z6MkInvalid#z6MkInvalid";
  CHECK(VerifySlug(other_did) == kProofKeyUnresolved);
}

TEST_CASE("verify: a change to the document or to any proof option breaks the signature",
          "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  VerifyProofOptions any_purpose;
  any_purpose.expected_proof_purpose = std::nullopt;
  Json created = doc;
  created["proof"]["created"] = "2023-02-24T23:36:39Z";
  CHECK(VerifySlug(created) == kProofBadSignature);
  Json field = doc;
  field["credentialSubject"]["alumniOf"] = "The School of Counterexamples";
  CHECK(VerifySlug(field) == kProofBadSignature);
  Json added = doc;
  added["validUntil"] = "2030-01-01T00:00:00Z";
  CHECK(VerifySlug(added) == kProofBadSignature);
  Json removed = doc;
  removed.erase("description");
  CHECK(VerifySlug(removed) == kProofBadSignature);
  Json extra_option = doc;
  extra_option["proof"]["nonce"] = "abc";
  CHECK(VerifySlug(extra_option) == kProofBadSignature);
  Json purpose = doc;
  purpose["proof"]["proofPurpose"] = "authentication";
  CHECK(VerifySlug(purpose, DidKeyResolver(), any_purpose) == kProofBadSignature);
  Json flipped = doc;
  std::string sig = Unhex(Text("vectors/eddsa-jcs-2022/sigHexJCS.txt"));
  sig[10] ^= 1;
  flipped["proof"]["proofValue"] = MultibaseEncode(Multibase::kBase58Btc, sig);
  CHECK(VerifySlug(flipped) == kProofBadSignature);
  // The right signature under another key.
  KeyResolver other = [](const std::string&) -> Result<std::string> {
    return Ed25519Signer::Generate()->PublicKey();
  };
  CHECK(VerifySlug(doc, other) == kProofBadSignature);
}

TEST_CASE("verify: an unexpected proof purpose is proof.purpose-mismatch", "[crypto]") {
  Json doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  VerifyProofOptions auth;
  auth.expected_proof_purpose = "authentication";
  CHECK(VerifySlug(doc, DidKeyResolver(), auth) == kProofPurposeMismatch);
  VerifyProofOptions any;
  any.expected_proof_purpose = std::nullopt;
  CHECK(VerifySlug(doc, DidKeyResolver(), any) == "ok");
}

// --- Signing -----------------------------------------------------------------

TEST_CASE("sign: documents that cannot take a proof and bad options are refused", "[crypto]") {
  auto signer = W3cSigner();
  Json signed_doc = Load("vectors/eddsa-jcs-2022/signedJCS.json");
  CHECK(AddProof(signed_doc, W3cOptions(), *signer).status().slug() == kProofAlreadyPresent);
  CHECK(AddProof(Json::array(), W3cOptions(), *signer).status().slug() == kProofBadDocument);
  Json doc = Load("vectors/eddsa-jcs-2022/unsigned.json");
  ProofOptions o = W3cOptions();
  o.created = "24 Feb 2023";
  CHECK(AddProof(doc, o, *signer).status().slug() == kProofBadOptions);
  o = W3cOptions();
  o.expires = "2023-02-24T23:36:38";  // no time zone
  CHECK(AddProof(doc, o, *signer).status().slug() == kProofBadOptions);
  o = W3cOptions();
  o.proof_purpose.clear();
  CHECK(AddProof(doc, o, *signer).status().slug() == kProofBadOptions);
  o = W3cOptions();
  o.context_override = Json::array({"https://www.w3.org/ns/credentials/examples/v2"});
  CHECK(AddProof(doc, o, *signer).status().slug() == kProofBadOptions);
  auto no_id = Ed25519Signer::Generate();
  o = W3cOptions();
  o.verification_method.clear();
  CHECK(AddProof(doc, o, *no_id).status().slug() == kProofBadOptions);
}

TEST_CASE("sign: expires, a context prefix and no context all verify", "[crypto]") {
  auto signer = W3cSigner();
  Json doc = Load("vectors/eddsa-jcs-2022/unsigned.json");

  ProofOptions o = W3cOptions();
  o.expires = "2030-01-01T00:00:00Z";
  auto with_expiry = AddProof(doc, o, *signer);
  REQUIRE(with_expiry.ok());
  CHECK((*with_expiry)["proof"]["expires"] == "2030-01-01T00:00:00Z");
  VerifyProofOptions before, after;
  before.now_unix_ms = 1893455999000;  // 2029-12-31T23:59:59Z
  after.now_unix_ms = 1893456000001;
  CHECK(VerifySlug(*with_expiry, DidKeyResolver(), before) == "ok");
  CHECK(VerifySlug(*with_expiry, DidKeyResolver(), after) == kProofExpired);
  auto detail = VerifyProofDetailed(*with_expiry, DidKeyResolver());
  REQUIRE(detail.ok());
  CHECK(detail->expires == "2030-01-01T00:00:00Z");

  o = W3cOptions();
  o.context_override = Json::array({"https://www.w3.org/ns/credentials/v2"});
  auto prefix = AddProof(doc, o, *signer);
  REQUIRE(prefix.ok());
  CHECK((*prefix)["proof"]["@context"] == *o.context_override);
  CHECK((*prefix)["@context"] == doc["@context"]);
  CHECK(VerifySlug(*prefix) == "ok");
  // The examples context is outside the signature; the first is not.
  Json swapped = *prefix;
  swapped["@context"][1] = "https://example.org/other/v1";
  CHECK(VerifySlug(swapped) == "ok");
  swapped["@context"][0] = "https://example.org/other/v1";
  CHECK(VerifySlug(swapped) == kProofContextMismatch);

  o = W3cOptions();
  o.context_override = Json(nullptr);
  auto no_context = AddProof(doc, o, *signer);
  REQUIRE(no_context.ok());
  CHECK_FALSE((*no_context)["proof"].contains("@context"));
  CHECK(VerifySlug(*no_context) == "ok");
  Json changed = *no_context;
  changed["@context"].push_back("https://example.org/extra/v1");
  CHECK(VerifySlug(changed) == kProofBadSignature);
}

TEST_CASE("sign: keys outside ASCII are ordered by UTF-16 code units as RFC 8785 says",
          "[crypto]") {
  // U+FB33 (UTF-8 EF AC B3) sorts after U+1F600 (UTF-8 F0 9F 98 80) in UTF-16
  // (D83D DE00 < FB33) but before it in UTF-8: the streamed hash must agree
  // with Canonicalize of the whole document.
  auto parsed = ParseJson(
      R"({"@context":["https://www.w3.org/ns/credentials/v2"],"\ufb33":1,"\ud83d\ude00":2,)"
      R"("\u00e9":"x","a\"b":true,"\u0007":null,"z":[1.5,{"b":1,"a":2}]})");
  REQUIRE(parsed.ok());
  auto signer = W3cSigner();
  auto signed_doc = AddProof(*parsed, W3cOptions(), *signer);
  REQUIRE(signed_doc.ok());
  CHECK(VerifySlug(*signed_doc) == "ok");
  // Recompute the message with whole-document Canonicalize (HashData).
  Json proof_config = (*signed_doc)["proof"];
  proof_config.erase("proofValue");
  auto hash_data = HashData(proof_config, *parsed);
  REQUIRE(hash_data.ok());
  auto sig = MultibaseDecode((*signed_doc)["proof"]["proofValue"].get<std::string>());
  REQUIRE(sig.ok());
  CHECK(Ed25519Verify(signer->PublicKey(), *sig, *hash_data).ok());
  const std::string canon = Jcs(*parsed);
  CHECK(canon.find("\"\xf0\x9f\x98\x80\":2,\"\xef\xac\xb3\":1") != std::string::npos);
}

TEST_CASE("verify: want_document_digest gives SHA-256 of the whole signed document's JCS",
          "[crypto]") {
  // The ledger's entry digest (docs/formats.md) without a second
  // canonicalization: it must equal Canonicalize of the whole document,
  // proof included, also with a substituted @context and keys that RFC 8785
  // orders differently from UTF-8.
  auto signer = W3cSigner();
  Json unicode = *ParseJson(
      R"({"@context":["https://www.w3.org/ns/credentials/v2","https://example.org/x/v1"],)"
      R"("\ufb33":1,"\ud83d\ude00":2,"\u00e9":"x","a\"b":true,"z":[1.5,{"b":1,"a":2}]})");
  ProofOptions prefix = W3cOptions();
  prefix.context_override = Json::array({"https://www.w3.org/ns/credentials/v2"});
  std::vector<Json> docs = {Load("vectors/eddsa-jcs-2022/signedJCS.json"),
                            *AddProof(unicode, W3cOptions(), *signer),
                            *AddProof(unicode, prefix, *signer)};
  for (const Json& doc : docs) {
    VerifyProofOptions want;
    want.want_document_digest = true;
    auto v = VerifyProofDetailed(doc, DidKeyResolver(), want);
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    REQUIRE(v->document_sha256.has_value());
    CHECK(Hex(AsStringView(*v->document_sha256)) == Hex(AsStringView(Sha256(Jcs(doc)))));
    auto plain = VerifyProofDetailed(doc, DidKeyResolver());
    REQUIRE(plain.ok());
    CHECK_FALSE(plain->document_sha256.has_value());
  }
}

// Found by tests/fuzz/data_integrity_fuzz.cc (RFC 8785 vector structures.json):
// AddProof hashed the document without its member named "" (the empty name
// doubled as "skip nothing"), so its proof never verified.
TEST_CASE("sign: a member with the empty name is signed like any other (fuzz regression)",
          "[crypto]") {
  auto parsed = ParseJson(R"({"":"empty","1":{"\n":56.0,"f":{"F":5,"f":"hi"}},"a":{}})");
  REQUIRE(parsed.ok());
  auto signer = W3cSigner();
  auto signed_doc = AddProof(*parsed, W3cOptions(), *signer);
  REQUIRE(signed_doc.ok());
  CHECK(VerifySlug(*signed_doc) == "ok");
  Json changed = *signed_doc;
  changed[""] = "altered";
  CHECK(VerifySlug(changed) == kProofBadSignature);
}

TEST_CASE("datetime: XMLSchema dateTimeStamp values parse, others do not", "[crypto]") {
  CHECK(*ParseDateTimeStamp("1970-01-01T00:00:00Z") == 0);
  CHECK(*ParseDateTimeStamp("2023-02-24T23:36:38Z") == 1677281798000);
  CHECK(*ParseDateTimeStamp("2023-02-25T02:36:38.250+03:00") == 1677281798250);
  CHECK(*ParseDateTimeStamp("2024-02-29T00:00:00-14:00") == 1709215200000);
  for (const char* bad :
       {"", "2023-02-24", "2023-02-24T23:36:38", "2023-02-24t23:36:38Z", "2023-02-24T23:36:38z",
        "2023-02-30T00:00:00Z", "2023-02-24T24:00:00Z", "2016-12-31T23:59:60Z",
        "2023-02-24T23:36:38+15:00", "2023-02-24T23:36:38.Z", "2023-02-24T23:36:38Z "}) {
    INFO(bad);
    CHECK(ParseDateTimeStamp(bad).status().slug() == "datetime.malformed");
  }
}

}  // namespace
}  // namespace certledger::crypto
