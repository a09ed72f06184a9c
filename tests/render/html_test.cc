#include "render/html.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "tests/render/sample_views.h"
#include "tests/test_util.h"

namespace certledger::render {
namespace {

using registry::model::CertificateState;
using testing::SamplePage;

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("html: each state has its own banner, in Russian by default and in English", "[render]") {
  struct Case {
    CertificateState state;
    const char* cls;
    const char* ru;
    const char* en;
  };
  const Case cases[] = {
      {CertificateState::kValid, "banner valid", "Действителен", "Valid"},
      {CertificateState::kRevoked, "banner revoked", "Отозван", "Revoked"},
      {CertificateState::kExpired, "banner warn", "Срок действия истёк", "Expired"},
      {CertificateState::kSuperseded, "banner warn", "Заменён", "Superseded"},
      {CertificateState::kIssuerSuspended, "banner warn", "Организация приостановлена",
       "Issuer suspended"},
      {CertificateState::kUnknown, "banner unknown", "Документ не найден", "Not found"},
  };
  for (const Case& c : cases) {
    std::string ru = RenderPublicPage(SamplePage(c.state));
    std::string en = RenderPublicPage(SamplePage(c.state), Lang::kEn);
    INFO(c.ru);
    CHECK(ru.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(Contains(ru, "<html lang=\"ru\">"));
    CHECK(Contains(en, "<html lang=\"en\">"));
    CHECK(Contains(ru, c.cls));
    CHECK(Contains(ru, std::string("<h1>") + c.ru + "</h1>"));
    CHECK(Contains(en, std::string("<h1>") + c.en + "</h1>"));
    CHECK(Contains(ru, "href=\"?lang=en\""));
    CHECK(Contains(en, "href=\"?lang=ru\""));
    CHECK_FALSE(Contains(ru, "<script"));
  }
}

TEST_CASE("html: revoked shows reason and date, superseded links to the new version", "[render]") {
  std::string revoked = RenderPublicPage(SamplePage(CertificateState::kRevoked));
  CHECK(Contains(revoked, "Причина: Выдан ошибочно: слушатель не прошёл итоговую аттестацию"));
  CHECK(Contains(revoked, "Дата отзыва: 12.07.2026 10:00 UTC"));
  std::string revoked_en = RenderPublicPage(SamplePage(CertificateState::kRevoked), Lang::kEn);
  CHECK(Contains(revoked_en, "Revoked on 2026-07-12 10:00 UTC"));
  std::string superseded = RenderPublicPage(SamplePage(CertificateState::kSuperseded));
  CHECK(Contains(superseded, "<a href=\"https://cert.example.ru/v/9MZR-2QXH-TT4A-ZR3C-8\">"));
  auto reissue = SamplePage(CertificateState::kValid);
  reissue.supersedes_url = "https://cert.example.ru/v/1111-2222-3333-4444-5";
  CHECK(Contains(RenderPublicPage(reissue),
                 "<a href=\"https://cert.example.ru/v/1111-2222-3333-4444-5\">"));
}

TEST_CASE("html: the valid page shows the certificate, issuer, licence, ledger and downloads",
          "[render]") {
  std::string page = RenderPublicPage(SamplePage(CertificateState::kValid));
  for (const char* s :
       {"Иванова Мария Сергеевна", "Анализ данных на Python", "7KQ2-M9XH-4TPA-ZR3C-5",
        "01.03.2026 – 28.06.2026", "72 ак. ч. (2 з. е.)", "87 из 100 баллов (проходной балл 60)",
        "отлично", "40 % итоговой оценки (online-proctoring)", "Л035-01298-77/00179876",
        "от 15.03.2021", "7707083893", "did:web:cert.example.ru:issuers:demo", "1234",
        "cert.example.ru/ledger\n1240\n",
        "href=\"https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.json\"",
        "href=\"https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.pdf\"",
        "href=\"https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.ob3.json\"",
        "Готовит и очищает табличные данные с помощью pandas"}) {
    INFO(s);
    CHECK(Contains(page, s));
  }
  CHECK(Contains(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  // The English page shows the grade in English.
  std::string en = RenderPublicPage(SamplePage(CertificateState::kValid), Lang::kEn);
  CHECK(Contains(en, "excellent"));
  CHECK_FALSE(Contains(en, "отлично"));
}

TEST_CASE("html: the unknown page shows the code looked up and no certificate fields", "[render]") {
  auto view = SamplePage(CertificateState::kUnknown);
  std::string page = RenderPublicPage(view);
  CHECK(Contains(page,
                 "Регистрационный номер: <strong class=\"code\">7KQ2-M9XH-4TPA-ZR3C-5</strong>"));
  CHECK_FALSE(Contains(page, "Слушатель"));
  // A certificate attached to an unknown state is not shown either.
  view.certificate = testing::SampleCertificate();
  CHECK_FALSE(Contains(RenderPublicPage(view), "Иванова"));
}

TEST_CASE("html: every field is escaped and unsafe links are not linked", "[render]") {
  auto view = SamplePage(CertificateState::kRevoked);
  view.certificate->learner_name = "<script>alert(1)</script> \"Ivan\" & 'Co'";
  view.certificate->course_title = "<img src=x onerror=alert(2)>";
  view.revocation_reason = "</p><script>alert(3)</script>";
  view.pdf_url = "javascript:alert(4)";
  view.json_url = "https://x.example/\"><script>alert(5)</script>";
  view.code = "<b>";
  std::string page = RenderPublicPage(view);
  CHECK_FALSE(Contains(page, "<script"));
  CHECK_FALSE(Contains(page, "<img"));
  CHECK_FALSE(Contains(page, "javascript:"));
  CHECK(
      Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;Ivan&quot; &amp; &#39;Co&#39;"));
  CHECK(
      Contains(page, "href=\"https://x.example/&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;\""));
  auto unknown = SamplePage(CertificateState::kUnknown);
  unknown.code = "<script>alert(6)</script>";
  CHECK_FALSE(Contains(RenderPublicPage(unknown), "<script"));
}

TEST_CASE("html: the CSP hash is the SHA-256 of the exact <style> contents", "[render]") {
  std::string page = RenderPublicPage(SamplePage(CertificateState::kValid));
  size_t open = page.find("<style>");
  size_t close = page.find("</style>");
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  std::string css = page.substr(open + 7, close - open - 7);
  CHECK(css == PublicPageCss());
  CHECK(PublicPageCspHash() ==
        "'sha256-" + crypto::Base64Encode(crypto::AsStringView(crypto::Sha256(css))) + "'");
  CHECK(page.find("<style") == page.rfind("<style"));  // exactly one style element
  CHECK_FALSE(Contains(page, "style=\""));             // no inline style attributes
}

TEST_CASE("html: ParseLang", "[render]") {
  CHECK(ParseLang("en") == Lang::kEn);
  CHECK(ParseLang("RU") == Lang::kRu);
  CHECK_FALSE(ParseLang("de").has_value());
  CHECK_FALSE(ParseLang("").has_value());
}

// Headless Chromium (Debian's `chromium`) loads each page from a file, the test
// reads the banner back from the DOM, and keeps a phone-sized screenshot under
// <build>/test-artifacts/render/.
std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_CASE("html: headless Chromium renders the valid, revoked and unknown pages", "[render]") {
  const char* chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) {
    WARN(
        "SKIPPED: /usr/bin/chromium is not installed (scripts/setup.sh installs Debian's "
        "chromium); the Chromium page test did not run");
    return;
  }
  const std::filesystem::path artifacts =
      std::filesystem::path(CERTLEDGER_BINARY_DIR) / "test-artifacts" / "render";
  std::filesystem::create_directories(artifacts);
  testing::TempDir profile;
  struct Case {
    CertificateState state;
    const char* name;
    const char* banner;
    const char* cls;
  };
  for (const Case& c :
       {Case{CertificateState::kValid, "valid", "Действителен", "banner valid"},
        Case{CertificateState::kRevoked, "revoked", "Отозван", "banner revoked"},
        Case{CertificateState::kUnknown, "unknown", "Документ не найден", "banner unknown"}}) {
    INFO(c.name);
    const std::filesystem::path html = artifacts / (std::string("page-") + c.name + ".html");
    const std::filesystem::path png = artifacts / (std::string("page-") + c.name + ".png");
    testing::WriteFile(html, RenderPublicPage(SamplePage(c.state)));
    std::filesystem::remove(png);
    const std::string common =
        std::string(chromium) +
        " --headless --no-sandbox --disable-gpu --disable-background-networking"
        " --disable-component-update --disable-sync --no-first-run --hide-scrollbars"
        " --user-data-dir=" +
        profile.path().string() + " --window-size=400,900 ";
    std::string dom = Run(common + "--dump-dom file://" + html.string() + " 2>/dev/null");
    CHECK(Contains(dom, std::string("<h1>") + c.banner + "</h1>"));
    CHECK(Contains(dom, c.cls));
    Run(common + "--screenshot=" + png.string() + " file://" + html.string() + " 2>/dev/null");
    REQUIRE(std::filesystem::exists(png));
    CHECK(std::filesystem::file_size(png) > 5000);
    std::string head = testing::ReadFile(png).substr(0, 24);
    CHECK(head.substr(1, 3) == "PNG");
    // IHDR width: the 400-pixel phone viewport.
    uint32_t width = (uint32_t(uint8_t(head[16])) << 24) | (uint32_t(uint8_t(head[17])) << 16) |
                     (uint32_t(uint8_t(head[18])) << 8) | uint32_t(uint8_t(head[19]));
    CHECK(width == 400);
  }
}

}  // namespace
}  // namespace certledger::render
