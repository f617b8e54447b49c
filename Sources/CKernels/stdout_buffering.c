// Line-buffered standard output for the seqlab executable (see ckernels.h).
#include <stdio.h>
#include "ckernels.h"

void seqlab_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
