/* fuzz_model.c - libFuzzer harness: the model and scenario reader, and
 * everything that runs on an opened model.
 * The target itself is mkba_fuzz_model() in targets.c, shared with the
 * regression replay in tests/check_fuzz.c. Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>

int mkba_fuzz_model(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return mkba_fuzz_model(data, size);
}
