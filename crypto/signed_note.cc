#include "crypto/signed_note.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace certledger::crypto {
namespace {

// signed-note "Format": "em dash (U+2014), space (U+0020)".
constexpr std::string_view kSigPrefix = "\xe2\x80\x94 ";

Status NoteMalformed(std::string msg) {
  return Status::InvalidArgument("note.malformed", std::move(msg));
}

// Decodes one UTF-8 sequence at s[*pos] strictly (no overlongs, no
// surrogates, nothing above U+10FFFF), advancing *pos. False if invalid.
bool DecodeRune(std::string_view s, size_t* pos, uint32_t* rune) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  size_t i = *pos;
  uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    *rune = b0;
    *pos = i + 1;
    return true;
  }
  int len;
  uint32_t r;
  uint32_t min;
  if ((b0 & 0xe0) == 0xc0) {
    len = 2, r = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3, r = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < size_t(len)) return false;
  for (int k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xc0) != 0x80) return false;
    r = (r << 6) | (b & 0x3f);
  }
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  *rune = r;
  *pos = i + len;
  return true;
}

// Go's unicode.IsSpace: Latin-1 spaces and the White_Space property.
bool IsUnicodeSpace(uint32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200a;
  }
}

uint32_t ReadBigEndian32(std::string_view b) {
  return (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) |
         (uint32_t(uint8_t(b[2])) << 8) | uint32_t(uint8_t(b[3]));
}

std::string BigEndian32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
  return out;
}

std::string KeyIdHex(uint32_t key_id) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", key_id);
  return std::string(buf, 8);
}

// Parses exactly 8 lowercase hex digits (signed-note "Verifier keys": the
// fixed-length lowercase Base 16 encoding).
bool ParseKeyIdHex(std::string_view hex, uint32_t* out) {
  if (hex.size() != 8) return false;
  uint32_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    v = (v << 4) | uint32_t(d);
  }
  *out = v;
  return true;
}

// Splits at the first `sep`: ("a", "b+c") for "a+b+c"; (s, "") and false if
// absent.
bool Chop(std::string_view s, char sep, std::string_view* before, std::string_view* after) {
  size_t i = s.find(sep);
  if (i == std::string_view::npos) return false;
  *before = s.substr(0, i);
  *after = s.substr(i + 1);
  return true;
}

}  // namespace

bool IsValidNoteText(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    uint32_t r;
    if (!DecodeRune(text, &pos, &r)) return false;
    if (r < 0x20 && r != '\n') return false;
  }
  return true;
}

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size();) {
    uint32_t r;
    if (!DecodeRune(name, &pos, &r)) return false;
    if (r < 0x20 || r == '+' || IsUnicodeSpace(r)) return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, std::string_view ed25519_public_key) {
  // signed-note "Ed25519 signatures": SHA-256(name || 0x0A || 0x01 || key)[:4].
  Sha256Hasher h;
  h.Update(name);
  static constexpr char kSep[2] = {'\n', static_cast<char>(kNoteSignatureTypeEd25519)};
  h.Update(std::string_view(kSep, 2));
  h.Update(ed25519_public_key);
  Sha256Digest d = h.Finish();
  return ReadBigEndian32(AsStringView(d));
}

Result<NoteVerifier> NoteVerifier::Create(std::string name, std::string_view ed25519_public_key) {
  if (!IsValidNoteKeyName(name)) return NoteMalformed("invalid note key name \"" + name + "\"");
  if (ed25519_public_key.size() != kEd25519PublicKeySize) {
    return NoteMalformed("an Ed25519 note key must be 32 bytes, got " +
                         std::to_string(ed25519_public_key.size()));
  }
  uint32_t id = NoteKeyId(name, ed25519_public_key);
  return NoteVerifier(std::move(name), id, std::string(ed25519_public_key));
}

Status NoteVerifier::Verify(std::string_view text, std::string_view signature) const {
  auto bad = [&] {
    return Status::InvalidArgument("note.bad-signature",
                                   "invalid signature for key " + name_ + "+" + KeyIdHex(key_id_));
  };
  if (signature.size() != kEd25519SignatureSize) return bad();
  if (!Ed25519Verify(public_key_, signature, text).ok()) return bad();
  return Status::Ok();
}

