// Runs the real `certledger` binary on a temporary data directory and checks
// what it writes with the crypto library alone, as an outside auditor would.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "crypto/checkpoint.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_tiles.h"
#include "tests/test_util.h"

namespace certledger {
namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

Run RunBinary(const char* binary, const std::string& args) {
  std::string cmd = std::string(binary) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return Run{WEXITSTATUS(status), out};
}

Run Certledger(const std::string& args) { return RunBinary(CERTLEDGER_BINARY, args); }
Run Certverify(const std::string& args) { return RunBinary(CERTVERIFY_BINARY, args); }

TEST_CASE("cli: init --demo, then a static ledger export that verifies with the published key",
          "[integration]") {
  testing::TempDir dir;
  std::string data = (dir.path() / "data").string();
  std::string out = (dir.path() / "export").string();
  auto init = Certledger("init --data " + data + " --base-url https://cert.example.ru --demo");
  INFO(init.output);
  REQUIRE(init.exit_code == 0);
  auto again = Certledger("init --data " + data + " --base-url https://cert.example.ru");
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("registry.exists") != std::string::npos);

  auto cp = Certledger("ledger checkpoint --data " + data);
  REQUIRE(cp.exit_code == 0);
  auto vkey_pos = cp.output.find("verifier key: ");
  REQUIRE(vkey_pos != std::string::npos);
  std::string vkey = cp.output.substr(vkey_pos + 14);
  vkey = vkey.substr(0, vkey.find('\n'));
  auto verifier = crypto::ParseVerifierKey(vkey);
  REQUIRE(verifier.ok());
  CHECK(verifier->name() == "cert.example.ru/ledger");

  auto ex = Certledger("ledger export --data " + data + " --out " + out);
  INFO(ex.output);
  REQUIRE(ex.exit_code == 0);
  std::vector<crypto::NoteVerifier> keys{*verifier};
  auto note = crypto::OpenNote(testing::ReadFile(std::filesystem::path(out) / "checkpoint"), keys);
  REQUIRE(note.ok());
  auto checkpoint = crypto::ParseCheckpoint(note->text);
  REQUIRE(checkpoint.ok());
  // 3 issuers registered, each with its first key; the demo year configured;
  // the demo applicant's voucher issued.
  CHECK(checkpoint->size == 8);
  // The tiles authenticate against the checkpoint, and the entries hash into them.
  crypto::TileHashReader reader(
      checkpoint->size, checkpoint->root, [&](const crypto::Tile& t) -> Result<std::string> {
        return testing::ReadFile(std::filesystem::path(out) / crypto::TilePath(t));
      });
  auto bundle = crypto::ParseEntryBundle(
      testing::ReadFile(std::filesystem::path(out) / "tile/entries/000.p/8"));
  REQUIRE(bundle.ok());
  REQUIRE(bundle->size() == 8);
  for (int64_t i = 0; i < 8; ++i) {
    auto proof = crypto::ProveRecord(checkpoint->size, i, reader);
    REQUIRE(proof.ok());
    CHECK(crypto::CheckRecord(*proof, checkpoint->size, checkpoint->root, i,
                              crypto::LeafHash((*bundle)[static_cast<size_t>(i)]))
              .ok());
    CHECK((*bundle)[static_cast<size_t>(i)].find("did:web:cert.example.ru") != std::string::npos);
  }
}

TEST_CASE("cli: bad input gets a clear message and a non-zero exit", "[integration]") {
  testing::TempDir dir;
  std::string data = (dir.path() / "data").string();
  auto bad_url = Certledger("init --data " + data + " --base-url cert.example.ru");
  CHECK(bad_url.exit_code == 1);
  CHECK(bad_url.output.find("config.base-url") != std::string::npos);
  REQUIRE(Certledger("init --data " + data).exit_code == 0);
  auto bad_inn =
      Certledger("admin issuer add --data " + data +
                 " --slug acme --kind provider --name-ru А --name-en A --inn 1234567895");
  CHECK(bad_inn.exit_code == 1);
  CHECK(bad_inn.output.find("inn.invalid") != std::string::npos);
  auto missing = Certledger("admin issuer suspend --data " + data + " --slug nobody");
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("issuer.unknown") != std::string::npos);
  CHECK(Certledger("no-such-command").exit_code != 0);
  auto no_registry =
      Certledger("ledger export --data " + (dir.path() / "none").string() + " --out /tmp/x");
  CHECK(no_registry.exit_code == 1);
}

}  // namespace
}  // namespace certledger

