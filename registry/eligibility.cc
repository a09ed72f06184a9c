#include "registry/eligibility.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>

#include <date/tz.h>

#include "crypto/rfc3339.h"
#include "registry/ids.h"
#include "registry/internal/text.h"

namespace certledger::registry {

using internal::PrintableText;

namespace {

const Region kRegions[] = {
    {"01", "Республика Адыгея (Адыгея)", "Republic of Adygea"},
    {"02", "Республика Башкортостан", "Republic of Bashkortostan"},
    {"03", "Республика Бурятия", "Republic of Buryatia"},
    {"04", "Республика Алтай", "Altai Republic"},
    {"05", "Республика Дагестан", "Republic of Dagestan"},
    {"06", "Республика Ингушетия", "Republic of Ingushetia"},
    {"07", "Кабардино-Балкарская Республика", "Kabardino-Balkarian Republic"},
    {"08", "Республика Калмыкия", "Republic of Kalmykia"},
    {"09", "Карачаево-Черкесская Республика", "Karachay-Cherkess Republic"},
    {"10", "Республика Карелия", "Republic of Karelia"},
    {"11", "Республика Коми", "Komi Republic"},
    {"12", "Республика Марий Эл", "Mari El Republic"},
    {"13", "Республика Мордовия", "Republic of Mordovia"},
    {"14", "Республика Саха (Якутия)", "Sakha (Yakutia) Republic"},
    {"15", "Республика Северная Осетия - Алания", "Republic of North Ossetia-Alania"},
    {"16", "Республика Татарстан (Татарстан)", "Republic of Tatarstan"},
    {"17", "Республика Тыва", "Tuva Republic"},
    {"18", "Удмуртская Республика", "Udmurt Republic"},
    {"19", "Республика Хакасия", "Republic of Khakassia"},
    {"20", "Чеченская Республика", "Chechen Republic"},
    {"21", "Чувашская Республика - Чувашия", "Chuvash Republic"},
    {"22", "Алтайский край", "Altai Krai"},
    {"23", "Краснодарский край", "Krasnodar Krai"},
    {"24", "Красноярский край", "Krasnoyarsk Krai"},
    {"25", "Приморский край", "Primorsky Krai"},
    {"26", "Ставропольский край", "Stavropol Krai"},
    {"27", "Хабаровский край", "Khabarovsk Krai"},
    {"28", "Амурская область", "Amur Oblast"},
    {"29", "Архангельская область", "Arkhangelsk Oblast"},
    {"30", "Астраханская область", "Astrakhan Oblast"},
    {"31", "Белгородская область", "Belgorod Oblast"},
    {"32", "Брянская область", "Bryansk Oblast"},
    {"33", "Владимирская область", "Vladimir Oblast"},
    {"34", "Волгоградская область", "Volgograd Oblast"},
    {"35", "Вологодская область", "Vologda Oblast"},
    {"36", "Воронежская область", "Voronezh Oblast"},
    {"37", "Ивановская область", "Ivanovo Oblast"},
    {"38", "Иркутская область", "Irkutsk Oblast"},
    {"39", "Калининградская область", "Kaliningrad Oblast"},
    {"40", "Калужская область", "Kaluga Oblast"},
    {"41", "Камчатский край", "Kamchatka Krai"},
    {"42", "Кемеровская область - Кузбасс", "Kemerovo Oblast - Kuzbass"},
    {"43", "Кировская область", "Kirov Oblast"},
    {"44", "Костромская область", "Kostroma Oblast"},
    {"45", "Курганская область", "Kurgan Oblast"},
    {"46", "Курская область", "Kursk Oblast"},
    {"47", "Ленинградская область", "Leningrad Oblast"},
    {"48", "Липецкая область", "Lipetsk Oblast"},
    {"49", "Магаданская область", "Magadan Oblast"},
    {"50", "Московская область", "Moscow Oblast"},
    {"51", "Мурманская область", "Murmansk Oblast"},
    {"52", "Нижегородская область", "Nizhny Novgorod Oblast"},
    {"53", "Новгородская область", "Novgorod Oblast"},
    {"54", "Новосибирская область", "Novosibirsk Oblast"},
    {"55", "Омская область", "Omsk Oblast"},
    {"56", "Оренбургская область", "Orenburg Oblast"},
    {"57", "Орловская область", "Oryol Oblast"},
    {"58", "Пензенская область", "Penza Oblast"},
    {"59", "Пермский край", "Perm Krai"},
    {"60", "Псковская область", "Pskov Oblast"},
    {"61", "Ростовская область", "Rostov Oblast"},
    {"62", "Рязанская область", "Ryazan Oblast"},
    {"63", "Самарская область", "Samara Oblast"},
    {"64", "Саратовская область", "Saratov Oblast"},
    {"65", "Сахалинская область", "Sakhalin Oblast"},
    {"66", "Свердловская область", "Sverdlovsk Oblast"},
    {"67", "Смоленская область", "Smolensk Oblast"},
    {"68", "Тамбовская область", "Tambov Oblast"},
    {"69", "Тверская область", "Tver Oblast"},
    {"70", "Томская область", "Tomsk Oblast"},
    {"71", "Тульская область", "Tula Oblast"},
    {"72", "Тюменская область", "Tyumen Oblast"},
    {"73", "Ульяновская область", "Ulyanovsk Oblast"},
    {"74", "Челябинская область", "Chelyabinsk Oblast"},
    {"75", "Забайкальский край", "Zabaykalsky Krai"},
    {"76", "Ярославская область", "Yaroslavl Oblast"},
    {"77", "г. Москва", "Moscow (federal city)"},
    {"78", "г. Санкт-Петербург", "Saint Petersburg (federal city)"},
    {"79", "Еврейская автономная область", "Jewish Autonomous Oblast"},
    {"83", "Ненецкий автономный округ", "Nenets Autonomous Okrug"},
    {"86", "Ханты-Мансийский автономный округ - Югра", "Khanty-Mansi Autonomous Okrug - Yugra"},
    {"87", "Чукотский автономный округ", "Chukotka Autonomous Okrug"},
    {"89", "Ямало-Ненецкий автономный округ", "Yamalo-Nenets Autonomous Okrug"},
    {"90", "Запорожская область", "Zaporozhye Oblast"},
    {"91", "Республика Крым", "Republic of Crimea"},
    {"92", "г. Севастополь", "Sevastopol (federal city)"},
    {"93", "Донецкая Народная Республика", "Donetsk People's Republic"},
    {"94", "Луганская Народная Республика", "Lugansk People's Republic"},
    {"95", "Херсонская область", "Kherson Oblast"},
};

template <typename Range>
bool Contains(const Range& r, std::string_view v) {
  return std::find(std::begin(r), std::end(r), v) != std::end(r);
}

EligibilityFailure Fail(std::string code, std::string field, std::string ru, std::string en) {
  return EligibilityFailure{std::move(code), std::move(field), std::move(ru), std::move(en)};
}

Status BadInput(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("application.invalid", msg).WithField(field);
}
Status BadYear(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("year.invalid", msg).WithField(field);
}

std::string AgeText(int months, bool ru) {
  int y = months / 12, m = months % 12;
  std::string s = std::to_string(y) + (ru ? " лет" : " years");
  if (m != 0) s += " " + std::to_string(m) + (ru ? " мес." : " months");
  return s;
}

// local@domain.tld: no spaces, one '@', a dot in the domain (not first or last).
bool PlausibleEmail(const std::string& e) {
  if (e.size() > 254) return false;
  const size_t at = e.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string::npos) {
    return false;
  }
  const size_t dot = e.find('.', at + 2);
  if (dot == std::string::npos || dot + 1 >= e.size()) return false;
  return std::none_of(e.begin(), e.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// "+7 900 123-45-67": an optional '+', then digits, spaces, '(', ')', '-';
// 10 to 15 digits.
bool PlausiblePhone(const std::string& p) {
  if (p.size() > 24) return false;
  size_t digits = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == ' ' || c == '(' || c == ')' || c == '-' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits >= 10 && digits <= 15;
}

Result<const date::time_zone*> Zone(std::string_view tz) {
  try {
    return date::locate_zone(std::string(tz));
  } catch (const std::exception&) {
    return Status::InvalidArgument("year.invalid", "unknown time zone \"" + std::string(tz) +
                                                       "\"; use an IANA name such as Europe/Moscow")
        .WithField("timeZone");
  }
}

// The general-case rule of 350-FZ (../shared/data/retirement_age.json
// "how_to_compute"): the old age (60 men, 55 women) plus the extension by the
// year the old age would have been reached, minus the 2019-2020 privilege.
int RuleAgeMonths(bool male, int birth_year) {
  const int base = male ? 60 : 55;
  const int y = birth_year + base;
  int ext = y <= 2018 ? 0 : y == 2019 ? 12 : y == 2020 ? 24 : y == 2021 ? 36 : y == 2022 ? 48 : 60;
  int priv = (y == 2019 || y == 2020) ? 6 : 0;
  return base * 12 + ext - priv;
}

}  // namespace

std::vector<std::string> DefaultEducationLevels() {
  return {"secondary-vocational", "higher-bachelor", "higher-specialist", "higher-master",
          "higher-doctoral"};
}

bool IsKnownEducationLevel(std::string_view level) { return Contains(kEducationLevels, level); }

const std::vector<Region>& Regions() {
  static const std::vector<Region> regions(std::begin(kRegions), std::end(kRegions));
  return regions;
}

bool IsKnownRegion(std::string_view code) {
  return std::any_of(std::begin(kRegions), std::end(kRegions),
                     [&](const Region& r) { return code == r.code; });
}

int64_t AddMonths(int64_t days, int months) {
  int64_t y;
  unsigned m, d;
  crypto::CivilFromDays(days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  unsigned nm = static_cast<unsigned>(total - ny * 12) + 1;
  static const unsigned kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned len = kLen[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) len = 29;
  return crypto::DaysFromCivil(ny, nm, std::min(d, len));
}

Result<PensionAgeTable> PensionAgeTable::FromJson(const Json& doc) {
  auto bad = [](const std::string& msg) {
    return Status::InvalidArgument("pension.table", "pension-age table: " + msg);
  };
  if (!doc.is_object() || !doc.contains("schedule") || !doc["schedule"].is_array()) {
    return bad("needs a \"schedule\" array");
  }
  static const std::regex age_re(R"(^(\d{2})y(\d{1,2})m$)");
  PensionAgeTable t;
  bool men = false, women = false;
  for (const auto& r : doc["schedule"]) {
    if (!r.is_object() || !r.contains("sex") || !r.contains("birth_year") ||
        !r.contains("birth_half") || !r.contains("entitlement_age") || !r["sex"].is_string() ||
        !r["birth_year"].is_number_integer() || !r["birth_half"].is_string() ||
        !r["entitlement_age"].is_string()) {
      return bad("each row needs sex, birth_year, birth_half and entitlement_age");
    }
    Row row;
    const std::string sex = r["sex"].get<std::string>();
    if (sex != "M" && sex != "F") return bad("sex must be M or F");
    row.male = sex == "M";
    (row.male ? men : women) = true;
    row.birth_year = r["birth_year"].get<int>();
    const std::string half = r["birth_half"].get<std::string>();
    if (half != "H1" && half != "H2") return bad("birth_half must be H1 or H2");
    row.birth_half = half == "H1" ? 1 : 2;
    std::smatch m;
    const std::string age = r["entitlement_age"].get<std::string>();
    if (!std::regex_match(age, m, age_re)) return bad("entitlement_age must look like 60y6m");
    row.age_months = std::stoi(m[1].str()) * 12 + std::stoi(m[2].str());
    t.rows_.push_back(row);
  }
  if (!men || !women) return bad("rows for both sexes are needed");
  std::sort(t.rows_.begin(), t.rows_.end(), [](const Row& a, const Row& b) {
    return std::tie(a.male, a.birth_year, a.birth_half) <
           std::tie(b.male, b.birth_year, b.birth_half);
  });
  return t;
}

const PensionAgeTable& PensionAgeTable::Default() {
  static const PensionAgeTable table = [] {
    PensionAgeTable t;
    // The schedule of retirement_age.json: men born 1958-1963, women 1963-1968.
    for (bool male : {false, true}) {
      const int first = male ? 1958 : 1963;
      for (int y = first; y <= first + 5; ++y) {
        for (int half : {1, 2}) t.rows_.push_back(Row{male, y, half, RuleAgeMonths(male, y)});
      }
    }
    return t;
  }();
  return table;
}

int PensionAgeTable::AgeMonths(bool male, int birth_year, int birth_half) const {
  const Row* first = nullptr;
  const Row* last = nullptr;
  for (const Row& r : rows_) {
    if (r.male != male) continue;
    if (!first) first = &r;
    last = &r;
    if (r.birth_year == birth_year && r.birth_half == birth_half) return r.age_months;
  }
  if (!first) return male ? 65 * 12 : 60 * 12;
  if (std::tie(birth_year, birth_half) < std::tie(first->birth_year, first->birth_half)) {
    return first->age_months;
  }
  if (std::tie(birth_year, birth_half) > std::tie(last->birth_year, last->birth_half)) {
    return last->age_months;
  }
  // A gap inside the table: the nearest earlier row.
  const Row* best = first;
  for (const Row& r : rows_) {
    if (r.male == male &&
        std::tie(r.birth_year, r.birth_half) <= std::tie(birth_year, birth_half)) {
      best = &r;
    }
  }
  return best->age_months;
}

int64_t PensionAgeTable::EntitlementDay(bool male, int64_t birth_day) const {
  int64_t y;
  unsigned m, d;
  crypto::CivilFromDays(birth_day, &y, &m, &d);
  return AddMonths(birth_day, AgeMonths(male, static_cast<int>(y), m <= 6 ? 1 : 2));
}

std::vector<EligibilityFailure> CheckEligibility(const ApplicationInput& in,
                                                 const EligibilityContext& ctx) {
  std::vector<EligibilityFailure> out;
  if (in.citizenship != "RU") {
    out.push_back(Fail("citizenship.not-ru", "citizenship",
                       "Сертификат выдаётся только гражданам Российской Федерации.",
                       "Vouchers are issued to citizens of the Russian Federation only."));
  }
  auto birth = crypto::ParseDate(in.birth_date);
  if (!birth.ok() || ctx.application_day < AddMonths(*birth, 18 * 12)) {
    out.push_back(Fail("age.under-18", "birth_date", "На дату заявки заявителю нет 18 лет.",
                       "The applicant is not yet 18 on the date of the application."));
  } else {
    const bool male = in.sex == "male";
    const PensionAgeTable& table = ctx.pension ? *ctx.pension : PensionAgeTable::Default();
    const int64_t entitled = table.EntitlementDay(male, *birth);
    if (ctx.application_day >= entitled) {
      int64_t y;
      unsigned m, d;
      crypto::CivilFromDays(*birth, &y, &m, &d);
      const int months = table.AgeMonths(male, static_cast<int>(y), m <= 6 ? 1 : 2);
      out.push_back(Fail(
          "age.pension", "birth_date",
          "Заявитель достиг возраста, дающего право на страховую пенсию по старости (" +
              AgeText(months, true) + ", с " + crypto::FormatDate(entitled) + ").",
          "The applicant has reached the age giving the right to an old-age insurance pension (" +
              AgeText(months, false) + ", from " + crypto::FormatDate(entitled) + ")."));
    }
  }
  if (!IsKnownEducationLevel(in.education_level)) {
    out.push_back(Fail("education.unknown", "education_level", "Неизвестный уровень образования.",
                       "Unknown education level; use one of the listed levels."));
  } else if (!Contains(ctx.education_levels, in.education_level)) {
    out.push_back(Fail("education.not-eligible", "education_level",
                       "Нужно среднее профессиональное или высшее образование.",
                       "Secondary vocational or higher education is required."));
  }
  if (!IsKnownRegion(in.region_code)) {
    out.push_back(Fail("region.unknown", "region_code", "Неизвестный код региона.",
                       "Unknown region code; use the code of a subject of the Russian "
                       "Federation."));
  } else if (!Contains(ctx.regions, in.region_code)) {
    out.push_back(Fail("region.not-participating", "region_code",
                       "Регион регистрации не участвует в программе в этом году.",
                       "The region of registration does not take part in the programme this "
                       "year."));
  }
  if (!ValidateSnils(in.snils).ok()) {
    out.push_back(Fail("snils.invalid", "snils",
                       "СНИЛС указан неверно: проверьте цифры и контрольное число.",
                       "The SNILS is wrong: check the digits and the control number."));
  }
  return out;
}

Status ValidateApplicationInput(const ApplicationInput& in) {
  if (!PrintableText(in.full_name, 300)) {
    return BadInput("full_name", "the full name is required (up to 300 bytes)");
  }
  if (!crypto::ParseDate(in.birth_date).ok()) {
    return BadInput("birth_date", "the birth date must be a real date written YYYY-MM-DD");
  }
  if (in.sex != "male" && in.sex != "female") return BadInput("sex", "sex: male or female");
  if (in.citizenship.size() != 2 || !std::all_of(in.citizenship.begin(), in.citizenship.end(),
                                                 [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return BadInput("citizenship", "citizenship: a two-letter country code such as RU");
  }
  if (in.registration_type != "permanent" && in.registration_type != "temporary") {
    return BadInput("registration_type", "registration type: permanent or temporary");
  }
  if (in.education_level.empty() || in.education_level.size() > 64) {
    return BadInput("education_level", "the education level is required");
  }
  if (in.region_code.empty() || in.region_code.size() > 8) {
    return BadInput("region_code", "the region code is required");
  }
  if (!PlausibleEmail(in.email)) {
    return BadInput("email", "the e-mail address is not valid");
  }
  if (!PlausiblePhone(in.phone)) {
    return BadInput("phone", "the phone number needs 10 to 15 digits, e.g. +7 900 123-45-67");
  }
  if (in.snils.empty() || in.snils.size() > 20) return BadInput("snils", "the SNILS is required");
  if (in.issuer.empty() || in.issuer.size() > 32) {
    return BadInput("issuer", "choose the provider of the programme");
  }
  if (in.programme.empty() || in.programme.size() > 32) {
    return BadInput("programme", "choose a programme of the catalogue");
  }
  return Status::Ok();
}

Status ValidateYearConfig(const YearConfigInput& c) {
  if (c.year < 2000 || c.year > 2999) return BadYear("year", "the year must be 2000..2999");
  if (c.quota < 1 || c.quota > 10'000'000) return BadYear("quota", "the quota must be 1..10000000");
  CERTLEDGER_RETURN_IF_ERROR(Zone(c.time_zone).status());
  auto opens = crypto::ParseRfc3339(c.opens_at);
  if (!opens.ok()) return BadYear("opensAt", "opensAt must be an RFC 3339 time");
  CERTLEDGER_ASSIGN_OR_RETURN(int64_t day, LocalDay(c.time_zone, *opens));
  int64_t y;
  unsigned m, d;
  crypto::CivilFromDays(day, &y, &m, &d);
  if (y != c.year) return BadYear("opensAt", "applications must open within the year itself");
  if (c.regions.empty()) return BadYear("regions", "list at least one participating region");
  for (size_t i = 0; i < c.regions.size(); ++i) {
    if (!IsKnownRegion(c.regions[i])) {
      return BadYear("regions", "unknown region code \"" + c.regions[i] + "\" (see regions.csv)");
    }
    if (std::find(c.regions.begin(), c.regions.begin() + static_cast<long>(i), c.regions[i]) !=
        c.regions.begin() + static_cast<long>(i)) {
      return BadYear("regions", "region \"" + c.regions[i] + "\" is listed twice");
    }
  }
  if (c.education_levels.empty()) {
    return BadYear("educationLevels", "list at least one accepted education level");
  }
  for (const auto& l : c.education_levels) {
    if (!IsKnownEducationLevel(l)) {
      return BadYear("educationLevels", "unknown education level \"" + l + "\"");
    }
  }
  if (c.document_deadline_days < 1 || c.document_deadline_days > 366) {
    return BadYear("documentDeadlineDays", "the document deadline must be 1..366 days");
  }
  return Status::Ok();
}

Result<YearConfigInput> ParseYearConfig(const Json& doc) {
  if (!doc.is_object()) return BadYear("", "the year configuration must be a JSON object");
  static const char* kKeys[] = {
      "year", "quota", "opensAt", "regions", "educationLevels", "documentDeadlineDays", "timeZone"};
  for (const auto& [k, v] : doc.items()) {
    if (!k.empty() && k[0] == '_') continue;  // comments
    if (!Contains(kKeys, k)) return BadYear(k, "unknown key \"" + k + "\"");
  }
  YearConfigInput c;
  auto int_field = [&](const char* k, bool required, int64_t* out) -> Status {
    if (!doc.contains(k)) {
      return required ? BadYear(k, std::string("\"") + k + "\" is required") : Status::Ok();
    }
    if (!doc[k].is_number_integer())
      return BadYear(k, std::string("\"") + k + "\" must be an integer");
    *out = doc[k].get<int64_t>();
    return Status::Ok();
  };
  auto list_field = [&](const char* k, std::vector<std::string>* out) -> Status {
    if (!doc.contains(k) || !doc[k].is_array()) {
      return BadYear(k, std::string("\"") + k + "\" must be an array of strings");
    }
    for (const auto& v : doc[k]) {
      if (!v.is_string()) return BadYear(k, std::string("\"") + k + "\" must hold strings");
      out->push_back(v.get<std::string>());
    }
    return Status::Ok();
  };
  int64_t year = 0, deadline = c.document_deadline_days;
  CERTLEDGER_RETURN_IF_ERROR(int_field("year", true, &year));
  CERTLEDGER_RETURN_IF_ERROR(int_field("quota", true, &c.quota));
  CERTLEDGER_RETURN_IF_ERROR(int_field("documentDeadlineDays", false, &deadline));
  if (year < 0 || year > 100000 || deadline < 0 || deadline > 100000) {
    return BadYear("year", "year or deadline out of range");
  }
  c.year = static_cast<int>(year);
  c.document_deadline_days = static_cast<int>(deadline);
  if (!doc.contains("opensAt") || !doc["opensAt"].is_string()) {
    return BadYear("opensAt", "\"opensAt\" (RFC 3339) is required");
  }
  c.opens_at = doc["opensAt"].get<std::string>();
  CERTLEDGER_RETURN_IF_ERROR(list_field("regions", &c.regions));
  if (doc.contains("educationLevels")) {
    CERTLEDGER_RETURN_IF_ERROR(list_field("educationLevels", &c.education_levels));
  } else {
    c.education_levels = DefaultEducationLevels();
  }
  if (doc.contains("timeZone")) {
    if (!doc["timeZone"].is_string()) return BadYear("timeZone", "\"timeZone\" must be a string");
    c.time_zone = doc["timeZone"].get<std::string>();
  }
  CERTLEDGER_RETURN_IF_ERROR(ValidateYearConfig(c));
  return c;
}

Json YearConfigToJson(const YearConfigInput& c) {
  return Json{{"year", c.year},
              {"quota", c.quota},
              {"opensAt", c.opens_at},
              {"regions", c.regions},
              {"educationLevels", c.education_levels},
              {"documentDeadlineDays", c.document_deadline_days},
              {"timeZone", c.time_zone}};
}

Result<int64_t> LocalDay(std::string_view tz, int64_t unix_ms) {
  CERTLEDGER_ASSIGN_OR_RETURN(const date::time_zone* z, Zone(tz));
  using std::chrono::milliseconds;
  auto local = z->to_local(date::sys_time<milliseconds>(milliseconds(unix_ms)));
  return static_cast<int64_t>(date::floor<date::days>(local).time_since_epoch().count());
}

Result<int64_t> StartOfLocalDay(std::string_view tz, int64_t day) {
  CERTLEDGER_ASSIGN_OR_RETURN(const date::time_zone* z, Zone(tz));
  try {
    auto sys = z->to_sys(date::local_days(date::days(day)), date::choose::earliest);
    return static_cast<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count());
  } catch (const std::exception&) {
    // Midnight skipped by a transition: the day starts at the transition.
    auto info = z->get_info(date::local_days(date::days(day)));
    auto sys = info.second.begin;
    return static_cast<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count());
  }
}

Result<std::string> FormatLocalRfc3339(std::string_view tz, int64_t unix_ms) {
  CERTLEDGER_ASSIGN_OR_RETURN(const date::time_zone* z, Zone(tz));
  using std::chrono::milliseconds;
  date::sys_time<milliseconds> t{milliseconds(unix_ms)};
  auto info = z->get_info(t);
  const int64_t off_s = info.offset.count();
  std::string s = crypto::FormatRfc3339(unix_ms + off_s * 1000, true);  // "...Z"
  s.pop_back();
  const int64_t a = off_s < 0 ? -off_s : off_s;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off_s < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>((a / 60) % 60));
  if (off_s == 0) return s + "Z";
  return s + buf;
}

}  // namespace certledger::registry
