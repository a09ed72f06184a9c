// The operator's routes: issuers, keys, programmes and API tokens.
#include "api/internal/routes.h"
#include "crypto/encoding.h"
#include "crypto/rfc3339.h"

namespace certledger::api::internal {
namespace {

Json IssuerJson(const registry::model::IssuerView& v) {
  Json j = {{"slug", v.slug},
            {"did", v.did},
            {"name", {{"ru", v.name.ru}, {"en", v.name.en}}},
            {"inn", v.inn},
            {"licence", {{"number", v.licence_number}, {"date", v.licence_date}}},
            {"status", v.status}};
  if (v.suspended_at_ms) j["suspendedAt"] = crypto::FormatRfc3339(*v.suspended_at_ms);
  return j;
}

Json KeyJson(const registry::KeyInfo& k) {
  Json j = {{"n", k.n},
            {"id", k.id},
            {"publicKeyHex", crypto::HexEncode(k.public_key)},
            {"state", k.state},
            {"created", crypto::FormatRfc3339(k.created_ms)}};
  if (k.revoked_ms) j["revoked"] = crypto::FormatRfc3339(*k.revoked_ms);
  return j;
}

Json TokenJson(const registry::TokenInfo& t) {
  Json j = {{"id", t.id},
            {"role", std::string(registry::RoleName(t.role))},
            {"scope", t.scope},
            {"label", t.label},
            {"created", crypto::FormatRfc3339(t.created_ms)}};
  if (t.expires_ms) j["expires"] = crypto::FormatRfc3339(*t.expires_ms);
  if (t.revoked_ms) j["revoked"] = crypto::FormatRfc3339(*t.revoked_ms);
  return j;
}

Result<int> IntParam(const Request& r, const std::string& name) {
  const std::string& v = r.Param(name);
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("request.parameter", name + " must be a number").WithField(name);
  }
  return std::stoi(v);
}

}  // namespace

