#include "verifier/trust_source.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>
#include <utility>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_tiles.h"

namespace certledger::verifier {
namespace {

namespace fs = std::filesystem;

constexpr char kNotInBundle[] = "trust.not-in-bundle";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Splits "scheme://authority/path?query" into origin ("scheme://authority")
// and the rest (starting with '/', or empty). False if not http(s).
bool SplitUrl(const std::string& url, std::string* origin, std::string* rest) {
  std::string lower = Lower(url.substr(0, 8));
  std::size_t start;
  if (StartsWith(lower, "https://")) {
    start = 8;
  } else if (StartsWith(lower, "http://")) {
    start = 7;
  } else {
    return false;
  }
  std::size_t end = url.find_first_of("/?#", start);
  if (end == start) return false;
  if (end == std::string::npos) end = url.size();
  *origin = Lower(url.substr(0, end));
  *rest = url.substr(end);
  return true;
}

Result<std::string> ReadFileBytes(const fs::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Unavailable(
        kNotInBundle, std::string(what) + " is not in the trust bundle (" + path.string() + ")");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `data` to `path` atomically (temporary file + rename). A crash
// leaves either the old file or the new one, and perhaps a stray temporary.
Status WriteFileAtomic(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::path tmp = path;
  tmp += ".tmp-" + crypto::HexEncode(crypto::RandomBytes(6));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return Status::Unavailable("trust.write-failed", "cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Unavailable("trust.write-failed", "cannot rename into " + path.string());
  }
  return Status::Ok();
}

bool HasDotSegment(std::string_view path) {
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg.empty() || seg == "." || seg == "..") return true;
    i = j + 1;
  }
  return false;
}

Result<crypto::Checkpoint> OpenCheckpoint(const std::string& note, const std::string& vkey) {
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::NoteVerifier v, crypto::ParseVerifierKey(vkey));
  std::vector<crypto::NoteVerifier> keys{v};
  CERTLEDGER_ASSIGN_OR_RETURN(crypto::Note opened, crypto::OpenNote(note, keys));
  return crypto::ParseCheckpoint(opened.text);
}

// ---------------------------------------------------------------------------

class DirectoryFetcher final : public Fetcher {
 public:
  explicit DirectoryFetcher(std::map<std::string, fs::path> prefixes)
      : prefixes_(std::move(prefixes)) {}

  Result<std::string> Get(const std::string& url, const std::string& /*accept*/) override {
    const std::pair<const std::string, fs::path>* best = nullptr;
    for (const auto& p : prefixes_) {
      if (StartsWith(url, p.first) && (!best || p.first.size() > best->first.size())) best = &p;
    }
    if (!best) return Status::InvalidArgument("fetch.bad-url", "no directory serves " + url);
    std::string rel = url.substr(best->first.size());
    if (rel.find_first_of("?#") != std::string::npos || EndsWith(rel, "/") ||
        (!rel.empty() && HasDotSegment(rel))) {
      return Status::NotFound("fetch.not-found", url + ": not found");
    }
    fs::path file = best->second / rel;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return Status::NotFound("fetch.not-found", url + ": not found");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) return Status::Unavailable("fetch.unavailable", "cannot read " + url);
    return ss.str();
  }

 private:
  const std::map<std::string, fs::path> prefixes_;
};

// ---------------------------------------------------------------------------

class BundleTrustSource final : public TrustSource {
 public:
  BundleTrustSource(fs::path dir, std::string base, std::string vkey)
      : dir_(std::move(dir)), base_(std::move(base)), vkey_(std::move(vkey)) {}

