// The ledger auditor: see verifier/audit.h and docs/verifier.md "Audit".
//
// Specs: C2SP tlog-tiles (../shared/specs/tlog-tiles.md: tile and entry
// bundle paths, partial tiles, immutability), C2SP tlog-checkpoint
// (checkpoint body), C2SP signed-note (signature, verifier keys), RFC 6962
// section 2.1 (leaf and node hashes, MTH) and 2.1.2 (consistency proofs,
// checked per RFC 9162 section 2.1.4.2).
#include "verifier/audit.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/rfc3339.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_tiles.h"

namespace certledger::verifier {
namespace {

namespace fs = std::filesystem;
using crypto::Hash;
using crypto::Tile;

// Problems listed per code; the rest are counted (AuditReport::problems_omitted).
constexpr int64_t kMaxProblemsPerCode = 50;
// Entry bundles fetched and replayed per round (bounded memory).
constexpr size_t kBundlesPerRound = 64;
constexpr char kStaging[] = ".staging";

std::optional<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

Status WriteFileAtomically(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) return Status::Unavailable("audit.state", "cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("audit.state", "cannot rename " + tmp.string());
  return Status::Ok();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\n' || s[b] == '\r')) ++b;
  return s.substr(b);
}

std::string B64(const Hash& h) { return crypto::Base64Encode(crypto::AsStringView(h)); }

std::string N(int64_t v) { return std::to_string(v); }

// Problem collection with a cap per code.
class Problems {
 public:
  explicit Problems(AuditReport* report) : report_(report) {}
  void Add(std::string code, AuditSeverity severity, std::string where, int64_t entry,
           std::string en, std::string ru) {
    if (count_[code]++ >= kMaxProblemsPerCode) {
      ++report_->problems_omitted[code];
      return;
    }
    report_->problems.push_back(AuditProblem{std::move(code), severity, std::move(where), entry,
                                             Text{std::move(en), std::move(ru)}});
  }
  void Inconsistent(std::string code, std::string where, std::string en, std::string ru,
                    int64_t entry = -1) {
    Add(std::move(code), AuditSeverity::kInconsistent, std::move(where), entry, std::move(en),
        std::move(ru));
  }
  void CouldNotCheck(std::string code, std::string where, std::string en, std::string ru) {
    Add(std::move(code), AuditSeverity::kCouldNotCheck, std::move(where), -1, std::move(en),
        std::move(ru));
  }
  bool any() const { return !report_->problems.empty() || !report_->problems_omitted.empty(); }

 private:
  AuditReport* report_;
  std::map<std::string, int64_t> count_;
};

// ---------------------------------------------------------------------------
// The replay of the voucher years and the revocation list (docs/verifier.md
// "Audit", docs/formats.md "Voucher ledger entries"). Entry types and fields
// are the registry's (registry/ledger/entry.h, registry/vouchers.cc); the
// verifier may not include registry/, so the names are spelled here.
class Replay {
 public:
  Replay(AuditReport* report, Problems* problems) : report_(report), p_(problems) {}

  void Entry(int64_t index, std::string_view bytes);
  void Finish();

 private:
  struct Year {
    int year = 0;
    bool configured = false;
    int64_t quota = 0, opens_ms = 0, closes_ms = 0;
    int64_t last_seq = 0;                   // the largest arrival sequence seen
    std::set<int64_t> waiting;              // queued arrival sequences
    std::map<std::string, int64_t> queued;  // application -> its queued sequence
    std::set<std::string> holders;          // applications holding a slot
    std::set<std::string> ever_issued;
    int64_t unserved_since = -1;  // entry index from which a slot was free while someone waited
    YearAudit stats;
    int64_t holding() const { return static_cast<int64_t>(holders.size()); }
  };

  void Bad(int64_t index, const std::string& en, const std::string& ru) {
    p_->Inconsistent("audit.bad-entry", "entry " + N(index), en, ru, index);
  }
  void Problem(const std::string& code, int64_t index, const std::string& en,
               const std::string& ru) {
    p_->Inconsistent(code, "entry " + N(index), en, ru, index);
  }
  void Voucher(int64_t index, const std::string& type, const Json& j, int64_t time_ms);

