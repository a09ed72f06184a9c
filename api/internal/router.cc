#include "api/internal/router.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "crypto/hash.h"

namespace certledger::api::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Latency histogram bounds (seconds), Prometheus `le` labels.
constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                               0.05,   0.1,   0.25,   0.5,   1,    2.5};

bool Admitted(const Access& a, Role role) {
  return std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end();
}

// "/api/v1/x/{code}" -> "/api/v1/x/([^/]+)", names = {"code"}.
std::string PathRegex(const std::string& path, std::vector<std::string>* names) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '{') {
      size_t end = path.find('}', i);
      std::string name = path.substr(i + 1, end - i - 1);
      if (!name.empty() && name.back() == '*') {
        name.pop_back();
        out += "(.+)";
      } else {
        out += "([^/]+)";
      }
      names->push_back(name);
      i = end;
    } else if (std::string_view(".+*?()[]^$|\\").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// The path parameters httplib's regex routing captured.
std::vector<std::string> MatchValues(const httplib::Request& req) {
  std::vector<std::string> values;
  for (size_t i = 1; i < req.matches.size(); ++i) values.push_back(req.matches[i].str());
  return values;
}

bool JsonContentType(const std::string& ct) {
  std::string v = ct.substr(0, ct.find(';'));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v != "application/json") return false;
  if (ct.find(';') == std::string::npos) return true;
  std::string rest = ct.substr(ct.find(';') + 1);
  std::transform(rest.begin(), rest.end(), rest.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  rest.erase(std::remove(rest.begin(), rest.end(), ' '), rest.end());
  return rest == "charset=utf-8";
}

// "{}" with optional whitespace: what many clients send as "no body".
bool IsEmptyObject(const std::string& body) {
  std::string t;
  for (char c : body) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') t += c;
  }
  return t == "{}";
}

