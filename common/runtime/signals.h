/* SIGTERM/SIGINT stop and SIGHUP reload, for every Vigile program (workers and tools
 * alike), as flags the loops read. */
#ifndef VIGILE_SIGNALS_H
#define VIGILE_SIGNALS_H

#include <signal.h>

/* Set by the signal handlers the worker installs; other code only reads them. */
extern volatile sig_atomic_t worker_running;
extern volatile sig_atomic_t worker_reload_requested;

/* Installs SIGTERM/SIGINT (stop) and SIGHUP (reload) handlers that only set flags. */
void worker_install_signals(void);

#endif
