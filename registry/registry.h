// The registry: its data directory (SQLite database and master key), the
// ledger, issuers and their keys, and DID documents. Later issues add
// programmes, certificates, status lists and vouchers to this facade.
//
// Data directory layout (persistent format):
//   DIR/registry.db   the SQLite database (WAL)
//   DIR/master.key    32 random bytes, mode 0600: encrypts every private key
//                     at rest (crypto/secret_box.h). With a passphrase
//                     instead: DIR/master.salt and CERTLEDGER_PASSPHRASE.
//
// Thread-safety: Registry is thread-safe.
#ifndef CERTLEDGER_REGISTRY_REGISTRY_H_
#define CERTLEDGER_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "crypto/secret_bytes.h"
#include "crypto/status.h"
#include "registry/clock.h"
#include "registry/ledger/ledger.h"
#include "registry/model/certificate.h"
#include "registry/model/voucher.h"

namespace certledger::registry {
namespace internal {
class Db;
class Conn;
struct CertificateLookups;  // certificates.cc
struct IssueWork;           // certificates.cc
struct IssuedDraft;         // certificates.cc
struct IssueTemplates;      // certificates.cc
struct VoucherTemplates;    // vouchers.cc
// The voucher credential template made last (vouchers.cc, SignVoucher): one
// operator, one key and one year at a time, a new one each second.
struct VoucherTemplateKeeper {
  std::mutex mu;
  std::shared_ptr<const VoucherTemplates> kept;  // GUARDED_BY(mu)
};
}  // namespace internal

struct RegistryOptions {
  std::string data_dir;
  // Passphrase instead of DIR/master.key (Argon2id), if set.
  std::optional<crypto::SecretBytes> passphrase;
  LedgerOptions ledger;  // origin is derived from the base URL
  // IssueBatch: rows per durable transaction. Each commit rewrites every page
  // the rows touched, and the indexes on random keys (code, learner, request
  // key, status index) touch most of theirs whatever the count, so fewer,
  // larger commits write less per row (512: 9.4k certificates/s, 4096: 10.3k
  // in bench/batch_bench). Tests lower it to cross group boundaries.
  size_t batch_rows_per_transaction = 4096;
};

struct InitOptions {
  std::string data_dir;
  std::string base_url;  // "https://cert.example.ru" or "http://127.0.0.1:8080"
  std::optional<crypto::SecretBytes> passphrase;
  // The registry's own issuer (signs vouchers).
  std::string operator_name_ru = "Оператор реестра";
  std::string operator_name_en = "Registry operator";
  std::string operator_inn = "7707083893";
};

// Persisted issuer kinds. Do not rename: DID documents and the ledger use them.
inline constexpr const char* kIssuerKinds[] = {"provider", "university", "operator"};
// The programme operator's issuer slug (it signs vouchers and year entries).
inline constexpr char kOperatorSlug[] = "operator";

struct IssuerInput {
  std::string slug;  // [a-z0-9][a-z0-9-]{1,31}
  std::string kind;  // one of kIssuerKinds
  std::string name_ru;
  std::string name_en;
  std::string inn;
  std::string licence_number;  // optional; required for state-standard documents
  std::string licence_date;    // YYYY-MM-DD, with the number
};

struct KeyInfo {
  int n = 0;               // verification method "#key-<n>"
  std::string id;          // full DID URL
  std::string public_key;  // raw 32 bytes
  std::string state;       // "active" | "retired" | "revoked"
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;  // compromise time: proofs from then on are invalid
};

// Document types (docs/formats.md). Do not rename: credential format.
// The first two are "state standard" documents that need an education licence.
inline constexpr const char* kDocumentTypes[] = {"qualification-upgrade", "professional-retraining",
                                                 "certificate"};

struct ProgrammeInput {
  std::string issuer;  // slug
  std::string code;    // e.g. "DA-101"
  std::string title_ru, title_en;
  std::string competence_area;
  int hours = 0;  // academic hours; credit units = hours / 36
  int pass_mark = 0;
  int max_points = 100;
  std::string form;           // "distance" | "blended" | "in-person"
  std::string document_type;  // one of kDocumentTypes
  std::vector<std::string> outcomes;
  std::vector<std::string> competencies;
};

// The grade a certificate shows (docs/formats.md "Grade"). Programmes carry
// no grading table, so the document type decides: "qualification-upgrade"
// and "certificate" are assessed pass/fail ("зачтено" / "pass");
// "professional-retraining" ends with a graded examination on the
// five-point scale, by the share of the maximum points: from 90 %
// "отлично" / "excellent", from 70 % "хорошо" / "good", otherwise (at or
// above the pass mark) "удовлетворительно" / "satisfactory" (the default
// bands of certverify's credit check, TPU's 100-point scheme in
// shared/data/grading_scales.json). Below the pass mark: "не зачтено" /
// "fail", resp. "неудовлетворительно" / "unsatisfactory" (never issued).
model::Text CertificateGrade(const std::string& document_type, int points, int pass_mark,
                             int max_points);

struct CertificateInput {
  std::string issuer;     // slug
  std::string programme;  // programme code of that issuer
  std::string learner_name;
  std::string learner_id;  // e.g. SNILS; stored only as a keyed hash and a salted hash
  std::string period_start, period_end;  // YYYY-MM-DD
  int points = 0;
  double identity_share = 0;  // identity-verified share of the final grade, 0..1
  std::string identity_method = "none";
  std::string voucher;      // optional voucher URL or code
  std::string supersedes;   // code of the certificate a declared reissue replaces
  std::string request_key;  // optional idempotency key (batch row, API request)
};

struct CertificateRecord {
  std::string code;
  std::string url;
  std::string state;  // draft | issued | revoked | superseded
  std::string issuer_slug;
  // The signed credential (issued) or the unsigned draft, as stored: a signed
  // one is its RFC 8785 form, the bytes its ledger entry's digest covers.
  // Answers carry this text as it is (crypto::ParseJson for a Json value).
  std::string credential;
  int64_t ledger_index = -1;
  std::string revocation_reason;
  std::optional<int64_t> revoked_ms;
  std::string supersedes, superseded_by;  // codes
  std::string voucher;                    // the voucher it completes (URL or code), if any
  bool name_confirmed = false;            // the learner confirmed the name (drafts)
  // The learner's identity check code (crypto/learner_identity.h), grouped
  // "xxxx-xxxx-...": the salt of the credential's hashed identifier, which
  // the credential does not carry. SECRET: only for the provider and the
  // operator (who hand it to the learner); never on a public route, page,
  // PDF, receipt, ledger entry or log.
  std::string identity_code;
  model::CertificateView view;
};

// Whose a certificate is, for checking a caller's scope before acting on it
// (Registry::CertificateScopeOf: one small read, no credential parsed).
struct CertificateScope {
  std::string code;  // normalized
  std::string issuer_slug;
};

// One row of Registry::IssueBatch: issued (now or by an earlier run with the
// same request key), or rejected with the reason (status: slug, field, message).
struct BatchRowResult {
  size_t row = 0;               // index in the rows passed in
  std::string code;             // set when issued
  bool already_issued = false;  // issued by an earlier request with this request_key
  int64_t ledger_index = -1;
  Status status;
};

// Roles of the HTTP API (DESIGN.md "Who uses it"). Persisted names: do not rename.
enum class Role { kNone = 0, kApplicant = 1, kProvider = 2, kOperator = 3 };
std::string_view RoleName(Role role);  // "none", "applicant", "provider", "operator"
std::optional<Role> ParseRole(std::string_view name);

// Who a bearer token speaks for. scope: the issuer slug of a provider, the
// application id of an applicant, empty for the operator.
struct Principal {
  Role role = Role::kNone;
  std::string scope;
  std::string token_id;  // public id of the token (for audit); empty for kNone
};

struct TokenInfo {
  std::string id;
  Role role = Role::kNone;
  std::string scope, label;
  int64_t created_ms = 0;
  std::optional<int64_t> expires_ms, revoked_ms;
};

// A new token: `token` is shown once and stored only as a hash.
struct NewToken {
  std::string token;  // "clt1.<id>.<secret>"
  TokenInfo info;
};

// A stored response of a creating request (Idempotency-Key).
struct StoredResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class Registry {
 public:
  // Creates DIR with a new database, master key (or passphrase salt), ledger
  // key and the operator issuer, made in DIR/init.partial and moved into DIR
  // with the database last: an interrupted init leaves no registry, and the
  // next init starts over. kAlreadyExists ("registry.exists") if DIR already
  // holds a registry, ("registry.key-without-database") if it holds a master
  // key or salt without one; kInvalidArgument for a bad base URL.
  static Status Init(const InitOptions& options, const Clock& clock);
  // Opens an existing registry (runs ledger recovery). kNotFound
  // ("db.missing") if there is none; kFailedPrecondition ("masterkey.mode")
  // if the master key file is readable by others.
  static Result<std::unique_ptr<Registry>> Open(const RegistryOptions& options, const Clock& clock);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  const std::string& base_url() const { return base_url_; }
  // "cert.example.ru" or "127.0.0.1%3A8080" as it appears in did:web.
  const std::string& did_host() const { return did_host_; }
  std::string RegistryDid() const { return "did:web:" + did_host_; }
  std::string IssuerDid(const std::string& slug) const;
  Ledger& ledger() { return *ledger_; }
  const Clock& clock() const { return clock_; }