bool ValidIdempotencyKey(const std::string& k) {
  return !k.empty() && k.size() <= 255 &&
         std::all_of(k.begin(), k.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Status FieldError(std::string_view field, const std::string& msg) {
  return Status::InvalidArgument("request.field", msg).WithField(std::string(field));
}

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Reply Reply::JsonBody(const Json& j, int status) {
  Reply r;
  r.status = status;
  // Replace, not throw on, invalid UTF-8 (a detail may quote a path parameter).
  r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Reply Reply::Raw(std::string body, std::string content_type, int status) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

const std::string& Request::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::string Request::Query(const std::string& name) const {
  return http.has_param(name.c_str()) ? http.get_param_value(name.c_str()) : std::string();
}

std::string Request::Lang() const {
  return LangOf(Query("lang"), http.get_header_value("Accept-Language"));
}

std::string LangOf(std::string_view lang_param, std::string_view accept_language) {
  if (lang_param == "en" || lang_param == "ru") return std::string(lang_param);
  if (accept_language.size() >= 2 &&
      std::tolower(static_cast<unsigned char>(accept_language[0])) == 'e' &&
      std::tolower(static_cast<unsigned char>(accept_language[1])) == 'n') {
    return "en";
  }
  return "ru";
}

std::string_view FastQueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
  }
  return {};
}

const std::vector<ProblemType>& ProblemCatalogue() {
  static const std::vector<ProblemType> kTypes = {
      {"request.json", 400, "The request body is not valid JSON",
       "Тело запроса не является корректным JSON"},
      {"request.field", 400, "A field of the request is missing or has the wrong type",
       "Поле запроса отсутствует или имеет неверный тип"},
      {"request.unknown-field", 400, "The request has a field this route does not accept",
       "В запросе есть поле, которое этот метод не принимает"},
      {"request.body-unexpected", 400, "This route takes no request body",
       "Этот метод не принимает тело запроса"},
      {"request.content-type", 415, "The request body must be application/json",
       "Тело запроса должно быть application/json"},
      {"request.too-large", 413, "The request body is too large", "Тело запроса слишком велико"},
      {"request.parameter", 400, "A path or query parameter is invalid",
       "Неверный параметр пути или запроса"},
      {"request.idempotency-key", 400, "The Idempotency-Key header is invalid",
       "Неверный заголовок Idempotency-Key"},
      {"idempotency.conflict", 409, "The Idempotency-Key was used for a different request",
       "Ключ Idempotency-Key уже использован для другого запроса"},
      {"idempotency.in-flight", 409, "A request with this Idempotency-Key is still running",
       "Запрос с этим ключом Idempotency-Key ещё выполняется"},
      {"auth.required", 401, "This route needs a bearer token",
       "Для этого метода нужен токен доступа"},
      {"token.invalid", 401, "The bearer token is unknown, expired or revoked",
       "Токен доступа неизвестен, истёк или отозван"},
      {"auth.role", 403, "Your role may not use this route",
       "Ваша роль не даёт доступа к этому методу"},
      {"auth.scope", 403, "This object belongs to another issuer or applicant",
       "Объект принадлежит другой организации или другому заявителю"},
      {"rate.limited", 429, "Too many requests; wait and try again",
       "Слишком много запросов; подождите и повторите"},
      {"route.unknown", 404, "No such route", "Такого адреса нет"},
      {"route.method", 405, "This method is not allowed on this route",
       "Этот метод не поддерживается по этому адресу"},
      {"certificate.unknown", 404, "No certificate has this registration code",
       "Сертификат с таким регистрационным номером не найден"},
      {"certificate.invalid", 422, "A field of the certificate is invalid",
       "Поле сертификата заполнено неверно"},
      {"certificate.below-pass-mark", 422, "The points are below the programme's pass mark",
       "Баллы ниже проходного порога программы"},
      {"certificate.duplicate", 409,
       "This learner already has a certificate for this programme "
       "and period",
       "У слушателя уже есть сертификат по этой программе за этот период"},
      {"certificate.state", 409, "The certificate is not in a state that allows this",
       "Состояние сертификата не позволяет это действие"},
      {"certificate.name-unconfirmed", 409, "The learner has not confirmed the name yet",
       "Слушатель ещё не подтвердил написание имени"},
      {"issuer.unknown", 404, "No such issuer", "Такая организация не зарегистрирована"},
      {"issuer.invalid", 422, "A field of the issuer is invalid",
       "Поле организации заполнено неверно"},
      {"issuer.exists", 409, "An issuer with this slug exists",
       "Организация с таким идентификатором уже есть"},
      {"issuer.state", 409, "The issuer is already in that state",
       "Организация уже в этом состоянии"},
      {"issuer.suspended", 409, "The issuer is suspended",
       "Деятельность организации приостановлена"},
      {"issuer.no-licence", 422, "State-standard documents need a recorded education licence",
       "Для документов установленного образца нужна лицензия"},
      {"programme.invalid", 422, "A field of the programme is invalid",
       "Поле программы заполнено неверно"},
      {"programme.unknown", 404, "No such programme", "Такой программы нет"},
      {"key.unknown", 404, "No such key", "Такого ключа нет"},
      {"token.unknown", 404, "No such active token", "Такого действующего токена нет"},
      {"token.scope", 422, "The token's scope is invalid", "Неверная область действия токена"},
      {"login.code", 403, "The one-time code is wrong or has expired",
       "Одноразовый код неверен или устарел"},
      {"application.invalid", 422, "A field of the application is invalid",
       "Поле заявления заполнено неверно"},
      {"application.ineligible", 422, "The applicant is not eligible; see the reasons",
       "Заявитель не соответствует условиям программы; см. причины"},
      {"application.duplicate", 409, "This person already applied this year",
       "Этот человек уже подавал заявление в этом году"},
      {"application.unknown", 404, "No such application", "Такого заявления нет"},
      {"application.state", 409, "The application is not in a state that allows this",
       "Состояние заявления не позволяет это действие"},
      {"voucher.unknown", 404, "No such voucher", "Такого сертификата на обучение нет"},
      {"voucher.state", 409, "The voucher is not in a state that allows this",
       "Состояние сертификата на обучение не позволяет это действие"},
      {"voucher.wrong-issuer", 403, "The voucher is for a programme of another provider",
       "Сертификат на обучение выдан на программу другой организации"},
      {"year.unknown", 404, "This year is not configured", "Этот год не настроен"},
      {"year.closed", 409, "Applications for this year are not open",
       "Приём заявлений на этот год не открыт"},
      {"ledger.range", 400, "The ledger index or size is out of range",
       "Номер записи или размер журнала вне диапазона"},
      {"tile.path", 404, "No such tile", "Такой плитки нет"},
      {"internal", 500, "Internal error; try again later",
       "Внутренняя ошибка; повторите попытку позже"},
      {"unavailable", 503, "The registry is busy; try again shortly",
       "Реестр занят; повторите попытку чуть позже"},
  };
  return kTypes;
}

int HttpStatusFor(const Status& s) {
  for (const auto& t : ProblemCatalogue()) {
    if (t.slug == s.slug()) return t.status;
  }
  const std::string& slug = s.slug();
  switch (s.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return slug.rfind("request.", 0) == 0 || slug.rfind("jcs.", 0) == 0 ? 400 : 422;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnavailable:
      return 503;
    case Code::kDataLoss:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

// ---- metrics ----------------------------------------------------------------

void Metrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  PerRoute& r = routes_[route];
  if (r.buckets.empty()) r.buckets.assign(std::size(kBuckets), 0);
  ++r.by_status[status];
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++r.buckets[i];
  }
  r.sum += seconds;
  ++r.count;
}

namespace {
// A sample value in full: a stream's default six significant digits wrote
// 1048576 as "1.04858e+06" (Prometheus then reads 1048580).
std::string MetricValue(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string Metrics::Render(const std::map<std::string, double>& gauges) const {
  std::ostringstream o;
  o << "# HELP certledger_http_requests_total HTTP requests by route and status.\n"
       "# TYPE certledger_http_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [route, r] : routes_) {
    for (const auto& [status, n] : r.by_status) {
      o << "certledger_http_requests_total{route=\"" << EscapeLabel(route) << "\",code=\"" << status
        << "\"} " << n << "\n";
    }
  }
  o << "# HELP certledger_http_request_duration_seconds Time to answer a request.\n"
       "# TYPE certledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, r] : routes_) {
    std::string l = "route=\"" + EscapeLabel(route) + "\"";
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      o << "certledger_http_request_duration_seconds_bucket{" << l << ",le=\"" << kBuckets[i]
        << "\"} " << r.buckets[i] << "\n";
    }
    o << "certledger_http_request_duration_seconds_bucket{" << l << ",le=\"+Inf\"} " << r.count
      << "\n";
    o << "certledger_http_request_duration_seconds_sum{" << l << "} " << MetricValue(r.sum) << "\n";
    o << "certledger_http_request_duration_seconds_count{" << l << "} " << r.count << "\n";
  }
  o << "# HELP certledger_http_fast_answers_total Answers served from the page cache without "
       "httplib's request parsing (also counted above).\n"
       "# TYPE certledger_http_fast_answers_total counter\n"
       "certledger_http_fast_answers_total "
    << fast_answers_.load(std::memory_order_relaxed) << "\n";
  for (const auto& [name, v] : gauges) {
    o << "# TYPE " << name << " gauge\n" << name << " " << MetricValue(v) << "\n";
  }
  return o.str();
}

