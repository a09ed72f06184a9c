#include "render/html.h"

#include <cmath>
#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/rfc3339.h"

namespace certledger::render {
namespace {

using registry::model::CertificateState;
using registry::model::CertificateView;
using registry::model::PublicPageView;

// Mobile first; the banner is the first thing on the page, says its state in
// words and a symbol (never by colour alone), and has the largest type.
constexpr std::string_view kCss = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1b1d22;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
main{max-width:46rem;margin:0 auto;padding:.75rem}
header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;padding:.25rem 0 .75rem;color:#4a4f5a;font-size:.9rem}
header a{color:#123a7a}
.banner{border-radius:.6rem;padding:1rem 1.1rem;margin:0 0 1rem;border:3px solid;display:flex;gap:.9rem;align-items:flex-start}
.banner .sym{flex:none;width:2.6rem;height:2.6rem;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:1.6rem;font-weight:700;color:#fff}
.banner h1{margin:0;font-size:1.6rem;line-height:1.2;letter-spacing:.02em}
.banner p{margin:.35rem 0 0}
.valid{background:#e6f5ea;border-color:#1d7a3a;color:#0f4d22}.valid .sym{background:#1d7a3a}
.revoked{background:#fde8ea;border-color:#b3261e;color:#7d1a14}.revoked .sym{background:#b3261e}
.warn{background:#fff4d9;border-color:#a86400;color:#5c3700}.warn .sym{background:#a86400}
.unknown{background:#eceef2;border-color:#5b6270;color:#2c3038}.unknown .sym{background:#5b6270}
section.card{background:#fff;border-radius:.6rem;padding:1rem 1.1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:1.05rem;margin:0 0 .6rem;color:#123a7a}
dl{margin:0;display:grid;grid-template-columns:1fr;gap:.1rem}
dt{color:#5b6270;font-size:.85rem;margin-top:.5rem}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.name{font-size:1.35rem}
.code{white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace;letter-spacing:.03em}
ul{margin:.3rem 0 0;padding-left:1.2rem}li{margin:.15rem 0;font-weight:400}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;background:#f4f5f7;padding:.6rem;border-radius:.4rem;margin:.3rem 0 0}
.links{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none}
.links a{display:inline-block;padding:.45rem .8rem;border:1px solid #123a7a;border-radius:.4rem;color:#123a7a;text-decoration:none;font-weight:600}
a{color:#123a7a}
footer{color:#5b6270;font-size:.8rem;padding:.5rem 0 2rem}
@media (min-width:40rem){main{padding:1.5rem}dl{grid-template-columns:14rem 1fr;gap:.5rem 1rem}dt{margin:0}.banner h1{font-size:2rem}}
)css";

struct Texts {
  const char* html_lang;
  const char* other_lang_query;
  const char* other_lang_name;
  const char* other_lang_code;
  const char* valid_title;
  const char* valid_text;
  const char* revoked_title;
  const char* revoked_on;
  const char* reason;
  const char* expired_title;
  const char* expired_text;
  const char* superseded_title;
  const char* superseded_text;
  const char* current_version;
  const char* suspended_title;
  const char* suspended_text;
  const char* unknown_title;
  const char* unknown_text;
  const char* certificate;
  const char* document;
  const char* reg_no;
  const char* learner;
  const char* programme;
  const char* programme_code;
  const char* period;
  const char* workload;
  const char* hours_units;  // "%d ак. ч., %s з. е."
  const char* result;
  const char* points;  // "%d из %d (проходной балл %d)"
  const char* grade;
  const char* identity;
  const char* identity_fmt;  // "%s %% итоговой оценки (%s)"
  const char* outcomes;
  const char* competencies;
  const char* issued;
  const char* supersedes;
  const char* issuer;
  const char* issuer_name;
  const char* inn;
  const char* licence;
  const char* licence_from;
  const char* issuer_status;
  const char* active;
  const char* suspended_since;
  const char* ledger;
  const char* ledger_index;
  const char* checkpoint;
  const char* downloads;
  const char* json;
  const char* pdf;
  const char* ob3;
  const char* footer;
};

constexpr Texts kRu = {
    "ru",
    "?lang=en",
    "English",
    "en",
    "Действителен",
    "Документ выдан, подписан организацией и внесён в публичный реестр. Он не отозван.",
    "Отозван",
    "Дата отзыва:",
    "Причина",
    "Срок действия истёк",
    "Документ больше не действует.",
    "Заменён",
    "Организация выпустила исправленный документ, этот больше не действует.",
    "Действующая версия",
    "Организация приостановлена",
    "Деятельность организации, выдавшей документ, приостановлена. Уточните статус документа у "
    "организации.",
    "Документ не найден",
    "В реестре нет документа с этим регистрационным номером. Проверьте номер: подделка "
    "возможна.",
    "Сведения о документе",
    "Документ",
    "Регистрационный номер",
    "Слушатель",
    "Программа",
    "Код программы",
    "Период обучения",
    "Объём",
    "%d ак. ч. (%s з. е.)",
    "Итоговая аттестация",
    "%d из %d баллов (проходной балл %d)",
    "Оценка",
    "Подтверждение личности",
    "%s %% итоговой оценки (%s)",
    "Результаты обучения",
    "Компетенции",
    "Дата выдачи",
    "Заменяет документ",
    "Организация",
    "Наименование",
    "ИНН",
    "Лицензия",
    "от",
    "Статус",
    "действует",
    "приостановлена с",
    "Публичный реестр",
    "Номер записи",
    "Контрольная точка (checkpoint)",
    "Скачать",
    "Подписанный документ (JSON)",
    "PDF",
    "Open Badges 3.0",
    "Страница работает без JavaScript. Подлинность можно проверить и офлайн: подписанный "
    "документ, DID-документ организации и контрольная точка реестра публичны.",
};

constexpr Texts kEn = {
    "en",
    "?lang=ru",
    "Русский",
    "ru",
    "Valid",
    "The document was issued, signed by its issuer and recorded in the public ledger. It has "
    "not been revoked.",
    "Revoked",
    "Revoked on",
    "Reason",
    "Expired",
    "The document is no longer in force.",
    "Superseded",
    "The issuer has issued a corrected document; this one is no longer in force.",
    "Current version",
    "Issuer suspended",
    "The issuing organisation has been suspended. Check the document's status with the issuer.",
    "Not found",
    "The registry holds no document with this registration number. Check the number: it may "
    "be forged.",
    "Certificate",
    "Document",
    "Registration number",
    "Learner",
    "Programme",
    "Programme code",
    "Period of study",
    "Workload",
    "%d academic hours (%s credit units)",
    "Final assessment",
    "%d of %d points (pass mark %d)",
    "Grade",
    "Identity verification",
    "%s %% of the final grade (%s)",
    "Learning outcomes",
    "Competencies",
    "Date of issue",
    "Supersedes",
    "Issuer",
    "Name",
    "INN (taxpayer number)",
    "Education licence",
    "dated",
    "Status",
    "active",
    "suspended since",
    "Public ledger",
    "Entry index",
    "Checkpoint",
    "Download",
    "Signed credential (JSON)",
    "PDF",
    "Open Badges 3.0",
    "This page needs no JavaScript. Authenticity can also be checked offline: the signed "
    "credential, the issuer's DID document and the ledger checkpoint are public.",
};

std::string Date(std::string_view iso, Lang lang) {
  if (lang == Lang::kRu && iso.size() == 10 && iso[4] == '-' && iso[7] == '-') {
    return std::string(iso.substr(8, 2)) + "." + std::string(iso.substr(5, 2)) + "." +
           std::string(iso.substr(0, 4));
  }
  return std::string(iso);
}

// "12.07.2026 10:00 UTC" / "2026-07-12 10:00 UTC".
std::string Time(int64_t unix_ms, Lang lang) {
  std::string t = crypto::FormatRfc3339(unix_ms);  // 2026-07-12T10:00:00Z
  return Date(t.substr(0, 10), lang) + " " + t.substr(11, 5) + " UTC";
}

std::string Decimal(double v, Lang lang) {
  long hundredths = std::lround(v * 100);
  std::string s = std::to_string(hundredths / 100);
  long frac = std::labs(hundredths % 100);
  if (frac != 0) {
    s += lang == Lang::kRu ? ',' : '.';
    s += char('0' + frac / 10);
    if (frac % 10) s += char('0' + frac % 10);
  }
  return s;
}

std::string Format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

const std::string& Pick(const registry::model::Text& t, Lang lang) {
  return lang == Lang::kEn && !t.en.empty() ? t.en : t.ru;
}

// Only absolute http(s) URLs and same-site paths become links.
bool SafeHref(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0 ||
         (url.size() > 1 && url[0] == '/' && url[1] != '/');
}

class Page {
 public:
  std::string& out() { return out_; }
  void Raw(std::string_view s) { out_ += s; }
  void Text(std::string_view s) { out_ += HtmlEscape(s); }
  void Link(std::string_view url, std::string_view label) {
    if (!SafeHref(url)) {
      Text(label);
      return;
    }
    out_ += "<a href=\"";
    Text(url);
    out_ += "\">";
    Text(label);
    out_ += "</a>";
  }
  void Field(std::string_view label, std::string_view value, const char* cls = nullptr) {
    if (value.empty()) return;
    out_ += "<dt>";
    Text(label);
    out_ += cls ? std::string("</dt><dd class=\"") + cls + "\">" : std::string("</dt><dd>");
    Text(value);
    out_ += "</dd>\n";
  }
  void List(std::string_view label, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out_ += "<dt>";
    Text(label);
    out_ += "</dt><dd><ul>";
    for (const std::string& item : items) {
      out_ += "<li>";
      Text(item);
      out_ += "</li>";
    }
    out_ += "</ul></dd>\n";
  }
  void Banner(const char* cls, const char* symbol, std::string_view title) {
    out_ += "<section class=\"banner ";
    out_ += cls;
    out_ +=
        "\" id=\"status\" role=\"status\" aria-live=\"polite\"><div class=\"sym\" "
        "aria-hidden=\"true\">";
    out_ += symbol;
    out_ += "</div><div><h1>";
    Text(title);
    out_ += "</h1>";
  }
  void BannerText(std::string_view text) {
    out_ += "<p>";
    Text(text);
    out_ += "</p>";
  }
  void EndBanner() { out_ += "</div></section>\n"; }

 private:
  std::string out_;
};

// The document up to and including the header with the language switch.
void BeginPage(Page& p, const Texts& t, std::string_view status_title, std::string_view code,
               std::string_view registry_name) {
  p.out().reserve(8192);
  p.Raw("<!DOCTYPE html>\n<html lang=\"");
  p.Raw(t.html_lang);
  p.Raw(
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
  p.Text(status_title);
  if (!code.empty()) {
    p.Raw(" · ");
    p.Text(code);
  }
  p.Raw(" · ");
  p.Text(registry_name);
  p.Raw("</title>\n<style>");
  p.Raw(kCss);
  p.Raw("</style>\n</head>\n<body>\n<main>\n<header><span>");
  p.Text(registry_name);
  p.Raw("</span><a href=\"");
  p.Raw(t.other_lang_query);
  p.Raw("\" hreflang=\"");
  p.Raw(t.other_lang_code);
  p.Raw("\" lang=\"");
  p.Raw(t.other_lang_code);
  p.Raw("\">");
  p.Text(t.other_lang_name);
  p.Raw("</a></header>\n");
}

// The ledger index of the document's entry and the checkpoint it is proven in.
void LedgerCard(Page& p, const Texts& t, int64_t index, std::string_view checkpoint) {
  if (index < 0 && checkpoint.empty()) return;
  p.Raw("<section class=\"card\"><h2>");
  p.Text(t.ledger);
  p.Raw("</h2>\n<dl>\n");
  if (index >= 0) p.Field(t.ledger_index, std::to_string(index));
  if (!checkpoint.empty()) {
    p.Raw("<dt>");
    p.Text(t.checkpoint);
    p.Raw("</dt><dd><pre>");
    p.Text(checkpoint);
    p.Raw("</pre></dd>\n");
  }
  p.Raw("</dl></section>\n");
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<Lang> ParseLang(std::string_view v) {
  auto eq = [&](const char* s) {
    return v.size() == 2 && (v[0] | 0x20) == s[0] && (v[1] | 0x20) == s[1];
  };
  if (eq("ru")) return Lang::kRu;
  if (eq("en")) return Lang::kEn;
  return std::nullopt;
}

std::string_view PublicPageCss() { return kCss; }

std::string PublicPageCspHash() {
  return "'sha256-" + crypto::Base64Encode(crypto::AsStringView(crypto::Sha256(kCss))) + "'";
}

std::string RenderPublicPage(const PublicPageView& view, Lang lang, const PageOptions& options) {
  const Texts& t = lang == Lang::kEn ? kEn : kRu;
  // No certificate, or an unknown state: the unknown-code page, with no fields.
  const CertificateView* c =
      view.certificate && view.state != CertificateState::kUnknown ? &*view.certificate : nullptr;
  const CertificateState state = c ? view.state : CertificateState::kUnknown;
  const std::string& registry_name =
      lang == Lang::kEn ? options.registry_name_en : options.registry_name_ru;
  const std::string code = c && !c->code.empty() ? c->code : view.code;

  const char* status_title = t.unknown_title;
  switch (state) {
    case CertificateState::kValid:
      status_title = t.valid_title;
      break;
    case CertificateState::kRevoked:
      status_title = t.revoked_title;
      break;
    case CertificateState::kExpired:
      status_title = t.expired_title;
      break;
    case CertificateState::kSuperseded:
      status_title = t.superseded_title;
      break;
    case CertificateState::kIssuerSuspended:
      status_title = t.suspended_title;
      break;
    case CertificateState::kUnknown:
      break;
  }

  Page p;
  BeginPage(p, t, status_title, code, registry_name);

  // The banner.
  switch (state) {
    case CertificateState::kValid:
      p.Banner("valid", "&#10003;", t.valid_title);
      p.BannerText(t.valid_text);
      break;
    case CertificateState::kRevoked:
      p.Banner("revoked", "&#10007;", t.revoked_title);
      if (view.revoked_at_ms)
        p.BannerText(std::string(t.revoked_on) + " " + Time(*view.revoked_at_ms, lang));
      if (!view.revocation_reason.empty()) {
        p.BannerText(std::string(t.reason) + ": " + view.revocation_reason);
      }
      break;
    case CertificateState::kExpired:
      p.Banner("warn", "!", t.expired_title);
      p.BannerText(t.expired_text);
      break;
    case CertificateState::kSuperseded:
      p.Banner("warn", "&#8635;", t.superseded_title);
      p.BannerText(t.superseded_text);
      if (!view.superseded_by_url.empty()) {
        p.Raw("<p>");
        p.Text(t.current_version);
        p.Raw(": ");
        p.Link(view.superseded_by_url, view.superseded_by_url);
        p.Raw("</p>");
      }
      break;
    case CertificateState::kIssuerSuspended: {
      p.Banner("warn", "!", t.suspended_title);
      std::string text = t.suspended_text;
      if (c && c->issuer.suspended_at_ms) {
        text += " (" + std::string(t.suspended_since) + " " +
                Time(*c->issuer.suspended_at_ms, lang) + ")";
      }
      p.BannerText(text);
      break;
    }
    case CertificateState::kUnknown:
      p.Banner("unknown", "?", t.unknown_title);
      if (!code.empty()) {
        p.Raw("<p>");
        p.Text(t.reg_no);
        p.Raw(": <strong class=\"code\">");
        p.Text(code);
        p.Raw("</strong></p>");
      }
      p.BannerText(t.unknown_text);
      break;
  }
  p.EndBanner();

  if (c) {
    p.Raw("<section class=\"card\"><h2>");
    p.Text(t.certificate);
    p.Raw("</h2>\n<dl>\n");
    p.Field(t.document, Pick(c->document_title, lang));
    p.Field(t.reg_no, c->code, "code");
    p.Field(t.learner, c->learner_name, "name");
    p.Field(t.programme, c->course_title);
    p.Field(t.programme_code, c->course_code);
    if (!c->period_start.empty()) {
      p.Field(t.period, Date(c->period_start, lang) + " – " + Date(c->period_end, lang));
    }
    if (c->hours > 0) {
      p.Field(t.workload, Format(t.hours_units, c->hours, Decimal(c->credit_units, lang).c_str()));
    }
    if (c->max_points > 0) {
      p.Field(t.result, Format(t.points, c->points, c->max_points, c->pass_mark));
    }
    p.Field(t.grade, Pick(c->grade, lang));
    if (!c->identity_method.empty()) {
      p.Field(t.identity,
              Format(t.identity_fmt, Decimal(c->identity_verified_share * 100, lang).c_str(),
                     c->identity_method.c_str()));
    }
    p.List(t.outcomes, c->outcomes);
    p.List(t.competencies, c->competencies);
    p.Field(t.issued, Date(c->issue_date, lang));
    if (!view.supersedes_url.empty()) {
      p.Raw("<dt>");
      p.Text(t.supersedes);
      p.Raw("</dt><dd>");
      p.Link(view.supersedes_url, view.supersedes_url);
      p.Raw("</dd>\n");
    }
    p.Raw("</dl></section>\n");

    p.Raw("<section class=\"card\"><h2>");
    p.Text(t.issuer);
    p.Raw("</h2>\n<dl>\n");
    p.Field(t.issuer_name, Pick(c->issuer.name, lang));
    p.Field(t.inn, c->issuer.inn);
    if (!c->issuer.licence_number.empty()) {
      std::string licence = "№ " + c->issuer.licence_number;
      if (!c->issuer.licence_date.empty()) {
        licence += std::string(" ") + t.licence_from + " " + Date(c->issuer.licence_date, lang);
      }
      p.Field(t.licence, licence);
    }
    std::string status = c->issuer.status == "suspended" ? t.suspended_since : t.active;
    if (c->issuer.status == "suspended" && c->issuer.suspended_at_ms) {
      status += " " + Time(*c->issuer.suspended_at_ms, lang);
    } else if (c->issuer.status == "suspended") {
      status = lang == Lang::kEn ? "suspended" : "приостановлена";
    }
    p.Field(t.issuer_status, status);
    p.Field("DID", c->issuer.did);
    p.Raw("</dl></section>\n");
  }

  LedgerCard(p, t, view.ledger_index, view.checkpoint_text);

  if (c && (!view.json_url.empty() || !view.pdf_url.empty() || !view.ob3_url.empty())) {
    p.Raw("<section class=\"card\"><h2>");
    p.Text(t.downloads);
    p.Raw("</h2>\n<ul class=\"links\">");
    for (auto [url, label] : {std::pair<const std::string&, const char*>{view.json_url, t.json},
                              {view.pdf_url, t.pdf},
                              {view.ob3_url, t.ob3}}) {
      if (url.empty() || !SafeHref(url)) continue;
      p.Raw("<li>");
      p.Link(url, label);
      p.Raw("</li>");
    }
    p.Raw("</ul></section>\n");
  }
  p.Raw("<footer>");
  p.Text(t.footer);
  p.Raw("</footer>\n</main>\n</body>\n</html>\n");
  return std::move(p.out());
}

namespace {

// What the voucher page says, beside the certificate page's Texts.
struct VoucherTexts {
  const char* issued_title;
  const char* issued_text;  // "%s": valid until
  const char* enrolled_title;
  const char* enrolled_text;  // "%s": start date
  const char* completed_title;
  const char* completed_text;
  const char* certificate_link;
  const char* annulled_title;
  const char* annulled_text;
  const char* expired_title;
  const char* expired_text;
  const char* withdrawn_title;
  const char* withdrawn_text;
  const char* voucher;
  const char* code;
  const char* programme;
  const char* programme_code;
  const char* provider;
  const char* year;
  const char* issued_on;
  const char* valid_until;
  const char* holder;
  const char* holder_text;
  const char* footer;
};

constexpr VoucherTexts kVoucherRu = {
    "Ваучер действителен",
    "Персональный цифровой сертификат на обучение выдан реестром и действует до %s.",
    "Ваучер действителен: обучение начато",
    "Владелец зачислен на обучение по программе (начало занятий %s).",
    "Ваучер использован",
    "Обучение завершено, организация выдала документ об обучении.",
    "Документ об обучении",
    "Ваучер аннулирован",
    "Ваучер больше не действует: его аннулировал оператор программы.",
    "Срок действия ваучера истёк",
    "Ваучер действовал до конца года выдачи и больше не действует.",
    "Ваучер отозван владельцем",
    "Владелец отказался от ваучера; он больше не действует.",
    "Сведения о ваучере",
    "Номер ваучера",
    "Программа обучения",
    "Код программы",
    "Образовательная организация",
    "Год программы",
    "Дата выдачи",
    "Действует до",
    "Владелец",
    "Ф. И. О. указаны в ваучере у владельца; организация сверяет их с документом, "
    "удостоверяющим личность, при зачислении.",
    "Страница не показывает персональные данные владельца. Ваучер — подписанный документ "
    "(W3C Verifiable Credential); запись о его выдаче есть в публичном реестре.",
};

constexpr VoucherTexts kVoucherEn = {
    "Voucher valid",
    "A personal digital training voucher issued by the registry, valid until %s.",
    "Voucher valid: training started",
    "The holder is enrolled on the programme (classes start %s).",
    "Voucher used",
    "Training is complete and the provider has issued the completion certificate.",
    "Completion certificate",
    "Voucher annulled",
    "The voucher is no longer valid: the programme operator annulled it.",
    "Voucher expired",
    "The voucher was valid until the end of the year it was issued in.",
    "Voucher withdrawn by its holder",
    "The holder gave the voucher up; it is no longer valid.",
    "Voucher",
    "Voucher number",
    "Training programme",
    "Programme code",
    "Education provider",
    "Programme year",
    "Date of issue",
    "Valid until",
    "Holder",
    "The holder's name is printed on the voucher they hold; the provider checks it against an "
    "identity document at enrolment.",
    "This page shows none of the holder's personal data. The voucher is a signed W3C Verifiable "
    "Credential; its issuance is recorded in the public ledger.",
};

// "31.12.2026 23:59 (МСК)" / "2026-12-31 23:59 (UTC+03:00)" from an RFC 3339 time
// with an offset; the text itself when it has another shape.
std::string LocalTime(std::string_view rfc3339, Lang lang) {
  if (rfc3339.size() < 16 || rfc3339[10] != 'T') return std::string(rfc3339);
  std::string out = Date(rfc3339.substr(0, 10), lang) + " " + std::string(rfc3339.substr(11, 5));
  const std::string_view zone =
      rfc3339.back() == 'Z' ? std::string_view("Z") : rfc3339.substr(rfc3339.size() - 6);
  if (zone == "+03:00" && lang == Lang::kRu) return out + " (МСК)";
  if (zone == "Z") return out + " UTC";
  return out + " (UTC" + std::string(zone) + ")";
}

}  // namespace

std::string RenderVoucherPage(const registry::model::VoucherPageView& view, Lang lang,
                              const PageOptions& options) {
  using registry::model::VoucherState;
  const Texts& t = lang == Lang::kEn ? kEn : kRu;
  const VoucherTexts& vt = lang == Lang::kEn ? kVoucherEn : kVoucherRu;
  const std::string& registry_name =
      lang == Lang::kEn ? options.registry_name_en : options.registry_name_ru;
  const std::string until = LocalTime(view.valid_until, lang);

  // Banner per state: class, symbol, title, text.
  struct Banner {
    const char *cls, *symbol, *title;
    std::string text;
  };
  const Banner banners[] = {
      {"valid", "&#10003;", vt.issued_title, Format(vt.issued_text, until.c_str())},
      {"valid", "&#10003;", vt.enrolled_title,
       Format(vt.enrolled_text, Date(view.start_date, lang).c_str())},
      {"unknown", "&#10003;", vt.completed_title, vt.completed_text},
      {"revoked", "&#10007;", vt.annulled_title, vt.annulled_text},
      {"warn", "!", vt.expired_title, vt.expired_text},
      {"revoked", "&#10007;", vt.withdrawn_title, vt.withdrawn_text},
  };
  const Banner& b = banners[static_cast<int>(view.state)];

  Page p;
  BeginPage(p, t, b.title, view.code, registry_name);
  p.Banner(b.cls, b.symbol, b.title);
  p.BannerText(b.text);
  if (view.state == VoucherState::kCompleted && !view.certificate_url.empty()) {
    p.Raw("<p>");
    p.Text(vt.certificate_link);
    p.Raw(": ");
    p.Link(view.certificate_url, view.certificate_url);
    p.Raw("</p>");
  }
  p.EndBanner();

  p.Raw("<section class=\"card\"><h2>");
  p.Text(vt.voucher);
  p.Raw("</h2>\n<dl>\n");
  p.Field(vt.code, view.code, "code");
  p.Field(vt.programme, view.programme_title);
  p.Field(vt.programme_code, view.programme_code);
  p.Field(vt.provider, Pick(view.provider_name, lang));
  if (view.year > 0) p.Field(vt.year, std::to_string(view.year));
  p.Field(vt.issued_on, Date(view.issued_on, lang));
  p.Field(vt.valid_until, until);
  p.Field(vt.holder, vt.holder_text);
  p.Raw("</dl></section>\n");

  p.Raw("<footer>");
  p.Text(vt.footer);
  p.Raw("</footer>\n</main>\n</body>\n</html>\n");
  return std::move(p.out());
}

}  // namespace certledger::render