  // Issuers. Each change appends its ledger entry in the same transaction.
  // RegisterIssuer validates (slug, kind, names, INN checksum, licence date)
  // and creates key-1. Errors: kInvalidArgument ("issuer.invalid" with the
  // field), kAlreadyExists ("issuer.exists").
  Result<model::IssuerView> RegisterIssuer(const IssuerInput& input);
  // kNotFound ("issuer.unknown"); kFailedPrecondition ("issuer.state") when
  // already in that state.
  Status SuspendIssuer(const std::string& slug);
  Status ReactivateIssuer(const std::string& slug);
  Result<model::IssuerView> GetIssuer(const std::string& slug);
  Result<std::vector<model::IssuerView>> ListIssuers();

  // Keys. RotateKey adds a new active key and retires the previous one (it
  // stays listed, so old credentials verify). RevokeKey marks a compromised
  // key revoked from `effective_ms` (credentials signed before still verify).
  Result<KeyInfo> RotateKey(const std::string& slug);
  Status RevokeKey(const std::string& slug, int n, int64_t effective_ms);
  Result<std::vector<KeyInfo>> Keys(const std::string& slug);
  // The signer of the issuer's active key (KeyId() = the DID URL).
  // kFailedPrecondition ("issuer.suspended") for a suspended issuer.
  Result<std::shared_ptr<const crypto::Signer>> ActiveSigner(const std::string& slug);