namespace certledger {
namespace {

TEST_CASE("cli: issue-batch writes credential, receipt and PDF that certverify accepts offline",
          "[integration]") {
  testing::TempDir dir;
  std::string data = (dir.path() / "data").string();
  std::string out = (dir.path() / "out").string();
  std::string bundle = (dir.path() / "bundle").string();
  REQUIRE(
      Certledger("init --data " + data + " --base-url https://cert.example.ru --demo").exit_code ==
      0);
  std::string csv = testing::SourcePath("samples/graduates.csv").string();
  // The tree size of the newest checkpoint (the line after the origin).
  auto tree_size = [&data]() -> long long {
    auto cp = Certledger("ledger checkpoint --data " + data);
    const std::string origin = "cert.example.ru/ledger\n";
    auto pos = cp.output.find(origin);
    return pos == std::string::npos ? -1 : std::atoll(cp.output.c_str() + pos + origin.size());
  };
  const long long setup_entries = tree_size();
  REQUIRE(setup_entries > 0);
  auto batch =
      Certledger("issue-batch --data " + data + " --issuer demo --csv " + csv + " --out " + out);
  INFO(batch.output);
  REQUIRE(batch.exit_code == 0);
  CHECK(batch.output.find("issued 5 certificate(s), rejected 0 row(s)") != std::string::npos);
  // Re-running issues nothing new.
  auto again =
      Certledger("issue-batch --data " + data + " --issuer demo --csv " + csv + " --out " + out);
  REQUIRE(again.exit_code == 0);
  CHECK(tree_size() == setup_entries + 5);  // one entry per certificate, none on the re-run
  REQUIRE(Certledger("trust-bundle --data " + data + " --out " + bundle).exit_code == 0);
  int pdfs = 0;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    if (e.path().extension() != ".pdf") continue;
    ++pdfs;
    auto v = Certverify(e.path().string() + " --trust " + bundle + " --lang en");
    INFO(v.output);
    CHECK(v.exit_code == 0);
    CHECK(v.output.find("VALID") != std::string::npos);
  }
  CHECK(pdfs == 5);
  // identity-codes.csv: each certificate's identity check code, for the
  // provider to hand to its learner (docs/formats.md "Learner identity"),
  // owner-only, once per certificate after the re-run. The code and the
  // learner's SNILS (as the CSV has it) match the certificate; a wrong code
  // or SNILS does not; the code is in none of the certificate's files.
  const std::filesystem::path codes_path = std::filesystem::path(out) / "identity-codes.csv";
  REQUIRE(std::filesystem::exists(codes_path));
  CHECK((std::filesystem::status(codes_path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  std::map<std::string, std::string> snils_of;  // learner name -> learner_id
  {
    std::istringstream rows(testing::ReadFile(csv));
    std::string line;
    std::getline(rows, line);
    while (std::getline(rows, line)) {
      const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
      snils_of[line.substr(a + 1, b - a - 1)] = line.substr(b + 1, c - b - 1);
    }
  }
  std::istringstream codes_csv(testing::ReadFile(codes_path));
  std::string line;
  std::getline(codes_csv, line);
  CHECK(line == "code,learner_name,identity_code");
  int identity_lines = 0;
  while (std::getline(codes_csv, line)) {
    ++identity_lines;
    const size_t a = line.find(','), b = line.rfind(',');
    const std::string code = line.substr(0, a), name = line.substr(a + 1, b - a - 1),
                      identity = line.substr(b + 1);
    INFO(line);
    REQUIRE(identity.size() == 39);
    REQUIRE(snils_of.count(name));
    std::string hex;
    for (char ch : identity) {
      if (ch != '-') hex += ch;
    }
    const std::filesystem::path base = std::filesystem::path(out) / code;
    for (const char* ext : {".json", ".receipt.json"}) {
      const std::string text = testing::ReadFile(base.string() + ext);
      REQUIRE(!text.empty());
      CHECK(text.find(hex) == std::string::npos);
      CHECK(text.find(identity) == std::string::npos);
    }
    const std::string pdf = base.string() + ".pdf";
    const std::string who = " --learner-id '" + snils_of[name] + "' --identity-code ";
    auto match = Certverify(pdf + " --trust " + bundle + who + identity + " --lang ru");
    INFO(match.output);
    CHECK(match.exit_code == 0);
    CHECK(match.output.find("ЛИЧНОСТЬ ПОДТВЕРЖДЕНА") != std::string::npos);
    CHECK(match.output.find(hex) == std::string::npos);
    std::string wrong = hex;
    wrong[5] = wrong[5] == 'a' ? 'b' : 'a';
    CHECK(Certverify(pdf + " --trust " + bundle + who + wrong).exit_code == 7);
    CHECK(Certverify(pdf + " --trust " + bundle +
                     " --learner-id '000-000-600 00' --identity-code " + identity)
              .exit_code == 7);
  }
  CHECK(identity_lines == 5);
  // A tampered credential JSON fails with the signature exit code.
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    std::string name = e.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json" ||
        name.find("receipt") != std::string::npos) {
      continue;
    }
    std::string text = testing::ReadFile(e.path());
    auto pos = text.find("\"87\"");
    if (pos == std::string::npos) continue;
    text.replace(pos, 4, "\"97\"");
    auto tampered = dir.path() / "tampered.json";
    testing::WriteFile(tampered, text);
    auto v = Certverify(tampered.string() + " --trust " + bundle);
    CHECK(v.exit_code == 1);
  }
  // A batch with bad rows reports each with its reason and still issues the rest.
  std::string bad_csv = (dir.path() / "bad.csv").string();
  testing::WriteFile(bad_csv,
                     "programme,learner_name,learner_id,period_start,period_end,points,"
                     "identity_share,identity_method\n"
                     "DA-101,Good Learner,L-1,2026-03-01,2026-06-28,80,0.3,none\n"
                     "DA-101,Low Score,L-2,2026-03-01,2026-06-28,10,0.3,none\n"
                     "NOPE,No Programme,L-3,2026-03-01,2026-06-28,80,0.3,none\n"
                     "DA-101,Bad Date,L-4,2026-02-30,2026-06-28,80,0.3,none\n");
  auto mixed = Certledger("issue-batch --data " + data + " --issuer demo --csv " + bad_csv +
                          " --out " + out);
  CHECK(mixed.exit_code == 1);
  CHECK(mixed.output.find("issued 1 certificate(s), rejected 3 row(s)") != std::string::npos);
  CHECK(mixed.output.find("row 3 rejected") != std::string::npos);
  CHECK(mixed.output.find("pass mark") != std::string::npos);
  // The codes of the earlier batch are kept beside the new one.
  const std::string all_codes = testing::ReadFile(codes_path);
  CHECK(std::count(all_codes.begin(), all_codes.end(), '\n') == 1 + 5 + 1);
  CHECK(all_codes.find(",Good Learner,") != std::string::npos);
}

}  // namespace
}  // namespace certledger

