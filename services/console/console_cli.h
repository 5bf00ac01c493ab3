/* vigile-console's command line besides serving: operators' accounts. */
#ifndef VIGILE_CONSOLE_CLI_H
#define VIGILE_CONSOLE_CLI_H

/* `vigile-console user ...` (argv[1] is "user"). Returns the exit code. */
int console_user_main(int argc, char **argv);

/* $VIGILE_CONSOLE_DIR/file (default console-data/file), a new string. */
char *console_dir_path(const char *file);

#endif
