// Tests registry/eligibility.cc: every rule at its boundaries, table-driven,
// without a database.
#include <catch2/catch.hpp>

#include <algorithm>

#include "crypto/rfc3339.h"
#include "registry/eligibility.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

int64_t Day(const char* ymd) { return *crypto::ParseDate(ymd); }

ApplicationInput Eligible() {
  ApplicationInput in;
  in.full_name = "Иванова Мария Сергеевна";
  in.birth_date = "1990-05-10";
  in.sex = "female";
  in.citizenship = "RU";
  in.education_level = "higher-bachelor";
  in.region_code = "77";
  in.registration_type = "permanent";
  in.email = "maria@example.ru";
  in.phone = "+7 900 123-45-67";
  in.snils = "112-233-445 95";
  in.issuer = "demo";
  in.programme = "DA-101";
  return in;
}

EligibilityContext Ctx(const char* on = "2026-06-30") {
  EligibilityContext c;
  c.application_day = Day(on);
  static const std::vector<std::string> regions = {"77", "50", "16"};
  static const std::vector<std::string> levels = DefaultEducationLevels();
  c.regions = regions;
  c.education_levels = levels;
  return c;
}

std::vector<std::string> Codes(const std::vector<EligibilityFailure>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.code);
  return out;
}

bool Has(const std::vector<EligibilityFailure>& f, const std::string& code) {
  auto c = Codes(f);
  return std::find(c.begin(), c.end(), code) != c.end();
}

TEST_CASE("eligibility: a typical applicant passes every rule", "[registry][eligibility]") {
  REQUIRE(ValidateApplicationInput(Eligible()).ok());
  CHECK(CheckEligibility(Eligible(), Ctx()).empty());
}

TEST_CASE("eligibility: the 18th birthday, the day before and the day itself",
          "[registry][eligibility]") {
  struct Row {
    const char* birth;
    const char* on;
    bool under_18;
  };
  const Row rows[] = {
      {"2008-07-01", "2026-06-30", true},   // the day before the 18th birthday
      {"2008-06-30", "2026-06-30", false},  // the 18th birthday
      {"2008-06-29", "2026-06-30", false},
      {"2008-12-31", "2026-12-30", true},
      {"2008-12-31", "2026-12-31", false},
      // Born on 29 February: 18 on 28 February of a common year (month-term rule).
      {"2008-02-29", "2026-02-27", true},
      {"2008-02-29", "2026-02-28", false},
      {"2010-01-01", "2026-06-30", true},
  };
  for (const auto& r : rows) {
    auto in = Eligible();
    in.birth_date = r.birth;
    auto f = CheckEligibility(in, Ctx(r.on));
    INFO(r.birth << " on " << r.on);
    CHECK(Has(f, "age.under-18") == r.under_18);
    CHECK(f.size() == (r.under_18 ? 1u : 0u));
  }
}

TEST_CASE("eligibility: the compiled pension-age table equals shared/data/retirement_age.json",
          "[registry][eligibility]") {
  Json doc = testing::SharedJson("data/retirement_age.json");
  auto table = PensionAgeTable::FromJson(doc);
  REQUIRE(table.ok());
  const auto& def = PensionAgeTable::Default();
  REQUIRE(table->rows().size() == def.rows().size());
  for (const auto& row : table->rows()) {
    INFO((row.male ? "M " : "F ") << row.birth_year << " H" << row.birth_half);
    CHECK(def.AgeMonths(row.male, row.birth_year, row.birth_half) == row.age_months);
  }
  // Outside the schedule: the old age before the reform, the target after it.
  CHECK(def.AgeMonths(true, 1950, 1) == 60 * 12);
  CHECK(def.AgeMonths(false, 1955, 2) == 55 * 12);
  CHECK(def.AgeMonths(true, 1990, 1) == 65 * 12);
  CHECK(def.AgeMonths(false, 1990, 2) == 60 * 12);
}

