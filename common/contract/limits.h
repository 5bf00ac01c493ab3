/* Vigile's size limits, in one place because they only work together: whatever ingest
 * accepts every later stage can still produce, and whatever any stage refuses can still be
 * dead-lettered. Break one relation and a message either fails to produce (and is retried
 * for ever) or is refused where it should have been kept. docs/ingest.md lists them for
 * operators; the checks below fail the build when a change breaks a relation.
 *
 *   HTTP body (VIGILE_INGEST_MAX_BODY)      1 MiB by default, at most 64 MiB
 *     a bad body of any size up to it is answered 400 and dead-lettered, cut (below)
 *   inbound envelope, serialized            256 KiB
 *     text, context.post_text               64 KiB each
 *     context.post_topics                   64 items of at most 128 bytes
 *     attachments                           32 items
 *     nesting depth (the envelope is 1)     16
 *   any message a worker produces           1,000,000 bytes (producer message.max.bytes)
 *   what a topic accepts (max.message.bytes, set on every topic Vigile creates)
 *                                           1,048,588 bytes: Kafka's default, room for a
 *                                           record batch's framing around the largest message
 *   a dead letter's payload                 the first 512 KiB of the original, base64
 *                                           (699,052 bytes), plus its size and SHA-256
 *
 * Why these numbers: the platforms cap what a citizen can write well below 64 KiB
 * (YouTube at 10,000 characters), so anything longer is not a comment. An envelope grows
 * on its way (classify adds the redacted text and the labels), so it starts at a quarter
 * of what a message may be. A dead letter carries the payload once, as base64, so its size
 * is known before it is built and the cut is exact. */
#ifndef VIGILE_LIMITS_H
#define VIGILE_LIMITS_H

/* Plain literals too: ingest_config.c writes the default as text. */
#define LIMIT_HTTP_BODY_DEFAULT 1048576
#define LIMIT_HTTP_BODY_MAX     67108864

#define LIMIT_ENVELOPE_BYTES   262144
#define LIMIT_TEXT_BYTES       65536
#define LIMIT_POST_TOPICS      64
#define LIMIT_POST_TOPIC_BYTES 128
#define LIMIT_ATTACHMENTS      32
#define LIMIT_ENVELOPE_DEPTH   16

/* Plain literals: kafka.c and topics.c pass them to librdkafka as strings. */
#define LIMIT_MESSAGE_BYTES       1000000
#define LIMIT_TOPIC_MESSAGE_BYTES 1048588

#define LIMIT_DEADLETTER_PAYLOAD_BYTES 524288
/* A reason quotes at most this much (JSON escaping may make it six times longer). */
#define LIMIT_DEADLETTER_REASON_BYTES 1024
/* Everything in a dead letter but the payload and the reason, and the key, with room. */
#define LIMIT_DEADLETTER_FIXED_BYTES 4096

/* "1000000": a limit as the string librdkafka's configuration takes. */
#define LIMIT_STR(x)  LIMIT_STR_(x)
#define LIMIT_STR_(x) #x

_Static_assert(4 * ((LIMIT_DEADLETTER_PAYLOAD_BYTES + 2) / 3) + 6 * LIMIT_DEADLETTER_REASON_BYTES +
                       LIMIT_DEADLETTER_FIXED_BYTES <=
                   LIMIT_MESSAGE_BYTES,
               "a dead letter must always be producible");
_Static_assert(LIMIT_MESSAGE_BYTES + 16384 <= LIMIT_TOPIC_MESSAGE_BYTES,
               "a topic must take any message the producer takes, with its batch framing");
/* Classify adds the redacted text (at worst every byte escaped as \u00XX) and labels. */
_Static_assert(2 * LIMIT_ENVELOPE_BYTES + 6 * LIMIT_TEXT_BYTES <= LIMIT_MESSAGE_BYTES,
               "an accepted envelope must stay producible once classified");
_Static_assert(2 * LIMIT_TEXT_BYTES + 64 * 1024 <= LIMIT_ENVELOPE_BYTES,
               "the longest text and post text must fit an envelope");

#endif
