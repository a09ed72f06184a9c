// Privacy (DESIGN.md: "nothing personal is published"; the ledger holds no
// names, no SNILS, no birth dates). The real server is filled through the
// real API with seeded personal data: applicants with distinctive Cyrillic
// and Latin names, valid SNILS, birth dates, e-mails and phones; vouchers,
// one annulled and one withdrawn; certificates issued, one after a name
// correction, one revoked, one superseded, two in a batch; an ineligible
// applicant and a request with address and passport fields (both refused).
// Then every public response is searched for each seeded value in its usual
// encodings (as typed, case-folded, SNILS digits only, dates in ISO and
// dd.mm.yyyy, JSON \uXXXX escapes, percent-encoding, transliteration):
//  - every ledger entry (entry bundles from /ledger/tile/entries/..., split
//    and parsed), every hash tile and the checkpoint;
//  - every public GET route of /api/v1/openapi.json (routes without a bearer
//    scheme), each path parameter filled with every known value, so a new
//    public route is searched as soon as it is in the route table (a new
//    parameter name fails the test until it is taught here); status lists
//    also decoded to their bits; PDFs decompressed (qpdf) and as text
//    (pdftotext); JSON also unescaped; HTML entities decoded;
//  - the public POSTs (verify, credit-check, login-code);
//  - the server's log (stderr, with request logging on). The outbox is the
//    operator's and is not searched.
// Each certificate's identity check code (the salt of its hashed SNILS,
// docs/formats.md "Learner identity") is searched for too, grouped and as
// plain hex: only the provider's and the operator's answers carry it; with
// it published, the SNILS would be found by trying all 10^9 of them.
// A certificate's own pages (/v/<code> HTML and JSON, credential.json,
// ob3.json, the PDF, the receipt, verify and credit-check of that code) may
// show the name printed on it, and must show it, but nothing else personal.
// The second test case shows that the search reports a planted value.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/status_list.h"
#include "crypto/tlog_tiles.h"
#include "tests/server/server_fixture.h"

namespace certledger {
namespace {

using testing::HttpResult;
using testing::RegistryServer;
using testing::Year;

// ---- seeded personal data -------------------------------------------------------

// "NNN-NNN-NNN CC" with the control number of ../shared/data/snils_inn_examples.json
// (registry/eligibility.cc ValidateSnils).
std::string Snils(const std::string& nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (9 - i);
  int control = sum < 100 ? sum : (sum <= 101 ? 0 : sum % 101);
  if (control == 100) control = 0;
  char cc[16];
  std::snprintf(cc, sizeof cc, "%02d", control);
  return nine.substr(0, 3) + "-" + nine.substr(3, 3) + "-" + nine.substr(6, 3) + " " + cc;
}

struct Person {
  std::string name;  // as typed in the application and printed on the certificate
  std::vector<std::string> name_forms;  // other spellings: case, surname, transliteration
  std::string birth_date;               // ISO
  std::string sex, email, phone, snils, region, education;
};

std::vector<Person> People() {
  return {
      {"Щербакова Ёлка Фёдоровна",
       {"щербакова ёлка фёдоровна", "ЩЕРБАКОВА", "Щербакова", "щербакова", "Ёлка Фёдоровна",
        "Shcherbakova", "Scherbakova", "Yolka"},
       "1979-03-14",
       "female",
       "Yolka.Shcherbakova@Seed-Mail.ru",
       "+79161234507",
       Snils("317245906"),
       "77",
       "higher-master"},
      {"Theodore Quillfeather Zbrizhinsky",
       {"Zbrizhinsky", "Quillfeather", "Збрижинский"},
       "1990-11-02",
       "male",
       "t.zbrizhinsky@example-seed.org",
       "+79035550142",
       Snils("402918377"),
       "50",
       "higher-bachelor"},
      {"Пустовалов-Кшесинский Гвидон Аристархович",
       {"пустовалов-кшесинский гвидон аристархович", "ПУСТОВАЛОВ", "Пустовалов", "пустовалов",
        "Кшесинский", "кшесинский", "Гвидон", "Аристархович", "Pustovalov", "Gvidon"},
       "1985-07-29",
       "male",
       "gvidon.pk@seed-post.example",
       "+79217770311",
       Snils("528374019"),
       "78",
       "secondary-vocational"},
      {"Oksana Wrzesniewska-Jablonowska",
       {"Wrzesniewska", "Jablonowska", "Вжесневская"},
       "1995-01-23",
       "female",
       "ow-jab@seed-post.example",
       "+79265550193",
       Snils("635172840"),
       "66",
       "higher-specialist"},
      {"Ярошенко Зиновий Евлампиевич",
       {"ярошенко зиновий евлампиевич", "ЯРОШЕНКО", "Ярошенко", "ярошенко", "Евлампиевич",
        "Yaroshenko", "Zinoviy"},
       "1970-12-05",
       "male",
       "zinoviy.yar@seed-post.example",
       "+79057770422",
       Snils("741852963"),
       "16",
       "higher-doctoral"},
      {"Прокопович Лукерья Савельевна",
       {"прокопович лукерья савельевна", "ПРОКОПОВИЧ", "Прокопович", "прокопович", "Лукерья",
        "Савельевна", "Prokopovich", "Lukerya"},
       "2000-06-17",
       "female",
       "lukerya.prok@seed-post.example",
       "+79098880517",
       Snils("864209753"),
       "52",
       "higher-bachelor"},
  };
}

// Refused applications: their data is never stored, and never shown.
Person Minor() {
  return {"Малолетний Ксенофонт Варфоломеевич",
          {"Малолетний", "Ксенофонт", "Варфоломеевич", "Ksenofont"},
          "2012-02-02",
          "male",
          "ksenofont.minor@seed-post.example",
          "+79990001122",
          Snils("953186427"),
          "77",
          "secondary-vocational"};
}
const char kAddress[] = "ул. Заозёрная, д. 17, кв. 4";
const char kPassport[] = "2815 604731";

Json ApplicationBody(const Person& p) {
  return {{"full_name", p.name},
          {"birth_date", p.birth_date},
          {"sex", p.sex},
          {"citizenship", "RU"},
          {"education_level", p.education},
          {"region_code", p.region},
          {"registration_type", "permanent"},
          {"email", p.email},
          {"phone", p.phone},
          {"snils", p.snils},
          {"issuer", "demo"},
          {"programme", "DA-101"}};
}

// ---- the search ----------------------------------------------------------------------

// One seeded value in one encoding. `person` is the index in People() (-1:
// shown nowhere); names may be shown on that person's own certificate.
struct Needle {
  std::string text;  // ASCII letters lower-cased (the search folds ASCII case)
  std::string what;
  int person = -1;
  bool is_name = false;
};

std::string FoldAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Each non-ASCII character as JSON \uXXXX (surrogate pairs above the BMP).
std::string JsonEscaped(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    int len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07, len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F, len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F, len = 2;
    }
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += len;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
      continue;
    }
    auto hex4 = [&](uint32_t v) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", v);
      out += buf;
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      hex4(0xD800 + (cp >> 10));
      hex4(0xDC00 + (cp & 0x3FF));
    } else {
      hex4(cp);
    }
  }
  return out;
}

