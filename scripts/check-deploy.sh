#!/usr/bin/env bash
# Static checks of the Docker deployment (docker-compose.yml, deploy/Dockerfile,
# deploy/vigile.env.example), for machines without a Docker engine such as CI:
#   - the compose file parses and has the services Vigile needs;
#   - every depends_on names a service, and service_healthy ones have a
#     healthcheck; every named volume is declared, every bind source exists;
#   - every build context and Dockerfile exists, every COPY source exists in
#     the context and is not dropped by .dockerignore, every COPY --from names
#     a stage;
#   - every worker command is a program of services/, with healthcheck,
#     restart policy and stop grace period;
#   - .env (secrets) is ignored by Git and by the build context, and every
#     secret the C code reads (VIGILE_*KEY/SECRET/TOKEN/PASSWORD) is
#     documented in deploy/vigile.env.example;
#   - the monitoring profile: Prometheus and Grafana in it, every worker
#     scraped, every alert with a summary, every dashboard panel on the
#     provisioned datasource, the dashboards as deploy/grafana/dashboards.py
#     writes them (and promtool's checks where it is installed);
#   - the cluster override (deploy/compose.cluster.yml): three brokers in one
#     quorum with replication 3 and min ISR 2, every worker bootstrapping
#     from all of them, Redis replicas and three Sentinels.
# When `docker compose` works (it needs no engine for `config`), it also
# validates the file against the Compose Specification.
# Exit status 0 when all pass; the problems are listed otherwise.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A Python that has PyYAML: the one on PATH, else Debian's (python3-yaml).
find_python() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' 2>/dev/null; then
      printf '%s\n' "$py"
      return 0
    fi
  done
  return 1
}

if ! python=$(find_python); then
  if ((EUID != 0)); then
    echo "check-deploy: PyYAML is missing: apt-get install python3-yaml" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml >/dev/null
  python=/usr/bin/python3
fi

"$python" - <<'EOF'
import fnmatch, glob, json, os, re, shlex, sys
import yaml

problems = []
checks = 0

def check(ok, message):
    global checks
    checks += 1
    if not ok:
        problems.append(message)
    return ok

