/* libFuzzer target for the SLA calendar: deadlines of a ticket received at any instant
 * (years 1 to 9999 and beyond) on every shipped tenant, removal or not. Either a calendar
 * never opens (-1) or every deadline and firing instant is at or after arrival. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tenants.h"
#include "sla_due.h"
#include "tenant.h"

static struct tenant_set *tenants;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    tenants = fuzz_tenants();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 9) return 0;
    int64_t at;
    memcpy(&at, data, sizeof at);
    /* Instants from year 0 to 10000: what an RFC 3339 string can say. */
    at %= 315537897600000LL;
    const struct tenant *t = tenant_set_at(tenants, data[8] % tenant_set_count(tenants));
    struct sla_deadlines d;
    if (sla_deadlines_compute(t, at, data[8] & 0x80, &d) != 0) return 0;
    if (d.taken_at < at) abort();
    for (int k = 0; k < SLA_KINDS; k++)
        if (d.due[k] != SLA_NONE && d.due[k] < at) abort();
    return 0;
}
