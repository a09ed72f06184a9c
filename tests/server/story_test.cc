// The whole story over HTTP against the real binary (issue 6): demo init, an
// applicant applies and is queued, an annulment promotes them, the provider
// enrols them and issues a draft, the learner corrects the name, the provider
// confirms, the employer's page shows valid, the provider revokes, the page
// shows revoked with the reason. Then the verifier endpoint, the ledger
// routes, metrics, OpenAPI and a clean shutdown.
#include "crypto/checkpoint.h"
#include "crypto/receipt.h"
#include "crypto/signed_note.h"
#include "tests/server/server_fixture.h"

namespace certledger {
namespace {

using testing::HttpResult;
using testing::RegistryServer;
using testing::Year;

Json Applicant(const std::string& name, const std::string& snils) {
  return {{"full_name", name},
          {"birth_date", "1988-05-20"},
          {"sex", "male"},
          {"citizenship", "RU"},
          {"education_level", "secondary-vocational"},
          {"region_code", "66"},
          {"registration_type", "temporary"},
          {"email", "applicant@example.ru"},
          {"phone", "+79120000000"},
          {"snils", snils},
          {"issuer", "demo"},
          {"programme", "DA-101"}};
}

TEST_CASE("server: the whole story over HTTP, from application to revocation", "[server]") {
  RegistryServer s;
  const std::string op = s.OperatorToken(), provider = s.ProviderToken();
  const std::string year = Year();

  // The operator shrinks the quota to the one voucher already held (demo).
  auto cfg = s.Get("/api/v1/years/" + year);
  REQUIRE(cfg.status == 200);
  Json config = cfg.json();
  config["quota"] = 1;
  auto put = s.Send("PUT", "/api/v1/years/" + year, config.dump(), op);
  INFO(put.body);
  REQUIRE(put.status == 200);
  auto counter = s.Get("/api/v1/years/" + year + "/counter").json();
  CHECK(counter["quota"] == 1);
  CHECK(counter["spacesLeft"] == 0);

  // An applicant applies and is queued.
  auto applied =
      s.Post("/api/v1/applications", Applicant("Сидоров Иван Петрович", "123-456-789 64"), "",
             {{"Idempotency-Key", "apply-1"}});
  INFO(applied.body);
  REQUIRE(applied.status == 201);
  const std::string app_id = applied.json()["id"];
  CHECK(applied.json()["state"] == "queued");
  CHECK(applied.json()["queuePosition"] == 1);
  // A retry with the same key gets the same answer and creates nothing.
  auto replay = s.Post("/api/v1/applications", Applicant("Сидоров Иван Петрович", "123-456-789 64"),
                       "", {{"Idempotency-Key", "apply-1"}});
  CHECK(replay.status == 201);
  CHECK(replay.json()["id"] == app_id);
  auto conflict = s.Post("/api/v1/applications", Applicant("Другой Человек", "234-567-891 00"), "",
                         {{"Idempotency-Key", "apply-1"}});
  CHECK(conflict.status == 409);
  CHECK(conflict.json()["type"].get<std::string>().ends_with("/problems/idempotency.conflict"));
  // Ineligible: every failed rule with a code, nothing stored.
  Json minor = Applicant("Юный Заявитель", "345-678-912 26");
  minor["birth_date"] = year + "-01-01";
  minor["citizenship"] = "KZ";
  auto refused = s.Post("/api/v1/applications", minor);
  REQUIRE(refused.status == 422);
  CHECK(refused.content_type == "application/problem+json");
  std::set<std::string> codes;
  const Json refusal = refused.json();
  for (const auto& f : refusal["failures"]) codes.insert(f["code"].get<std::string>());
  CHECK(codes.count("age.under-18") == 1);
  CHECK(codes.count("citizenship.not-ru") == 1);

  // The applicant signs in with the one-time code from the outbox.
  auto bad_code = s.Post("/api/v1/applications/" + app_id + "/token", {{"code", "000000"}});
  CHECK(bad_code.status == 403);
  const std::string login = s.LoginCodeFor(app_id);
  REQUIRE(login.size() == 6);
  auto signed_in = s.Post("/api/v1/applications/" + app_id + "/token", {{"code", login}});
  INFO(signed_in.body);
  REQUIRE(signed_in.status == 201);
  const std::string learner = signed_in.json()["token"];
  auto mine = s.Get("/api/v1/applications/" + app_id, learner);
  REQUIRE(mine.status == 200);
  CHECK(mine.json()["state"] == "queued");
  CHECK(s.Get("/api/v1/applications/" + s.DemoApplication(), learner).status == 403);

  // The operator annuls the demo voucher: the slot goes to the head of the queue.
  auto demo_app = s.Get("/api/v1/applications/" + s.DemoApplication(), s.ApplicantToken()).json();
  const std::string demo_voucher = demo_app["voucher"];
  auto annul = s.Post("/api/v1/vouchers/" + demo_voucher + "/annul",
                      {{"reason", "documents-missing"}, {"reason_text", "no diploma copy"}}, op);
  INFO(annul.body);
  REQUIRE(annul.status == 200);
  CHECK(annul.json()["state"] == "annulled");
  mine = s.Get("/api/v1/applications/" + app_id, learner);
  REQUIRE(mine.json()["state"] == "voucher-issued");
  const std::string voucher = mine.json()["voucher"];
  CHECK(mine.json()["voucherDetails"]["credential"]["type"].dump().find(
            "TrainingVoucherCredential") != std::string::npos);

  // The provider enrols the holder.
  auto list = s.Get("/api/v1/vouchers", provider);
  REQUIRE(list.status == 200);
  CHECK(list.body.find(voucher) != std::string::npos);
  auto enrol = s.Post("/api/v1/vouchers/" + voucher + "/enrol",
                      {{"group", "DA-101-2026-09"}, {"start_date", year + "-09-01"}}, provider);
  INFO(enrol.body);
  REQUIRE(enrol.status == 200);
  CHECK(enrol.json()["state"] == "enrolled");

  // The voucher's QR code: a status page without the holder's name; its signed
  // credential (which names the holder) only for the holder and the provider.
  auto vpage = s.Get("/v/" + voucher);
  REQUIRE(vpage.status == 200);
  CHECK(vpage.content_type.rfind("text/html", 0) == 0);
  CHECK(vpage.body.find("Ваучер действителен: обучение начато") != std::string::npos);
  CHECK(vpage.body.find("01.09." + year) != std::string::npos);
  CHECK(vpage.body.find("Сидоров") == std::string::npos);
  CHECK(s.Get("/v/" + voucher + "?lang=en").body.find("Voucher valid") != std::string::npos);
  auto vpublic = s.Get("/v/" + voucher, "", {{"Accept", "application/ld+json"}});
  REQUIRE(vpublic.status == 200);
  CHECK(vpublic.json()["type"] == "TrainingVoucherStatus");
  CHECK(vpublic.json()["state"] == "enrolled");
  CHECK(vpublic.body.find("Сидоров") == std::string::npos);
  auto vmine = s.Get("/v/" + voucher, learner, {{"Accept", "application/ld+json"}});
  REQUIRE(vmine.status == 200);
  CHECK(vmine.json()["credentialSubject"]["holderName"] == "Сидоров Иван Петрович");
  CHECK(s.Get("/v/" + voucher, provider, {{"Accept", "application/ld+json"}})
            .json()["type"]
            .dump()
            .find("TrainingVoucherCredential") != std::string::npos);
  // The annulled demo voucher says so.
  auto annulled_page = s.Get("/v/" + demo_voucher);
  CHECK(annulled_page.body.find("Ваучер аннулирован") != std::string::npos);
  CHECK(annulled_page.body.find("no diploma copy") == std::string::npos);

  // A draft with a misspelt name; the learner corrects and confirms it.
  Json draft_body = {{"programme", "DA-101"},
                     {"learner_name", "Сидоров Иван Петрови"},
                     {"learner_id", "123-456-789 64"},
                     {"period_start", year + "-09-01"},
                     {"period_end", year + "-11-20"},
                     {"points", 91},
                     {"identity_share", 0.4},
                     {"identity_method", "online-proctoring"},
                     {"voucher", voucher}};
  auto draft = s.Post("/api/v1/certificates", draft_body, provider, {{"Idempotency-Key", "d-1"}});
  INFO(draft.body);
  REQUIRE(draft.status == 201);
  const std::string code = draft.json()["code"];
  CHECK(draft.json()["state"] == "draft");
  auto preview = s.Get("/api/v1/certificates/" + code + "/preview.pdf", learner);
  REQUIRE(preview.status == 200);
  CHECK(preview.body.rfind("%PDF-", 0) == 0);
  // The employer sees nothing of a draft.
  CHECK(s.Get("/v/" + code).status == 404);
  // Issuing before the learner confirmed is refused.
  auto early = s.Post("/api/v1/certificates/" + code + "/issue", Json::object(), provider);
  CHECK(early.status == 409);
  auto fixed = s.Post("/api/v1/certificates/" + code + "/name", {{"name", "Сидоров Иван Петрович"}},
                      learner);
  INFO(fixed.body);
  REQUIRE(fixed.status == 200);
  REQUIRE(
      s.Post("/api/v1/certificates/" + code + "/confirm-name", Json::object(), learner).status ==
      200);
  // Issue with an empty body (no JSON).
  auto issued = s.Send("POST", "/api/v1/certificates/" + code + "/issue", "", provider, "");
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  CHECK(issued.json()["state"] == "issued");
  auto v = s.Get("/api/v1/vouchers/" + voucher, learner);
  CHECK(v.json()["state"] == "completed");
  auto used = s.Get("/v/" + voucher);
  CHECK(used.body.find("Ваучер использован") != std::string::npos);
  CHECK(used.body.find(s.base() + "/v/" + code) != std::string::npos);

  // The employer scans the QR code.
  auto page = s.Get("/v/" + code);
  REQUIRE(page.status == 200);
  CHECK(page.content_type.rfind("text/html", 0) == 0);
  CHECK(page.body.find("Действителен") != std::string::npos);
  CHECK(page.body.find("Сидоров Иван Петрович") != std::string::npos);
  CHECK(page.body.find("123-456-789") == std::string::npos);  // no SNILS on the page
  auto csp = page.headers.find("Content-Security-Policy");
  REQUIRE(csp != page.headers.end());
  CHECK(csp->second.find("script-src") == std::string::npos);
  CHECK(csp->second.find("default-src 'none'") != std::string::npos);
  auto en = s.Get("/v/" + code + "?lang=en");
  CHECK(en.body.find("Valid") != std::string::npos);
  auto ld = s.Get("/v/" + code, "", {{"Accept", "application/ld+json"}});
  REQUIRE(ld.status == 200);
  CHECK(ld.json()["id"] == s.base() + "/v/" + code);
  CHECK(s.Get("/v/" + code + "/certificate.pdf").body.rfind("%PDF-", 0) == 0);

  // The verification endpoint and the receipt (after the integrator ran).
  HttpResult receipt;
  for (int i = 0; i < 50; ++i) {
    receipt = s.Get("/v/" + code + "/receipt");
    if (receipt.status == 200) break;
    usleep(100 * 1000);
  }
  REQUIRE(receipt.status == 200);
  auto verified =
      s.Post("/api/v1/verify", {{"credential", ld.json()}, {"receipt", receipt.json()}});
  INFO(verified.body);
  REQUIRE(verified.status == 200);
  CHECK(verified.json()["verdict"] == "valid");
  auto cors = verified.headers.find("Access-Control-Allow-Origin");
  REQUIRE(cors != verified.headers.end());
  CHECK(cors->second == "*");
  auto credit = s.Post("/api/v1/credit-check", {{"code", code}});
  INFO(credit.body);
  REQUIRE(credit.status == 200);
  CHECK(credit.json().contains("policyMet"));

  // The provider revokes; the page says so with the reason.
  auto revoked =
      s.Post("/api/v1/certificates/" + code + "/revoke",
             {{"reason", "error-in-data"}, {"reason_text", "неверный период обучения"}}, provider);
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  page = s.Get("/v/" + code);
  CHECK(page.body.find("Отозван") != std::string::npos);
  CHECK(page.body.find("неверный период обучения") != std::string::npos);
  verified = s.Post("/api/v1/verify", {{"code", code}});
  CHECK(verified.json()["verdict"] == "revoked");
  CHECK(s.Get("/v/ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z").body.find("Документ не найден") != std::string::npos);

  // The ledger: a signed checkpoint, the key, a tile, consistency.
  auto cp = s.Get("/ledger/checkpoint");
  REQUIRE(cp.status == 200);
  auto key = s.Get("/api/v1/ledger/key").json()["verifierKey"].get<std::string>();
  auto verifier = crypto::ParseVerifierKey(key);
  REQUIRE(verifier.ok());
  auto note = crypto::OpenNote(cp.body, std::span<const crypto::NoteVerifier>(&*verifier, 1));
  REQUIRE(note.ok());
  auto opened = crypto::ParseCheckpoint(note->text);
  REQUIRE(opened.ok());
  CHECK(opened->size > 5);
  CHECK(s.Get("/ledger/tile/0/000.p/" + std::to_string(std::min<int64_t>(opened->size, 255)))
            .status == 200);
  CHECK(s.Get("/ledger/tile/../../registry.db").status == 404);
  auto cons = s.Get("/api/v1/ledger/consistency?old=1&new=" + std::to_string(opened->size));
  CHECK(cons.status == 200);

  // Operations: health, metrics, OpenAPI.
  CHECK(s.Get("/healthz").status == 200);
  auto metrics = s.Get("/metrics");
  CHECK(metrics.body.find("certledger_http_requests_total") != std::string::npos);
  CHECK(metrics.body.find("Сидоров") == std::string::npos);
  auto openapi = s.Get("/api/v1/openapi.json").json();
  CHECK(openapi["openapi"] == "3.0.3");
  CHECK(openapi["paths"].contains("/api/v1/applications"));

  s.Stop();
  CHECK(s.stopped_cleanly());
}

}  // namespace
}  // namespace certledger
