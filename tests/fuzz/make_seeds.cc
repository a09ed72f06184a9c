// fuzz_make_seeds SHARED_DIR OUT_DIR: writes the seed corpus of every fuzz
// target into OUT_DIR/<target>/, from the public vectors in SHARED_DIR
// (../shared/vectors) and from the deterministic registry of
// tests/fuzz/fuzz_registry.h (signed credentials and receipts that verify
// against the verifier target's trust source). scripts/fuzz.sh runs it; the
// PDF seeds are made there with the qpdf tool.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/random.h"
#include "crypto/status.h"
#include "tests/fuzz/fuzz_registry.h"
#include "tests/fuzz/http_body_routes.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

using namespace certledger;
namespace fs = std::filesystem;

namespace {

fs::path out_dir;
int written = 0;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Seed(const std::string& target, const std::string& bytes) {
  fs::path dir = out_dir / target;
  fs::create_directories(dir);
  // Named by content, as libFuzzer names corpus files: reruns are idempotent.
  std::string name = crypto::HexEncode(crypto::AsStringView(crypto::Sha256(bytes))).substr(0, 16);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  ++written;
}

Json ReadJson(const fs::path& p) { return fuzz::Must(crypto::ParseJson(Read(p))); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_seeds SHARED_DIR OUT_DIR\n");
    return 64;
  }
  if (!crypto::Init()) return 1;
  fs::path vectors = fs::path(argv[1]) / "vectors";
  out_dir = argv[2];
  if (!fs::is_directory(vectors)) {
    std::fprintf(stderr, "fuzz_make_seeds: no %s\n", vectors.c_str());
    return 64;
  }

  // --- JSON documents: RFC 8785 inputs, W3C and Digital Bazaar credentials.
  std::vector<fs::path> json_files;
  for (const char* dir :
       {"jcs/input", "vc", "vc/didweb", "vc/didweb/site/status", "eddsa-jcs-2022"}) {
    for (const auto& e : fs::directory_iterator(vectors / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".json") json_files.push_back(e.path());
    }
  }
  for (const fs::path& p : json_files) {
    std::string text = Read(p);
    if (text.size() > 64 * 1024) continue;
    Seed("json", text);
    Seed("data_integrity", text);
    Seed("status_list", text);
    if (p.parent_path().filename() == "vc" || p.parent_path().filename() == "didweb") {
      Seed("verifier", text);
    }
  }

  // --- the deterministic registry's credentials, receipts and lists.
  fuzz::FuzzRegistry registry;
  std::vector<fuzz::SignedSeed> signed_seeds = fuzz::MakeSignedSeeds(&registry);
  // The verifier target rebuilds the same registry: its seeds must verify
  // there (3 and 12 valid, 7 revoked), or it would fuzz only the shallow paths.
  {
    fuzz::FuzzRegistry again;
    (void)fuzz::MakeSignedSeeds(&again);
    fuzz::FuzzTrustSource trust(&again);
    for (const fuzz::SignedSeed& s : signed_seeds) {
      auto report = verifier::VerifyCredential(s.credential, s.receipt, trust, fuzz::kNowMs);
      bool revoked = s.credential["id"].get<std::string>().ends_with("-7");
      auto want = revoked ? verifier::Verdict::kRevoked : verifier::Verdict::kValid;
      if (!report.ok() || report->verdict != want) {
        std::fprintf(stderr, "fuzz_make_seeds: seed %s does not verify as expected:\n%s\n",
                     s.credential["id"].get<std::string>().c_str(),
                     report.ok() ? verifier::ReportToText(*report, verifier::Lang::kEn).c_str()
                                 : report.status().ToString().c_str());
        return 1;
      }
    }
  }
  for (const fuzz::SignedSeed& s : signed_seeds) {
    std::string cred = s.credential.dump();
    std::string receipt = s.receipt.dump();
    Seed("verifier", cred + std::string(1, '\0') + receipt);
    Seed("verifier", cred);
    Seed("json", cred);
    Seed("data_integrity", cred);
    Seed("receipt", receipt);
    Seed("status_list", s.credential["credentialStatus"].dump());
  }
  Seed("checkpoint", registry.checkpoint());
  Seed("checkpoint", registry.VerifierKey());
  Seed("status_list", registry.status_list().dump());
  Seed("status_list",
       registry.status_list()["credentialSubject"]["encodedList"].get<std::string>());
  Seed("data_integrity", registry.status_list().dump());
  Seed("json", registry.did_document().dump());