  Result<Json> DidDocument(const std::string& did) override {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string text,
                                ReadFileBytes(dir_ / BundleDidPath(did), "DID document " + did));
    return ParseDoc(text, "DID document " + did);
  }

  Result<Json> StatusListCredential(const std::string& url) override {
    std::string prefix = base_ + "/status/";
    if (base_.empty() || !StartsWith(url, prefix)) {
      return Status::Unavailable(
          kNotInBundle, "status list " + url + " is not on the bundle's registry " + base_);
    }
    std::string rel = url.substr(prefix.size());
    if (rel.empty() || rel.find_first_of("?#\\") != std::string::npos || HasDotSegment(rel)) {
      return Status::Unavailable(kNotInBundle, "status list " + url + " is not in the bundle");
    }
    if (!EndsWith(rel, ".json")) rel += ".json";
    CERTLEDGER_ASSIGN_OR_RETURN(std::string text,
                                ReadFileBytes(dir_ / "status" / rel, "status list " + url));
    return ParseDoc(text, "status list " + url);
  }

  Result<std::string> LedgerVerifierKey() override {
    if (vkey_.empty()) {
      return Status::Unavailable(kNotInBundle, "the trust bundle has no ledger verifier key");
    }
    return vkey_;
  }

  Result<std::string> NewestCheckpoint() override {
    return ReadFileBytes(dir_ / "checkpoint", "checkpoint");
  }

  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size, int64_t new_size) override {
    std::error_code ec;
    if (!fs::is_directory(dir_ / "tile", ec)) {
      return Status::Unavailable(kNotInBundle,
                                 "the trust bundle has no ledger tiles for consistency proofs");
    }
    CERTLEDGER_ASSIGN_OR_RETURN(std::string note, NewestCheckpoint());
    CERTLEDGER_ASSIGN_OR_RETURN(std::string vkey, LedgerVerifierKey());
    CERTLEDGER_ASSIGN_OR_RETURN(crypto::Checkpoint cp, OpenCheckpoint(note, vkey));
    if (cp.size != new_size || old_size <= 0 || old_size > new_size) {
      return Status::Unavailable(
          kNotInBundle, "the bundle's tiles prove only up to tree size " + std::to_string(cp.size));
    }
    fs::path dir = dir_;
    crypto::TileHashReader reader(cp.size, cp.root,
                                  [dir](const crypto::Tile& t) -> Result<std::string> {
                                    return ReadFileBytes(dir / crypto::TilePath(t), "ledger tile");
                                  });
    return crypto::ProveTree(new_size, old_size, reader);
  }

 private:
  static Result<Json> ParseDoc(const std::string& text, const std::string& what) {
    auto j = crypto::ParseJson(text);
    if (!j.ok()) return j.status().Annotate(what);
    return j;
  }

  const fs::path dir_;
  const std::string base_;  // without a trailing '/'
  const std::string vkey_;
};

// ---------------------------------------------------------------------------

class OnlineTrustSource final : public TrustSource {
 public:
  OnlineTrustSource(Fetcher* fetcher, OnlineOptions options) : fetcher_(fetcher) {
    while (EndsWith(options.registry_base, "/")) options.registry_base.pop_back();
    options_ = std::move(options);
    std::string rest;
    if (!SplitUrl(options_.registry_base, &base_origin_, &rest)) base_origin_.clear();
    base_host_ = UrlHost(options_.registry_base);
  }

