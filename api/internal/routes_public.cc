// Public, unauthenticated routes (DESIGN.md "API"): the page an employer sees
// after scanning a QR code, the credential JSON, PDF and receipt by code, DID
// documents, the context, status lists, problem descriptions, and the
// verification and credit-check endpoints the verifier library answers.
#include <chrono>
#include <regex>

#include "api/internal/routes.h"
#include "crypto/encoding.h"
#include "crypto/receipt.h"
#include "crypto/rfc3339.h"
#include "registry/ids.h"
#include "render/html.h"
#include "render/pdf.h"
#include "verifier/credit_check.h"
#include "verifier/learner_identity.h"
#include "verifier/report.h"

namespace certledger::api::internal {
namespace {

using registry::model::CertificateState;
using registry::model::PublicPageView;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Immutable or slowly changing public objects may be cached by CDNs.
void Cacheable(Reply& r, int seconds) {
  r.headers.emplace_back("Cache-Control", "public, max-age=" + std::to_string(seconds));
}

bool WantsJsonAccept(std::string_view accept) {
  return accept.find("application/ld+json") != std::string::npos ||
         accept.find("application/vc") != std::string::npos ||
         (accept.find("application/json") != std::string::npos &&
          accept.find("text/html") == std::string::npos);
}

bool WantsJson(const Request& r) { return WantsJsonAccept(r.http.get_header_value("Accept")); }

// The page cache's key of a certificate or voucher page.
std::string PageKey(std::string_view lang, std::string_view code) {
  std::string key = "page:";
  key.append(lang).append(":").append(code);
  return key;
}

// The public page's model for `code` (unknown codes included).
PublicPageView PageView(ServerContext& ctx, const std::string& typed) {
  PublicPageView v;
  auto code = registry::NormalizeRegistrationCode(typed);
  v.code = code.ok() ? *code : crypto::Excerpt(typed, 40);
  if (!code.ok()) return v;
  auto rec = ctx.registry.GetCertificate(*code);
  if (!rec.ok() || rec->state == "draft") return v;
  v.certificate = rec->view;
  const std::string base = ctx.base_url + "/v/" + rec->code;
  v.json_url = base + "/credential.json";
  v.pdf_url = base + "/certificate.pdf";
  v.ob3_url = base + "/ob3.json";
  v.ledger_index = rec->ledger_index;
  if (!rec->supersedes.empty()) v.supersedes_url = ctx.base_url + "/v/" + rec->supersedes;
  if (rec->state == "revoked") {
    v.state = CertificateState::kRevoked;
    // Stored as "<published code>: <text>"; the page shows the text when
    // there is one (the code is for machines and the ledger).
    const std::string& reason = rec->revocation_reason;
    const size_t sep = reason.find(": ");
    v.revocation_reason = sep == std::string::npos ? reason : reason.substr(sep + 2);
    v.revoked_at_ms = rec->revoked_ms;
  } else if (rec->state == "superseded") {
    v.state = CertificateState::kSuperseded;
    v.superseded_by_url = ctx.base_url + "/v/" + rec->superseded_by;
  } else if (rec->view.issuer.status == "suspended") {
    v.state = CertificateState::kIssuerSuspended;
  } else {
    v.state = CertificateState::kValid;
    // Parsed only if it may have one (ours have none; an imported one may).
    if (rec->credential.find("\"validUntil\"") != std::string::npos) {
      auto credential = crypto::ParseJson(rec->credential);
      const Json until = credential.ok() ? credential->value("validUntil", Json()) : Json();
      if (until.is_string()) {
        auto t = crypto::ParseRfc3339(until.get<std::string>());
        if (t.ok() && *t < NowMs()) v.state = CertificateState::kExpired;
      }
    }
  }
  auto cp = ctx.registry.ledger().LatestCheckpoint();
  if (cp.ok()) v.checkpoint_text = cp->substr(0, cp->find("\n\n") + 1);
  return v;
}

registry::model::VoucherState VoucherStateOf(const registry::VoucherView& v) {
  using registry::model::VoucherState;
  if (v.state == "completed") return VoucherState::kCompleted;
  if (v.state == "annulled") return VoucherState::kAnnulled;
  if (v.state == "withdrawn") return VoucherState::kWithdrawn;
  if (v.state == "expired") return VoucherState::kExpired;
  // Issued or enrolled past its end, before the deadline job has run.
  auto until = crypto::ParseRfc3339(v.valid_until);
  if (until.ok() && *until < NowMs()) return VoucherState::kExpired;
  return v.state == "enrolled" ? VoucherState::kEnrolled : VoucherState::kIssued;
}

// The public model of the voucher with registration code `code`, if it is one.
// Nothing personal: see registry::model::VoucherPageView.
std::optional<registry::model::VoucherPageView> VoucherPage(ServerContext& ctx,
                                                            const std::string& code) {
  auto v = ctx.registry.GetVoucher(code);
  if (!v.ok()) return std::nullopt;
  registry::model::VoucherPageView page;
  page.state = VoucherStateOf(*v);
  page.code = v->code;
  page.programme_code = v->programme;
  auto prog = ctx.registry.GetProgramme(v->issuer, v->programme);
  page.programme_title = prog.ok() ? prog->title_ru : v->programme;
  auto issuer = ctx.registry.GetIssuer(v->issuer);
  page.provider_name = issuer.ok() ? issuer->name : registry::model::Text{v->issuer, v->issuer};
  page.issued_on = crypto::FormatRfc3339(v->issued_ms).substr(0, 10);
  page.year = std::atoi(page.issued_on.substr(0, 4).c_str());
  page.valid_until = v->valid_until;
  page.start_date = v->start_date;
  if (!v->certificate.empty()) page.certificate_url = ctx.base_url + "/v/" + v->certificate;
  return page;
}

// What anyone may know about a voucher by its code, as JSON.
Json VoucherStatusJson(ServerContext& ctx, const registry::VoucherView& v) {
  static constexpr const char* kStates[] = {"issued",   "enrolled", "completed",
                                            "annulled", "expired",  "withdrawn"};
  Json j = {{"id", v.url},
            {"type", "TrainingVoucherStatus"},
            {"state", kStates[static_cast<int>(VoucherStateOf(v))]},
            {"programme", ctx.base_url + "/programmes/" + v.issuer + "/" + v.programme},
            {"validUntil", v.valid_until}};
  if (!v.certificate.empty()) j["certificate"] = ctx.base_url + "/v/" + v.certificate;
  return j;
}

Result<registry::CertificateRecord> IssuedCertificate(ServerContext& ctx, const std::string& code) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.GetCertificate(code));
  if (rec.state == "draft") {
    return Status::NotFound("certificate.unknown",
                            "no issued certificate has this registration code; check the code "
                            "(сертификат с таким номером не найден; проверьте номер)");
  }
  return rec;
}