  // --- C2SP checkpoints, signed notes, tile paths and entry bundles.
  Json checkpoints = ReadJson(vectors / "tlog/checkpoint_parse.json");
  for (const Json& c : checkpoints["cases"]) {
    Seed("checkpoint", c["text"].get<std::string>());
  }
  Json notes = ReadJson(vectors / "tlog/signed_note.json");
  for (const Json& c : notes["cases"]) Seed("checkpoint", c["signed_note"].get<std::string>());
  Seed("checkpoint", notes["c2sp_spec_example"]["signed_note"].get<std::string>());
  Seed("checkpoint", notes["verifier_key"].get<std::string>());
  Seed("checkpoint", Read(vectors / "tlog/tiles-example/checkpoint"));
  Json tiles = ReadJson(vectors / "tlog/tile_paths.json");
  for (const Json& t : tiles["tile_paths"]) Seed("tile_path", t["path"].get<std::string>());
  for (const Json& t : tiles["invalid_paths"]) Seed("tile_path", t.get<std::string>());
  for (const auto& e :
       fs::recursive_directory_iterator(vectors / "tlog/tiles-example/tile/entries")) {
    if (e.is_regular_file()) Seed("tile_path", Read(e.path()));
  }

  // --- encodings: the W3C vector's signature and keys, and their decodings.
  std::string sig58 = Read(vectors / "eddsa-jcs-2022/sigBTC58JCS.txt");
  while (!sig58.empty() && (sig58.back() == '\n' || sig58.back() == '\r')) sig58.pop_back();
  Seed("encoding", sig58);
  Seed("encoding", sig58.substr(1));
  Json kp = ReadJson(vectors / "eddsa-jcs-2022/keyPair.json");
  Seed("encoding", kp["publicKeyMultibase"].get<std::string>());
  std::string raw =
      fuzz::Must(crypto::MultibaseDecode(kp["publicKeyMultibase"].get<std::string>()));
  Seed("encoding", crypto::HexEncode(raw));
  Seed("encoding", crypto::Base64Encode(raw));
  Seed("encoding", crypto::MultibaseEncode(crypto::Multibase::kBase64Url, raw));
  Seed("encoding", std::string("1112") + sig58.substr(1, 10));