  Result<Json> DidDocument(const std::string& did) override {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string url, DidWebToUrl(did));
    return GetJson(Rebase(url), "application/did+json, application/did+ld+json, application/json");
  }

  Result<Json> StatusListCredential(const std::string& url) override {
    return GetJson(Rebase(url), "application/vc+ld+json, application/ld+json, application/json");
  }

  Result<std::string> LedgerVerifierKey() override {
    if (!options_.ledger_verifier_key.empty()) return options_.ledger_verifier_key;
    CERTLEDGER_RETURN_IF_ERROR(NeedBase());
    CERTLEDGER_ASSIGN_OR_RETURN(std::string body,
                                fetcher_->Get(options_.registry_base + "/api/v1/ledger/key",
                                              "text/plain, application/json"));
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    if (!body.empty() && body[0] == '{') {
      auto j = crypto::ParseJson(body);
      if (!j.ok() || !j->contains("verifierKey") || !(*j)["verifierKey"].is_string()) {
        return Status::InvalidArgument("trust.bad-ledger-key",
                                       "the registry's ledger key answer has no verifierKey");
      }
      return (*j)["verifierKey"].get<std::string>();
    }
    return body;
  }

  Result<std::string> NewestCheckpoint() override {
    CERTLEDGER_RETURN_IF_ERROR(NeedBase());
    return fetcher_->Get(options_.registry_base + "/ledger/checkpoint", "text/plain");
  }

  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size, int64_t new_size) override {
    CERTLEDGER_RETURN_IF_ERROR(NeedBase());
    CERTLEDGER_ASSIGN_OR_RETURN(
        Json j, GetJson(options_.registry_base + "/api/v1/ledger/consistency?old=" +
                            std::to_string(old_size) + "&new=" + std::to_string(new_size),
                        "application/json"));
    auto bad = [] {
      return Status::InvalidArgument("trust.bad-proof",
                                     "the consistency proof answer is not {\"proof\": [base64]}");
    };
    if (!j.is_object() || !j.contains("proof") || !j["proof"].is_array() ||
        j["proof"].size() > 128) {
      return bad();
    }
    std::vector<crypto::Hash> proof;
    for (const Json& h : j["proof"]) {
      if (!h.is_string()) return bad();
      auto raw = crypto::Base64Decode(h.get<std::string>());
      if (!raw.ok() || raw->size() != crypto::kHashSize) return bad();
      crypto::Hash hash;
      std::copy(raw->begin(), raw->end(), hash.begin());
      proof.push_back(hash);
    }
    return proof;
  }

 private:
  Status NeedBase() const {
    if (options_.registry_base.empty()) {
      return Status::Unavailable("trust.no-registry",
                                 "no registry base URL is known for the ledger");
    }
    return Status::Ok();
  }

  // A URL on the registry's host is fetched with the registry base's scheme.
  std::string Rebase(const std::string& url) const {
    if (base_origin_.empty()) return url;
    std::string origin, rest;
    if (!SplitUrl(url, &origin, &rest)) return url;
    if (UrlHost(url) != base_host_) return url;
    return base_origin_ + rest;
  }

  Result<Json> GetJson(const std::string& url, const std::string& accept) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string body, fetcher_->Get(url, accept));
    auto j = crypto::ParseJson(body);
    if (!j.ok()) return j.status().Annotate(url);
    return j;
  }

  Fetcher* const fetcher_;
  OnlineOptions options_;
  std::string base_origin_;
  std::string base_host_;
};

// ---------------------------------------------------------------------------

class LayeredTrustSource final : public TrustSource {
 public:
  LayeredTrustSource(TrustSource* online, TrustSource* bundle, fs::path dir)
      : online_(online), bundle_(bundle), dir_(std::move(dir)) {}

  Result<Json> DidDocument(const std::string& did) override {
    auto r = online_->DidDocument(did);
    if (r.ok()) {
      Refresh(dir_ / BundleDidPath(did), *r);
      return r;
    }
    if (!r.status().IsUnavailable()) return r;
    return bundle_->DidDocument(did);
  }

  Result<Json> StatusListCredential(const std::string& url) override {
    auto r = online_->StatusListCredential(url);
    if (!r.ok()) {
      if (!r.status().IsUnavailable()) return r;
      return bundle_->StatusListCredential(url);
    }
    RefreshStatus(url, *r);
    return r;
  }

  Result<std::string> LedgerVerifierKey() override {
    auto r = bundle_->LedgerVerifierKey();
    if (r.ok()) return r;
    return online_->LedgerVerifierKey();
  }