  AuditReport* report_;
  Problems* p_;
  std::map<int, Year> years_;
};

std::optional<int64_t> IntField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}
std::optional<std::string> StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

void Replay::Entry(int64_t index, std::string_view bytes) {
  ++report_->entries;
  auto parsed = crypto::ParseJson(bytes);
  if (!parsed.ok() || !parsed->is_object()) {
    Bad(index, "the entry is not a JSON object", "запись не является объектом JSON");
    return;
  }
  const Json& j = *parsed;
  auto type = StringField(j, "type");
  auto id = StringField(j, "id");
  auto issuer = StringField(j, "issuer");
  auto time = StringField(j, "time");
  if (!type || !id || !issuer || !time || !StringField(j, "digest")) {
    Bad(index, "the entry lacks one of type, id, issuer, digest, time",
        "в записи нет одного из полей type, id, issuer, digest, time");
    return;
  }
  auto time_ms = crypto::ParseRfc3339(*time);
  if (!time_ms.ok()) {
    Bad(index, "the entry's time is not RFC 3339", "время записи не в формате RFC 3339");
    return;
  }
  ++report_->entry_types[*type];
  if (*type == "certificate.revoked" || *type == "certificate.superseded" ||
      *type == "voucher.annulled" || *type == "voucher.withdrawn") {
    std::string reason = StringField(j, "reason").value_or("");
    if (*type == "certificate.superseded") reason = "superseded";
    report_->revocations[*issuer].push_back(RevocationEntry{index, *type, *id, reason, *time});
  }
  if (type->rfind("voucher.", 0) == 0 || type->rfind("application.", 0) == 0 ||
      *type == "year.configured") {
    Voucher(index, *type, j, *time_ms);
  }
}

void Replay::Voucher(int64_t index, const std::string& type, const Json& j, int64_t time_ms) {
  auto year_no = IntField(j, "year");
  if (!year_no || *year_no < 1 || *year_no > 9999) {
    Bad(index, type + " without a valid year", type + " без правильного года");
    return;
  }
  Year& y = years_[static_cast<int>(*year_no)];
  y.year = static_cast<int>(*year_no);
  y.stats.year = y.year;
  const std::string ys = N(y.year);

  if (type == "year.configured") {
    auto quota = IntField(j, "quota");
    auto opens = StringField(j, "opensAt");
    auto closes = StringField(j, "closesAt");
    std::optional<int64_t> opens_ms, closes_ms;
    if (opens) {
      if (auto t = crypto::ParseRfc3339(*opens); t.ok()) opens_ms = *t;
    }
    if (closes) {
      if (auto t = crypto::ParseRfc3339(*closes); t.ok()) closes_ms = *t;
    }
    if (!quota || *quota < 0 || !opens_ms || !closes_ms) {
      Bad(index, "year.configured needs quota, opensAt and closesAt",
          "в year.configured нужны quota, opensAt и closesAt");
      return;
    }
    y.configured = true;
    y.quota = *quota;
    y.opens_ms = *opens_ms;
    y.closes_ms = *closes_ms;
    ++y.stats.configured;
    y.stats.quota = y.quota;
    if (y.holding() > y.quota) {
      Problem("audit.quota-exceeded", index,
              "year " + ys + ": the quota was set to " + N(y.quota) + " below the " +
                  N(y.holding()) + " vouchers holding a slot",
              "год " + ys + ": квоту установили в " + N(y.quota) + ", меньше " + N(y.holding()) +
                  " занятых мест");
    }
  } else {
    if (!y.configured) {
      Problem("audit.year-unconfigured", index,
              type + " for year " + ys + " before any year.configured entry",
              type + " за " + ys + " год до записи year.configured");
      return;
    }
    auto app = StringField(j, "application");
    if (!app) {
      Bad(index, type + " without an application id", type + " без идентификатора заявки");
      return;
    }
    // A slot was left free while someone waited, and this entry is not the
    // promotion that serves the queue (the registry promotes in the same
    // transaction that frees the slot or raises the quota).
    const bool promotion = type == "voucher.issued" && j.contains("servedSeq");
    if (y.unserved_since >= 0 && !promotion) {
      Problem("audit.queue-not-served", index,
              "year " + ys + ": a slot was free from entry " + N(y.unserved_since) +
                  " while application #" + N(*y.waiting.begin()) + " waited",
              "год " + ys + ": место свободно с записи " + N(y.unserved_since) + ", а заявка №" +
                  N(*y.waiting.begin()) + " ждала в очереди");
      y.unserved_since = -1;
    }
    // Arrival numbers (queueSeq of a new application, queued or served at once)
    // grow in ledger order.
    auto check_arrival_order = [&](int64_t seq) {
      if (seq > y.last_seq) return;
      Problem("audit.queue-order", index,
              "year " + ys + ": arrival #" + N(seq) + " after #" + N(y.last_seq) +
                  " (arrival numbers must grow)",
              "год " + ys + ": поступление №" + N(seq) + " после №" + N(y.last_seq) +
                  " (номера должны расти)");
    };
    if (type == "application.queued") {
      auto seq = IntField(j, "queueSeq");
      if (!seq) return Bad(index, "application.queued without queueSeq", "нет queueSeq");
      ++y.stats.arrivals;
      if (time_ms < y.opens_ms || time_ms >= y.closes_ms) {
        Problem("audit.outside-year", index,
                "year " + ys + ": an application queued outside opensAt..closesAt",
                "год " + ys + ": заявка поставлена в очередь вне срока приёма");
      }
      check_arrival_order(*seq);
      if (y.holding() < y.quota && y.waiting.empty()) {
        Problem("audit.queue-not-served", index,
                "year " + ys + ": application #" + N(*seq) + " was queued although a slot was free",
                "год " + ys + ": заявку №" + N(*seq) + " поставили в очередь при свободном месте");
      }
      y.last_seq = std::max(y.last_seq, *seq);
      y.waiting.insert(*seq);
      y.queued[*app] = *seq;
    } else if (type == "voucher.issued") {
      auto seq = IntField(j, "queueSeq");
      if (!seq) return Bad(index, "voucher.issued without queueSeq", "нет queueSeq");
      if (y.holders.count(*app) != 0 || y.ever_issued.count(*app) != 0) {
        Problem("audit.replay-mismatch", index,
                "year " + ys + ": a second voucher for application " + *app,
                "год " + ys + ": второй сертификат по заявке " + *app);
      }
      if (time_ms >= y.closes_ms) {
        Problem("audit.outside-year", index,
                "year " + ys + ": a voucher issued after the year ended",
                "год " + ys + ": сертификат выдан после окончания года");
      }
      if (promotion) {
        auto served = IntField(j, "servedSeq");
        if (!served) return Bad(index, "servedSeq is not an integer", "servedSeq не целое");
        ++y.stats.issued_from_queue;
        auto q = y.queued.find(*app);
        if (*served != *seq || q == y.queued.end() || q->second != *seq) {
          Problem("audit.replay-mismatch", index,
                  "year " + ys + ": the voucher serves #" + N(*served) +
                      " but the application was not queued under that number",
                  "год " + ys + ": сертификат выдан по №" + N(*served) +
                      ", но заявка не стояла в очереди под этим номером");
        }
        if (y.waiting.count(*served) == 0) {
          Problem(
              "audit.queue-order", index,
              "year " + ys + ": served #" + N(*served) + ", which was not waiting",
              "год " + ys + ": обслужена заявка №" + N(*served) + ", которой не было в очереди");
        } else if (*served != *y.waiting.begin()) {
          Problem("audit.queue-order", index,
                  "year " + ys + ": served #" + N(*served) + " while #" + N(*y.waiting.begin()) +
                      " had waited longer (not first come, first served)",
                  "год " + ys + ": обслужена заявка №" + N(*served) + ", хотя №" +
                      N(*y.waiting.begin()) + " ждала дольше (нарушен порядок очереди)");
        }
        y.waiting.erase(*served);
        if (q != y.queued.end()) y.queued.erase(q);
      } else {
        ++y.stats.arrivals;
        if (time_ms < y.opens_ms) {
          Problem("audit.outside-year", index,
                  "year " + ys + ": a voucher issued before applications opened",
                  "год " + ys + ": сертификат выдан до начала приёма заявок");
        }
        check_arrival_order(*seq);
        if (!y.waiting.empty()) {
          Problem("audit.queue-order", index,
                  "year " + ys + ": arrival #" + N(*seq) + " got a voucher at once while #" +
                      N(*y.waiting.begin()) + " was waiting in the queue",
                  "год " + ys + ": поступление №" + N(*seq) + " получило сертификат сразу, а №" +
                      N(*y.waiting.begin()) + " ждала в очереди");
        }
        y.last_seq = std::max(y.last_seq, *seq);
      }
      ++y.stats.issued;
      y.holders.insert(*app);
      y.ever_issued.insert(*app);
      y.stats.max_holding = std::max(y.stats.max_holding, y.holding());
      if (y.holding() > y.quota) {
        Problem("audit.quota-exceeded", index,
                "year " + ys + ": " + N(y.holding()) + " vouchers hold a slot, over the quota of " +
                    N(y.quota),
                "год " + ys + ": " + N(y.holding()) + " сертификатов занимают места при квоте " +
                    N(y.quota));
      }
    } else if (type == "voucher.annulled" || type == "voucher.withdrawn") {
      auto freed = j.find("slotFreed");
      if (freed == j.end() || !freed->is_boolean()) {
        return Bad(index, type + " without slotFreed", type + " без slotFreed");
      }
      if (y.holders.count(*app) == 0) {
        Problem("audit.replay-mismatch", index,
                "year " + ys + ": " + type + " of application " + *app + ", which holds no voucher",
                "год " + ys + ": " + type + " по заявке " + *app + ", у которой нет сертификата");
      }
      if (freed->get<bool>()) {
        if (y.holders.erase(*app) != 0) ++y.stats.freed;
      } else {
        y.holders.erase(*app);
        if (time_ms < y.closes_ms) {
          Problem("audit.slot-not-freed", index,
                  "year " + ys + ": " + type + " before the year ended did not free its slot",
                  "год " + ys + ": " + type + " до конца года не освободил место");
        }
      }
    } else if (type == "application.lapsed") {
      auto seq = IntField(j, "queueSeq");
      if (!seq) return Bad(index, "application.lapsed without queueSeq", "нет queueSeq");
      auto q = y.queued.find(*app);
      if (y.waiting.erase(*seq) == 0 || q == y.queued.end() || q->second != *seq) {
        Problem("audit.replay-mismatch", index,
                "year " + ys + ": application #" + N(*seq) + " lapsed but was not waiting",
                "год " + ys + ": заявка №" + N(*seq) + " снята, но не стояла в очереди");
      }
      if (q != y.queued.end()) y.queued.erase(q);
      ++y.stats.lapsed;
    } else if (type == "voucher.expired") {
      if (time_ms < y.closes_ms) {
        Problem("audit.outside-year", index,
                "year " + ys + ": a voucher expired before the year ended",
                "год " + ys + ": сертификат истёк до окончания года");
      }
      if (y.holders.erase(*app) == 0) {
        Problem(
            "audit.replay-mismatch", index,
            "year " + ys + ": voucher.expired of application " + *app + ", which holds no voucher",
            "год " + ys + ": voucher.expired по заявке " + *app + " без сертификата");
      } else {
        ++y.stats.freed;
      }
    } else if (type == "voucher.enrolled" || type == "voucher.completed") {
      if (y.holders.count(*app) == 0) {
        Problem("audit.replay-mismatch", index,
                "year " + ys + ": " + type + " of application " + *app + ", which holds no voucher",
                "год " + ys + ": " + type + " по заявке " + *app + " без сертификата");
      }
    }
  }
  const bool unserved = y.holding() < y.quota && !y.waiting.empty() && time_ms < y.closes_ms;
  if (!unserved) {
    y.unserved_since = -1;
  } else if (y.unserved_since < 0) {
    y.unserved_since = index;
  }
}

void Replay::Finish() {
  for (auto& [no, y] : years_) {
    y.stats.holding = y.holding();
    y.stats.waiting = static_cast<int64_t>(y.waiting.size());
    report_->years.push_back(y.stats);
  }
}

// ---------------------------------------------------------------------------

class Auditor {
 public:
  Auditor(Fetcher& fetcher, const AuditOptions& options)
      : f_(fetcher), o_(options), state_(options.state_dir), p_(&r_), replay_(&r_, &p_) {
    base_ = options.base_url;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    r_.base_url = base_;
  }

