// The bad-input suite (issue 6): well over 100 malformed requests (broken
// JSON, huge bodies, wrong content types, wrong field types, missing and
// unknown fields, SQL metacharacters in body fields and path parameters, path
// traversal in tile paths, invalid UTF-8, bad SNILS, bad dates and numbers,
// bad registration codes, bad Idempotency-Key values, bad tokens). Each must
// be answered with application/problem+json, a 4xx status and a stable
// problem type, and the database must be byte-for-byte the same afterwards
// (`sqlite3 .dump` before and after). No wrong one-time codes here: a failed
// sign-in legitimately counts an attempt.
#include <vector>

#include "tests/server/server_fixture.h"

namespace certledger {
namespace {

using testing::HttpResult;
using testing::RegistryServer;
using testing::Year;

// Percent-encodes everything but unreserved characters (for path parameters).
std::string Enc(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// An eligible-looking application (the SNILS checksum is valid and unused).
Json Application() {
  return {{"full_name", "Кузнецов Андрей Викторович"},
          {"birth_date", "1988-05-20"},
          {"sex", "male"},
          {"citizenship", "RU"},
          {"education_level", "secondary-vocational"},
          {"region_code", "66"},
          {"registration_type", "temporary"},
          {"email", "kuznetsov@example.ru"},
          {"phone", "+79120000000"},
          {"snils", "234-567-891 00"},
          {"issuer", "demo"},
          {"programme", "DA-101"}};
}

// The same with a SNILS whose checksum is wrong: refused as ineligible.
Json BadSnilsApplication() {
  Json a = Application();
  a["snils"] = "234-567-891 01";
  return a;
}

Json BadInputDraft(const std::string& year) {
  return {{"programme", "DA-101"},          {"learner_name", "Кузнецов Андрей Викторович"},
          {"learner_id", "234-567-891 00"}, {"period_start", year + "-09-01"},
          {"period_end", year + "-11-20"},  {"points", 91},
          {"identity_share", 0.4},          {"identity_method", "online-proctoring"}};
}

struct Bad {
  std::string what;
  std::string method;
  std::string path;
  std::string body;
  std::string token;  // "" none; else a token
  int status;
  std::string slug;
  std::string content_type = "application/json";
  httplib::Headers headers = {};
};

const std::vector<std::string> kSql = {"' OR 1=1 --", "\"; DROP TABLE certificates; --",
                                       "x' UNION SELECT token_hash FROM tokens --"};

TEST_CASE("server: malformed requests get problem+json and change nothing", "[server][bad-input]") {
  RegistryServer s("{\"deadline_interval_s\": 0, \"rate_limit_per_minute\": 0}");
  const std::string op = s.OperatorToken(), provider = s.ProviderToken(),
                    applicant = s.ApplicantToken();
  const std::string year = Year();
  const std::string app_id = s.DemoApplication();
  std::vector<Bad> cases;
  auto add = [&](Bad b) { cases.push_back(std::move(b)); };
  const std::string apply = "/api/v1/applications";
  const std::string certs = "/api/v1/certificates";
  const std::string verify = "/api/v1/verify";

  // ---- broken JSON ----------------------------------------------------------
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"truncated object", "{"},
      {"truncated member", "{\"full_name\": \"x\""},
      {"truncated string", "{\"full_name\": \"x"},
      {"trailing garbage", "{} garbage"},
      {"two objects", "{\"a\":1}{\"b\":2}"},
      {"duplicate keys", "{\"code\":\"A\",\"code\":\"B\"}"},
      {"byte order mark", "\xEF\xBB\xBF{}"},
      {"single quotes", "{'code':'x'}"},
      {"trailing comma", "{\"code\":\"x\",}"},
      {"NaN", "{\"code\":NaN}"},
      {"Infinity", "{\"code\":Infinity}"},
      {"comment", "{/* c */}"},
      {"unquoted key", "{code:\"x\"}"},
      {"control character in a string", "{\"code\":\"a\x01b\"}"},
      {"raw newline in a string", "{\"code\":\"a\nb\"}"},
      {"lone surrogate escape", "{\"code\":\"\\ud800\"}"},
      {"bad escape", "{\"code\":\"\\x41\"}"},
      {"number overflow", "{\"code\":1e999}"},
      {"empty body", ""},
      {"whitespace body", "   "},
      {"array body", "[]"},
      {"null body", "null"},
      {"string body", "\"code\""},
      {"number body", "42"},
      {"nesting 33 deep", "{\"a\":" + std::string(33, '[') + std::string(33, ']') + "}"},
      {"nesting 10000 deep", std::string(10000, '[') + std::string(10000, ']')},
      {"nesting of objects 40 deep",
       [] {
         std::string s;
         for (int i = 0; i < 40; ++i) s += "{\"a\":";
         s += "1";
         s += std::string(40, '}');
         return s;
       }()},
      {"invalid UTF-8: 0xFF", "{\"code\":\"\xff\xfe\"}"},
      {"invalid UTF-8: overlong slash", "{\"code\":\"\xc0\xaf\"}"},
      {"invalid UTF-8: truncated sequence", "{\"code\":\"\xd0\"}"},
      {"invalid UTF-8: encoded surrogate", "{\"code\":\"\xed\xa0\x80\"}"},
      {"invalid UTF-8: in a key", "{\"\xff\":\"x\"}"},
      {"invalid UTF-8: outside strings", "{\"code\":\"x\"}\xff"},
  };
  for (const auto& [what, body] : broken) {
    add({"verify: " + what, "POST", verify, body, "", 400, "request.json"});
  }
  for (const auto& [what, body] : std::vector<std::pair<std::string, std::string>>{
           {"truncated", "{\"full_name\": "},
           {"invalid UTF-8 name", "{\"full_name\":\"\xd0\x98\xd0\"}"},
           {"deep nesting", std::string(64, '[') + std::string(64, ']')}}) {
    add({"apply: " + what, "POST", apply, body, "", 400, "request.json"});
    add({"draft: " + what, "POST", certs, body, provider, 400, "request.json"});
  }