  // --- HTTP bodies (http_body target): a valid body per route, the samples,
  // and the vector credentials wrapped for /verify and /credit-check.
  auto body_seed = [](const std::string& path, const std::string& body) {
    for (size_t i = 0; i < fuzz::kBodyRouteCount; ++i) {
      if (path == fuzz::kBodyRoutes[i].path) {
        Seed("http_body", std::string(1, static_cast<char>(fuzz::BodyRouteByte(i))) + body);
        Seed("http_body", std::string(1, static_cast<char>(fuzz::BodyRouteByte(i, true))) + body);
        return;
      }
    }
    std::fprintf(stderr, "fuzz_make_seeds: no fuzzed route %s\n", path.c_str());
    std::exit(1);
  };
  const Json draft = {{"programme", "DA-101"},          {"learner_name", "Сидоров Иван Петрович"},
                      {"learner_id", "123-456-789 64"}, {"period_start", "2026-09-01"},
                      {"period_end", "2026-11-20"},     {"points", 91},
                      {"identity_share", 0.4},          {"identity_method", "online-proctoring"}};
  const Json reason = {{"reason", "error-in-data"}, {"reason_text", "неверный период обучения"}};
  const fs::path samples = fs::path(CERTLEDGER_SOURCE_DIR) / "samples";
  const std::string policy = Read(samples / "policy-university.json");
  body_seed("/api/v1/verify", Json{{"code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z"}}.dump());
  body_seed("/api/v1/credit-check",
            "{\"code\": \"ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z\", \"policy\": " + policy + "}");
  for (const fuzz::SignedSeed& s : signed_seeds) {
    body_seed("/api/v1/verify", Json{{"credential", s.credential}, {"receipt", s.receipt}}.dump());
    body_seed("/api/v1/credit-check",
              Json{{"credential", s.credential},
                   {"policy", crypto::ParseJson(policy).value_or(Json::object())}}
                  .dump());
  }
  for (const fs::path& p : json_files) {
    if (p.parent_path().filename() != "vc") continue;
    auto j = crypto::ParseJson(Read(p));
    if (j.ok() && j->is_object()) body_seed("/api/v1/verify", Json{{"credential", *j}}.dump());
  }
  body_seed("/api/v1/applications", Json{{"full_name", "Сидоров Иван Петрович"},
                                         {"birth_date", "1988-05-20"},
                                         {"sex", "male"},
                                         {"citizenship", "RU"},
                                         {"education_level", "secondary-vocational"},
                                         {"region_code", "66"},
                                         {"registration_type", "temporary"},
                                         {"email", "ivan@example.ru"},
                                         {"phone", "+79120000000"},
                                         {"snils", "112-233-445 95"},
                                         {"issuer", "demo"},
                                         {"programme", "DA-101"}}
                                        .dump());
  body_seed("/api/v1/applications/{id}/login-code", "");
  body_seed("/api/v1/applications/{id}/token", "{\"code\": \"123456\"}");
  body_seed("/api/v1/vouchers/{code}/enrol",
            "{\"group\": \"DA-101-09\", \"start_date\": \"2026-09-01\"}");
  body_seed("/api/v1/certificates", draft.dump());
  body_seed("/api/v1/certificates/{code}/name", "{\"name\": \"Сидоров Иван Петрович\"}");
  body_seed("/api/v1/certificates/{code}/confirm-name", "");
  body_seed("/api/v1/certificates/{code}/issue", "{}");
  body_seed("/api/v1/certificates/{code}/revoke", reason.dump());
  body_seed("/api/v1/certificates/{code}/supersede", draft.dump());
  body_seed("/api/v1/certificates/batch", Json{{"rows", {draft, draft}}}.dump());
  body_seed("/api/v1/vouchers/{code}/annul", Json{{"reason", "documents-missing"}}.dump());
  body_seed("/api/v1/vouchers/{code}/valid-reason", "{\"text\": \"больничный лист\"}");
  {
    Json year = fuzz::Must(crypto::ParseJson(Read(samples / "year-2026.json")));
    year.erase("year");
    body_seed("/api/v1/years/{year}", year.dump());
  }
  body_seed("/api/v1/issuers", Json{{"slug", "it-school"},
                                    {"kind", "provider"},
                                    {"name_ru", "Айти школа"},
                                    {"name_en", "IT school"},
                                    {"inn", "7707083893"}}
                                   .dump());
  body_seed("/api/v1/issuers/{slug}/keys/{n}/revoke", reason.dump());
  body_seed("/api/v1/programmes", Json{{"issuer", "demo"},
                                       {"code", "QA-072"},
                                       {"title_ru", "Тестирование"},
                                       {"title_en", "Testing"},
                                       {"hours", 72},
                                       {"pass_mark", 60},
                                       {"max_points", 100},
                                       {"form", "distance"},
                                       {"document_type", "qualification-upgrade"},
                                       {"outcomes", {"writes test plans"}},
                                       {"competencies", {"testing"}}}
                                      .dump());
  body_seed("/api/v1/tokens", "{\"role\": \"provider\", \"scope\": \"demo\"}");
  body_seed("/api/v1/deadlines/run", "");
  body_seed("/api/v1/outbox/{id}/sent", "{}");
  for (const auto& e : fs::directory_iterator(samples)) {
    if (e.path().extension() != ".json" && e.path().extension() != ".csv") continue;
    const std::string text = Read(e.path());
    for (const char* path : {"/api/v1/years/{year}", "/api/v1/certificates/batch",
                             "/api/v1/programmes", "/api/v1/credit-check"}) {
      body_seed(path, text);
    }
  }

  std::printf("fuzz_make_seeds: %d seeds in %s\n", written, out_dir.c_str());
  return 0;
}
