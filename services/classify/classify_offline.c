#include "classify_offline.h"

#include "classify.h"
#include "envelope.h"
#include "offline.h"
#include "topics.h"

static enum stage_status classify_one(void *arg, json_t *env, struct stage_outputs *out,
                                      char *reason, size_t n) {
    enum stage_status st = classifier_run(arg, env, reason, n);
    if (st == STAGE_OK) {
        size_t len;
        char *value = envelope_dump(env, &len);
        stage_outputs_add(out, TOPIC_CLASSIFIED, envelope_key(env), value, len);
    }
    return st;
}

int classify_offline(const char *path) {
    struct offline o;
    char err[512];
    int code = offline_open(&o, "classify");
    if (code) return code;
    struct classifier *c =
        classifier_new(o.cfg.data_dir, o.tenants, &o.state, o.key, err, sizeof err);
    o.tenants = NULL; /* stolen */
    if (!c) {
        fprintf(stderr, "vigile-classify: %s\n", err);
        offline_close(&o);
        return 2;
    }
    code = offline_run(&o, path, classify_one, c, NULL);
    classifier_free(c);
    offline_close(&o);
    return code;
}
