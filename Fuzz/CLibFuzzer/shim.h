// libFuzzer's driver, declared here because it ships without a header. Only fuzz builds
// (-sanitize=fuzzer -DSEQLAB_LIBFUZZER) call it and link it; plain builds just see the declaration.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
