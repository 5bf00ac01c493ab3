#!/usr/bin/python3
"""Writes the scorer's thresholds from its manifest into config/baseline.json.

For every category with a head, categories.<id>.model becomes the manifest's
review and remove thresholds rounded up to two decimals (rounding up keeps
the cross-validated precision they were chosen for), with review never below
0.50: a label the model thinks less likely than not is no reason to bother a
moderator. Criticism keeps the review threshold the baseline sets by hand
(it only ever labels, and more criticism labels mean fewer model removals).
Run after scripts/train-model.py; tenants override in their own files.

usage: scripts/model-thresholds.py [MANIFEST] [BASELINE]
"""
import json
import math
import re
import sys

REVIEW_FLOOR = 0.50
HAND_SET = {"criticism"}


def ceil2(x):
    return math.ceil(round(x * 100, 6)) / 100


def thresholds(head):
    t = head["thresholds"]
    review = max(REVIEW_FLOOR, ceil2(t["review"]))
    remove = None if t["remove"] is None else max(review, ceil2(t["remove"]))
    return review, remove


def main():
    manifest = sys.argv[1] if len(sys.argv) > 1 else "data/models/comments-it.manifest.json"
    baseline = sys.argv[2] if len(sys.argv) > 2 else "config/baseline.json"
    heads = json.load(open(manifest))["heads"]
    text = open(baseline).read()

    # Rewrites the "model" object on each category's line in place, so the
    # file keeps its one-category-per-line layout.
    def fix(m):
        cat, line = m.group(1), m.group(0)
        if cat in HAND_SET or cat not in heads:
            return line
        review, remove = thresholds(heads[cat])
        model = '"model": { "review": %.2f, "remove": %s }' % (
            review, "null" if remove is None else "%.2f" % remove)
        return re.sub(r'"model": \{[^}]*\}', model, line)

    out = re.sub(r'"([a-z_]+)":\s*\{[^\n]*"model": \{[^}]*\}[^\n]*', fix, text)
    json.loads(out)  # still valid
    open(baseline, "w").write(out)


if __name__ == "__main__":
    main()