bool RateLimiter::Allow(const std::string& client) {
  if (per_minute_ <= 0) return true;
  auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() > 100'000) buckets_.clear();  // bounded memory under address floods
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{static_cast<double>(burst_), now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min<double>(burst_, b.tokens + elapsed * per_minute_ / 60.0);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

// ---- field helpers ------------------------------------------------------------

Status AllowOnly(const Json& body, std::initializer_list<std::string_view> fields) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (std::find(fields.begin(), fields.end(), it.key()) == fields.end()) {
      return Status::InvalidArgument("request.unknown-field",
                                     "the field \"" + it.key() +
                                         "\" is not accepted here; remove it (see "
                                         "/api/v1/openapi.json)")
          .WithField(it.key());
    }
  }
  return Status::Ok();
}

Result<std::string> StringField(const Json& body, std::string_view field, bool required,
                                size_t max_bytes) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return FieldError(field, "the field \"" + std::string(field) + "\" is required");
    return std::string();
  }
  if (!it->is_string()) {
    return FieldError(field, "the field \"" + std::string(field) + "\" must be a string");
  }
  const std::string& v = it->get_ref<const std::string&>();
  if (v.size() > max_bytes) {
    return FieldError(field, "the field \"" + std::string(field) + "\" is longer than " +
                                 std::to_string(max_bytes) + " bytes");
  }
  return v;
}