  Result<AuditReport> Run();

 private:
  struct Fetched {
    Tile tile;
    std::optional<std::string> data;  // nullopt: could not fetch
    bool from_mirror = false;
  };

  Result<std::optional<crypto::NoteVerifier>> ResolveKey();
  std::vector<Fetched> FetchTiles(const std::vector<Tile>& tiles);
  std::string TileUrl(const Tile& t) const { return base_ + "/ledger/" + crypto::TilePath(t); }
  void CheckConsistency(const crypto::Checkpoint& cp, bool entries_match,
                        crypto::HashReader* tiles_reader);
  Status SaveState(const std::string& note);

  Fetcher& f_;
  const AuditOptions& o_;
  const fs::path state_;
  std::string base_;
  AuditReport r_;
  Problems p_;
  Replay replay_;
  crypto::InMemoryHashStore store_;
  std::optional<crypto::Checkpoint> previous_;
  std::optional<std::string> stored_key_;
  std::optional<crypto::NoteVerifier> stored_verifier_;
  std::vector<std::string> staged_;  // tile paths written under .staging/
};

Result<std::optional<crypto::NoteVerifier>> Auditor::ResolveKey() {
  std::optional<crypto::NoteVerifier> pinned, stored, served;
  if (!o_.ledger_key.empty()) {
    auto v = crypto::ParseVerifierKey(Trim(o_.ledger_key));
    if (!v.ok()) {
      return Status::InvalidArgument(
          "audit.usage", "--ledger-key is not a C2SP verifier key: " + v.status().message());
    }
    pinned = *v;
  }
  if (stored_key_) {
    auto v = crypto::ParseVerifierKey(Trim(*stored_key_));
    if (!v.ok()) {
      return Status::FailedPrecondition(
          "audit.state",
          (state_ / "ledger-key").string() + " is not a verifier key: " + v.status().message());
    }
    stored = *v;
    stored_verifier_ = *v;
  }
  // The key the registry publishes now: the API route, or the static
  // export's ledger/key file.
  auto body = f_.Get(base_ + "/api/v1/ledger/key", "application/json, text/plain");
  if (!body.ok() && body.status().IsNotFound()) {
    body = f_.Get(base_ + "/ledger/key", "text/plain");
  }
  if (body.ok()) {
    std::string text = Trim(*body);
    if (!text.empty() && text[0] == '{') {
      auto j = crypto::ParseJson(text);
      text = j.ok() && j->is_object() ? j->value("verifierKey", std::string()) : std::string();
    }
    auto v = crypto::ParseVerifierKey(text);
    if (v.ok()) {
      served = *v;
    } else {
      p_.CouldNotCheck("audit.no-key", base_ + "/api/v1/ledger/key",
                       "the registry's ledger key is not a C2SP verifier key",
                       "ключ журнала реестра не является ключом проверки C2SP");
    }
  }
  auto same = [](const crypto::NoteVerifier& a, const crypto::NoteVerifier& b) {
    return crypto::FormatVerifierKey(a) == crypto::FormatVerifierKey(b);
  };
  std::optional<crypto::NoteVerifier> trusted;
  if (pinned) {
    trusted = pinned;
    r_.key_source = "pinned";
  } else if (stored) {
    trusted = stored;
    r_.key_source = "state";
  } else if (served) {
    trusted = served;
    r_.key_source = "first-use";
  } else {
    p_.CouldNotCheck("audit.no-key", base_ + "/api/v1/ledger/key",
                     "no ledger key: none pinned, none in the state directory, none published (" +
                         body.status().message() + ")",
                     "нет ключа журнала: не задан, нет в каталоге состояния, реестр не отдал (" +
                         body.status().message() + ")");
    return std::optional<crypto::NoteVerifier>();
  }
  r_.verifier_key = crypto::FormatVerifierKey(*trusted);
  if (stored && !same(*stored, *trusted)) {
    p_.Inconsistent("audit.key-changed", (state_ / "ledger-key").string(),
                    "the pinned ledger key differs from the one trusted before (" +
                        crypto::FormatVerifierKey(*stored) + ")",
                    "заданный ключ журнала отличается от принятого ранее (" +
                        crypto::FormatVerifierKey(*stored) + ")");
  }
  if (served && !same(*served, *trusted)) {
    p_.Inconsistent("audit.key-changed", base_ + "/api/v1/ledger/key",
                    "the registry now publishes another ledger key (" +
                        crypto::FormatVerifierKey(*served) + ") than the trusted one",
                    "реестр публикует другой ключ журнала (" + crypto::FormatVerifierKey(*served) +
                        "), не тот, которому доверяли");
  }
  return trusted;
}

std::vector<Auditor::Fetched> Auditor::FetchTiles(const std::vector<Tile>& tiles) {
  std::vector<Fetched> out(tiles.size());
  std::vector<size_t> to_fetch;
  std::vector<std::optional<std::string>> mirrored(tiles.size());
  for (size_t i = 0; i < tiles.size(); ++i) {
    out[i].tile = tiles[i];
    // tlog-tiles "Merkle Tree": full tiles never change, so a verified copy
    // is as good as the original. Partial tiles are always fetched.
    if (tiles[i].is_full()) mirrored[i] = ReadWholeFile(state_ / crypto::TilePath(tiles[i]));
    if (mirrored[i] && !o_.refetch) {
      out[i].data = std::move(mirrored[i]);
      out[i].from_mirror = true;
      ++r_.tiles_mirrored;
    } else {
      to_fetch.push_back(i);
    }
  }
  std::vector<Result<std::string>> got(to_fetch.size(), Result<std::string>(std::string()));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < to_fetch.size();) {
      got[k] = f_.Get(TileUrl(tiles[to_fetch[k]]), "application/octet-stream");
    }
  };
  int threads = std::clamp(o_.fetch_threads, 1, 32);
  threads = static_cast<int>(std::min<size_t>(threads, to_fetch.size()));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  for (size_t k = 0; k < to_fetch.size(); ++k) {
    size_t i = to_fetch[k];
    const std::string path = crypto::TilePath(tiles[i]);
    if (!got[k].ok()) {
      p_.CouldNotCheck(
          "audit.fetch-failed", path,
          "cannot fetch " + TileUrl(tiles[i]) + ": " + got[k].status().message(),
          "не удалось получить " + TileUrl(tiles[i]) + ": " + got[k].status().message());
      continue;
    }
    ++r_.tiles_fetched;
    if (mirrored[i]) {
      // --refetch: the published tile must still be the one mirrored.
      if (*got[k] != *mirrored[i]) {
        p_.Inconsistent("audit.tile-mismatch", path,
                        "tile " + path + " changed since it was mirrored (tiles are immutable)",
                        "тайл " + path + " изменился после зеркалирования (тайлы неизменяемы)");
      }
      out[i].data = std::move(mirrored[i]);
      out[i].from_mirror = true;
      continue;
    }
    out[i].data = std::move(got[k]).value();
    // Staged; moved into the mirror only if the whole audit passes.
    if (WriteFileAtomically(state_ / kStaging / path, *out[i].data).ok()) staged_.push_back(path);
  }
  return out;
}

