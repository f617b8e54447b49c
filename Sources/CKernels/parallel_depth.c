// Whether the calling thread is already one of a parallel loop's workers. A product or loop started
// there runs its parts in order on that thread: nesting would multiply the thread count the user
// chose, and running the same parts in order keeps the same bits.
#include "ckernels.h"

static _Thread_local int depth;

void seqlab_parallel_enter(void) { depth++; }
void seqlab_parallel_leave(void) { depth--; }
int seqlab_parallel_nested(void) { return depth > 0; }