Result<int64_t> IntField(const Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return FieldError(field, "the field \"" + std::string(field) + "\" is required");
    return int64_t{0};
  }
  if (it->is_number_integer() || it->is_number_unsigned()) {
    if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return FieldError(field, "the field \"" + std::string(field) + "\" is too large");
    }
    return it->get<int64_t>();
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  return FieldError(field, "the field \"" + std::string(field) + "\" must be an integer");
}

Result<double> NumberField(const Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return FieldError(field, "the field \"" + std::string(field) + "\" is required");
    return 0.0;
  }
  if (!it->is_number()) {
    return FieldError(field, "the field \"" + std::string(field) + "\" must be a number");
  }
  return it->get<double>();
}

Result<std::vector<std::string>> StringArrayField(const Json& body, std::string_view field,
                                                  bool required) {
  auto it = body.find(field);
  std::vector<std::string> out;
  if (it == body.end() || it->is_null()) {
    if (required) return FieldError(field, "the field \"" + std::string(field) + "\" is required");
    return out;
  }
  if (!it->is_array() || it->size() > 1000) {
    return FieldError(field,
                      "the field \"" + std::string(field) + "\" must be an array of strings");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return FieldError(field,
                        "the field \"" + std::string(field) + "\" must be an array of strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

// ---- router -------------------------------------------------------------------

Router::Router(registry::Registry& registry, RouterOptions options)
    : registry_(registry),
      options_(std::move(options)),
      limiter_(options_.rate_limit_per_minute, options_.rate_limit_burst) {}

void Router::Add(Route route) {
  param_names_.emplace_back();
  PathRegex(route.path, &param_names_.back());
  std::vector<std::string>& segs = segments_.emplace_back();
  for (std::string_view rest = std::string_view(route.path).substr(1);;) {
    const size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (!seg.empty() && seg.front() == '{') {
      segs.emplace_back(seg.size() > 2 && seg[seg.size() - 2] == '*' ? "{*}" : "{}");
    } else {
      segs.emplace_back(seg);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  routes_.push_back(std::move(route));
}

bool Router::MatchRoute(size_t i, std::string_view path, std::vector<std::string>* values) const {
  values->clear();
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  bool more = true;
  for (const std::string& want : segments_[i]) {
    if (!more) return false;
    if (want == "{*}") {  // "(.+)": the rest of the path, slashes included
      if (rest.empty()) return false;
      values->emplace_back(rest);
      return true;
    }
    const size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (want == "{}") {  // "([^/]+)"
      if (seg.empty()) return false;
      values->emplace_back(seg);
    } else if (seg != want) {
      return false;
    }
    more = slash != std::string_view::npos;
    rest = more ? rest.substr(slash + 1) : std::string_view();
  }
  return !more;
}

int Router::MatchGet(std::string_view path, std::vector<std::string>* values) const {
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == "GET" && MatchRoute(i, path, values)) return static_cast<int>(i);
  }
  return -1;
}

Reply Router::Problem(const Status& s) const {
  int status = HttpStatusFor(s);
  std::string slug = s.slug().empty() ? "internal" : s.slug();
  std::string detail = s.message();
  if (status >= 500) {
    // Nothing internal leaves the server; the operator finds it in the log.
    std::fprintf(stderr, "certledger: error %s: %s\n", slug.c_str(), s.message().c_str());
    slug = status == 503 ? "unavailable" : "internal";
    detail = status == 503 ? "the registry is busy; retry in a few seconds"
                           : "internal error; try again later (the operator has the details)";
  }
  Json p = {{"type", options_.base_url + "/problems/" + slug}, {"status", status}};
  p["title"] = std::string(CodeName(s.code()));
  for (const auto& t : ProblemCatalogue()) {
    if (t.slug == slug) {
      p["title"] = std::string(t.title_en);
      p["title_ru"] = std::string(t.title_ru);
    }
  }
  p["detail"] = detail;
  if (!s.field().empty() && status < 500) p["field"] = s.field();
  Reply r = Reply::JsonBody(p, status);
  r.content_type = "application/problem+json";
  if (status == 429) r.headers.emplace_back("Retry-After", "10");
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"certledger\"");
  return r;
}

Result<Reply> Router::Run(const Route& route, const httplib::Request& req, Request& r) {
  const Access& a = route.access;
  if (a.rate_limited && !limiter_.Allow(req.remote_addr)) {
    return Status(Code::kUnavailable, "rate.limited",
                  "too many requests from your address; wait a minute and try again "
                  "(слишком много запросов; повторите через минуту)");
  }
  // Authentication: a token, when sent, must be valid, even on public routes.
  std::string auth = req.get_header_value("Authorization");
  if (!auth.empty()) {
    if (auth.rfind("Bearer ", 0) != 0) {
      return Status::Unauthenticated("token.invalid",
                                     "use the header \"Authorization: Bearer <token>\"");
    }
    CERTLEDGER_ASSIGN_OR_RETURN(r.principal, registry_.Authenticate(auth.substr(7)));
  }
  if (!a.is_public) {
    if (r.principal.role == Role::kNone) {
      return Status::Unauthenticated("auth.required",
                                     "this route needs \"Authorization: Bearer <token>\"");
    }
    if (!Admitted(a, r.principal.role)) {
      return Status::PermissionDenied("auth.role", "a " + std::string(RoleName(r.principal.role)) +
                                                       " token may not use this route");
    }
  }
  // Body. httplib caps every body at the batch limit while reading it; the
  // smaller limit of every other route is enforced here.
  if (req.body.size() > options_.max_body_bytes && route.path != "/api/v1/certificates/batch") {
    return Status::InvalidArgument(
        "request.too-large", "the body is larger than the limit of " +
                                 std::to_string(options_.max_body_bytes) + " bytes; send less");
  }
  if (route.json_body) {
    if (!JsonContentType(req.get_header_value("Content-Type"))) {
      return Status::InvalidArgument("request.content-type",
                                     "send the body as Content-Type: application/json (UTF-8)");
    }
    crypto::JsonParseOptions po;
    po.max_depth = 32;
    auto body = crypto::ParseJson(req.body, po);
    if (!body.ok()) {
      return Status::InvalidArgument("request.json",
                                     "the body is not valid JSON: " + body.status().message());
    }
    if (!body->is_object()) {
      return Status::InvalidArgument("request.json", "the body must be a JSON object");
    }
    r.body = std::move(*body);
  } else if (!req.body.empty() && !IsEmptyObject(req.body)) {
    return Status::InvalidArgument("request.body-unexpected",
                                   "this route takes no body; send none (or {})");
  }
  if (!route.creates) return route.handler(r);

  // Idempotency-Key (creating POSTs): same key + same request -> the stored
  // response; same key + another request -> 409.
  std::string key = req.get_header_value("Idempotency-Key");
  if (key.empty()) return route.handler(r);
  if (!ValidIdempotencyKey(key)) {
    return Status::InvalidArgument("request.idempotency-key",
                                   "Idempotency-Key must be 1-255 visible ASCII characters");
  }
  const std::string scope = std::string(RoleName(r.principal.role)) + ":" + r.principal.scope;
  const std::string request_hash =
      crypto::Sha256Tagged(route.method + " " + req.path + "\n" + req.body);
  CERTLEDGER_ASSIGN_OR_RETURN(auto stored, registry_.FindResponse(scope, key, request_hash));
  if (stored) {
    Reply rep = Reply::Raw(stored->body, stored->content_type, stored->status);
    rep.headers.emplace_back("Idempotent-Replayed", "true");
    return rep;
  }
  const std::string inflight_key = scope + "\n" + key;
  {
    std::lock_guard<std::mutex> lock(inflight_mu_);
    if (!inflight_.insert(inflight_key).second) {
      return Status::AlreadyExists("idempotency.in-flight",
                                   "a request with this Idempotency-Key is still running; retry "
                                   "when it has finished");
    }
  }
  r.idempotency_key = scope + ":" + key;
  Result<Reply> out = route.handler(r);
  if (out.ok() && out->status >= 200 && out->status < 300) {
    Status st = registry_.StoreResponse(scope, key, request_hash,
                                        {out->status, out->content_type, out->body});
    if (!st.ok()) std::fprintf(stderr, "certledger: idempotency store: %s\n", st.message().c_str());
  }
  std::lock_guard<std::mutex> lock(inflight_mu_);
  inflight_.erase(inflight_key);
  return out;
}

namespace {

// The headers every routed answer carries: the reply's own, then the security
// headers, CORS and a default Cache-Control, in the order Dispatch sets them.
template <typename Add>
void AnswerHeaders(const Route& route, const Reply& reply, const Add& add) {
  // The reply's own headers decide, looked up in its short vector rather
  // than with httplib's case-insensitive has_header over the response.
  bool csp = false, cache_control = false;
  for (const auto& [k, v] : reply.headers) {
    csp = csp || k == "Content-Security-Policy";
    cache_control = cache_control || k == "Cache-Control";
    add(k, v);
  }
  add("X-Content-Type-Options", "nosniff");
  add("Referrer-Policy", "no-referrer");
  if (!csp) add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  add("X-Frame-Options", "DENY");
  if (route.access.cors) add("Access-Control-Allow-Origin", "*");
  if (!cache_control) add("Cache-Control", "no-store");
}

// httplib::detail::ci: header names compare byte by byte after tolower.
bool HeaderNameLess(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](unsigned char x, unsigned char y) {
                                        const auto lx = x >= 'A' && x <= 'Z' ? x + 32 : x;
                                        const auto ly = y >= 'A' && y <= 'Z' ? y + 32 : y;
                                        return lx < ly;
                                      });
}

}  // namespace