void Auditor::CheckConsistency(const crypto::Checkpoint& cp, bool entries_match,
                               crypto::HashReader* tiles_reader) {
  if (!previous_) return;
  const crypto::Checkpoint& old = *previous_;
  const std::string where = "checkpoint " + N(old.size) + " -> " + N(cp.size);
  if (old.size == cp.size) {
    if (old.root != cp.root) {
      p_.Inconsistent("audit.checkpoint-inconsistent", where,
                      "fork: the checkpoint of size " + N(cp.size) +
                          " has another root than the one seen before",
                      "развилка: у контрольной точки размера " + N(cp.size) +
                          " другой корень, чем виденный ранее");
    }
    return;
  }
  if (old.size < cp.size) {
    // RFC 6962 section 2.1.2 PROOF(m, D[n]) built from the new tree, checked
    // per RFC 9162 section 2.1.4.2 against both roots.
    crypto::HashReader* reader = entries_match ? &store_ : tiles_reader;
    auto proof = crypto::ProveTree(cp.size, old.size, *reader);
    if (!proof.ok()) {
      p_.CouldNotCheck("audit.checkpoint-inconsistent", where,
                       "cannot build the consistency proof from the published tiles: " +
                           proof.status().message(),
                       "не удалось построить доказательство согласованности по тайлам: " +
                           proof.status().message());
      return;
    }
    if (!crypto::CheckTree(*proof, cp.size, cp.root, old.size, old.root).ok()) {
      p_.Inconsistent("audit.checkpoint-inconsistent", where,
                      "fork: the tree of size " + N(cp.size) +
                          " does not extend the tree of size " + N(old.size) + " seen before",
                      "развилка: дерево размера " + N(cp.size) + " не продолжает виденное ранее " +
                          "дерево размера " + N(old.size));
    }
    return;
  }
  // The log looks smaller than before: prove with the mirrored tiles of the
  // old tree that the new one is its prefix (else it is a fork).
  crypto::TileHashReader old_tiles(
      old.size, old.root, [this](const Tile& t) -> Result<std::string> {
        auto data = ReadWholeFile(state_ / crypto::TilePath(t));
        if (!data) return Status::NotFound("audit.state", "not mirrored: " + crypto::TilePath(t));
        return *data;
      });
  auto proof = crypto::ProveTree(old.size, cp.size, old_tiles);
  if (!proof.ok()) {
    p_.CouldNotCheck("audit.checkpoint-older", where,
                     "the checkpoint is older than the one seen before and the mirror cannot prove "
                     "it a prefix: " +
                         proof.status().message(),
                     "контрольная точка старее виденной ранее, и зеркало не доказывает, что это "
                     "её начало: " +
                         proof.status().message());
    return;
  }
  if (!crypto::CheckTree(*proof, old.size, old.root, cp.size, cp.root).ok()) {
    p_.Inconsistent("audit.checkpoint-inconsistent", where,
                    "fork: the tree of size " + N(cp.size) +
                        " is not a prefix of the tree of size " + N(old.size) + " seen before",
                    "развилка: дерево размера " + N(cp.size) +
                        " не является началом виденного ранее дерева размера " + N(old.size));
    return;
  }
  p_.CouldNotCheck("audit.checkpoint-older", where,
                   "the registry serves an older checkpoint (size " + N(cp.size) +
                       ") than seen before (" + N(old.size) + "): consistent, but stale",
                   "реестр отдаёт более старую контрольную точку (размер " + N(cp.size) +
                       "), чем виденная ранее (" + N(old.size) + "): согласована, но устарела");
}

