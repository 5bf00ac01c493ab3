"""Harsh criticism and counter-speech are never removed (issue #13).

Runs tests/corpus/no-removal.jsonl (written by an independent annotator: criticism of the
administration however harsh, and speech quoting hate or threats to condemn or report
them) through vigile-replay as comments on every shipped tenant, and fails if any comes
out hidden, deleted or held. Usage: no_removal.py VIGILE_REPLAY SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

# Where the policies themselves ask for removal, the annotator's "no removal" yields.
# Each exception names the clause behind it.
EXPECTED_REMOVALS = {
    # A minor's health, published by her parent: the special categories of data the
    # privacy clauses protect (Alessandria, Privacy; Lecce and Arese likewise).
    "A chi ha scritto che mia figlia disabile 'non dovrebbe stare in classe con i normali'",
}
TENANTS = ["lecce", "alessandria", "arese", "tradate", "cassino"]
REMOVING = {"hide", "delete", "hold"}


def main():
    replay, source = sys.argv[1], sys.argv[2]
    items = [json.loads(line) for line in open(os.path.join(source, "tests/corpus/no-removal.jsonl"))]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for tenant in TENANTS:
            for i, item in enumerate(items):
                env = {"event_id": f"nr-{tenant}-{i}", "tenant": tenant, "platform": "facebook",
                       "kind": "comment", "content_id": f"c-{i}", "author": {"id": f"a-{i}"},
                       "text": item["text"], "created_at": "2026-11-20T10:00:00Z",
                       "received_at": "2026-11-20T10:00:00Z"}
                f.write(json.dumps(env, ensure_ascii=False) + "\n")
        path = f.name
    environ = dict(os.environ, VIGILE_CONFIG_DIR=os.path.join(source, "config"),
                   VIGILE_DATA_DIR=os.path.join(source, "data"), VIGILE_PSEUDONYM_KEY="test")
    out = subprocess.run([replay, path], env=environ, capture_output=True, text=True, check=True)
    os.unlink(path)
    decisions = [json.loads(line) for line in out.stdout.splitlines() if '"action"' in line]
    removed = [d for d in decisions if d["action"] in REMOVING
               and not any(d["redacted_text"].startswith(e) for e in EXPECTED_REMOVALS)]
    for d in removed:
        cats = ", ".join(c["category"] + "/" + c["rule_id"] for c in d["categories"])
        print(f"REMOVED on {d['tenant']} ({d['action']}; {cats}): {d['redacted_text']}")
    print(f"{len(decisions)} decisions on {len(items)} comments x {len(TENANTS)} tenants: "
          f"{len(removed)} removed")
    if len(decisions) != len(items) * len(TENANTS):
        sys.exit("some comments were not decided")
    sys.exit(1 if removed else 0)


if __name__ == "__main__":
    main()
