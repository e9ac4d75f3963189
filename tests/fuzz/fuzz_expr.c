/* fuzz_expr.c - libFuzzer harness: the expression compiler and
 * evaluator.
 * The target itself is mkba_fuzz_expr() in targets.c, shared with the
 * regression replay in tests/check_fuzz.c. Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>

int mkba_fuzz_expr(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return mkba_fuzz_expr(data, size);
}
