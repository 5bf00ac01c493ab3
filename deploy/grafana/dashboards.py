#!/usr/bin/env python3
"""Writes Vigile's Grafana dashboards into deploy/grafana/dashboards/: one overview for
the consortium and one per municipality of config/tenants (docs/operations.md, "Adding a
municipality"). The PromQL lives here once; the JSON files are its output, committed so
that Grafana's file provisioning reads them as they are.

    deploy/grafana/dashboards.py            # (re)write the files
    deploy/grafana/dashboards.py --check    # exit 1 when a file is missing or stale
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "deploy", "grafana", "dashboards")
DATASOURCE = {"type": "prometheus", "uid": "vigile-prometheus"}

# (title, unit, [(expr, legend)]): a panel has data when one of its queries has.
OVERVIEW = [
    ("Inputs read per second, by worker", "ops",
     [("sum by (component) (rate(vigile_messages_consumed_total[5m]))", "{{component}}")]),
    ("Outputs per second, by topic", "ops",
     [("sum by (topic) (rate(vigile_messages_produced_total[5m]))", "{{topic}}")]),
    ("Consumer lag, by worker and topic", "short",
     [("sum by (component, topic) (vigile_kafka_consumer_lag_messages)", "{{component}} {{topic}}")]),
    ("Dead letters per minute, by worker and reason", "short",
     [("sum by (component, reason) (rate(vigile_messages_dead_lettered_total[5m])) * 60",
       "{{component}} {{reason}}")]),
    ("Decisions per minute, by municipality", "short",
     [("sum by (tenant) (rate(vigile_decisions_total[5m])) * 60", "{{tenant}}")]),
    ("Stage time, 95th percentile", "s",
     [("histogram_quantile(0.95, sum by (le, stage) (rate(vigile_stage_duration_seconds_bucket[5m])))",
       "{{stage}}")]),
    ("Ingest to decision, 95th percentile, by municipality", "s",
     [("histogram_quantile(0.95, sum by (le, tenant) (rate(vigile_decision_latency_seconds_bucket[5m])))",
       "{{tenant}}")]),
    ("Transactions per minute, by outcome", "short",
     [("sum by (component, outcome) (rate(vigile_kafka_transactions_total[5m])) * 60",
       "{{component}} {{outcome}}")]),
    ("Kafka and Redis trouble per minute", "short",
     [("sum by (component, error) (rate(vigile_kafka_errors_total[5m])) * 60", "kafka {{error}} {{component}}"),
      ("sum by (component) (rate(vigile_kafka_disconnects_total[5m])) * 60", "kafka disconnects {{component}}"),
      ("sum by (component) (rate(vigile_redis_errors_total[5m])) * 60", "redis errors {{component}}")]),
    ("Workers up and dependencies degraded", "short",
     [("up{job=\"vigile\"}", "up {{instance}}"),
      ("max by (instance, component) (vigile_degraded)", "degraded {{component}} {{instance}}")]),
    ("SLA timers pending, by municipality", "short",
     [("sum by (tenant) (vigile_sla_timers_pending)", "{{tenant}}")]),
    ("SLA tickets and breaches in the last 24 hours, by municipality", "short",
     [("sum by (tenant) (increase(vigile_sla_tickets_armed_total[24h]))", "tickets {{tenant}}"),
      ("sum by (tenant) (increase(vigile_sla_events_total{event=\"breached\"}[24h]))", "breached {{tenant}}")]),
]


def municipality(tenant):
    t = f'tenant="{tenant}"'
    return [
        ("Decisions in the last 24 hours, by category", "short",
         [(f"sum by (category) (increase(vigile_decisions_total{{{t}}}[24h]))", "{{category}}")]),
        ("Decisions in the last 24 hours, by action", "short",
         [(f"sum by (action) (increase(vigile_decisions_total{{{t}}}[24h]))", "{{action}}")]),
        ("Decisions per minute, by enforcement step", "short",
         [(f"sum by (step) (rate(vigile_decisions_total{{{t}}}[5m])) * 60", "{{step}}")]),
        ("Strikes, warnings and bans in the last 24 hours", "short",
         [(f"sum(increase(vigile_strikes_total{{{t}}}[24h]))", "strikes"),
          (f"sum(increase(vigile_warnings_total{{{t}}}[24h]))", "warnings"),
          (f"sum by (kind) (increase(vigile_bans_total{{{t}}}[24h]))", "bans {{kind}}")]),
        ("SLA in the last 24 hours: tickets on time and breached", "short",
         [(f"sum(increase(vigile_sla_tickets_armed_total{{{t}}}[24h])) - "
           f"(sum(increase(vigile_sla_events_total{{{t},timer=\"response\",event=\"breached\"}}[24h])) or vector(0))",
           "on time (or not yet due)"),
          (f"sum by (office) (increase(vigile_sla_events_total{{{t},event=\"breached\"}}[24h]))",
           "breached {{office}}"),
          (f"sum(vigile_sla_timers_pending{{{t}}})", "timers pending")]),
        ("SLA warnings per hour, by office", "short",
         [(f"sum by (office) (rate(vigile_sla_events_total{{{t},event=\"due_soon\"}}[1h])) * 3600",
           "due soon {{office}}"),
          (f"sum by (office) (rate(vigile_sla_tickets_armed_total{{{t}}}[1h])) * 3600",
           "tickets {{office}}")]),
        ("Ingest to decision, 50th and 95th percentile", "s",
         [(f"histogram_quantile(0.5, sum by (le) (rate(vigile_decision_latency_seconds_bucket{{{t}}}[5m])))", "p50"),
          (f"histogram_quantile(0.95, sum by (le) (rate(vigile_decision_latency_seconds_bucket{{{t}}}[5m])))", "p95")]),
    ]


def panel(i, title, unit, queries):
    return {
        "id": i + 1,
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [{"refId": chr(ord("A") + j), "datasource": DATASOURCE, "expr": e,
                     "legendFormat": legend} for j, (e, legend) in enumerate(queries)],
    }


def dashboard(uid, title, specs):
    return {
        "uid": uid,
        "title": title,
        "tags": ["vigile"],
        "timezone": "Europe/Rome",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "panels": [panel(i, *s) for i, s in enumerate(specs)],
    }


def tenants():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "config", "tenants", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        out.append((doc["id"], doc.get("display_name", doc["id"])))
    return out


def wanted():
    files = {"overview.json": dashboard("vigile-overview", "Vigile: consortium overview", OVERVIEW)}
    for tid, name in tenants():
        files[f"municipality-{tid}.json"] = dashboard(f"vigile-{tid}", f"Vigile: {name}",
                                                      municipality(tid))
    return {k: json.dumps(v, indent=2, ensure_ascii=False) + "\n" for k, v in files.items()}


def main():
    check = "--check" in sys.argv[1:]
    files, problems = wanted(), []
    present = {os.path.basename(p) for p in glob.glob(os.path.join(OUT, "*.json"))}
    for name in sorted(present - files.keys()):
        problems.append(f"{name}: no tenant of config/tenants has this dashboard")
    for name, text in files.items():
        path = os.path.join(OUT, name)
        if check:
            if not os.path.exists(path) or open(path).read() != text:
                problems.append(f"{name}: missing or stale; run deploy/grafana/dashboards.py")
        else:
            with open(path, "w") as f:
                f.write(text)
    for p in problems:
        print(f"dashboards: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