Result<NoteVerifier> ParseVerifierKey(std::string_view vkey) {
  // signed-note "Verifier keys": <name>+<hex key ID>+<base64(type || key)>.
  // The base64 may itself contain '+', so split at the first two only.
  auto bad = [&](std::string_view why) {
    return NoteMalformed("malformed verifier key \"" + std::string(vkey) +
                         "\": " + std::string(why));
  };
  std::string_view name, rest, hex, key64;
  if (!Chop(vkey, '+', &name, &rest) || !Chop(rest, '+', &hex, &key64)) {
    return bad("want <name>+<key ID>+<key>");
  }
  if (!IsValidNoteKeyName(name)) return bad("invalid key name");
  uint32_t key_id;
  if (!ParseKeyIdHex(hex, &key_id)) return bad("key ID must be 8 lowercase hex digits");
  Result<std::string> key = Base64Decode(key64);
  if (!key.ok()) return bad("key is not standard padded base64");
  if (key->size() != 1 + kEd25519PublicKeySize || uint8_t((*key)[0]) != kNoteSignatureTypeEd25519) {
    return bad("not an Ed25519 (type 0x01) key");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(NoteVerifier v,
                              NoteVerifier::Create(std::string(name), key->substr(1)));
  if (v.key_id() != key_id) return bad("key ID does not match the key");
  return v;
}

std::string FormatVerifierKey(const NoteVerifier& verifier) {
  std::string key(1, static_cast<char>(kNoteSignatureTypeEd25519));
  key += verifier.public_key();
  return verifier.name() + "+" + KeyIdHex(verifier.key_id()) + "+" + Base64Encode(key);
}

Result<NoteSigner> NoteSigner::Create(std::string name, const Signer* signer) {
  if (!IsValidNoteKeyName(name)) return NoteMalformed("invalid note key name \"" + name + "\"");
  if (signer == nullptr || signer->PublicKey().size() != kEd25519PublicKeySize) {
    return NoteMalformed("a note signer needs an Ed25519 key");
  }
  uint32_t id = NoteKeyId(name, signer->PublicKey());
  return NoteSigner(std::move(name), id, signer);
}

Result<NoteVerifier> NoteSigner::Verifier() const {
  return NoteVerifier::Create(name_, signer_->PublicKey());
}

Result<std::string> NoteSigner::Sign(std::string_view text) const {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string sig, signer_->Sign(text));
  if (sig.size() != kEd25519SignatureSize) {
    return Status::Internal("note.bad-signer", "the signer did not return an Ed25519 signature");
  }
  return sig;
}

