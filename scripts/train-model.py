#!/usr/bin/python3
"""Trains Vigile's statistical scorer and writes data/models/<name>.bin.

One logistic-regression head per category over the hashed n-grams that
vigile-features prints (the engine's own code: training and serving cannot
drift), quantised to int8 per head (format in
services/classify/text/text_model.h).  Also writes <name>.manifest.json
(inputs with SHA-256, licence, features, cross-validated figures, the
thresholds chosen, the seed) and, with --fixture, the texts and scores
tests/text/test_model.c compares the C scorer with.

Reproducible: fixed seed, liblinear with a fixed iteration cap, inputs read
in sorted order and de-duplicated.  --check trains again into a temporary
file and fails unless the bytes equal the shipped model's.

Data (see data/models/README.md):
  --haspeede FILE   HaSpeeDe 2018 Twitter training TSV (id, text, hs).  It
                    trains the hate_speech head only (it labels nothing
                    else).  CC BY-NC-SA 4.0: never committed.
  --corpus FILE     JSON lines {"text", "expected": [...]}; every head.
                    Repeatable (tests/corpus/comments.jsonl,
                    data/train/written/*.jsonl).

Must run with Debian's python3 (scikit-learn 1.2): /usr/bin/python3.
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

BUCKET_BITS = 16          # TEXT_FEATURE_BITS
FEATURE_VERSION = 1       # TEXT_FEATURE_VERSION
FORMAT = 1                # TEXT_MODEL_FORMAT
MAGIC = b"VGLMODEL"
# Categories a model does not score: personal data must be found exactly
# (redaction needs every span: the PII scanners do it), repetition and
# off-topic depend on other posts.
NO_HEAD = {"personal_data", "repeated", "off_topic"}
MIN_POSITIVES = 40
C_REGULARISATION = 4.0
MAX_ITER = 1000
# Thresholds from the out-of-fold scores of the project's own comments: the lowest
# score where precision reaches these, with at least MIN_AT_THRESHOLD positives above it.
REVIEW_PRECISION = 0.80
REMOVE_PRECISION = 0.95
MIN_AT_THRESHOLD = 5
FIXTURE_ROWS = 60


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_corpus(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if not isinstance(d.get("text"), str) or not isinstance(d.get("expected"), list):
                sys.exit(f"{path}:{n}: want {{\"text\", \"expected\": [...]}}")
            rows.append((d["text"], frozenset(d["expected"]), None))
    return rows


def read_haspeede(path):
    """Rows whose labels are known for hate_speech only (the third member)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[2] not in ("0", "1"):
                sys.exit(f"{path}:{n}: want id TAB text TAB hs(0|1)")
            rows.append((parts[1], frozenset(["hate_speech"] if parts[2] == "1" else []),
                         "hate_speech"))
    return rows


def dedupe(rows):
    """First occurrence of each text wins; order is that of the sorted inputs."""
    seen, out = set(), []
    for r in rows:
        if r[0] not in seen:
            seen.add(r[0])
            out.append(r)
    return out


def features(binary, texts):
    """Counts matrix (rows x buckets, int) and the n-gram totals, from vigile-features."""
    payload = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    res = subprocess.run([binary, "-"], input=payload.encode("utf-8"), capture_output=True)
    if res.returncode != 0:
        sys.exit(f"{binary}: {res.stderr.decode(errors='replace').strip()}")
    lines = res.stdout.decode().splitlines()
    if len(lines) != len(texts):
        sys.exit(f"{binary}: {len(lines)} lines for {len(texts)} texts")
    indptr, idx, val, totals = [0], [], [], []
    for line in lines:
        parts = line.split()
        totals.append(int(parts[0]))
        for p in parts[1:]:
            b, c = p.split(":")
            idx.append(int(b))
            val.append(int(c))
        indptr.append(len(idx))
    counts = sp.csr_matrix((np.array(val, dtype=np.int64), np.array(idx, dtype=np.int64),
                            np.array(indptr, dtype=np.int64)),
                           shape=(len(texts), 1 << BUCKET_BITS))
    return counts, np.array(totals, dtype=np.float64)