std::string PercentEncoded(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
}

std::vector<Needle> NeedlesFor(const Person& p, int person) {
  std::vector<Needle> out;
  auto add = [&](const std::string& text, const std::string& what, bool is_name) {
    out.push_back({FoldAscii(text), what + " of " + p.name, person, is_name});
  };
  std::vector<std::string> names = {p.name};
  names.insert(names.end(), p.name_forms.begin(), p.name_forms.end());
  for (const auto& n : names) {
    add(n, "name \"" + n + "\"", true);
    if (!IsAscii(n)) {
      add(JsonEscaped(n), "name \"" + n + "\" JSON-escaped", true);
      add(PercentEncoded(n), "name \"" + n + "\" percent-encoded", true);
    }
  }
  // SNILS: as typed, digits only, the 9-digit number, other separators.
  const std::string& s = p.snils;
  std::string digits;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  add(s, "SNILS", false);
  add(digits, "SNILS digits", false);
  add(digits.substr(0, 9), "SNILS number without control", false);
  add(s.substr(0, 11), "SNILS NNN-NNN-NNN", false);
  add(digits.substr(0, 3) + " " + digits.substr(3, 3) + " " + digits.substr(6, 3), "SNILS spaced",
      false);
  // Birth date: ISO, dd.mm.yyyy, dd/mm/yyyy, yyyymmdd, words.
  const std::string y = p.birth_date.substr(0, 4), m = p.birth_date.substr(5, 2),
                    d = p.birth_date.substr(8, 2);
  add(p.birth_date, "birth date (ISO)", false);
  add(d + "." + m + "." + y, "birth date dd.mm.yyyy", false);
  add(d + "/" + m + "/" + y, "birth date dd/mm/yyyy", false);
  add(y + m + d, "birth date yyyymmdd", false);
  static const char* kMonthsRu[] = {"января",   "февраля", "марта",  "апреля",
                                    "мая",      "июня",    "июля",   "августа",
                                    "сентября", "октября", "ноября", "декабря"};
  static const char* kMonthsEn[] = {"January",   "February", "March",    "April",
                                    "May",       "June",     "July",     "August",
                                    "September", "October",  "November", "December"};
  const int mi = std::stoi(m) - 1;
  const std::string day = std::to_string(std::stoi(d));
  add(day + " " + kMonthsRu[mi] + " " + y, "birth date in Russian words", false);
  add(day + " " + kMonthsEn[mi] + " " + y, "birth date in English words", false);
  add(std::string(kMonthsEn[mi]) + " " + day + ", " + y, "birth date in English words", false);
  // E-mail: as typed (case folded), its local part, percent-encoded.
  add(p.email, "e-mail", false);
  add(p.email.substr(0, p.email.find('@')), "e-mail local part", false);
  add(PercentEncoded(p.email), "e-mail percent-encoded", false);
  // Phone: the 10 national digits cover +7..., 8... and 7...; common groupings.
  const std::string n10 = p.phone.substr(2);
  add(n10, "phone", false);
  add(n10.substr(0, 3) + ") " + n10.substr(3, 3) + "-" + n10.substr(6, 2) + "-" + n10.substr(8),
      "phone (NNN) NNN-NN-NN", false);
  add(n10.substr(0, 3) + " " + n10.substr(3, 3) + "-" + n10.substr(6, 2) + "-" + n10.substr(8),
      "phone NNN NNN-NN-NN", false);
  add(n10.substr(0, 3) + "-" + n10.substr(3, 3) + "-" + n10.substr(6, 2) + "-" + n10.substr(8),
      "phone NNN-NNN-NN-NN", false);
  add(PercentEncoded(p.phone), "phone percent-encoded", false);
  return out;
}

// Every seeded value of People() (person = index), of the refused
// applications and of the misspelt draft name (person = -1: shown nowhere).
std::vector<Needle> AllNeedles() {
  std::vector<Needle> out;
  const auto people = People();
  for (size_t i = 0; i < people.size(); ++i) {
    auto n = NeedlesFor(people[i], static_cast<int>(i));
    out.insert(out.end(), n.begin(), n.end());
  }
  auto minor = NeedlesFor(Minor(), -1);
  out.insert(out.end(), minor.begin(), minor.end());
  for (const std::string& v :
       {std::string(kAddress), std::string("Заозёрная"), JsonEscaped("Заозёрная"),
        std::string(kPassport), std::string("2815604731")}) {
    out.push_back({FoldAscii(v), "refused address/passport field \"" + v + "\"", -1, false});
  }
  // The misspelling the learner corrected on the draft: never public.
  for (const std::string& v : {std::string("Щербокова"), JsonEscaped("Щербокова")}) {
    out.push_back({FoldAscii(v), "misspelt draft name \"Щербокова\"", -1, false});
  }
  return out;
}

