"""The monitoring profile checked for real (issue #18).

Starts the four workers on the broker and Redis of VIGILE_KAFKA_BROKERS and
VIGILE_REDIS_URL, and Debian's Prometheus scraping them every second with the
shipped alert rules; checks deploy/prometheus with promtool; streams the sample
comments of config/samples (each tenant's, plus inputs that must be dead-lettered)
while it scrapes; lints each worker's /metrics with promtool; then runs every PromQL expression of every dashboard panel and of
every alert through Prometheus' HTTP API. Each must parse and evaluate, every alert
rule must evaluate without error, and every panel must return data.

Usage: test_monitoring.py BUILD_DIR SOURCE_DIR
"""
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

import procs

WORKERS = ["ingest", "classify", "route", "sla"]
TENANTS = ["alessandria", "arese", "cassino", "lecce", "tradate"]
BAD_INPUTS = [b'{"event_id": "broken", ', b"\xff\xfe not even text", b"[1, 2, 3]"]
ROUNDS = 3


def fail(message):
    print(f"test_monitoring: FAIL: {message}", file=sys.stderr)
    raise SystemExit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def wait_for(what, timeout, probe):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.5)
    fail(f"timed out after {timeout} s waiting for {what}")


class Run:
    """The processes of one run and the directory they write to."""

    def __init__(self, build, source):
        self.build, self.source = build, source
        self.tmp = tempfile.mkdtemp(prefix="vigile-monitoring.")
        self.id = f"mon{os.getpid()}"
        self.procs = {}
        self.ports = {}
        self.env = dict(os.environ, VIGILE_GROUP_PREFIX=f"test-{self.id}",
                        VIGILE_INSTANCE_ID=self.id,
                        VIGILE_CONFIG_DIR=os.path.join(source, "config"),
                        VIGILE_DATA_DIR=os.path.join(source, "data"),
                        VIGILE_PSEUDONYM_KEY="test-key", VIGILE_TOPIC_PARTITIONS="3",
                        VIGILE_LOG_LEVEL="warn", VIGILE_META_APP_SECRET="test",
                        VIGILE_META_VERIFY_TOKEN="test", VIGILE_TELEGRAM_SECRET="test",
                        VIGILE_GENERIC_TOKEN="test")

    def start(self, name, argv, env=None):
        log = open(os.path.join(self.tmp, f"{name}.log"), "wb")
        self.procs[name] = subprocess.Popen(argv, env=env or self.env, stdout=log,
                                            stderr=subprocess.STDOUT)

    def start_worker(self, name):
        self.ports[name] = free_port()
        env = dict(self.env, VIGILE_HTTP_PORT=str(self.ports[name]),
                   VIGILE_INGEST_PORT=str(free_port()))
        self.start(name, [os.path.join(self.build, "services", f"vigile-{name}")], env)

    def log_tail(self, name):
        with open(os.path.join(self.tmp, f"{name}.log"), errors="replace") as f:
            return "".join(f.readlines()[-20:])

    def stop(self):
        """Stops everything; returns the workers whose exit code was not 0."""
        return [f"{name} exited {code}:\n{self.log_tail(name)}"
                for name, code in procs.stop(self.procs).items()
                if name in WORKERS and code != 0]


def promtool_checks(source):
    config = os.path.join(source, "deploy", "prometheus", "prometheus.yml")
    rules = os.path.join(source, "deploy", "prometheus", "alerts.yml")
    for argv in (["promtool", "check", "config", config], ["promtool", "check", "rules", rules]):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{' '.join(argv)}:\n{r.stdout}{r.stderr}")


def write_prometheus_config(run):
    """The shipped rules; the workers as static targets, since compose's DNS is not here."""
    targets = [{"targets": [f"127.0.0.1:{run.ports[w]}"], "labels": {"service": w}}
               for w in WORKERS]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [os.path.join(run.source, "deploy", "prometheus", "alerts.yml")],
        "scrape_configs": [{"job_name": "vigile", "static_configs": targets}],
    }
    path = os.path.join(run.tmp, "prometheus.yml")
    with open(path, "w") as f:
        yaml.safe_dump(config, f)
    return path


