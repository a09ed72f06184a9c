// Tests of verifier/qr_image.cc: the QR code of a real certificate PDF
// (render/), rasterised by pdftoppm as a scan would be, decodes to exactly
// the certificate's URL; and of certverify (verifier/cli.cc) given an image.
#include "verifier/qr_image.h"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

// The same configuration as the Debian cpp-httplib library (pkg-config).
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>

#include "render/pdf.h"
#include "tests/render/sample_views.h"
#include "tests/test_util.h"
#include "verifier/cli.h"
#include "verifier/report.h"

namespace certledger::verifier {
namespace {

namespace fs = std::filesystem;
using certledger::testing::ReadFile;
using certledger::testing::TempDir;
using certledger::testing::WriteFile;

const render::PdfOptions& Options() {
  static const render::PdfOptions options = [] {
    render::PdfOptions o;
    auto fonts = render::FontSet::LoadDefault();
    if (fonts.ok()) o.fonts = *fonts;
    return o;
  }();
  return options;
}

// pdftoppm at `dpi` as a PNG (or JPEG) of the first page; returns the image bytes.
std::string Rasterise(const TempDir& dir, const std::string& pdf, const std::string& name, int dpi,
                      bool jpeg = false) {
  fs::path pdf_path = dir.path() / (name + ".pdf");
  WriteFile(pdf_path, pdf);
  fs::path base = dir.path() / name;
  std::string cmd = "pdftoppm -r " + std::to_string(dpi) + (jpeg ? " -jpeg" : " -png") +
                    " -singlefile '" + pdf_path.string() + "' '" + base.string() + "'";
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return ReadFile(base.string() + (jpeg ? ".jpg" : ".png"));
}

int QrRunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "certverify");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return Main(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("qr: a rendered certificate, rasterised at 150 dpi, gives exactly its URL",
          "[verifier]") {
  TempDir dir;
  auto pdf = render::RenderCertificatePdf(testing::SampleCertificate(), {"{}", ""}, Options());
  REQUIRE(pdf.ok());
  std::string png = Rasterise(dir, *pdf, "certificate", 150);
  CHECK(IsQrImage(png));
  auto codes = DecodeQrImage(png);
  REQUIRE(codes.ok());
  CHECK(*codes == std::vector<std::string>{"https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5"});
  auto url = CertificateUrlFromImage(png);
  REQUIRE(url.ok());
  CHECK(*url == "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5");

  // The same page as a JPEG (a phone photo's format).
  std::string jpg = Rasterise(dir, *pdf, "certificate", 150, /*jpeg=*/true);
  CHECK(IsQrImage(jpg));
  auto from_jpg = CertificateUrlFromImage(jpg);
  REQUIRE(from_jpg.ok());
  CHECK(*from_jpg == "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5");
}

TEST_CASE("qr: an image without a QR code, or not an image, is a clear error", "[verifier]") {
  TempDir dir;
  // The draft preview carries no QR code (DESIGN.md "Draft first").
  auto draft = render::RenderDraftPdf(testing::SampleCertificate(), Options());
  REQUIRE(draft.ok());
  std::string png = Rasterise(dir, *draft, "draft", 100);
  auto none = CertificateUrlFromImage(png);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().slug() == kQrNotFound);

  auto garbage = DecodeQrImage("\x89PNG\r\n\x1a\nnot really a png");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().slug() == kQrBadImage);
  CHECK(DecodeQrImage("GIF89a").status().slug() == kQrBadImage);
  CHECK(DecodeQrImage("\xFF\xD8\xFF\xE0 truncated jpeg").status().slug() == kQrBadImage);

  QrImageOptions tiny;
  tiny.max_pixels = 1000;
  CHECK(DecodeQrImage(png, tiny).status().slug() == kQrTooLarge);

  // certverify: no QR code is a usage error (exit 64), before any network use.
  fs::path file = dir.path() / "draft.png";
  CHECK(QrRunCli({file.string()}) == kExitUsage);
}

TEST_CASE("qr: only <base>/v/<code> URLs are certificate URLs", "[verifier]") {
  for (const char* ok : {"https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5",
                         "http://127.0.0.1:8080/registry/v/7kq2-m9xh-4tpa-zr3c-5"}) {
    INFO(ok);
    auto u = ParseCertificateUrl(ok);
    REQUIRE(u.ok());
    CHECK(*u == ok);
  }
  for (const char* bad :
       {"cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5", "ftp://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C",
        "https://cert.example.ru/v/", "https://cert.example.ru/v/SHORT",
        "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5?x=1",
        "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5#frag",
        "https://cert.example.ru/v/7KQ2 M9XH 4TPA", "https:///v/7KQ2-M9XH-4TPA-ZR3C-5",
        "https://user@evil.example/v/7KQ2-M9XH-4TPA-ZR3C-5", "WIFI:S:net;P:secret;;",
        "https://cert.example.ru/about"}) {
    INFO(bad);
    CHECK(ParseCertificateUrl(bad).status().slug() == kQrNotCertificate);
  }
}

// A registry on 127.0.0.1 that knows no credential: certverify reads the
// URL from the QR code and asks it (exit 1, "unknown code").
TEST_CASE("qr: certverify IMAGE.png verifies the URL of its QR code online", "[verifier]") {
  httplib::Server server;
  std::mutex mu;
  std::vector<std::string> paths;
  server.Get(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    paths.push_back(req.path);
    res.status = 404;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  TempDir dir;
  auto view = testing::SampleCertificate();
  view.url = "http://127.0.0.1:" + std::to_string(port) + "/v/7KQ2-M9XH-4TPA-ZR3C-5";
  auto pdf = render::RenderCertificatePdf(view, {"{}", ""}, Options());
  REQUIRE(pdf.ok());
  (void)Rasterise(dir, *pdf, "scan", 150);
  int code = QrRunCli({(dir.path() / "scan.png").string(), "--lang", "en"});
  server.stop();
  thread.join();
  CHECK(code == static_cast<int>(Verdict::kInvalid));
  REQUIRE_FALSE(paths.empty());
  CHECK(paths[0] == "/v/7KQ2-M9XH-4TPA-ZR3C-5");
  // Offline, a QR code cannot be followed: a usage error.
  CHECK(QrRunCli({(dir.path() / "scan.png").string(), "--offline"}) == kExitUsage);
}

}  // namespace
}  // namespace certledger::verifier
