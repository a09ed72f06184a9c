#include "verifier/cli.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "crypto/json.h"
#include "crypto/random.h"
#include "crypto/rfc3339.h"
#include "verifier/audit.h"
#include "verifier/credit_check.h"
#include "verifier/learner_identity.h"
#include "verifier/pdf.h"
#include "verifier/qr_image.h"
#include "verifier/report.h"
#include "verifier/trust_source.h"
#include "verifier/verifier.h"

namespace certledger::verifier {
namespace {

namespace fs = std::filesystem;

constexpr char kFooter[] = R"(Inputs:
  FILE.json   a signed credential; its receipt is --receipt or FILE.receipt.json beside it
  FILE.pdf    a certificate PDF: the embedded credential.json and receipt.json
  IMAGE.png   a photo or scan (PNG or JPEG) of the certificate's QR code: its URL
              <base>/v/<code> is verified online (no QR code: exit 64)
  URL         https://<registry>/v/<code>: GET URL (Accept: application/ld+json) and URL/receipt
  CODE        a registration code, with --registry BASE

Audit of the public ledger: certverify audit --help

Learner identity (a university checks whose certificate it is):
  --learner-id SNILS --identity-code CODE
              the SNILS and the identity check code the learner got from the provider
              (both, or neither); with --policy they decide the learnerIdentity requirement

Modes:
  --trust DIR           offline, from a trust bundle (certledger trust-bundle)
  --trust DIR --online  online, falling back to the bundle and refreshing it
  (no --trust)          online: did:web documents, status lists and the ledger over HTTPS
  --offline             never use the network

Exit codes:
  0  valid: every check passed
  1  invalid: bad signature, tampered, unknown or unauthorized key, forged receipt
  2  revoked (or suspended) in the issuer's status list
  3  expired, or not yet valid (vouchers expire at the end of their year)
  4  issuer suspended in the registry
  5  could not check (e.g. offline without the status list); never a confirmation
  6  credit-transfer policy not met (--policy)
  7  learner identity not confirmed (--learner-id with --identity-code, no --policy)
  64 usage error (bad arguments, unreadable input or policy))";

// Answers nothing: offline without a bundle (did:key credentials still verify).
class NoTrust final : public TrustSource {
 public:
  Result<Json> DidDocument(const std::string& did) override { return Off("DID document " + did); }
  Result<Json> StatusListCredential(const std::string& url) override {
    return Off("status list " + url);
  }
  Result<std::string> LedgerVerifierKey() override { return Off("the ledger key"); }
  Result<std::string> NewestCheckpoint() override { return Off("the newest checkpoint"); }
  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t, int64_t) override {
    return Off("a consistency proof");
  }

 private:
  static Status Off(const std::string& what) {
    return Status::Unavailable("trust.offline",
                               "offline without a trust bundle: " + what + " is not available");
  }
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cli.unreadable", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsUrl(const std::string& s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

bool LooksLikeCode(const std::string& s) {
  if (s.size() < 8 || s.size() > 40) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return true;
}

struct Args {
  std::string input;
  std::string trust_dir;
  std::string registry;
  std::string receipt_file;
  std::string policy_file;
  std::string lang = "en";
  std::string at;
  std::string ledger_key;
  std::string learner_id;     // with identity_code: the learner identity check
  std::string identity_code;  // never printed
  bool online = false;
  bool offline = false;
  bool json = false;
  bool require_receipt = false;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "certverify: %s\n", msg.c_str());
  return kExitUsage;
}

