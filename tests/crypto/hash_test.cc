#include "crypto/hash.h"

#include <catch2/catch.hpp>

#include "crypto/selfcheck.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::Hex;

TEST_CASE("sha256: FIPS 180-4 examples", "[crypto]") {
  CHECK(Hex(AsStringView(Sha256(""))) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(AsStringView(Sha256("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(AsStringView(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256: incremental and two-part hashing equal one-shot", "[crypto]") {
  Sha256Hasher h;
  h.Update("ab");
  h.Update("c");
  CHECK(h.Finish() == Sha256("abc"));
  h.Update("abc");
  CHECK(h.Finish() == Sha256("abc"));  // Finish resets.
  CHECK(Sha256("a", "bc") == Sha256("abc"));
  CHECK(Sha256Tagged("abc") ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("selfcheck: the start-up known-answer tests pass", "[crypto]") {
  Status s = SelfCheck();
  INFO(s.ToString());
  CHECK(s.ok());
}

}  // namespace
}  // namespace certledger::crypto
