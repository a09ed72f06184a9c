// The voucher programme over HTTP: citizens apply, sign in with a one-time
// code, see their status and queue position and withdraw; providers list and
// enrol vouchers; the operator configures years, annuls, records valid
// reasons, runs the deadlines and reads the outbox; anyone reads the counter.
#include <charconv>

#include "api/internal/routes.h"
#include "crypto/rfc3339.h"
#include "registry/eligibility.h"
#include "render/pdf.h"

namespace certledger::api::internal {
namespace {

Json ApplicationJson(const registry::ApplicationView& a) {
  Json j = {{"id", a.id},
            {"year", a.year},
            {"state", a.state},
            {"arrivalSeq", a.arrival_seq},
            {"issuer", a.issuer},
            {"programme", a.programme},
            {"created", crypto::FormatRfc3339(a.created_ms)}};
  if (a.queue_position) j["queuePosition"] = *a.queue_position;
  if (!a.voucher_code.empty()) j["voucher"] = a.voucher_code;
  if (!a.reason.empty()) j["reason"] = a.reason;
  return j;
}

Json VoucherJson(const registry::VoucherView& v) {
  Json j = {{"code", v.code},
            {"url", v.url},
            {"state", v.state},
            {"application", v.application_id},
            {"issuer", v.issuer},
            {"programme", v.programme},
            {"validUntil", v.valid_until},
            {"issued", crypto::FormatRfc3339(v.issued_ms)},
            {"documentsDue", crypto::FormatRfc3339(v.deadline_ms)},
            {"credential", v.credential}};
  if (!v.group.empty()) j["group"] = v.group;
  if (!v.start_date.empty()) j["startDate"] = v.start_date;
  if (!v.reason.empty()) j["reason"] = v.reason;
  if (!v.certificate.empty()) j["certificate"] = v.certificate;
  if (!v.valid_reason.empty()) j["validReason"] = v.valid_reason;
  if (v.served_seq) j["servedSeq"] = *v.served_seq;
  return j;
}

Json FailuresJson(const std::vector<registry::EligibilityFailure>& fs) {
  Json a = Json::array();
  for (const auto& f : fs) {
    a.push_back({{"code", f.code},
                 {"field", f.field},
                 {"reason", {{"ru", f.reason_ru}, {"en", f.reason_en}}}});
  }
  return a;
}

Result<int> YearParam(const Request& r) {
  const std::string& v = r.Param("year");
  int y = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), y);
  if (ec != std::errc() || p != v.data() + v.size() || y < 2000 || y > 2200) {
    return Status::InvalidArgument("request.parameter", "the year must be like 2026")
        .WithField("year");
  }
  return y;
}

// The application in the path, if the principal is its applicant or the operator.
Status RequireApplicationScope(const Request& r) {
  if (r.principal.role == Role::kOperator) return Status::Ok();
  if (r.principal.role == Role::kApplicant && r.principal.scope == r.Param("id")) {
    return Status::Ok();
  }
  return Status::PermissionDenied("auth.scope", "this application is not yours");
}

// The voucher in the path, if the principal may see it: operator, its
// holder, or the provider of its programme.
Result<registry::VoucherView> OwnedVoucher(ServerContext& ctx, const Request& r) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetVoucher(r.Param("code")));
  if (r.principal.role == Role::kOperator) return v;
  if (r.principal.role == Role::kApplicant && r.principal.scope == v.application_id) return v;
  if (r.principal.role == Role::kProvider && r.principal.scope == v.issuer) return v;
  return Status::PermissionDenied("auth.scope", "this voucher is not yours");
}

const Json kApplicationSchema = {
    {"type", "object"},
    {"required",
     {"full_name", "birth_date", "sex", "citizenship", "education_level", "region_code",
      "registration_type", "email", "phone", "snils", "issuer", "programme"}},
    {"properties",
     {{"full_name", {{"type", "string"}}},
      {"birth_date", {{"type", "string"}, {"format", "date"}}},
      {"sex", {{"type", "string"}, {"enum", {"male", "female"}}}},
      {"citizenship", {{"type", "string"}, {"description", "ISO 3166-1 alpha-2"}}},
      {"education_level", {{"type", "string"}}},
      {"region_code", {{"type", "string"}}},
      {"registration_type", {{"type", "string"}, {"enum", {"permanent", "temporary"}}}},
      {"email", {{"type", "string"}, {"format", "email"}}},
      {"phone", {{"type", "string"}}},
      {"snils", {{"type", "string"}}},
      {"issuer", {{"type", "string"}}},
      {"programme", {{"type", "string"}}}}},
    {"additionalProperties", false}};