  // DID documents (docs/formats.md), served at <base>/issuers/<slug>/did.json
  // and <base>/.well-known/did.json.
  Result<Json> IssuerDidDocument(const std::string& slug);
  Result<Json> RegistryDidDocument();
  // The registry's JSON-LD context served at <base>/contexts/v1.json.
  Json Context() const;

  // Programmes catalogue. kInvalidArgument ("programme.invalid" with field).
  Status AddProgramme(const ProgrammeInput& input);
  // "issuer.unknown", "programme.unknown".
  Result<ProgrammeInput> GetProgramme(const std::string& issuer_slug, const std::string& code);

  // Certificates (DESIGN.md "Rules of certificates"). A draft validates every
  // field; the learner then confirms or corrects the name; Issue() signs with
  // eddsa-jcs-2022, logs it and assigns a status list index, all in one
  // transaction. Errors: "certificate.invalid" (field), "certificate.below-pass-mark",
  // "certificate.duplicate" (same learner, programme and period, unless a
  // declared reissue), "issuer.suspended", "issuer.no-licence" (state-standard
  // documents), "certificate.unknown", "certificate.state".
  Result<CertificateRecord> CreateDraft(const CertificateInput& input);
  Status CorrectName(const std::string& code, const std::string& name);
  Status ConfirmName(const std::string& code);
  Result<CertificateRecord> Issue(const std::string& code);
  // The same for a certificate whose issuer the caller has just read
  // (CertificateScopeOf): one read fewer. The answer is built from what the
  // issuing transaction wrote, as GetCertificate would read it back.
  Result<CertificateRecord> Issue(const CertificateScope& scope);
  // Issue on behalf of the provider `issuer_slug` (its token's scope): the
  // certificate's owner is checked in Issue's own snapshot read instead of
  // a read of its own. kPermissionDenied ("auth.scope") for a certificate
  // of another issuer, "certificate.unknown" as Issue.
  Result<CertificateRecord> IssueFor(const std::string& typed_code, const std::string& issuer_slug);
  // Batch issuance for one issuer: each row is validated on its own and, if
  // good, drafted, confirmed (the provider vouches for the names its records
  // hold), signed, logged and given a status index, many rows per durable
  // group transaction. A bad row changes nothing (its own savepoint) and comes
  // back with its reason (the Issue/CreateDraft errors, "issuer.mismatch"
  // when row.issuer is set to another issuer); the other rows are committed.
  // A row whose request_key was issued before comes back with that code and
  // already_issued. The vector is in row order. Whole-batch errors:
  // "issuer.unknown", "issuer.suspended", database errors.
  Result<std::vector<BatchRowResult>> IssueBatch(const std::string& issuer_slug,
                                                 const std::vector<CertificateInput>& rows);
  // Revokes with a reason code (published) and sets the status bit; the
  // status list is re-signed in the same transaction.
  // `reason_code` ([a-z0-9-]{2,40}, e.g. "error-in-data") is published in the
  // ledger; `reason_text` is shown on the public page only.
  Status Revoke(const std::string& code, const std::string& reason_code,
                const std::string& reason_text);
  Result<CertificateRecord> GetCertificate(const std::string& code);
  // The issuer of certificate `code`, without the rest.
  Result<CertificateScope> CertificateScopeOf(const std::string& code);
  Result<crypto::Receipt> CertificateReceipt(const std::string& code);
  // The signed BitstringStatusListCredential <base>/status/<slug>/<n>.
  Result<Json> StatusList(const std::string& slug, int n);

