// A fast known-answer self-check of the primitives, run at start-up and by
// `certledger selfcheck`. Thread-safe; no I/O.
#ifndef CERTLEDGER_CRYPTO_SELFCHECK_H_
#define CERTLEDGER_CRYPTO_SELFCHECK_H_

#include "crypto/status.h"

namespace certledger::crypto {

// kInternal ("selfcheck.failed") naming the first primitive whose answer is wrong.
Status SelfCheck();

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_SELFCHECK_H_
