#include "verifier/report.h"

#include <algorithm>
#include <cctype>

#include "crypto/rfc3339.h"

namespace certledger::verifier {

std::optional<Lang> ParseLang(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "en") return Lang::kEn;
  if (lower == "ru") return Lang::kRu;
  return std::nullopt;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
    case Verdict::kRevoked:
      return "revoked";
    case Verdict::kExpired:
      return "expired";
    case Verdict::kIssuerSuspended:
      return "issuer-suspended";
    case Verdict::kCouldNotCheck:
      return "could-not-check";
  }
  return "could-not-check";
}

Text VerdictText(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return {"VALID: every check passed", "ДЕЙСТВИТЕЛЕН: все проверки пройдены"};
    case Verdict::kInvalid:
      return {"INVALID: the signature, the key or the data do not verify (forged or tampered)",
              "НЕДЕЙСТВИТЕЛЕН: подпись, ключ или данные не проходят проверку (подделка или "
              "изменение)"};
    case Verdict::kRevoked:
      return {"REVOKED by the issuer", "ОТОЗВАН выдавшей организацией"};
    case Verdict::kExpired:
      return {"EXPIRED or not yet valid", "СРОК ДЕЙСТВИЯ истёк или ещё не наступил"};
    case Verdict::kIssuerSuspended:
      return {"ISSUER SUSPENDED in the registry",
              "ДЕЯТЕЛЬНОСТЬ ОРГАНИЗАЦИИ ПРИОСТАНОВЛЕНА в реестре"};
    case Verdict::kCouldNotCheck:
      return {"COULD NOT CHECK: some checks could not be completed; this is NOT a confirmation",
              "ПРОВЕРКА НЕ ЗАВЕРШЕНА: часть проверок выполнить не удалось; это НЕ подтверждение"};
  }
  return {};
}

std::string_view CheckIdName(CheckId id) {
  switch (id) {
    case CheckId::kStructure:
      return "structure";
    case CheckId::kProof:
      return "proof";
    case CheckId::kKey:
      return "key";
    case CheckId::kIssuer:
      return "issuer";
    case CheckId::kValidity:
      return "validity";
    case CheckId::kStatus:
      return "status";
    case CheckId::kReceipt:
      return "receipt";
    case CheckId::kConsistency:
      return "consistency";
  }
  return "";
}

Text CheckIdText(CheckId id) {
  switch (id) {
    case CheckId::kStructure:
      return {"Structure and contexts", "Структура и контексты"};
    case CheckId::kProof:
      return {"Signature (eddsa-jcs-2022)", "Подпись (eddsa-jcs-2022)"};
    case CheckId::kKey:
      return {"Signing key", "Ключ подписи"};
    case CheckId::kIssuer:
      return {"Issuer", "Выдавшая организация"};
    case CheckId::kValidity:
      return {"Validity period", "Срок действия"};
    case CheckId::kStatus:
      return {"Revocation status", "Статус (отзыв)"};
    case CheckId::kReceipt:
      return {"Ledger receipt", "Квитанция журнала"};
    case CheckId::kConsistency:
      return {"Ledger consistency", "Согласованность журнала"};
  }
  return {};
}

std::string_view CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPassed:
      return "passed";
    case CheckStatus::kFailed:
      return "failed";
    case CheckStatus::kCouldNotCheck:
      return "could-not-check";
    case CheckStatus::kNotApplicable:
      return "not-applicable";
  }
  return "could-not-check";
}