void Router::SetFastGet(const std::string& path, FastHandler handler) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == "GET" && routes_[i].path == path) {
      fast_.resize(routes_.size());
      fast_[i] = std::move(handler);
      return;
    }
  }
  std::fprintf(stderr, "certledger: SetFastGet: no GET route %s\n", path.c_str());
  std::abort();
}

int Router::FastGet(const FastGetRequest& request, std::string* out) {
  const auto start = Clock::now();
  std::vector<std::string> values;
  const int i = MatchGet(request.path, &values);
  if (i < 0 || static_cast<size_t>(i) >= fast_.size() || !fast_[i]) return 0;
  std::shared_ptr<const Reply> reply = fast_[i](request, values);
  if (!reply) return 0;
  // The cached page may come from a read (see Dispatch). The event loop must
  // not wait for an fsync: it leaves such a request to a worker.
  if (request.in_event_loop) {
    if (!registry_.IsDurable()) return 0;
  } else {
    registry_.WaitDurable();
  }
  // httplib::detail::status_message for the statuses a cached page has.
  const char* reason = reply->status == 200 ? "OK" : reply->status == 404 ? "Not Found" : nullptr;
  if (reason == nullptr) return 0;
  const Route& route = routes_[i];
  // As httplib::Server::write_response_core writes them: the headers set in
  // Dispatch and by set_content (Content-Type), then Content-Length and the
  // connection header, sorted by its case-insensitive multimap (equal names
  // keep their order), each "Name: value" CRLF.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  headers.reserve(reply->headers.size() + 10);
  AnswerHeaders(route, *reply,
                [&](std::string_view k, std::string_view v) { headers.emplace_back(k, v); });
  const std::string length = std::to_string(reply->body.size());
  headers.emplace_back("Content-Type", reply->content_type);
  headers.emplace_back("Content-Length", length);
  headers.emplace_back(request.connection_name, request.connection_value);
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return HeaderNameLess(a.first, b.first); });
  size_t size = 32 + reply->body.size();
  for (const auto& [k, v] : headers) size += k.size() + v.size() + 4;
  out->reserve(out->size() + size);
  out->append("HTTP/1.1 ").append(std::to_string(reply->status)).append(" ").append(reason);
  out->append("\r\n");
  for (const auto& [k, v] : headers) out->append(k).append(": ").append(v).append("\r\n");
  out->append("\r\n").append(reply->body);
  metrics_.Observe(route.method + " " + route.path, reply->status,
                   std::chrono::duration<double>(Clock::now() - start).count());
  metrics_.CountFast();
  return reply->status;
}

