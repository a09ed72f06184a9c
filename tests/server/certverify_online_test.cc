// certverify against the real registry (issue 8): `certledger serve` on
// 127.0.0.1 issues, revokes, supersedes, suspends and revokes keys through its
// HTTP API, and the standalone `certverify` binary checks what it published,
// online: by URL, by registration code with --registry, as a JSON file with its
// receipt beside it, and as the PDF the registry serves. Exit codes are those of
// docs/verifier.md.
#include <filesystem>
#include <fstream>

#include "crypto/rfc3339.h"
#include "tests/server/server_fixture.h"

namespace certledger {
namespace {

using testing::HttpResult;
using testing::IssueCertificate;
using testing::RegistryServer;
using testing::RunCommand;
using testing::Year;

// docs/verifier.md "Exit codes".
constexpr int kValid = 0, kInvalid = 1, kRevoked = 2, kExpired = 3, kSuspended = 4;

struct Run {
  int exit = -1;
  std::string out;
  Json report;  // --json output
};

Run Certverify(const std::string& args) {
  Run r;
  r.out = RunCommand(std::string(CERTVERIFY_BINARY) + " " + args + " --json", &r.exit);
  // The JSON report is the last line that starts with '{' (progress goes to stderr).
  const size_t at = r.out.find("{\n");
  auto j = crypto::ParseJson(at == std::string::npos ? r.out : r.out.substr(at));
  if (j.ok()) r.report = *j;
  return r;
}

void Write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
  REQUIRE(f.good());
}

// The receipt, once the integrator has put the entry in a signed checkpoint.
HttpResult WaitForReceipt(RegistryServer& s, const std::string& code) {
  HttpResult r;
  for (int i = 0; i < 100; ++i) {
    r = s.Get("/v/" + code + "/receipt");
    if (r.status == 200) break;
    usleep(50 * 1000);
  }
  REQUIRE(r.status == 200);
  return r;
}

TEST_CASE("server: certverify checks the real registry's outputs online", "[server][verifier]") {
  RegistryServer s;
  const std::string op = s.OperatorToken(), provider = s.ProviderToken();
  testing::TempDir dir;

  const std::string valid = IssueCertificate(s, "Петрова Анна Сергеевна", "123-456-789 64");
  WaitForReceipt(s, valid);
  const std::string url = s.base() + "/v/" + valid;

  SECTION("by URL, by code, as JSON with its receipt, as the served PDF: valid") {
    Run by_url = Certverify("'" + url + "'");
    INFO(by_url.out);
    CHECK(by_url.exit == kValid);
    CHECK(by_url.report["verdict"] == "valid");
    Run by_code = Certverify(valid + " --registry " + s.base());
    INFO(by_code.out);
    CHECK(by_code.exit == kValid);

    auto cred = s.Get("/v/" + valid + "/credential.json");
    REQUIRE(cred.status == 200);
    Write(dir.path() / "cert.json", cred.body);
    Write(dir.path() / "cert.receipt.json", WaitForReceipt(s, valid).body);
    Run json = Certverify((dir.path() / "cert.json").string() + " --registry " + s.base());
    INFO(json.out);
    CHECK(json.exit == kValid);

    auto pdf = s.Get("/v/" + valid + "/certificate.pdf");
    REQUIRE(pdf.status == 200);
    Write(dir.path() / "cert.pdf", pdf.body);
    Run from_pdf = Certverify((dir.path() / "cert.pdf").string() + " --registry " + s.base());
    INFO(from_pdf.out);
    CHECK(from_pdf.exit == kValid);

    // The same JSON with the learner's name changed: tampered.
    Json tampered = cred.json();
    tampered["credentialSubject"]["name"] = "Петрова Анна Сергеевна-Иванова";
    Write(dir.path() / "tampered.json", tampered.dump());
    Write(dir.path() / "tampered.receipt.json", WaitForReceipt(s, valid).body);
    Run bad = Certverify((dir.path() / "tampered.json").string() + " --registry " + s.base());
    INFO(bad.out);
    CHECK(bad.exit == kInvalid);
  }

  SECTION("revoked and superseded certificates are not valid") {
    const std::string revoked = IssueCertificate(s, "Кузнецов Олег Игоревич", "234-567-891 00");
    auto r = s.Post("/api/v1/certificates/" + revoked + "/revoke",
                    {{"reason", "error-in-data"}, {"reason_text", "неверный период обучения"}},
                    provider);
    INFO(r.body);
    REQUIRE(r.status == 200);
    Run rv = Certverify("'" + s.base() + "/v/" + revoked + "'");
    INFO(rv.out);
    CHECK(rv.exit == kRevoked);

    const std::string reissue =
        IssueCertificate(s, "Петрова Анна Сергеевна", "123-456-789 64", 95, valid);
    Run old = Certverify("'" + url + "'");
    INFO(old.out);
    CHECK(old.exit == kRevoked);
    Run fresh = Certverify("'" + s.base() + "/v/" + reissue + "'");
    INFO(fresh.out);
    CHECK(fresh.exit == kValid);
  }

  SECTION("a suspended issuer's certificate says so; reactivated, it is valid again") {
    REQUIRE(s.Post("/api/v1/issuers/demo/suspend", Json::object(), op).status == 200);
    Run sus = Certverify("'" + url + "'");
    INFO(sus.out);
    CHECK(sus.exit == kSuspended);
    REQUIRE(s.Post("/api/v1/issuers/demo/reactivate", Json::object(), op).status == 200);
    Run back = Certverify("'" + url + "'");
    INFO(back.out);
    CHECK(back.exit == kValid);
  }

  SECTION("a key compromised after signing still verifies; before signing it does not") {
    auto rotated = s.Post("/api/v1/issuers/demo/keys", Json::object(), op);
    INFO(rotated.body);
    REQUIRE(rotated.status == 201);
    const int new_key = rotated.json()["n"];
    const std::string later = IssueCertificate(s, "Смирнов Пётр Ильич", "345-678-912 26");
    WaitForReceipt(s, later);
    // The first key, compromised from now: `valid` was signed before.
    auto rk = s.Post("/api/v1/issuers/demo/keys/" + std::to_string(new_key - 1) + "/revoke",
                     Json::object(), op);
    INFO(rk.body);
    REQUIRE(rk.status == 200);
    Run before = Certverify("'" + url + "'");
    INFO(before.out);
    CHECK(before.exit == kValid);
    // The new key, compromised from a minute before `later` was signed.
    auto cred = s.Get("/v/" + later + "/credential.json").json();
    auto signed_at = crypto::ParseRfc3339(cred["validFrom"].get<std::string>());
    REQUIRE(signed_at.ok());
    auto rk2 = s.Post("/api/v1/issuers/demo/keys/" + std::to_string(new_key) + "/revoke",
                      {{"effective", crypto::FormatRfc3339(*signed_at - 60'000)}}, op);
    INFO(rk2.body);
    REQUIRE(rk2.status == 200);
    Run after = Certverify("'" + s.base() + "/v/" + later + "'");
    INFO(after.out);
    CHECK(after.exit == kInvalid);
  }

  SECTION("the holder's voucher credential verifies, and expires at the end of its year") {
    auto mine = s.Get("/api/v1/applications/" + s.DemoApplication(), s.ApplicantToken());
    REQUIRE(mine.status == 200);
    const std::string voucher = mine.json()["voucher"];
    auto cred = s.Get("/v/" + voucher, s.ApplicantToken(), {{"Accept", "application/ld+json"}});
    REQUIRE(cred.status == 200);
    Write(dir.path() / "voucher.json", cred.body);
    const std::string file = (dir.path() / "voucher.json").string();
    Run now = Certverify(file + " --registry " + s.base());
    INFO(now.out);
    CHECK(now.exit == kValid);
    const int next_year = std::stoi(Year()) + 1;
    Run later = Certverify(file + " --registry " + s.base() + " --at " + std::to_string(next_year) +
                           "-01-01T00:00:00+03:00");
    INFO(later.out);
    CHECK(later.exit == kExpired);
  }
  s.Stop();
  CHECK(s.stopped_cleanly());
}

}  // namespace
}  // namespace certledger