std::string FormatNoteSignatureLine(const NoteSignature& sig) {
  std::string line(kSigPrefix);
  line += sig.name;
  line += ' ';
  line += Base64Encode(BigEndian32(sig.key_id) + sig.signature);
  line += '\n';
  return line;
}

Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers) {
  // signed-note "Format": text ending in newline, a blank line, then one
  // signature line per signer.
  if (text.empty() || text.back() != '\n') return NoteMalformed("note text must end in a newline");
  if (!IsValidNoteText(text)) {
    return NoteMalformed("note text must be UTF-8 without control characters but newline");
  }
  if (signers.empty()) return NoteMalformed("a note needs at least one signer");
  std::string out(text);
  out += '\n';
  for (size_t i = 0; i < signers.size(); ++i) {
    const NoteSigner& s = signers[i];
    for (size_t j = 0; j < i; ++j) {
      if (signers[j].name() == s.name() && signers[j].key_id() == s.key_id()) {
        return NoteMalformed("key " + s.name() + " is listed twice");
      }
    }
    CERTLEDGER_ASSIGN_OR_RETURN(std::string sig, s.Sign(text));
    out += FormatNoteSignatureLine(NoteSignature{s.name(), s.key_id(), std::move(sig)});
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, const NoteSigner& signer) {
  return SignNote(text, std::span<const NoteSigner>(&signer, 1));
}

Result<Note> OpenNote(std::string_view msg, std::span<const NoteVerifier> verifiers) {
  // signed-note "Format": "MUST be valid UTF-8 and MUST NOT contain any
  // ASCII control characters [...] other than newline."
  if (!IsValidNoteText(msg)) {
    return NoteMalformed("signed note is not UTF-8 without control characters but newline");
  }
  // "the text is separated from the signatures by the last empty line".
  size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return NoteMalformed("signed note has no blank line");
  std::string_view text = msg.substr(0, split + 1);
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return NoteMalformed("signed note must end in a signature line and a newline");
  }

  Note note;
  note.text = std::string(text);
  int num_sigs = 0;
  std::vector<std::string_view> unverified_lines;
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');  // present: sigs ends in '\n'
    std::string_view line = sigs.substr(0, nl);
    sigs = sigs.substr(nl + 1);
    if (++num_sigs > kMaxNoteSignatures) {
      return NoteMalformed("signed note has more than " + std::to_string(kMaxNoteSignatures) +
                           " signatures");
    }
    // "— <key name> base64(32-bit key ID || signature)"
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return NoteMalformed("signature line does not start with U+2014 and a space");
    }
    std::string_view body = line.substr(kSigPrefix.size());
    std::string_view name, b64;
    if (!Chop(body, ' ', &name, &b64) || !IsValidNoteKeyName(name)) {
      return NoteMalformed("signature line has no valid key name");
    }
    Result<std::string> raw = Base64Decode(b64);
    if (b64.empty() || !raw.ok() || raw->size() < 5) {
      return NoteMalformed("signature of " + std::string(name) +
                           " is not base64 of key ID || bytes");
    }
    NoteSignature sig{std::string(name), ReadBigEndian32(*raw), raw->substr(4)};

    auto known = std::find_if(verifiers.begin(), verifiers.end(), [&](const NoteVerifier& v) {
      return v.name() == sig.name && v.key_id() == sig.key_id;
    });
    if (known == verifiers.end()) {
      // "Verifiers MUST ignore signatures from unknown keys"; kept for
      // callers that collect cosignatures, without exact duplicates.
      if (std::find(unverified_lines.begin(), unverified_lines.end(), line) ==
          unverified_lines.end()) {
        unverified_lines.push_back(line);
        note.unverified.push_back(std::move(sig));
      }
      continue;
    }
    // "If the key name and ID match a known key, verifiers MUST verify the
    // signature" (also when the key signed twice).
    CERTLEDGER_RETURN_IF_ERROR(known->Verify(text, sig.signature));
    bool seen = std::any_of(
        note.verified.begin(), note.verified.end(),
        [&](const NoteSignature& v) { return v.name == sig.name && v.key_id == sig.key_id; });
    if (!seen) note.verified.push_back(std::move(sig));
  }
  // "If no signature from a known key verifies successfully, clients MUST
  // reject the note."
  if (note.verified.empty()) {
    return Status::InvalidArgument("note.no-verified-signature",
                                   "the note has no signature from a trusted key");
  }
  return note;
}

Result<XmodSignerKey> ParseXmodSignerKey(std::string_view skey) {
  // x/mod note.NewSigner: PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed).
  auto bad = [](std::string_view why) {
    return NoteMalformed("malformed x/mod signer key: " + std::string(why));
  };
  std::string_view priv, key, name, hex, key64, rest;
  if (!Chop(skey, '+', &priv, &rest) || !Chop(rest, '+', &key, &rest) ||
      !Chop(rest, '+', &name, &rest) || !Chop(rest, '+', &hex, &key64)) {
    return bad("want PRIVATE+KEY+<name>+<key ID>+<key>");
  }
  if (priv != "PRIVATE" || key != "KEY") return bad("must start with PRIVATE+KEY+");
  if (!IsValidNoteKeyName(name)) return bad("invalid key name");
  uint32_t key_id;
  if (!ParseKeyIdHex(hex, &key_id)) return bad("key ID must be 8 lowercase hex digits");
  Result<std::string> raw = Base64Decode(key64);
  if (!raw.ok() || raw->size() != 1 + kEd25519SeedSize ||
      uint8_t((*raw)[0]) != kNoteSignatureTypeEd25519) {
    return bad("not an Ed25519 (type 0x01) seed");
  }
  SecretBytes seed(std::string_view(*raw).substr(1), InsecureSecretAccess::Get());
  std::fill(raw->begin(), raw->end(), '\0');
  CERTLEDGER_ASSIGN_OR_RETURN(std::unique_ptr<Ed25519Signer> signer,
                              Ed25519Signer::Create(seed, std::string(name)));
  if (NoteKeyId(name, signer->PublicKey()) != key_id) return bad("key ID does not match the key");
  return XmodSignerKey{std::string(name), key_id, std::move(signer)};
}

}  // namespace certledger::crypto
