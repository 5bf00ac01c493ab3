/* Structured logging: one JSON object per line on stderr, so that log shippers need no
 * parser of their own. Never log comment text or raw author ids at info level: logs leave
 * the pipeline, and personal data must not. */
#ifndef VIGILE_LOG_H
#define VIGILE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the component name written in every line ("classify") and the minimum level.
 * Borrowed: name must outlive the process (a string literal). */
void log_init(const char *component, enum log_level min);
/* Parses "debug", "info", "warn", "error"; returns -1 on anything else. */
int log_level_parse(const char *s, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
