#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *log_component = "vigile";
static enum log_level log_min = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_init(const char *component, enum log_level min) {
    log_component = component;
    log_min = min;
}

int log_level_parse(const char *s, enum log_level *out) {
    for (size_t i = 0; i < sizeof level_names / sizeof *level_names; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_msg(enum log_level level, const char *fmt, ...) {
    if (level < log_min) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

    /* jansson escapes the message, which may quote bytes from bad input. */
    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[level],
                             "component", log_component, "msg", msg);
    if (!line) { /* msg was not valid UTF-8: keep the line, lose the text */
        line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "component",
                         log_component, "msg", "(message not UTF-8)");
    }
    char *s = json_dumps(line, JSON_COMPACT);
    if (s) {
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    json_decref(line);
}