  Result<std::string> NewestCheckpoint() override {
    auto online = online_->NewestCheckpoint();
    auto local = bundle_->NewestCheckpoint();
    if (!online.ok()) return local.ok() ? local : online;
    if (!local.ok()) return online;
    // Replace the bundle's checkpoint only with a verified, consistent,
    // newer one; the verifier checks the receipt against what we return.
    auto vkey = LedgerVerifierKey();
    if (!vkey.ok()) return online;
    auto new_cp = OpenCheckpoint(*online, *vkey);
    auto old_cp = OpenCheckpoint(*local, *vkey);
    if (!new_cp.ok()) return local;  // the online one does not verify
    if (!old_cp.ok() || new_cp->size <= old_cp->size) {
      return new_cp->size >= (old_cp.ok() ? old_cp->size : 0) ? online : local;
    }
    auto proof = online_->ConsistencyProof(old_cp->size, new_cp->size);
    if (proof.ok() &&
        crypto::CheckTree(*proof, new_cp->size, new_cp->root, old_cp->size, old_cp->root).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      (void)WriteFileAtomic(dir_ / "checkpoint", *online);
    }
    return online;
  }

  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size, int64_t new_size) override {
    auto r = online_->ConsistencyProof(old_size, new_size);
    if (r.ok() || !r.status().IsUnavailable()) return r;
    return bundle_->ConsistencyProof(old_size, new_size);
  }

 private:
  void Refresh(const fs::path& path, const Json& doc) {
    std::string text = doc.dump(2) + "\n";
    std::lock_guard<std::mutex> lock(mu_);
    // Best effort: a read-only bundle still verifies.
    (void)WriteFileAtomic(path, text);
  }

  void RefreshStatus(const std::string& url, const Json& doc) {
    // Status lists live at status/<rest of the URL after "/status/">.
    std::size_t at = url.find("/status/");
    if (at == std::string::npos) return;
    std::string rel = url.substr(at + 8);
    if (rel.empty() || rel.find_first_of("?#\\") != std::string::npos || HasDotSegment(rel)) {
      return;
    }
    if (!EndsWith(rel, ".json")) rel += ".json";
    Refresh(dir_ / "status" / rel, doc);
  }

  TrustSource* const online_;
  TrustSource* const bundle_;
  const fs::path dir_;
  std::mutex mu_;  // serializes writes into the bundle directory
};

}  // namespace

std::unique_ptr<Fetcher> NewDirectoryFetcher(std::map<std::string, fs::path> prefixes) {
  return std::make_unique<DirectoryFetcher>(std::move(prefixes));
}

Result<std::string> DidWebHost(const std::string& did) {
  auto bad = [&did](const std::string& why) {
    return Status::InvalidArgument("didweb.malformed",
                                   "\"" + did + "\" is not a did:web DID: " + why);
  };
  if (!StartsWith(did, "did:web:")) return bad("it does not start with did:web:");
  std::string rest = did.substr(8);
  if (rest.find_first_of("/?#") != std::string::npos)
    return bad("it has a path, query or fragment");
  std::string host_enc = rest.substr(0, rest.find(':'));
  if (host_enc.empty()) return bad("empty host");
  // The only percent-encoding allowed in the host is %3A for the port.
  std::string host;
  for (std::size_t i = 0; i < host_enc.size(); ++i) {
    char c = host_enc[i];
    if (c == '%') {
      if (i + 2 < host_enc.size() && Lower(host_enc.substr(i, 3)) == "%3a") {
        host += ':';
        i += 2;
        continue;
      }
      return bad("only %3A may be percent-encoded in the host");
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return bad("invalid character in the host");
    }
    host += c;
  }
  return Lower(host);
}