// The identity check codes the provider received ("xxxx-xxxx-..."), grouped,
// as 32 hex digits, and the hex in halves (a truncated or re-grouped copy).
// Shown nowhere public, not even on the learner's own certificate pages.
std::vector<Needle> IdentityCodeNeedles(const std::map<std::string, std::string>& codes) {
  std::vector<Needle> out;
  for (const auto& [cert, code] : codes) {
    std::string hex;
    for (char c : code) {
      if (c != '-') hex += c;
    }
    const std::string what = "identity check code of certificate " + cert;
    out.push_back({FoldAscii(code), what, -1, false});
    out.push_back({FoldAscii(hex), what + " (hex)", -1, false});
    out.push_back({FoldAscii(hex.substr(0, 16)), what + " (first half)", -1, false});
    out.push_back({FoldAscii(hex.substr(16)), what + " (second half)", -1, false});
  }
  return out;
}

// "sha256$" + hex(SHA-256(code || SNILS digits)): the credential's identityHash.
std::string IdentityHash(const std::string& code, const std::string& snils) {
  std::string hex, digits;
  for (char c : code) {
    if (c != '-') hex += c;
  }
  for (char c : snils) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  return "sha256$" + crypto::HexEncode(crypto::AsStringView(crypto::Sha256(hex + digits)));
}

// "&#1065;" and "&#x429;" as UTF-8 (how HTML might spell a name).
std::string DecodeHtmlEntities(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&' && i + 2 < s.size() && s[i + 1] == '#') {
      size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i < 12) {
        bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
        std::string num(s.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2)));
        char* end = nullptr;
        unsigned long cp = std::strtoul(num.c_str(), &end, hex ? 16 : 10);
        if (!num.empty() && end && *end == '\0' && cp < 0x110000) {
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          i = semi;
          continue;
        }
      }
    }
    out += s[i];
  }
  return out;
}

class LeakSearch {
 public:
  explicit LeakSearch(std::vector<Needle> needles) : needles_(std::move(needles)) {}

  // Searches `text` (one view of a public document) for every needle, except
  // the names of the people in `allowed_names`. Records and returns the hits.
  std::vector<std::string> Text(const std::string& where, std::string_view text,
                                const std::set<int>& allowed_names = {}) {
    ++searched_;
    std::vector<std::string> found;
    const std::string folded = FoldAscii(text);
    for (const Needle& n : needles_) {
      if (n.is_name && allowed_names.count(n.person)) continue;
      size_t at = folded.find(n.text);
      if (at != std::string::npos) {
        size_t from = at > 40 ? at - 40 : 0;
        found.push_back(where + ": " + n.what + " at byte " + std::to_string(at) + ": ..." +
                        std::string(text.substr(from, n.text.size() + 80)) + "...");
      }
    }
    hits_.insert(hits_.end(), found.begin(), found.end());
    return found;
  }

  // A public response in every view: raw; JSON unescaped; HTML entities
  // decoded; a status list credential's bits; a PDF decompressed and as text.
  std::vector<std::string> Body(const std::string& where, const std::string& body,
                                const std::string& content_type,
                                const std::set<int>& allowed_names = {}) {
    std::vector<std::string> found = Text(where, body, allowed_names);
    auto more = [&](const std::string& view, std::string_view text) {
      auto f = Text(where + " [" + view + "]", text, allowed_names);
      found.insert(found.end(), f.begin(), f.end());
    };
    if (auto j = crypto::ParseJson(body); j.ok()) {
      more("JSON unescaped", j->dump(-1, ' ', false, Json::error_handler_t::replace));
      auto list = crypto::ParseStatusListCredential(*j);
      if (list.ok()) {
        ++status_lists_;
        more("status list bits", list->list.bytes());
      }
    }
    if (content_type.find("html") != std::string::npos) {
      more("HTML entities decoded", DecodeHtmlEntities(body));
    }
    if (body.rfind("%PDF-", 0) == 0) {
      ++pdfs_;
      for (const auto& [view, text] : PdfViews(body)) more(view, text);
    }
    return found;
  }

  // An entry bundle: each entry raw and as JSON (tlog-tiles "Log entries").
  std::vector<std::string> EntryBundle(const std::string& where, const std::string& bundle) {
    std::vector<std::string> found = Text(where, bundle);
    auto entries = crypto::ParseEntryBundle(bundle);
    if (!entries.ok()) {
      found.push_back(where + ": not an entry bundle: " + entries.status().message());
      hits_.push_back(found.back());
      return found;
    }
    for (size_t i = 0; i < entries->size(); ++i) {
      ++entries_;
      auto f = Body(where + " entry " + std::to_string(i), (*entries)[i], "application/json");
      found.insert(found.end(), f.begin(), f.end());
    }
    return found;
  }

  const std::vector<std::string>& hits() const { return hits_; }
  int searched() const { return searched_; }
  int entries() const { return entries_; }
  int status_lists() const { return status_lists_; }
  int pdfs() const { return pdfs_; }

 private:
  // qpdf's uncompressed form (attachments and content streams in clear) and
  // pdftotext's text (glyphs mapped back to Unicode).
  std::vector<std::pair<std::string, std::string>> PdfViews(const std::string& pdf) {
    testing::TempDir dir;
    const std::string in = (dir.path() / "in.pdf").string();
    const std::string qdf = (dir.path() / "qdf.pdf").string();
    testing::WriteFile(in, pdf);
    int rc = 0;
    std::string out = testing::RunCommand(
        "qpdf --qdf --object-streams=disable --decode-level=all '" + in + "' '" + qdf + "'", &rc);
    INFO(out);
    CHECK((rc == 0 || rc == 3));  // 3: warnings
    std::string text = testing::RunCommand("pdftotext -enc UTF-8 '" + in + "' -", &rc);
    CHECK(rc == 0);
    return {{"PDF decompressed", testing::ReadFile(qdf)}, {"PDF text", text}};
  }

