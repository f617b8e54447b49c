// GNU readline. stdio.h must come first; Swift 6 cannot touch mutable C globals directly,
// so the few the REPL needs are wrapped in static inline accessors.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

static inline const char *seqlab_rl_library_version(void) { return rl_library_version; }
static inline int seqlab_history_length(void) { return history_length; }