void AddOperatorRoutes(Router& router, ServerContext& ctx) {
  const Access op = Access::For({Role::kOperator});
  const Access op_or_provider = Access::For({Role::kOperator, Role::kProvider});

  router.Add({"GET",
              "/api/v1/issuers",
              op,
              "list issuers",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto all, ctx.registry.ListIssuers());
                Json a = Json::array();
                for (const auto& v : all) a.push_back(IssuerJson(v));
                return Reply::JsonBody({{"issuers", a}});
              }});
  router.Add(
      {"POST",
       "/api/v1/issuers",
       op,
       "register an issuer (creates its first key)",
       "operator",
       true,
       true,
       {},
       Json{{"type", "object"},
            {"required", {"slug", "kind", "name_ru", "name_en", "inn"}},
            {"properties",
             {{"slug", {{"type", "string"}}},
              {"kind", {{"type", "string"}, {"enum", {"provider", "university", "operator"}}}},
              {"name_ru", {{"type", "string"}}},
              {"name_en", {{"type", "string"}}},
              {"inn", {{"type", "string"}}},
              {"licence_number", {{"type", "string"}}},
              {"licence_date", {{"type", "string"}, {"format", "date"}}}}}},
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"slug", "kind", "name_ru", "name_en", "inn",
                                                       "licence_number", "licence_date"}));
         registry::IssuerInput in;
         CERTLEDGER_ASSIGN_OR_RETURN(in.slug, StringField(r.body, "slug", true, 40));
         CERTLEDGER_ASSIGN_OR_RETURN(in.kind, StringField(r.body, "kind", true, 20));
         CERTLEDGER_ASSIGN_OR_RETURN(in.name_ru, StringField(r.body, "name_ru", true, 500));
         CERTLEDGER_ASSIGN_OR_RETURN(in.name_en, StringField(r.body, "name_en", true, 500));
         CERTLEDGER_ASSIGN_OR_RETURN(in.inn, StringField(r.body, "inn", true, 12));
         CERTLEDGER_ASSIGN_OR_RETURN(in.licence_number,
                                     StringField(r.body, "licence_number", false, 100));
         CERTLEDGER_ASSIGN_OR_RETURN(in.licence_date,
                                     StringField(r.body, "licence_date", false, 10));
         CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.RegisterIssuer(in));
         return Reply::JsonBody(IssuerJson(v), 201);
       }});
  router.Add({"GET",
              "/api/v1/issuers/{slug}",
              op_or_provider,
              "an issuer with its keys",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(RequireIssuerScope(r, r.Param("slug")));
                CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetIssuer(r.Param("slug")));
                CERTLEDGER_ASSIGN_OR_RETURN(auto keys, ctx.registry.Keys(r.Param("slug")));
                Json j = IssuerJson(v);
                j["keys"] = Json::array();
                for (const auto& k : keys) j["keys"].push_back(KeyJson(k));
                return Reply::JsonBody(j);
              }});
  for (const char* action : {"suspend", "reactivate"}) {
    const bool suspend = std::string(action) == "suspend";
    router.Add({"POST",
                std::string("/api/v1/issuers/{slug}/") + action,
                op,
                suspend ? "suspend an issuer (its certificates still verify, marked suspended)"
                        : "reactivate a suspended issuer",
                "operator",
                false,
                false,
                {},
                Json(),
                [&ctx, suspend](Request& r) -> Result<Reply> {
                  const std::string& slug = r.Param("slug");
                  CERTLEDGER_RETURN_IF_ERROR(suspend ? ctx.registry.SuspendIssuer(slug)
                                                     : ctx.registry.ReactivateIssuer(slug));
                  ctx.Changed();
                  CERTLEDGER_ASSIGN_OR_RETURN(auto v, ctx.registry.GetIssuer(slug));
                  return Reply::JsonBody(IssuerJson(v));
                }});
  }
  router.Add({"POST",
              "/api/v1/issuers/{slug}/keys",
              op,
              "rotate: a new active key; the previous one is retired (still verifies)",
              "operator",
              false,
              true,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto k, ctx.registry.RotateKey(r.Param("slug")));
                return Reply::JsonBody(KeyJson(k), 201);
              }});
  router.Add({"POST",
              "/api/v1/issuers/{slug}/keys/{n}/revoke",
              op,
              "mark a compromised key revoked from a time (default now)",
              "operator",
              true,
              false,
              {},
              Json{{"type", "object"},
                   {"properties", {{"effective", {{"type", "string"}, {"format", "date-time"}}}}}},
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"effective"}));
                CERTLEDGER_ASSIGN_OR_RETURN(int n, IntParam(r, "n"));
                CERTLEDGER_ASSIGN_OR_RETURN(std::string eff,
                                            StringField(r.body, "effective", false, 40));
                int64_t when = ctx.registry.clock().NowMillis();
                if (!eff.empty()) {
                  auto t = crypto::ParseRfc3339(eff);
                  if (!t.ok()) return Status(t.status()).WithField("effective");
                  when = *t;
                }
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.RevokeKey(r.Param("slug"), n, when));
                ctx.Changed();
                return Reply::JsonBody({{"revoked", n}});
              }});
  router.Add(
      {"POST",
       "/api/v1/programmes",
       op,
       "add a programme to an issuer's catalogue",
       "operator",
       true,
       true,
       {},
       Json{{"type", "object"},
            {"required",
             {"issuer", "code", "title_ru", "title_en", "hours", "pass_mark", "form",
              "document_type"}}},
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_RETURN_IF_ERROR(AllowOnly(
             r.body,
             {"issuer", "code", "title_ru", "title_en", "competence_area", "hours", "pass_mark",
              "max_points", "form", "document_type", "outcomes", "competencies"}));
         registry::ProgrammeInput in;
         CERTLEDGER_ASSIGN_OR_RETURN(in.issuer, StringField(r.body, "issuer", true, 40));
         CERTLEDGER_ASSIGN_OR_RETURN(in.code, StringField(r.body, "code", true, 40));
         CERTLEDGER_ASSIGN_OR_RETURN(in.title_ru, StringField(r.body, "title_ru", true, 500));
         CERTLEDGER_ASSIGN_OR_RETURN(in.title_en, StringField(r.body, "title_en", true, 500));
         CERTLEDGER_ASSIGN_OR_RETURN(in.competence_area,
                                     StringField(r.body, "competence_area", false, 100));
         CERTLEDGER_ASSIGN_OR_RETURN(int64_t hours, IntField(r.body, "hours"));
         CERTLEDGER_ASSIGN_OR_RETURN(int64_t pass, IntField(r.body, "pass_mark"));
         CERTLEDGER_ASSIGN_OR_RETURN(int64_t max, IntField(r.body, "max_points", false));
         if (hours < 0 || hours > 100000 || pass < 0 || pass > 100000 || max < 0 || max > 100000) {
           return Status::InvalidArgument("programme.invalid",
                                          "hours, pass_mark and max_points must be 0..100000");
         }
         in.hours = static_cast<int>(hours);
         in.pass_mark = static_cast<int>(pass);
         if (max > 0) in.max_points = static_cast<int>(max);
         CERTLEDGER_ASSIGN_OR_RETURN(in.form, StringField(r.body, "form", true, 20));
         CERTLEDGER_ASSIGN_OR_RETURN(in.document_type,
                                     StringField(r.body, "document_type", true, 40));
         CERTLEDGER_ASSIGN_OR_RETURN(in.outcomes, StringArrayField(r.body, "outcomes", false));
         CERTLEDGER_ASSIGN_OR_RETURN(in.competencies,
                                     StringArrayField(r.body, "competencies", false));
         CERTLEDGER_RETURN_IF_ERROR(ctx.registry.AddProgramme(in));
         return Reply::JsonBody({{"issuer", in.issuer}, {"code", in.code}}, 201);
       }});
  router.Add(
      {"POST",
       "/api/v1/tokens",
       op,
       "create a bearer token (shown once): operator, or provider bound to an issuer",
       "operator",
       true,
       true,
       {},
       Json{{"type", "object"},
            {"required", {"role"}},
            {"properties",
             {{"role", {{"type", "string"}, {"enum", {"operator", "provider"}}}},
              {"scope", {{"type", "string"}}},
              {"label", {{"type", "string"}}},
              {"expires", {{"type", "string"}, {"format", "date-time"}}}}}},
       [&ctx](Request& r) -> Result<Reply> {
         CERTLEDGER_RETURN_IF_ERROR(AllowOnly(r.body, {"role", "scope", "label", "expires"}));
         CERTLEDGER_ASSIGN_OR_RETURN(std::string role_name, StringField(r.body, "role", true, 20));
         auto role = registry::ParseRole(role_name);
         if (!role || (*role != Role::kOperator && *role != Role::kProvider)) {
           return Status::InvalidArgument("request.field",
                                          "role must be \"operator\" or \"provider\" (applicants "
                                          "sign in with a one-time code)")
               .WithField("role");
         }
         CERTLEDGER_ASSIGN_OR_RETURN(std::string scope, StringField(r.body, "scope", false, 40));
         CERTLEDGER_ASSIGN_OR_RETURN(std::string label, StringField(r.body, "label", false, 200));
         CERTLEDGER_ASSIGN_OR_RETURN(std::string exp, StringField(r.body, "expires", false, 40));
         std::optional<int64_t> expires;
         if (!exp.empty()) {
           auto t = crypto::ParseRfc3339(exp);
           if (!t.ok()) return Status(t.status()).WithField("expires");
           expires = *t;
         }
         CERTLEDGER_ASSIGN_OR_RETURN(auto t,
                                     ctx.registry.CreateToken(*role, scope, label, expires));
         Json j = TokenJson(t.info);
         j["token"] = t.token;
         return Reply::JsonBody(j, 201);
       }});
  router.Add({"GET",
              "/api/v1/tokens",
              op,
              "list tokens (never the secrets)",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request&) -> Result<Reply> {
                CERTLEDGER_ASSIGN_OR_RETURN(auto all, ctx.registry.ListTokens());
                Json a = Json::array();
                for (const auto& t : all) a.push_back(TokenJson(t));
                return Reply::JsonBody({{"tokens", a}});
              }});
  router.Add({"POST",
              "/api/v1/tokens/{id}/revoke",
              op,
              "revoke a token",
              "operator",
              false,
              false,
              {},
              Json(),
              [&ctx](Request& r) -> Result<Reply> {
                CERTLEDGER_RETURN_IF_ERROR(ctx.registry.RevokeToken(r.Param("id")));
                return Reply::JsonBody({{"revoked", r.Param("id")}});
              }});
}

}  // namespace certledger::api::internal