Result<Reply> CertificatePage(ServerContext& ctx, Request& r) {
  const std::string& code = r.Param("code");
  if (WantsJson(r)) {
    auto rec = IssuedCertificate(ctx, code);
    if (!rec.ok()) {
      // A training voucher's URL: its signed credential names the holder, so
      // only the holder, its provider and the operator get it; anyone else
      // gets its public status.
      auto v = ctx.registry.GetVoucher(code);
      if (!v.ok()) return rec.status();
      const bool may_see =
          (r.principal.role == Role::kOperator) ||
          (r.principal.role == Role::kApplicant && r.principal.scope == v->application_id) ||
          (r.principal.role == Role::kProvider && r.principal.scope == v->issuer);
      Reply rep = may_see ? Reply::Raw(v->credential.dump(), "application/vc+ld+json")
                          : Reply::JsonBody(VoucherStatusJson(ctx, *v));
      rep.headers.emplace_back("Vary", "Accept, Authorization");
      rep.headers.emplace_back("Cache-Control", "private, no-store");
      return rep;
    }
    Reply rep = Reply::Raw(rec->credential, "application/vc+ld+json");  // as stored: RFC 8785
    rep.headers.emplace_back("Vary", "Accept");
    Cacheable(rep, 60);
    return rep;
  }
  const std::string lang = r.Lang();
  const std::string key = PageKey(lang, code);
  if (auto hit = ctx.pages.Get(key)) return std::move(*hit);
  PublicPageView view = PageView(ctx, code);
  const render::Lang page_lang = lang == "en" ? render::Lang::kEn : render::Lang::kRu;
  std::optional<registry::model::VoucherPageView> voucher;
  if (view.state == CertificateState::kUnknown) voucher = VoucherPage(ctx, view.code);
  Reply rep = Reply::Raw(voucher ? render::RenderVoucherPage(*voucher, page_lang)
                                 : render::RenderPublicPage(view, page_lang),
                         "text/html; charset=utf-8",
                         view.state == CertificateState::kUnknown && !voucher ? 404 : 200);
  rep.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src " + render::PublicPageCspHash() +
                               "; img-src 'none'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'");
  rep.headers.emplace_back("Vary", "Accept, Accept-Language");
  rep.headers.emplace_back("Cache-Control", "public, max-age=10");
  ctx.pages.Put(key, rep);
  return rep;
}

