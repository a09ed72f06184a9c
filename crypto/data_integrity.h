// W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite.
//
// Specs:
// - W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3 "eddsa-jcs-2022":
//   3.3.1 Add Proof, 3.3.2 Verify Proof, 3.3.3 Transformation (RFC 8785 JCS),
//   3.3.4 Hashing (SHA-256(JCS(proofConfig)) || SHA-256(JCS(document))),
//   3.3.5 Proof Configuration, 3.3.6 Proof Serialization (Ed25519 over the
//   64-byte hashData), 3.3.7 Proof Verification.
// - W3C Verifiable Credential Data Integrity 1.0, section 2.1 (proof
//   properties) and section 4 (4.2 Add Proof, 4.4 Verify Proof).
//
// Scope: one embedded proof object per document. Proof sets (an array in
// `proof`) and proof chains (`previousProof`) are rejected, when adding and
// when verifying. No JSON-LD processing happens: eddsa-jcs-2022 signs the
// JSON itself, and `@context` is compared as JSON values (3.3.2 step 4).
//
// All functions are pure and thread-safe (the Signer and KeyResolver passed
// in must be too, if shared). Nothing here keeps a reference to its arguments.
#ifndef CERTLEDGER_CRYPTO_DATA_INTEGRITY_H_
#define CERTLEDGER_CRYPTO_DATA_INTEGRITY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"

