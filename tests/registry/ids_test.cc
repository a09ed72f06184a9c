#include "registry/ids.h"

#include <catch2/catch.hpp>

#include "crypto/json.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

TEST_CASE("ids: every INN and SNILS example in shared/data is judged as documented", "[registry]") {
  auto data =
      crypto::ParseJson(testing::ReadFile(testing::SharedPath("data/snils_inn_examples.json")));
  REQUIRE(data.ok());
  int seen = 0;
  for (const auto& ex : (*data)["snils"]["examples"]) {
    INFO(ex.dump());
    // "valid": null marks numbers at or below 001-001-998, whose control
    // number the algorithm does not check: accepted whatever it says.
    bool expected = ex["valid"].is_null() ? true : ex["valid"].get<bool>();
    CHECK(ValidateSnils(ex["snils"].get<std::string>()).ok() == expected);
    ++seen;
  }
  for (const auto& ex : (*data)["inn"]["examples"]) {
    INFO(ex.dump());
    CHECK(ValidateInn(ex["inn"].get<std::string>()).ok() == ex["valid"].get<bool>());
    ++seen;
  }
  CHECK(seen >= 10);
}

TEST_CASE("ids: malformed SNILS and INN get a bilingual error", "[registry]") {
  auto s = ValidateSnils("112-233-445");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().slug() == "snils.invalid");
  CHECK(s.status().message().find("СНИЛС") != std::string::npos);
  CHECK(s.status().message().find("SNILS") != std::string::npos);
  CHECK_FALSE(ValidateSnils("112-233-445 9x").ok());
  CHECK(*ValidateSnils("112 233 445 95") == "11223344595");
  CHECK(ValidateInn("123").status().slug() == "inn.invalid");
}

TEST_CASE("ids: registration codes carry 80 bits, a check symbol and survive retyping",
          "[registry]") {
  std::string code = NewRegistrationCode();
  CHECK(code.size() == 21);
  CHECK(code[4] == '-');
  CHECK(code[19] == '-');
  CHECK(*NormalizeRegistrationCode(code) == code);
  std::string typed;
  for (char c : code) {
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  CHECK(*NormalizeRegistrationCode(typed) == code);
  // Every single-symbol substitution is caught by the check symbol.
  const std::string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (size_t pos = 0; pos < code.size(); ++pos) {
    if (code[pos] == '-') continue;
    for (char c : alphabet) {
      if (c == code[pos]) continue;
      std::string wrong = code;
      wrong[pos] = c;
      INFO(wrong);
      REQUIRE(NormalizeRegistrationCode(wrong).status().slug() == "code.invalid");
    }
  }
  CHECK_FALSE(NormalizeRegistrationCode("").ok());
  CHECK_FALSE(NormalizeRegistrationCode(code + "0").ok());
  CHECK_FALSE(NormalizeRegistrationCode("UUUU-UUUU-UUUU-UUUU-U").ok());
  CHECK(NewRegistrationCode() != NewRegistrationCode());
}

}  // namespace
}  // namespace certledger::registry