void Router::Dispatch(size_t route_index, const httplib::Request& req, httplib::Response& res,
                      const std::vector<std::string>& values) {
  const Route& route = routes_[route_index];
  const auto start = Clock::now();
  Request r{req, {}, {}, Json(), ""};
  const auto& names = param_names_[route_index];
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) r.params[names[i]] = values[i];
  Reply reply;
  registry_.BeginAnswer();
  try {
    Result<Reply> out = Run(route, req, r);
    reply = out.ok() ? std::move(*out) : Problem(out.status());
  } catch (const std::exception& e) {
    reply = Problem(Status::Internal("internal", e.what()));
  }
  // Reads may see a group commit whose fsync is still running: nothing a
  // crash could take back is answered (registry/internal/db.h). Writes have
  // waited already; this waits for what the handler read, unless its last
  // access was a write (it covers what was read before it).
  registry_.WaitAnswerable();
  res.status = reply.status;
  AnswerHeaders(route, reply, [&](std::string_view k, std::string_view v) {
    res.set_header(std::string(k).c_str(), std::string(v));
  });
  res.set_content(std::move(reply.body), reply.content_type.c_str());
  metrics_.Observe(route.method + " " + route.path, reply.status,
                   std::chrono::duration<double>(Clock::now() - start).count());
}

