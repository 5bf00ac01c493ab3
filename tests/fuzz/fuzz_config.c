/* libFuzzer target for the tenant configuration loader: any bytes as a tenant file (the
 * shipped baseline beside it) must load or be refused with a message naming the file,
 * never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenant.h"

static char dir[64], file[128];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char cmd[512];
    snprintf(dir, sizeof dir, "/tmp/vigile-fuzz-config-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "mkdir -p %s/tenants && cp %s/config/baseline.json %s/", dir,
             SOURCE_DIR, dir);
    if (system(cmd) != 0) abort();
    snprintf(file, sizeof file, "%s/tenants/fuzz.json", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *fp = fopen(file, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);
    char err[8192] = "";
    struct tenant_set *set = tenant_set_load(dir, err, sizeof err);
    if (!set && !strstr(err, "fuzz.json")) {
        fprintf(stderr, "fuzz: refused without naming the file: %s\n", err);
        abort();
    }
    tenant_set_free(set);
    return 0;
}