  std::vector<Needle> needles_;
  std::vector<std::string> hits_;
  int searched_ = 0, entries_ = 0, status_lists_ = 0, pdfs_ = 0;
};

std::string JoinLines(const std::vector<std::string>& v, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += v[i] + "\n";
  if (v.size() > max) out += "... and " + std::to_string(v.size() - max) + " more\n";
  return out;
}

// ---- the tests -------------------------------------------------------------------------

// REQUIRE a status, showing the body only when it fails.
void Expect(const HttpResult& r, int status) {
  INFO(r.body);
  REQUIRE(r.status == status);
}

TEST_CASE("privacy: no seeded personal data in any public response, the ledger or the log",
          "[server][privacy]") {
  REQUIRE(testing::RunCommand("command -v qpdf && command -v pdftotext").find("pdftotext") !=
          std::string::npos);
  RegistryServer s(
      "{\"deadline_interval_s\": 0, \"rate_limit_per_minute\": 0, \"log_requests\": true}");
  const std::string op = s.OperatorToken(), provider = s.ProviderToken();
  const std::string year = Year();
  const auto people = People();

  // ---- fill the registry ----------------------------------------------------------
  std::vector<std::string> app_ids, vouchers, learner_tokens;
  for (size_t i = 0; i < people.size(); ++i) {
    auto r = s.Post("/api/v1/applications", ApplicationBody(people[i]), "",
                    {{"Idempotency-Key", "privacy-" + std::to_string(i)}});
    Expect(r, 201);
    app_ids.push_back(r.json()["id"]);
    const std::string code = s.LoginCodeFor(app_ids.back());
    REQUIRE(code.size() == 6);
    auto t = s.Post("/api/v1/applications/" + app_ids.back() + "/token", {{"code", code}});
    REQUIRE(t.status == 201);
    learner_tokens.push_back(t.json()["token"]);
    auto mine = s.Get("/api/v1/applications/" + app_ids.back(), learner_tokens.back());
    REQUIRE(mine.status == 200);
    REQUIRE(mine.json()["state"] == "voucher-issued");
    vouchers.push_back(mine.json()["voucher"]);
    // A second sign-in code (the public "send me a code" route).
    CHECK(s.Send("POST", "/api/v1/applications/" + app_ids.back() + "/login-code", "", "", "")
              .status == 202);
  }
  {  // Refused: an ineligible minor, and an application with address and passport fields.
    auto minor = s.Post("/api/v1/applications", ApplicationBody(Minor()));
    CHECK(minor.status == 422);
    Json extra = ApplicationBody(Minor());
    extra["birth_date"] = "1980-02-02";
    extra["address"] = kAddress;
    extra["passport"] = kPassport;
    auto refused = s.Post("/api/v1/applications", extra);
    CHECK(refused.status == 400);
  }
  // Person 4's voucher is annulled, person 5 withdraws.
  auto annul = s.Post("/api/v1/vouchers/" + vouchers[4] + "/annul",
                      {{"reason", "documents-missing"}, {"reason_text", "нет копии диплома"}}, op);
  Expect(annul, 200);
  auto withdrawn =
      s.Send("POST", "/api/v1/applications/" + app_ids[5] + "/withdraw", "", learner_tokens[5], "");
  Expect(withdrawn, 200);

  // Certificates for people 0-2 through their vouchers.
  std::map<std::string, int> cert_person;  // issued certificate code -> person
  // Certificate (or draft) code -> the identity check code the provider got.
  std::map<std::string, std::string> identity_codes;
  auto note_identity_code = [&](const Json& answer) {
    INFO(answer.dump());
    REQUIRE(answer.contains("identityCode"));
    const std::string code = answer["identityCode"];
    REQUIRE(code.size() == 39);
    identity_codes[answer["code"].get<std::string>()] = code;
  };
  auto draft_body = [&](int p, const std::string& name) {
    return Json{{"programme", "DA-101"},         {"learner_name", name},
                {"learner_id", people[p].snils}, {"period_start", year + "-09-01"},
                {"period_end", year + "-11-20"}, {"points", 91},
                {"identity_share", 0.4},         {"identity_method", "online-proctoring"}};
  };
  std::vector<std::string> codes(3);
  for (int p = 0; p < 3; ++p) {
    auto enrol = s.Post("/api/v1/vouchers/" + vouchers[p] + "/enrol",
                        {{"group", "DA-101-PRIV"}, {"start_date", year + "-09-01"}}, provider);
    Expect(enrol, 200);
    // Person 0's draft is misspelt and the learner corrects it.
    Json body = draft_body(p, p == 0 ? "Щербокова Ёлка Фёдоровна" : people[p].name);
    body["voucher"] = vouchers[p];
    auto draft = s.Post("/api/v1/certificates", body, provider,
                        {{"Idempotency-Key", "privacy-draft-" + std::to_string(p)}});
    Expect(draft, 201);
    codes[p] = draft.json()["code"];
    const std::string c = "/api/v1/certificates/" + codes[p];
    if (p == 0) {
      REQUIRE(s.Post(c + "/name", {{"name", people[0].name}}, learner_tokens[0]).status == 200);
    } else {
      REQUIRE(s.Send("POST", c + "/confirm-name", "", learner_tokens[p], "").status == 200);
    }
    auto issued = s.Send("POST", c + "/issue", "", provider, "");
    Expect(issued, 200);
    note_identity_code(issued.json());
    CHECK(issued.json()["identityCode"] == draft.json()["identityCode"]);
    cert_person[codes[p]] = p;
    // The learner's own view of the certificate does not carry it.
    auto own = s.Get(c, learner_tokens[p]);
    Expect(own, 200);
    CHECK_FALSE(own.json().contains("identityCode"));
  }
  // Person 1's certificate is revoked; person 2's superseded by a corrected reissue.
  auto revoked =
      s.Post("/api/v1/certificates/" + codes[1] + "/revoke",
             {{"reason", "error-in-data"}, {"reason_text", "неверный период обучения"}}, provider);
  Expect(revoked, 200);
  Json corrected = draft_body(2, people[2].name);
  corrected["period_end"] = year + "-11-27";
  auto reissue = s.Post("/api/v1/certificates/" + codes[2] + "/supersede", corrected, provider);
  Expect(reissue, 201);
  const std::string reissued = reissue.json()["code"];
  note_identity_code(reissue.json());
  REQUIRE(s.Send("POST", "/api/v1/certificates/" + reissued + "/confirm-name", "", provider, "")
              .status == 200);
  REQUIRE(s.Send("POST", "/api/v1/certificates/" + reissued + "/issue", "", provider, "").status ==
          200);
  cert_person[reissued] = 2;
  // People 3 and 5 get certificates in a batch (no voucher needed).
  {
    Json row3 = draft_body(3, people[3].name), row5 = draft_body(5, people[5].name);
    row5["programme"] = "PY-036";
    row5["points"] = 80;
    auto batch = s.Post("/api/v1/certificates/batch", {{"rows", {row3, row5}}}, provider);
    Expect(batch, 201);
    const Json results = batch.json()["rows"];
    REQUIRE(results.size() == 2);
    REQUIRE(results[0].contains("code"));
    REQUIRE(results[1].contains("code"));
    cert_person[results[0]["code"].get<std::string>()] = 3;
    cert_person[results[1]["code"].get<std::string>()] = 5;
    note_identity_code(results[0]);
    note_identity_code(results[1]);
  }
  // A draft never issued (not public).
  auto open_draft = s.Post("/api/v1/certificates", draft_body(4, people[4].name), provider);
  Expect(open_draft, 201);
  const std::string draft_code = open_draft.json()["code"];
  note_identity_code(open_draft.json());
  REQUIRE(identity_codes.size() == cert_person.size() + 1);
  // The operator sees it too (it answers the learner who lost it).
  auto op_view = s.Get("/api/v1/certificates/" + codes[0], op);
  Expect(op_view, 200);
  CHECK(op_view.json()["identityCode"] == identity_codes[codes[0]]);

  std::vector<Needle> needles = AllNeedles();
  for (Needle& n : IdentityCodeNeedles(identity_codes)) needles.push_back(std::move(n));
  LeakSearch search(needles);
  // /metrics before the restart below (the counters are in memory).
  auto metrics = s.Get("/metrics");
  REQUIRE(metrics.status == 200);
  search.Body("GET /metrics (before restart)", metrics.body, metrics.content_type);

  // A restart publishes every acknowledged entry (Serve integrates on exit),
  // so the checkpoint covers the whole story.
  s.Stop();
  REQUIRE(s.stopped_cleanly());
  s.Start();

  // ---- what the public can ask for ---------------------------------------------------
  auto cp = s.Get("/ledger/checkpoint");
  REQUIRE(cp.status == 200);
  const size_t nl = cp.body.find('\n');
  const int64_t size = std::stoll(cp.body.substr(nl + 1, cp.body.find('\n', nl + 1) - nl - 1));
  REQUIRE(size > 20);

  std::vector<std::string> tile_paths;
  for (const crypto::Tile& t : crypto::TilesForSize(size)) {
    tile_paths.push_back(crypto::TilePath(t).substr(5));  // without "tile/"
  }
  // Status lists and issuers named by the credentials.
  std::set<std::string> status_slugs, status_ns, issuer_slugs = {"demo"};
  auto note_status = [&](const Json& credential) {
    auto st = credential.find("credentialStatus");
    if (st == credential.end() || !st->contains("statusListCredential")) return;
    std::string url = (*st)["statusListCredential"];
    std::string rest = url.substr(url.find("/status/") + 8);
    status_slugs.insert(rest.substr(0, rest.find('/')));
    status_ns.insert(rest.substr(rest.find('/') + 1));
  };
  for (const auto& [code, p] : cert_person) {
    const Json credential = s.Get("/v/" + code + "/credential.json").json();
    note_status(credential);
    // The codes searched for are the real ones: each one and the SNILS give
    // the credential's identityHash.
    INFO(code);
    CHECK(credential["credentialSubject"]["identifier"][1]["identityHash"] ==
          IdentityHash(identity_codes[code], people[p].snils));
  }
  for (size_t i = 0; i < vouchers.size(); ++i) {
    note_status(s.Get("/api/v1/vouchers/" + vouchers[i], op).json()["credential"]);
  }
  REQUIRE(status_slugs.size() >= 2);  // the provider's and the registry's (vouchers)
  auto issuers = s.Get("/api/v1/issuers", op);
  REQUIRE(issuers.status == 200);
  const Json issuer_list = issuers.json();  // a range over a temporary's member dangles
  for (const auto& i : issuer_list["issuers"]) issuer_slugs.insert(i["slug"].get<std::string>());
  issuer_slugs.insert(status_slugs.begin(), status_slugs.end());

  const Json openapi = s.Get("/api/v1/openapi.json").json();
  REQUIRE(openapi.contains("paths"));
  std::vector<std::string> problem_slugs;
  for (const auto& t : openapi["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]) {
    std::string u = t;
    problem_slugs.push_back(u.substr(u.rfind('/') + 1));
  }
  REQUIRE(problem_slugs.size() > 20);
  std::vector<std::string> v_codes = {draft_code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z"};
  for (const auto& [code, p] : cert_person) v_codes.push_back(code);
  v_codes.insert(v_codes.end(), vouchers.begin(), vouchers.end());

  // Values for each path parameter; a parameter not listed fails the test.
  auto values = [&](const std::string& path, const std::string& name) -> std::vector<std::string> {
    if (path.rfind("/v/", 0) == 0 && name == "code") return v_codes;
    if (path.rfind("/programmes/", 0) == 0 && name == "code") return {"DA-101", "PY-036"};
    if (path.rfind("/status/", 0) == 0 && name == "slug")
      return {status_slugs.begin(), status_slugs.end()};
    if (path.rfind("/status/", 0) == 0 && name == "n") return {status_ns.begin(), status_ns.end()};
    if (path.rfind("/problems/", 0) == 0 && name == "slug") return problem_slugs;
    if (name == "slug") return {issuer_slugs.begin(), issuer_slugs.end()};
    if (name == "year") return {year};
    if (name == "path") return tile_paths;
    return {};
  };
  // The pages a certificate's learner may be named on.
  auto allowed_for = [&](const std::string& url) -> std::set<int> {
    for (const auto& [code, p] : cert_person) {
      if (url.rfind("/v/" + code, 0) == 0) return {p};
    }
    return {};
  };

  int public_routes = 0, requests = 0;
  std::string real_bundle;  // the first entry bundle served
  std::set<std::string> tags_seen;
  for (const auto& [path, ops] : openapi["paths"].items()) {
    if (!ops.contains("get") || !ops["get"]["security"].empty()) continue;
    ++public_routes;
    // Expand {name} parameters (Cartesian product).
    std::vector<std::string> urls = {""};
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] != '{') {
        for (auto& u : urls) u += path[i];
        ++i;
        continue;
      }
      const size_t end = path.find('}', i);
      const std::string name = path.substr(i + 1, end - i - 1);
      const auto vals = values(path, name);
      INFO("public route " << path << ": teach the privacy test values for {" << name << "}");
      REQUIRE(!vals.empty());
      std::vector<std::string> next;
      for (const auto& u : urls) {
        for (const auto& v : vals) next.push_back(u + v);
      }
      urls = std::move(next);
      i = end + 1;
    }
    for (const std::string& url : urls) {
      const std::set<int> allowed = allowed_for(url);
      std::vector<std::pair<std::string, httplib::Headers>> variants = {{url, {}}};
      if (path.rfind("/v/", 0) == 0) {
        variants.push_back({url + "?lang=en", {}});
        variants.push_back({url, {{"Accept", "application/ld+json"}}});
        variants.push_back({url, {{"Accept", "application/json"}}});
      }
      for (const auto& [u, headers] : variants) {
        auto r = s.Get(u, "", headers);
        ++requests;
        INFO("GET " << u << ": " << r.body.substr(0, 300));
        CHECK(r.status > 0);
        CHECK(r.status < 500);
        std::string where = "GET " + u;
        if (!headers.empty()) where += " (Accept: " + headers.begin()->second + ")";
        if (path == "/ledger/tile/{path}" && u.find("/entries/") != std::string::npos) {
          REQUIRE(r.status == 200);
          search.EntryBundle(where, r.body);
          if (real_bundle.empty()) real_bundle = r.body;
        } else {
          search.Body(where, r.body, r.content_type, allowed);
        }
        for (const auto& [k, v] : r.headers) search.Text(where + " header " + k, v, allowed);
        // A certificate's own pages show its printed name (a positive control).
        if (!allowed.empty() && r.status == 200 && u.find("/receipt") == std::string::npos) {
          std::string text = r.body;
          if (r.body.rfind("%PDF-", 0) == 0) {
            testing::TempDir dir;
            testing::WriteFile(dir.path() / "c.pdf", r.body);
            text = testing::RunCommand("pdftotext -enc UTF-8 '" + (dir.path() / "c.pdf").string() +
                                       "' - | tr '\\n' ' '");
            text += testing::RunCommand("pdftotext -enc UTF-8 '" + (dir.path() / "c.pdf").string() +
                                        "' -");
          } else if (auto j = crypto::ParseJson(r.body); j.ok()) {
            text = j->dump();
          }
          INFO(where << " should show the printed name " << people[*allowed.begin()].name);
          CHECK(text.find(people[*allowed.begin()].name) != std::string::npos);
        }
      }
    }
  }
  INFO("public GET routes in the OpenAPI document: " << public_routes);
  CHECK(public_routes >= 15);

  // Public POSTs: verification and credit check by code, a sign-in code.
  for (const auto& [code, p] : cert_person) {
    for (const std::string route : {"/api/v1/verify", "/api/v1/credit-check"}) {
      auto r = s.Post(route, {{"code", code}});
      ++requests;
      CHECK(r.status == 200);
      search.Body("POST " + route + " {code: " + code + "}", r.body, r.content_type, {p});
      // A university's identity check: the answer says whether they match,
      // and echoes neither the SNILS nor the code.
      auto checked = s.Post(route, {{"code", code},
                                    {"learner_id", people[p].snils},
                                    {"identity_code", identity_codes[code]}});
      ++requests;
      CHECK(checked.status == 200);
      search.Body("POST " + route + " {code: " + code + ", learner_id, identity_code}",
                  checked.body, checked.content_type, {p});
    }
  }
  for (const std::string& app : app_ids) {
    auto r = s.Send("POST", "/api/v1/applications/" + app + "/login-code", "", "", "");
    search.Body("POST /api/v1/applications/" + app + "/login-code", r.body, r.content_type);
  }
  // /metrics after all that.
  metrics = s.Get("/metrics");
  search.Body("GET /metrics", metrics.body, metrics.content_type);

  // The server's log (stderr: start, configuration, every request, stop).
  s.Stop();
  CHECK(s.stopped_cleanly());
  const std::string log = RegistryServer::ReadFile(s.data() + "/server.log");
  REQUIRE(log.find("/api/v1/applications") != std::string::npos);  // requests were logged
  search.Text("server log (stderr)", log);

  INFO("searched " << search.searched() << " views of " << requests << " responses; "
                   << search.entries() << " ledger entries, " << search.status_lists()
                   << " status lists, " << search.pdfs() << " PDFs\n"
                   << JoinLines(search.hits()));
  CHECK(search.entries() == size);

  // The same search fails on a copy of a real entry bundle whose last entry
  // names an applicant (as JSON would escape it) and states a birth date.
  auto entries = crypto::ParseEntryBundle(real_bundle);
  REQUIRE(entries.ok());
  REQUIRE(!entries->empty());
  std::vector<std::string> copy = *entries;
  copy.back().insert(copy.back().size() - 1, ",\"holder\":\"" + JsonEscaped(people[0].name) +
                                                 "\",\"born\":\"" + people[0].birth_date + "\"");
  LeakSearch probe(AllNeedles());
  const auto planted =
      probe.EntryBundle("planted copy of tile/entries/000", *crypto::EncodeEntryBundle(copy));
  const std::string last = "entry " + std::to_string(copy.size() - 1);
  auto reported = [&](const std::string& what) {
    return std::any_of(planted.begin(), planted.end(), [&](const std::string& h) {
      return h.find(last) != std::string::npos && h.find(what) != std::string::npos;
    });
  };
  INFO(JoinLines(planted));
  CHECK(reported("JSON-escaped of " + people[0].name));
  CHECK(reported("name \"Щербакова\" of"));
  CHECK(reported("birth date (ISO)"));
  CHECK(planted.size() < 40);  // only the planted entry
  CHECK(search.status_lists() >= 2);
  CHECK(search.pdfs() >= 5);
  CHECK(search.hits().empty());
}