Status Auditor::SaveState(const std::string& note) {
  for (const std::string& path : staged_) {
    fs::path to = state_ / path;
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    fs::rename(state_ / kStaging / path, to, ec);
    if (ec) return Status::Unavailable("audit.state", "cannot move " + path + " into the mirror");
  }
  CERTLEDGER_RETURN_IF_ERROR(WriteFileAtomically(state_ / "ledger-key", r_.verifier_key + "\n"));
  // The checkpoint last: it names a tree whose tiles are all mirrored.
  return WriteFileAtomically(state_ / "checkpoint", note);
}

Result<AuditReport> Auditor::Run() {
  const auto started = std::chrono::steady_clock::now();
  if (base_.empty()) return Status::InvalidArgument("audit.usage", "--url is required");
  if (o_.state_dir.empty()) return Status::InvalidArgument("audit.usage", "--state is required");
  std::error_code ec;
  fs::create_directories(state_, ec);
  if (ec || !fs::is_directory(state_)) {
    return Status::FailedPrecondition("audit.state",
                                      "cannot use " + state_.string() + " as the state directory");
  }
  fs::remove_all(state_ / kStaging, ec);
  stored_key_ = ReadWholeFile(state_ / "ledger-key");

  CERTLEDGER_ASSIGN_OR_RETURN(std::optional<crypto::NoteVerifier> verifier, ResolveKey());
  auto finish = [&]() -> Result<AuditReport> {
    r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fs::remove_all(state_ / kStaging, ec);
    return std::move(r_);
  };
  if (!verifier) return finish();
  const std::vector<crypto::NoteVerifier> keys = {*verifier};

  if (auto prev = ReadWholeFile(state_ / "checkpoint")) {
    // Signed by the key trusted when it was saved.
    const std::vector<crypto::NoteVerifier> prev_keys = {stored_verifier_.value_or(*verifier)};
    auto note = crypto::OpenNote(*prev, prev_keys);
    auto cp =
        note.ok() ? crypto::ParseCheckpoint(note->text) : Result<crypto::Checkpoint>(note.status());
    if (cp.ok()) {
      previous_ = *cp;
      r_.previous_size = cp->size;
      r_.previous_root = B64(cp->root);
    } else {
      return Status::FailedPrecondition(
          "audit.state", (state_ / "checkpoint").string() +
                             " does not verify with the trusted key: " + cp.status().message());
    }
  }

  // The checkpoint: C2SP signed-note "Signatures" (a signature by the
  // trusted key must verify), then the tlog-checkpoint body.
  const std::string cp_url = base_ + "/ledger/checkpoint";
  auto note_text = f_.Get(cp_url, "text/plain");
  if (!note_text.ok()) {
    p_.CouldNotCheck("audit.fetch-failed", cp_url,
                     "cannot fetch the checkpoint: " + note_text.status().message(),
                     "не удалось получить контрольную точку: " + note_text.status().message());
    return finish();
  }
  auto note = crypto::OpenNote(*note_text, keys);
  if (!note.ok()) {
    p_.Inconsistent("audit.bad-signature", cp_url,
                    "the checkpoint is not signed by the ledger key " + r_.verifier_key + " (" +
                        note.status().slug() + ": " + note.status().message() + ")",
                    "контрольная точка не подписана ключом журнала " + r_.verifier_key + " (" +
                        note.status().slug() + ")");
    return finish();
  }
  auto cp = crypto::ParseCheckpoint(note->text);
  if (!cp.ok()) {
    p_.Inconsistent("audit.checkpoint-malformed", cp_url,
                    "the checkpoint body is malformed: " + cp.status().message(),
                    "тело контрольной точки искажено: " + cp.status().message());
    return finish();
  }
  r_.origin = cp->origin;
  r_.tree_size = cp->size;
  r_.root = B64(cp->root);
  // tlog-checkpoint "Note text": the origin is the log's identity, which is
  // also the name of its signing key.
  if (cp->origin != verifier->name()) {
    p_.Inconsistent("audit.origin-mismatch", cp_url,
                    "the checkpoint's origin \"" + cp->origin + "\" is not the key's name \"" +
                        verifier->name() + "\"",
                    "источник контрольной точки \"" + cp->origin +
                        "\" не совпадает с именем ключа \"" + verifier->name() + "\"");
  }

  // Every tile of the tree (tlog-tiles): entry bundles first, replayed in
  // ledger order while their leaf hashes (RFC 6962 section 2.1) are stored.
  std::vector<Tile> bundles, hash_tiles;
  for (const Tile& t : crypto::TilesForSize(cp->size)) {
    (t.is_entries() ? bundles : hash_tiles).push_back(t);
  }
  bool entries_complete = true;
  std::map<std::string, std::string> tile_bytes;  // hash tiles, by path
  for (size_t first = 0; first < bundles.size() && entries_complete; first += kBundlesPerRound) {
    std::vector<Tile> round(bundles.begin() + static_cast<std::ptrdiff_t>(first),
                            bundles.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                  bundles.size(), first + kBundlesPerRound)));
    std::vector<Fetched> got = FetchTiles(round);
    for (const Fetched& b : got) {
      if (!b.data) {
        entries_complete = false;
        break;
      }
      auto entries = crypto::ParseEntryBundle(*b.data, b.tile);
      if (!entries.ok()) {
        const std::string path = crypto::TilePath(b.tile);
        p_.Inconsistent("audit.tile-malformed", path,
                        "entry bundle " + path + " is malformed: " + entries.status().message(),
                        "пакет записей " + path + " искажён: " + entries.status().message());
        entries_complete = false;
        break;
      }
      int64_t index = b.tile.n * crypto::kTileWidth;
      for (const std::string& e : *entries) {
        store_.AppendLeafHash(crypto::LeafHash(e));
        replay_.Entry(index++, e);
      }
    }
    if (o_.progress) o_.progress(store_.Size(), cp->size);
  }
  replay_.Finish();

  bool entries_match = false;
  if (entries_complete) {
    auto root = crypto::TreeHash(cp->size, store_);
    entries_match = root.ok() && *root == cp->root;
    if (!entries_match) {
      p_.Inconsistent("audit.root-mismatch", cp_url,
                      "the entries do not hash to the checkpoint's root (RFC 6962 MTH)",
                      "записи журнала не дают корень контрольной точки (RFC 6962 MTH)");
    }
  }

  // The hash tiles: each must equal the tile recomputed from the entries.
  std::vector<Fetched> got = FetchTiles(hash_tiles);
  for (Fetched& t : got) {
    if (t.data) tile_bytes[crypto::TilePath(t.tile)] = std::move(*t.data);
  }
  crypto::TileHashReader published(cp->size, cp->root, [&](const Tile& t) -> Result<std::string> {
    auto it = tile_bytes.find(crypto::TilePath(t));
    if (it == tile_bytes.end()) return Status::NotFound("audit.fetch-failed", crypto::TilePath(t));
    return it->second;
  });
  for (const Tile& t : hash_tiles) {
    const std::string path = crypto::TilePath(t);
    auto have = tile_bytes.find(path);
    if (have == tile_bytes.end()) continue;  // reported by FetchTiles
    std::optional<std::string> want;
    if (entries_complete) {
      auto w = crypto::ReadTileData(t, store_);
      if (w.ok()) want = std::move(*w);
    }
    if (entries_match) {
      if (want && *want != have->second) {
        p_.Inconsistent("audit.tile-mismatch", path,
                        "hash tile " + path + " does not match the hashes of the entries",
                        "тайл хешей " + path + " не совпадает с хешами записей");
      }
      continue;
    }
    // The entries do not give the signed root: find which side is wrong.
    // A hash tile that authenticates against the signed root (x/mod
    // tlog.TileHashReader) is right, so its entry bundle is the altered one.
    auto authenticated = crypto::ReadTileData(t, published);
    if (!authenticated.ok()) {
      p_.Inconsistent("audit.tile-mismatch", path,
                      "hash tile " + path + " does not authenticate against the checkpoint root",
                      "тайл хешей " + path + " не сходится с корнем контрольной точки");
    } else if (t.level == 0 && want && *want != have->second) {
      const std::string bundle = crypto::TilePath(Tile{crypto::kEntriesLevel, t.n, t.width});
      p_.Inconsistent("audit.tile-mismatch", bundle,
                      "entry bundle " + bundle + " does not hash to the signed tile " + path,
                      "пакет записей " + bundle + " не соответствует подписанному тайлу " + path);
    }
  }

  CheckConsistency(*cp, entries_match, &published);

  if (!p_.any()) {
    Status saved = SaveState(*note_text);
    if (!saved.ok()) {
      p_.CouldNotCheck("audit.state", o_.state_dir, saved.message(), saved.message());
    } else {
      r_.state_saved = true;
    }
  }
  return finish();
}

