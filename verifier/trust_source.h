// Where the verifier gets what it trusts: issuers' DID documents, status list
// credentials, the ledger's verifier key, the newest checkpoint and
// consistency proofs.
//
// - NewBundleTrustSource: a trust bundle directory written by
//   `certledger trust-bundle` (docs/formats.md "Trust bundle"); offline.
// - NewOnlineTrustSource: HTTP(S) GETs through a Fetcher: did:web DID
//   documents (W3C did:web method, section 3.2 "Read (Resolve)"), status
//   lists by their URL, and the registry's ledger routes.
// - NewLayeredTrustSource: online first, falling back to a bundle when the
//   network fails, and refreshing the bundle with what was fetched.
// The server implements TrustSource over its own database.
//
// Error contract for every TrustSource method (the verifier maps it to
// "failed" or "could not check"): kNotFound means the authority answered that
// the object does not exist (an online 404); kUnavailable means it could not
// be had (network down, not in the bundle); kInvalidArgument means what came
// back is not valid (not JSON, wrong DID). Nothing returned is trusted yet:
// the verifier checks signatures and identities itself.
//
// Thread-safety: implementations here are thread-safe (the Fetcher they use
// must be too); the server's implementation must be as well.
#ifndef CERTLEDGER_VERIFIER_TRUST_SOURCE_H_
#define CERTLEDGER_VERIFIER_TRUST_SOURCE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/status.h"

namespace certledger::verifier {

// Fetches a URL. Implementations: NewHttpFetcher (cpp-httplib) and
// NewDirectoryFetcher (URL prefixes mapped to directories, for tests and
// mirrors). Thread-safe.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // The body of a GET of `url` with `Accept: accept`. kNotFound
  // ("fetch.not-found") for HTTP 404/410; kUnavailable ("fetch.unavailable")
  // for network errors, timeouts and other non-2xx statuses;
  // kInvalidArgument ("fetch.bad-url") for a URL it cannot fetch.
  virtual Result<std::string> Get(const std::string& url, const std::string& accept) = 0;
};

struct HttpFetcherOptions {
  int connect_timeout_s = 5;
  int read_timeout_s = 10;
  // Responses larger than this fail (kUnavailable "fetch.too-large").
  std::size_t max_body_bytes = 32u << 20;
  // Follows up to this many redirects.
  int max_redirects = 3;
};
std::unique_ptr<Fetcher> NewHttpFetcher(const HttpFetcherOptions& options = {});

// Serves `url` from the file prefixes[p] / (url without p) for the longest
// matching prefix p (e.g. "https://registry.example/" -> a directory); a URL
// whose path ends in '/' or that names a directory is not found. Query strings
// are not supported (kNotFound). Missing files are kNotFound.
std::unique_ptr<Fetcher> NewDirectoryFetcher(std::map<std::string, std::filesystem::path> prefixes);

// The did:web DID -> URL transformation (did:web method specification,
// section 3.2 "Read (Resolve)"): "did:web:example.com" ->
// "https://example.com/.well-known/did.json";
// "did:web:example.com%3A8443:issuers:demo" ->
// "https://example.com:8443/issuers/demo/did.json". kInvalidArgument
// ("didweb.malformed") for other DIDs, an empty host or path segment, or
// percent-encodings other than %3A in the host.
Result<std::string> DidWebToUrl(const std::string& did);
// The "host[:port]" of a did:web DID ("example.com:8443"), lowercased.
Result<std::string> DidWebHost(const std::string& did);
// The "host[:port]" of an http(s) URL, lowercased; empty if not such a URL.
std::string UrlHost(const std::string& url);
// "scheme://host[:port]" of an http(s) URL; empty if not such a URL.
std::string UrlOrigin(const std::string& url);

class TrustSource {
 public:
  virtual ~TrustSource() = default;
  // The DID document of `did` (a did:web DID; did:key is resolved by the
  // verifier itself).
  virtual Result<Json> DidDocument(const std::string& did) = 0;
  // The status list credential at `url` (a credentialStatus's
  // statusListCredential).
  virtual Result<Json> StatusListCredential(const std::string& url) = 0;
  // The ledger's C2SP verifier key "<origin>+<keyid>+<base64>".
  virtual Result<std::string> LedgerVerifierKey() = 0;
  // The newest signed checkpoint known (signed note text).
  virtual Result<std::string> NewestCheckpoint() = 0;
  // The RFC 6962 consistency proof from tree size old_size to new_size
  // (REQUIRES 0 < old_size < new_size). kUnavailable when it cannot be had.
  virtual Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t old_size,
                                                             int64_t new_size) = 0;
};

// Opens a trust bundle directory (docs/formats.md "Trust bundle"):
// bundle.json, did/<did with ':' -> '_'>.json, status/<slug>/<n>.json,
// checkpoint. Optionally the ledger's tiles as `certledger ledger export`
// writes them (DIR/tile/...): then consistency proofs from any older size to
// the bundle's checkpoint are computed offline (tlog-tiles, authenticated
// against that checkpoint). Status list URLs map to files when they start
// with bundle.json's baseUrl + "/status/" (".json" appended unless present).
// Objects not in the bundle are kUnavailable ("trust.not-in-bundle").
// kInvalidArgument ("trust.bad-bundle") if bundle.json is missing or
// malformed.
Result<std::unique_ptr<TrustSource>> NewBundleTrustSource(const std::filesystem::path& dir);

struct OnlineOptions {
  // The registry's public base URL ("https://cert.example.ru"). Used for the
  // ledger routes; and a did:web DID or status list URL on the registry's
  // host is fetched with this base's scheme (so a test registry on
  // http://127.0.0.1:8080 works). Empty: ledger methods are kUnavailable.
  std::string registry_base;
  // A pinned ledger verifier key; empty = GET <base>/api/v1/ledger/key.
  std::string ledger_verifier_key;
};
// Routes used (see docs/verifier.md): GET <did:web URL>; GET <status list
// URL>; GET <base>/api/v1/ledger/key (text vkey, or JSON {"verifierKey"});
// GET <base>/ledger/checkpoint; GET
// <base>/api/v1/ledger/consistency?old=N&new=M -> {"proof": [base64...]}.
// `fetcher` must outlive the source.
std::unique_ptr<TrustSource> NewOnlineTrustSource(Fetcher* fetcher, OnlineOptions options);

// Online first; when a call fails with kUnavailable, the bundle answers.
// The ledger key always comes from the bundle when it has one (the bundle is
// the trust anchor). Fetched DID documents and status lists are written into
// the bundle directory; a fetched checkpoint replaces the bundle's only when
// it verifies with the bundle's ledger key and is proven consistent with
// the bundle's checkpoint. Both sources must outlive this one.
std::unique_ptr<TrustSource> NewLayeredTrustSource(TrustSource* online, TrustSource* bundle,
                                                   std::filesystem::path bundle_dir);

// The bundle file name of a DID: "did/" + did with ':' replaced by '_' +
// ".json".
std::string BundleDidPath(const std::string& did);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_TRUST_SOURCE_H_