TEST_CASE("privacy: the leak search reports a value planted in an entry, a page or a log",
          "[server][privacy]") {
  LeakSearch search(AllNeedles());
  const Person p = People()[0];
  // A ledger entry as the registry writes it (RFC 8785 JSON), with and
  // without a planted name in \uXXXX form; ASCII-only canonical JSON would
  // escape nothing, so both spellings are tried.
  const std::string clean =
      "{\"digest\":\"sha256:" + std::string(64, 'a') +
      "\",\"id\":\"sha256:" + std::string(64, 'b') +
      "\",\"issuer\":\"did:web:127.0.0.1%3A8080:issuers:demo\",\"time\":\"2026-11-23T02:00:00Z\","
      "\"type\":\"certificate.issued\"}";
  std::string planted_escaped = clean;
  planted_escaped.insert(planted_escaped.size() - 1,
                         ",\"learner\":\"" + JsonEscaped("Щербакова") + "\"");
  std::string planted_raw = clean;
  planted_raw.insert(planted_raw.size() - 1, ",\"note\":\"born 14.03.1979\"");

  const std::string clean_bundle =
      *crypto::EncodeEntryBundle(std::vector<std::string>{clean, clean});
  CHECK(search.EntryBundle("clean bundle", clean_bundle).empty());
  auto hits = search.EntryBundle(
      "tile/entries/000.p/3",
      *crypto::EncodeEntryBundle(std::vector<std::string>{clean, planted_escaped, planted_raw}));
  INFO(JoinLines(hits));
  auto reported = [&](const std::string& where, const std::string& what) {
    return std::any_of(hits.begin(), hits.end(), [&](const std::string& h) {
      return h.find(where) != std::string::npos && h.find(what) != std::string::npos;
    });
  };
  CHECK(reported("tile/entries/000.p/3 entry 1:", "JSON-escaped"));
  CHECK(reported("tile/entries/000.p/3 entry 1 [JSON unescaped]", "name \"Щербакова\""));
  CHECK(reported("tile/entries/000.p/3 entry 2:", "birth date dd.mm.yyyy"));

  // A fake /metrics with SNILS digits in a label, a page with the e-mail in
  // upper case, a log line with the percent-encoded surname and an HTML page
  // with the name as numeric entities.
  std::string digits;
  for (char c : p.snils) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  hits = search.Body("fake /metrics", "certledger_x{snils=\"" + digits + "\"} 1\n", "text/plain");
  CHECK(reported("fake /metrics", "SNILS digits"));
  std::string upper = p.email;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  hits = search.Body("fake page", "<p>" + upper + "</p>", "text/html");
  CHECK(reported("fake page", "e-mail"));
  hits = search.Text("fake log", "GET /v/" + PercentEncoded("Щербакова") + " 404\n");
  CHECK(reported("fake log", "percent-encoded"));
  hits = search.Body("fake html",
                     "<p>&#1065;&#x435;&#1088;&#1073;&#1072;&#1082;&#1086;&#1074;&#1072;</p>",
                     "text/html");
  CHECK(reported("fake html [HTML entities decoded]", "name \"Щербакова\""));
  // The certificate's own page may show the printed name, not the phone.
  const std::string own = "<h1>" + p.name + "</h1><p>" + p.phone + "</p>";
  hits = search.Body("own page", own, "text/html", {0});
  CHECK(reported("own page", "phone"));
  CHECK_FALSE(reported("own page", "name \""));
  CHECK(search.Body("own page without the phone", "<h1>" + p.name + "</h1>", "text/html", {0})
            .empty());
  // An identity check code, grouped or as bare hex in upper case.
  LeakSearch codes(IdentityCodeNeedles({{"7KQ2", "3f9a-0c1b-e24d-5a6f-7081-923a-4b5c-6d7e"}}));
  hits = codes.Body("fake credential", "{\"salt\":\"3F9A0C1BE24D5A6F7081923A4B5C6D7E\"}",
                    "application/json");
  CHECK(std::any_of(hits.begin(), hits.end(), [](const std::string& h) {
    return h.find("identity check code of certificate 7KQ2 (hex)") != std::string::npos;
  }));
  CHECK_FALSE(codes.Text("fake page", "code 3f9a0c1be24d5a6f").empty());  // the first half
}

