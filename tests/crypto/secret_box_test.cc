#include "crypto/secret_box.h"

#include <catch2/catch.hpp>

#include "crypto/random.h"

namespace certledger::crypto {
namespace {

SecretBytes S(std::string_view s) { return SecretBytes(s, InsecureSecretAccess::Get()); }

TEST_CASE("secretbox: sealed secrets open only with the same key and associated data", "[crypto]") {
  SecretBytes key = SecretBytes::Random(kMasterKeySize);
  auto sealed = Seal(key, S("seed-bytes-seed-bytes-seed-bytes"), "did:web:x#key-1");
  REQUIRE(sealed.ok());
  CHECK(sealed->find("seed-bytes") == std::string::npos);
  auto opened = Open(key, *sealed, "did:web:x#key-1");
  REQUIRE(opened.ok());
  CHECK(opened->GetSecret(InsecureSecretAccess::Get()) == "seed-bytes-seed-bytes-seed-bytes");
  CHECK(Open(key, *sealed, "did:web:x#key-2").status().slug() == "secretbox.open-failed");
  CHECK(Open(SecretBytes::Random(kMasterKeySize), *sealed, "did:web:x#key-1").status().code() ==
        Code::kDataLoss);
  std::string flipped = *sealed;
  flipped[30] ^= 1;
  CHECK_FALSE(Open(key, flipped, "did:web:x#key-1").ok());
  CHECK_FALSE(Open(key, sealed->substr(0, 10), "did:web:x#key-1").ok());
  // Two seals of the same secret differ (random nonces).
  CHECK(*Seal(key, S("a"), "") != *Seal(key, S("a"), ""));
  CHECK(Seal(S("short"), S("a"), "").status().slug() == "secretbox.bad-key");
}

TEST_CASE("secretbox: Argon2id derives a stable key from a passphrase and salt", "[crypto]") {
  std::string salt(kPassphraseSaltSize, '\x01');
  auto a = DeriveKeyFromPassphrase(S("correct horse"), salt);
  auto b = DeriveKeyFromPassphrase(S("correct horse"), salt);
  auto c = DeriveKeyFromPassphrase(S("correct horsf"), salt);
  REQUIRE(a.ok());
  CHECK(*a == *b);
  CHECK_FALSE(*a == *c);
  CHECK(a->size() == kMasterKeySize);
  CHECK_FALSE(DeriveKeyFromPassphrase(S(""), salt).ok());
  CHECK_FALSE(DeriveKeyFromPassphrase(S("x"), "short").ok());
}

TEST_CASE("secretbox: keyed hashes separate keys and inputs", "[crypto]") {
  SecretBytes k1 = SecretBytes::Random(32), k2 = SecretBytes::Random(32);
  CHECK(KeyedHash(k1, "112-233-445 95") == KeyedHash(k1, "112-233-445 95"));
  CHECK(KeyedHash(k1, "112-233-445 95") != KeyedHash(k2, "112-233-445 95"));
  CHECK(KeyedHash(k1, "112-233-445 95").size() == 32);
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace certledger::crypto