int Run(const Args& a) {
  auto lang = ParseLang(a.lang);
  if (!lang) return Usage("--lang must be ru or en");
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (!a.at.empty()) {
    auto t = crypto::ParseRfc3339(a.at);
    if (!t.ok()) return Usage("--at must be an RFC 3339 time");
    now_ms = *t;
  }
  std::optional<CreditPolicy> policy;
  if (!a.policy_file.empty()) {
    auto text = ReadFile(a.policy_file);
    if (!text.ok()) return Usage(text.status().message());
    auto j = crypto::ParseJson(*text);
    if (!j.ok()) return Usage(a.policy_file + ": " + j.status().message());
    auto p = ParsePolicy(*j);
    if (!p.ok()) return Usage(p.status().message());
    policy = std::move(p).value();
  }
  if (a.online && a.offline) return Usage("--online and --offline exclude each other");
  std::optional<LearnerClaim> claim;
  if (!a.learner_id.empty() || !a.identity_code.empty()) {
    if (a.learner_id.empty() || a.identity_code.empty()) {
      return Usage("--learner-id and --identity-code go together");
    }
    claim = LearnerClaim{a.learner_id, a.identity_code};
    Status st = ValidateLearnerClaim(*claim);
    if (!st.ok()) return Usage(st.message());
  }

  // Where the credential comes from. A PNG or JPEG is a photo or scan of the
  // certificate: its QR code gives the URL, which is then verified online.
  std::string url;
  std::string registry = a.registry;
  std::optional<std::string> file_bytes;
  if (!IsUrl(a.input) && fs::is_regular_file(a.input)) {
    auto bytes = ReadFile(a.input);
    if (!bytes.ok()) return Usage(bytes.status().message());
    file_bytes = std::move(bytes).value();
    if (IsQrImage(*file_bytes)) {
      auto qr = CertificateUrlFromImage(*file_bytes);
      if (!qr.ok()) return Usage(a.input + ": " + qr.status().message());
      url = *qr;
      std::fprintf(stderr, "certverify: the QR code reads %s\n", url.c_str());
    }
  }
  if (!url.empty()) {
    // From the image's QR code.
  } else if (IsUrl(a.input)) {
    url = a.input;
  } else if (!fs::exists(a.input) && LooksLikeCode(a.input)) {
    if (registry.empty()) return Usage("a registration code needs --registry BASE");
    std::string base = registry;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url = base + "/v/" + a.input;
  }
  bool online =
      !a.offline && (a.trust_dir.empty() || a.online || !url.empty() || !registry.empty());
  if (!url.empty() && a.offline) return Usage("verifying by URL or code needs the network");
  if (!url.empty() && registry.empty()) registry = UrlOrigin(url);

  std::unique_ptr<Fetcher> fetcher;
  if (online) fetcher = NewHttpFetcher();

  std::string credential_text;
  std::optional<std::string> receipt_text;
  std::string source = a.input;
  if (!url.empty()) {
    auto c = fetcher->Get(url, "application/ld+json, application/vc+ld+json, application/json");
    if (!c.ok()) {
      std::fprintf(stderr, "certverify: %s\n", c.status().message().c_str());
      if (c.status().IsNotFound()) {
        std::printf("%s\n",
                    *lang == Lang::kRu
                        ? "НЕИЗВЕСТЕН: документа с таким номером в реестре нет (код 1)"
                        : "UNKNOWN: the registry has no credential with this code (exit 1)");
        return static_cast<int>(Verdict::kInvalid);
      }
      return static_cast<int>(Verdict::kCouldNotCheck);
    }
    credential_text = *c;
    auto r = fetcher->Get(url + "/receipt", "application/json");
    if (r.ok()) receipt_text = *r;
  } else {
    auto bytes = file_bytes ? Result<std::string>(std::move(*file_bytes)) : ReadFile(a.input);
    if (!bytes.ok()) return Usage(bytes.status().message());
    if (bytes->rfind("%PDF-", 0) == 0) {
      auto att = ExtractPdfAttachments(*bytes);
      if (!att.ok()) {
        std::fprintf(stderr, "certverify: %s\n", att.status().message().c_str());
        return static_cast<int>(Verdict::kInvalid);
      }
      credential_text = att->credential;
      receipt_text = att->receipt;
    } else {
      credential_text = std::move(bytes).value();
      fs::path p(a.input);
      fs::path sibling = p;
      sibling.replace_extension(".receipt.json");
      if (a.receipt_file.empty() && p.extension() == ".json" &&
          p.filename().string().find(".receipt.") == std::string::npos && fs::exists(sibling)) {
        auto r = ReadFile(sibling.string());
        if (r.ok()) receipt_text = *r;
      }
    }
  }
  if (!a.receipt_file.empty()) {
    auto r = ReadFile(a.receipt_file);
    if (!r.ok()) return Usage(r.status().message());
    receipt_text = *r;
  }

  auto credential = crypto::ParseJson(credential_text);
  if (!credential.ok()) {
    std::fprintf(stderr, "certverify: the credential is not valid JSON: %s\n",
                 credential.status().message().c_str());
    return static_cast<int>(Verdict::kInvalid);
  }
  std::optional<Json> receipt;
  if (receipt_text) {
    auto r = crypto::ParseJson(*receipt_text);
    // A receipt that is not JSON is reported by the receipt check.
    receipt = r.ok() ? *r : Json(*receipt_text);
  }

  // The trust source.
  if (online && registry.empty()) {
    auto host = DidWebHost(IssuerDid(*credential));
    if (host.ok()) registry = "https://" + *host;
  }
  std::unique_ptr<TrustSource> bundle, online_source, layered;
  NoTrust none;
  TrustSource* trust = &none;
  if (!a.trust_dir.empty()) {
    auto b = NewBundleTrustSource(a.trust_dir);
    if (!b.ok()) return Usage(b.status().message());
    bundle = std::move(b).value();
    trust = bundle.get();
  }
  if (online) {
    OnlineOptions oo;
    oo.registry_base = registry;
    oo.ledger_verifier_key = a.ledger_key;
    online_source = NewOnlineTrustSource(fetcher.get(), oo);
    trust = online_source.get();
    if (bundle) {
      layered = NewLayeredTrustSource(online_source.get(), bundle.get(), a.trust_dir);
      trust = layered.get();
    }
  }

  VerifierOptions vo;
  vo.require_receipt = a.require_receipt;
  Verifier verifier(trust, vo);
  auto report = verifier.Verify(*credential, receipt, now_ms);
  if (!report.ok()) {
    std::fprintf(stderr, "certverify: %s\n", report.status().ToString().c_str());
    return static_cast<int>(Verdict::kCouldNotCheck);
  }
  if (policy) {
    auto cr = CreditCheck(*credential, *report, *policy, claim ? &*claim : nullptr);
    if (!cr.ok()) {
      std::fprintf(stderr, "certverify: %s\n", cr.status().ToString().c_str());
      return static_cast<int>(Verdict::kCouldNotCheck);
    }
    if (a.json) {
      std::printf("%s\n", CreditReportToJson(*cr).dump(2).c_str());
    } else {
      std::printf("%s", CreditReportToText(*cr, *lang).c_str());
    }
    return cr->ExitCode();
  }
  if (claim) {
    // The verdict first (an invalid credential proves nothing about anyone),
    // then the identity: 7 when it is not confirmed.
    const IdentityCheck ic = CheckLearnerIdentity(*credential, *claim);
    const int exit_code = report->ExitCode() != 0                 ? report->ExitCode()
                          : ic.result == IdentityResult::kMatches ? 0
                                                                  : kExitIdentityNotConfirmed;
    if (a.json) {
      Json j = ReportToJson(*report);
      j["learnerIdentity"] = IdentityCheckToJson(ic);
      j["exitCode"] = exit_code;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%s%s", ReportToText(*report, *lang).c_str(),
                  IdentityCheckToText(ic, *lang).c_str());
    }
    return exit_code;
  }
  if (a.json) {
    std::printf("%s\n", ReportToJson(*report).dump(2).c_str());
  } else {
    std::printf("%s", ReportToText(*report, *lang).c_str());
  }
  return report->ExitCode();
}