  // ---- sizes and content types ---------------------------------------------
  const std::string huge = "{\"full_name\":\"" + std::string((1 << 20) + 10, 'a') + "\"}";
  add({"apply: body over 1 MiB", "POST", apply, huge, "", 413, "request.too-large"});
  add({"verify: body over 1 MiB", "POST", verify, huge, "", 413, "request.too-large"});
  add({"draft: body over 1 MiB", "POST", certs, huge, provider, 413, "request.too-large"});
  add({"year: body over 1 MiB", "PUT", "/api/v1/years/" + year, huge, op, 413,
       "request.too-large"});
  // httplib parses a multipart body itself and refuses this one.
  add({"apply as multipart", "POST", apply, Application().dump(), "", 400, "request.parameter",
       "multipart/form-data; boundary=x"});
  for (const std::string ct :
       {"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1",
        "application/jsonx", "text/json", "application/xml"}) {
    add({"apply as " + ct, "POST", apply, Application().dump(), "", 415, "request.content-type",
         ct});
  }
  add({"apply without a content type", "POST", apply, Application().dump(), "", 415,
       "request.content-type", ""});
  add({"draft as text/plain", "POST", certs, BadInputDraft(year).dump(), provider, 415,
       "request.content-type", "text/plain"});
  add({"tokens as form", "POST", "/api/v1/tokens", "role=operator", op, 415, "request.content-type",
       "application/x-www-form-urlencoded"});
  add({"body on a route without one", "POST", "/api/v1/deadlines/run", "{\"all\":true}", op, 400,
       "request.body-unexpected"});
  add({"body on issuer suspend", "POST", "/api/v1/issuers/demo/suspend", "x", op, 400,
       "request.body-unexpected", "text/plain"});

