// Certificates for providers (and the learner's draft check): drafts, the
// preview PDF, name correction and confirmation, issuance, revocation,
// supersession and batches (DESIGN.md "Rules of certificates").
#include "api/internal/routes.h"
#include "crypto/rfc3339.h"
#include "render/pdf.h"

namespace certledger::api::internal {

Status RequireIssuerScope(const Request& r, const std::string& issuer_slug) {
  if (r.principal.role == Role::kOperator) return Status::Ok();
  if (r.principal.role == Role::kProvider && r.principal.scope == issuer_slug) return Status::Ok();
  return Status::PermissionDenied("auth.scope", "this belongs to another issuer");
}

Result<ReasonBody> ParseReasonBody(const Json& body) {
  CERTLEDGER_RETURN_IF_ERROR(AllowOnly(body, {"reason", "reason_text"}));
  ReasonBody out;
  CERTLEDGER_ASSIGN_OR_RETURN(out.reason, StringField(body, "reason", true, 40));
  CERTLEDGER_ASSIGN_OR_RETURN(out.text, StringField(body, "reason_text", false, 1000));
  return out;
}

Json ReasonBodySchema() {
  return {{"type", "object"},
          {"required", {"reason"}},
          {"properties",
           {{"reason", {{"type", "string"}, {"pattern", "^[a-z0-9][a-z0-9-]{1,39}$"}}},
            {"reason_text", {{"type", "string"}}}}}};
}

namespace {

// The provider's and the operator's view of a certificate. The learner's
// identity check code (registry::CertificateRecord::identity_code) is added
// for them only: the provider hands it to the learner with the certificate.
// An applicant (the learner checking a draft) does not get it.
bool SeesIdentityCode(const Request& r) {
  return r.principal.role == Role::kProvider || r.principal.role == Role::kOperator;
}

// The answer about one certificate. The credential goes in as the registry
// holds it (a signed one in its RFC 8785 form, the bytes the ledger digest
// covers): parsing it only to print it again would give the same JSON.
Reply RecordReply(const registry::CertificateRecord& rec, bool with_identity_code,
                  int status = 200) {
  Json j = {
      {"code", rec.code}, {"url", rec.url}, {"state", rec.state}, {"issuer", rec.issuer_slug}};
  if (rec.ledger_index >= 0) j["ledgerIndex"] = rec.ledger_index;
  if (!rec.revocation_reason.empty()) j["revocationReason"] = rec.revocation_reason;
  if (rec.revoked_ms) j["revokedAt"] = crypto::FormatRfc3339(*rec.revoked_ms);
  if (!rec.supersedes.empty()) j["supersedes"] = rec.supersedes;
  if (!rec.superseded_by.empty()) j["supersededBy"] = rec.superseded_by;
  if (!rec.voucher.empty()) j["voucher"] = rec.voucher;
  if (with_identity_code && !rec.identity_code.empty()) j["identityCode"] = rec.identity_code;
  if (rec.state == "draft") {
    j["learnerName"] = rec.view.learner_name;
    j["nameConfirmed"] = rec.name_confirmed;
  }
  if (rec.state == "draft")
    j["preview"] = rec.url.substr(0, rec.url.find("/v/")) + "/api/v1/certificates/" + rec.code +
                   "/preview.pdf";
  Reply rep = Reply::JsonBody(j, status);
  rep.body.insert(1, "\"credential\":" + (rec.credential.empty() ? "null" : rec.credential) + ",");
  return rep;
}

const Json kDraftSchema = {
    {"type", "object"},
    {"required",
     {"programme", "learner_name", "learner_id", "period_start", "period_end", "points",
      "identity_share", "identity_method"}},
    {"properties",
     {{"issuer", {{"type", "string"}, {"description", "operator only; a provider's is its own"}}},
      {"programme", {{"type", "string"}}},
      {"learner_name", {{"type", "string"}}},
      {"learner_id", {{"type", "string"}, {"description", "SNILS; stored only hashed"}}},
      {"period_start", {{"type", "string"}, {"format", "date"}}},
      {"period_end", {{"type", "string"}, {"format", "date"}}},
      {"points", {{"type", "integer"}}},
      {"identity_share", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
      {"identity_method", {{"type", "string"}}},
      {"voucher", {{"type", "string"}}},
      {"supersedes", {{"type", "string"}}}}},
    {"additionalProperties", false}};

// A CertificateInput from a draft body; the issuer is the provider's own.
Result<registry::CertificateInput> DraftInput(const Request& r, const Json& body) {
  CERTLEDGER_RETURN_IF_ERROR(AllowOnly(
      body, {"issuer", "programme", "learner_name", "learner_id", "period_start", "period_end",
             "points", "identity_share", "identity_method", "voucher", "supersedes"}));
  registry::CertificateInput in;
  CERTLEDGER_ASSIGN_OR_RETURN(in.issuer, StringField(body, "issuer", false, 40));
  if (r.principal.role == Role::kProvider) {
    if (!in.issuer.empty() && in.issuer != r.principal.scope) {
      return Status::PermissionDenied("auth.scope", "a provider issues only as itself")
          .WithField("issuer");
    }
    in.issuer = r.principal.scope;
  } else if (in.issuer.empty()) {
    return Status::InvalidArgument("request.field", "the field \"issuer\" is required")
        .WithField("issuer");
  }
  CERTLEDGER_ASSIGN_OR_RETURN(in.programme, StringField(body, "programme", true, 40));
  CERTLEDGER_ASSIGN_OR_RETURN(in.learner_name, StringField(body, "learner_name", true, 300));
  CERTLEDGER_ASSIGN_OR_RETURN(in.learner_id, StringField(body, "learner_id", true, 100));
  CERTLEDGER_ASSIGN_OR_RETURN(in.period_start, StringField(body, "period_start", true, 10));
  CERTLEDGER_ASSIGN_OR_RETURN(in.period_end, StringField(body, "period_end", true, 10));
  CERTLEDGER_ASSIGN_OR_RETURN(int64_t points, IntField(body, "points"));
  if (points < 0 || points > 100000) {
    return Status::InvalidArgument("certificate.invalid", "points must be 0..100000")
        .WithField("points");
  }
  in.points = static_cast<int>(points);
  CERTLEDGER_ASSIGN_OR_RETURN(in.identity_share, NumberField(body, "identity_share"));
  CERTLEDGER_ASSIGN_OR_RETURN(in.identity_method, StringField(body, "identity_method", true, 40));
  CERTLEDGER_ASSIGN_OR_RETURN(in.voucher, StringField(body, "voucher", false, 300));
  CERTLEDGER_ASSIGN_OR_RETURN(in.supersedes, StringField(body, "supersedes", false, 40));
  return in;
}

// The certificate named in the path, if the principal may see it: the
// operator, its issuer's provider, or (for `learner`) the applicant whose
// voucher it references.
Result<registry::CertificateRecord> OwnedCertificate(ServerContext& ctx, const Request& r,
                                                     bool learner) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.GetCertificate(r.Param("code")));
  if (r.principal.role == Role::kApplicant) {
    CERTLEDGER_ASSIGN_OR_RETURN(bool mine, ApplicantOwnsCertificate(ctx, r, rec));
    if (learner && mine) return rec;
    return Status::PermissionDenied("auth.scope", "this certificate is not yours");
  }
  CERTLEDGER_RETURN_IF_ERROR(RequireIssuerScope(r, rec.issuer_slug));
  return rec;
}

// The certificate named in the path, if the principal (a provider or the
// operator: RequireIssuerScope refuses anyone else) may act on it: its code
// and issuer only, for routes that answer with what the registry returns
// after acting.
Result<registry::CertificateScope> ProviderScope(ServerContext& ctx, const Request& r) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto scope, ctx.registry.CertificateScopeOf(r.Param("code")));
  CERTLEDGER_RETURN_IF_ERROR(RequireIssuerScope(r, scope.issuer_slug));
  return scope;
}

