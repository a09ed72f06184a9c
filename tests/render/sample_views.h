// Sample views shared by the render tests and bench/render_bench.cc: the demo
// certificate of docs/formats.md, its voucher, and pages in each state.
#ifndef CERTLEDGER_TESTS_RENDER_SAMPLE_VIEWS_H_
#define CERTLEDGER_TESTS_RENDER_SAMPLE_VIEWS_H_

#include "registry/model/certificate.h"

namespace certledger::testing {

inline registry::model::IssuerView SampleIssuer() {
  registry::model::IssuerView i;
  i.slug = "demo";
  i.did = "did:web:cert.example.ru:issuers:demo";
  i.name = {"АНО ДПО «Цифровая академия»", "Digital Academy (continuing education)"};
  i.inn = "7707083893";
  i.licence_number = "Л035-01298-77/00179876";
  i.licence_date = "2021-03-15";
  i.status = "active";
  return i;
}

inline registry::model::CertificateView SampleCertificate() {
  registry::model::CertificateView v;
  v.code = "7KQ2-M9XH-4TPA-ZR3C-5";
  v.url = "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5";
  v.document_type = "qualification-upgrade";
  v.document_title = {"Удостоверение о повышении квалификации",
                      "Certificate of continuing professional development"};
  v.issuer = SampleIssuer();
  v.learner_name = "Иванова Мария Сергеевна";
  v.course_code = "DA-101";
  v.course_title = "Анализ данных на Python";
  v.period_start = "2026-03-01";
  v.period_end = "2026-06-28";
  v.hours = 72;
  v.credit_units = 2;
  v.outcomes = {"Готовит и очищает табличные данные с помощью pandas",
                "Строит и интерпретирует статистические модели и визуализации",
                "Автоматизирует отчёты и воспроизводимые исследования в Jupyter"};
  v.competencies = {"ПК-1 Сбор и подготовка данных", "ПК-2 Анализ данных и визуализация"};
  v.points = 87;
  v.max_points = 100;
  v.pass_mark = 60;
  v.grade = {"отлично", "excellent"};
  v.identity_verified_share = 0.4;
  v.identity_method = "online-proctoring";
  v.issue_date = "2026-06-30";
  v.signatory = "Ректор А. В. Петров";
  return v;
}

inline registry::model::VoucherView SampleVoucher() {
  registry::model::VoucherView v;
  v.code = "ABCD-EFGH-JKMN-PQRS-T";
  v.url = "https://cert.example.ru/v/ABCD-EFGH-JKMN-PQRS-T";
  v.holder_name = "Иванова Мария Сергеевна";
  v.programme_code = "DA-101";
  v.programme_title = "Анализ данных на Python";
  v.provider_name = "АНО ДПО «Цифровая академия»";
  v.year = 2026;
  v.valid_until = "31.12.2026 23:59 (МСК)";
  v.issued_on = "2026-03-02";
  return v;
}

// A public page in `state`; the unknown page carries only the code looked up.
inline registry::model::PublicPageView SamplePage(registry::model::CertificateState state) {
  using registry::model::CertificateState;
  registry::model::PublicPageView p;
  p.state = state;
  p.code = "7KQ2-M9XH-4TPA-ZR3C-5";
  if (state == CertificateState::kUnknown) return p;
  p.certificate = SampleCertificate();
  p.ledger_index = 1234;
  p.checkpoint_text =
      "cert.example.ru/ledger\n1240\nqJm3Jm0Q9bUpwJx3v3Jx0m1Yq3h9p0yZb4A1l2c3d4E=\n";
  p.json_url = "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.json";
  p.pdf_url = "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.pdf";
  p.ob3_url = "https://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5.ob3.json";
  if (state == CertificateState::kRevoked) {
    p.revocation_reason = "Выдан ошибочно: слушатель не прошёл итоговую аттестацию";
    p.revoked_at_ms = 1783850400000;  // 2026-07-12T10:00:00Z
  }
  if (state == CertificateState::kSuperseded) {
    p.superseded_by_url = "https://cert.example.ru/v/9MZR-2QXH-TT4A-ZR3C-8";
  }
  if (state == CertificateState::kIssuerSuspended) {
    p.certificate->issuer.status = "suspended";
    p.certificate->issuer.suspended_at_ms = 1785000000000;
  }
  return p;
}

}  // namespace certledger::testing

#endif  // CERTLEDGER_TESTS_RENDER_SAMPLE_VIEWS_H_