def stream(run, round_no):
    """One round of the sample comments with fresh event ids, and the bad inputs."""
    path = os.path.join(run.tmp, f"stream-{round_no}.jsonl")
    with open(os.path.join(run.source, "config", "samples", "stream.jsonl")) as src, \
         open(path, "w") as out:
        for line in src:
            event = json.loads(line)
            event["event_id"] += f"-{run.id}-{round_no}"
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    replay = subprocess.run([os.path.join(run.build, "services", "vigile-ingest"), "--replay",
                             path], env=dict(run.env, VIGILE_HTTP_PORT="0"),
                            capture_output=True, text=True, timeout=60)
    if replay.returncode != 0:
        fail(f"vigile-ingest --replay: {replay.stderr[-2000:]}")
    kcat = subprocess.run(["kcat", "-P", "-b", run.env["VIGILE_KAFKA_BROKERS"], "-t",
                           "vigile.inbound", "-K", "\t", "-D", "\n"],
                          input=b"".join(b"x|y\t" + bad + b"\n" for bad in BAD_INPUTS),
                          capture_output=True, timeout=60)
    if kcat.returncode != 0:
        fail(f"kcat: {kcat.stderr.decode(errors='replace')}")


def check_exposition(run):
    """Each worker's /metrics as promtool reads it: the format and Prometheus' naming rules."""
    for w in WORKERS:
        with urllib.request.urlopen(f"http://127.0.0.1:{run.ports[w]}/metrics", timeout=10) as r:
            text = r.read()
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
        if lint.returncode != 0:
            fail(f"promtool check metrics on {w}'s /metrics:\n"
                 f"{(lint.stdout + lint.stderr).decode(errors='replace')}")


def query(api, expr):
    url = f"{api}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        answer = get_json(url)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
    if answer.get("status") != "success":
        fail(f"PromQL does not evaluate: {expr}\n  {answer.get('error')}")
    return answer["data"]["result"]


def targets_up(api):
    active = get_json(f"{api}/api/v1/targets")["data"]["activeTargets"]
    return len(active) == len(WORKERS) and all(t["health"] == "up" for t in active)


def decided_tenants(api):
    result = query(api, "sum by (tenant) (vigile_decisions_total)")
    return {r["metric"]["tenant"] for r in result} >= set(TENANTS)


def check_dashboards(api, source):
    empty, count = [], 0
    for path in sorted(glob.glob(os.path.join(source, "deploy", "grafana", "dashboards", "*.json"))):
        with open(path) as f:
            board = json.load(f)
        for panel in board["panels"]:
            has_data = False
            for target in panel["targets"]:
                count += 1
                has_data |= bool(query(api, target["expr"]))
            if not has_data:
                empty.append(f"{os.path.basename(path)}: {panel['title']}")
    if empty:
        fail("panels with no data:\n  " + "\n  ".join(empty))
    return count


def check_alerts(api, source):
    with open(os.path.join(source, "deploy", "prometheus", "alerts.yml")) as f:
        rules = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
    for r in rules:
        query(api, r["expr"])
    loaded = [r for g in get_json(f"{api}/api/v1/rules")["data"]["groups"] for r in g["rules"]]
    if len(loaded) != len(rules):
        fail(f"Prometheus loaded {len(loaded)} rules of {len(rules)}")
    broken = [f"{r['name']}: {r.get('lastError')}" for r in loaded if r["health"] != "ok"]
    if broken:
        fail("alert rules that do not evaluate:\n  " + "\n  ".join(broken))
    return len(rules)


def main():
    build, source = (os.path.abspath(a) for a in sys.argv[1:3])
    for var in ("VIGILE_KAFKA_BROKERS", "VIGILE_REDIS_URL"):
        if not os.environ.get(var):
            fail(f"{var} is not set (start the servers: scripts/servers.sh)")
    promtool_checks(source)
    run = Run(build, source)
    t0 = time.monotonic()
    passed = False
    try:
        for w in WORKERS:
            run.start_worker(w)
        for w in WORKERS:
            wait_for(f"{w}'s /metrics", 60, lambda w=w: urllib.request.urlopen(
                f"http://127.0.0.1:{run.ports[w]}/metrics", timeout=5).status == 200)
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        run.start("prometheus", ["prometheus", f"--config.file={write_prometheus_config(run)}",
                                 f"--storage.tsdb.path={os.path.join(run.tmp, 'data')}",
                                 f"--web.listen-address=127.0.0.1:{port}"])
        wait_for("Prometheus to scrape every worker", 60, lambda: targets_up(api))
        for round_no in range(ROUNDS):
            stream(run, round_no)
            time.sleep(3)
        wait_for("decisions of every tenant in Prometheus", 90, lambda: decided_tenants(api))
        time.sleep(5)  # rates need samples on both sides of the stream's last messages
        check_exposition(run)
        exprs = check_dashboards(api, source)
        alerts = check_alerts(api, source)
        passed = True
    finally:
        bad = run.stop()
        procs.clean_up("test_monitoring", run.tmp, passed and not bad)
    if bad:
        fail("\n".join(bad))
    print(f"test_monitoring: {exprs} panel expressions and {alerts} alert rules evaluated, "
          f"every panel with data, in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
