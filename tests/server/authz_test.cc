// The authorization matrix (issue 6): every route x every principal (none,
// applicant, another applicant, provider `demo`, another provider, operator)
// with the expected class of answer, written out by hand below. "ok" means
// 2xx or a domain error that is not 401/403 (a second revoke's 409, an
// unknown object's 404): the point is whether the role and scope checks let
// the principal through. The table must cover exactly the routes that
// /api/v1/openapi.json lists, so a new route without a row fails this test.
#include <map>
#include <set>

#include "tests/server/server_fixture.h"

namespace certledger {
namespace {

using testing::HttpResult;
using testing::RegistryServer;
using testing::Year;

enum Want { kOk, k401, k403 };

// Principals, in the order of the table's columns.
enum Who { kNone, kApplicant, kOtherApplicant, kProvider, kOtherProvider, kOperator };
constexpr const char* kWhoNames[] = {"none",     "applicant",      "other applicant",
                                     "provider", "other provider", "operator"};

struct Row {
  const char* method;
  const char* path;     // the OpenAPI template
  const char* request;  // the concrete path, $NAMES substituted
  const char* body;     // JSON, or "" for none
  Want want[6];
};

// clang-format off
const Row kMatrix[] = {
    // Public: everybody (a valid token changes nothing).
    {"GET", "/healthz", "/healthz", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/metrics", "/metrics", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/v/{code}", "/v/$ISSUED", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/v/{code}/credential.json", "/v/$ISSUED/credential.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/v/{code}/ob3.json", "/v/$ISSUED/ob3.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/v/{code}/certificate.pdf", "/v/$ISSUED/certificate.pdf", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/v/{code}/receipt", "/v/$ISSUED/receipt", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/.well-known/did.json", "/.well-known/did.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/issuers/{slug}/did.json", "/issuers/demo/did.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/issuers/{slug}", "/issuers/demo", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/programmes/{slug}/{code}", "/programmes/demo/DA-101", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/contexts/v1.json", "/contexts/v1.json", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/status/{slug}/{n}", "/status/demo/1", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/problems/{slug}", "/problems/auth.role", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"POST", "/api/v1/verify", "/api/v1/verify", R"({"code":"$ISSUED"})", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"POST", "/api/v1/credit-check", "/api/v1/credit-check", R"({"code":"$ISSUED"})", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/ledger/checkpoint", "/ledger/checkpoint", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/ledger/tile/{path}", "/ledger/tile/0/000.p/1", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/ledger/key", "/api/v1/ledger/key", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/ledger/inclusion", "/api/v1/ledger/inclusion?index=0", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/ledger/consistency", "/api/v1/ledger/consistency?old=1&new=2", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/years/{year}/counter", "/api/v1/years/$YEAR/counter", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"GET", "/api/v1/years/{year}", "/api/v1/years/$YEAR", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    // Applying is public; an ineligible body (a minor) stores nothing.
    {"POST", "/api/v1/applications", "/api/v1/applications", "$MINOR", {kOk, kOk, kOk, kOk, kOk, kOk}},
    {"POST", "/api/v1/applications/{id}/login-code", "/api/v1/applications/$OTHER_APP/login-code", "", {kOk, kOk, kOk, kOk, kOk, kOk}},
    // No code: 400, no failed attempt counted.
    {"POST", "/api/v1/applications/{id}/token", "/api/v1/applications/$OTHER_APP/token", "{}", {kOk, kOk, kOk, kOk, kOk, kOk}},

    // The applicant's own application (and the operator).
    {"GET", "/api/v1/applications/{id}", "/api/v1/applications/$APP", "", {k401, kOk, k403, k403, k403, kOk}},
    // The voucher is enrolled: 409 for those let through.
    {"POST", "/api/v1/applications/{id}/withdraw", "/api/v1/applications/$APP/withdraw", "", {k401, kOk, k403, k403, k403, kOk}},

    // Vouchers.
    {"GET", "/api/v1/vouchers", "/api/v1/vouchers?issuer=demo", "", {k401, k403, k403, kOk, kOk, kOk}},
    {"GET", "/api/v1/vouchers/{code}", "/api/v1/vouchers/$VOUCHER", "", {k401, kOk, k403, kOk, k403, kOk}},
    {"GET", "/api/v1/vouchers/{code}/voucher.pdf", "/api/v1/vouchers/$VOUCHER/voucher.pdf", "", {k401, kOk, k403, k403, k403, kOk}},
    {"POST", "/api/v1/vouchers/{code}/enrol", "/api/v1/vouchers/$VOUCHER/enrol", R"({"group":"G-1","start_date":"$YEAR-09-01"})", {k401, k403, k403, kOk, k403, k403}},
    {"POST", "/api/v1/vouchers/{code}/annul", "/api/v1/vouchers/NO-SUCH-VOUCHER/annul", R"({"reason":"documents-missing"})", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/vouchers/{code}/valid-reason", "/api/v1/vouchers/$VOUCHER/valid-reason", R"({"text":"ill"})", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/deadlines/run", "/api/v1/deadlines/run", "", {k401, k403, k403, k403, k403, kOk}},
    {"GET", "/api/v1/outbox", "/api/v1/outbox", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/outbox/{id}/sent", "/api/v1/outbox/1/sent", "", {k401, k403, k403, k403, k403, kOk}},
    {"PUT", "/api/v1/years/{year}", "/api/v1/years/$YEAR", "$YEARCONFIG", {k401, k403, k403, k403, k403, kOk}},

    // Certificates. $DRAFT references the applicant's voucher.
    // The body names issuer `demo`: another provider may not issue as it.
    {"POST", "/api/v1/certificates", "/api/v1/certificates", "$NEWDRAFT", {k401, k403, k403, kOk, k403, kOk}},
    {"GET", "/api/v1/certificates/{code}", "/api/v1/certificates/$DRAFT", "", {k401, kOk, k403, kOk, k403, kOk}},
    {"GET", "/api/v1/certificates/{code}/preview.pdf", "/api/v1/certificates/$DRAFT/preview.pdf", "", {k401, kOk, k403, kOk, k403, kOk}},
    {"POST", "/api/v1/certificates/{code}/name", "/api/v1/certificates/$DRAFT/name", R"({"name":"Иванова Мария Сергеевна"})", {k401, kOk, k403, kOk, k403, k403}},
    {"POST", "/api/v1/certificates/{code}/confirm-name", "/api/v1/certificates/$DRAFT/confirm-name", "", {k401, kOk, k403, kOk, k403, k403}},
    {"POST", "/api/v1/certificates/{code}/issue", "/api/v1/certificates/$TO_ISSUE/issue", "", {k401, k403, k403, kOk, k403, k403}},
    // The first one let through revokes, the next gets 409.
    {"POST", "/api/v1/certificates/{code}/revoke", "/api/v1/certificates/$ISSUED2/revoke", R"({"reason":"error-in-data"})", {k401, k403, k403, kOk, k403, kOk}},
    {"POST", "/api/v1/certificates/{code}/supersede", "/api/v1/certificates/$ISSUED/supersede", "$SUPERSEDE", {k401, k403, k403, kOk, k403, kOk}},
    {"POST", "/api/v1/certificates/batch", "/api/v1/certificates/batch", R"({"rows":[]})", {k401, k403, k403, kOk, kOk, k403}},

    // The operator's routes. $SPARE is an issuer nobody else uses.
    {"GET", "/api/v1/issuers", "/api/v1/issuers", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/issuers", "/api/v1/issuers", R"({"slug":"demo","kind":"provider","name_ru":"x","name_en":"x","inn":"7707083893"})", {k401, k403, k403, k403, k403, kOk}},
    {"GET", "/api/v1/issuers/{slug}", "/api/v1/issuers/demo", "", {k401, k403, k403, kOk, k403, kOk}},
    {"POST", "/api/v1/issuers/{slug}/suspend", "/api/v1/issuers/spare/suspend", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/issuers/{slug}/reactivate", "/api/v1/issuers/spare/reactivate", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/issuers/{slug}/keys", "/api/v1/issuers/spare/keys", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/issuers/{slug}/keys/{n}/revoke", "/api/v1/issuers/spare/keys/999/revoke", "{}", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/programmes", "/api/v1/programmes", R"({"issuer":"spare"})", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/tokens", "/api/v1/tokens", R"({"role":"applicant"})", {k401, k403, k403, k403, k403, kOk}},
    {"GET", "/api/v1/tokens", "/api/v1/tokens", "", {k401, k403, k403, k403, k403, kOk}},
    {"POST", "/api/v1/tokens/{id}/revoke", "/api/v1/tokens/no-such-token/revoke", "", {k401, k403, k403, k403, k403, kOk}},
};
// clang-format on

std::string Substitute(std::string s, const std::map<std::string, std::string>& vars) {
  // Longest names first, so $ISSUED2 is not read as $ISSUED + "2".
  std::vector<std::pair<std::string, std::string>> v(vars.begin(), vars.end());
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [name, value] : v) {
    for (size_t at; (at = s.find("$" + name)) != std::string::npos;) {
      s.replace(at, name.size() + 1, value);
    }
  }
  return s;
}

Json Draft(const std::string& name, const std::string& snils, const std::string& year,
           const std::string& start, const std::string& voucher = "") {
  Json d = {{"programme", "DA-101"},         {"learner_name", name},
            {"learner_id", snils},           {"period_start", year + "-" + start},
            {"period_end", year + "-11-20"}, {"points", 91},
            {"identity_share", 0.4},         {"identity_method", "online-proctoring"}};
  if (!voucher.empty()) d["voucher"] = voucher;
  return d;
}

// A draft of `demo`, confirmed and issued; returns its code.
std::string IssuedCertificate(RegistryServer& s, const Json& draft) {
  const std::string provider = s.ProviderToken();
  auto d = s.Post("/api/v1/certificates", draft, provider);
  INFO(d.body);
  REQUIRE(d.status == 201);
  const std::string code = d.json()["code"];
  REQUIRE(
      s.Post("/api/v1/certificates/" + code + "/confirm-name", Json::object(), provider).status ==
      200);
  auto issued = s.Post("/api/v1/certificates/" + code + "/issue", Json::object(), provider);
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  return code;
}

TEST_CASE("server: every route x every principal gets the expected status", "[server][authz]") {
  RegistryServer s("{\"deadline_interval_s\": 0, \"rate_limit_per_minute\": 0}");
  const std::string op = s.OperatorToken(), provider = s.ProviderToken();
  const std::string year = Year();

  // Another provider with its own token, and a spare issuer for the
  // operator's state-changing issuer routes.
  auto other = s.Post("/api/v1/issuers",
                      {{"slug", "other"},
                       {"kind", "provider"},
                       {"name_ru", "Другая академия"},
                       {"name_en", "Other academy"},
                       {"inn", "7700000009"}},
                      op);
  INFO(other.body);
  REQUIRE(other.status == 201);
  auto spare = s.Post("/api/v1/issuers",
                      {{"slug", "spare"},
                       {"kind", "provider"},
                       {"name_ru", "Запасная академия"},
                       {"name_en", "Spare academy"},
                       {"inn", "7800000002"}},
                      op);
  INFO(spare.body);
  REQUIRE(spare.status == 201);
  auto other_token =
      s.Post("/api/v1/tokens", {{"role", "provider"}, {"scope", "other"}, {"label", "authz"}}, op);
  INFO(other_token.body);
  REQUIRE(other_token.status == 201);

  // Another applicant, signed in with the one-time code.
  auto applied = s.Post("/api/v1/applications", {{"full_name", "Петров Пётр Петрович"},
                                                 {"birth_date", "1985-01-02"},
                                                 {"sex", "male"},
                                                 {"citizenship", "RU"},
                                                 {"education_level", "secondary-vocational"},
                                                 {"region_code", "66"},
                                                 {"registration_type", "permanent"},
                                                 {"email", "petrov@example.ru"},
                                                 {"phone", "+79120000001"},
                                                 {"snils", "123-456-789 64"},
                                                 {"issuer", "demo"},
                                                 {"programme", "DA-101"}});
  INFO(applied.body);
  REQUIRE(applied.status == 201);
  const std::string other_app = applied.json()["id"];
  const std::string code = s.LoginCodeFor(other_app);
  REQUIRE(code.size() == 6);
  auto signed_in = s.Post("/api/v1/applications/" + other_app + "/token", {{"code", code}});
  REQUIRE(signed_in.status == 201);

  // The demo applicant's voucher, enrolled; a draft on it; a draft ready to
  // issue; two issued certificates.
  const std::string app = s.DemoApplication();
  auto mine = s.Get("/api/v1/applications/" + app, s.ApplicantToken());
  REQUIRE(mine.status == 200);
  const std::string voucher = mine.json()["voucher"];
  REQUIRE(s.Post("/api/v1/vouchers/" + voucher + "/enrol",
                 {{"group", "DA-101-1"}, {"start_date", year + "-09-01"}}, provider)
              .status == 200);
  auto draft =
      s.Post("/api/v1/certificates",
             Draft("Иванова Мария Сергеевна", "112-233-445 95", year, "09-01", voucher), provider);
  INFO(draft.body);
  REQUIRE(draft.status == 201);
  auto to_issue = s.Post("/api/v1/certificates",
                         Draft("Сидоров Иван Петрович", "234-567-891 00", year, "09-01"), provider);
  INFO(to_issue.body);
  REQUIRE(to_issue.status == 201);
  REQUIRE(
      s.Post("/api/v1/certificates/" + to_issue.json()["code"].get<std::string>() + "/confirm-name",
             Json::object(), provider)
          .status == 200);
  const std::string issued =
      IssuedCertificate(s, Draft("Орлов Олег Олегович", "345-678-912 26", year, "09-02"));
  const std::string issued2 =
      IssuedCertificate(s, Draft("Орлов Олег Олегович", "345-678-912 26", year, "09-03"));

  // A minor: refused (422), nothing stored.
  Json minor = {{"full_name", "Юный Заявитель"},
                {"birth_date", year + "-01-01"},
                {"sex", "male"},
                {"citizenship", "RU"},
                {"education_level", "secondary-vocational"},
                {"region_code", "66"},
                {"registration_type", "permanent"},
                {"email", "young@example.ru"},
                {"phone", "+79120000002"},
                {"snils", "345-678-912 26"},
                {"issuer", "demo"},
                {"programme", "DA-101"}};
  Json new_draft = Draft("Новиков Никита Николаевич", "123-456-789 64", year, "10-01");
  new_draft["issuer"] = "demo";
  Json supersede = Draft("Орлов Олег Олегович", "345-678-912 26", year, "09-02");
  supersede["issuer"] = "demo";
  auto config = s.Get("/api/v1/years/" + year);
  REQUIRE(config.status == 200);

  const std::map<std::string, std::string> vars = {
      {"YEAR", year},
      {"APP", app},
      {"OTHER_APP", other_app},
      {"VOUCHER", voucher},
      {"DRAFT", draft.json()["code"]},
      {"TO_ISSUE", to_issue.json()["code"]},
      {"ISSUED", issued},
      {"ISSUED2", issued2},
      {"MINOR", minor.dump()},
      {"NEWDRAFT", new_draft.dump()},
      {"SUPERSEDE", supersede.dump()},
      {"YEARCONFIG", config.body},
  };
  const std::string tokens[6] = {"",       s.ApplicantToken(),          signed_in.json()["token"],
                                 provider, other_token.json()["token"], op};

  // The table covers exactly the routes the OpenAPI document lists.
  std::set<std::pair<std::string, std::string>> listed, tabled;
  auto openapi = s.Get("/api/v1/openapi.json");
  REQUIRE(openapi.status == 200);
  const Json api = openapi.json();
  for (const auto& [path, ops] : api["paths"].items()) {
    for (const auto& [method, op_json] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      listed.insert({m, path});
    }
  }
  for (const Row& row : kMatrix) {
    CHECK(tabled.insert({row.method, row.path}).second);  // no row twice
  }
  for (const auto& r : listed) {
    INFO("route without a matrix row: " << r.first << " " << r.second);
    CHECK(tabled.count(r) == 1);
  }
  for (const auto& r : tabled) {
    INFO("matrix row for a route the server does not list: " << r.first << " " << r.second);
    CHECK(listed.count(r) == 1);
  }

  int checked = 0;
  for (const Row& row : kMatrix) {
    const std::string path = Substitute(row.request, vars);
    const std::string body = Substitute(row.body, vars);
    for (int who = 0; who < 6; ++who) {
      HttpResult r =
          std::string(row.method) == "GET"
              ? s.Get(path, tokens[who])
              : s.Send(row.method, path, body, tokens[who], body.empty() ? "" : "application/json");
      INFO(row.method << " " << path << " as " << kWhoNames[who] << ": " << r.status << " "
                      << r.body.substr(0, 300));
      REQUIRE(r.status != 0);
      CHECK(r.status < 500);
      switch (row.want[who]) {
        case kOk:
          CHECK(r.status != 401);
          CHECK(r.status != 403);
          break;
        case k401:
          CHECK(r.status == 401);
          CHECK(r.content_type == "application/problem+json");
          CHECK(r.json()["type"].get<std::string>().ends_with("/problems/auth.required"));
          break;
        case k403:
          CHECK(r.status == 403);
          CHECK(r.content_type == "application/problem+json");
          break;
      }
      ++checked;
    }
  }
  CHECK(checked == 6 * static_cast<int>(std::size(kMatrix)));

  // A token that is not Bearer, or unknown, is 401 even on public routes.
  for (const std::string path : {"/healthz", "/api/v1/outbox"}) {
    auto basic = s.Get(path, "", {{"Authorization", "Basic b3A6b3A="}});
    CHECK(basic.status == 401);
    auto unknown = s.Get(path, "clt_unknown_token");
    CHECK(unknown.status == 401);
    CHECK(unknown.json()["type"].get<std::string>().ends_with("/problems/token.invalid"));
  }
}

}  // namespace
}  // namespace certledger
