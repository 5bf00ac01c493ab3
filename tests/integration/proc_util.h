/* Running Vigile's programs from tests, as operators run them. */
#ifndef VIGILE_TEST_PROC_UTIL_H
#define VIGILE_TEST_PROC_UTIL_H

#include <signal.h>
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
/* Starts a redis-server of the test's own on 127.0.0.1:port and waits until it answers.
 * With dir (not NULL) it keeps an append-only file there, fsynced as appendfsync says
 * ("everysec", "always"), and a restart on the same dir loads it; without, nothing is
 * kept. */
pid_t proc_start_redis(int port, const char *dir, const char *appendfsync);
/* Waits for pid and returns its exit code (128 + signal when killed). */
int proc_wait(pid_t pid);
/* Sends SIGTERM and returns the exit code. */
int proc_stop(pid_t pid);
/* The file's contents as a new string ("" when it cannot be read). */
char *proc_slurp(const char *path);
/* A Kafka broker of a test's own, for tests that stop and restart one: started through
 * scripts/servers.sh (as test.sh starts the shared one) by a bash that waits for it, so
 * that stopping the JVM ends the bash, our child, and nothing is left running. */
struct proc_broker {
    char dir[64]; /* its config, data and logs */
    int port, controller_port;
    pid_t shell, jvm;
};
/* Picks a new temp dir and free ports; starts nothing. */
void proc_broker_init(struct proc_broker *b);
/* Starts the broker (again, on the same data, after proc_broker_stop) and waits up to
 * 90 s until it answers. Fails the test if it does not. */
void proc_broker_start(struct proc_broker *b);
/* Sends sig to the broker: SIGTERM (Kafka shuts down cleanly, keeping its data) or
 * SIGKILL (a crash: it recovers its logs at the next start); waits until it has exited. */
void proc_broker_signal(struct proc_broker *b, int sig);
static inline void proc_broker_stop(struct proc_broker *b) { proc_broker_signal(b, SIGTERM); }
/* Removes its directory. */
void proc_broker_remove(struct proc_broker *b);

/* A connected TCP socket to 127.0.0.1:port, or -1 when nothing accepts. */
int proc_connect(int port);
/* The one HTTP client of the tests: sends head (request line and headers, ending in an
 * empty line) and len bytes of body, and reads the reply until the server closes.
 * Returns the whole reply as a new string, or NULL when nothing answers. */
char *proc_http_request(int port, const char *head, const char *body, size_t len);
/* GET path on 127.0.0.1:port; returns the whole response (status line included) as a
 * new string, "" when nothing answers. */
char *proc_http_get(int port, const char *path);
/* Waits up to timeout_s for needle to appear in the file. Returns 1 if it did. */
int proc_log_contains(const char *path, const char *needle, int timeout_s);

#endif
