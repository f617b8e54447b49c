// GNU readline. stdio.h must come first; Swift 6 cannot touch mutable C globals directly,
// so the few the REPL needs are wrapped in static inline accessors.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

static inline const char *seqlab_rl_library_version(void) { return rl_library_version; }

typedef char *(*seqlab_rl_generator)(const char *, int);
typedef char **(*seqlab_rl_completer)(const char *, int, int);

/// Installs the function readline calls on Tab; turns off filename completion as a fallback.
static inline void seqlab_rl_set_completer(seqlab_rl_completer f) {
    rl_attempted_completion_function = f;
    rl_completion_append_character = '\0';
}
static inline char **seqlab_rl_completion_matches(const char *text, seqlab_rl_generator g) {
    rl_attempted_completion_over = 1;
    rl_completion_append_character = '\0';   /* readline resets it before every attempt */
    return rl_completion_matches(text, g);
}
/// Word breaks without '.', so "net.fi" reaches the completer whole and members can complete.
static inline void seqlab_rl_set_word_breaks(void) {
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,[+-*/%";
}
/// We handle SIGINT ourselves (readline's default lets it kill the process).
static inline void seqlab_rl_disable_signal_handlers(void) { rl_catch_signals = 0; rl_catch_sigwinch = 1; }
/// Ctrl-C at the prompt: drop the typed text and show a fresh prompt.
/// Ctrl-C at a prompt: the line is dropped and the entry starts again at `prompt` (the first-line
/// prompt, also when Ctrl-C came at a continuation line).
static inline void seqlab_rl_cancel_line(const char *prompt) {
    rl_set_prompt(prompt);
    rl_replace_line("", 0);
    rl_crlf();
    rl_on_new_line();
    rl_redisplay();
}
static inline char *seqlab_strdup(const char *s) { return strdup(s); }
/// The text typed so far on the current line (for completing argument labels).
static inline const char *seqlab_rl_line_buffer(void) { return rl_line_buffer; }