  // API access (registry/access.cc). Tokens are 256-bit random secrets,
  // stored as SHA-256 hashes, looked up by their public id and compared in
  // constant time. Errors: "token.scope" (a provider token for an issuer
  // that is not registered, an operator token with a scope).
  Result<NewToken> CreateToken(Role role, const std::string& scope, const std::string& label,
                               std::optional<int64_t> expires_ms = std::nullopt);
  Status RevokeToken(const std::string& token_id);
  Result<std::vector<TokenInfo>> ListTokens();
  // The principal of a bearer token; kUnauthenticated ("token.invalid") for
  // an unknown, malformed, expired or revoked one.
  Result<Principal> Authenticate(std::string_view token);
  // Applicant sign-in: a 6-digit one-time code, valid 15 minutes, at most 5
  // attempts, sent through the outbox (kind "login-code"). Redeeming it
  // yields a token bound to the application. "login.code" on a wrong,
  // expired or exhausted code.
  Status SendLoginCode(const std::string& application_id);
  Result<NewToken> RedeemLoginCode(const std::string& application_id, const std::string& code);
  // Idempotency-Key records: kAlreadyExists ("idempotency.conflict") when the
  // key was used with another request; nullopt when unused.
  Result<std::optional<StoredResponse>> FindResponse(const std::string& scope,
                                                     const std::string& key,
                                                     const std::string& request_hash);
  Status StoreResponse(const std::string& scope, const std::string& key,
                       const std::string& request_hash, const StoredResponse& response);