def scaled(counts, totals):
    """The scorer's input: counts / sqrt(total n-grams) (text_model.h)."""
    inv = np.where(totals > 0, 1.0 / np.sqrt(np.maximum(totals, 1)), 0.0)
    return sp.diags(inv) @ counts.astype(np.float64)


def fit(x, y, seed):
    lr = LogisticRegression(solver="liblinear", C=C_REGULARISATION, max_iter=MAX_ITER,
                            class_weight="balanced", random_state=seed)
    lr.fit(x, y)
    return lr.coef_[0].copy(), float(lr.intercept_[0])


def figures(y, s, threshold):
    if threshold is None:
        return None
    pred = s >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"threshold": round(threshold, 4), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def pick_threshold(y, s, precision):
    """Lowest out-of-fold score whose precision reaches `precision`, or None."""
    order = np.argsort(-s, kind="stable")
    tp = np.cumsum(y[order] == 1)
    seen = np.arange(1, len(order) + 1)
    prec = tp / seen
    best = None
    for k in range(len(order)):
        if prec[k] >= precision and tp[k] >= MIN_AT_THRESHOLD:
            if k + 1 < len(order) and s[order[k + 1]] == s[order[k]]:
                continue            # a threshold cannot split equal scores
            best = float(s[order[k]])
    return best


def train_head(cat, rows, x, seed):
    mask = np.array([r[2] is None or r[2] == cat for r in rows])
    y = np.array([1 if cat in r[1] else 0 for r in rows])[mask]
    xm = x[mask]
    oof = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(y)), y):
        w, b = fit(xm[train], y[train], seed)
        # scored as shipped: int8 weights and float32 bias, so the thresholds fit the file
        q, scale = quantise(w)
        z = float(np.float32(b)) + float(scale) * (xm[test] @ q.astype(np.float64))
        oof[test] = 1 / (1 + np.exp(-z))
    # Thresholds are read off the comments the scorer is for: a head that also learns
    # from another source (hate speech from tweets) is thresholded on the project's own
    # municipal comments only, whose score distribution is the one it meets in service.
    own = np.array([r[2] is None for r in rows])[mask]
    review = pick_threshold(y[own], oof[own], REVIEW_PRECISION)
    remove = pick_threshold(y[own], oof[own], REMOVE_PRECISION)
    w, b = fit(xm, y, seed)
    cv = {"rows": int(len(y)), "positives": int(y.sum()),
          "at_0.5": figures(y, oof, 0.5), "review": figures(y, oof, review),
          "remove": figures(y, oof, remove)}
    if not own.all():
        cv["own_comments"] = {"rows": int(own.sum()), "positives": int(y[own].sum()),
                              "at_0.5": figures(y[own], oof[own], 0.5),
                              "review": figures(y[own], oof[own], review),
                              "remove": figures(y[own], oof[own], remove)}
    return w, b, cv, review, remove


def quantise(w):
    m = float(np.max(np.abs(w)))
    scale = np.float32(m / 127.0 if m > 0 else 1.0)
    q = np.clip(np.rint(w / np.float64(scale)), -127, 127).astype(np.int8)
    return q, scale


def model_bytes(heads):
    n = len(heads)
    stride = (n + 15) // 16 * 16
    table = np.zeros((1 << BUCKET_BITS, stride), dtype=np.int8)
    out = bytearray(MAGIC + struct.pack("<IIIIII", FORMAT, FEATURE_VERSION, BUCKET_BITS, n,
                                        stride, 0))
    for i, h in enumerate(heads):
        out += struct.pack("<32sff", h["category"].encode(), h["scale"], h["bias"])
        table[:, i] = h["q"]
    out += table.tobytes()
    out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xffffffff)
    return bytes(out)


def quantised_scores(heads, counts, totals):
    inv = np.where(totals > 0, 1.0 / np.sqrt(np.maximum(totals, 1)), 0.0)
    out = {}
    for h in heads:
        acc = counts @ h["q"].astype(np.int64)
        z = float(np.float32(h["bias"])) + float(h["scale"]) * acc * inv
        out[h["category"]] = 1 / (1 + np.exp(-z))
    return out