  // ---- wrong field types, missing and unknown fields ------------------------
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, Json>>{{"full_name", 1},
                                                 {"birth_date", true},
                                                 {"snils", Json::array({"234-567-891 00"})},
                                                 {"issuer", Json::object()},
                                                 {"email", 3.5},
                                                 {"programme", false}}) {
    Json a = Application();
    a[field] = value;
    add({"apply: " + field + " of the wrong type", "POST", apply, a.dump(), "", 400,
         "request.field"});
  }
  for (const std::string field : {"full_name", "snils", "programme", "birth_date"}) {
    Json a = Application();
    a.erase(field);
    add({"apply: no " + field, "POST", apply, a.dump(), "", 400, "request.field"});
  }
  {
    Json a = Application();
    a["full_name"] = nullptr;
    add({"apply: full_name null", "POST", apply, a.dump(), "", 400, "request.field"});
    a = Application();
    a["full_name"] = std::string(301, 'x');
    add({"apply: full_name too long", "POST", apply, a.dump(), "", 400, "request.field"});
  }
  for (const std::string field : {"is_admin", "state", "voucher", "__proto__"}) {
    Json a = Application();
    a[field] = "x";
    add({"apply: unknown field " + field, "POST", apply, a.dump(), "", 400,
         "request.unknown-field"});
  }
  {
    Json d = BadInputDraft(year);
    d["state"] = "issued";
    add({"draft: unknown field", "POST", certs, d.dump(), provider, 400, "request.unknown-field"});
    d = BadInputDraft(year);
    d["points"] = "91";
    add({"draft: points as a string", "POST", certs, d.dump(), provider, 400, "request.field"});
    d = BadInputDraft(year);
    d["points"] = 91.5;
    add({"draft: fractional points", "POST", certs, d.dump(), provider, 400, "request.field"});
    d = BadInputDraft(year);
    d["identity_share"] = "0.4";
    add({"draft: share as a string", "POST", certs, d.dump(), provider, 400, "request.field"});
    d = BadInputDraft(year);
    d.erase("learner_id");
    add({"draft: no learner_id", "POST", certs, d.dump(), provider, 400, "request.field"});
    add({"draft: empty object", "POST", certs, "{}", provider, 400, "request.field"});
    d = BadInputDraft(year);
    d["issuer"] = "demo-university";
    add({"draft: another issuer's name", "POST", certs, d.dump(), provider, 403, "auth.scope"});
  }
  add({"verify: unknown field", "POST", verify, "{\"code\":\"x\",\"admin\":1}", "", 400,
       "request.unknown-field"});
  add({"verify: credential a string", "POST", verify, "{\"credential\":\"x\"}", "", 400,
       "request.field"});
  add({"verify: nothing to verify", "POST", verify, "{}", "", 400, "request.field"});
  add({"credit-check: policy a string", "POST", "/api/v1/credit-check",
       "{\"code\":\"x\",\"policy\":\"x\"}", "", 422, "code.invalid"});
  add({"tokens: no role", "POST", "/api/v1/tokens", "{}", op, 400, "request.field"});
  add({"tokens: applicant role", "POST", "/api/v1/tokens", "{\"role\":\"applicant\"}", op, 400,
       "request.field"});
  add({"tokens: unknown field", "POST", "/api/v1/tokens", "{\"role\":\"operator\",\"x\":1}", op,
       400, "request.unknown-field"});
  add({"tokens: role a number", "POST", "/api/v1/tokens", "{\"role\":1}", op, 400,
       "request.field"});
  add({"issuers: unknown field", "POST", "/api/v1/issuers",
       "{\"slug\":\"n\",\"kind\":\"provider\",\"name_ru\":\"x\",\"name_en\":\"x\",\"inn\":"
       "\"7700000009\",\"admin\":true}",
       op, 400, "request.unknown-field"});
  add({"issuers: inn a number", "POST", "/api/v1/issuers",
       "{\"slug\":\"n\",\"kind\":\"provider\",\"name_ru\":\"x\",\"name_en\":\"x\",\"inn\":"
       "7700000009}",
       op, 400, "request.field"});
  add({"programmes: missing fields", "POST", "/api/v1/programmes", "{\"issuer\":\"demo\"}", op, 400,
       "request.field"});
  add({"programmes: outcomes not strings", "POST", "/api/v1/programmes",
       "{\"issuer\":\"demo\",\"code\":\"X-1\",\"title_ru\":\"x\",\"title_en\":\"x\",\"hours\":1,"
       "\"pass_mark\":1,\"form\":\"distance\",\"document_type\":\"certificate\",\"outcomes\":[1]}",
       op, 400, "request.field"});
  add({"programmes: negative hours", "POST", "/api/v1/programmes",
       "{\"issuer\":\"demo\",\"code\":\"X-1\",\"title_ru\":\"x\",\"title_en\":\"x\",\"hours\":-1,"
       "\"pass_mark\":1,\"form\":\"distance\",\"document_type\":\"certificate\"}",
       op, 422, "programme.invalid"});
  add({"programmes: huge hours", "POST", "/api/v1/programmes",
       "{\"issuer\":\"demo\",\"code\":\"X-1\",\"title_ru\":\"x\",\"title_en\":\"x\",\"hours\":"
       "99999999999999999999,\"pass_mark\":1,\"form\":\"distance\",\"document_type\":"
       "\"certificate\"}",
       op, 400, "request.field"});
  add({"annul: no reason", "POST", "/api/v1/vouchers/X/annul", "{}", op, 400, "request.field"});
  add({"revoke: reason a number", "POST", certs + "/X/revoke", "{\"reason\":5}", provider, 400,
       "request.field"});
  add({"enrol: unknown field", "POST", "/api/v1/vouchers/X/enrol",
       "{\"group\":\"g\",\"start_date\":\"2026-09-01\",\"x\":1}", provider, 400,
       "request.unknown-field"});
  add({"sign-in: no code", "POST", "/api/v1/applications/" + app_id + "/token", "{}", "", 400,
       "request.field"});
  add({"sign-in: code a number", "POST", "/api/v1/applications/" + app_id + "/token",
       "{\"code\":123456}", "", 400, "request.field"});
  add({"name: unknown field", "POST", certs + "/X/name", "{\"name\":\"x\",\"y\":1}", applicant, 400,
       "request.unknown-field"});
  add({"year: body year differs", "PUT", "/api/v1/years/" + year, "{\"year\":1999}", op, 400,
       "request.field"});