Result<Reply> Created(const Request& r, const registry::CertificateRecord& rec) {
  Reply rep = RecordReply(rec, SeesIdentityCode(r), 201);
  rep.headers.emplace_back("Location", rec.url);
  return rep;
}

}  // namespace

void AddCertificateRoutes(Router& router, ServerContext& ctx) {
  const Access providers = Access::For({Role::kProvider, Role::kOperator});
  const Access provider_only = Access::For({Role::kProvider});
  const Access with_learner = Access::For({Role::kProvider, Role::kOperator, Role::kApplicant});
  const Access provider_or_learner = Access::For({Role::kProvider, Role::kApplicant});

  router.Add({"POST",
              "/api/v1/certificates",
              providers,
              "create a certificate draft (validated; the learner then checks the name); the "
              "answer carries identityCode, the learner's secret identity check code",
              "provider",
              true,
              true,
              {},
              kDraftSchema,
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto in, DraftInput(r, r.body));
                in.request_key = r.idempotency_key;
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.CreateDraft(in));
                return Created(r, rec);
              }});
  router.Add({"GET",
              "/api/v1/certificates/{code}",
              with_learner,
              "a certificate or draft with its state (the provider and the operator also get "
              "identityCode, the learner's secret identity check code)",
              "provider",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, OwnedCertificate(ctx, r, true));
                return RecordReply(rec, SeesIdentityCode(r));
              }});
  router.Add({"GET",
              "/api/v1/certificates/{code}/preview.pdf",
              with_learner,
              "the watermarked preview PDF of a draft (no QR code, no attachments)",
              "provider",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, OwnedCertificate(ctx, r, true));
                if (!ctx.fonts) {
                  return Status::Unavailable("render.fonts", "PDF rendering is not available");
                }
                render::PdfOptions po;
                po.fonts = ctx.fonts;
                auto view = rec.view;
                if (rec.state == "draft") {
                  view.code.clear();
                  view.url.clear();
                }
                CERTLEDGER_ASSIGN_OR_RETURN(std::string pdf, render::RenderDraftPdf(view, po));
                return Reply::Raw(std::move(pdf), "application/pdf");
              }});
  router.Add({"POST",
              "/api/v1/certificates/{code}/name",
              provider_or_learner,
              "correct the learner's name on a draft (the learner or the provider)",
              "provider",
              true,
              false,
              {},
              Json{{"type", "object"},
                   {"required", {"name"}},
                   {"properties", {{"name", {{"type", "string"}}}}}},
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"name"}));
                CERTLEDGER_ASSIGN_OR_RETURN(std::string name,
                                            StringField(r.body, "name", true, 300));
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, OwnedCertificate(ctx, r, true));
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.CorrectName(rec.code, name));
                CERTLEDGER_ASSIGN_OR_RETURN(rec, ctx.registry.GetCertificate(rec.code));
                return RecordReply(rec, SeesIdentityCode(r));
              }});
  router.Add({"POST",
              "/api/v1/certificates/{code}/confirm-name",
              provider_or_learner,
              "confirm that the name on the draft is spelled right",
              "provider",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, OwnedCertificate(ctx, r, true));
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.ConfirmName(rec.code));
                rec.name_confirmed = true;  // all ConfirmName changes: no second read
                return RecordReply(rec, SeesIdentityCode(r));
              }});
  router.Add({"POST",
              "/api/v1/certificates/{code}/issue",
              provider_only,
              "the provider confirms: sign, log and publish the certificate (the answer carries "
              "identityCode, to hand to the learner)",
              "provider",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                // The owner is checked in Issue's snapshot read (one read
                // fewer than ProviderScope): a provider's scope is its issuer.
                CERTLEDGER_ASSIGN_OR_RETURN(
                    auto rec, ctx.registry.IssueFor(r.Param("code"), r.principal.scope));
                ctx.Changed();
                return RecordReply(rec, SeesIdentityCode(r));
              }});
  router.Add({"POST",
              "/api/v1/certificates/{code}/revoke",
              providers,
              "revoke with a published reason code and an optional text shown on the page",
              "provider",
              true,
              false,
              {},
              ReasonBodySchema(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(ReasonBody reason, ParseReasonBody(r.body));
                CERTLEDGER_ASSIGN_OR_RETURN(auto scope, ProviderScope(ctx, r));
                CERTLEDGER_RETURN_IF_ERROR(
                    ctx.registry.Revoke(scope.code, reason.reason, reason.text));
                ctx.Changed();
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.GetCertificate(scope.code));
                return RecordReply(rec, SeesIdentityCode(r));
              }});
  router.Add({"POST",
              "/api/v1/certificates/{code}/supersede",
              providers,
              "a corrected reissue: a new draft that supersedes this certificate once issued",
              "provider",
              true,
              true,
              {},
              kDraftSchema,
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto old, ProviderScope(ctx, r));
                CERTLEDGER_ASSIGN_OR_RETURN(auto in, DraftInput(r, r.body));
                in.supersedes = old.code;
                in.request_key = r.idempotency_key;
                CERTLEDGER_ASSIGN_OR_RETURN(auto rec, ctx.registry.CreateDraft(in));
                return Created(r, rec);
              }});
  router.Add(
      {"POST",
       "/api/v1/certificates/batch",
       provider_only,
       "issue many certificates at once (rows as in a draft; each row confirmed by the provider); "
       "rejected rows are reported and change nothing; each issued row carries identityCode, the "
       "learner's secret identity check code",
       "provider",
       true,
       true,
       {},
       Json{{"type", "object"},
            {"required", {"rows"}},
            {"properties",
             {{"rows", {{"type", "array"}, {"maxItems", 10000}, {"items", kDraftSchema}}}}}},
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"rows"}));
         auto rows = r.body.find("rows");
         if (rows == r.body.end() || !rows->is_array() || rows->size() > 10000) {
           return Status::InvalidArgument("request.field",
                                          "\"rows\" must be an array of at most 10000 drafts")
               .WithField("rows");
         }
         Json results = Json::array();
         int issued = 0, rejected = 0;
         for (size_t i = 0; i < rows->size(); ++i) {
           const Json& row = (*rows)[i];
           Status st;
           std::string code, identity_code;
           if (!row.is_object()) {
             st = Status::InvalidArgument("request.field", "a row must be a JSON object");
           } else {
             auto in = DraftInput(r, row);
             st = in.status();
             if (in.ok()) {
               if (!r.idempotency_key.empty()) {
                 in->request_key = r.idempotency_key + "#" + std::to_string(i);
               }
               auto draft = ctx.registry.CreateDraft(*in);
               st = draft.status();
               if (draft.ok()) {
                 code = draft->code;
                 identity_code = draft->identity_code;
                 if (draft->state == "draft") {
                   st = ctx.registry.ConfirmName(code);
                   if (st.ok()) st = ctx.registry.Issue(code).status();
                 }
               }
             }
           }
           if (st.ok()) {
             ++issued;
             results.push_back({{"row", i},
                                {"code", code},
                                {"url", ctx.base_url + "/v/" + code},
                                {"identityCode", identity_code}});
           } else {
             ++rejected;
             Json e = {{"row", i}, {"error", st.slug()}, {"detail", st.message()}};
             if (!st.field().empty()) e["field"] = st.field();
             results.push_back(e);
           }
         }
         ctx.Changed();
         return Reply::JsonBody({{"issued", issued}, {"rejected", rejected}, {"rows", results}},
                                201);
       }});
}

}  // namespace certledger::api::internal
