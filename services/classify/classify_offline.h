/* vigile-classify --input: classify a file of envelopes without Kafka or Redis. */
#ifndef VIGILE_CLASSIFY_OFFLINE_H
#define VIGILE_CLASSIFY_OFFLINE_H

/* Prints each envelope of path ("-": stdin), classified, as a JSON line, in input order;
 * bad lines print as dead-letter records. Returns the exit code. */
int classify_offline(const char *path);

#endif
