/* fuzz_csv.c - libFuzzer harness: the CSV reader, the cohort reader and
 * the estimators on top.
 * The target itself is mkba_fuzz_csv() in targets.c, shared with the
 * regression replay in tests/check_fuzz.c. Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>

int mkba_fuzz_csv(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return mkba_fuzz_csv(data, size);
}