// docs/formats.md "Learner identity": the provider (and the operator) get
// each certificate's identity check code; the public never does, and a
// university checks a learner's SNILS with it through POST /api/v1/verify
// and /api/v1/credit-check.
TEST_CASE("privacy: the identity check code is the provider's, never public, and it checks a SNILS",
          "[server][privacy]") {
  REQUIRE(testing::RunCommand("command -v qpdf && command -v pdftotext").find("pdftotext") !=
          std::string::npos);
  RegistryServer s("{\"deadline_interval_s\": 0, \"rate_limit_per_minute\": 0}");
  const std::string provider = s.ProviderToken(), op = s.OperatorToken(), year = Year();
  const std::string snils = Snils("317245906");
  Json body = {{"programme", "DA-101"},         {"learner_name", "Иванова Мария Сергеевна"},
               {"learner_id", snils},           {"period_start", year + "-09-01"},
               {"period_end", year + "-11-20"}, {"points", 91},
               {"identity_share", 0.4},         {"identity_method", "online-proctoring"}};
  auto draft = s.Post("/api/v1/certificates", body, provider);
  Expect(draft, 201);
  const std::string code = draft.json()["code"];
  const std::string identity_code = draft.json().value("identityCode", "");
  REQUIRE(identity_code.size() == 39);
  const std::string c = "/api/v1/certificates/" + code;
  REQUIRE(s.Send("POST", c + "/confirm-name", "", provider, "").status == 200);
  auto issued = s.Send("POST", c + "/issue", "", provider, "");
  Expect(issued, 200);
  CHECK(issued.json()["identityCode"] == identity_code);
  // The provider's and the operator's record of it.
  for (const std::string& token : {provider, op}) {
    auto r = s.Get(c, token);
    Expect(r, 200);
    CHECK(r.json()["identityCode"] == identity_code);
  }
  CHECK(s.Get(c).status == 401);
  // The credential carries the hash of the code and the SNILS, not the code.
  const Json credential = s.Get("/v/" + code + "/credential.json").json();
  const Json& id = credential["credentialSubject"]["identifier"][1];
  CHECK(id["identityHash"] == IdentityHash(identity_code, snils));
  CHECK(id["hashed"] == true);
  CHECK_FALSE(id.contains("salt"));
  // Every public view of the certificate: none has the code in any form.
  LeakSearch search(IdentityCodeNeedles({{code, identity_code}}));
  for (const std::string& path :
       {"/v/" + code, "/v/" + code + "/credential.json", "/v/" + code + "/ob3.json",
        "/v/" + code + "/receipt", "/v/" + code + "/certificate.pdf"}) {
    for (const httplib::Headers& h :
         {httplib::Headers{}, httplib::Headers{{"Accept", "application/json"}},
          httplib::Headers{{"Accept", "application/ld+json"}}}) {
      auto r = s.Get(path, "", h);
      // The receipt waits for the next checkpoint (a second or so).
      for (int tries = 0; r.status != 200 && tries < 100; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        r = s.Get(path, "", h);
      }
      INFO(path << ": " << r.body.substr(0, 300));
      CHECK(r.status == 200);
      search.Body("GET " + path, r.body, r.content_type);
    }
  }
  CHECK(search.pdfs() >= 3);

  // A university checks the SNILS and the code the learner gave it.
  auto verify = [&](const std::string& route, const std::string& learner_id,
                    const std::string& code_given) {
    Json b = {{"code", code}, {"learner_id", learner_id}, {"identity_code", code_given}};
    // The test server is on http://127.0.0.1, which no policy accepts as
    // the electronic version: the policy requires the rest.
    if (route == "/api/v1/credit-check") {
      b["policy"] = {{"requiredFields",
                      {"learnerIdentity", "issuer", "course", "period", "workload", "outcomes",
                       "assessment"}}};
    }
    auto r = s.Post(route, b);
    INFO(route << ": " << r.body);
    search.Body("POST " + route, r.body, r.content_type);
    return r;
  };
  std::string wrong_code = identity_code;
  wrong_code[0] = wrong_code[0] == '0' ? '1' : '0';
  const std::string other_snils = Snils("402918377");
  std::string bare;  // the code as 32 digits in upper case, as someone may type it
  for (char ch : identity_code) {
    if (ch != '-') bare += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  auto ok = verify("/api/v1/verify", snils, identity_code);
  REQUIRE(ok.status == 200);
  CHECK(ok.json()["verdict"] == "valid");
  CHECK(ok.json()["learnerIdentity"]["status"] == "passed");
  CHECK(verify("/api/v1/verify", snils, bare).json()["learnerIdentity"]["status"] == "passed");
  CHECK(verify("/api/v1/verify", snils, wrong_code).json()["learnerIdentity"]["status"] ==
        "failed");
  CHECK(verify("/api/v1/verify", other_snils, identity_code).json()["learnerIdentity"]["status"] ==
        "failed");
  // Without the pair the answer is as before.
  auto plain = s.Post("/api/v1/verify", {{"code", code}});
  CHECK(plain.status == 200);
  CHECK_FALSE(plain.json().contains("learnerIdentity"));
  // The credit check's learnerIdentity requirement follows the hash.
  auto requirement = [](const Json& report) {
    for (const auto& q : report["requirements"]) {
      if (q["id"] == "learnerIdentity") return q["status"].get<std::string>();
    }
    return std::string("(none)");
  };
  auto met = verify("/api/v1/credit-check", snils, identity_code);
  REQUIRE(met.status == 200);
  CHECK(requirement(met.json()) == "passed");
  CHECK(met.json()["policyMet"] == true);
  auto not_met = verify("/api/v1/credit-check", snils, wrong_code);
  REQUIRE(not_met.status == 200);
  CHECK(requirement(not_met.json()) == "failed");
  CHECK(not_met.json()["policyMet"] == false);
  CHECK(requirement(s.Post("/api/v1/credit-check", {{"code", code}}).json()) == "passed");
  // Half a pair, or a code that is not hex: 400, naming the field only.
  auto half = s.Post("/api/v1/verify", {{"code", code}, {"learner_id", snils}});
  CHECK(half.status == 400);
  CHECK(half.body.find("identity_code") != std::string::npos);
  auto bad = s.Post("/api/v1/credit-check",
                    {{"code", code}, {"learner_id", snils}, {"identity_code", "not-a-code"}});
  CHECK(bad.status == 400);
  search.Body("POST bad identity code", bad.body, bad.content_type);
  CHECK(bad.body.find("not-a-code") == std::string::npos);
  CHECK(bad.body.find("317245906") == std::string::npos);
  CHECK(bad.body.find("317-245-906") == std::string::npos);
  INFO(JoinLines(search.hits()));
  CHECK(search.hits().empty());
}

}  // namespace
}  // namespace certledger
