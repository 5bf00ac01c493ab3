#!/bin/sh
# Stage logic knows nothing of Kafka (docs/architecture.md): the stage libraries refer to
# no librdkafka or libmicrohttpd symbol and vigile-replay does not load either library.
# The worker given last must load librdkafka, which shows the check can see it.
# Usage: check_no_kafka.sh VIGILE_REPLAY WORKER LIB.a...
set -eu
replay=$1 worker=$2
shift 2
status=0
for lib in "$@"; do
    found=$(nm -u "$lib" | grep -E ' (rd_kafka_|MHD_)' || true)
    if [ -n "$found" ]; then
        echo "FAIL: $lib refers to Kafka or HTTP server code:"; echo "$found" | head -5
        status=1
    fi
done
if ldd "$replay" | grep -E 'librdkafka|libmicrohttpd'; then
    echo "FAIL: $replay loads a Kafka or HTTP server library"; status=1
fi
if ! ldd "$worker" | grep -q librdkafka; then
    echo "FAIL: $worker does not load librdkafka: the check above proves nothing"; status=1
fi
[ $status -eq 0 ] && echo "ok: $# stage libraries and vigile-replay hold no Kafka code"
exit $status