Result<Reply> Apply(ServerContext& ctx, Request& r) {
  static constexpr std::string_view kFields[] = {
      "full_name",         "birth_date", "sex",   "citizenship", "education_level", "region_code",
      "registration_type", "email",      "phone", "snils",       "issuer",          "programme"};
  CERTLEDGER_RETURN_IF_ERROR(AllowOnly(
      r.body, {"full_name", "birth_date", "sex", "citizenship", "education_level", "region_code",
               "registration_type", "email", "phone", "snils", "issuer", "programme"}));
  std::map<std::string_view, std::string> f;
  for (std::string_view name : kFields) {
    CERTLEDGER_ASSIGN_OR_RETURN(f[name], StringField(r.body, name, true, 300));
  }
  registry::ApplicationInput in{
      f["full_name"],   f["birth_date"],        f["sex"],   f["citizenship"], f["education_level"],
      f["region_code"], f["registration_type"], f["email"], f["phone"],       f["snils"],
      f["issuer"],      f["programme"]};
  // The applicant signs in with the one-time code sent to their e-mail: it is
  // stored in the application's own transaction.
  CERTLEDGER_ASSIGN_OR_RETURN(auto out,
                              ctx.registry.Apply(in, r.idempotency_key, /*send_login_code=*/true));
  if (!out.failures.empty()) {
    Reply p = Reply::JsonBody(
        {{"type", ctx.base_url + "/problems/application.ineligible"},
         {"status", 422},
         {"title", "The applicant is not eligible; see the reasons"},
         {"title_ru", "Заявитель не соответствует условиям программы; см. причины"},
         {"detail", "every rule that failed is listed in \"failures\"; nothing was stored"},
         {"failures", FailuresJson(out.failures)}},
        422);
    p.content_type = "application/problem+json";
    return p;
  }
  const auto& app = *out.application;
  Json j = ApplicationJson(app);
  j["signIn"] = ctx.base_url + "/api/v1/applications/" + app.id + "/token";
  Reply rep = Reply::JsonBody(j, 201);
  rep.headers.emplace_back("Location", ctx.base_url + "/api/v1/applications/" + app.id);
  return rep;
}

// "2026-12-31T23:59:59.999+03:00" -> "31.12.2026 23:59 (UTC+03:00)", МСК for Moscow time.
std::string DisplayTime(const std::string& rfc3339) {
  if (rfc3339.size() < 16) return rfc3339;
  std::string out = rfc3339.substr(8, 2) + "." + rfc3339.substr(5, 2) + "." + rfc3339.substr(0, 4) +
                    " " + rfc3339.substr(11, 5);
  std::string zone = rfc3339.size() >= 6 ? rfc3339.substr(rfc3339.size() - 6) : "";
  if (zone == "+03:00") return out + " (МСК)";
  if (!rfc3339.empty() && rfc3339.back() == 'Z') return out + " (UTC)";
  return out + " (UTC" + zone + ")";
}

}  // namespace

Result<bool> ApplicantOwnsCertificate(ServerContext& ctx, const Request& r,
                                      const registry::CertificateRecord& rec) {
  if (rec.voucher.empty()) return false;
  const std::string& ref = rec.voucher;
  auto voucher = ctx.registry.GetVoucher(ref.substr(ref.rfind('/') + 1));
  if (!voucher.ok()) return false;
  return voucher->application_id == r.principal.scope;
}