Result<Reply> CredentialJson(ServerContext& ctx, Request& r, bool download) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto rec, IssuedCertificate(ctx, r.Param("code")));
  CERTLEDGER_ASSIGN_OR_RETURN(Json credential, crypto::ParseJson(rec.credential));
  Reply rep = Reply::Raw(credential.dump(2), "application/vc+ld+json");
  if (download) {
    rep.content_type = "application/json";
    rep.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + rec.code + ".ob3.json\"");
  }
  Cacheable(rep, 60);
  return rep;
}

Result<Reply> CertificatePdf(ServerContext& ctx, Request& r) {
  // Rendering takes milliseconds (a public route): kept like the pages. The
  // receipt inside may then prove the entry against a checkpoint a second
  // older, which stays valid.
  const std::string key = "pdf:" + r.Param("code");
  if (auto hit = ctx.pages.Get(key)) return std::move(*hit);
  CERTLEDGER_ASSIGN_OR_RETURN(auto rec, IssuedCertificate(ctx, r.Param("code")));
  if (!ctx.fonts) {
    return Status::Unavailable("render.fonts", "PDF rendering is not available on this server");
  }
  render::PdfAttachments att;
  CERTLEDGER_ASSIGN_OR_RETURN(Json credential, crypto::ParseJson(rec.credential));
  att.credential_json = credential.dump(2);
  auto receipt = ctx.registry.CertificateReceipt(rec.code);
  if (receipt.ok()) att.receipt_json = crypto::ReceiptToJson(*receipt).dump(2);
  render::PdfOptions po;
  po.fonts = ctx.fonts;
  CERTLEDGER_ASSIGN_OR_RETURN(std::string pdf, render::RenderCertificatePdf(rec.view, att, po));
  Reply rep = Reply::Raw(std::move(pdf), "application/pdf");
  rep.headers.emplace_back("Content-Disposition", "inline; filename=\"" + rec.code + ".pdf\"");
  Cacheable(rep, 60);
  ctx.pages.Put(key, rep);
  return rep;
}

Result<Reply> Receipt(ServerContext& ctx, Request& r) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto rec, IssuedCertificate(ctx, r.Param("code")));
  auto receipt = ctx.registry.CertificateReceipt(rec.code);
  if (!receipt.ok()) {
    return Status::NotFound("receipt.pending",
                            "the certificate is logged but not yet in a signed checkpoint; "
                            "retry in a second");
  }
  return Reply::JsonBody(crypto::ReceiptToJson(*receipt));
}