bool Router::TEST_Dispatch(size_t route_index, httplib::Request& req, httplib::Response& res) {
  // The segment matcher of the pre-routing handler, not httplib's regex: a
  // std::regex compiled per call was an eighth of the http_body fuzz target.
  std::vector<std::string> values;
  if (route_index >= routes_.size() || !MatchRoute(route_index, req.path, &values)) return false;
  Dispatch(route_index, req, res, values);
  return true;
}

void Router::Install(httplib::Server& server) {
  // GET requests without a body are routed here, before httplib runs
  // std::regex_match against each GET route in turn (tens of microseconds per
  // request on the hot path /v/<code>). Requests with a body go on to
  // httplib, which reads the body before its own routing; the same routes are
  // registered there below, so the answer is the same either way.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    if (req.method != "GET" || req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0")) {
      return HR::Unhandled;
    }
    std::vector<std::string> values;
    const int i = MatchGet(req.path, &values);
    if (i < 0) return HR::Unhandled;
    Dispatch(static_cast<size_t>(i), req, res, values);
    return HR::Handled;
  });
  std::set<std::string> cors_paths;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    std::vector<std::string> names;
    const std::string re = PathRegex(route.path, &names);
    auto handler = [this, i](const httplib::Request& req, httplib::Response& res) {
      Dispatch(i, req, res, MatchValues(req));
    };
    if (route.method == "GET") {
      server.Get(re, handler);
    } else if (route.method == "POST") {
      server.Post(re, handler);
    } else if (route.method == "PUT") {
      server.Put(re, handler);
    }
    if (route.access.cors && cors_paths.insert(re).second) {
      // CORS preflight of the public verification routes.
      server.Options(re, [](const httplib::Request&, httplib::Response& res) {
        res.status = 204;
        res.set_header("Access-Control-Allow-Origin", "*");
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.set_header("Access-Control-Allow-Headers", "Content-Type, Accept");
        res.set_header("Access-Control-Max-Age", "86400");
      });
    }
  }
  // Errors httplib raises itself (unknown route, body over the limit) as problem+json.
  server.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Status s;
    if (res.status == 413) {
      s = Status::InvalidArgument("request.too-large", "the body is larger than the limit of " +
                                                           std::to_string(options_.max_body_bytes) +
                                                           " bytes; send less");
    } else if (res.status == 404) {
      s = Status::NotFound("route.unknown", "there is nothing at " + req.path +
                                                "; the routes are listed in /api/v1/openapi.json");
    } else if (res.status == 405) {
      s = Status::FailedPrecondition("route.method", "this method is not allowed here");
    } else {
      s = Status::InvalidArgument("request.parameter", "the request could not be read");
    }
    Reply p = Problem(s);
    res.status = res.status == 0 ? p.status : res.status;
    if (res.status == 400 || res.status == 413 || res.status == 404 || res.status == 405) {
      Json body = crypto::ParseJson(p.body).value_or(Json::object());
      body["status"] = res.status;
      p.body = body.dump();
    }
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(p.body, "application/problem+json");
    metrics_.Observe("unmatched", res.status, 0);
  });
  server.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Reply p = Problem(Status::Internal("internal", what));
        res.status = p.status;
        res.set_content(p.body, "application/problem+json");
      });
}