namespace certledger::crypto {

class Signer;

inline constexpr char kDataIntegrityProofType[] = "DataIntegrityProof";
inline constexpr char kEddsaJcs2022[] = "eddsa-jcs-2022";

// Verification failure slugs. Public API (problem+json `type`, certverify
// output): do not rename. All are kInvalidArgument ("the proof is invalid")
// except kProofKeyUnresolved, which carries the resolver's Code so that
// "could not check" (e.g. kUnavailable) stays distinguishable from "invalid".
inline constexpr char kProofMissing[] = "proof.missing";
inline constexpr char kProofMalformed[] = "proof.malformed";
inline constexpr char kProofUnsupportedCryptosuite[] = "proof.unsupported-cryptosuite";
inline constexpr char kProofWrongType[] = "proof.wrong-type";
inline constexpr char kProofContextMismatch[] = "proof.context-mismatch";
inline constexpr char kProofBadProofValue[] = "proof.bad-proof-value";
inline constexpr char kProofKeyUnresolved[] = "proof.key-unresolved";
inline constexpr char kProofBadSignature[] = "proof.bad-signature";
inline constexpr char kProofPurposeMismatch[] = "proof.purpose-mismatch";
inline constexpr char kProofExpired[] = "proof.expired";
// Signing failure slugs (kInvalidArgument).
inline constexpr char kProofAlreadyPresent[] = "proof.already-present";
inline constexpr char kProofBadDocument[] = "proof.bad-document";
inline constexpr char kProofBadOptions[] = "proof.bad-options";

struct ProofOptions {
  // The DID URL of the signing key, e.g. "did:web:registry.example#key-1".
  // Empty means signer.KeyId() (AddProof only).
  std::string verification_method;
  // XMLSchema 1.1 dateTimeStamp (a time zone is required), e.g.
  // "2023-02-24T23:36:38Z". Empty omits `created` (it is optional in VC Data
  // Integrity 1.0 section 2.1); the registry always sets it from its Clock.
  std::string created;
  std::string proof_purpose = "assertionMethod";
  // XMLSchema 1.1 dateTimeStamp after which the proof is no longer valid.
  std::optional<std::string> expires;
  // The proof's `@context`. Unset: the document's `@context`, if it has one
  // (3.3.1 step 2). A string or array: must be a prefix of the document's
  // `@context` (3.3.2 step 4.1), and the document is then hashed with its
  // `@context` replaced by this value (step 4.2), so appended contexts stay
  // outside the signature. JSON null: the proof carries no `@context`.
  std::optional<Json> context_override;
};

// Returns the raw 32-byte Ed25519 public key of `verification_method`, or a
// non-OK Status whose Code says why (kNotFound: no such key; kUnavailable: the
// DID document could not be fetched; ...). The caller decides which keys are
// trusted (did:key, a did:web DID document, a trust bundle). Must be
// thread-safe if the verification runs on several threads.
using KeyResolver = std::function<Result<std::string>(const std::string& verification_method)>;

// A KeyResolver for did:key verification methods only (ResolveDidKey).
KeyResolver DidKeyResolver();

struct VerifyProofOptions {
  // When set, proof.proofPurpose must equal it (kProofPurposeMismatch).
  // Credentials are signed for "assertionMethod"; set nullopt to accept any.
  std::optional<std::string> expected_proof_purpose = "assertionMethod";
  // When set (Unix milliseconds, from the caller's Clock), a proof whose
  // `expires` is before it fails (kProofExpired).
  std::optional<int64_t> now_unix_ms;
  // When true, a successful verification also returns the SHA-256 of the
  // RFC 8785 form of the whole signed document (VerifiedProof::
  // document_sha256: what a ledger entry's digest is), computed in the same
  // pass as the proof's hash instead of canonicalizing the document again.
  bool want_document_digest = false;
};

struct VerifiedProof {
  std::string verification_method;
  std::string proof_purpose;
  // proof.created as written, and in Unix milliseconds; empty / nullopt when
  // absent.
  std::string created;
  std::optional<int64_t> created_unix_ms;
  std::optional<std::string> expires;
  // SHA-256(Canonicalize(signed_doc)), when VerifyProofOptions::
  // want_document_digest was set (nullopt otherwise, or in the rare case the
  // whole document cannot be canonicalized although its proof verified).
  std::optional<Sha256Digest> document_sha256;
};

// Returns a copy of `unsigned_doc` with an eddsa-jcs-2022 DataIntegrityProof
// added as `proof` (3.3.1). Fails with kInvalidArgument: kProofBadDocument if
// the document is not a JSON object, kProofAlreadyPresent if it already has
// a `proof` (proof sets and chains are not supported), kProofBadOptions for
// invalid options, "jcs.*" if it cannot be canonicalized; and with the
// signer's Status if signing fails.
Result<Json> AddProof(const Json& unsigned_doc, const ProofOptions& options, const Signer& signer);

// Verifies the single eddsa-jcs-2022 proof of `signed_doc` (3.3.2 and VC Data
// Integrity 1.0 section 4.4). `resolve` is called at most once, after every
// local check has passed. Returns OK, or (all kInvalidArgument unless noted):
// - kProofMissing: no `proof` member;
// - kProofMalformed: not an object, a proof set or chain, a required member
//   (type, cryptosuite, verificationMethod, proofPurpose, proofValue) missing
//   or not a string, `created`/`expires` not a dateTimeStamp, a bad @context;
// - kProofWrongType: proof.type is not "DataIntegrityProof";
// - kProofUnsupportedCryptosuite: proof.cryptosuite is not "eddsa-jcs-2022";
// - kProofPurposeMismatch: see VerifyProofOptions;
// - kProofExpired: see VerifyProofOptions;
// - kProofContextMismatch: the document's @context does not start with every
//   value of the proof's @context, in order (3.3.2 step 4.1);
// - kProofBadProofValue: proofValue is not 'z' + base58btc of 64 bytes;
// - "jcs.*": the document cannot be canonicalized (RFC 8785);
// - kProofKeyUnresolved, with the resolver's Code: the key could not be
//   resolved (or is not 32 bytes: kInvalidArgument);
// - kProofBadSignature: the signature does not verify (any change to the
//   document or to the proof options).
// The document is not copied: it is canonicalized member by member.
Status VerifyProof(const Json& signed_doc, const KeyResolver& resolve,
                   const VerifyProofOptions& options = {});

// As VerifyProof, and on success returns the proof's verified metadata, so the
// caller can check e.g. that the key was not revoked at `created`.
Result<VerifiedProof> VerifyProofDetailed(const Json& signed_doc, const KeyResolver& resolve,
                                          const VerifyProofOptions& options = {});

// --- Intermediate steps, exposed for the W3C vectors and tests. ---

// The proof configuration (3.3.1 steps 1-2, 3.3.5): type, cryptosuite,
// created (if set), expires (if set), verificationMethod, proofPurpose and
// @context (see ProofOptions::context_override). kInvalidArgument
// (kProofBadOptions) for an empty verification method or purpose, a bad
// dateTimeStamp, or a context override that is not a prefix of the document's.
Result<Json> ProofConfigFor(const Json& unsigned_doc, const ProofOptions& options);

// 3.3.4 Hashing: SHA-256(JCS(proof_config)) || SHA-256(JCS(document)), the
// 64-byte message that Ed25519 signs. `document` is hashed exactly as given.
// Fails with the "jcs.*" Status of Canonicalize.
Result<std::string> HashData(const Json& proof_config, const Json& document);

// 3.3.1 steps 4-7 for a caller that writes the document's RFC 8785 form
// itself (batch issuance: one proof configuration, many documents):
// 'z' + base58btc(Ed25519(proof_config_hash || SHA-256(document))), the
// proofValue (3.3.4 Hashing, 3.3.6 Proof Serialization). `proof_config_hash`
// is SHA-256(Canonicalize(ProofConfigFor(doc, options))), computed once;
// `canonical_document` is JCS(document without `proof`) given as consecutive
// pieces (hashed as their concatenation). The caller vouches that the pieces
// are canonical: nothing is parsed. Fails with the signer's Status.
Result<std::string> ProofValueForCanonical(const Sha256Digest& proof_config_hash,
                                           std::span<const std::string_view> canonical_document,
                                           const Signer& signer);

// Parses an XMLSchema 1.1 dateTimeStamp ("2023-02-24T23:36:38Z",
// "2023-02-25T02:36:38.5+03:00") into Unix milliseconds: ParseRfc3339
// (crypto/rfc3339.h) without RFC 3339's extras (lowercase 't'/'z', second 60,
// offsets beyond +-14:00). kInvalidArgument ("datetime.malformed") otherwise.
Result<int64_t> ParseDateTimeStamp(std::string_view text);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_DATA_INTEGRITY_H_