// Reads the credential (and receipt) to verify from the body: either
// {"credential": {...}, "receipt": {...}?} or {"code": "<registration code>"}.
Status CredentialFromBody(ServerContext& ctx, const Json& body, Json* credential,
                          std::optional<Json>* receipt) {
  auto c = body.find("credential");
  auto code = body.find("code");
  if (c != body.end()) {
    if (!c->is_object()) {
      return Status::InvalidArgument("request.field", "\"credential\" must be a JSON object")
          .WithField("credential");
    }
    *credential = *c;
    auto rc = body.find("receipt");
    if (rc != body.end() && !rc->is_null()) {
      if (!rc->is_object()) {
        return Status::InvalidArgument("request.field", "\"receipt\" must be a JSON object")
            .WithField("receipt");
      }
      *receipt = *rc;
    }
    return Status::Ok();
  }
  if (code != body.end() && code->is_string()) {
    CERTLEDGER_ASSIGN_OR_RETURN(auto rec, IssuedCertificate(ctx, code->get<std::string>()));
    CERTLEDGER_ASSIGN_OR_RETURN(*credential, crypto::ParseJson(rec.credential));
    auto rcp = ctx.registry.CertificateReceipt(rec.code);
    if (rcp.ok()) *receipt = crypto::ReceiptToJson(*rcp);
    return Status::Ok();
  }
  return Status::InvalidArgument("request.field",
                                 "send {\"credential\": {...}} or {\"code\": \"XXXX-...\"}")
      .WithField("credential");
}

// The optional learner identity claim of a verify or credit-check body:
// "learner_id" (SNILS) and "identity_code", both or neither. Personal data:
// checked, never stored, logged or echoed (errors name the field only).
Result<std::optional<verifier::LearnerClaim>> ClaimFromBody(const Json& body) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string id, StringField(body, "learner_id", false, 100));
  CERTLEDGER_ASSIGN_OR_RETURN(std::string code, StringField(body, "identity_code", false, 200));
  if (id.empty() && code.empty()) return std::optional<verifier::LearnerClaim>();
  if (id.empty() || code.empty()) {
    return Status::InvalidArgument("request.field",
                                   "\"learner_id\" and \"identity_code\" go together")
        .WithField(id.empty() ? "learner_id" : "identity_code");
  }
  verifier::LearnerClaim claim{std::move(id), std::move(code)};
  Status st = verifier::ValidateLearnerClaim(claim);
  if (!st.ok()) return Status::InvalidArgument("request.field", st.message()).WithField(st.field());
  return std::optional<verifier::LearnerClaim>(std::move(claim));
}

Result<Reply> Verify(ServerContext& ctx, Request& r) {
  CERTLEDGER_RETURN_IF_ERROR(
      AllowOnly(r.body, {"credential", "receipt", "code", "learner_id", "identity_code"}));
  CERTLEDGER_ASSIGN_OR_RETURN(auto claim, ClaimFromBody(r.body));
  Json credential;
  std::optional<Json> receipt;
  CERTLEDGER_RETURN_IF_ERROR(CredentialFromBody(ctx, r.body, &credential, &receipt));
  CERTLEDGER_ASSIGN_OR_RETURN(verifier::Report report,
                              ctx.Verifier()->Verify(credential, receipt, NowMs()));
  Json out = verifier::ReportToJson(report);
  if (claim) {
    out["learnerIdentity"] =
        verifier::IdentityCheckToJson(verifier::CheckLearnerIdentity(credential, *claim));
  }
  return Reply::JsonBody(out);
}

Result<Reply> CreditCheck(ServerContext& ctx, Request& r) {
  CERTLEDGER_RETURN_IF_ERROR(AllowOnly(
      r.body, {"credential", "receipt", "code", "policy", "learner_id", "identity_code"}));
  CERTLEDGER_ASSIGN_OR_RETURN(auto claim, ClaimFromBody(r.body));
  Json credential;
  std::optional<Json> receipt;
  CERTLEDGER_RETURN_IF_ERROR(CredentialFromBody(ctx, r.body, &credential, &receipt));
  Json policy_json = Json::object();
  auto p = r.body.find("policy");
  if (p != r.body.end()) {
    if (!p->is_object()) {
      return Status::InvalidArgument("request.field", "\"policy\" must be a JSON object")
          .WithField("policy");
    }
    policy_json = *p;
  }
  auto policy = verifier::ParsePolicy(policy_json);
  if (!policy.ok()) return Status(policy.status()).WithField("policy");
  CERTLEDGER_ASSIGN_OR_RETURN(verifier::Report report,
                              ctx.Verifier()->Verify(credential, receipt, NowMs()));
  CERTLEDGER_ASSIGN_OR_RETURN(
      verifier::CreditReport cr,
      verifier::CreditCheck(credential, report, *policy, claim ? &*claim : nullptr));
  return Reply::JsonBody(verifier::CreditReportToJson(cr));
}