TEST_CASE("eligibility: pension age by sex and birth half-year, the day before and of entitlement",
          "[registry][eligibility]") {
  Json doc = testing::SharedJson("data/retirement_age.json");
  // Every schedule row (incl. the 2019-2020 transition with its 6-month
  // privilege): someone born on the first day of that half-year.
  for (const auto& row : doc["schedule"]) {
    const bool male = row["sex"] == "M";
    const int year = row["birth_year"].get<int>();
    const bool h1 = row["birth_half"] == "H1";
    const int64_t birth = crypto::DaysFromCivil(year, h1 ? 1 : 7, 1);
    const std::string age = row["entitlement_age"].get<std::string>();
    const int months = std::stoi(age.substr(0, 2)) * 12 + std::stoi(age.substr(3));
    const int64_t entitled = AddMonths(birth, months);
    // The schedule's "entitlement_from" month is where the right begins.
    CHECK(crypto::FormatDate(entitled).substr(0, 7) == row["entitlement_from"].get<std::string>());
    auto in = Eligible();
    in.sex = male ? "male" : "female";
    in.birth_date = crypto::FormatDate(birth);
    auto before = Ctx();
    before.application_day = entitled - 1;
    auto on = Ctx();
    on.application_day = entitled;
    INFO(row.dump());
    CHECK(CheckEligibility(in, before).empty());
    auto f = CheckEligibility(in, on);
    CHECK(Codes(f) == std::vector<std::string>{"age.pension"});
  }
  // The worked examples, including the 1959/1960 men and 1964/1965 women.
  for (const auto& ex : doc["worked_examples"]) {
    auto in = Eligible();
    in.sex = ex["sex"] == "M" ? "male" : "female";
    in.birth_date = ex["birth_date"].get<std::string>();
    const int64_t entitled = Day(ex["entitlement_date"].get<std::string>().c_str());
    auto before = Ctx();
    before.application_day = entitled - 1;
    auto on = Ctx();
    on.application_day = entitled;
    INFO(ex.dump());
    CHECK_FALSE(Has(CheckEligibility(in, before), "age.pension"));
    CHECK(Has(CheckEligibility(in, on), "age.pension"));
  }
}

TEST_CASE("eligibility: the transition cohorts by exact dates", "[registry][eligibility]") {
  struct Row {
    const char* sex;
    const char* birth;
    const char* last_eligible;  // the day before the right arises
  };
  const Row rows[] = {
      {"male", "1958-06-15", "2018-06-14"},    // pre-reform: 60
      {"male", "1959-01-15", "2019-07-14"},    // 2019: 60.5 with the privilege
      {"male", "1959-09-03", "2020-03-02"},    // 2019, second half-year
      {"male", "1960-03-10", "2021-09-09"},    // 2020: 61.5
      {"male", "1961-05-31", "2024-05-30"},    // 2021: 63
      {"male", "1963-01-01", "2027-12-31"},    // 2023: 65
      {"female", "1963-06-15", "2018-06-14"},  // pre-reform: 55
      {"female", "1964-03-01", "2019-08-31"},  // 2019: 55.5
      {"female", "1965-12-31", "2022-06-29"},  // 2020: 56.5, to the month's last day
      {"female", "1967-04-30", "2026-04-29"},  // 2022: 59
      {"female", "1968-01-01", "2027-12-31"},  // 2023: 60
  };
  for (const auto& r : rows) {
    auto in = Eligible();
    in.sex = r.sex;
    in.birth_date = r.birth;
    INFO(r.sex << " " << r.birth);
    CHECK(CheckEligibility(in, Ctx(r.last_eligible)).empty());
    auto ctx = Ctx(r.last_eligible);
    ctx.application_day += 1;
    CHECK(Codes(CheckEligibility(in, ctx)) == std::vector<std::string>{"age.pension"});
  }
  // The same birth date, other sex: a woman of 1968 retires at 60, a man of 1968 at 65.
  auto in = Eligible();
  in.birth_date = "1968-01-01";
  in.sex = "female";
  CHECK(Has(CheckEligibility(in, Ctx("2028-01-01")), "age.pension"));
  in.sex = "male";
  CHECK(CheckEligibility(in, Ctx("2028-01-01")).empty());
}

