#include "verifier/credit_check.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "crypto/data_integrity.h"
#include "verifier/trust_source.h"
#include "verifier/verifier.h"

namespace certledger::verifier {
namespace {

// Tolerance for comparisons of shares and percents written as decimals.
constexpr double kEps = 1e-9;

Status Invalid(const std::string& field, const std::string& msg) {
  return Status::InvalidArgument("policy.invalid", "policy: " + field + ": " + msg)
      .WithField(field);
}

const Json* Obj(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return nullptr;
  return &j[key];
}

std::string Num(double d) {
  if (!std::isfinite(d)) return "?";
  return crypto::FormatEcmaNumber(std::round(d * 100) / 100);
}

std::optional<double> ParseNumber(const Json& j) {
  if (j.is_number()) return j.get<double>();
  if (!j.is_string()) return std::nullopt;
  std::string s = j.get<std::string>();
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

Result<std::vector<std::string>> StringList(const Json& j, const std::string& field) {
  if (!j.is_array()) return Invalid(field, "must be an array of strings");
  std::vector<std::string> out;
  for (const Json& e : j) {
    if (!e.is_string()) return Invalid(field, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<double> Number(const Json& j, const std::string& field) {
  if (!j.is_number()) return Invalid(field, "must be a number");
  return j.get<double>();
}

const std::set<std::string>& KnownRequirements() {
  static const std::set<std::string> k = {
      kReqVerified,        kReqDocumentType, kReqIdentityVerification,
      kReqLearnerIdentity, kReqIssuer,       kReqCourse,
      kReqPeriod,          kReqWorkload,     kReqOutcomes,
      kReqAssessment,      kReqGrade,        kReqElectronicVersion};
  return k;
}

Requirement Req(const char* id, RequirementStatus s, std::string en, std::string ru) {
  return Requirement{id, s, true, Text{std::move(en), std::move(ru)}};
}

}  // namespace

std::string_view RequirementStatusName(RequirementStatus s) {
  switch (s) {
    case RequirementStatus::kPassed:
      return "passed";
    case RequirementStatus::kFailed:
      return "failed";
    case RequirementStatus::kMissing:
      return "missing";
  }
  return "missing";
}

Result<CreditPolicy> ParsePolicy(const Json& j) {
  CreditPolicy p;
  if (!j.is_object()) return Invalid("/", "the policy must be a JSON object");
  static const std::set<std::string> kKeys = {"type",
                                              "name",
                                              "minIdentityVerifiedShare",
                                              "acceptedIdentityMethods",
                                              "acceptedDocumentTypes",
                                              "gradeScale",
                                              "hoursPerCreditUnit",
                                              "creditUnitRounding",
                                              "requiredFields",
                                              "trustedHosts",
                                              "description"};
  for (const auto& [k, v] : j.items()) {
    if (!kKeys.count(k)) return Invalid("/" + k, "unknown policy member");
  }
  if (j.contains("type") && j["type"] != "CertledgerCreditPolicy") {
    return Invalid("/type", "must be \"CertledgerCreditPolicy\"");
  }
  if (j.contains("name")) {
    const Json& n = j["name"];
    if (n.is_string()) {
      p.name = {n.get<std::string>(), n.get<std::string>()};
    } else if (n.is_object()) {
      p.name = {crypto::StringOrEmpty(n, "en"), crypto::StringOrEmpty(n, "ru")};
    } else {
      return Invalid("/name", "must be a string or {\"en\", \"ru\"}");
    }
  }
  if (j.contains("minIdentityVerifiedShare")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.min_identity_share,
                                Number(j["minIdentityVerifiedShare"], "/minIdentityVerifiedShare"));
    if (p.min_identity_share < 0 || p.min_identity_share > 1) {
      return Invalid("/minIdentityVerifiedShare", "must be between 0 and 1 (0.30 = 30 %)");
    }
  }
  if (j.contains("acceptedIdentityMethods")) {
    CERTLEDGER_ASSIGN_OR_RETURN(
        p.accepted_identity_methods,
        StringList(j["acceptedIdentityMethods"], "/acceptedIdentityMethods"));
  }
  if (j.contains("acceptedDocumentTypes")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.accepted_document_types,
                                StringList(j["acceptedDocumentTypes"], "/acceptedDocumentTypes"));
  }
  if (j.contains("gradeScale")) {
    const Json& g = j["gradeScale"];
    if (!g.is_object()) return Invalid("/gradeScale", "must be an object");
    for (const auto& [k, v] : g.items()) {
      if (k != "bands" && k != "passPercent" && k != "source") {
        return Invalid("/gradeScale/" + k, "unknown member");
      }
    }
    if (!g.contains("bands") || !g["bands"].is_array() || g["bands"].empty()) {
      return Invalid("/gradeScale/bands", "must be a non-empty array");
    }
    p.bands.clear();
    std::set<double> seen;
    for (std::size_t i = 0; i < g["bands"].size(); ++i) {
      const Json& b = g["bands"][i];
      std::string f = "/gradeScale/bands/" + std::to_string(i);
      if (!b.is_object() || !b.contains("minPercent") || !b["minPercent"].is_number() ||
          !b.contains("grade") || !b["grade"].is_number_integer()) {
        return Invalid(f, "each band is {\"minPercent\": number, \"grade\": 2..5}");
      }
      GradeBand band{b["minPercent"].get<double>(), b["grade"].get<int>()};
      if (band.min_percent < 0 || band.min_percent > 100) {
        return Invalid(f + "/minPercent", "must be 0..100");
      }
      if (band.grade < 2 || band.grade > 5) return Invalid(f + "/grade", "must be 2..5");
      if (!seen.insert(band.min_percent).second) return Invalid(f, "duplicate minPercent");
      p.bands.push_back(band);
    }
    if (!seen.count(0)) return Invalid("/gradeScale/bands", "a band must start at 0 percent");
    std::sort(p.bands.begin(), p.bands.end(),
              [](const GradeBand& a, const GradeBand& b) { return a.min_percent > b.min_percent; });
    if (g.contains("passPercent")) {
      CERTLEDGER_ASSIGN_OR_RETURN(p.pass_percent,
                                  Number(g["passPercent"], "/gradeScale/passPercent"));
      if (p.pass_percent < 0 || p.pass_percent > 100) {
        return Invalid("/gradeScale/passPercent", "must be 0..100");
      }
    } else {
      // Pass from the lowest band graded 3 or better.
      p.pass_percent = 100;
      for (const GradeBand& b : p.bands) {
        if (b.grade >= 3) p.pass_percent = std::min(p.pass_percent, b.min_percent);
      }
    }
  }
  if (j.contains("hoursPerCreditUnit")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.hours_per_credit_unit,
                                Number(j["hoursPerCreditUnit"], "/hoursPerCreditUnit"));
    if (!(p.hours_per_credit_unit > 0)) return Invalid("/hoursPerCreditUnit", "must be positive");
  }
  if (j.contains("creditUnitRounding")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.credit_unit_rounding,
                                Number(j["creditUnitRounding"], "/creditUnitRounding"));
    if (!(p.credit_unit_rounding > 0)) return Invalid("/creditUnitRounding", "must be positive");
  }
  if (j.contains("requiredFields")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.required_fields,
                                StringList(j["requiredFields"], "/requiredFields"));
    for (const std::string& r : p.required_fields) {
      if (!KnownRequirements().count(r)) {
        return Invalid("/requiredFields", "unknown requirement \"" + r + "\"");
      }
    }
  }
  if (j.contains("trustedHosts")) {
    CERTLEDGER_ASSIGN_OR_RETURN(p.trusted_hosts, StringList(j["trustedHosts"], "/trustedHosts"));
    for (std::string& h : p.trusted_hosts) {
      std::transform(h.begin(), h.end(), h.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
  }
  return p;
}

int MapGrade(double percent, const CreditPolicy& policy) {
  for (const GradeBand& b : policy.bands) {  // descending
    if (percent + kEps >= b.min_percent) return b.grade;
  }
  return 2;
}

Text GradeName(int grade) {
  switch (grade) {
    case 5:
      return {"excellent", "отлично"};
    case 4:
      return {"good", "хорошо"};
    case 3:
      return {"satisfactory", "удовлетворительно"};
    default:
      return {"unsatisfactory", "неудовлетворительно"};
  }
}

int CreditReport::ExitCode() const {
  if (verification.verdict != Verdict::kValid) return verification.ExitCode();
  return met ? 0 : kExitPolicyNotMet;
}

Result<CreditReport> CreditCheck(const Json& c, const Report& verification,
                                 const CreditPolicy& policy, const LearnerClaim* claim) {
  using RS = RequirementStatus;
  CreditReport out;
  out.verification = verification;
  std::vector<Requirement>& reqs = out.requirements;
  static const Json kEmpty = Json::object();
  const Json& cred = c.is_object() ? c : kEmpty;
  const Json* subject = Obj(cred, "credentialSubject");
  if (!subject) subject = &kEmpty;
  const Json* achievement = Obj(*subject, "achievement");
  if (!achievement) achievement = &kEmpty;

  // Verified (regulation 4.2: the certificate must be genuine).
  if (verification.verdict == Verdict::kValid) {
    reqs.push_back(Req(kReqVerified, RS::kPassed, "the credential verified",
                       "документ прошёл проверку подлинности"));
  } else {
    Text v = VerdictText(verification.verdict);
    reqs.push_back(Req(kReqVerified, RS::kFailed, v.en, v.ru));
  }

  // Document type.
  std::string doc_type = crypto::StringOrEmpty(cred, "documentType");
  const auto& types = policy.accepted_document_types;
  if (doc_type.empty()) {
    reqs.push_back(
        Req(kReqDocumentType, RS::kMissing, "no documentType", "вид документа не указан"));
  } else if (!types.empty() && std::find(types.begin(), types.end(), doc_type) == types.end()) {
    reqs.push_back(Req(kReqDocumentType, RS::kFailed,
                       "document type \"" + doc_type + "\" is not accepted by this policy",
                       "вид документа «" + doc_type + "» не принимается"));
  } else {
    reqs.push_back(Req(kReqDocumentType, RS::kPassed, "document type " + doc_type,
                       "вид документа: " + doc_type));
  }

  // Identity verification (regulation 5.2.1: at least 30 % of the grade).
  const Json* iv = Obj(*subject, "identityVerification");
  std::optional<double> share_opt =
      iv && iv->contains("share") ? ParseNumber((*iv)["share"]) : std::nullopt;
  const double share = share_opt.value_or(0);
  std::string method = iv ? crypto::StringOrEmpty(*iv, "method") : "";
  std::string min_pct = Num(policy.min_identity_share * 100);
  if (!share_opt) {
    reqs.push_back(Req(kReqIdentityVerification, RS::kMissing,
                       "the identity-verified share of the grade is not stated",
                       "доля мероприятий с идентификацией личности не указана"));
  } else if (share + kEps < policy.min_identity_share) {
    reqs.push_back(
        Req(kReqIdentityVerification, RS::kFailed,
            "identity-verified share " + Num(share * 100) + " % is below " + min_pct + " %",
            "доля мероприятий с идентификацией личности " + Num(share * 100) + " % — меньше " +
                min_pct + " %"));
  } else if (method.empty() || method == "none" ||
             std::find(policy.accepted_identity_methods.begin(),
                       policy.accepted_identity_methods.end(),
                       method) == policy.accepted_identity_methods.end()) {
    reqs.push_back(Req(kReqIdentityVerification, RS::kFailed,
                       "identity-verification method \"" + method + "\" is not accepted",
                       "способ идентификации личности «" + method + "» не принимается"));
  } else {
    reqs.push_back(Req(kReqIdentityVerification, RS::kPassed,
                       Num(share * 100) + " % of the grade with identity verification (" + method +
                           "), at least " + min_pct + " % required",
                       Num(share * 100) + " % итоговой оценки — с идентификацией личности (" +
                           method + "), требуется не менее " + min_pct + " %"));
  }

  // Learner identity (regulation 5.4).
  std::string learner;
  if (subject->contains("identifier") && (*subject)["identifier"].is_array()) {
    for (const Json& id : (*subject)["identifier"]) {
      if (crypto::StringOrEmpty(id, "identityType") == "name" && id.contains("hashed") &&
          id["hashed"] == false) {
        learner = crypto::StringOrEmpty(id, "identityHash");
      }
    }
  }
  if (learner.empty()) learner = crypto::StringOrEmpty(*subject, "name");
  if (claim != nullptr) {
    // The hash decides; the name, if any, is reported beside it.
    const IdentityCheck ic = CheckLearnerIdentity(cred, *claim);
    const RS status = ic.result == IdentityResult::kMatches        ? RS::kPassed
                      : ic.result == IdentityResult::kDoesNotMatch ? RS::kFailed
                                                                   : RS::kMissing;
    reqs.push_back(Req(kReqLearnerIdentity, status,
                       (learner.empty() ? "" : "learner: " + learner + "; ") + ic.reason.en,
                       (learner.empty() ? "" : "обучающийся: " + learner + "; ") + ic.reason.ru));
  } else if (learner.empty()) {
    reqs.push_back(Req(kReqLearnerIdentity, RS::kMissing,
                       "the learner is not named (no plain-text name identifier)",
                       "обучающийся не назван (нет ФИО в открытом виде)"));
  } else {
    reqs.push_back(
        Req(kReqLearnerIdentity, RS::kPassed, "learner: " + learner, "обучающийся: " + learner));
  }

  // Issuer.
  std::string issuer = IssuerDid(cred);
  std::string issuer_name =
      Obj(cred, "issuer") ? crypto::StringOrEmpty(cred["issuer"], "name") : "";
  if (issuer.empty() || issuer_name.empty()) {
    reqs.push_back(Req(kReqIssuer, RS::kMissing, "the issuer's name is not stated",
                       "наименование выдавшей организации не указано"));
  } else {
    reqs.push_back(Req(kReqIssuer, RS::kPassed, "issuer: " + issuer_name,
                       "выдавшая организация: " + issuer_name));
  }

  // Course.
  std::string course = crypto::StringOrEmpty(*achievement, "name");
  if (course.empty()) {
    reqs.push_back(
        Req(kReqCourse, RS::kMissing, "the course is not named", "название курса не указано"));
  } else {
    reqs.push_back(Req(kReqCourse, RS::kPassed, "course: " + course, "курс: " + course));
  }

  // Period.
  std::string start = crypto::StringOrEmpty(*subject, "activityStartDate"),
              end = crypto::StringOrEmpty(*subject, "activityEndDate");
  if (start.empty() || end.empty()) {
    reqs.push_back(Req(kReqPeriod, RS::kMissing, "the period of study is not stated",
                       "период обучения не указан"));
  } else {
    auto s = crypto::ParseDateTimeStamp(start), e = crypto::ParseDateTimeStamp(end);
    if (!s.ok() || !e.ok() || *s > *e) {
      reqs.push_back(Req(kReqPeriod, RS::kFailed, "the period of study is invalid",
                         "период обучения указан неверно"));
    } else {
      reqs.push_back(Req(kReqPeriod, RS::kPassed, start.substr(0, 10) + " — " + end.substr(0, 10),
                         start.substr(0, 10) + " — " + end.substr(0, 10)));
    }
  }

  // Workload (regulation 5.1, 6.2): academic hours -> credit units.
  std::optional<double> hours = achievement->contains("workloadHours")
                                    ? ParseNumber((*achievement)["workloadHours"])
                                    : std::nullopt;
  if (!hours) {
    reqs.push_back(Req(kReqWorkload, RS::kMissing, "the workload in academic hours is not stated",
                       "трудоёмкость в академических часах не указана"));
  } else if (!(*hours > 0)) {
    reqs.push_back(Req(kReqWorkload, RS::kFailed, "the workload is not positive",
                       "трудоёмкость указана неверно"));
  } else {
    double units = *hours / policy.hours_per_credit_unit;
    double step = policy.credit_unit_rounding;
    units = std::round(units / step + kEps) * step;
    units = std::round(units * 1e6) / 1e6;
    out.hours = *hours;
    out.credit_units = units;
    std::string h = Num(*hours), u = Num(units), per = Num(policy.hours_per_credit_unit);
    reqs.push_back(Req(kReqWorkload, RS::kPassed,
                       h + " academic hours = " + u + " credit units (" + per + " h per unit)",
                       h + " акад. ч = " + u + " з.е. (" + per + " ч в 1 з.е.)"));
  }

  // Outcomes (regulation 5.1).
  std::size_t outcomes = 0;
  if (achievement->contains("learningOutcomes") && (*achievement)["learningOutcomes"].is_array()) {
    for (const Json& o : (*achievement)["learningOutcomes"]) {
      if (o.is_string() && !o.get<std::string>().empty()) ++outcomes;
    }
  }
  if (outcomes == 0) {
    reqs.push_back(Req(kReqOutcomes, RS::kMissing, "no learning outcomes are listed",
                       "результаты обучения не перечислены"));
  } else {
    reqs.push_back(Req(kReqOutcomes, RS::kPassed,
                       std::to_string(outcomes) + " learning outcomes listed",
                       "перечислено результатов обучения: " + std::to_string(outcomes)));
  }

  // Assessment and grade (regulation 4.2, 4.8, 5.4).
  std::optional<double> value, vmin, vmax;
  if (subject->contains("result") && (*subject)["result"].is_array()) {
    for (const Json& r : (*subject)["result"]) {
      if (!r.is_object() || !r.contains("value")) continue;
      auto v = ParseNumber(r["value"]);
      if (!v) continue;
      std::string rd = crypto::StringOrEmpty(r, "resultDescription");
      if (achievement->contains("resultDescription") &&
          (*achievement)["resultDescription"].is_array()) {
        for (const Json& d : (*achievement)["resultDescription"]) {
          if (crypto::StringOrEmpty(d, "id") != rd || !d.contains("valueMax")) continue;
          vmax = ParseNumber(d["valueMax"]);
          vmin = d.contains("valueMin") ? ParseNumber(d["valueMin"]) : 0.0;
        }
      }
      value = v;
      out.points = r["value"].is_string() ? r["value"].get<std::string>() : Num(*v);
      break;
    }
  }
  if (!value || !vmax || !vmin || !(*vmax > *vmin)) {
    reqs.push_back(Req(kReqAssessment, RS::kMissing,
                       "no score against a stated maximum (the level of achievement)",
                       "нет баллов с указанием максимума (уровень освоения)"));
    reqs.push_back(Req(kReqGrade, RS::kMissing, "no grade can be mapped without a score",
                       "без баллов оценку определить нельзя"));
  } else {
    double pct = (*value - *vmin) / (*vmax - *vmin) * 100;
    out.points_max = Num(*vmax);
    out.percent = std::round(pct * 100) / 100;
    out.grade = MapGrade(pct, policy);
    out.passed = pct + kEps >= policy.pass_percent;
    std::string criteria = Obj(*achievement, "criteria")
                               ? crypto::StringOrEmpty((*achievement)["criteria"], "narrative")
                               : "";
    reqs.push_back(Req(kReqAssessment, RS::kPassed,
                       out.points + " of " + Num(*vmax) + " points (" + Num(pct) + " %)" +
                           (criteria.empty() ? "" : "; criteria: " + criteria),
                       out.points + " из " + Num(*vmax) + " баллов (" + Num(pct) + " %)" +
                           (criteria.empty() ? "" : "; критерии: " + criteria)));
    Text g = GradeName(*out.grade);
    std::string grade = std::to_string(*out.grade);
    reqs.push_back(
        Req(kReqGrade, *out.passed ? RS::kPassed : RS::kFailed,
            "grade " + grade + " (" + g.en + "), " + (*out.passed ? "passed" : "failed") +
                " (pass from " + Num(policy.pass_percent) + " %)",
            "оценка " + grade + " («" + g.ru + "»), " + (*out.passed ? "зачтено" : "не зачтено") +
                " (зачёт от " + Num(policy.pass_percent) + " %)"));
  }

  // Electronic version (regulation 5.4): the credential's id on the issuer's
  // registry domain or a host the policy trusts.
  std::string id = crypto::StringOrEmpty(cred, "id");
  std::string host = UrlHost(id);
  auto registry_host = DidWebHost(issuer);
  if (id.empty()) {
    reqs.push_back(Req(kReqElectronicVersion, RS::kMissing,
                       "no link to the electronic version (credential id)",
                       "нет ссылки на электронную версию (id документа)"));
  } else if (host.empty() || id.rfind("https://", 0) != 0) {
    reqs.push_back(Req(kReqElectronicVersion, RS::kFailed,
                       "the electronic version " + id + " is not an https link",
                       "электронная версия " + id + " — не https-ссылка"));
  } else if ((registry_host.ok() && *registry_host == host) ||
             std::find(policy.trusted_hosts.begin(), policy.trusted_hosts.end(), host) !=
                 policy.trusted_hosts.end()) {
    reqs.push_back(Req(kReqElectronicVersion, RS::kPassed, "electronic version at " + id,
                       "электронная версия: " + id));
  } else {
    std::string expected = registry_host.ok() ? *registry_host : "(none)";
    reqs.push_back(Req(kReqElectronicVersion, RS::kFailed,
                       "the electronic version " + id + " is on a foreign domain " + host +
                           ", not the issuer's registry " + expected,
                       "электронная версия " + id + " размещена на стороннем домене " + host +
                           ", а не на домене реестра организации " + expected));
  }

  // Which ones count.
  out.met = true;
  for (Requirement& r : reqs) {
    bool always = r.id == kReqVerified || r.id == kReqDocumentType ||
                  r.id == kReqIdentityVerification || r.id == kReqGrade;
    r.required = always || std::find(policy.required_fields.begin(), policy.required_fields.end(),
                                     r.id) != policy.required_fields.end();
    if (r.required && r.status != RS::kPassed) out.met = false;
  }
  return out;
}

Json CreditReportToJson(const CreditReport& r) {
  Json reqs = Json::array();
  for (const Requirement& q : r.requirements) {
    reqs.push_back({{"id", q.id},
                    {"status", RequirementStatusName(q.status)},
                    {"required", q.required},
                    {"reason", {{"en", q.reason.en}, {"ru", q.reason.ru}}}});
  }
  Json out = {{"policyMet", r.met},
              {"exitCode", r.ExitCode()},
              {"requirements", std::move(reqs)},
              {"verification", ReportToJson(r.verification)}};
  if (r.grade) {
    Text g = GradeName(*r.grade);
    out["grade"] = {{"points", r.points},
                    {"max", r.points_max},
                    {"percent", *r.percent},
                    {"grade", *r.grade},
                    {"name", {{"en", g.en}, {"ru", g.ru}}},
                    {"passFail", *r.passed ? "passed" : "failed"}};
  }
  if (r.hours) out["workload"] = {{"hours", *r.hours}, {"creditUnits", *r.credit_units}};
  return out;
}

std::string CreditReportToText(const CreditReport& r, Lang lang) {
  bool ru = lang == Lang::kRu;
  std::string out = ReportToText(r.verification, lang);
  out += "\n";
  out += ru ? (r.met ? "ЗАЧЁТ ВОЗМОЖЕН: требования политики выполнены"
                     : "ЗАЧЁТ НЕВОЗМОЖЕН: требования политики не выполнены")
            : (r.met ? "CREDIT TRANSFER POSSIBLE: the policy is met"
                     : "CREDIT TRANSFER NOT POSSIBLE: the policy is not met");
  out += " (" + std::string(ru ? "код " : "exit ") + std::to_string(r.ExitCode()) + ")\n";
  if (r.grade) {
    Text g = GradeName(*r.grade);
    out += ru ? "  оценка:       " : "  grade:        ";
    out += std::to_string(*r.grade) + " (" + g.In(lang) + "), " +
           (ru ? (*r.passed ? "зачтено" : "не зачтено") : (*r.passed ? "passed" : "failed")) + "\n";
  }
  if (r.credit_units) {
    out += ru ? "  трудоёмкость: " : "  workload:     ";
    out += Num(*r.hours) + (ru ? " акад. ч = " : " academic hours = ") + Num(*r.credit_units) +
           (ru ? " з.е.\n" : " credit units\n");
  }
  for (const Requirement& q : r.requirements) {
    const char* mark = q.status == RequirementStatus::kPassed   ? "[ok]  "
                       : q.status == RequirementStatus::kFailed ? "[FAIL]"
                                                                : "[MISS]";
    std::string status = ru ? (q.status == RequirementStatus::kPassed   ? "выполнено"
                               : q.status == RequirementStatus::kFailed ? "НЕ ВЫПОЛНЕНО"
                                                                        : "ОТСУТСТВУЕТ")
                            : std::string(RequirementStatusName(q.status));
    out += "  " + std::string(mark) + " " + q.id + ": " + status;
    if (!q.required) out += ru ? " (не обязательно)" : " (not required)";
    out += " — " + q.reason.In(lang) + "\n";
  }
  return out;
}

}  // namespace certledger::verifier