  // ---- numbers, dates, SNILS --------------------------------------------------
  for (const auto& [what, change] : std::vector<std::pair<std::string, Json>>{
           {"negative points", {{"points", -1}}},
           {"huge points", {{"points", 1000000000}}},
           {"points beyond int64", {{"points", 99999999999999999999.0}}},
           {"share above 1", {{"identity_share", 1.5}}},
           {"negative share", {{"identity_share", -0.1}}},
           {"impossible start date", {{"period_start", year + "-02-30"}}},
           {"start date not a date", {{"period_start", "yesterday"}}},
           {"end before start", {{"period_end", year + "-01-01"}}},
           {"month 13", {{"period_end", year + "-13-01"}}},
           {"unknown programme", {{"programme", "NO-SUCH"}}}}) {
    Json d = BadInputDraft(year);
    d.update(change);
    add({"draft: " + what, "POST", certs, d.dump(), provider, 0, ""});
  }
  for (const auto& [what, snils] :
       std::vector<std::pair<std::string, std::string>>{{"bad checksum", "234-567-891 01"},
                                                        {"bad checksum, compact", "23456789101"},
                                                        {"too short", "123-456"},
                                                        {"letters", "abc-def-ghi jk"},
                                                        {"no checksum", "234-567-891"},
                                                        {"empty", ""}}) {
    Json a = Application();
    a["snils"] = snils;
    add({"apply: SNILS " + what, "POST", apply, a.dump(), "", 422,
         snils.empty() ? "application.invalid" : "application.ineligible"});
  }
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"birth_date", "1990-13-01"},
                                                        {"birth_date", "1990-02-30"},
                                                        {"birth_date", "20.05.1988"},
                                                        {"birth_date", "2999-01-01"},
                                                        {"sex", "unknown"},
                                                        {"registration_type", "none"},
                                                        {"email", "not-an-email"},
                                                        {"region_code", "999"},
                                                        {"citizenship", "russia"},
                                                        {"education_level", "none"}}) {
    Json a = BadSnilsApplication();
    a[field] = value;
    add({"apply: " + field + " = " + value, "POST", apply, a.dump(), "", 0, ""});
  }
  add({"key revoke: bad effective time", "POST", "/api/v1/issuers/demo/keys/999/revoke",
       "{\"effective\":\"yesterday\"}", op, 0, ""});
  add({"tokens: bad expiry", "POST", "/api/v1/tokens",
       "{\"role\":\"operator\",\"expires\":\"tomorrow\"}", op, 0, ""});
  add({"enrol: bad start date", "POST", "/api/v1/vouchers/X/enrol",
       "{\"group\":\"g\",\"start_date\":\"2026-99-01\"}", provider, 0, ""});

  // ---- query parameters ---------------------------------------------------------
  for (const std::string q :
       {"limit=0", "limit=-5", "limit=99999999999", "limit=abc", "after=abc", "limit=1001"}) {
    add({"outbox ?" + q, "GET", "/api/v1/outbox?" + q, "", op, 400, "request.parameter"});
  }
  for (const std::string q : {"old=-1&new=2", "old=abc&new=2", "old=5&new=2",
                              "old=1&new=99999999999", "old=1", "old=1&new=1e3"}) {
    add({"consistency ?" + q, "GET", "/api/v1/ledger/consistency?" + q, "", "", 0, ""});
  }
  for (const std::string q : {"index=-1", "index=999999999", "index=abc", "", "index=0&size=0",
                              "credential=%27%20OR%201%3D1%20--"}) {
    add({"inclusion ?" + q, "GET", "/api/v1/ledger/inclusion?" + q, "", "", 0, ""});
  }
  for (const std::string y : {"1999", "99999", "abc", "2026.0", "-2026", "%00"}) {
    add({"year " + y, "GET", "/api/v1/years/" + y, "", "", 400, "request.parameter"});
    add({"counter of year " + y, "GET", "/api/v1/years/" + y + "/counter", "", "", 400,
         "request.parameter"});
  }
  add({"year not configured", "GET", "/api/v1/years/2150", "", "", 404, "year.unknown"});

  // ---- registration codes ----------------------------------------------------------
  // A mistyped code (wrong check symbol, wrong shape) is 422 code.invalid; a
  // well-formed one nobody was given is 404.
  for (const auto& [code, want] : std::vector<std::pair<std::string, std::pair<int, std::string>>>{
           {"ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z", {422, "code.invalid"}},
           {"abc", {422, "code.invalid"}},
           {"0000-0000-0000-0000-0", {404, "certificate.unknown"}},
           {std::string(300, 'A'), {422, "code.invalid"}},
           {"%00", {422, "code.invalid"}},
           {"%ff%fe", {422, "code.invalid"}}}) {
    add({"credential.json of " + code.substr(0, 30), "GET", "/v/" + code + "/credential.json", "",
         "", want.first, want.second});
    add({"certificate of " + code.substr(0, 30), "GET", certs + "/" + code, "", provider,
         want.first, want.second});
  }
  add({"verify: mistyped code", "POST", verify, "{\"code\":\"ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z\"}", "", 422,
       "code.invalid"});
  add({"credit-check: mistyped code", "POST", "/api/v1/credit-check",
       "{\"code\":\"ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z\"}", "", 422, "code.invalid"});
  add({"verify: unknown code", "POST", verify, "{\"code\":\"0000-0000-0000-0000-0\"}", "", 404,
       "certificate.unknown"});

  // ---- SQL metacharacters -------------------------------------------------------------
  const Json application = Application();
  for (const std::string& sql : kSql) {
    const std::string p = Enc(sql);
    add({"sql in application path", "GET", "/api/v1/applications/" + p, "", op, 404,
         "application.unknown"});
    add({"sql in voucher path", "GET", "/api/v1/vouchers/" + p, "", op, 404, "voucher.unknown"});
    add({"sql in certificate path", "GET", certs + "/" + p, "", op, 422, "code.invalid"});
    add({"sql in issuer path", "GET", "/api/v1/issuers/" + p, "", op, 404, "issuer.unknown"});
    add({"sql in public issuer DID path", "GET", "/issuers/" + p + "/did.json", "", "", 404,
         "issuer.unknown"});
    add({"sql in status list slug", "GET", "/status/" + p + "/1", "", "", 0, ""});
    add({"sql in year", "GET", "/api/v1/years/" + p, "", "", 400, "request.parameter"});
    add({"sql in token revoke", "POST", "/api/v1/tokens/" + p + "/revoke", "", op, 404,
         "token.unknown"});
    add({"sql in outbox id", "POST", "/api/v1/outbox/" + p + "/sent", "", op, 400,
         "request.parameter"});
    add({"sql in key number", "POST", "/api/v1/issuers/demo/keys/" + p + "/revoke", "{}", op, 400,
         "request.parameter"});
    add({"sql in annul path", "POST", "/api/v1/vouchers/" + p + "/annul",
         "{\"reason\":\"documents-missing\"}", op, 404, "voucher.unknown"});
    add({"sql in revoke path", "POST", certs + "/" + p + "/revoke",
         "{\"reason\":\"error-in-data\"}", provider, 422, "code.invalid"});
    add({"sql in credential path", "GET", "/v/" + p + "/credential.json", "", "", 422,
         "code.invalid"});
    add({"sql in withdraw path", "POST", "/api/v1/applications/" + p + "/withdraw", "", op, 404,
         "application.unknown"});
    add({"sql in verify code", "POST", verify, Json{{"code", sql}}.dump(), "", 422,
         "code.invalid"});
    add({"sql in revoke reason", "POST", certs + "/ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z/revoke",
         Json{{"reason", sql}, {"reason_text", sql}}.dump(), provider, 0, ""});
    add({"sql in token scope", "POST", "/api/v1/tokens",
         Json{{"role", "provider"}, {"scope", sql.substr(0, 40)}}.dump(), op, 0, ""});
    add({"sql in issuer slug", "POST", "/api/v1/issuers",
         Json{{"slug", sql.substr(0, 40)},
              {"kind", "provider"},
              {"name_ru", sql},
              {"name_en", sql},
              {"inn", "7700000009"}}
             .dump(),
         op, 0, ""});
    for (const auto& [field, ignored] : application.items()) {
      Json a = BadSnilsApplication();
      a[field] = sql;
      add({"sql in application field " + field, "POST", apply, a.dump(), "", 0, ""});
    }
    Json d = BadInputDraft(year);
    d["learner_id"] = "234-567-891 01";  // never valid, so never stored
    d["learner_name"] = sql;
    d["identity_method"] = sql;
    add({"sql in draft fields", "POST", certs, d.dump(), provider, 0, ""});
  }

  // ---- tile paths -------------------------------------------------------------------------
  for (const std::string t :
       {"../../registry.db", "%2e%2e/%2e%2e/registry.db", "..%2f..%2fregistry.db",
        "%2e%2e%2f%2e%2e%2fregistry.db", "0/../../../registry.db", "0/x/../../../master.key",
        "/etc/passwd", "%2fetc%2fpasswd", "0/000%00", "%00", "0/%ff%fe",
        "entries/../../registry.db", "....//....//registry.db", "0/000.p/0", "0/999", "99/000",
        "0/000.p/99999"}) {
    add({"tile " + t, "GET", "/ledger/tile/" + t, "", "", 404, ""});
  }

  // ---- invalid UTF-8 in paths -------------------------------------------------------------
  add({"utf-8 in application path", "GET", "/api/v1/applications/%ff%fe", "", op, 404,
       "application.unknown"});
  add({"utf-8 in issuer path", "GET", "/api/v1/issuers/%c0%af", "", op, 404, "issuer.unknown"});
  add({"utf-8 in problem path", "GET", "/problems/%ed%a0%80", "", "", 404, ""});

  // ---- Idempotency-Key -------------------------------------------------------------------
  for (const std::string& key :
       {std::string(256, 'k'), std::string("a b"), std::string("ключ"), std::string("a\x7f")}) {
    add({"idempotency key " + key.substr(0, 10),
         "POST",
         apply,
         "{}",
         "",
         400,
         "request.idempotency-key",
         "application/json",
         {{"Idempotency-Key", key}}});
    add({"idempotency key on draft " + key.substr(0, 10),
         "POST",
         certs,
         BadInputDraft(year).dump(),
         provider,
         400,
         "request.idempotency-key",
         "application/json",
         {{"Idempotency-Key", key}}});
  }

  // ---- tokens ------------------------------------------------------------------------------
  for (const std::string& auth : std::vector<std::string>{
           "Basic b3BlcmF0b3I6eA==", "Bearer", "Bearer ", "bearer " + op, "Bearer " + op + "x",
           "Bearer ' OR 1=1 --", "Token " + op, "Bearer  " + op, "Bearer clt_unknown"}) {
    add({"authorization " + auth.substr(0, 12),
         "GET",
         "/api/v1/outbox",
         "",
         "",
         401,
         "token.invalid",
         "",
         {{"Authorization", auth}}});
  }
  add({"authorization on a public POST",
       "POST",
       verify,
       "{\"code\":\"x\"}",
       "",
       401,
       "token.invalid",
       "application/json",
       {{"Authorization", "Bearer nope"}}});
  add({"no token", "GET", "/api/v1/outbox", "", "", 401, "auth.required"});
  add({"applicant on an operator route", "POST", "/api/v1/deadlines/run", "", applicant, 403,
       "auth.role"});
  add({"provider on another issuer", "GET", "/api/v1/issuers/demo-university", "", provider, 403,
       "auth.scope"});

  // ---- unknown routes and methods -----------------------------------------------------------
  add({"unknown route", "GET", "/api/v1/nothing", "", "", 404, "route.unknown"});
  add({"DELETE", "DELETE", "/api/v1/applications/" + app_id, "", op, 0, ""});
  add({"PATCH", "PATCH", "/api/v1/years/" + year, "{}", op, 0, ""});

  REQUIRE(cases.size() >= 100);
  const std::string before = s.Dump();
  REQUIRE(before.find("CREATE TABLE") != std::string::npos);
  int checked = 0;
  std::map<std::string, int> by_slug;
  for (const Bad& b : cases) {
    HttpResult r;
    if (b.method == "GET" && b.content_type.empty() == false && b.body.empty()) {
      r = s.Get(b.path, b.token, b.headers);
    } else {
      r = s.Send(b.method, b.path, b.body, b.token, b.content_type, b.headers);
    }
    std::string type;
    const Json j = r.json();
    if (j.is_object() && j.contains("type") && j["type"].is_string()) type = j["type"];
    const std::string slug = type.substr(type.rfind('/') + 1);
    INFO(b.what << ": " << b.method << " " << b.path.substr(0, 120) << " -> " << r.status << " "
                << r.content_type << " slug=" << slug << " " << r.body.substr(0, 400));
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(r.content_type == "application/problem+json");
    CHECK(type.rfind(s.base() + "/problems/", 0) == 0);
    if (b.status != 0) CHECK(r.status == b.status);
    if (!b.slug.empty()) CHECK(slug == b.slug);
    ++by_slug[slug];
    ++checked;
  }
  CHECK(checked == static_cast<int>(cases.size()));
  // The database is unchanged.
  const std::string after = s.Dump();
  CHECK(before.size() == after.size());
  CHECK(before == after);
  // The server still works.
  CHECK(s.Get("/healthz").status == 200);
  std::string summary;
  for (const auto& [slug, n] : by_slug) summary += slug + "=" + std::to_string(n) + " ";
  WARN(cases.size() << " malformed requests: " << summary);
}

TEST_CASE("server: public POSTs are rate limited with 429 and Retry-After", "[server][bad-input]") {
  RegistryServer s(
      "{\"deadline_interval_s\": 0, \"rate_limit_per_minute\": 60, \"rate_limit_burst\": 5}");
  HttpResult r;
  int n = 0;
  for (; n < 20; ++n) {
    r = s.Post("/api/v1/verify", {{"code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z"}});
    if (r.status == 429) break;
    CHECK(r.status == 422);  // code.invalid
  }
  INFO(r.body);
  REQUIRE(r.status == 429);
  CHECK(n >= 4);
  CHECK(n <= 6);
  CHECK(r.content_type == "application/problem+json");
  CHECK(r.json()["type"].get<std::string>().ends_with("/problems/rate.limited"));
  auto retry = r.headers.find("Retry-After");
  REQUIRE(retry != r.headers.end());
  CHECK(std::stoi(retry->second) > 0);
  // GETs are not limited.
  CHECK(s.Get("/api/v1/ledger/key").status == 200);
}

}  // namespace
}  // namespace certledger
