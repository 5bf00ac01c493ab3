#include "signals.h"

#include <signal.h>

volatile sig_atomic_t worker_running = 1;
volatile sig_atomic_t worker_reload_requested = 0;

static void on_stop(int sig) {
    (void)sig;
    worker_running = 0;
}
static void on_hup(int sig) {
    (void)sig;
    worker_reload_requested = 1;
}

void worker_install_signals(void) {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
