#include "render/pdf.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "crypto/rfc3339.h"
#include "render/internal/pdf_canvas.h"
#include "render/internal/qr.h"

namespace certledger::render {
namespace {

using internal::Face;
using internal::PdfCanvas;
using internal::Rgb;
using registry::model::CertificateView;
using registry::model::VoucherView;

constexpr Rgb kInk{0.10f, 0.10f, 0.12f};
constexpr Rgb kNavy{0.07f, 0.17f, 0.36f};
constexpr Rgb kGray{0.38f, 0.40f, 0.44f};
constexpr Rgb kRule{0.62f, 0.66f, 0.74f};
constexpr Rgb kRed{0.75f, 0.08f, 0.08f};

constexpr float kMargin = 56;  // text block, ~20 mm
constexpr float kLeft = kMargin;
constexpr float kRight = PdfCanvas::kWidth - kMargin;
constexpr float kTextWidth = kRight - kLeft;
constexpr float kLeading = 1.28f;

// "2026-03-01" -> "01.03.2026"; anything else is printed as given.
std::string RuDate(std::string_view iso) {
  if (iso.size() == 10 && iso[4] == '-' && iso[7] == '-') {
    return std::string(iso.substr(8, 2)) + "." + std::string(iso.substr(5, 2)) + "." +
           std::string(iso.substr(0, 4));
  }
  return std::string(iso);
}

// 2 -> "2", 1.5 -> "1,5" (ru) / "1.5" (en), at most two decimals.
std::string Decimal(double v, bool ru) {
  long hundredths = std::lround(v * 100);
  std::string s = std::to_string(hundredths / 100);
  long frac = std::labs(hundredths % 100);
  if (frac != 0) {
    s += ru ? ',' : '.';
    s += char('0' + frac / 10);
    if (frac % 10) s += char('0' + frac % 10);
  }
  return s;
}

std::string IdentityMethodRu(std::string_view m) {
  if (m == "online-proctoring") return "онлайн-прокторинг";
  if (m == "certified-centre") return "аккредитованный центр";
  if (m == "keystroke-dynamics") return "клавиатурный почерк";
  if (m == "biometrics") return "биометрия";
  if (m == "none") return "без подтверждения";
  return std::string(m);
}

std::string UpperRu(std::string_view utf8) {
  std::u32string cps = internal::DecodeUtf8(utf8);
  std::string out;
  for (char32_t cp : cps) {
    if (cp >= U'а' && cp <= U'я')
      cp -= 0x20;
    else if (cp == U'ё')
      cp = U'Ё';
    else if (cp >= 'a' && cp <= 'z')
      cp -= 0x20;
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// Byte offsets of UTF-8 code point starts in `s`, plus s.size().
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> at;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) at.push_back(i);
  }
  at.push_back(s.size());
  return at;
}

// Greedy line breaking at spaces; a word wider than the line is split between
// code points. Never returns a line wider than `width` unless one code point is.
std::vector<std::string> Wrap(const PdfCanvas& c, Face face, float size, std::string_view text,
                              float width) {
  const float space = c.TextWidth(face, size, " ");
  std::vector<std::string> lines;
  std::string line;
  float line_w = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n' && text[j] != '\t') ++j;
    if (j == i) break;
    std::string_view word = text.substr(i, j - i);
    i = j;
    float word_w = c.TextWidth(face, size, word);
    if (!line.empty() && line_w + space + word_w <= width) {
      line += ' ';
      line += word;
      line_w += space + word_w;
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    line_w = 0;
    // Split an over-long word between code points.
    while (word_w > width) {
      std::vector<size_t> at = CodePointStarts(word);
      size_t k = 1;
      while (k + 1 < at.size() && c.TextWidth(face, size, word.substr(0, at[k + 1])) <= width) ++k;
      lines.emplace_back(word.substr(0, at[k]));
      word.remove_prefix(at[k]);
      word_w = c.TextWidth(face, size, word);
    }
    line = std::string(word);
    line_w = word_w;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

// Cuts `line` so that it plus "…" fits `width`.
std::string Ellipsize(const PdfCanvas& c, Face face, float size, std::string line, float width) {
  while (!line.empty() && c.TextWidth(face, size, line + "…") > width) {
    std::vector<size_t> at = CodePointStarts(line);
    line.erase(at[at.size() - 2]);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "…";
}

struct Fitted {
  float size = 0;
  std::vector<std::string> lines;
};

// The largest size in [min_size, max_size] (0.5 pt steps) at which `text` wraps
// into at most `max_lines` lines of `width`; at min_size, cut with "…".
Fitted Fit(const PdfCanvas& c, Face face, std::string_view text, float width, float max_size,
           float min_size, size_t max_lines) {
  Fitted f;
  for (float s = max_size; s >= min_size - 0.01f; s -= 0.5f) {
    f.size = s;
    f.lines = Wrap(c, face, s, text, width);
    if (f.lines.size() <= max_lines) return f;
  }
  f.size = min_size;
  f.lines = Wrap(c, face, min_size, text, width);
  if (f.lines.size() > max_lines) {
    f.lines.resize(max_lines);
    f.lines.back() = Ellipsize(c, face, min_size, f.lines.back(), width);
  }
  return f;
}

enum class Align { kLeft, kCenter, kRight };

// A top-down cursor over the page.
class Flow {
 public:
  Flow(PdfCanvas* c, float top) : c_(c), y_(top) {}
  float y() const { return y_; }
  void Skip(float h) { y_ -= h; }

  // Draws the fitted lines at x..x+width, first baseline at y - ascent.
  void Lines(const Fitted& f, Face face, float x, float width, Align align, Rgb color) {
    for (const std::string& line : f.lines) {
      y_ -= f.size;
      float w = c_->TextWidth(face, f.size, line);
      float lx = align == Align::kLeft     ? x
                 : align == Align::kCenter ? x + (width - w) / 2
                                           : x + width - w;
      c_->Text(face, f.size, lx, y_, line, color);
      y_ -= f.size * (kLeading - 1);
    }
  }
  void Block(std::string_view text, Face face, float max_size, float min_size, size_t max_lines,
             Align align, Rgb color, float x = kLeft, float width = kTextWidth) {
    if (text.empty()) return;
    Lines(Fit(*c_, face, text, width, max_size, min_size, max_lines), face, x, width, align, color);
  }
  void Rule(float width = 0.6f, Rgb color = kRule) {
    c_->Line(kLeft, y_, kRight, y_, width, color);
  }

 private:
  PdfCanvas* c_;
  float y_;
};

// Two double frames around the page, as on printed forms.
void DrawFrame(PdfCanvas* c) {
  c->StrokeRect(22, 22, PdfCanvas::kWidth - 44, PdfCanvas::kHeight - 44, 1.6f, kNavy);
  c->StrokeRect(27, 27, PdfCanvas::kWidth - 54, PdfCanvas::kHeight - 54, 0.5f, kNavy);
}

// Draws the QR code of `url` with its bottom-right corner at (right, bottom),
// each module `module` points, and returns its side.
Result<float> DrawQr(PdfCanvas* c, std::string_view url, float right, float bottom, float side) {
  CERTLEDGER_ASSIGN_OR_RETURN(internal::QrMatrix qr, internal::EncodeQr(url));
  const float module = side / float(qr.size);
  std::vector<int> runs;  // {x, y, w, h} in modules, y upwards
  for (int y = 0; y < qr.size; ++y) {
    int x = 0;
    while (x < qr.size) {
      if (!qr.At(x, y)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < qr.size && qr.At(end, y)) ++end;
      // Row y counts from the top; PDF y grows upwards.
      runs.insert(runs.end(), {x, qr.size - 1 - y, end - x, 1});
      x = end;
    }
  }
  c->FillGrid(right - side, bottom, module, runs, {0, 0, 0});
  return side;
}

// Key-value rows: a grey bilingual label column and a value column.
class Table {
 public:
  Table(PdfCanvas* c, Flow* flow) : c_(c), flow_(flow) {}
  void Row(std::string_view label_ru, std::string_view label_en, std::string_view value,
           std::string_view value_en = {}) {
    constexpr float kLabelWidth = 150;
    float top = flow_->y();
    Flow left(c_, top);
    left.Block(label_ru, Face::kRegular, 9, 7, 2, Align::kLeft, kGray, kLeft, kLabelWidth - 8);
    left.Block(label_en, Face::kRegular, 7.5f, 6, 1, Align::kLeft, kGray, kLeft, kLabelWidth - 8);
    Flow right(c_, top);
    right.Block(value, Face::kBold, 10, 7.5f, 2, Align::kLeft, kInk, kLeft + kLabelWidth,
                kTextWidth - kLabelWidth);
    right.Block(value_en, Face::kRegular, 8, 6.5f, 1, Align::kLeft, kGray, kLeft + kLabelWidth,
                kTextWidth - kLabelWidth);
    flow_->Skip(top - std::min(left.y(), right.y()) + 5);
  }

 private:
  PdfCanvas* c_;
  Flow* flow_;
};

// The URL for manual entry: one line, shrunk down to 5.5 pt; else two lines
// broken after the last '/', so the registration code stays whole.
void DrawUrl(PdfCanvas* c, std::string_view url, float top, float x, float width, Align align) {
  Flow flow(c, top);
  Fitted one = Fit(*c, Face::kRegular, url, width, 8, 5.5f, 1);
  if (c->TextWidth(Face::kRegular, one.size, url) <= width) {
    flow.Lines(one, Face::kRegular, x, width, align, kInk);
    return;
  }
  size_t slash = url.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == url.size()) {
    flow.Block(url, Face::kRegular, 7, 5.5f, 2, align, kInk, x, width);
    return;
  }
  Fitted head = Fit(*c, Face::kRegular, url.substr(0, slash + 1), width, 7, 5, 2);
  Fitted tail = Fit(*c, Face::kRegular, url.substr(slash + 1), width, head.size, 5, 1);
  head.size = tail.size = std::min(head.size, tail.size);
  flow.Lines(head, Face::kRegular, x, width, align, kInk);
  flow.Lines(tail, Face::kRegular, x, width, align, kInk);
}

Result<std::shared_ptr<const FontSet>> FontsFor(const PdfOptions& options) {
  if (options.fonts) return options.fonts;
  return FontSet::LoadDefault();
}

int64_t DefaultCreated(const PdfOptions& options, std::string_view date) {
  if (options.created_at_ms) return *options.created_at_ms;
  auto days = crypto::ParseDate(date);
  return days.ok() ? *days * 86400000 : 0;
}

// Outcomes and competencies in the space between `top` and `bottom`: the largest
// size from 9.5 down to 7 pt at which everything fits, else cut at 7 pt with a
// pointer to the electronic version.
void DrawOutcomes(PdfCanvas* c, const CertificateView& v, float top, float bottom) {
  if (v.outcomes.empty() && v.competencies.empty()) return;
  std::string competencies;
  for (const std::string& s : v.competencies) {
    if (!competencies.empty()) competencies += "; ";
    competencies += s;
  }
  struct Item {
    bool heading;
    std::string text;
    bool bullet = false;
  };
  std::vector<Item> items;
  if (!v.outcomes.empty()) {
    items.push_back({true, "Результаты обучения / Learning outcomes"});
    for (const std::string& o : v.outcomes) items.push_back({false, o, true});
  }
  if (!competencies.empty()) {
    items.push_back({true, "Компетенции / Competencies"});
    items.push_back({false, competencies});
  }
  constexpr float kIndent = 12;
  const std::string kCut = "… полный перечень — в электронной версии / see the electronic version";
  for (float size = 9.5f;; size -= 0.5f) {
    const bool last_try = size <= 7.0f;
    const float line_h = size * kLeading;
    // Lay out every line first, then draw only if it fits (or cut at 7 pt).
    struct Line {
      Face face;
      float x;
      std::string text;
      bool bullet;
      float gap_before;
    };
    std::vector<Line> lines;
    for (const Item& it : items) {
      if (it.heading) {
        float gap = lines.empty() ? 0 : line_h * 0.5f;
        for (auto& l : Wrap(*c, Face::kBold, size, it.text, kTextWidth)) {
          lines.push_back({Face::kBold, kLeft, l, false, gap});
          gap = 0;
        }
      } else {
        bool first = true;
        for (auto& l : Wrap(*c, Face::kRegular, size, it.text, kTextWidth - kIndent)) {
          lines.push_back({Face::kRegular, kLeft + kIndent, l, first && it.bullet, 0});
          first = false;
        }
      }
    }
    auto height = [&](size_t n) {
      float h = 0;
      for (size_t i = 0; i < n; ++i) h += line_h + lines[i].gap_before;
      return h;
    };
    const float avail = top - bottom;
    bool cut = false;
    if (height(lines.size()) > avail) {
      if (!last_try) continue;
      cut = true;
      size_t keep = lines.size();
      while (keep > 0 && height(keep) + line_h > avail) --keep;
      lines.resize(keep);
    }
    float y = top;
    for (const Line& l : lines) {
      y -= line_h + l.gap_before;
      if (l.bullet) c->Text(Face::kRegular, size, kLeft + 2, y, "•", kNavy);
      c->Text(l.face, size, l.x, y, l.text, l.face == Face::kBold ? kNavy : kInk);
    }
    if (cut && avail >= line_h) {
      Fitted note = Fit(*c, Face::kRegular, kCut, kTextWidth - kIndent, size, 5, 1);
      c->Text(Face::kRegular, note.size, kLeft + kIndent, y - line_h, note.lines[0], kGray);
    }
    return;
  }
}

enum class Kind { kCertificate, kDraft };

Result<std::string> CertificateLayout(const CertificateView& v, const PdfAttachments* attachments,
                                      const PdfOptions& options, Kind kind) {
  if (v.learner_name.empty() || v.course_title.empty() ||
      (kind == Kind::kCertificate && (v.code.empty() || v.url.empty()))) {
    return Status::InvalidArgument("render.invalid-view",
                                   "a certificate needs code, url, learner_name and course_title");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(auto fonts, FontsFor(options));
  CERTLEDGER_ASSIGN_OR_RETURN(std::unique_ptr<PdfCanvas> canvas, PdfCanvas::Create(*fonts));
  PdfCanvas* c = canvas.get();
  const bool draft = kind == Kind::kDraft;
  DrawFrame(c);

  Flow flow(c, PdfCanvas::kHeight - 50);
  if (draft) {
    flow.Block(
        "ОБРАЗЕЦ / DRAFT — документ не выдан, проверьте написание / not issued, check the "
        "spelling",
        Face::kBold, 8.5f, 6.5f, 2, Align::kCenter, kRed);
    flow.Skip(4);
  }
  // Issuer.
  flow.Block(v.issuer.name.ru, Face::kBold, 12.5f, 7.5f, 4, Align::kCenter, kNavy);
  if (!v.issuer.name.en.empty() && v.issuer.name.en != v.issuer.name.ru) {
    flow.Block(v.issuer.name.en, Face::kRegular, 8.5f, 7, 1, Align::kCenter, kGray);
  }
  std::string licence;
  if (!v.issuer.licence_number.empty()) {
    licence = "Лицензия на образовательную деятельность № " + v.issuer.licence_number;
    if (!v.issuer.licence_date.empty()) licence += " от " + RuDate(v.issuer.licence_date);
  }
  if (!v.issuer.inn.empty()) licence += (licence.empty() ? "" : " · ") + ("ИНН " + v.issuer.inn);
  flow.Skip(2);
  flow.Block(licence, Face::kRegular, 8, 6.5f, 2, Align::kCenter, kGray);
  flow.Skip(8);
  flow.Rule(0.8f, kNavy);
  flow.Skip(22);

  // Document type and number.
  flow.Block(UpperRu(v.document_title.ru.empty() ? "Документ об обучении" : v.document_title.ru),
             Face::kBold, 19, 12, 2, Align::kCenter, kNavy);
  flow.Skip(1);
  flow.Block(v.document_title.en, Face::kRegular, 10, 8, 1, Align::kCenter, kGray);
  flow.Skip(8);
  flow.Block("Регистрационный номер / Registration No. " + (v.code.empty() ? "—" : v.code),
             Face::kBold, 10.5f, 8, 1, Align::kCenter, kInk);
  flow.Skip(24);

  // The learner and the programme.
  flow.Block("Настоящим удостоверяется, что / This is to certify that", Face::kRegular, 9.5f, 8, 1,
             Align::kCenter, kGray);
  flow.Skip(10);
  // A person's name is never cut: up to three lines, down to 10 pt.
  flow.Block(v.learner_name, Face::kBold, 24, 10, 3, Align::kCenter, kInk);
  flow.Skip(10);
  flow.Block("в период с " + RuDate(v.period_start) + " по " + RuDate(v.period_end) +
                 " прошёл(-ла) обучение по дополнительной профессиональной программе",
             Face::kRegular, 10, 8, 2, Align::kCenter, kInk);
  flow.Block("completed the continuing professional education programme, " +
                 RuDate(v.period_start) + " – " + RuDate(v.period_end),
             Face::kRegular, 8, 6.5f, 1, Align::kCenter, kGray);
  flow.Skip(8);
  flow.Block("«" + v.course_title + "»", Face::kBold, 15, 8.5f, 4, Align::kCenter, kNavy);
  if (!v.course_code.empty()) {
    flow.Skip(2);
    flow.Block("Код программы / Programme code: " + v.course_code, Face::kRegular, 8, 7, 1,
               Align::kCenter, kGray);
  }
  flow.Skip(16);
  flow.Rule();
  flow.Skip(10);

  // Facts.
  Table table(c, &flow);
  table.Row("Объём программы", "Workload",
            std::to_string(v.hours) + " ак. ч. (" + Decimal(v.credit_units, true) + " з. е.)",
            std::to_string(v.hours) + " academic hours (" + Decimal(v.credit_units, false) +
                " credit units)");
  std::string result = std::to_string(v.points) + " из " + std::to_string(v.max_points) +
                       " баллов (проходной балл " + std::to_string(v.pass_mark) + ")";
  std::string result_en = std::to_string(v.points) + " of " + std::to_string(v.max_points) +
                          " points (pass mark " + std::to_string(v.pass_mark) + ")";
  if (!v.grade.ru.empty()) result += ", «" + v.grade.ru + "»";
  if (!v.grade.en.empty()) result_en += ", \"" + v.grade.en + "\"";
  table.Row("Итоговая аттестация", "Final assessment", result, result_en);
  table.Row("Подтверждение личности", "Identity-verified share",
            Decimal(v.identity_verified_share * 100, true) + " % итоговой оценки, " +
                IdentityMethodRu(v.identity_method),
            Decimal(v.identity_verified_share * 100, false) + " % of the final grade, " +
                v.identity_method);
  table.Row("Дата выдачи", "Date of issue", RuDate(v.issue_date));
  flow.Skip(4);

  // The bottom block (signature, QR) is fixed; outcomes get what is left.
  constexpr float kQrSide = 92;
  constexpr float kBottom = 44;
  constexpr float kBlockTop = kBottom + 150;
  DrawOutcomes(c, v, flow.y(), kBlockTop);

  // Signature.
  const float sig_y = kBottom + 92;
  c->Line(kLeft, sig_y, kLeft + 230, sig_y, 0.6f, kInk);
  {
    Flow sig(c, sig_y - 3);
    sig.Block(v.signatory.empty() ? "Руководитель организации" : v.signatory, Face::kRegular, 9,
              6.5f, 3, Align::kLeft, kInk, kLeft, 230);
    sig.Block("подпись / signature", Face::kRegular, 7, 6, 1, Align::kLeft, kGray, kLeft, 230);
  }
  {
    Flow note(c, kBottom + 38);
    note.Block(draft ? "Образец для проверки данных. Не является документом об обучении и не "
                       "внесён в реестр. / Preview only: not a certificate, not in the ledger."
                     : "Документ подписан электронной подписью организации и внесён в публичный "
                       "реестр; подлинность проверяется по QR-коду. / Signed by the issuer and "
                       "recorded in the public ledger; scan the QR code to verify.",
               Face::kRegular, 7, 6, 4, Align::kLeft, kGray, kLeft, 255);
  }

  // QR and its URL, or the draft's placeholder.
  const float qr_bottom = kBottom + 22;
  if (!draft) {
    CERTLEDGER_RETURN_IF_ERROR(DrawQr(c, v.url, kRight, qr_bottom, kQrSide));
    DrawUrl(c, v.url, qr_bottom - 4, kRight - 225, 225, Align::kRight);
    Flow over(c, qr_bottom + kQrSide + 14);
    over.Block("Проверить / Verify", Face::kBold, 7.5f, 6, 1, Align::kRight, kGray, kRight - 220,
               220);
  } else {
    c->StrokeRect(kRight - kQrSide, qr_bottom, kQrSide, kQrSide, 0.6f, kRule);
    Flow inside(c, qr_bottom + kQrSide - 18);
    inside.Block("QR-код появится после выдачи / QR code once issued", Face::kRegular, 7, 6, 4,
                 Align::kCenter, kGray, kRight - kQrSide + 6, kQrSide - 12);
  }

  if (draft) {
    // Across the page, behind nothing: readable text stays readable through it.
    const std::string mark = "ОБРАЗЕЦ / DRAFT";
    const float size = 64;
    const float w = c->TextWidth(Face::kBold, size, mark);
    const float angle = 40;
    const double rad = angle * M_PI / 180;
    const float cx = PdfCanvas::kWidth / 2, cy = PdfCanvas::kHeight / 2;
    c->RotatedText(Face::kBold, size, cx - float(std::cos(rad) * w / 2 - std::sin(rad) * size / 3),
                   cy - float(std::sin(rad) * w / 2 + std::cos(rad) * size / 3), angle, mark, kRed,
                   0.16f);
  }

  const int64_t created = DefaultCreated(options, v.issue_date);
  const std::string title =
      (v.document_title.ru.empty() ? std::string("Документ об обучении") : v.document_title.ru) +
      (v.code.empty() ? "" : " № " + v.code) + (draft ? " (образец / draft)" : "");
  c->SetInfo(title, v.issuer.name.ru, v.learner_name + " — " + v.course_title, created);
  if (!draft && attachments) {
    if (!attachments->credential_json.empty()) {
      c->Attach(
          "credential.json", "application/json",
          "Подписанный электронный документ (W3C VC 2.0, Open Badges 3.0) / signed credential",
          attachments->credential_json, created);
    }
    if (!attachments->receipt_json.empty()) {
      c->Attach("receipt.json", "application/json",
                "Квитанция публичного реестра / ledger inclusion receipt",
                attachments->receipt_json, created);
    }
  }
  return c->Finish();
}

}  // namespace

Result<std::string> RenderCertificatePdf(const CertificateView& view,
                                         const PdfAttachments& attachments,
                                         const PdfOptions& options) {
  return CertificateLayout(view, &attachments, options, Kind::kCertificate);
}

Result<std::string> RenderDraftPdf(const CertificateView& view, const PdfOptions& options) {
  return CertificateLayout(view, nullptr, options, Kind::kDraft);
}

Result<std::string> RenderVoucherPdf(const VoucherView& v, const PdfOptions& options) {
  if (v.code.empty() || v.url.empty() || v.holder_name.empty()) {
    return Status::InvalidArgument("render.invalid-view",
                                   "a voucher needs code, url and holder_name");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(auto fonts, FontsFor(options));
  CERTLEDGER_ASSIGN_OR_RETURN(std::unique_ptr<PdfCanvas> canvas, PdfCanvas::Create(*fonts));
  PdfCanvas* c = canvas.get();
  DrawFrame(c);
  Flow flow(c, PdfCanvas::kHeight - 56);
  flow.Block("Программа персональных цифровых сертификатов на обучение", Face::kBold, 11, 8, 2,
             Align::kCenter, kNavy);
  flow.Block("Personal digital training voucher programme", Face::kRegular, 8.5f, 7, 1,
             Align::kCenter, kGray);
  flow.Skip(8);
  flow.Rule(0.8f, kNavy);
  flow.Skip(30);
  flow.Block("СЕРТИФИКАТ НА ОБУЧЕНИЕ", Face::kBold, 22, 14, 1, Align::kCenter, kNavy);
  flow.Block("Training voucher " + (v.year > 0 ? std::to_string(v.year) : std::string()),
             Face::kRegular, 10, 8, 1, Align::kCenter, kGray);
  flow.Skip(10);
  flow.Block("№ " + v.code, Face::kBold, 14, 9, 1, Align::kCenter, kInk);
  flow.Skip(30);
  flow.Block("Владелец / Holder", Face::kRegular, 9.5f, 8, 1, Align::kCenter, kGray);
  flow.Skip(6);
  flow.Block(v.holder_name, Face::kBold, 22, 13, 2, Align::kCenter, kInk);
  flow.Skip(26);
  flow.Rule();
  flow.Skip(10);
  Table table(c, &flow);
  std::string programme = v.programme_title;
  if (!v.programme_code.empty()) programme += " (" + v.programme_code + ")";
  if (!programme.empty()) table.Row("Программа обучения", "Programme", programme);
  if (!v.provider_name.empty())
    table.Row("Образовательная организация", "Provider", v.provider_name);
  if (v.year > 0) table.Row("Год программы", "Programme year", std::to_string(v.year));
  if (!v.issued_on.empty()) table.Row("Дата выдачи", "Issued on", RuDate(v.issued_on));
  table.Row("Действителен до", "Valid until", v.valid_until.empty() ? "—" : v.valid_until);
  flow.Skip(10);
  flow.Block(
      "Предъявите сертификат образовательной организации при зачислении. Сертификат "
      "действует до конца календарного года выдачи; если вы не зачислены в установленный "
      "срок, он может быть аннулирован.",
      Face::kRegular, 9, 7, 4, Align::kLeft, kInk);
  flow.Block(
      "Present this voucher to the provider when you enrol. It is valid until the end of "
      "the calendar year of issue and may be annulled if you do not enrol in time.",
      Face::kRegular, 8, 6.5f, 3, Align::kLeft, kGray);

  constexpr float kQrSide = 110;
  const float qr_bottom = 70;
  const float qr_right = PdfCanvas::kWidth / 2 + kQrSide / 2;
  CERTLEDGER_RETURN_IF_ERROR(DrawQr(c, v.url, qr_right, qr_bottom, kQrSide));
  DrawUrl(c, v.url, qr_bottom - 4, kLeft, kTextWidth, Align::kCenter);
  Flow over(c, qr_bottom + kQrSide + 16);
  over.Block("Статус сертификата / Voucher status", Face::kBold, 8, 6, 1, Align::kCenter, kGray);

  const int64_t created = DefaultCreated(options, v.issued_on);
  c->SetInfo("Сертификат на обучение № " + v.code, "certledger", v.programme_title, created);
  return c->Finish();
}

}  // namespace certledger::render
