#include "render/pdf.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/render/sample_views.h"
#include "tests/test_util.h"

// These tests run the real tools on real files (qpdf, poppler-utils, zbar-tools;
// scripts/setup.sh installs them) and keep every PDF and page image under
// <build>/test-artifacts/render/ for a person to look at.

namespace certledger::render {
namespace {

namespace fs = std::filesystem;
using testing::SampleCertificate;
using testing::SampleVoucher;

constexpr float kPageWidth = 595.276f;
constexpr float kPageHeight = 841.890f;

struct Ran {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command; stdout only (stderr goes to the test log).
Ran RunTool(const std::string& cmd) {
  Ran r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool PdfContains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

fs::path Artifacts() {
  fs::path dir = fs::path(CERTLEDGER_BINARY_DIR) / "test-artifacts" / "render";
  fs::create_directories(dir);
  return dir;
}

const PdfOptions& Options() {
  static const PdfOptions options = [] {
    PdfOptions o;
    auto fonts = FontSet::LoadDefault();
    if (fonts.ok()) o.fonts = *fonts;
    return o;
  }();
  return options;
}

const std::string kCredential =
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"id\":\"https://cert.example.ru/v/"
    "7KQ2-M9XH-4TPA-ZR3C-5\",\"credentialSubject\":{\"identifier\":[{\"identityHash\":\"Иванова "
    "Мария Сергеевна\"}]},\"proof\":{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-jcs-"
    "2022\",\"proofValue\":\"z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22g"
    "kfUKxFGAdjfBAEqWrVy7e\"}}\n";
const std::string kReceipt =
    "{\"type\":\"LedgerReceipt\",\"origin\":\"cert.example.ru/ledger\",\"index\":1234,"
    "\"inclusionProof\":[\"qJm3Jm0Q9bUpwJx3v3Jx0m1Yq3h9p0yZb4A1l2c3d4E=\"],\"checkpoint\":"
    "\"cert.example.ru/ledger\\n1240\\nqJm3Jm0Q9bUpwJx3v3Jx0m1Yq3h9p0yZb4A1l2c3d4E=\\n\"}";

// Writes `pdf` to the artifacts directory and returns its path.
fs::path Save(const std::string& name, const std::string& pdf) {
  fs::path path = Artifacts() / name;
  testing::WriteFile(path, pdf);
  return path;
}

void CheckQpdfClean(const fs::path& pdf) {
  Ran r = RunTool("qpdf --check '" + pdf.string() + "'");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(PdfContains(r.out, "No syntax or stream encoding errors found"));
}

// Every font in `pdffonts` is embedded, subset (ABCDEF+Name) and has a ToUnicode map.
void CheckFontsEmbeddedSubset(const fs::path& pdf) {
  Ran r = RunTool("pdffonts '" + pdf.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string line;
  int fonts = 0;
  const std::regex row(
      R"(^([A-Z]{6})\+(\S+)\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$)");
  while (std::getline(lines, line)) {
    if (line.rfind("name", 0) == 0 || line.rfind("----", 0) == 0 || line.empty()) continue;
    INFO(line);
    CHECK(std::regex_match(line, row));
    ++fonts;
  }
  CHECK(fonts >= 1);
  CHECK(fonts <= 2);
}

std::string PdfToText(const fs::path& pdf) {
  Ran r = RunTool("pdftotext -enc UTF-8 '" + pdf.string() + "' - 2>&1");
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(PdfContains(r.out, "Syntax Error"));
  CHECK_FALSE(PdfContains(r.out, "Syntax Warning"));
  return r.out;
}

// The page rasterised at 150 dpi and decoded by zbarimg (exit code 4: no symbol).
Ran DecodeQr(const fs::path& pdf) {
  fs::path png_base = pdf;
  png_base.replace_extension();
  Ran raster = RunTool("pdftoppm -r 150 -png -singlefile '" + pdf.string() + "' '" +
                       png_base.string() + "' 2>&1");
  REQUIRE(raster.exit_code == 0);
  // Poppler reports fonts it cannot load ("Embedded font file may be invalid")
  // on stderr: there must be nothing.
  CHECK(raster.out.empty());
  return RunTool("zbarimg --raw -q '" + png_base.string() + ".png' 2>/dev/null");
}

struct Word {
  float x_min, y_min, x_max, y_max;  // points, origin top-left (pdftotext -bbox)
  std::string text;
};

std::vector<Word> Words(const fs::path& pdf) {
  Ran r = RunTool("pdftotext -bbox '" + pdf.string() + "' -");
  REQUIRE(r.exit_code == 0);
  std::vector<Word> words;
  const std::regex word(
      R"re(<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>)re");
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), word), end; it != end; ++it) {
    words.push_back({std::stof((*it)[1]), std::stof((*it)[2]), std::stof((*it)[3]),
                     std::stof((*it)[4]), (*it)[5]});
  }
  return words;
}

TEST_CASE("pdf: a certificate passes qpdf, embeds subset fonts and reads back in Cyrillic",
          "[render]") {
  REQUIRE(Options().fonts);
  auto pdf = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  INFO(pdf.status().ToString());
  REQUIRE(pdf.ok());
  CHECK(pdf->size() <= 40 * 1024);
  fs::path path = Save("certificate.pdf", *pdf);
  CheckQpdfClean(path);
  CheckFontsEmbeddedSubset(path);
  std::string text = PdfToText(path);
  INFO(text);
  CHECK(PdfContains(text, "Иванова Мария Сергеевна\n"));
  CHECK(PdfContains(text, "«Анализ данных на Python»\n"));
  CHECK(PdfContains(text, "7KQ2-M9XH-4TPA-ZR3C-5"));
  CHECK(PdfContains(text, "АНО ДПО «Цифровая академия»"));
  CHECK(PdfContains(text, "72 ак. ч. (2 з. е.)"));
  CHECK(PdfContains(text, "87 из 100 баллов (проходной балл 60), «отлично»"));
  CHECK(PdfContains(text, "87 of 100 points (pass mark 60), \"excellent\""));
  CHECK(PdfContains(text, "40 % итоговой оценки, онлайн-прокторинг"));
  CHECK(PdfContains(
      text, "Лицензия на образовательную деятельность № Л035-01298-77/00179876 от 15.03.2021"));
  CHECK(PdfContains(text, "Ректор А. В. Петров"));
  CHECK(PdfContains(text, "30.06.2026"));
  CHECK(PdfContains(text, "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5"));
  CHECK_FALSE(PdfContains(text, "ОБРАЗЕЦ"));
}

TEST_CASE("pdf: the credential and receipt are embedded files, extracted byte for byte",
          "[render]") {
  auto pdf = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  REQUIRE(pdf.ok());
  fs::path path = Save("certificate-attachments.pdf", *pdf);
  Ran list = RunTool("pdfdetach -list '" + path.string() + "'");
  INFO(list.out);
  CHECK(list.exit_code == 0);
  CHECK(PdfContains(list.out, "2 embedded files"));
  CHECK(PdfContains(list.out, "credential.json"));
  CHECK(PdfContains(list.out, "receipt.json"));
  testing::TempDir dir;
  Ran save = RunTool("pdfdetach -saveall -o '" + dir.path().string() + "' '" + path.string() + "'");
  REQUIRE(save.exit_code == 0);
  CHECK(testing::ReadFile(dir.path() / "credential.json") == kCredential);
  CHECK(testing::ReadFile(dir.path() / "receipt.json") == kReceipt);
  Ran verbose = RunTool("qpdf --list-attachments --verbose '" + path.string() + "'");
  CHECK(PdfContains(verbose.out, "mime type: application/json"));
  // Without a receipt (not yet integrated) only the credential is attached.
  auto only = RenderCertificatePdf(SampleCertificate(), {kCredential, ""}, Options());
  REQUIRE(only.ok());
  Ran one = RunTool("pdfdetach -list '" + Save("certificate-no-receipt.pdf", *only).string() + "'");
  CHECK(PdfContains(one.out, "1 embedded files"));
}

TEST_CASE("pdf: the QR code decodes to exactly the certificate URL", "[render]") {
  auto pdf = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  REQUIRE(pdf.ok());
  Ran qr = DecodeQr(Save("certificate-qr.pdf", *pdf));
  CHECK(qr.exit_code == 0);
  CHECK(qr.out == "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5\n");
  // A URL with a port, a path prefix and a lower-case code is encoded as given.
  auto view = SampleCertificate();
  view.url = "http://127.0.0.1:8080/registry/v/7kq2-m9xh-4tpa-zr3c-5";
  auto other = RenderCertificatePdf(view, {}, Options());
  REQUIRE(other.ok());
  Ran qr2 = DecodeQr(Save("certificate-qr-port.pdf", *other));
  CHECK(qr2.out == view.url + "\n");
}

TEST_CASE("pdf: the draft is watermarked and has no QR code and no attachments", "[render]") {
  auto view = SampleCertificate();
  view.code.clear();
  view.url.clear();
  auto pdf = RenderDraftPdf(view, Options());
  INFO(pdf.status().ToString());
  REQUIRE(pdf.ok());
  fs::path path = Save("draft.pdf", *pdf);
  CheckQpdfClean(path);
  CheckFontsEmbeddedSubset(path);
  std::string text = PdfToText(path);
  CHECK(PdfContains(text, "ОБРАЗЕЦ / DRAFT"));
  CHECK(PdfContains(text, "Иванова Мария Сергеевна\n"));
  CHECK_FALSE(PdfContains(text, "https://"));
  Ran list = RunTool("pdfdetach -list '" + path.string() + "'");
  CHECK(PdfContains(list.out, "0 embedded files"));
  Ran qr = DecodeQr(path);
  CHECK(qr.exit_code == 4);  // zbarimg: no symbol found
  CHECK(qr.out.empty());
  // The diagonal mark itself is drawn with the bold face at 64 pt.
  CHECK(PdfContains(RunTool("qpdf --qdf --object-streams=disable '" + path.string() + "' -").out,
                    " 64 Tf"));
}

TEST_CASE("pdf: long names, titles and outcome lists shrink, wrap and stay on the page",
          "[render]") {
  auto view = SampleCertificate();
  view.learner_name =
      "Константинопольская-Эйзенхауэрова Анна-Мария Александровна-Вячеславовна оглы "
      "Christopher-Maximilian von Hohenzollern-Sigmaringen";
  view.course_title =
      "Проектирование, разработка, внедрение и сопровождение распределённых отказоустойчивых "
      "информационных систем обработки больших данных в государственных и муниципальных "
      "учреждениях с применением методов машинного обучения, искусственного интеллекта и "
      "криптографической защиты информации в соответствии с требованиями законодательства";
  view.issuer.name.ru =
      "Федеральное государственное автономное образовательное учреждение высшего образования "
      "«Национальный исследовательский университет информационных технологий, механики и "
      "оптики имени выдающихся учёных и инженеров Российской Федерации» (филиал в г. Санкт-"
      "Петербурге)";
  view.outcomes.clear();
  for (int i = 1; i <= 30; ++i) {
    view.outcomes.push_back("Результат обучения номер " + std::to_string(i) +
                            ": умеет применять методы анализа данных и машинного обучения для "
                            "решения профессиональных задач в своей области деятельности");
  }
  view.signatory =
      "Проректор по дополнительному профессиональному образованию и цифровой "
      "трансформации А. В. Петров-Водкин";
  view.url = "https://certificates.registry.education.example.gov.ru/v/7KQ2-M9XH-4TPA-ZR3C-5";
  view.learner_name += "Ωmega";  // Greek, a glyph outside the sample's usual set
  auto pdf = RenderCertificatePdf(view, {kCredential, kReceipt}, Options());
  REQUIRE(pdf.ok());
  fs::path path = Save("certificate-long.pdf", *pdf);
  CheckQpdfClean(path);
  auto words = Words(path);
  REQUIRE(words.size() > 100);
  // The QR code's square (bottom-right, 92 pt, 66 pt above the page bottom).
  const float qr_x0 = kPageWidth - 56 - 92, qr_x1 = kPageWidth - 56;
  const float qr_y0 = kPageHeight - 66 - 92, qr_y1 = kPageHeight - 66;
  for (const Word& w : words) {
    INFO(w.text << " at " << w.x_min << "," << w.y_min << " - " << w.x_max << "," << w.y_max);
    // Inside the inner frame.
    CHECK(w.x_min >= 28);
    CHECK(w.x_max <= kPageWidth - 28);
    CHECK(w.y_min >= 28);
    CHECK(w.y_max <= kPageHeight - 28);
    // Nothing is drawn over the QR code.
    bool overlaps =
        w.x_max > qr_x0 + 1 && w.x_min < qr_x1 - 1 && w.y_max > qr_y0 + 1 && w.y_min < qr_y1 - 1;
    CHECK_FALSE(overlaps);
  }
  std::string text = PdfToText(path);
  CHECK(PdfContains(text, "Константинопольская-Эйзенхауэрова"));
  CHECK(PdfContains(text, "полный перечень — в электронной версии"));  // outcomes were cut
  CHECK(PdfContains(DecodeQr(path).out, view.url));
  // Outcomes end above the signature block.
  for (const Word& w : words) {
    if (w.text == "Результат") {
      INFO(w.y_max);
      CHECK(w.y_max <= kPageHeight - 44 - 150 + 1);
    }
  }
}

TEST_CASE("pdf: the voucher shows the holder, code and validity and its QR code decodes",
          "[render]") {
  auto pdf = RenderVoucherPdf(SampleVoucher(), Options());
  INFO(pdf.status().ToString());
  REQUIRE(pdf.ok());
  CHECK(pdf->size() <= 40 * 1024);
  fs::path path = Save("voucher.pdf", *pdf);
  CheckQpdfClean(path);
  CheckFontsEmbeddedSubset(path);
  std::string text = PdfToText(path);
  CHECK(PdfContains(text, "СЕРТИФИКАТ НА ОБУЧЕНИЕ"));
  CHECK(PdfContains(text, "Иванова Мария Сергеевна\n"));
  CHECK(PdfContains(text, "№ ABCD-EFGH-JKMN-PQRS-T"));
  CHECK(PdfContains(text, "31.12.2026 23:59 (МСК)"));
  CHECK(PdfContains(text, "Анализ данных на Python (DA-101)"));
  CHECK(DecodeQr(path).out == "https://cert.example.ru/v/ABCD-EFGH-JKMN-PQRS-T\n");
}

TEST_CASE("pdf: document metadata names the document, the issuer and the issue date", "[render]") {
  auto pdf = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  REQUIRE(pdf.ok());
  Ran info = RunTool("pdfinfo -isodates '" + Save("certificate-info.pdf", *pdf).string() + "'");
  INFO(info.out);
  CHECK(PdfContains(
      info.out, "Title:           Удостоверение о повышении квалификации № 7KQ2-M9XH-4TPA-ZR3C-5"));
  CHECK(PdfContains(info.out, "Author:          АНО ДПО «Цифровая академия»"));
  CHECK(PdfContains(info.out, "CreationDate:    2026-06-30T00:00:00Z"));
  PdfOptions at = Options();
  at.created_at_ms = 1782813600000;  // 2026-06-30T10:00:00Z
  auto later = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, at);
  REQUIRE(later.ok());
  Ran info2 = RunTool("pdfinfo -isodates '" + Save("certificate-info2.pdf", *later).string() + "'");
  CHECK(PdfContains(info2.out, "CreationDate:    2026-06-30T10:00:00Z"));
}

TEST_CASE("pdf: output is reproducible and independent of other documents", "[render]") {
  auto a = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  auto other = SampleCertificate();
  other.learner_name = "Петров Пётр Петрович";
  auto b = RenderCertificatePdf(other, {kCredential, kReceipt}, Options());
  auto c = RenderCertificatePdf(SampleCertificate(), {kCredential, kReceipt}, Options());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(*a == *c);
  CHECK(*a != *b);
}

TEST_CASE("pdf: invalid views and missing fonts are errors, not crashes", "[render]") {
  auto view = SampleCertificate();
  view.learner_name.clear();
  auto r = RenderCertificatePdf(view, {}, Options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "render.invalid-view");
  auto no_url = SampleCertificate();
  no_url.url.clear();
  CHECK(RenderCertificatePdf(no_url, {}, Options()).status().slug() == "render.invalid-view");
  auto voucher = SampleVoucher();
  voucher.code.clear();
  CHECK(RenderVoucherPdf(voucher, Options()).status().slug() == "render.invalid-view");
  auto long_url = SampleCertificate();
  long_url.url = "https://cert.example.ru/v/" + std::string(2000, 'A');
  CHECK(RenderCertificatePdf(long_url, {}, Options()).status().slug() == "render.qr-too-long");
  auto missing = FontSet::Load("/nonexistent/font.ttf", FontSet::kDefaultBold);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().slug() == "render.font-missing");
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "bad.ttf", "not a font at all");
  auto bad = FontSet::Load((dir.path() / "bad.ttf").string(), FontSet::kDefaultBold);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().slug() == "render.font-invalid");
  // Without a FontSet in the options the default fonts are loaded for the call.
  CHECK(RenderCertificatePdf(SampleCertificate(), {}, PdfOptions{}).ok());
}

TEST_CASE("pdf: control characters, invalid UTF-8 and glyphs the font lacks still render",
          "[render]") {
  auto view = SampleCertificate();
  view.learner_name = "Иван\n\tИванов \xff\xfe 王小明 😀";
  auto pdf = RenderCertificatePdf(view, {}, Options());
  REQUIRE(pdf.ok());
  fs::path path = Save("certificate-odd-text.pdf", *pdf);
  CheckQpdfClean(path);
  CHECK(PdfContains(PdfToText(path), "Иван"));
}

}  // namespace
}  // namespace certledger::render