void AddVoucherRoutes(Router& router, ServerContext& ctx) {
  const Access pub = Access::Public(/*cors=*/true, /*rate_limited=*/false);
  const Access public_post = Access::Public(/*cors=*/false, /*rate_limited=*/true);
  const Access op = Access::For({Role::kOperator});
  const Access applicant = Access::For({Role::kApplicant, Role::kOperator});
  const Access holder_or_provider =
      Access::For({Role::kApplicant, Role::kProvider, Role::kOperator});
  const Access providers = Access::For({Role::kProvider, Role::kOperator});
  const Access holder = Access::For({Role::kApplicant, Role::kOperator});
  const Access provider_only = Access::For({Role::kProvider});

  router.Add({"GET",
              "/api/v1/years/{year}/counter",
              pub,
              "the year's public counter: quota, issued, active, queue length, spaces left",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(int year, YearParam(r));
                const std::string key = "counter:" + std::to_string(year);
                if (auto hit = ctx.pages.Get(key)) return std::move(*hit);
                CERTLEDGER_ASSIGN_OR_RETURN(auto c, ctx.registry.Counter(year));
                Reply rep = Reply::JsonBody({{"year", c.year},
                                             {"quota", c.quota},
                                             {"issued", c.issued},
                                             {"active", c.active},
                                             {"queueLength", c.queue_length},
                                             {"spacesLeft", c.spaces_left},
                                             {"open", c.open}});
                rep.headers.emplace_back("Cache-Control", "public, max-age=1");
                ctx.pages.Put(key, rep);
                return rep;
              }});
  router.Add({"GET",
              "/api/v1/years/{year}",
              pub,
              "the year's configuration (quota, opening, regions, education levels, deadline)",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(int year, YearParam(r));
                CERTLEDGER_ASSIGN_OR_RETURN(auto c, ctx.registry.GetYearConfig(year));
                return Reply::JsonBody(registry::YearConfigToJson(c));
              }});
  router.Add({"PUT",
              "/api/v1/years/{year}",
              op,
              "configure a year (the same JSON as samples/year-*.json); logged in the ledger",
              "operator",
              true,
              false,
              {},
              Json{{"type", "object"}},
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(int year, YearParam(r));
                Json body = r.body;
                if (body.contains("year") && body["year"] != year) {
                  return Status::InvalidArgument("request.field",
                                                 "the body's year differs from the path's")
                      .WithField("year");
                }
                body["year"] = year;
                CERTLEDGER_ASSIGN_OR_RETURN(auto cfg, registry::ParseYearConfig(body));
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.ConfigureYear(cfg));
                ctx.Changed();
                return Reply::JsonBody({{"year", year}, {"configured", true}});
              }});
  router.Add({"POST",
              "/api/v1/applications",
              public_post,
              "apply for a training voucher: a voucher at once, a queue position, or the "
              "eligibility rules that failed (422, nothing stored)",
              "applicant",
              true,
              true,
              {},
              kApplicationSchema,
              [&ctx](Request& r) { return Apply(ctx, r); }});
  router.Add({"POST",
              "/api/v1/applications/{id}/login-code",
              public_post,
              "send a new one-time sign-in code to the applicant's e-mail",
              "applicant",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                Status st = ctx.registry.SendLoginCode(r.Param("id"));
                // Same answer whether or not the application exists.
                if (!st.ok() && st.code() != Code::kNotFound) return st;
                return Reply::JsonBody({{"sent", true}}, 202);
              }});
  router.Add(
      {"POST",
       "/api/v1/applications/{id}/token",
       public_post,
       "exchange the one-time code for an applicant token (shown once)",
       "applicant",
       true,
       false,
       {},
       Json{{"type", "object"},
            {"required", {"code"}},
            {"properties", {{"code", {{"type", "string"}, {"pattern", "^[0-9]{6}$"}}}}}},
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"code"}));
         CERTLEDGER_ASSIGN_OR_RETURN(std::string code, StringField(r.body, "code", true, 20));
         CERTLEDGER_ASSIGN_OR_RETURN(auto t, ctx.registry.RedeemLoginCode(r.Param("id"), code));
         return Reply::JsonBody({{"token", t.token}, {"application", r.Param("id")}}, 201);
       }});
  router.Add({"GET",
              "/api/v1/applications/{id}",
              applicant,
              "the application: state, queue position, voucher, reasons",
              "applicant",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(RequireApplicationScope(r));
                CERTLEDGER_ASSIGN_OR_RETURN(auto a, ctx.registry.GetApplication(r.Param("id")));
                Json j = ApplicationJson(a);
                if (!a.voucher_code.empty()) {
                  auto v = ctx.registry.GetVoucher(a.voucher_code);
                  if (v.ok()) j["voucherDetails"] = VoucherJson(*v);
                }
                return Reply::JsonBody(j);
              }});
  router.Add({"POST",
              "/api/v1/applications/{id}/withdraw",
              applicant,
              "leave the queue or give back a voucher not yet enrolled (its slot is passed on)",
              "applicant",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(RequireApplicationScope(r));
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.Withdraw(r.Param("id")));
                ctx.Changed();
                CERTLEDGER_ASSIGN_OR_RETURN(auto a, ctx.registry.GetApplication(r.Param("id")));
                return Reply::JsonBody(ApplicationJson(a));
              }});
  router.Add({"GET",
              "/api/v1/vouchers",
              providers,
              "the vouchers for a provider's programmes (operator: ?issuer=slug)",
              "provider",
              false,
              false,
              {"issuer"},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                std::string slug =
                    r.principal.role == Role::kProvider ? r.principal.scope : r.Query("issuer");
                if (slug.empty()) {
                  return Status::InvalidArgument("request.parameter", "give ?issuer=<slug>")
                      .WithField("issuer");
                }
                CERTLEDGER_ASSIGN_OR_RETURN(auto all, ctx.registry.VouchersOfIssuer(slug));
                Json a = Json::array();
                for (const auto& v : all) {
                  Json j = VoucherJson(v);
                  j.erase("credential");
                  a.push_back(std::move(j));
                }
                return Reply::JsonBody({{"vouchers", a}});
              }});
  router.Add({"GET",
              "/api/v1/vouchers/{code}",
              holder_or_provider,
              "a voucher with its state and signed credential",
              "applicant",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, OwnedVoucher(ctx, r));
                return Reply::JsonBody(VoucherJson(v));
              }});
  router.Add(
      {"GET",
       "/api/v1/vouchers/{code}/voucher.pdf",
       holder,
       "the voucher as a PDF for its holder (with a QR code of its public URL)",
       "applicant",
       false,
       false,
       {},
       Json(),
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_ASSIGN_OR_RETURN(auto v, OwnedVoucher(ctx, r));
         if (!ctx.fonts) {
           return Status::Unavailable("render.fonts", "PDF rendering is not available");
         }
         CERTLEDGER_ASSIGN_OR_RETURN(auto person, ctx.registry.ApplicantData(v.application_id));
         registry::model::VoucherView view;
         view.code = v.code;
         view.url = v.url;
         view.holder_name = person.full_name;
         view.programme_code = v.programme;
         auto prog = ctx.registry.GetProgramme(v.issuer, v.programme);
         view.programme_title = prog.ok() ? prog->title_ru : v.programme;
         auto issuer = ctx.registry.GetIssuer(v.issuer);
         view.provider_name = issuer.ok() ? issuer->name.ru : v.issuer;
         view.issued_on = crypto::FormatRfc3339(v.issued_ms).substr(0, 10);
         view.year = std::stoi(view.issued_on.substr(0, 4));
         view.valid_until = DisplayTime(v.valid_until);
         render::PdfOptions po;
         po.fonts = ctx.fonts;
         CERTLEDGER_ASSIGN_OR_RETURN(std::string pdf, render::RenderVoucherPdf(view, po));
         Reply rep = Reply::Raw(std::move(pdf), "application/pdf");
         rep.headers.emplace_back("Content-Disposition", "inline; filename=\"" + v.code + ".pdf\"");
         return rep;
       }});
  router.Add({"POST",
              "/api/v1/vouchers/{code}/enrol",
              provider_only,
              "the provider confirms enrolment for a group and start date (holder notified)",
              "provider",
              true,
              false,
              {},
              Json{{"type", "object"},
                   {"required", {"group", "start_date"}},
                   {"properties",
                    {{"group", {{"type", "string"}}},
                     {"start_date", {{"type", "string"}, {"format", "date"}}}}}},
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"group", "start_date"}));
                CERTLEDGER_ASSIGN_OR_RETURN(std::string group,
                                            StringField(r.body, "group", true, 100));
                CERTLEDGER_ASSIGN_OR_RETURN(std::string start,
                                            StringField(r.body, "start_date", true, 10));
                CERTLEDGER_RETURN_IF_ERROR(
                    ctx.registry.Enrol(r.principal.scope, r.Param("code"), group, start));
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetVoucher(r.Param("code")));
                return Reply::JsonBody(VoucherJson(v));
              }});
  router.Add({"POST",
              "/api/v1/vouchers/{code}/annul",
              op,
              "annul a voucher with a published reason code (its slot goes to the queue)",
              "operator",
              true,
              false,
              {},
              ReasonBodySchema(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(ReasonBody reason, ParseReasonBody(r.body));
                CERTLEDGER_RETURN_IF_ERROR(
                    ctx.registry.Annul(r.Param("code"), reason.reason, reason.text));
                ctx.Changed();
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetVoucher(r.Param("code")));
                return Reply::JsonBody(VoucherJson(v));
              }});
  router.Add({"POST",
              "/api/v1/vouchers/{code}/valid-reason",
              op,
              "record a valid reason for missing the document deadline",
              "operator",
              true,
              false,
              {},
              Json{{"type", "object"},
                   {"required", {"text"}},
                   {"properties", {{"text", {{"type", "string"}}}}}},
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"text"}));
                CERTLEDGER_ASSIGN_OR_RETURN(std::string text,
                                            StringField(r.body, "text", true, 1000));
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.RecordValidReason(r.Param("code"), text));
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetVoucher(r.Param("code")));
                return Reply::JsonBody(VoucherJson(v));
              }});
  router.Add({"POST",
              "/api/v1/deadlines/run",
              op,
              "run the deadline job now (document deadlines, expiring notices, year end)",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(int64_t changed, ctx.registry.RunDeadlines());
                ctx.Changed();
                return Reply::JsonBody({{"changed", changed}});
              }});
  router.Add({"GET",
              "/api/v1/outbox",
              op,
              "notification messages after ?after=ID (?unsent=1: only unsent), at most ?limit",
              "operator",
              false,
              false,
              {"after", "limit", "unsent"},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                int64_t after = 0;
                int limit = 100;
                std::string a = r.Query("after"), l = r.Query("limit");
                // The whole value must be a number ("1e3" is not).
                auto whole = [](const std::string& v, auto* out) {
                  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
                  return ec == std::errc() && p == v.data() + v.size();
                };
                if ((!a.empty() && !whole(a, &after)) || (!l.empty() && !whole(l, &limit)) ||
                    after < 0 || limit < 1 || limit > 1000) {
                  return Status::InvalidArgument("request.parameter",
                                                 "after must be a number, limit 1..1000");
                }
                auto msgs = r.Query("unsent") == "1" ? ctx.registry.UnsentOutbox(limit)
                                                     : ctx.registry.Outbox(after, limit);
                CERTLEDGER_RETURN_IF_ERROR(msgs.status());
                Json out = Json::array();
                for (const auto& m : *msgs) {
                  Json j = {{"id", m.id},
                            {"kind", m.kind},
                            {"application", m.application_id},
                            {"to", m.recipient},
                            {"subject", m.subject},
                            {"body", m.body},
                            {"created", crypto::FormatRfc3339(m.created_ms)}};
                  if (m.sent_ms) j["sent"] = crypto::FormatRfc3339(*m.sent_ms);
                  out.push_back(std::move(j));
                }
                return Reply::JsonBody({{"messages", out}});
              }});
  router.Add({"POST",
              "/api/v1/outbox/{id}/sent",
              op,
              "mark a message as delivered",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                const std::string& v = r.Param("id");
                int64_t id = 0;
                auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
                if (ec != std::errc() || p != v.data() + v.size()) {
                  return Status::InvalidArgument("request.parameter", "id must be a number");
                }
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.MarkSent(id));
                return Reply::JsonBody({{"sent", id}});
              }});
}

}  // namespace certledger::api::internal
