#include "crypto/multikey.h"

#include <sodium.h>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"

namespace certledger::crypto {
namespace {

// Multicodec headers as unsigned varints (multicodec table: ed25519-pub 0xed,
// ed25519-priv 0x1300). Controlled Identifiers v1.0 section 2.2.2.
constexpr char kEd25519PubHeader[] = "\xed\x01";
constexpr char kEd25519PrivHeader[] = "\x80\x26";
constexpr std::size_t kHeaderSize = 2;
constexpr std::size_t kMultikeyBytes = kHeaderSize + 32;
// base58btc of 34 bytes is at most ceil(34 * log(256) / log(58)) = 47 chars;
// longer input is rejected before the quadratic decoder runs.
constexpr std::size_t kMaxMultikeyChars = 1 + 47;
constexpr std::string_view kDidKeyPrefix = "did:key:";

// Wipes a std::string that held secret bytes.
void WipeString(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

Status BadPublicKey(std::size_t size) {
  return Status::InvalidArgument(
      "ed25519.bad-public-key",
      "an Ed25519 public key must be 32 bytes, got " + std::to_string(size));
}

// Decodes 'z' + base58btc(header || 32 bytes). The message names `what`, never
// the input (which may be secret).
Result<std::string> DecodeZ34(std::string_view text, std::string_view header,
                              std::string_view what) {
  if (text.empty() || text[0] != 'z') {
    return Status::InvalidArgument(kMultikeyMalformed,
                                   std::string(what) + " must start with 'z' (base58btc)");
  }
  if (text.size() > kMaxMultikeyChars) {
    return Status::InvalidArgument(kMultikeyMalformed, std::string(what) + " is too long");
  }
  auto bytes = Base58Decode(text.substr(1));
  if (!bytes.ok()) {
    return Status::InvalidArgument(kMultikeyMalformed,
                                   std::string(what) + " is not valid base58btc");
  }
  std::string raw = std::move(bytes).value();
  if (raw.size() != kMultikeyBytes || std::string_view(raw).substr(0, kHeaderSize) != header) {
    WipeString(raw);
    return Status::InvalidArgument(
        kMultikeyMalformed,
        std::string(what) + " must be a 2-byte multicodec header and a 32-byte Ed25519 key");
  }
  std::string key = raw.substr(kHeaderSize);
  WipeString(raw);
  return key;
}

}  // namespace

Result<std::string> EncodeEd25519Multikey(std::string_view public_key) {
  if (public_key.size() != kEd25519PublicKeySize) return BadPublicKey(public_key.size());
  std::string bytes(kEd25519PubHeader, kHeaderSize);
  bytes.append(public_key);
  return MultibaseEncode(Multibase::kBase58Btc, bytes);
}

Result<std::string> DecodeEd25519Multikey(std::string_view multikey) {
  return DecodeZ34(multikey, std::string_view(kEd25519PubHeader, kHeaderSize),
                   "an Ed25519 publicKeyMultibase");
}

Result<SecretBytes> EncodeEd25519SecretMultikey(const SecretBytes& seed) {
  if (seed.size() != kEd25519SeedSize) {
    return Status::InvalidArgument(
        "ed25519.bad-seed", "an Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  auto access = InsecureSecretAccess::Get();
  std::string bytes(kEd25519PrivHeader, kHeaderSize);
  bytes.append(seed.GetSecret(access));
  std::string text = MultibaseEncode(Multibase::kBase58Btc, bytes);
  WipeString(bytes);
  SecretBytes out(text, access);
  WipeString(text);
  return out;
}

Result<SecretBytes> DecodeEd25519SecretMultikey(const SecretBytes& multikey) {
  auto access = InsecureSecretAccess::Get();
  auto seed =
      DecodeZ34(multikey.GetSecret(access), std::string_view(kEd25519PrivHeader, kHeaderSize),
                "an Ed25519 secretKeyMultibase");
  if (!seed.ok()) return seed.status();
  SecretBytes out(*seed, access);
  WipeString(*seed);
  return out;
}

Result<std::string> DidKeyFromEd25519(std::string_view public_key) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, EncodeEd25519Multikey(public_key));
  return std::string(kDidKeyPrefix) + mk;
}

Result<std::string> DidKeyVerificationMethod(std::string_view public_key) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string mk, EncodeEd25519Multikey(public_key));
  return std::string(kDidKeyPrefix) + mk + "#" + mk;
}

// did:key Method v0.9: did-key-format := did:key:<mb-value>; the verification
// method of an Ed25519 did:key is did:key:<mb-value>#<mb-value>.
Result<std::string> ResolveDidKey(std::string_view did_or_vm_url) {
  if (did_or_vm_url.substr(0, kDidKeyPrefix.size()) != kDidKeyPrefix) {
    return Status::InvalidArgument(kDidKeyMalformed, "not a did:key identifier");
  }
  std::string_view rest = did_or_vm_url.substr(kDidKeyPrefix.size());
  std::string_view id = rest;
  std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    id = rest.substr(0, hash);
    if (rest.substr(hash + 1) != id) {
      return Status::InvalidArgument(
          kDidKeyMalformed, "the fragment of a did:key verification method must repeat the key");
    }
  }
  if (id.find_first_of(":/?;") != std::string_view::npos) {
    return Status::InvalidArgument(kDidKeyMalformed,
                                   "did:key with a version, path, query or parameters");
  }
  auto key = DecodeEd25519Multikey(id);
  if (!key.ok()) {
    return Status::InvalidArgument(kDidKeyMalformed,
                                   "not an Ed25519 did:key: " + key.status().message());
  }
  return key;
}

}  // namespace certledger::crypto