def train(args):
    inputs, rows = [], []
    for path in sorted(args.corpus):
        got = read_corpus(path)
        rows += got
        inputs.append({"path": os.path.relpath(path), "sha256": sha256(path), "rows": len(got)})
    if args.haspeede:
        before = len(rows)
        rows += read_haspeede(args.haspeede)
        inputs.append({"path": os.path.basename(args.haspeede), "sha256": sha256(args.haspeede),
                       "rows": len(rows) - before, "labels": "hate_speech only",
                       "licence": "CC BY-NC-SA 4.0", "committed": False})
    rows = dedupe(rows)
    counts, totals = features(args.features_bin, [r[0] for r in rows])
    x = scaled(counts, totals).tocsr()
    positives = {}
    for r in rows:
        for c in r[1]:
            positives[c] = positives.get(c, 0) + 1
    cats = sorted(c for c, k in positives.items() if k >= MIN_POSITIVES and c not in NO_HEAD)
    heads, manifest_heads = [], {}
    for cat in cats:
        w, b, cv, review, remove = train_head(cat, rows, x, args.seed)
        q, scale = quantise(w)
        heads.append({"category": cat, "q": q, "scale": scale, "bias": np.float32(b)})
        manifest_heads[cat] = {"cross_validation": cv, "thresholds": {"review": review,
                                                                      "remove": remove}}
        print(f"{cat:22} rows {cv['rows']:5} pos {cv['positives']:4}  review {cv['review']}  "
              f"remove {cv['remove']}", file=sys.stderr)
    manifest = {
        "model": os.path.basename(args.out),
        "format": FORMAT,
        "features": {"version": FEATURE_VERSION, "buckets": 1 << BUCKET_BITS,
                     "char_ngrams": [2, 5], "word_ngrams": [1, 2],
                     "view": "pattern view (text_norm.p)",
                     "value": "count / sqrt(total n-grams)"},
        "training": {"inputs": inputs, "rows_after_dedup": len(rows), "seed": args.seed,
                     "solver": "liblinear", "C": C_REGULARISATION, "max_iter": MAX_ITER,
                     "class_weight": "balanced", "cv_folds": 5,
                     "review_precision_target": REVIEW_PRECISION,
                     "remove_precision_target": REMOVE_PRECISION,
                     "scikit_learn": sklearn.__version__, "numpy": np.__version__},
        "licence": "CC BY-NC-SA 4.0 (trained in part on HaSpeeDe 2018; see data/models/README.md)",
        "heads": manifest_heads,
    }
    return model_bytes(heads), manifest, heads, rows, counts, totals


def write_fixture(path, heads, rows, counts, totals):
    """The first FIXTURE_ROWS rows that are the project's own (never HaSpeeDe's text)."""
    own = [i for i, r in enumerate(rows) if r[2] is None][:FIXTURE_ROWS]
    scores = quantised_scores(heads, counts[own], totals[own])
    with open(path, "w", encoding="utf-8") as f:
        for k, i in enumerate(own):
            f.write(json.dumps({"text": rows[i][0],
                                "scores": {c: round(float(s[k]), 6) for c, s in scores.items()}},
                               ensure_ascii=False, sort_keys=True) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", action="append", default=[], help="JSONL (repeatable)")
    ap.add_argument("--haspeede", help="HaSpeeDe 2018 Twitter training TSV")
    ap.add_argument("--features-bin", default="build/services/vigile-features")
    ap.add_argument("--out", default="data/models/comments-it.bin")
    ap.add_argument("--fixture", help="write the C scorer's test fixture here")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--check", action="store_true",
                    help="train again and fail unless the bytes equal --out's")
    args = ap.parse_args()
    if not args.corpus and not args.haspeede:
        ap.error("give --corpus and/or --haspeede")
    blob, manifest, heads, rows, counts, totals = train(args)
    if args.check:
        with open(args.out, "rb") as f:
            same = f.read() == blob
        print(f"{args.out}: {'identical' if same else 'DIFFERENT'} after retraining",
              file=sys.stderr)
        sys.exit(0 if same else 1)
    with open(args.out, "wb") as f:
        f.write(blob)
    with open(os.path.splitext(args.out)[0] + ".manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    if args.fixture:
        write_fixture(args.fixture, heads, rows, counts, totals)
    print(f"{args.out}: {len(blob)} bytes, {len(heads)} heads", file=sys.stderr)


if __name__ == "__main__":
    main()
