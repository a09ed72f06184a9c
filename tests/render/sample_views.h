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
  v.grade = "отлично";
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

}  // namespace certledger::testing

#endif  // CERTLEDGER_TESTS_RENDER_SAMPLE_VIEWS_H_