constexpr char kAuditFooter[] = R"(The ledger is read from <url>/ledger/ (C2SP tlog-tiles; a static
`certledger ledger export --out ROOT/ledger` served at <url> works). The key is --ledger-key,
else the one in --state, else <url>/api/v1/ledger/key (or <url>/ledger/key) on first use.

Exit codes:
  0  consistent: every check passed (the state directory is updated)
  1  inconsistent: bad signature, key changed, tile mismatch, fork, quota or queue broken
  5  could not check: something could not be fetched
  64 usage error)";

// `certverify audit`: verifier/audit.h, docs/verifier.md "Audit".
int RunAudit(int argc, char** argv) {
  CLI::App app{
      "certverify audit: mirrors and audits the public ledger (signature, tiles, "
      "consistency, quota and queue order per year, revocations)"};
  app.footer(kAuditFooter);
  AuditOptions o;
  std::string lang_text = "en";
  bool json = false, quiet = false;
  app.add_option("--url", o.base_url, "registry base URL (the ledger is <url>/ledger/)")
      ->required();
  app.add_option("--state", o.state_dir, "state directory (trusted key, checkpoint, mirror)")
      ->required();
  app.add_option("--ledger-key", o.ledger_key, "pin the ledger's C2SP verifier key");
  app.add_option("--lang", lang_text, "report language: ru or en (default en)");
  app.add_option("--threads", o.fetch_threads, "tiles fetched at once (default 4)");
  app.add_flag("--refetch", o.refetch, "fetch mirrored tiles again and check they did not change");
  app.add_flag("--json", json, "print the report as JSON");
  app.add_flag("--quiet", quiet, "no progress on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  auto lang = ParseLang(lang_text);
  if (!lang) return Usage("--lang must be ru or en");
  if (!quiet) {
    auto last = std::chrono::steady_clock::now();
    o.progress = [last](int64_t done, int64_t total) mutable {
      auto now = std::chrono::steady_clock::now();
      if (done < total && now - last < std::chrono::milliseconds(500)) return;
      last = now;
      std::fprintf(stderr, "certverify audit: entries %lld / %lld\n", static_cast<long long>(done),
                   static_cast<long long>(total));
    };
  }
  HttpFetcherOptions fo;
  fo.read_timeout_s = 30;
  auto fetcher = NewHttpFetcher(fo);
  auto report = Audit(*fetcher, o);
  if (!report.ok()) return Usage(report.status().message());
  if (json) {
    std::printf("%s\n", AuditReportToJson(*report).dump(2).c_str());
  } else {
    std::printf("%s", AuditReportToText(*report, *lang).c_str());
  }
  return report->ExitCode();
}

int MainImpl(int argc, char** argv) {
  if (!crypto::Init()) {
    std::fprintf(stderr, "certverify: libsodium failed to initialise\n");
    return static_cast<int>(Verdict::kCouldNotCheck);
  }
  if (argc >= 2 && std::string(argv[1]) == "audit") return RunAudit(argc - 1, argv + 1);
  CLI::App app{
      "certverify: verifies a certledger credential (signature, key, issuer, validity, status, "
      "ledger receipt) offline or online, and a university's credit-transfer policy"};
  app.footer(kFooter);
  Args a;
  app.add_option("input", a.input,
                 "FILE.json, FILE.pdf, IMAGE.png|jpg (QR code), URL or registration code")
      ->required();
  app.add_option("--trust", a.trust_dir, "trust bundle directory (offline)");
  app.add_option("--registry", a.registry, "registry base URL, e.g. https://cert.example.ru");
  app.add_option("--receipt", a.receipt_file, "ledger receipt JSON file");
  app.add_option("--policy", a.policy_file, "credit-transfer policy JSON file");
  app.add_option("--lang", a.lang, "report language: ru or en (default en)");
  app.add_option("--at", a.at, "verify as of this RFC 3339 time instead of now");
  app.add_option("--ledger-key", a.ledger_key, "pin the ledger's C2SP verifier key");
  app.add_option("--learner-id", a.learner_id,
                 "the learner's SNILS, to check against the certificate (with --identity-code)");
  app.add_option("--identity-code", a.identity_code,
                 "the learner's identity check code from the provider (with --learner-id)");
  app.add_flag("--online", a.online, "use the network even with --trust (refreshes the bundle)");
  app.add_flag("--offline", a.offline, "never use the network");
  app.add_flag("--json", a.json, "print the report as JSON");
  app.add_flag("--require-receipt", a.require_receipt,
               "without a ledger receipt, report could-not-check");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return Run(a);
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    return MainImpl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "certverify: internal error: %s\n", e.what());
    return static_cast<int>(Verdict::kCouldNotCheck);
  }
}

}  // namespace certledger::verifier
