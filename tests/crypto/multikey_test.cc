#include "crypto/multikey.h"

#include <string>

#include <catch2/catch.hpp>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/json.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;
using testing::Unhex;

// vectors/eddsa-jcs-2022/README.md and vectors/vc/keys.json.
constexpr char kSeedHex[] = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6";
constexpr char kPublicHex[] = "b00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f";
constexpr char kPublicMultibase[] = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
constexpr char kSecretMultibase[] = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
constexpr char kDid[] = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
constexpr char kMultikeyVm[] =
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";

SecretBytes Secret(std::string_view s) { return SecretBytes(s, InsecureSecretAccess::Get()); }

std::string Reveal(const SecretBytes& s) {
  return std::string(s.GetSecret(InsecureSecretAccess::Get()));
}

TEST_CASE("multikey: the W3C test key encodes to its publicKeyMultibase, DID and method",
          "[crypto]") {
  const std::string pub = Unhex(kPublicHex);
  CHECK(*EncodeEd25519Multikey(pub) == kPublicMultibase);
  CHECK(*DidKeyFromEd25519(pub) == kDid);
  CHECK(*DidKeyVerificationMethod(pub) == kMultikeyVm);
  CHECK(Hex(*DecodeEd25519Multikey(kPublicMultibase)) == kPublicHex);

  // The seed's Ed25519 public key is the same key (keyPair.json).
  auto signer = Ed25519Signer::Create(Secret(Unhex(kSeedHex)));
  REQUIRE(signer.ok());
  CHECK(Hex((*signer)->PublicKey()) == kPublicHex);
}

TEST_CASE("multikey: keyPair.json and keys.json agree with the codecs", "[crypto]") {
  auto pair = ParseJson(ReadFile(SharedPath("vectors/eddsa-jcs-2022/keyPair.json")));
  REQUIRE(pair.ok());
  CHECK((*pair)["publicKeyMultibase"] == kPublicMultibase);
  CHECK((*pair)["privateKeyMultibase"] == kSecretMultibase);

  auto keys = ParseJson(ReadFile(SharedPath("vectors/vc/keys.json")));
  REQUIRE(keys.ok());
  for (const char* issuer : {"didKeyIssuer", "didWebIssuer"}) {
    INFO(issuer);
    const Json& k = (*keys)[issuer];
    const std::string pub = Unhex(k["publicKeyHex"].get<std::string>());
    CHECK(*EncodeEd25519Multikey(pub) == k["publicKeyMultibase"].get<std::string>());
    auto secret = EncodeEd25519SecretMultikey(Secret(Unhex(k["seedHex"].get<std::string>())));
    REQUIRE(secret.ok());
    CHECK(Reveal(*secret) == k["secretKeyMultibase"].get<std::string>());
    auto seed = DecodeEd25519SecretMultikey(Secret(k["secretKeyMultibase"].get<std::string>()));
    REQUIRE(seed.ok());
    CHECK(Hex(Reveal(*seed)) == k["seedHex"].get<std::string>());
  }
}

TEST_CASE("multikey: the secret key multibase round-trips to the seed", "[crypto]") {
  auto seed = DecodeEd25519SecretMultikey(Secret(kSecretMultibase));
  REQUIRE(seed.ok());
  CHECK(Hex(Reveal(*seed)) == kSeedHex);
  auto again = EncodeEd25519SecretMultikey(*seed);
  REQUIRE(again.ok());
  CHECK(Reveal(*again) == kSecretMultibase);
}

TEST_CASE("multikey: decoding rejects a wrong prefix, header, length or alphabet", "[crypto]") {
  const std::string pub = Unhex(kPublicHex);
  auto slug = [](std::string_view s) {
    auto r = DecodeEd25519Multikey(s);
    return r.ok() ? std::string("ok") : r.status().slug();
  };
  CHECK(slug("") == kMultikeyMalformed);
  CHECK(slug(std::string("u") + std::string(kPublicMultibase).substr(1)) == kMultikeyMalformed);
  CHECK(slug(std::string(kPublicMultibase).substr(1)) == kMultikeyMalformed);  // no 'z'
  CHECK(slug("z0OIl") == kMultikeyMalformed);                                  // not base58
  // A secret key is not a public key (header 0x80 0x26).
  CHECK(slug(kSecretMultibase) == kMultikeyMalformed);
  // 31 and 33 key bytes.
  CHECK(slug("z" + Base58Encode("\xed\x01" + pub.substr(1))) == kMultikeyMalformed);
  CHECK(slug("z" + Base58Encode("\xed\x01" + pub + "x")) == kMultikeyMalformed);
  // Another codec (secp256k1-pub, 0xe7 0x01) with 32 bytes.
  CHECK(slug("z" + Base58Encode("\xe7\x01" + pub)) == kMultikeyMalformed);
  // Overlong input is refused before decoding.
  CHECK(slug("z" + std::string(5000, '2')) == kMultikeyMalformed);

  CHECK(EncodeEd25519Multikey(pub.substr(1)).status().slug() == "ed25519.bad-public-key");
  CHECK(DidKeyFromEd25519("").status().slug() == "ed25519.bad-public-key");
  CHECK(EncodeEd25519SecretMultikey(Secret("short")).status().slug() == "ed25519.bad-seed");
  auto bad_secret = DecodeEd25519SecretMultikey(Secret(kPublicMultibase));
  CHECK(bad_secret.status().slug() == kMultikeyMalformed);
  CHECK(bad_secret.status().message().find(kPublicMultibase) == std::string::npos);
}

TEST_CASE("did:key: a DID or its verification method resolves to the public key", "[crypto]") {
  CHECK(Hex(*ResolveDidKey(kDid)) == kPublicHex);
  CHECK(Hex(*ResolveDidKey(kMultikeyVm)) == kPublicHex);
  const std::string web = Unhex("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
  CHECK(*ResolveDidKey("did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX") == web);
}

TEST_CASE("did:key: other methods, mismatched fragments, paths and bad keys are rejected",
          "[crypto]") {
  auto slug = [](std::string_view s) {
    auto r = ResolveDidKey(s);
    return r.ok() ? std::string("ok") : r.status().slug();
  };
  const std::string did = kDid;
  const std::string mb = kPublicMultibase;
  CHECK(slug("did:web:registry.example#key-1") == kDidKeyMalformed);
  CHECK(slug("did:key:") == kDidKeyMalformed);
  CHECK(slug(did + "#key-1") == kDidKeyMalformed);
  CHECK(slug(did + "#z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX") == kDidKeyMalformed);
  CHECK(slug(did + "#") == kDidKeyMalformed);
  CHECK(slug(did + "/path") == kDidKeyMalformed);
  CHECK(slug(did + "?service=x") == kDidKeyMalformed);
  CHECK(slug("did:key:1:" + mb) == kDidKeyMalformed);  // no versions
  CHECK(slug("DID:key:" + mb) == kDidKeyMalformed);
  CHECK(slug("did:key:" + mb.substr(0, mb.size() - 1)) == kDidKeyMalformed);
  CHECK(slug("did:key:u7QE" + mb.substr(4)) == kDidKeyMalformed);
}

}  // namespace
}  // namespace certledger::crypto
