// C2SP signed-note (https://c2sp.org/signed-note, copy in
// ../shared/specs/signed-note.md) with Ed25519 signatures (signature type
// 0x01), in the design of Go's golang.org/x/mod/sumdb/note.
//
//   <text ending in \n>\n
//   — <key name> <base64(4-byte big-endian key ID || signature)>\n
//   ...
//
// Verifier keys ("vkeys") are "<name>+<hex key ID>+<base64(0x01 || pubkey)>".
// This file is the only place signed notes are built or parsed (STYLE.md,
// "Ledger").
//
// NoteVerifier is an immutable value and may be shared across threads.
// NoteSigner holds a non-owning pointer to a thread-safe crypto::Signer and
// is safe to share while that Signer lives. Free functions are thread-safe.
//
// Slugs (public API, do not rename): "note.malformed" (the bytes are not a
// well-formed note, key or name), "note.bad-signature" (a signature from a
// known key does not verify), "note.no-verified-signature" (no signature
// from a known key). All are kInvalidArgument.
#ifndef CERTLEDGER_CRYPTO_SIGNED_NOTE_H_
#define CERTLEDGER_CRYPTO_SIGNED_NOTE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/status.h"

namespace certledger::crypto {

// signed-note "Signature types": Ed25519. Part of the published format.
inline constexpr uint8_t kNoteSignatureTypeEd25519 = 0x01;
// Notes with more signature lines than this are rejected as malformed
// (signed-note: verifiers "MUST accept at least up to 16 signatures").
inline constexpr int kMaxNoteSignatures = 100;

// signed-note "Format": a key name is non-empty valid UTF-8 with no Unicode
// space (Go's unicode.IsSpace), no other control character (U+0000..U+001F)
// and no '+'.
bool IsValidNoteKeyName(std::string_view name);
// signed-note "Format": valid UTF-8 with no ASCII control character
// (U+0000..U+001F) other than newline. Used for note text and its lines.
bool IsValidNoteText(std::string_view text);

// signed-note "Ed25519 signatures": the first 4 bytes, big-endian, of
// SHA-256(name || 0x0A || 0x01 || 32-byte public key).
uint32_t NoteKeyId(std::string_view name, std::string_view ed25519_public_key);

// A trusted Ed25519 note key: name, key ID and public key.
class NoteVerifier final {
 public:
  // kInvalidArgument "note.malformed" for an invalid name or a public key
  // that is not 32 bytes. The key ID is computed with NoteKeyId.
  static Result<NoteVerifier> Create(std::string name, std::string_view ed25519_public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // The raw 32-byte Ed25519 public key.
  const std::string& public_key() const { return public_key_; }
  // OK iff `signature` (64 bytes, without the key ID) is this key's
  // signature of `text`; kInvalidArgument "note.bad-signature" otherwise.
  Status Verify(std::string_view text, std::string_view signature) const;

 private:
  NoteVerifier(std::string name, uint32_t key_id, std::string public_key)
      : name_(std::move(name)), key_id_(key_id), public_key_(std::move(public_key)) {}
  std::string name_;
  uint32_t key_id_;
  std::string public_key_;
};

// Parses "<name>+<8 hex digits>+<base64(0x01 || 32-byte key)>" (signed-note
// "Verifier keys"). The key ID must be lowercase hex and must equal
// NoteKeyId(name, key). kInvalidArgument "note.malformed" otherwise.
Result<NoteVerifier> ParseVerifierKey(std::string_view vkey);
// The vkey string of `verifier` (lowercase hex key ID).
std::string FormatVerifierKey(const NoteVerifier& verifier);

// Signs note text with an Ed25519 crypto::Signer under a key name.
class NoteSigner final {
 public:
  // `signer` must produce Ed25519 signatures and its PublicKey() must be 32
  // bytes; *signer must remain live while this NoteSigner is in use.
  // kInvalidArgument "note.malformed" for an invalid name or key size.
  static Result<NoteSigner> Create(std::string name, const Signer* signer);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // The verifier for this signer's key.
  Result<NoteVerifier> Verifier() const;
  // The 64-byte Ed25519 signature of `text` (signer errors passed up).
  Result<std::string> Sign(std::string_view text) const;

 private:
  NoteSigner(std::string name, uint32_t key_id, const Signer* signer)
      : name_(std::move(name)), key_id_(key_id), signer_(signer) {}
  std::string name_;
  uint32_t key_id_;
  const Signer* signer_;  // not owned
};

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  // The signature bytes after the 4-byte key ID.
  std::string signature;
  bool operator==(const NoteSignature&) const = default;
};

// "— <name> <base64(key ID || signature)>\n".
std::string FormatNoteSignatureLine(const NoteSignature& sig);

// A note whose signatures were checked by OpenNote.
struct Note {
  // The text, including its final newline, without the separating blank
  // line.
  std::string text;
  // Signatures from known keys, each verified; never empty. A key that
  // signed twice appears once.
  std::vector<NoteSignature> verified;
  // Signatures from unknown keys (name or key ID not in the verifier list),
  // not checked (for example witness cosignatures), in note order; exact
  // duplicate lines appear once.
  std::vector<NoteSignature> unverified;
};

// Signs `text` with each signer, in order. `text` must end in "\n" and be
// valid UTF-8 without control characters other than newline, and no two
// signers may share a (name, key ID) (kInvalidArgument "note.malformed" otherwise;
// signer errors passed up). REQUIRES: !signers.empty().
Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers);
Result<std::string> SignNote(std::string_view text, const NoteSigner& signer);

// Parses and verifies a signed note against trusted keys (signed-note
// "Signatures"): the note must be valid UTF-8 with no control character but
// newline, and must end in a signature block after the last blank line of
// one or more lines "— <valid name> <standard padded base64 of >= 5 bytes>\n"
// (else "note.malformed"; more than kMaxNoteSignatures lines are malformed).
// A signature whose (name, key ID) matches a verifier must verify
// ("note.bad-signature" otherwise); other signatures are kept unverified.
// At least one signature must verify ("note.no-verified-signature").
Result<Note> OpenNote(std::string_view signed_note, std::span<const NoteVerifier> verifiers);

// golang.org/x/mod/sumdb/note's private key string
// "PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || 32-byte seed)". Not part of
// C2SP: for tests and for importing keys made with x/mod's note.GenerateKey.
struct XmodSignerKey {
  std::string name;
  uint32_t key_id = 0;
  std::unique_ptr<Ed25519Signer> signer;
};
// kInvalidArgument "note.malformed" if the string is malformed or its key
// ID does not match the key.
Result<XmodSignerKey> ParseXmodSignerKey(std::string_view skey);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_SIGNED_NOTE_H_