const Check* Report::Find(CheckId id) const {
  for (const Check& c : checks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

Verdict ComputeVerdict(const std::vector<Check>& checks) {
  // Priority of failures: the most serious first.
  static constexpr Verdict kOrder[] = {Verdict::kInvalid, Verdict::kRevoked,
                                       Verdict::kIssuerSuspended, Verdict::kExpired};
  for (Verdict v : kOrder) {
    for (const Check& c : checks) {
      if (c.status == CheckStatus::kFailed && c.failure == v) return v;
    }
  }
  for (const Check& c : checks) {
    if (c.status == CheckStatus::kFailed) return Verdict::kInvalid;  // defensive
  }
  for (const Check& c : checks) {
    if (c.status == CheckStatus::kCouldNotCheck) return Verdict::kCouldNotCheck;
  }
  return Verdict::kValid;
}

Json ReportToJson(const Report& r) {
  Json checks = Json::array();
  for (const Check& c : r.checks) {
    checks.push_back({{"id", CheckIdName(c.id)},
                      {"status", CheckStatusName(c.status)},
                      {"slug", c.slug},
                      {"reason", {{"en", c.reason.en}, {"ru", c.reason.ru}}}});
  }
  Text vt = VerdictText(r.verdict);
  Json out = {{"verdict", VerdictName(r.verdict)},
              {"exitCode", r.ExitCode()},
              {"verdictText", {{"en", vt.en}, {"ru", vt.ru}}},
              {"credential", {{"id", r.credential_id}, {"issuer", r.issuer}, {"type", r.types}}},
              {"checkedAt", crypto::FormatRfc3339(r.checked_at_ms)},
              {"checks", std::move(checks)}};
  if (!r.verification_method.empty()) {
    out["proof"] = {{"verificationMethod", r.verification_method}, {"created", r.proof_created}};
  }
  Json ledger = Json::object();
  if (r.ledger_index) ledger["index"] = *r.ledger_index;
  if (r.checkpoint_size) ledger["checkpointSize"] = *r.checkpoint_size;
  if (r.newest_checkpoint_size) ledger["newestCheckpointSize"] = *r.newest_checkpoint_size;
  if (!ledger.empty()) out["ledger"] = std::move(ledger);
  return out;
}

namespace {

std::string_view StatusLabel(CheckStatus s, Lang lang) {
  bool ru = lang == Lang::kRu;
  switch (s) {
    case CheckStatus::kPassed:
      return ru ? "пройдена" : "passed";
    case CheckStatus::kFailed:
      return ru ? "НЕ ПРОЙДЕНА" : "FAILED";
    case CheckStatus::kCouldNotCheck:
      return ru ? "не удалось проверить" : "could not check";
    case CheckStatus::kNotApplicable:
      return ru ? "не применяется" : "not applicable";
  }
  return "";
}

std::string_view Mark(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPassed:
      return "[ok]  ";
    case CheckStatus::kFailed:
      return "[FAIL]";
    case CheckStatus::kCouldNotCheck:
      return "[??]  ";
    case CheckStatus::kNotApplicable:
      return "[--]  ";
  }
  return "";
}

}  // namespace

std::string ReportToText(const Report& r, Lang lang) {
  bool ru = lang == Lang::kRu;
  std::string out;
  out += VerdictText(r.verdict).In(lang);
  out += " (";
  out += ru ? "код " : "exit ";
  out += std::to_string(r.ExitCode());
  out += ")\n";
  if (!r.credential_id.empty()) {
    out += ru ? "  документ:    " : "  credential:  ";
    out += r.credential_id + "\n";
  }
  if (!r.issuer.empty()) {
    out += ru ? "  выдал:       " : "  issuer:      ";
    out += r.issuer + "\n";
  }
  out += ru ? "  проверено:   " : "  checked at:  ";
  out += crypto::FormatRfc3339(r.checked_at_ms) + "\n";
  for (const Check& c : r.checks) {
    out += "  ";
    out += Mark(c.status);
    out += " ";
    out += CheckIdText(c.id).In(lang);
    out += ": ";
    out += StatusLabel(c.status, lang);
    const std::string& why = c.reason.In(lang);
    if (!why.empty()) {
      out += " — ";
      out += why;
    }
    out += "\n";
  }
  return out;
}

}  // namespace certledger::verifier
