#include "api/cli.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "api/server.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/receipt.h"
#include "crypto/rfc3339.h"
#include "crypto/selfcheck.h"
#include "registry/eligibility.h"
#include "registry/registry.h"
#include "render/pdf.h"

namespace certledger::api {
namespace {

// Exit codes of `certledger`: 0 ok, 1 failure, 2 usage error (CLI11's own).
constexpr int kExitFailure = 1;

int Fail(const Status& s) {
  std::fprintf(stderr, "certledger: %s\n", s.ToString().c_str());
  return kExitFailure;
}

// Configuration precedence (STYLE.md): defaults < environment < flags. Only
// Main reads the environment.
std::string FromEnv(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::optional<crypto::SecretBytes> PassphraseFromEnv() {
  const char* v = std::getenv("CERTLEDGER_PASSPHRASE");
  if (!v || !*v) return std::nullopt;
  return crypto::SecretBytes(v, crypto::InsecureSecretAccess::Get());
}

Result<std::unique_ptr<registry::Registry>> OpenRegistry(const std::string& data,
                                                         const registry::Clock& clock) {
  registry::RegistryOptions o;
  o.data_dir = data;
  o.passphrase = PassphraseFromEnv();
  o.ledger.background = false;
  return registry::Registry::Open(o, clock);
}

int RunSelfCheck() {
  Status s = crypto::SelfCheck();
  if (!s.ok()) return Fail(s);
  std::printf("certledger: crypto self-check passed (Ed25519, SHA-256).\n");
  return 0;
}

Status RegisterDemo(registry::Registry& reg) {
  registry::IssuerInput demo{"demo",
                             "provider",
                             "АНО ДПО «Цифровая академия» (демо)",
                             "Digital Academy (demo)",
                             "7707083893",
                             "Л035-01298-77/00179876",
                             "2021-03-15"};
  CERTLEDGER_RETURN_IF_ERROR(reg.RegisterIssuer(demo).status());
  registry::IssuerInput uni{
      "demo-university", "university", "ФГАОУ ВО «Демонстрационный университет»",
      "Demo University", "5000000024", "Л035-00115-77/00097403",
      "2016-06-01"};
  CERTLEDGER_RETURN_IF_ERROR(reg.RegisterIssuer(uni).status());
  CERTLEDGER_RETURN_IF_ERROR(reg.AddProgramme(
      {"demo",
       "DA-101",
       "Анализ данных на Python",
       "Data analysis in Python",
       "data-analysis",
       72,
       60,
       100,
       "distance",
       "qualification-upgrade",
       {"готовит и очищает данные с помощью pandas", "строит и проверяет регрессионные модели",
        "представляет результаты анализа в виде отчёта"},
       {"анализ данных", "программирование на Python"}}));
  CERTLEDGER_RETURN_IF_ERROR(
      reg.AddProgramme({"demo",
                        "PY-036",
                        "Основы программирования на Python",
                        "Python programming basics",
                        "programming",
                        36,
                        60,
                        100,
                        "distance",
                        "certificate",
                        {"пишет программы с ветвлениями, циклами и функциями"},
                        {"программирование на Python"}}));
  return reg.ledger().IntegrateNow().status();
}

// The demo's voucher year (the current one, open since 1 January, every
// region, the default education levels) and DIR/demo-tokens.json with one
// token per role: operator, provider `demo`, and an applicant of a demo
// application (a fictional person).
Status DemoYearAndTokens(registry::Registry& reg, const std::string& data_dir) {
  const int year = std::stoi(crypto::FormatRfc3339(reg.clock().NowMillis()).substr(0, 4));
  registry::YearConfigInput y;
  y.year = year;
  y.quota = 33000;
  y.opens_at = std::to_string(year) + "-01-01T00:00:00+03:00";
  for (const auto& region : registry::Regions()) y.regions.push_back(region.code);
  y.education_levels = registry::DefaultEducationLevels();
  CERTLEDGER_RETURN_IF_ERROR(reg.ConfigureYear(y));
  registry::ApplicationInput a{"Иванова Мария Сергеевна",
                               "1990-04-12",
                               "female",
                               "RU",
                               "higher-bachelor",
                               "77",
                               "permanent",
                               "maria.demo@example.ru",
                               "+79001234567",
                               "112-233-445 95",
                               "demo",
                               "DA-101"};
  CERTLEDGER_ASSIGN_OR_RETURN(auto applied, reg.Apply(a, "demo:application"));
  if (!applied.application) {
    return Status::Internal("demo.application",
                            "the demo applicant is not eligible: " + applied.failures.front().code);
  }
  CERTLEDGER_ASSIGN_OR_RETURN(auto op, reg.CreateToken(registry::Role::kOperator, "", "demo"));
  CERTLEDGER_ASSIGN_OR_RETURN(auto prov,
                              reg.CreateToken(registry::Role::kProvider, "demo", "demo"));
  CERTLEDGER_ASSIGN_OR_RETURN(
      auto app, reg.CreateToken(registry::Role::kApplicant, applied.application->id, "demo"));
  Json tokens = {{"operator", op.token},
                 {"provider", {{"issuer", "demo"}, {"token", prov.token}}},
                 {"applicant", {{"application", applied.application->id}, {"token", app.token}}}};
  std::filesystem::path p = std::filesystem::path(data_dir) / "demo-tokens.json";
  std::ofstream f(p, std::ios::trunc);
  f << tokens.dump(2) << "\n";
  f.close();
  if (!f) return Status::Unavailable("io.write", "cannot write " + p.string());
  std::filesystem::permissions(
      p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return reg.ledger().IntegrateNow().status();
}

// Splits one CSV line (RFC 4180 quoting).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

Status WriteOut(const std::filesystem::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << data;
  if (!f) return Status::Unavailable("io.write", "cannot write " + p.string());
  return Status::Ok();
}

// certledger issue-batch: one certificate per CSV row; a rejected row gets one
// line with its reason and the rest are still issued. Re-running is
// idempotent (each row's request key is the hash of the issuer and the row).
// Rows are issued through Registry::IssueBatch (many per durable
// transaction); then each certificate's JSON, receipt and PDF are written,
// and OUT/identity-codes.csv (owner-only) lists each certificate's learner
// identity check code, which the provider hands to the learner: it is in
// none of the other files (docs/formats.md "Learner identity").
int RunIssueBatch(registry::Registry& r, const std::string& slug, const std::string& csv_path,
                  const std::string& out_dir) {
  using BatchClock = std::chrono::steady_clock;
  std::ifstream in(csv_path);
  if (!in) return Fail(Status::NotFound("batch.csv", "cannot read " + csv_path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line != "\r") lines.push_back(line);
  }
  if (lines.empty()) return Fail(Status::InvalidArgument("batch.csv", "the CSV file is empty"));
  const std::vector<std::string> header = SplitCsv(lines[0]);
  auto col = [&header](const std::string& name) -> int {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  for (const char* required : {"programme", "learner_name", "learner_id", "period_start",
                               "period_end", "points", "identity_share", "identity_method"}) {
    if (col(required) < 0) {
      return Fail(Status::InvalidArgument(
          "batch.csv", std::string("the CSV header lacks the column \"") + required + "\""));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  const size_t total = lines.size() - 1;
  int rejected = 0;
  auto reject = [&](size_t line, const Status& st) {
    ++rejected;
    std::fprintf(stderr, "\rrow %zu rejected: %s%s\n", line, st.message().c_str(),
                 st.field().empty() ? "" : (" (field " + st.field() + ")").c_str());
  };
  auto progress = [total](const char* what, size_t done) {
    std::fprintf(stderr, "\r%s [%-40s] %zu/%zu", what,
                 std::string(total ? 40 * done / total : 40, '#').c_str(), done, total);
  };
  // Parse every row; `line_of[k]` is the CSV line number of rows[k].
  std::vector<registry::CertificateInput> rows;
  std::vector<size_t> line_of;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = SplitCsv(lines[i]);
    auto get = [&](const char* name) {
      int c = col(name);
      return c >= 0 && c < static_cast<int>(f.size()) ? f[static_cast<size_t>(c)] : std::string();
    };
    registry::CertificateInput c;
    c.issuer = slug;
    c.programme = get("programme");
    c.learner_name = get("learner_name");
    c.learner_id = get("learner_id");
    c.period_start = get("period_start");
    c.period_end = get("period_end");
    c.identity_method = get("identity_method");
    c.voucher = get("voucher");
    c.request_key = "batch:" + crypto::Sha256Tagged(slug + "\n" + lines[i]);
    size_t used = 0;
    std::string field = "points";
    try {
      c.points = std::stoi(get("points"), &used);
      if (used != get("points").size()) throw std::invalid_argument("points");
      field = "identity_share";
      c.identity_share = std::stod(get("identity_share"), &used);
      if (used != get("identity_share").size()) throw std::invalid_argument("identity_share");
    } catch (const std::exception&) {
      reject(i + 1, Status::InvalidArgument("certificate.invalid", field + " must be a number")
                        .WithField(field));
      continue;
    }
    rows.push_back(std::move(c));
    line_of.push_back(i + 1);
  }
  // Signed, logged, status index, durable: in slices, for the progress bar.
  constexpr size_t kSlice = 2048;
  std::vector<std::string> issued;
  auto t0 = BatchClock::now();
  for (size_t k = 0; k < rows.size(); k += kSlice) {
    std::vector<registry::CertificateInput> slice(
        rows.begin() + static_cast<std::ptrdiff_t>(k),
        rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), k + kSlice)));
    auto results = r.IssueBatch(slug, slice);
    if (!results.ok()) return Fail(results.status());
    for (const registry::BatchRowResult& res : *results) {
      if (res.status.ok()) {
        issued.push_back(res.code);
      } else {
        reject(line_of[k + res.row], res.status);
      }
    }
    progress("issuing  ", k + slice.size());
  }
  // Receipts need the entries in a published checkpoint.
  auto size = r.ledger().IntegrateNow();
  if (!size.ok()) return Fail(size.status());
  const double issue_s = std::chrono::duration<double>(BatchClock::now() - t0).count();
  std::fprintf(stderr, "\n");
  auto t1 = BatchClock::now();
  auto fonts = render::FontSet::LoadDefault();
  // code,learner_name,identity_code: one line per issued certificate.
  std::string codes_csv = "code,learner_name,identity_code\n";
  auto csv_field = [](const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (size_t k = 0; k < issued.size(); ++k) {
    const std::string& code = issued[k];
    auto rec = r.GetCertificate(code);
    if (!rec.ok()) return Fail(rec.status());
    auto receipt = r.CertificateReceipt(code);
    if (!receipt.ok()) return Fail(receipt.status());
    auto credential = crypto::ParseJson(rec->credential);
    if (!credential.ok()) return Fail(credential.status());
    std::string cred = credential->dump(2);
    std::string rjson = crypto::ReceiptToJson(*receipt).dump(2);
    std::filesystem::path base = std::filesystem::path(out_dir) / code;
    Status st = WriteOut(base.string() + ".json", cred);
    if (st.ok()) st = WriteOut(base.string() + ".receipt.json", rjson);
    if (st.ok() && fonts.ok()) {
      render::PdfOptions po;
      po.fonts = *fonts;
      auto pdf = render::RenderCertificatePdf(rec->view, {cred, rjson}, po);
      st = pdf.ok() ? WriteOut(base.string() + ".pdf", *pdf) : pdf.status();
    }
    if (!st.ok()) return Fail(st);
    codes_csv +=
        rec->code + "," + csv_field(rec->view.learner_name) + "," + rec->identity_code + "\n";
    if ((k + 1) % 64 == 0 || k + 1 == issued.size()) progress("writing  ", k + 1);
  }
  {
    // Lines of earlier batches written to the same directory are kept
    // (re-run rows are written again, once). The file is created owner-only
    // before the codes go into it.
    const std::filesystem::path codes_path = std::filesystem::path(out_dir) / "identity-codes.csv";
    std::set<std::string> written(issued.begin(), issued.end());
    std::string kept;
    if (std::ifstream old(codes_path); old) {
      std::string line;
      std::getline(old, line);  // the header
      while (std::getline(old, line)) {
        if (!line.empty() && !written.count(line.substr(0, line.find(',')))) kept += line + "\n";
      }
    }
    codes_csv.insert(codes_csv.find('\n') + 1, kept);
    std::filesystem::remove(codes_path, ec);
    Status st = WriteOut(codes_path, "");
    if (st.ok()) {
      std::filesystem::permissions(
          codes_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
      st = WriteOut(codes_path, codes_csv);
    }
    if (!st.ok()) return Fail(st);
  }
  const double write_s = std::chrono::duration<double>(BatchClock::now() - t1).count();
  std::fprintf(stderr, "\n");
  std::printf(
      "issued %zu certificate(s), rejected %d row(s); output in %s\n"
      "identity-codes.csv: each learner's secret identity check code; hand it to the learner "
      "only\n",
      issued.size(), rejected, out_dir.c_str());
  std::fprintf(stderr,
               "signed + logged + durable: %.2f s (%.0f/s); JSON, receipts%s: %.2f s (%.0f/s)\n",
               issue_s, issue_s > 0 ? static_cast<double>(issued.size()) / issue_s : 0.0,
               fonts.ok() ? " and PDFs" : "", write_s,
               write_s > 0 ? static_cast<double>(issued.size()) / write_s : 0.0);
  if (!fonts.ok()) std::fprintf(stderr, "no PDFs: %s\n", fonts.status().ToString().c_str());
  return rejected == 0 ? 0 : kExitFailure;
}

// certledger serve: defaults < config file < CERTLEDGER_* < flags.
int RunServe(const std::string& data, std::string config_file, const std::string& listen,
             const std::string& tls_cert, const std::string& tls_key,
             const registry::Clock& clock) {
  ServerConfig config;
  const bool explicit_file = !config_file.empty();
  if (!explicit_file) config_file = (std::filesystem::path(data) / "certledger.json").string();
  std::ifstream in(config_file);
  if (in) {
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto j = crypto::ParseJson(text);
    if (!j.ok()) return Fail(j.status().Annotate(config_file));
    Status s = config.MergeJson(*j);
    if (!s.ok()) return Fail(s.Annotate(config_file));
  } else if (explicit_file) {
    return Fail(Status::NotFound("config.missing", "cannot read " + config_file));
  }
  Status s = config.MergeEnvironment();
  if (!s.ok()) return Fail(s);
  if (!listen.empty()) config.listen = listen;
  if (!tls_cert.empty()) config.tls_cert = tls_cert;
  if (!tls_key.empty()) config.tls_key = tls_key;
  s = config.Validate();
  if (!s.ok()) return Fail(s);
  BlockStopSignals();  // before the ledger's integrator thread starts
  registry::RegistryOptions o;
  o.data_dir = data;
  o.passphrase = PassphraseFromEnv();
  o.ledger.background = true;
  auto reg = registry::Registry::Open(o, clock);
  if (!reg.ok()) return Fail(reg.status());
  return Serve(**reg, config);
}

int MainImpl(int argc, char** argv) {
  if (!crypto::Init()) {
    std::fprintf(stderr, "certledger: libsodium failed to initialise\n");
    return kExitFailure;
  }
  CLI::App app{"certledger: public registry of training vouchers and signed certificates"};
  app.require_subcommand(1);
  std::string data = FromEnv("CERTLEDGER_DATA");
  std::string base_url = FromEnv("CERTLEDGER_BASE_URL", "http://127.0.0.1:8080");
  std::string out;

  auto* selfcheck = app.add_subcommand("selfcheck", "check the cryptographic primitives");

  auto* init = app.add_subcommand("init", "create a new registry in a data directory");
  init->add_option("--data", data, "data directory (env CERTLEDGER_DATA)")->required();
  init->add_option("--base-url", base_url, "public base URL, e.g. https://cert.example.ru");
  bool demo = false;
  init->add_flag("--demo", demo, "add demo issuers (provider `demo`, a university)");

  auto* ledger = app.add_subcommand("ledger", "the public ledger");
  ledger->require_subcommand(1);
  auto* lexport =
      ledger->add_subcommand("export", "write static tiles + checkpoint to a directory");
  lexport->add_option("--data", data, "data directory")->required();
  lexport->add_option("--out", out, "output directory")->required();
  auto* lcheckpoint = ledger->add_subcommand("checkpoint", "print the newest signed checkpoint");
  lcheckpoint->add_option("--data", data, "data directory")->required();

  auto* tb = app.add_subcommand("trust-bundle", "write what certverify needs offline");
  tb->add_option("--data", data, "data directory")->required();
  tb->add_option("--out", out, "output directory")->required();
  std::string csv;
  auto* batch = app.add_subcommand("issue-batch", "issue one certificate per CSV row");
  batch->add_option("--data", data, "data directory")->required();
  std::string batch_issuer;
  batch->add_option("--issuer", batch_issuer, "issuer slug")->required();
  batch->add_option("--csv", csv, "CSV file (see samples/graduates.csv)")->required();
  batch
      ->add_option("--out", out,
                   "where CODE.json, CODE.receipt.json, CODE.pdf and identity-codes.csv (the "
                   "learners' secret identity check codes) go")
      ->required();

  auto* admin = app.add_subcommand("admin", "operator commands");
  admin->require_subcommand(1);
  auto* issuer = admin->add_subcommand("issuer", "register, suspend, reactivate, list issuers");
  issuer->require_subcommand(1);
  registry::IssuerInput in;
  auto* iadd = issuer->add_subcommand("add", "register an issuer (creates its first key)");
  iadd->add_option("--data", data)->required();
  iadd->add_option("--slug", in.slug)->required();
  iadd->add_option("--kind", in.kind, "provider | university | operator")->required();
  iadd->add_option("--name-ru", in.name_ru)->required();
  iadd->add_option("--name-en", in.name_en)->required();
  iadd->add_option("--inn", in.inn)->required();
  iadd->add_option("--licence-number", in.licence_number);
  iadd->add_option("--licence-date", in.licence_date, "YYYY-MM-DD");
  std::string slug;
  auto* isuspend = issuer->add_subcommand("suspend", "suspend an issuer");
  isuspend->add_option("--data", data)->required();
  isuspend->add_option("--slug", slug)->required();
  auto* ireact = issuer->add_subcommand("reactivate", "reactivate a suspended issuer");
  ireact->add_option("--data", data)->required();
  ireact->add_option("--slug", slug)->required();
  auto* ilist = issuer->add_subcommand("list", "list issuers");
  ilist->add_option("--data", data)->required();
  auto* idid = issuer->add_subcommand("did", "print an issuer's DID document");
  idid->add_option("--data", data)->required();
  idid->add_option("--slug", slug)->required();
  auto* key = admin->add_subcommand("key", "rotate or revoke issuer keys");
  key->require_subcommand(1);
  auto* krotate = key->add_subcommand("rotate", "add a new active key; the old one is retired");
  krotate->add_option("--data", data)->required();
  krotate->add_option("--slug", slug)->required();
  int key_n = 0;
  std::string effective;
  auto* krevoke = key->add_subcommand("revoke", "mark a compromised key revoked from a time");
  krevoke->add_option("--data", data)->required();
  krevoke->add_option("--slug", slug)->required();
  krevoke->add_option("--key", key_n, "key number n of #key-<n>")->required();
  krevoke->add_option("--effective", effective, "RFC 3339 time of compromise (default: now)");

  auto* serve = app.add_subcommand("serve", "run the registry's HTTP(S) server");
  serve->add_option("--data", data, "data directory (env CERTLEDGER_DATA)")->required();
  std::string config_file, listen, tls_cert, tls_key;
  serve->add_option("--config", config_file, "JSON configuration (default DIR/certledger.json)");
  serve->add_option("--listen", listen, "host:port (default 127.0.0.1:8080; port 0: any)");
  serve->add_option("--tls-cert", tls_cert, "PEM certificate chain for HTTPS");
  serve->add_option("--tls-key", tls_key, "PEM private key for HTTPS");

  auto* backup = app.add_subcommand("backup", "online backup of the database (while serving)");
  backup->add_option("--data", data, "data directory")->required();
  backup->add_option("--out", out, "backup file to create")->required();
  auto* restore = app.add_subcommand("restore", "restore a backup into a data directory");
  restore->add_option("--data", data, "data directory holding the master key")->required();
  std::string from;
  restore->add_option("--from", from, "backup file")->required();
  bool replace = false;
  restore->add_flag("--replace", replace, "keep the current database aside and restore over it");

  auto* token = admin->add_subcommand("token", "API bearer tokens");
  token->require_subcommand(1);
  auto* tcreate = token->add_subcommand("create", "create a token (printed once)");
  tcreate->add_option("--data", data)->required();
  std::string role, scope, label;
  tcreate->add_option("--role", role, "operator | provider")->required();
  tcreate->add_option("--scope", scope, "the issuer slug of a provider token");
  tcreate->add_option("--label", label, "what the token is for");
  auto* tlist = token->add_subcommand("list", "list tokens (never the secrets)");
  tlist->add_option("--data", data)->required();
  std::string token_id;
  auto* trevoke = token->add_subcommand("revoke", "revoke a token");
  trevoke->add_option("--data", data)->required();
  trevoke->add_option("--id", token_id, "the token's id (second part of clt1.<id>.<secret>)")
      ->required();
  auto* year = admin->add_subcommand("year", "the voucher programme's year configuration");
  year->require_subcommand(1);
  auto* yset = year->add_subcommand("set", "set a year from a JSON file (docs/formats.md)");
  yset->add_option("--data", data)->required();
  std::string year_file;
  yset->add_option("--file", year_file, "year configuration JSON")->required();
  auto* voucher = admin->add_subcommand("voucher", "vouchers");
  voucher->require_subcommand(1);
  auto* vannul = voucher->add_subcommand("annul", "annul a voucher (its slot goes to the queue)");
  vannul->add_option("--data", data)->required();
  std::string voucher_code, reason, reason_text;
  vannul->add_option("--code", voucher_code)->required();
  vannul->add_option("--reason", reason, "published reason code, e.g. documents-missing")
      ->required();
  vannul->add_option("--text", reason_text, "reason text for the holder");
  auto* deadlines = admin->add_subcommand("deadlines", "run the deadline job now");
  deadlines->add_option("--data", data)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (selfcheck->parsed()) return RunSelfCheck();

  registry::SystemClock clock;
  if (init->parsed()) {
    registry::InitOptions io;
    io.data_dir = data;
    io.base_url = base_url;
    io.passphrase = PassphraseFromEnv();
    Status s = registry::Registry::Init(io, clock);
    if (!s.ok()) return Fail(s);
    if (demo) {
      auto reg = OpenRegistry(data, clock);
      if (!reg.ok()) return Fail(reg.status());
      s = RegisterDemo(**reg);
      if (s.ok()) s = DemoYearAndTokens(**reg, data);
      if (!s.ok()) return Fail(s);
    }
    std::printf("certledger: new registry in %s for %s%s\n", data.c_str(), base_url.c_str(),
                demo ? " (with demo issuers)" : "");
    return 0;
  }

  if (restore->parsed()) {
    Status rs = registry::Registry::Restore(data, from, replace, PassphraseFromEnv(), clock);
    if (!rs.ok()) return Fail(rs);
    std::printf("certledger: restored %s into %s\n", from.c_str(), data.c_str());
    return 0;
  }
  if (serve->parsed()) return RunServe(data, config_file, listen, tls_cert, tls_key, clock);

  auto reg = OpenRegistry(data, clock);
  if (!reg.ok()) return Fail(reg.status());
  registry::Registry& r = **reg;
  Status s;
  if (backup->parsed()) {
    s = r.Backup(out);
    if (!s.ok()) return Fail(s);
    std::printf("certledger: backup written to %s (back up the master key separately)\n",
                out.c_str());
    return 0;
  }
  if (lexport->parsed()) {
    auto size = r.ledger().Export(out);
    if (!size.ok()) return Fail(size.status());
    // A serving registry's newest commits may still be syncing.
    s = r.SyncStorage();
    if (!s.ok()) return Fail(s);
    // The verifier key beside the tiles, for `certverify audit` against a
    // static copy (the server answers /api/v1/ledger/key instead).
    s = WriteOut(std::filesystem::path(out) / "key", r.ledger().VerifierKey() + "\n");
    if (!s.ok()) return Fail(s);
    std::printf("certledger: exported the ledger (%lld entries) to %s\n",
                static_cast<long long>(*size), out.c_str());
    return 0;
  }
  if (tb->parsed()) {
    auto size = r.ExportTrustBundle(out);
    if (!size.ok()) return Fail(size.status());
    s = r.SyncStorage();
    if (!s.ok()) return Fail(s);
    std::printf("certledger: trust bundle (ledger size %lld) written to %s\n",
                static_cast<long long>(*size), out.c_str());
    return 0;
  }
  if (batch->parsed()) return RunIssueBatch(r, batch_issuer, csv, out);
  if (lcheckpoint->parsed()) {
    auto cp = r.ledger().IntegrateNow();
    if (!cp.ok()) return Fail(cp.status());
    auto note = r.ledger().LatestCheckpoint();
    if (!note.ok()) return Fail(note.status());
    std::fputs(note->c_str(), stdout);
    std::printf("verifier key: %s\n", r.ledger().VerifierKey().c_str());
    return 0;
  }
  if (iadd->parsed()) {
    auto v = r.RegisterIssuer(in);
    if (!v.ok()) return Fail(v.status());
    std::printf("registered %s (%s)\n", v->slug.c_str(), v->did.c_str());
  } else if (isuspend->parsed()) {
    s = r.SuspendIssuer(slug);
  } else if (ireact->parsed()) {
    s = r.ReactivateIssuer(slug);
  } else if (ilist->parsed()) {
    auto all = r.ListIssuers();
    if (!all.ok()) return Fail(all.status());
    for (const auto& v : *all) {
      std::printf("%-20s %-10s %s\n", v.slug.c_str(), v.status.c_str(), v.name.ru.c_str());
    }
  } else if (idid->parsed()) {
    auto doc = r.IssuerDidDocument(slug);
    if (!doc.ok()) return Fail(doc.status());
    std::printf("%s\n", doc->dump(2).c_str());
  } else if (krotate->parsed()) {
    auto k = r.RotateKey(slug);
    if (!k.ok()) return Fail(k.status());
    std::printf("new active key %s\n", k->id.c_str());
  } else if (tcreate->parsed()) {
    auto rl = registry::ParseRole(role);
    if (!rl || *rl == registry::Role::kNone || *rl == registry::Role::kApplicant) {
      return Fail(
          Status::InvalidArgument("token.invalid-role", "--role must be operator or provider"));
    }
    auto t = r.CreateToken(*rl, scope, label);
    if (!t.ok()) return Fail(t.status());
    std::printf("%s\n", t->token.c_str());
    std::fprintf(stderr, "certledger: token %s created; it is shown only now\n",
                 t->info.id.c_str());
  } else if (tlist->parsed()) {
    auto all = r.ListTokens();
    if (!all.ok()) return Fail(all.status());
    for (const auto& t : *all) {
      std::printf("%s %-9s %-16s %s%s\n", t.id.c_str(), std::string(RoleName(t.role)).c_str(),
                  t.scope.c_str(), t.label.c_str(), t.revoked_ms ? " (revoked)" : "");
    }
  } else if (trevoke->parsed()) {
    s = r.RevokeToken(token_id);
  } else if (yset->parsed()) {
    std::ifstream in(year_file);
    if (!in) return Fail(Status::NotFound("year.file", "cannot read " + year_file));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto j = crypto::ParseJson(text);
    if (!j.ok()) return Fail(j.status());
    auto cfg = registry::ParseYearConfig(*j);
    if (!cfg.ok()) return Fail(cfg.status());
    s = r.ConfigureYear(*cfg);
  } else if (vannul->parsed()) {
    s = r.Annul(voucher_code, reason, reason_text);
  } else if (deadlines->parsed()) {
    auto n = r.RunDeadlines();
    if (!n.ok()) return Fail(n.status());
    std::printf("certledger: %lld record(s) changed\n", static_cast<long long>(*n));
  } else if (krevoke->parsed()) {
    int64_t when = clock.NowMillis();
    if (!effective.empty()) {
      auto t = crypto::ParseRfc3339(effective);
      if (!t.ok()) return Fail(t.status());
      when = *t;
    }
    s = r.RevokeKey(slug, key_n, when);
  }
  if (!s.ok()) return Fail(s);
  auto integrated = r.ledger().IntegrateNow();
  if (!integrated.ok()) return Fail(integrated.status());
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    return MainImpl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "certledger: internal error: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace certledger::api
