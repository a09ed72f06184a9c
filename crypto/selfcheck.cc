#include "crypto/selfcheck.h"

#include <string>

#include "crypto/ed25519.h"
#include "crypto/hash.h"

namespace certledger::crypto {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Status Fail(const std::string& what) {
  return Status::Internal("selfcheck.failed", "known-answer test failed: " + what);
}

}  // namespace

Status SelfCheck() {
  // FIPS 180-4 example "abc".
  if (Hex(AsStringView(Sha256("abc"))) !=
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
    return Fail("SHA-256");
  }
  // RFC 8032 section 7.1, TEST 1 (empty message).
  std::string seed_hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  std::string seed;
  for (size_t i = 0; i < seed_hex.size(); i += 2) {
    seed += static_cast<char>(std::stoi(seed_hex.substr(i, 2), nullptr, 16));
  }
  auto signer = Ed25519Signer::Create(SecretBytes(seed, InsecureSecretAccess::Get()));
  if (!signer.ok()) return Fail("Ed25519 key");
  if (Hex((*signer)->PublicKey()) !=
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a") {
    return Fail("Ed25519 public key");
  }
  auto sig = (*signer)->Sign("");
  if (!sig.ok() ||
      Hex(*sig) !=
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
          "701cf9b46bd25bf5f0595bbe24655141438e7a100b") {
    return Fail("Ed25519 signature");
  }
  if (!Ed25519Verify((*signer)->PublicKey(), *sig, "").ok()) return Fail("Ed25519 verify");
  if (Ed25519Verify((*signer)->PublicKey(), *sig, "x").ok()) return Fail("Ed25519 reject");
  return Status::Ok();
}

}  // namespace certledger::crypto
