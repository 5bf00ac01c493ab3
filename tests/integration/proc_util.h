/* Running Vigile's programs from tests, as operators run them. */
#ifndef VIGILE_TEST_PROC_UTIL_H
#define VIGILE_TEST_PROC_UTIL_H

#include <sys/types.h>

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int proc_free_port(void);
/* Sets the environment the workers of one test read: consumer groups and transactional
 * ids of their own (from run_id), the shipped config and data, a pseudonym key, no HTTP. */
void proc_test_env(const char *run_id);
/* Starts argv (argv[0] a path) with the test's environment; stdout and stderr go to
 * log_path when it is not NULL. Fails the test if it cannot start. */
pid_t proc_start(char *const argv[], const char *log_path);
/* Starts build/services/vigile-<name> with no arguments. */
pid_t proc_start_worker(const char *name, const char *log_path);
/* Starts a redis-server of the test's own on 127.0.0.1:port (no persistence), so that
 * stopping it disturbs no other test; waits half a second for it to listen. */
pid_t proc_start_redis(int port);
/* Waits for pid and returns its exit code (128 + signal when killed). */
int proc_wait(pid_t pid);
/* Sends SIGTERM and returns the exit code. */
int proc_stop(pid_t pid);
/* The file's contents as a new string ("" when it cannot be read). */
char *proc_slurp(const char *path);
/* GET path on 127.0.0.1:port; returns the whole response (status line included) as a
 * new string, "" when nothing answers. */
char *proc_http_get(int port, const char *path);
/* Waits up to timeout_s for needle to appear in the file. Returns 1 if it did. */
int proc_log_contains(const char *path, const char *needle, int timeout_s);

#endif