  // Waits until every change this process has committed is durable. Reads
  // may see a group whose fsync is still running (registry/internal/db.h):
  // whoever hands what it read outside the process calls this first (the
  // server before every answer).
  void WaitDurable();
  // Whether WaitDurable would return at once (nothing committed is still
  // waiting for its fsync): for threads that must not block.
  bool IsDurable() const;
  // Around one answer built on one thread (a server request): WaitAnswerable
  // is WaitDurable, except that it returns at once when the thread's last
  // access to the database since BeginAnswer was a committed write (durable
  // with everything read before it; internal/db.h).
  void BeginAnswer();
  void WaitAnswerable();
  // WaitDurable, and an fsync of the database's log for what another process
  // (a serving registry) committed: before a command publishes what it read.
  Status SyncStorage();

  // Online backup of the database to `dest` (consistent while serving; a new
  // file, written under a temporary name and renamed). The master key is not
  // in it: back DIR/master.key (or the passphrase) up separately.
  // kAlreadyExists ("backup.exists") if dest exists.
  Status Backup(const std::string& dest);
  // Restores a backup into `data_dir` (which holds the master key or salt):
  // checks the file's integrity, that the master key opens it, and that the
  // ledger recovers, before it becomes DIR/registry.db. An existing database
  // is kept as registry.db.before-restore-<ms> only with `replace`; otherwise
  // kAlreadyExists ("restore.exists"). The server must not be running.
  static Status Restore(const std::string& data_dir, const std::string& backup_file, bool replace,
                        const std::optional<crypto::SecretBytes>& passphrase, const Clock& clock);

  // Writes what certverify needs offline (docs/formats.md "Trust bundle"):
  // bundle.json, every DID document, every status list, the newest
  // checkpoint and its tiles. Returns the checkpoint's tree size.
  Result<int64_t> ExportTrustBundle(const std::string& dir);

  // Vouchers (DESIGN.md "Rules of the voucher programme"; registry/vouchers.cc).
  // Every change appends its ledger entries under the application's random
  // pseudonymous id and its outbox messages in the same transaction; the
  // quota check and the slot allocation happen in one write closure, so under
  // any concurrency the quota is never exceeded and the queue is served in
  // arrival order.
  //
  // ConfigureYear (operator) sets or changes a year (quota, opening, regions,
  // education levels, deadline, time zone); ledger entry "year.configured".
  // The quota cannot go below the vouchers already holding a slot; a larger
  // quota serves the queue at once. Errors: "year.invalid" (field),
  // "year.closed" (the year has ended).
  Status ConfigureYear(const YearConfigInput& config);
  // kNotFound "year.unknown".
  Result<YearConfigInput> GetYearConfig(int year);
  // Applies for the year open now (by the Clock). Eligibility is evaluated at
  // the application's local date; failed rules come back in `failures` and
  // nothing is stored. An eligible application gets a voucher at once or a
  // queue position. `request_key` (may be empty) makes a retry return the
  // first answer. Errors: "application.invalid" (field: malformed input),
  // "programme.unknown", "issuer.unknown", "issuer.suspended", "year.unknown",
  // "year.closed" (before opening or after the year end),
  // "application.duplicate" (kAlreadyExists: this person already applied this year).
  // `send_login_code`: also what SendLoginCode does, for a new application in
  // the same transaction (one durable commit per application).
  Result<ApplyOutcome> Apply(const ApplicationInput& input, const std::string& request_key,
                             bool send_login_code = false);
  // kNotFound "application.unknown".
  Result<ApplicationView> GetApplication(const std::string& id);
  // Leaves the queue, or gives back an issued (not yet enrolled) voucher,
  // whose slot goes to the head of the queue at once. "application.unknown",
  // "application.state" (already withdrawn/lapsed, or the voucher is enrolled or over).
  Status Withdraw(const std::string& application_id);
  // By the provider of the voucher's programme. "voucher.unknown",
  // "voucher.wrong-issuer" (kPermissionDenied), "voucher.state" (not issued,
  // expired, or documents overdue), "voucher.invalid" (field: group, start_date).
  Status Enrol(const std::string& issuer_slug, const std::string& voucher_code,
               const std::string& group, const std::string& start_date);
  // Operator. Sets the status bit, frees the slot (promoting the head of the
  // queue) and notifies the holder. `reason_code` ([a-z0-9-]{2,40}) is
  // published; `reason_text` is not. "voucher.unknown", "voucher.state",
  // "voucher.invalid" (field reason).
  Status Annul(const std::string& voucher_code, const std::string& reason_code,
               const std::string& reason_text);
  // Operator: records a valid reason for missing the document deadline, so
  // RunDeadlines does not annul the voucher. "voucher.unknown", "voucher.state".
  Status RecordValidReason(const std::string& voucher_code, const std::string& text);
  // Periodic job (idempotent): annuls issued vouchers past their document
  // deadline without a valid reason ("documents-late"), sends "expiring"
  // notices 14 days before the year end, and after the year end expires
  // unused vouchers and lapses the queue. Returns how many records changed.
  Result<int64_t> RunDeadlines();
  // The public counter. "year.unknown".
  Result<YearCounter> Counter(int year);
  // "voucher.unknown" (also for a malformed code).
  Result<VoucherView> GetVoucher(const std::string& code);
  // The vouchers for the programmes of provider `slug`, newest first.
  Result<std::vector<VoucherView>> VouchersOfIssuer(const std::string& slug);
  // Outbox messages with id > after_id, oldest first, at most `limit` (1..1000),
  // sent or not. UnsentOutbox: the unsent ones only.
  Result<std::vector<OutboxMessage>> Outbox(int64_t after_id, int limit);
  Result<std::vector<OutboxMessage>> UnsentOutbox(int limit);
  // "outbox.unknown".
  Status MarkSent(int64_t message_id);
  // Operator only (the caller checks the role): the applicant's data as
  // submitted, opened from its sealed form (SNILS as 11 digits). Never log it.
  // "application.unknown".
  Result<ApplicationInput> ApplicantData(const std::string& application_id);