Result<Reply> ProblemPage(ServerContext& ctx, Request& r) {
  for (const auto& t : ProblemCatalogue()) {
    if (t.slug == r.Param("slug")) {
      Json j = {{"type", ctx.base_url + "/problems/" + std::string(t.slug)},
                {"status", t.status},
                {"title", std::string(t.title_en)},
                {"title_ru", std::string(t.title_ru)}};
      Reply rep = Reply::JsonBody(j);
      Cacheable(rep, 3600);
      return rep;
    }
  }
  return Status::NotFound("route.unknown", "no such problem type");
}

}  // namespace

void AddPublicRoutes(Router& router, ServerContext& ctx) {
  const Access pub = Access::Public(/*cors=*/false, /*rate_limited=*/false);
  const Access verify = Access::Public(/*cors=*/true, /*rate_limited=*/false);
  const Access public_post = Access::Public(/*cors=*/true, /*rate_limited=*/true);
  auto h = [&ctx](Result<Reply> (*fn)(ServerContext&, Request&)) {
    return [&ctx, fn](Request& r) { return fn(ctx, r); };
  };
  router.Add({"GET",
              "/healthz",
              pub,
              "liveness and readiness (database and ledger)",
              "ops",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(std::string cp,
                                            ctx.registry.ledger().LatestCheckpoint());
                (void)cp;
                return Reply::JsonBody({{"status", "ok"}});
              }});
  router.Add({"GET",
              "/v/{code}",
              verify,
              "the certificate's public page (HTML, ?lang=ru|en) or, with Accept: "
              "application/ld+json, the signed credential",
              "public",
              false,
              false,
              {"lang"},
              Json(),
              h(CertificatePage)});
  // The status hot path: an HTML page already in the cache, answered by the
  // BufferedServer without httplib (the handler above renders and caches it;
  // a request with a token goes to the handler, as its JSON may differ).
  router.SetFastGet("/v/{code}",
                    [&ctx](const FastGetRequest& q,
                           const std::vector<std::string>& values) -> std::shared_ptr<const Reply> {
                      if (values.size() != 1 || WantsJsonAccept(q.accept)) return nullptr;
                      const std::string lang =
                          LangOf(FastQueryValue(q.query, "lang"), q.accept_language);
                      return ctx.pages.Peek(PageKey(lang, values[0]));
                    });
  router.Add({"GET",
              "/v/{code}/credential.json",
              verify,
              "the signed credential (JSON)",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) { return CredentialJson(ctx, r, false); }});
  router.Add({"GET",
              "/v/{code}/ob3.json",
              verify,
              "the Open Badges 3.0 credential as a download",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) { return CredentialJson(ctx, r, true); }});
  router.Add({"GET",
              "/v/{code}/certificate.pdf",
              verify,
              "the certificate PDF with the credential and receipt attached",
              "public",
              false,
              false,
              {},
              Json(),
              h(CertificatePdf)});
  router.Add({"GET",
              "/v/{code}/receipt",
              verify,
              "the ledger receipt of the certificate (entry, inclusion proof, checkpoint)",
              "public",
              false,
              false,
              {},
              Json(),
              h(Receipt)});
  router.Add({"GET",
              "/.well-known/did.json",
              verify,
              "the registry's DID document",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(Json d, ctx.registry.RegistryDidDocument());
                Reply rep = Reply::Raw(d.dump(), "application/did+json");
                Cacheable(rep, 60);
                return rep;
              }});
  router.Add({"GET",
              "/issuers/{slug}/did.json",
              verify,
              "an issuer's DID document",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(Json d,
                                            ctx.registry.IssuerDidDocument(r.Param("slug")));
                Reply rep = Reply::Raw(d.dump(), "application/did+json");
                Cacheable(rep, 60);
                return rep;
              }});
  router.Add({"GET",
              "/issuers/{slug}",
              verify,
              "an issuer's public profile",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetIssuer(r.Param("slug")));
                Json j = {{"id", v.did},
                          {"slug", v.slug},
                          {"name", {{"ru", v.name.ru}, {"en", v.name.en}}},
                          {"inn", v.inn},
                          {"licence", {{"number", v.licence_number}, {"date", v.licence_date}}},
                          {"status", v.status}};
                if (v.suspended_at_ms) j["suspendedAt"] = crypto::FormatRfc3339(*v.suspended_at_ms);
                return Reply::JsonBody(j);
              }});
  router.Add({"GET",
              "/programmes/{slug}/{code}",
              verify,
              "a programme of the catalogue (the achievement a certificate names)",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(
                    auto p, ctx.registry.GetProgramme(r.Param("slug"), r.Param("code")));
                Json j = {{"id", ctx.base_url + "/programmes/" + p.issuer + "/" + p.code},
                          {"issuer", ctx.base_url + "/issuers/" + p.issuer},
                          {"code", p.code},
                          {"title", {{"ru", p.title_ru}, {"en", p.title_en}}},
                          {"competenceArea", p.competence_area},
                          {"workloadHours", p.hours},
                          {"creditUnits", p.hours / 36.0},
                          {"passMark", p.pass_mark},
                          {"maxPoints", p.max_points},
                          {"form", p.form},
                          {"documentType", p.document_type},
                          {"learningOutcomes", p.outcomes},
                          {"competencies", p.competencies}};
                Reply rep = Reply::JsonBody(j);
                Cacheable(rep, 300);
                return rep;
              }});
  router.Add({"GET",
              "/contexts/v1.json",
              verify,
              "the registry's JSON-LD context",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                Reply rep = Reply::Raw(ctx.registry.Context().dump(), "application/ld+json");
                Cacheable(rep, 86400);
                return rep;
              }});
  router.Add({"GET",
              "/status/{slug}/{n}",
              verify,
              "a signed BitstringStatusListCredential (only bits, no personal data)",
              "public",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                static const std::regex n_re("^[1-9][0-9]{0,5}$");
                if (!std::regex_match(r.Param("n"), n_re)) {
                  return Status::NotFound("statuslist.unknown", "no such status list");
                }
                CERTLEDGER_ASSIGN_OR_RETURN(
                    Json l, ctx.registry.StatusList(r.Param("slug"), std::stoi(r.Param("n"))));
                Reply rep = Reply::Raw(l.dump(), "application/vc+ld+json");
                Cacheable(rep, 30);
                return rep;
              }});
  router.Add({"GET",
              "/problems/{slug}",
              pub,
              "what a problem type means",
              "public",
              false,
              false,
              {},
              Json(),
              h(ProblemPage)});
  const Json verify_schema = {
      {"type", "object"},
      {"properties",
       {{"credential", {{"type", "object"}}},
        {"receipt", {{"type", "object"}}},
        {"code", {{"type", "string"}}},
        {"learner_id",
         {{"type", "string"},
          {"description",
           "optional, with identity_code: the learner's SNILS, checked "
           "against the hashed identifier (never stored or logged)"}}},
        {"identity_code",
         {{"type", "string"},
          {"description", "the learner's identity check code from the provider"}}}}}};
  router.Add({"POST",
              "/api/v1/verify",
              public_post,
              "verify a credential (and its ledger receipt) check by check; with learner_id and "
              "identity_code, also whether it is that learner's (learnerIdentity)",
              "public",
              true,
              false,
              {},
              verify_schema,
              h(Verify)});
  Json credit_schema = verify_schema;
  credit_schema["properties"]["policy"] = {{"type", "object"}};
  router.Add({"POST",
              "/api/v1/credit-check",
              public_post,
              "a university's credit-transfer check of a certificate against its policy (with "
              "learner_id and identity_code, learnerIdentity checks the hashed identifier)",
              "public",
              true,
              false,
              {},
              credit_schema,
              h(CreditCheck)});
}

}  // namespace certledger::api::internal
