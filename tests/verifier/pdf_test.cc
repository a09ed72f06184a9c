// Tests of verifier/pdf.cc: attachments read with qpdf's library, and of
// verifier/cli.cc: certverify's inputs, modes and exit codes (run in-process).
#include "verifier/pdf.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

// qpdf 11: use std::shared_ptr, not the deprecated PointerHolder.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEFStreamObjectHelper.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include "tests/test_util.h"
#include "tests/verifier/fixture.h"
#include "verifier/cli.h"
#include "verifier/report.h"

namespace certledger::verifier {
namespace {

using certledger::testing::SharedPath;
using certledger::testing::SourcePath;
using certledger::testing::TempDir;
using certledger::testing::WriteFile;
using fixture::FakeRegistry;

// A one-page PDF with the given embedded files (name -> bytes), as
// docs/formats.md "PDF attachments" describes.
std::string MakePdf(const std::vector<std::pair<std::string, std::string>>& files) {
  QPDF q;
  q.emptyPDF();
  QPDFObjectHandle page = q.makeIndirectObject(
      QPDFObjectHandle::parse("<< /Type /Page /MediaBox [0 0 595 842] /Resources << >> >>"));
  q.addPage(page, true);
  QPDFEmbeddedFileDocumentHelper efdh(q);
  for (const auto& [name, data] : files) {
    auto efs = QPDFEFStreamObjectHelper::createEFStream(q, data);
    efs.setSubtype("application/json");
    auto fs = QPDFFileSpecObjectHelper::createFileSpec(q, name, efs);
    efdh.replaceEmbeddedFile(name, fs);
  }
  QPDFWriter w(q);
  w.setOutputMemory();
  w.setCompressStreams(true);
  w.write();
  auto buf = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
}

int RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "certverify");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return Main(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("pdf: credential.json and receipt.json are read from the embedded files", "[verifier]") {
  std::string cred = "{\"a\": \"Иванова\"}\n", receipt = "{\"type\": \"LedgerReceipt\"}";
  auto att = ExtractPdfAttachments(MakePdf({{"receipt.json", receipt}, {"credential.json", cred}}));
  INFO(att.status().ToString());
  REQUIRE(att.ok());
  CHECK(att->credential == cred);  // exact bytes
  REQUIRE(att->receipt.has_value());
  CHECK(*att->receipt == receipt);
  auto only = ExtractPdfAttachments(MakePdf({{"credential.json", cred}}));
  REQUIRE(only.ok());
  CHECK_FALSE(only->receipt.has_value());
}

TEST_CASE("pdf: a decompression bomb stops at the limit, not after decoding it whole",
          "[verifier]") {
  // 64 MiB of spaces compress (setCompressStreams) to about 64 KiB.
  const std::string bomb(64u << 20, ' ');
  const std::string pdf = MakePdf({{"credential.json", bomb}});
  REQUIRE(pdf.size() < (1u << 20));
  auto att = ExtractPdfAttachments(pdf, 1u << 20);
  REQUIRE_FALSE(att.ok());
  CHECK(att.status().slug() == "pdf.too-large");
  // Exactly at the limit is fine; one byte over is not.
  const std::string cred = "{\"a\": 1}";
  CHECK(ExtractPdfAttachments(MakePdf({{"credential.json", cred}}), cred.size()).ok());
  CHECK(ExtractPdfAttachments(MakePdf({{"credential.json", cred}}), cred.size() - 1)
            .status()
            .slug() == "pdf.too-large");
}

TEST_CASE("pdf: a PDF without the credential, or not a PDF, is an error", "[verifier]") {
  auto none = ExtractPdfAttachments(MakePdf({{"other.json", "{}"}}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().slug() == "pdf.no-credential");
  auto junk = ExtractPdfAttachments("%PDF-1.7\nthis is not a pdf");
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.status().slug() == "pdf.malformed");
}

TEST_CASE("certverify: exit codes for the vectors, offline", "[verifier]") {
  CHECK(RunCli({"--offline", "--at", "2026-01-01T00:00:00Z",
                SharedPath("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar.json").string()}) ==
        0);
  CHECK(RunCli({"--offline", "--json",
                SharedPath("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar-tampered.json")
                    .string()}) == 1);
  // did:web offline without a bundle: could not check.
  CHECK(RunCli({"--offline", SharedPath("vectors/vc/didweb/didweb-status-valid.json").string()}) ==
        5);
}

TEST_CASE("certverify: JSON with its sibling receipt, and PDF, from a trust bundle", "[verifier]") {
  FakeRegistry reg;
  Json cert = reg.Sign(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 11));
  Json receipt = reg.Receipt(reg.Log(cert));
  TempDir dir;
  reg.WriteBundle(dir.path() / "trust");
  std::string trust = (dir.path() / "trust").string();
  std::string json = (dir.path() / "7KQ2.json").string();
  WriteFile(json, cert.dump(2));
  WriteFile(dir.path() / "7KQ2.receipt.json", receipt.dump());
  std::string at = "2026-07-01T00:00:00Z";
  CHECK(RunCli({json, "--trust", trust, "--at", at, "--require-receipt"}) == 0);
  CHECK(RunCli({json, "--trust", trust, "--at", at, "--lang", "ru"}) == 0);
  CHECK(RunCli({json, "--trust", trust, "--at", "2026-06-01T00:00:00Z"}) == 3);

  std::string pdf = (dir.path() / "7KQ2.pdf").string();
  WriteFile(pdf, MakePdf({{"credential.json", cert.dump(2)}, {"receipt.json", receipt.dump()}}));
  CHECK(RunCli({pdf, "--trust", trust, "--at", at, "--require-receipt"}) == 0);
  std::string policy = SourcePath("samples/policy-university.json").string();
  CHECK(RunCli({pdf, "--trust", trust, "--at", at, "--policy", policy}) == 0);

  // Revoked after the bundle refresh.
  reg.SetStatus(11, true);
  reg.WriteBundle(dir.path() / "trust");
  CHECK(RunCli({pdf, "--trust", trust, "--at", at}) == 2);

  // Policy not met: a 29 % identity-verified share.
  FakeRegistry reg2;
  Json c2 = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 12);
  c2["credentialSubject"]["identityVerification"]["share"] = 0.29;
  Json s2 = reg2.Sign(c2);
  reg2.WriteBundle(dir.path() / "trust2");
  WriteFile(dir.path() / "low.json", s2.dump());
  CHECK(RunCli({(dir.path() / "low.json").string(), "--trust", (dir.path() / "trust2").string(),
                "--at", at, "--policy", policy, "--json"}) == kExitPolicyNotMet);
}

TEST_CASE("certverify: usage errors exit 64", "[verifier]") {
  CHECK(RunCli({}) == kExitUsage);
  CHECK(RunCli({"--no-such-flag", "x.json"}) == kExitUsage);
  CHECK(RunCli({"7KQ2-M9XH-4TPA-ZR3C-5"}) == kExitUsage);  // a code needs --registry
  CHECK(RunCli({"--lang", "de", "x.json"}) == kExitUsage);
  CHECK(RunCli({"/nonexistent/file.json", "--offline"}) == kExitUsage);
  CHECK(RunCli({"--at", "yesterday", "x.json"}) == kExitUsage);
  CHECK(RunCli({"--policy", "/nonexistent/policy.json", "x.json"}) == kExitUsage);
  CHECK(RunCli({"--trust", "/nonexistent", "--offline",
                SharedPath("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar.json").string()}) ==
        kExitUsage);
  CHECK(RunCli({"--help"}) == 0);
}

}  // namespace
}  // namespace certledger::verifier
