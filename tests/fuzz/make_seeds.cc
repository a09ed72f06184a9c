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

  std::printf("fuzz_make_seeds: %d seeds in %s\n", written, out_dir.c_str());
  return 0;
}