def interpolate(value):
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR-default} from the environment."""
    def sub(m):
        name, op, default = m.group(1), m.group(2), m.group(3) or ""
        v = os.environ.get(name)
        if op == ":-" and not v:
            return default
        if op == "-" and v is None:
            return default
        return v or ""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}", sub, str(value))

with open("docker-compose.yml") as f:
    compose = yaml.safe_load(f)
services = compose.get("services") or {}
declared_volumes = compose.get("volumes") or {}

for name in ("kafka", "redis", "ingest", "classify", "route", "sla", "act"):
    check(name in services, f"docker-compose.yml: no service {name!r}")

def dockerignore_patterns(context):
    path = os.path.join(context, ".dockerignore")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        lines = [l.strip() for l in f]
    return [l.rstrip("/") for l in lines if l and not l.startswith("#")]

def ignored(path, patterns):
    path = os.path.normpath(path)
    parts = path.split(os.sep)
    for pat in patterns:
        pat = pat.lstrip("/")
        if pat.startswith("**/"):
            if any(fnmatch.fnmatch(p, pat[3:]) for p in parts):
                return True
        elif any(fnmatch.fnmatch(os.sep.join(parts[:i + 1]), pat) for i in range(len(parts))):
            return True
    return False

def dockerfile_instructions(path):
    """(instruction, arguments) pairs, continuation lines joined."""
    out, current = [], ""
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            if not current and (not stripped or stripped.startswith("#")):
                continue
            if stripped.startswith("#"):
                continue
            if stripped.endswith("\\"):
                current += stripped[:-1] + " "
                continue
            current += stripped
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    return out

checked_dockerfiles = set()

def check_dockerfile(context, dockerfile, where):
    # The workers share one image: check each Dockerfile once.
    if (context, dockerfile) in checked_dockerfiles:
        return
    checked_dockerfiles.add((context, dockerfile))
    patterns = dockerignore_patterns(context)
    stages = set()
    for word, args in dockerfile_instructions(dockerfile):
        if word == "FROM":
            m = re.search(r"\bAS\s+(\S+)", args, re.I)
            if m:
                stages.add(m.group(1).lower())
        if word not in ("COPY", "ADD"):
            continue
        if args.startswith("["):
            words = json.loads(args)
        else:
            words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if source_stage is not None:
            check(source_stage.lower() in stages or ":" in source_stage,
                  f"{where}: COPY --from={source_stage}: no such stage")
            continue
        for src in paths[:-1]:
            full = os.path.join(context, src)
            check(bool(glob.glob(full)), f"{where}: COPY source {src!r} not in build context {context!r}")
            if os.path.normpath(src) != ".":
                check(not ignored(src, patterns), f"{where}: COPY source {src!r} is excluded by .dockerignore")

for name, svc in services.items():
    where = f"docker-compose.yml: service {name}"
    deps = svc.get("depends_on") or {}
    if isinstance(deps, list):
        deps = {d: {} for d in deps}
    for dep, spec in deps.items():
        if not check(dep in services, f"{where}: depends_on unknown service {dep!r}"):
            continue
        condition = (spec or {}).get("condition", "service_started")
        check(condition in ("service_started", "service_healthy", "service_completed_successfully"),
              f"{where}: depends_on {dep}: unknown condition {condition!r}")
        if condition == "service_healthy":
            check("healthcheck" in services[dep], f"{where}: waits for {dep} to be healthy but {dep} has no healthcheck")
    build = svc.get("build")
    if build is not None:
        if isinstance(build, str):
            build = {"context": build}
        context = interpolate(build.get("context", "."))
        dockerfile = os.path.join(context, interpolate(build.get("dockerfile", "Dockerfile")))
        if check(os.path.isdir(context), f"{where}: build context {context!r} does not exist") and \
           check(os.path.isfile(dockerfile), f"{where}: Dockerfile {dockerfile!r} does not exist"):
            check_dockerfile(context, dockerfile, os.path.normpath(dockerfile))
    else:
        check("image" in svc, f"{where}: neither build nor image")
    for vol in svc.get("volumes") or []:
        source = vol.get("source") if isinstance(vol, dict) else str(vol).split(":")[0]
        source = interpolate(source or "")
        if source.startswith((".", "/", "~")):
            check(os.path.exists(source), f"{where}: bind mount source {source!r} does not exist")
        elif source:
            check(source in declared_volumes, f"{where}: volume {source!r} is not declared under volumes:")
    env_files = svc.get("env_file") or []
    if isinstance(env_files, (str, dict)):
        env_files = [env_files]
    for env_file in env_files:
        path = interpolate(env_file["path"] if isinstance(env_file, dict) else env_file)
        # .env holds secrets and is never committed: what must exist is its example.
        if os.path.basename(path) == ".env":
            check(os.path.isfile("deploy/vigile.env.example"),
                  f"{where}: env_file .env is not documented by deploy/vigile.env.example")
        else:
            check(os.path.isfile(path), f"{where}: env_file {path!r} does not exist")
    command = svc.get("command")
    if name not in ("kafka", "redis") and "monitoring" not in (svc.get("profiles") or []):
        program = (command if isinstance(command, list) else shlex.split(command or ""))[:1]
        check(bool(program) and program[0].startswith("vigile-")
              and os.path.isdir(os.path.join("services", program[0][len("vigile-"):])),
              f"{where}: command {command!r} is not a program of services/")
        for key in ("healthcheck", "restart", "stop_grace_period"):
            check(key in svc, f"{where}: no {key}")
    image = svc.get("image", "")
    if build is None:
        check(":" in image and not image.endswith(":latest"), f"{where}: image {image!r} is not pinned to a version")

# Secrets stay out of Git and out of the image.
for ignore_file in (".gitignore", ".dockerignore"):
    with open(ignore_file) as f:
        entries = {l.strip() for l in f}
    check(".env" in entries or "/.env" in entries, f"{ignore_file}: does not exclude .env")

# Every secret the workers read is documented for operators.
with open("deploy/vigile.env.example") as f:
    example = f.read()
secrets = set()
for path in glob.glob("common/**/*.[ch]", recursive=True) + glob.glob("services/**/*.[ch]", recursive=True):
    with open(path, errors="replace") as f:
        secrets.update(re.findall(r'"(VIGILE_[A-Z0-9_]*(?:KEY|SECRET|TOKEN|PASSWORD))"', f.read()))
for secret in sorted(secrets):
    check(re.search(rf"^#?\s*{secret}=", example, re.M) is not None,
          f"deploy/vigile.env.example: {secret} (read by the workers) is not documented")

# The monitoring profile: Prometheus scrapes every worker, Grafana reads the
# provisioned datasource and the generated dashboards.
workers = [n for n, svc in services.items()
           if str((svc.get("command") or [""])[0]).startswith("vigile-")]
for name in ("prometheus", "grafana"):
    svc = services.get(name)
    if check(svc is not None, f"docker-compose.yml: no service {name!r} (monitoring profile)"):
        check("monitoring" in (svc.get("profiles") or []),
              f"docker-compose.yml: service {name} is not in the monitoring profile")
        for key in ("healthcheck", "restart"):
            check(key in svc, f"docker-compose.yml: service {name}: no {key}")
with open("deploy/prometheus/prometheus.yml") as f:
    prom = yaml.safe_load(f)
scraped = set()
for job in prom.get("scrape_configs") or []:
    for sd in job.get("dns_sd_configs") or []:
        scraped.update(sd.get("names") or [])
for name in workers:
    check(name in scraped, f"deploy/prometheus/prometheus.yml: worker {name} is not scraped")
for rule_file in prom.get("rule_files") or []:
    path = os.path.join("deploy/prometheus", rule_file)
    if check(os.path.isfile(path), f"deploy/prometheus/prometheus.yml: rule file {rule_file} missing"):
        with open(path) as f:
            rules = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
        for r in rules:
            check(bool(r.get("alert")) and bool(r.get("expr")) and "summary" in (r.get("annotations") or {}),
                  f"{path}: rule {r.get('alert')!r} lacks alert, expr or a summary")
with open("deploy/grafana/provisioning/datasources/prometheus.yml") as f:
    uids = {d["uid"] for d in yaml.safe_load(f)["datasources"]}
for path in sorted(glob.glob("deploy/grafana/dashboards/*.json")):
    with open(path) as f:
        board = json.load(f)
    check(bool(board.get("panels")), f"{path}: no panels")
    for panel in board.get("panels") or []:
        check((panel.get("datasource") or {}).get("uid") in uids and panel.get("targets") and
              all(t.get("expr") for t in panel["targets"]),
              f"{path}: panel {panel['title']!r}: unknown datasource or a target without expr")
# The cluster override: three brokers in one quorum, every topic on three with
# two in sync, every worker bootstrapping from all three, Redis replicas and
# Sentinels, every named volume declared.
with open("deploy/compose.cluster.yml") as f:
    cluster = yaml.safe_load(f)
c_services = cluster.get("services") or {}
def broker_env(name):
    env = dict((services.get(name) or {}).get("environment") or {})
    env.update((c_services.get(name) or {}).get("environment") or {})
    return env
brokers = ["kafka"] + sorted(n for n in c_services if n.startswith("kafka-"))
check(len(brokers) == 3, f"deploy/compose.cluster.yml: {len(brokers)} brokers, not 3")
voters = {}
for b in brokers:
    env = broker_env(b)
    for v in str(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "")).split(","):
        node, _, addr = v.partition("@")
        voters[node] = addr.split(":")[0]
    check(voters.get(str(env.get("KAFKA_NODE_ID"))) == b,
          f"deploy/compose.cluster.yml: broker {b}: KAFKA_NODE_ID is not its voter in the quorum")
    for key, want in (("KAFKA_DEFAULT_REPLICATION_FACTOR", 3), ("KAFKA_MIN_INSYNC_REPLICAS", 2),
                      ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", 3),
                      ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", 3),
                      ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", 2)):
        check(str(env.get(key)) == str(want), f"deploy/compose.cluster.yml: broker {b}: {key} is not {want}")
check(sorted(voters.values()) == sorted(brokers),
      f"deploy/compose.cluster.yml: quorum voters {sorted(voters.values())} are not the brokers")
for name in workers:
    listed = str(((c_services.get(name) or {}).get("environment") or {}).get("VIGILE_KAFKA_BROKERS", ""))
    check(sorted(h.split(":")[0] for h in listed.split(",") if h) == sorted(brokers),
          f"deploy/compose.cluster.yml: worker {name} does not bootstrap from every broker")
sentinels = [n for n in c_services if n.startswith("sentinel-")]
replicas = [n for n in c_services if n.startswith("redis-")]
check(len(sentinels) >= 3 and replicas, "deploy/compose.cluster.yml: fewer than 3 sentinels or no Redis replica")
c_volumes = set(cluster.get("volumes") or {}) | set(declared_volumes)
for name, svc in c_services.items():
    for vol in svc.get("volumes") or []:
        source = str(vol).split(":")[0]
        check(source.startswith((".", "/")) or source in c_volumes,
              f"deploy/compose.cluster.yml: service {name}: volume {source!r} is not declared")

import subprocess
stale = subprocess.run([sys.executable, "deploy/grafana/dashboards.py", "--check"],
                       capture_output=True, text=True)
check(stale.returncode == 0, "deploy/grafana/dashboards: " + stale.stderr.strip())

for p in problems:
    print("check-deploy: " + p, file=sys.stderr)
print(f"check-deploy: {checks - len(problems)} of {checks} checks passed")
sys.exit(1 if problems else 0)
EOF

# Debian's prometheus package ships promtool: the configuration and the rules
# as Prometheus itself reads them.
if command -v promtool >/dev/null 2>&1; then
  promtool check config --syntax-only deploy/prometheus/prometheus.yml >/dev/null
  promtool check rules deploy/prometheus/alerts.yml >/dev/null
  echo "check-deploy: promtool: prometheus.yml and alerts.yml valid"
fi

if docker compose version >/dev/null 2>&1; then
  VIGILE_ENV_FILE=deploy/vigile.env.example docker compose config -q
  VIGILE_ENV_FILE=deploy/vigile.env.example docker compose --profile monitoring config -q
  VIGILE_ENV_FILE=deploy/vigile.env.example docker compose -f docker-compose.yml \
    -f deploy/compose.cluster.yml config -q
  echo "check-deploy: docker compose config: valid"
fi