TEST_CASE("eligibility: each education level", "[registry][eligibility]") {
  struct Row {
    const char* level;
    const char* failure;  // "" when eligible
  };
  const Row rows[] = {
      {"basic-general", "education.not-eligible"},
      {"secondary-general", "education.not-eligible"},
      {"secondary-vocational", ""},
      {"higher-bachelor", ""},
      {"higher-specialist", ""},
      {"higher-master", ""},
      {"higher-doctoral", ""},
      {"phd", "education.unknown"},
      {"Higher-Bachelor", "education.unknown"},
  };
  for (const auto& r : rows) {
    auto in = Eligible();
    in.education_level = r.level;
    INFO(r.level);
    auto f = CheckEligibility(in, Ctx());
    if (*r.failure == '\0') {
      CHECK(f.empty());
    } else {
      CHECK(Codes(f) == std::vector<std::string>{r.failure});
      CHECK(f[0].field == "education_level");
    }
  }
  // The year decides: a year that accepts only higher education.
  auto ctx = Ctx();
  const std::vector<std::string> higher = {"higher-master"};
  ctx.education_levels = higher;
  auto in = Eligible();
  CHECK(Has(CheckEligibility(in, ctx), "education.not-eligible"));
}

TEST_CASE("eligibility: regions, registration type, citizenship", "[registry][eligibility]") {
  struct Row {
    const char* region;
    const char* registration;
    const char* citizenship;
    std::vector<std::string> failures;
  };
  const std::vector<Row> rows = {
      {"77", "permanent", "RU", {}},
      {"77", "temporary", "RU", {}},  // temporary registration counts
      {"16", "temporary", "RU", {}},
      {"01", "permanent", "RU", {"region.not-participating"}},  // known, not taking part
      {"95", "temporary", "RU", {"region.not-participating"}},
      {"99", "permanent", "RU", {"region.unknown"}},
      {"7", "permanent", "RU", {"region.unknown"}},
      {"77", "permanent", "KZ", {"citizenship.not-ru"}},
      {"99", "permanent", "BY", {"citizenship.not-ru", "region.unknown"}},
  };
  for (const auto& r : rows) {
    auto in = Eligible();
    in.region_code = r.region;
    in.registration_type = r.registration;
    in.citizenship = r.citizenship;
    INFO(r.region << " " << r.registration << " " << r.citizenship);
    REQUIRE(ValidateApplicationInput(in).ok());
    CHECK(Codes(CheckEligibility(in, Ctx())) == r.failures);
  }
  CHECK(Regions().size() == 89);
  CHECK(IsKnownRegion("92"));
  CHECK_FALSE(IsKnownRegion("80"));
}

TEST_CASE("eligibility: SNILS checksums from shared/data/snils_inn_examples.json",
          "[registry][eligibility]") {
  Json doc = testing::SharedJson("data/snils_inn_examples.json");
  int checked = 0;
  for (const auto& ex : doc["snils"]["examples"]) {
    auto in = Eligible();
    in.snils = ex["snils"].get<std::string>();
    auto f = CheckEligibility(in, Ctx());
    INFO(in.snils);
    // null: at or below 001-001-998 the control number is not checked.
    const bool valid = ex["valid"].is_null() || ex["valid"].get<bool>();
    CHECK(Has(f, "snils.invalid") == !valid);
    ++checked;
  }
  CHECK(checked >= 10);
  for (const char* bad : {"112-233-445", "112-233-445 9x", "11223344595 1", "abc"}) {
    auto in = Eligible();
    in.snils = bad;
    auto f = CheckEligibility(in, Ctx());
    CHECK(Codes(f) == std::vector<std::string>{"snils.invalid"});
    CHECK(f[0].field == "snils");
  }
}

TEST_CASE("eligibility: every failed rule is reported at once, with ru and en reasons",
          "[registry][eligibility]") {
  auto in = Eligible();
  in.citizenship = "UA";
  in.birth_date = "2010-01-01";
  in.education_level = "secondary-general";
  in.region_code = "01";
  in.snils = "112-233-445 96";
  auto f = CheckEligibility(in, Ctx());
  CHECK(Codes(f) == std::vector<std::string>{"citizenship.not-ru", "age.under-18",
                                             "education.not-eligible", "region.not-participating",
                                             "snils.invalid"});
  for (const auto& x : f) {
    CHECK_FALSE(x.reason_ru.empty());
    CHECK_FALSE(x.reason_en.empty());
    CHECK_FALSE(x.field.empty());
  }
}