  internal::Db& db() { return *db_; }  // registry/ internal use

 private:
  Registry(std::string data_dir, const Clock& clock);
  Status Load(const RegistryOptions& options);
  // ActiveSigner, optionally also for a suspended issuer (revocations and
  // status-list updates must stay publishable).
  Result<std::shared_ptr<const crypto::Signer>> SignerFor(const std::string& slug,
                                                          bool allow_suspended);
  // The signer of `slug`'s active key number `n` whose sealed seed is `sealed`
  // (as read by the caller): opened once and kept while the sealed seed read is
  // the same (a rotation reads another, so the old signer is never used again).
  Result<std::shared_ptr<const crypto::Signer>> CachedSigner(const std::string& slug, int n,
                                                             const std::string& sealed);
  // An issuer's active key as stored: its number and sealed seed.
  struct SealedKey {
    int n = 0;
    std::string sealed;
  };
  // The active key of issuer `issuer_id`, read on `c`; nullopt when it has none.
  static std::optional<SealedKey> ActiveKeyIn(internal::Conn& c, int64_t issuer_id);
  // Certificates (certificates.cc), shared by Issue and IssueBatch: signs,
  // logs and marks issued the confirmed draft `code` of issuer `slug` inside
  // the caller's write transaction; returns its ledger index.
  // `cache` (may be null) keeps the issuer and programme rows read in this
  // transaction for the next rows of a batch; `issued` (may be null) gets
  // what Issue builds its answer from after the transaction.
  Result<int64_t> IssueDraftIn(internal::Conn& c, const std::string& code, const std::string& slug,
                               const crypto::Signer& signer, int64_t now_ms,
                               internal::CertificateLookups* cache = nullptr,
                               internal::IssuedDraft* issued = nullptr);
  // IssueDraftIn in its three steps (Db::WriteSteps). Prepare: checks the
  // draft (with `check_owner`, first that it is `slug`'s: IssueFor), picks
  // the key (`signer` unless rotated since; the active key when null) and
  // claims a status index. Sign: needs no database. Finish: logs and stores,
  // and fails if the draft is no longer one.
  Status PrepareIssueIn(internal::Conn& c, const std::string& code, const std::string& slug,
                        const crypto::Signer* signer, int64_t now_ms,
                        internal::CertificateLookups* cache, bool check_owner,
                        internal::IssueWork* work);
  void SignIssue(const std::string& slug, int64_t now_ms, internal::IssueWork* work);
  Result<int64_t> FinishIssueIn(internal::Conn& c, const std::string& slug, int64_t now_ms,
                                internal::IssueWork& work, internal::IssuedDraft* issued);
  // Issue(scope), and IssueFor with `check_owner`.
  Result<CertificateRecord> IssueChecked(const CertificateScope& scope, bool check_owner);
  // The issuer `slug` as GetIssuer returns it, read on the caller's connection.
  Result<model::IssuerView> IssuerViewIn(internal::Conn& c, const std::string& slug);