namespace certledger {
namespace {

TEST_CASE("cli: backup while the registry is in use, then restore into a new data directory",
          "[integration]") {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string copy = (dir.path() / "registry-backup.db").string();
  const std::string restored = (dir.path() / "restored").string();
  REQUIRE(
      Certledger("init --data " + data + " --base-url https://cert.example.ru --demo").exit_code ==
      0);
  auto before = Certledger("ledger checkpoint --data " + data);
  REQUIRE(before.exit_code == 0);

  auto backup = Certledger("backup --data " + data + " --out " + copy);
  INFO(backup.output);
  REQUIRE(backup.exit_code == 0);
  // A second backup never overwrites the first.
  auto again = Certledger("backup --data " + data + " --out " + copy);
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("backup.exists") != std::string::npos);

  // Without the master key the restore is refused and nothing is left behind.
  std::filesystem::create_directories(restored);
  auto no_key = Certledger("restore --data " + restored + " --from " + copy);
  CHECK(no_key.exit_code == 1);
  CHECK(!std::filesystem::exists(std::filesystem::path(restored) / "registry.db"));

  std::filesystem::copy_file(std::filesystem::path(data) / "master.key",
                             std::filesystem::path(restored) / "master.key");
  auto restore = Certledger("restore --data " + restored + " --from " + copy);
  INFO(restore.output);
  REQUIRE(restore.exit_code == 0);
  auto after = Certledger("ledger checkpoint --data " + restored);
  REQUIRE(after.exit_code == 0);
  // The same signed tree head (same origin, size and root) as the original.
  CHECK(after.output.substr(0, after.output.find("\n\n")) ==
        before.output.substr(0, before.output.find("\n\n")));
  // Restoring over an existing database needs --replace.
  CHECK(Certledger("restore --data " + restored + " --from " + copy).exit_code == 1);
  CHECK(Certledger("restore --data " + restored + " --from " + copy + " --replace").exit_code == 0);
}

}  // namespace
}  // namespace certledger
