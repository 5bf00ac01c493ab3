#include "proc_util.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xmalloc.h"

extern char **environ;

int proc_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "no free port");
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

void proc_test_env(const char *run_id) {
    char prefix[96];
    snprintf(prefix, sizeof prefix, "test-%s", run_id);
    setenv("VIGILE_GROUP_PREFIX", prefix, 1);
    setenv("VIGILE_INSTANCE_ID", run_id, 1);
    setenv("VIGILE_CONFIG_DIR", SOURCE_DIR "/config", 1);
    setenv("VIGILE_DATA_DIR", SOURCE_DIR "/data", 1);
    setenv("VIGILE_PSEUDONYM_KEY", "test-key", 1);
    setenv("VIGILE_HTTP_PORT", "0", 1);
}

pid_t proc_start(char *const argv[], const char *log_path) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (log_path) {
        posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot start %s", argv[0]);
    return pid;
}

pid_t proc_start_worker(const char *name, const char *log_path) {
    char path[512];
    snprintf(path, sizeof path, "%s/services/vigile-%s", BUILD_DIR, name);
    char *argv[] = { path, NULL };
    return proc_start(argv, log_path);
}

pid_t proc_start_redis(int port, const char *dir, const char *appendfsync) {
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char *argv[] = { "/usr/bin/redis-server",
                     "--port",
                     p,
                     "--bind",
                     "127.0.0.1",
                     "--save",
                     "",
                     "--appendonly",
                     dir ? "yes" : "no",
                     "--appendfsync",
                     (char *)(appendfsync ? appendfsync : "everysec"),
                     "--dir",
                     (char *)(dir ? dir : "/tmp"),
                     NULL };
    pid_t pid = proc_start(argv, "/dev/null");
    for (int i = 0; i < 100; i++) { /* loading a large AOF takes a moment */
        redisContext *rc = redisConnect("127.0.0.1", port);
        redisReply *r = rc && !rc->err ? redisCommand(rc, "PING") : NULL;
        int up = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r) freeReplyObject(r);
        if (rc) redisFree(rc);
        if (up) return pid;
        usleep(100 * 1000);
    }
    cr_assert_fail("redis-server on port %d did not answer", port);
    return pid;
}

int proc_wait(pid_t pid) {
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_stop(pid_t pid) {
    kill(pid, SIGTERM);
    return proc_wait(pid);
}

char *proc_slurp(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return xstrdup("");
    size_t cap = 1 << 16, len = 0, r;
    char *buf = xmalloc(cap);
    while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (len + 1 == cap) buf = xrealloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

void proc_broker_init(struct proc_broker *b) {
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "/tmp/vigile-test-kafka-XXXXXX");
    cr_assert_not_null(mkdtemp(b->dir));
    b->port = proc_free_port();
    b->controller_port = proc_free_port();
}

static int broker_answers(int port) {
    char *cmd = xasprintf("kcat -L -b 127.0.0.1:%d -m 2 2>/dev/null | grep -q ' 1 brokers:'", port);
    int ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

void proc_broker_start(struct proc_broker *b) {
    char *pidfile = xasprintf("%s/jvm.pid", b->dir), *log = xasprintf("%s/shell.log", b->dir);
    unlink(pidfile);
    char *script = xasprintf("source %s/scripts/servers.sh && vigile_kafka_start %s %d %d && "
                             "echo $VIGILE_KAFKA_PID > %s && wait $VIGILE_KAFKA_PID",
                             SOURCE_DIR, b->dir, b->port, b->controller_port, pidfile);
    char *argv[] = { "/bin/bash", "-c", script, NULL };
    b->shell = proc_start(argv, log);
    int up = 0;
    for (int i = 0; i < 180 && !(up = broker_answers(b->port)); i++) usleep(500 * 1000);
    char *pid = proc_slurp(pidfile);
    b->jvm = atoi(pid);
    cr_assert(up && b->jvm > 0, "the test's broker did not start: %s", proc_slurp(log));
    free(pid);
    free(script);
    free(log);
    free(pidfile);
}

void proc_broker_signal(struct proc_broker *b, int sig) {
    kill(b->jvm, sig);
    proc_wait(b->shell);
}

void proc_broker_remove(struct proc_broker *b) {
    char *rm = xasprintf("rm -rf %s", b->dir);
    if (system(rm) != 0) cr_log_warn("could not remove %s", b->dir);
    free(rm);
}

int proc_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    close(fd);
    return -1;
}

char *proc_http_request(int port, const char *head, const char *body, size_t len) {
    int fd = proc_connect(port);
    if (fd < 0) return NULL;
    if (write(fd, head, strlen(head)) != (ssize_t)strlen(head)) cr_assert_fail("short write");
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, body + off, len - off);
        if (w <= 0) break; /* the server may answer (413) and close before reading it all */
        off += (size_t)w;
    }
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    ssize_t r;
    while ((r = read(fd, buf + n, cap - n - 1)) > 0)
        if ((n += (size_t)r) + 1 == cap) buf = xrealloc(buf, cap *= 2);
    close(fd);
    buf[n] = '\0';
    return buf;
}

char *proc_http_get(int port, const char *path) {
    char *head = xasprintf("GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
    char *reply = proc_http_request(port, head, NULL, 0);
    free(head);
    return reply ? reply : xstrdup("");
}

int proc_log_contains(const char *path, const char *needle, int timeout_s) {
    for (int i = 0; i < timeout_s * 10; i++) {
        char *s = proc_slurp(path);
        int found = strstr(s, needle) != NULL;
        free(s);
        if (found) return 1;
        usleep(100000);
    }
    return 0;
}
