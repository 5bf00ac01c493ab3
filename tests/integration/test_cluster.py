"""The pipeline on a three-broker Kafka cluster loses a broker mid-stream (issue #18).

Starts three KRaft brokers (combined broker and controller, a three-voter quorum) from
the jars scripts/servers.sh fetches, on loopback, with replication factor 3,
min.insync.replicas=2 and the transaction log alike; runs vigile-classify and
vigile-route on them (Redis of VIGILE_REDIS_URL); replays N envelopes with
vigile-ingest; kills one broker (SIGKILL) once decisions are flowing; and checks that a
read_committed consumer finds every envelope's decision exactly once, that the topics
really have three replicas, and that the workers exit 0 on SIGTERM.

Usage: test_cluster.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import procs

N = 300
TENANTS = ["lecce", "arese", "alessandria", "tradate", "cassino"]
BROKERS = 3
VICTIM = 1  # index of the broker killed: not the first, so bootstrap must fail over too
CHUNKS = 6  # the stream is replayed in chunks; the broker dies during this one:
KILL_DURING = 2


def fail(message):
    print(f"test_cluster: FAIL: {message}", file=sys.stderr)
    raise SystemExit(1)


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def kafka_libs(source):
    out = subprocess.run(["bash", "-c", f"source {source}/scripts/servers.sh && "
                          "vigile_kafka_fetch >/dev/null && echo $VIGILE_KAFKA_LIBS"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"cannot fetch Kafka's jars: {out.stderr}")
    return out.stdout.strip()


BROKER_PROPERTIES = """process.roles=broker,controller
node.id={node}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
"""


class Cluster:
    def __init__(self, source, tmp):
        self.libs, self.source, self.tmp = kafka_libs(source), source, tmp
        ports = free_ports(2 * BROKERS)
        self.ports, self.controllers = ports[:BROKERS], ports[BROKERS:]
        self.procs = [None] * BROKERS
        self.bootstrap = ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def java(self, i):
        return ["java", "-Xms128m", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.source}/scripts/kafka/log4j2.yaml",
                f"-Dvigile.kafka.log={self.dir(i)}/server.log", "-cp", f"{self.libs}/*"]

    def dir(self, i):
        return os.path.join(self.tmp, f"kafka-{i + 1}")

    def start(self):
        voters = ",".join(f"{i + 1}@127.0.0.1:{c}" for i, c in enumerate(self.controllers))
        cluster_id = subprocess.run(self.java(0) + ["kafka.tools.StorageTool", "random-uuid"],
                                    capture_output=True, text=True).stdout.strip()
        for i in range(BROKERS):
            os.makedirs(self.dir(i), exist_ok=True)
            props = os.path.join(self.dir(i), "server.properties")
            with open(props, "w") as f:
                f.write(BROKER_PROPERTIES.format(node=i + 1, voters=voters, port=self.ports[i],
                                                 controller=self.controllers[i],
                                                 data=os.path.join(self.dir(i), "data")))
            fmt = subprocess.run(self.java(i) + ["kafka.tools.StorageTool", "format", "-t",
                                                 cluster_id, "-c", props],
                                 capture_output=True, text=True)
            if fmt.returncode != 0:
                fail(f"formatting broker {i + 1}: {fmt.stdout}{fmt.stderr}")
        for i in range(BROKERS):
            log = open(os.path.join(self.dir(i), "stdout.log"), "wb")
            self.procs[i] = subprocess.Popen(
                self.java(i) + ["kafka.Kafka", os.path.join(self.dir(i), "server.properties")],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            meta = subprocess.run(["kcat", "-L", "-b", self.bootstrap, "-m", "2"],
                                  capture_output=True, text=True)
            if f" {BROKERS} brokers:" in meta.stdout:
                return
            for i, p in enumerate(self.procs):
                if p.poll() is not None:
                    fail(f"broker {i + 1} exited during start-up (logs in {self.dir(i)})")
            time.sleep(1)
        fail("the three brokers did not form a cluster in 120 s")

    def kill(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    def stop(self):
        procs.stop({i: p for i, p in enumerate(self.procs) if p})


def envelopes(paths, run_id):
    """N envelopes on five tenants in len(paths) files, authors repeating so that strikes
    climb ladders."""
    for i in range(N):
        with open(paths[i * len(paths) // N], "a") as f:
            tenant = TENANTS[i % len(TENANTS)]
            text = ["sei un idiota come tutta la giunta", "Quando riapre la biblioteca?",
                    "Amministrazione incapace, vergognatevi!"][i % 3]
            f.write(json.dumps({
                "event_id": f"{run_id}-{i}", "tenant": tenant, "platform": "facebook",
                "kind": "comment", "content_id": f"c-{run_id}-{i}",
                "author": {"id": f"a-{run_id}-{i % 37}", "name": "Maria Bianchi"},
                "text": f"{text} ({i})", "created_at": "2026-11-20T10:00:00Z"},
                ensure_ascii=False) + "\n")


def decisions(bootstrap, run_id):
    """The decisions of this run a read_committed consumer reads now: event id -> count."""
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "vigile.decisions", "-o",
                          "beginning", "-e", "-q", "-X", "isolation.level=read_committed"],
                         capture_output=True, text=True, timeout=120)
    seen = {}
    for line in out.stdout.splitlines():
        if run_id not in line:
            continue
        event_id = json.loads(line)["event_id"]
        seen[event_id] = seen.get(event_id, 0) + 1
    return seen


def check_replicas(bootstrap):
    meta = subprocess.run(["kcat", "-L", "-b", bootstrap, "-t", "vigile.decisions", "-J"],
                          capture_output=True, text=True, timeout=60)
    topic = json.loads(meta.stdout)["topics"][0]
    bad = [p["partition"] for p in topic["partitions"] if len(p["replicas"]) != BROKERS]
    if not topic["partitions"] or bad:
        fail(f"vigile.decisions partitions without {BROKERS} replicas: {bad}")


def main():
    build, source = (os.path.abspath(a) for a in sys.argv[1:3])
    if not os.environ.get("VIGILE_REDIS_URL"):
        fail("VIGILE_REDIS_URL is not set (start the servers: scripts/servers.sh)")
    tmp = tempfile.mkdtemp(prefix="vigile-cluster.")
    run_id = f"cl{os.getpid()}"
    cluster = Cluster(source, tmp)
    workers, passed, t0, killed_at = {}, False, time.monotonic(), 0
    env = dict(os.environ, VIGILE_GROUP_PREFIX=f"test-{run_id}", VIGILE_INSTANCE_ID=run_id,
               VIGILE_CONFIG_DIR=os.path.join(source, "config"),
               VIGILE_DATA_DIR=os.path.join(source, "data"), VIGILE_PSEUDONYM_KEY="test-key",
               VIGILE_TOPIC_PARTITIONS="3", VIGILE_HTTP_PORT="0", VIGILE_LOG_LEVEL="warn",
               VIGILE_BATCH_MS="1000")
    try:
        cluster.start()
        env["VIGILE_KAFKA_BROKERS"] = cluster.bootstrap
        for w in ("classify", "route"):
            log = open(os.path.join(tmp, f"{w}.log"), "wb")
            workers[w] = subprocess.Popen([os.path.join(build, "services", f"vigile-{w}")],
                                          env=env, stdout=log, stderr=subprocess.STDOUT)
        chunks = [os.path.join(tmp, f"stream-{c}.jsonl") for c in range(CHUNKS)]
        envelopes(chunks, run_id)
        for c in range(CHUNKS):
            replay = subprocess.Popen([os.path.join(build, "services", "vigile-ingest"),
                                       "--replay", chunks[c]], env=env,
                                      stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(tmp, f"replay-{c}.log"), "wb"))
            if c == KILL_DURING:
                # Decisions of the first chunks are being committed, and batches stay open
                # VIGILE_BATCH_MS: the kill lands in the middle of open transactions.
                deadline = time.monotonic() + 120
                while not decisions(cluster.bootstrap, run_id):
                    if time.monotonic() > deadline:
                        fail("no decisions after 120 s")
                    time.sleep(0.5)
                killed_at = len(decisions(cluster.bootstrap, run_id))
                cluster.kill(VICTIM)
            if replay.wait(timeout=180) != 0:
                fail(f"vigile-ingest --replay of chunk {c} failed")
        deadline = time.monotonic() + 180
        while len(seen := decisions(cluster.bootstrap, run_id)) < N:
            if time.monotonic() > deadline:
                break
            time.sleep(2)
        missing = N - len(seen)
        duplicated = sorted(e for e, c in seen.items() if c > 1)
        if missing or duplicated:
            fail(f"{missing} decisions missing, {len(duplicated)} duplicated: {duplicated[:5]}")
        check_replicas(cluster.bootstrap)
        passed = True
    finally:
        bad = [f"{w} exited {code}" for w, code in procs.stop(workers).items() if code]
        cluster.stop()
        procs.clean_up("test_cluster", tmp, passed and not bad)
    if bad:
        fail(", ".join(bad))
    print(f"test_cluster: {N} decisions, each once, for a read_committed consumer; broker "
          f"{VICTIM + 1} of {BROKERS} killed with {killed_at} of {N} decided; {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
