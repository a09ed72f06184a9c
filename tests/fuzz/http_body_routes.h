// The routes the HTTP body fuzzer drives (tests/fuzz/http_body_fuzz.cc) and
// its seed generator (make_seeds.cc) writes seeds for: every route that
// reads a JSON body, and the body-less POSTs that must refuse a body. An
// input's first byte picks the route (its low 7 bits modulo the count; the
// high bit adds an Idempotency-Key), the rest is the body. The order is part
// of the stored corpus: append, never reorder.
#ifndef CERTLEDGER_TESTS_FUZZ_HTTP_BODY_ROUTES_H_
#define CERTLEDGER_TESTS_FUZZ_HTTP_BODY_ROUTES_H_

#include <cstddef>
#include <cstdint>

namespace certledger::fuzz {

struct BodyRoute {
  const char* method;
  const char* path;  // as in the route table (api/internal/routes_*.cc)
  const char* role;  // the token sent: "none", "operator", "provider"
};

inline constexpr BodyRoute kBodyRoutes[] = {
    {"POST", "/api/v1/verify", "none"},
    {"POST", "/api/v1/credit-check", "none"},
    {"POST", "/api/v1/applications", "none"},
    {"POST", "/api/v1/applications/{id}/login-code", "none"},
    {"POST", "/api/v1/applications/{id}/token", "none"},
    {"POST", "/api/v1/vouchers/{code}/enrol", "provider"},
    {"POST", "/api/v1/certificates", "provider"},
    {"POST", "/api/v1/certificates/{code}/name", "provider"},
    {"POST", "/api/v1/certificates/{code}/confirm-name", "provider"},
    {"POST", "/api/v1/certificates/{code}/issue", "provider"},
    {"POST", "/api/v1/certificates/{code}/revoke", "provider"},
    {"POST", "/api/v1/certificates/{code}/supersede", "provider"},
    {"POST", "/api/v1/certificates/batch", "provider"},
    {"POST", "/api/v1/vouchers/{code}/annul", "operator"},
    {"POST", "/api/v1/vouchers/{code}/valid-reason", "operator"},
    {"PUT", "/api/v1/years/{year}", "operator"},
    {"POST", "/api/v1/issuers", "operator"},
    {"POST", "/api/v1/issuers/{slug}/keys/{n}/revoke", "operator"},
    {"POST", "/api/v1/programmes", "operator"},
    {"POST", "/api/v1/tokens", "operator"},
    {"POST", "/api/v1/deadlines/run", "operator"},
    {"POST", "/api/v1/outbox/{id}/sent", "operator"},
};
inline constexpr size_t kBodyRouteCount = sizeof(kBodyRoutes) / sizeof(kBodyRoutes[0]);

// The first byte of an input for route `index`, with or without an
// Idempotency-Key.
inline uint8_t BodyRouteByte(size_t index, bool idempotency_key = false) {
  return static_cast<uint8_t>(index | (idempotency_key ? 0x80 : 0));
}

}  // namespace certledger::fuzz

#endif  // CERTLEDGER_TESTS_FUZZ_HTTP_BODY_ROUTES_H_