Result<std::string> DidWebToUrl(const std::string& did) {
  CERTLEDGER_ASSIGN_OR_RETURN(std::string host, DidWebHost(did));
  std::string rest = did.substr(8);
  std::size_t colon = rest.find(':');
  std::string path;
  if (colon == std::string::npos) {
    path = "/.well-known";
  } else {
    std::string segs = rest.substr(colon + 1);
    std::size_t i = 0;
    while (i <= segs.size()) {
      std::size_t j = segs.find(':', i);
      if (j == std::string::npos) j = segs.size();
      std::string seg = segs.substr(i, j - i);
      if (seg.empty() || seg == "." || seg == "..") {
        return Status::InvalidArgument("didweb.malformed",
                                       "\"" + did + "\" has an empty or dot path segment");
      }
      for (char c : seg) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
              c == '~' || c == '%')) {
          return Status::InvalidArgument("didweb.malformed",
                                         "\"" + did + "\" has an invalid path character");
        }
      }
      path += "/" + seg;
      i = j + 1;
    }
  }
  return "https://" + host + path + "/did.json";
}

std::string UrlHost(const std::string& url) {
  std::string origin, rest;
  if (!SplitUrl(url, &origin, &rest)) return "";
  std::string host = origin.substr(origin.find("://") + 3);
  std::size_t at = host.rfind('@');
  if (at != std::string::npos) host = host.substr(at + 1);
  // Drop default ports so "https://h:443" and "https://h" compare equal.
  if (StartsWith(origin, "https://") && EndsWith(host, ":443")) host.resize(host.size() - 4);
  if (StartsWith(origin, "http://") && EndsWith(host, ":80")) host.resize(host.size() - 3);
  return host;
}

std::string UrlOrigin(const std::string& url) {
  std::string origin, rest;
  if (!SplitUrl(url, &origin, &rest)) return "";
  return origin;
}

std::string BundleDidPath(const std::string& did) {
  std::string name = did;
  std::replace(name.begin(), name.end(), ':', '_');
  // A DID never contains '/', but a malicious one must not escape did/.
  std::replace(name.begin(), name.end(), '/', '_');
  return "did/" + name + ".json";
}

Result<std::unique_ptr<TrustSource>> NewBundleTrustSource(const fs::path& dir) {
  std::ifstream in(dir / "bundle.json", std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("trust.bad-bundle",
                                   "no bundle.json in trust bundle " + dir.string());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto j = crypto::ParseJson(ss.str());
  if (!j.ok()) {
    return Status::InvalidArgument("trust.bad-bundle", "bundle.json: " + j.status().message());
  }
  if (!j->is_object() || !j->contains("type") || (*j)["type"] != "CertledgerTrustBundle") {
    return Status::InvalidArgument("trust.bad-bundle",
                                   "bundle.json: \"type\" must be \"CertledgerTrustBundle\"");
  }
  std::string base;
  if (j->contains("baseUrl")) {
    if (!(*j)["baseUrl"].is_string()) {
      return Status::InvalidArgument("trust.bad-bundle", "bundle.json: baseUrl must be a string");
    }
    base = (*j)["baseUrl"].get<std::string>();
    while (EndsWith(base, "/")) base.pop_back();
  }
  std::string vkey;
  if (j->contains("ledger")) {
    const Json& l = (*j)["ledger"];
    if (!l.is_object() || (l.contains("verifierKey") && !l["verifierKey"].is_string())) {
      return Status::InvalidArgument("trust.bad-bundle",
                                     "bundle.json: ledger.verifierKey must be a string");
    }
    if (l.contains("verifierKey")) vkey = l["verifierKey"].get<std::string>();
  }
  return std::unique_ptr<TrustSource>(new BundleTrustSource(dir, base, vkey));
}

std::unique_ptr<TrustSource> NewOnlineTrustSource(Fetcher* fetcher, OnlineOptions options) {
  return std::make_unique<OnlineTrustSource>(fetcher, std::move(options));
}

std::unique_ptr<TrustSource> NewLayeredTrustSource(TrustSource* online, TrustSource* bundle,
                                                   fs::path bundle_dir) {
  return std::make_unique<LayeredTrustSource>(online, bundle, std::move(bundle_dir));
}

}  // namespace certledger::verifier