  // API access (access.cc): a fresh sign-in code for `application_id` and its
  // keyed hash; StoreLoginCodeIn stores it and queues its message inside the
  // caller's write transaction.
  struct LoginCode {
    std::string code, hash;
  };
  LoginCode NewLoginCode(const std::string& application_id) const;
  // Apply's answer to a retry of an application already stored.
  Result<ApplyOutcome> Replay(const std::string& application_id, bool send_login_code);
  Status StoreLoginCodeIn(internal::Conn& c, const std::string& application_id,
                          const LoginCode& code, int64_t now_ms);

  // Vouchers (registry/vouchers.cc). A subkey of the master key for
  // `purpose` ("pii" seals personal data, "snils" keys the SNILS hash).
  crypto::SecretBytes VoucherKey(std::string_view purpose) const;
  // A subkey of the master key sealing a column at rest
  // (registry/internal/at_rest.h): "idempotency" (stored responses),
  // "identity-code" (learners' identity check codes).
  crypto::SecretBytes SealingKey(std::string_view purpose) const;
  // Inside Issue()'s transaction: the certificate completes the voucher
  // `voucher_ref` (URL or code) of provider `issuer_slug`.
  Status CompleteVoucher(internal::Conn& c, const std::string& voucher_ref,
                         const std::string& issuer_slug, const std::string& certificate_code,
                         int64_t now_ms);

  const std::string data_dir_;
  const Clock& clock_;
  std::string base_url_;
  size_t batch_rows_per_transaction_ = 4096;
  std::string did_host_;
  crypto::SecretBytes master_key_;
  // SealingKey ("s|<purpose>") and VoucherKey ("v|<purpose>") subkeys of the
  // purposes used per request, derived at Open; read-only afterwards.
  std::map<std::string, crypto::SecretBytes, std::less<>> subkeys_;
  std::unique_ptr<internal::Db> db_;
  std::unique_ptr<Ledger> ledger_;
  // CachedSigner's: per issuer slug, the sealed seed and its opened signer.
  struct OpenSigner {
    std::string sealed;
    std::shared_ptr<const crypto::Signer> signer;
  };
  std::mutex signer_mu_;
  std::map<std::string, OpenSigner, std::less<>> signers_;  // GUARDED_BY(signer_mu_)
  // Authenticate's cache of tokens by id: what the database held when
  // Db::WatchedVersion returned `version`, good while it still does.
  struct CachedToken {
    TokenInfo info;
    std::string secret_hash;
    uint64_t version = 0;
  };
  std::mutex token_cache_mu_;
  std::map<std::string, CachedToken, std::less<>> token_cache_;  // GUARDED_BY(token_cache_mu_)
  // Issue's credential templates, per (issuer id, programme id): the newest
  // one made (certificates.cc, TemplatesFor).
  std::mutex templates_mu_;
  std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const internal::IssueTemplates>>
      templates_;  // GUARDED_BY(templates_mu_)
  internal::VoucherTemplateKeeper voucher_templates_;
};

// Parses "https://host[:port]" (no path, query or fragment). Returns the
// did:web host form. kInvalidArgument ("config.base-url").
Result<std::string> DidHostFromBaseUrl(const std::string& base_url);

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_REGISTRY_H_