Json Router::OpenApi() const {
  Json paths = Json::object();
  for (const Route& route : routes_) {
    std::vector<std::string> names;
    PathRegex(route.path, &names);
    std::string path = route.path;
    size_t star = path.find("*}");
    if (star != std::string::npos) path.erase(star, 1);
    Json op = {{"summary", route.summary},
               {"tags", {route.tag}},
               {"operationId", route.method + " " + path}};
    Json params = Json::array();
    for (const auto& n : names) {
      params.push_back(
          {{"name", n}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : route.query) {
      params.push_back(
          {{"name", q}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
    }
    if (route.creates) {
      params.push_back({{"name", "Idempotency-Key"},
                        {"in", "header"},
                        {"required", false},
                        {"description", "same key and body: the stored response; other body: 409"},
                        {"schema", {{"type", "string"}, {"maxLength", 255}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (route.access.is_public) {
      op["security"] = Json::array();
    } else {
      Json roles = Json::array();
      for (Role role : route.access.roles) roles.push_back(std::string(RoleName(role)));
      op["security"] = {{{"bearer", Json::array()}}};
      op["x-roles"] = roles;
    }
    if (route.json_body) {
      Json schema =
          route.request_schema.is_null() ? Json{{"type", "object"}} : route.request_schema;
      Json media = Json::object();
      media["application/json"] = {{"schema", schema}};
      op["requestBody"] = {{"required", true}, {"content", media}};
    }
    Json problem_media = Json::object();
    problem_media["application/problem+json"] =
        Json{{"schema", Json{{"$ref", "#/components/schemas/Problem"}}}};
    Json responses = Json::object();
    responses[route.creates ? "201" : "200"] = Json{{"description", "success"}};
    responses["default"] = Json{{"description", "an RFC 9457 problem"}, {"content", problem_media}};
    op["responses"] = responses;
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    paths[path][method] = op;
  }
  Json problem_types = Json::array();
  for (const auto& t : ProblemCatalogue()) {
    problem_types.push_back(options_.base_url + "/problems/" + std::string(t.slug));
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "certledger registry API"},
            {"version", "1"},
            {"description",
             "Training vouchers, signed course certificates and the public credential ledger."}}},
          {"servers", {{{"url", options_.base_url}}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas",
             {{"Problem",
               {{"type", "object"},
                {"required", {"type", "status", "title"}},
                {"properties",
                 {{"type", {{"type", "string"}, {"enum", problem_types}}},
                  {"status", {{"type", "integer"}}},
                  {"title", {{"type", "string"}}},
                  {"title_ru", {{"type", "string"}}},
                  {"detail", {{"type", "string"}}},
                  {"field", {{"type", "string"}}}}}}}}}}}};
}

}  // namespace certledger::api::internal