std::string SeverityName(AuditSeverity s) {
  return s == AuditSeverity::kInconsistent ? "inconsistent" : "could-not-check";
}

}  // namespace

int AuditReport::ExitCode() const {
  int code = 0;
  for (const AuditProblem& p : problems) {
    if (p.severity == AuditSeverity::kInconsistent) return 1;
    code = 5;
  }
  return problems_omitted.empty() ? code : std::max(code, 1);
}

Result<AuditReport> Audit(Fetcher& fetcher, const AuditOptions& options) {
  Auditor a(fetcher, options);
  return a.Run();
}

Json AuditReportToJson(const AuditReport& r) {
  Json years = Json::array();
  for (const YearAudit& y : r.years) {
    years.push_back({{"year", y.year},
                     {"quota", y.quota},
                     {"configured", y.configured},
                     {"arrivals", y.arrivals},
                     {"issued", y.issued},
                     {"issuedFromQueue", y.issued_from_queue},
                     {"freed", y.freed},
                     {"lapsed", y.lapsed},
                     {"holding", y.holding},
                     {"maxHolding", y.max_holding},
                     {"waiting", y.waiting}});
  }
  Json revocations = Json::array();
  for (const auto& [issuer, list] : r.revocations) {
    Json entries = Json::array();
    for (const RevocationEntry& e : list) {
      entries.push_back({{"index", e.index},
                         {"type", e.type},
                         {"id", e.id},
                         {"reason", e.reason},
                         {"time", e.time}});
    }
    revocations.push_back(
        {{"issuer", issuer}, {"count", static_cast<int64_t>(list.size())}, {"entries", entries}});
  }
  Json problems = Json::array();
  for (const AuditProblem& p : r.problems) {
    Json j = {{"code", p.code},
              {"severity", SeverityName(p.severity)},
              {"where", p.where},
              {"message", p.text.en},
              {"messageRu", p.text.ru}};
    if (p.entry >= 0) j["entry"] = p.entry;
    problems.push_back(std::move(j));
  }
  Json omitted = Json::object();
  for (const auto& [code, n] : r.problems_omitted) omitted[code] = n;
  Json types = Json::object();
  for (const auto& [type, n] : r.entry_types) types[type] = n;
  const int exit_code = r.ExitCode();
  return {{"type", "CertledgerAudit"},
          {"result", exit_code == 0   ? "consistent"
                     : exit_code == 1 ? "inconsistent"
                                      : "could-not-check"},
          {"exitCode", exit_code},
          {"url", r.base_url},
          {"origin", r.origin},
          {"verifierKey", r.verifier_key},
          {"keySource", r.key_source},
          {"treeSize", r.tree_size},
          {"root", r.root},
          {"previousTreeSize", r.previous_size},
          {"previousRoot", r.previous_root},
          {"entries", r.entries},
          {"entryTypes", types},
          {"tilesFetched", r.tiles_fetched},
          {"tilesMirrored", r.tiles_mirrored},
          {"seconds", r.seconds},
          {"years", years},
          {"revocations", revocations},
          {"problems", problems},
          {"problemsOmitted", omitted},
          {"stateSaved", r.state_saved}};
}

