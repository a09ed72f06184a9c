#include "render/internal/qr.h"

#include <string>

#include <catch2/catch.hpp>

namespace certledger::render::internal {
namespace {

const char* const kTexts[] = {
    "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5",
    "https://cert.example.ru/v/ABCD-EFGH-JKMN-PQRS-T",
    "http://127.0.0.1%3A8080/v/0000-0000-0000-0000-0",
    "https://registry.education.example.org/v/7kq2-m9xh-4tpa-zr3c-5",
    "HTTPS://CERT.EXAMPLE.RU/V/7KQ2-M9XH-4TPA-ZR3C-5",
    // Long enough for version >= 7 (version information blocks).
    "https://cert.example.ru/v/"
    "7KQ2-M9XH-4TPA-ZR3C-5?lang=en&utm=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

TEST_CASE("qr: re-masking matches qrcodegen module for module, for every mask", "[render]") {
  for (const char* text : kTexts) {
    for (int mask = 0; mask < 8; ++mask) {
      auto ours = EncodeQr(text, mask);
      auto ref = TEST_EncodeQrWithQrcodegen(text, mask);
      REQUIRE(ours.ok());
      REQUIRE(ref.ok());
      INFO(text << " mask " << mask << " version " << ref->version);
      CHECK(ours->version == ref->version);
      CHECK(ours->mask == mask);
      CHECK(ours->dark == ref->dark);
    }
  }
}

TEST_CASE("qr: a certificate URL with an upper-case code stays at version 3", "[render]") {
  auto qr = EncodeQr("https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5");
  REQUIRE(qr.ok());
  CHECK(qr->version == 3);
  // The same URL in byte mode only (lower-case code) needs version 4.
  auto lower = EncodeQr("https://cert.example.ru/v/7kq2-m9xh-4tpa-zr3c-5");
  REQUIRE(lower.ok());
  CHECK(lower->version == 4);
}

TEST_CASE("qr: the automatic mask is a valid mask and over-long text is an error", "[render]") {
  auto qr = EncodeQr(kTexts[0]);
  REQUIRE(qr.ok());
  CHECK(qr->mask >= 0);
  CHECK(qr->mask < 8);
  auto too_long = EncodeQr(std::string(1001, 'a'));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.status().slug() == "render.qr-too-long");
}

}  // namespace
}  // namespace certledger::render::internal