TEST_CASE("eligibility: malformed input is application.invalid with the field",
          "[registry][eligibility]") {
  struct Row {
    void (*mutate)(ApplicationInput&);
    const char* field;
  };
  const Row rows[] = {
      {[](ApplicationInput& a) { a.full_name = ""; }, "full_name"},
      {[](ApplicationInput& a) { a.birth_date = "1990-02-30"; }, "birth_date"},
      {[](ApplicationInput& a) { a.birth_date = "10.05.1990"; }, "birth_date"},
      {[](ApplicationInput& a) { a.sex = "m"; }, "sex"},
      {[](ApplicationInput& a) { a.citizenship = "Russia"; }, "citizenship"},
      {[](ApplicationInput& a) { a.registration_type = "none"; }, "registration_type"},
      {[](ApplicationInput& a) { a.email = "maria.example.ru"; }, "email"},
      {[](ApplicationInput& a) { a.phone = "12345"; }, "phone"},
      {[](ApplicationInput& a) { a.snils = ""; }, "snils"},
      {[](ApplicationInput& a) { a.programme = ""; }, "programme"},
  };
  for (const auto& r : rows) {
    auto in = Eligible();
    r.mutate(in);
    Status s = ValidateApplicationInput(in);
    INFO(r.field);
    CHECK(s.slug() == "application.invalid");
    CHECK(s.field() == r.field);
  }
}

TEST_CASE("eligibility: the year configuration's JSON and the sample file",
          "[registry][eligibility]") {
  auto sample = crypto::ParseJson(testing::ReadFile(testing::SourcePath("samples/year-2026.json")));
  REQUIRE(sample.ok());
  auto c = ParseYearConfig(*sample);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(c->year == 2026);
  CHECK(c->quota == 33000);
  CHECK(c->time_zone == "Europe/Moscow");
  auto back = ParseYearConfig(YearConfigToJson(*c));
  REQUIRE(back.ok());
  CHECK(back->regions == c->regions);

  auto bad = [&](const char* key, Json value, const char* field) {
    Json j = YearConfigToJson(*c);
    j[key] = std::move(value);
    auto r = ParseYearConfig(j);
    INFO(key);
    CHECK(r.status().slug() == "year.invalid");
    CHECK(r.status().field() == field);
  };
  bad("timeZone", "Europe/Atlantis", "timeZone");
  bad("regions", Json::array({"77", "99"}), "regions");
  bad("regions", Json::array({"77", "77"}), "regions");
  bad("educationLevels", Json::array({"phd"}), "educationLevels");
  bad("quota", 0, "quota");
  bad("opensAt", "2025-12-31T12:00:00Z", "opensAt");
  bad("opensAt", "tomorrow", "opensAt");
  bad("documentDeadlineDays", 0, "documentDeadlineDays");
  bad("surprise", 1, "surprise");
}

TEST_CASE("eligibility: local time in Europe/Moscow and the last instant of the year",
          "[registry][eligibility]") {
  const int64_t next_year = *StartOfLocalDay("Europe/Moscow", crypto::DaysFromCivil(2027, 1, 1));
  CHECK(next_year == *crypto::ParseRfc3339("2026-12-31T21:00:00Z"));
  CHECK(*FormatLocalRfc3339("Europe/Moscow", next_year - 1) == "2026-12-31T23:59:59.999+03:00");
  CHECK(*LocalDay("Europe/Moscow", next_year - 1) == Day("2026-12-31"));
  CHECK(*LocalDay("Europe/Moscow", next_year) == Day("2027-01-01"));
  CHECK(*FormatLocalRfc3339("UTC", 0) == "1970-01-01T00:00:00.000Z");
  CHECK(*FormatLocalRfc3339("America/New_York", *crypto::ParseRfc3339("2026-07-01T12:00:00Z")) ==
        "2026-07-01T08:00:00.000-04:00");
  CHECK_FALSE(LocalDay("Mars/Olympus", 0).ok());
}

}  // namespace
}  // namespace certledger::registry