std::string AuditReportToText(const AuditReport& r, Lang lang) {
  const bool ru = lang == Lang::kRu;
  std::ostringstream o;
  const int exit_code = r.ExitCode();
  if (exit_code == 0) {
    o << (ru ? "СОГЛАСОВАН: журнал прошёл все проверки (код 0)\n"
             : "CONSISTENT: the ledger passed every check (exit 0)\n");
  } else if (exit_code == 1) {
    o << (ru ? "НЕСОГЛАСОВАН: найдены нарушения (код 1)\n"
             : "INCONSISTENT: problems found (exit 1)\n");
  } else {
    o << (ru ? "НЕ УДАЛОСЬ ПРОВЕРИТЬ (код 5)\n" : "COULD NOT CHECK (exit 5)\n");
  }
  o << (ru ? "Реестр: " : "Registry: ") << r.base_url << "\n";
  if (!r.origin.empty()) o << (ru ? "Журнал: " : "Log: ") << r.origin << "\n";
  if (!r.verifier_key.empty()) {
    o << (ru ? "Ключ: " : "Key: ") << r.verifier_key << " (" << r.key_source << ")\n";
  }
  if (r.tree_size >= 0) {
    o << (ru ? "Контрольная точка: размер " : "Checkpoint: size ") << r.tree_size
      << (ru ? ", корень " : ", root ") << r.root << "\n";
  }
  if (r.previous_size >= 0) {
    o << (ru ? "Предыдущая проверенная: размер " : "Previously verified: size ") << r.previous_size
      << "\n";
  }
  o << (ru ? "Записей: " : "Entries: ") << r.entries
    << (ru ? ", тайлов загружено " : ", tiles fetched ") << r.tiles_fetched
    << (ru ? ", из зеркала " : ", from the mirror ") << r.tiles_mirrored << "\n";
  for (const YearAudit& y : r.years) {
    o << (ru ? "Год " : "Year ") << y.year << (ru ? ": квота " : ": quota ") << y.quota
      << (ru ? ", поступлений " : ", arrivals ") << y.arrivals << (ru ? ", выдано " : ", issued ")
      << y.issued << (ru ? " (из очереди " : " (from the queue ") << y.issued_from_queue
      << (ru ? "), освобождено мест " : "), slots freed ") << y.freed
      << (ru ? ", занято сейчас " : ", holding now ") << y.holding
      << (ru ? ", максимум " : ", at most ") << y.max_holding
      << (ru ? ", в очереди " : ", waiting ") << y.waiting << "\n";
  }
  if (r.revocations.empty()) {
    o << (ru ? "Отзывов нет\n" : "No revocations\n");
  }
  for (const auto& [issuer, list] : r.revocations) {
    o << (ru ? "Отзывы " : "Revocations by ") << issuer << ": " << list.size() << "\n";
    constexpr size_t kShown = 20;
    for (size_t i = 0; i < list.size() && i < kShown; ++i) {
      const RevocationEntry& e = list[i];
      o << "  #" << e.index << " " << e.type << " " << e.id << " " << e.reason << " " << e.time
        << "\n";
    }
    if (list.size() > kShown) {
      o << "  ... " << (list.size() - kShown)
        << (ru ? " ещё (все: --json)\n" : " more (all: --json)\n");
    }
  }
  for (const AuditProblem& p : r.problems) {
    o << (ru ? "ПРОБЛЕМА " : "PROBLEM ") << p.code;
    if (!p.where.empty()) o << " [" << p.where << "]";
    o << ": " << p.text.In(lang) << "\n";
  }
  for (const auto& [code, n] : r.problems_omitted) {
    o << (ru ? "ПРОБЛЕМА " : "PROBLEM ") << code << (ru ? ": и ещё " : ": and ") << n
      << (ru ? " (не показаны)\n" : " more (not listed)\n");
  }
  if (r.state_saved) {
    o << (ru ? "Состояние сохранено\n" : "State saved\n");
  }
  return o.str();
}

}  // namespace certledger::verifier
