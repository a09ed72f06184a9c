// Eligibility for a training voucher (DESIGN.md "Rules of the voucher
// programme"), the pension-age rule table, the catalogues of regions and
// education levels, and the year configuration's JSON form. Pure functions and
// immutable tables: thread-safe, testable without a database.
//
// Failure codes are stable (API and tests): do not rename.
//   "citizenship.not-ru"        not a citizen of the Russian Federation
//   "age.under-18"              younger than 18 on the application date
//   "age.pension"               has reached the age giving the right to an
//                               old-age insurance pension (rule table)
//   "education.unknown"         not one of kEducationLevels
//   "education.not-eligible"    a level the year does not accept
//   "region.unknown"            not a region code of regions.csv
//   "region.not-participating"  a region not taking part this year
//   "snils.invalid"             SNILS format or control number wrong
#ifndef CERTLEDGER_REGISTRY_ELIGIBILITY_H_
#define CERTLEDGER_REGISTRY_ELIGIBILITY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"
#include "registry/model/voucher.h"

namespace certledger::registry {

// Education levels (Federal Law 273-FZ art. 10). Do not rename: API format.
inline constexpr const char* kEducationLevels[] = {
    "basic-general",         // основное общее
    "secondary-general",     // среднее общее
    "secondary-vocational",  // среднее профессиональное
    "higher-bachelor",       // высшее — бакалавриат
    "higher-specialist",     // высшее — специалитет
    "higher-master",         // высшее — магистратура
    "higher-doctoral",  // высшее — подготовка кадров высшей квалификации
};
// The levels the programme accepts by default: secondary vocational or higher.
std::vector<std::string> DefaultEducationLevels();
bool IsKnownEducationLevel(std::string_view level);

struct Region {
  const char* code;
  const char* name_ru;
  const char* name_en;
};
// The subjects of the Russian Federation (../shared/data/regions.csv).
const std::vector<Region>& Regions();
bool IsKnownRegion(std::string_view code);

// Civil-date arithmetic on days since 1970-01-01. AddMonths keeps the day of
// the month, or takes the month's last day when it has no such day (the
// month-term rule of Civil Code art. 192(3)).
int64_t AddMonths(int64_t days, int months);

// The age giving the right to an old-age insurance pension, by sex and birth
// year and half-year (Federal Law 350-FZ: the 2019-2023 transition).
class PensionAgeTable {
 public:
  struct Row {
    bool male = false;
    int birth_year = 0;
    int birth_half = 1;  // 1: January-June, 2: July-December
    int age_months = 0;
  };
  // From the "schedule" array of ../shared/data/retirement_age.json
  // ({"sex": "M"|"F", "birth_year", "birth_half": "H1"|"H2", "entitlement_age": "60y6m"}).
  // Birth years before the first row of a sex use that row, after the last the
  // last row. kInvalidArgument ("pension.table") when malformed or missing a sex.
  static Result<PensionAgeTable> FromJson(const Json& doc);
  // The compiled-in table, equal to ../shared/data/retirement_age.json (a test checks).
  static const PensionAgeTable& Default();

  int AgeMonths(bool male, int birth_year, int birth_half) const;
  // The first day on which the person has the right (days since epoch).
  int64_t EntitlementDay(bool male, int64_t birth_day) const;
  const std::vector<Row>& rows() const { return rows_; }

 private:
  std::vector<Row> rows_;  // sorted by (male, birth_year, birth_half)
};

// What eligibility is judged against: the application's local date and the
// year's configuration.
struct EligibilityContext {
  int64_t application_day = 0;  // days since epoch, in the year's time zone
  // Views of the year configuration's lists (not copied per application): the
  // caller keeps them alive while CheckEligibility runs.
  std::span<const std::string> regions;
  std::span<const std::string> education_levels;
  const PensionAgeTable* pension = &PensionAgeTable::Default();
};

// Every rule that fails, in a fixed order (citizenship, age, pension age,
// education, region, SNILS). Empty: eligible.
// REQUIRES: ValidateApplicationInput(in).ok() (a malformed birth date is
// reported as age.under-18 otherwise).
std::vector<EligibilityFailure> CheckEligibility(const ApplicationInput& in,
                                                 const EligibilityContext& ctx);

// The input's shape (not eligibility): full name, birth date YYYY-MM-DD, sex,
// citizenship code, registration type, e-mail, phone, SNILS present, issuer
// and programme. kInvalidArgument "application.invalid" with the field.
Status ValidateApplicationInput(const ApplicationInput& in);

// The year configuration's JSON (docs/formats.md "Year configuration"):
// {"year", "quota", "opensAt", "regions", "educationLevels",
//  "documentDeadlineDays", "timeZone"}. Validates as ValidateYearConfig.
// kInvalidArgument "year.invalid" with the field.
Result<YearConfigInput> ParseYearConfig(const Json& doc);
Json YearConfigToJson(const YearConfigInput& config);
// Year 2000..2999, quota 1..10,000,000, opensAt RFC 3339 within the year,
// regions known and not repeated, levels known, deadline 1..366 days, a
// known IANA time zone. kInvalidArgument "year.invalid" with the field.
Status ValidateYearConfig(const YearConfigInput& config);

// Time zone helpers (Howard Hinnant's date/tz over the system tzdata).
// The local date (days since epoch) of `unix_ms` in `tz`.
Result<int64_t> LocalDay(std::string_view tz, int64_t unix_ms);
// The first instant (Unix ms) of local day `day` in `tz`.
Result<int64_t> StartOfLocalDay(std::string_view tz, int64_t day);
// RFC 3339 with the zone's UTC offset at that instant, milliseconds:
// "2026-12-31T23:59:59.999+03:00".
Result<std::string> FormatLocalRfc3339(std::string_view tz, int64_t unix_ms);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_ELIGIBILITY_H_
