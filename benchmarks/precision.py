"""Precision of the review, from a hand-checked sample kept beside the benchmarks.

A sample file (``benchmarks/precision/<kind>.tsv``) holds findings drawn at random from a
benchmark run, each judged by reading the document: ``true`` (the rule's documented flaw is
there) or ``false`` (it is not), with the reason. Each run matches the sample against the
findings it produced: a sampled finding the reviewer no longer reports is shown as ``gone``
(a false positive fixed, or a finding lost), so the table never silently drifts from the code.

    document <TAB> code <TAB> where <TAB> message <TAB> verdict <TAB> reason
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent / "precision"
FIELDS = ("document", "code", "where", "message", "verdict", "reason")


def draw(findings: dict[str, list[dict[str, object]]], per_document: int, per_rule: int = 0, seed: int = 18) -> list[dict[str, str]]:
    """A reproducible random sample to judge: ``per_document`` findings of each document, then ``per_rule`` more of each rule
    across all documents (so rare rules are judged too, not only the ones that fill a document)."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    taken: set[tuple[str, str, str, str]] = set()

    def take(document: str, finding: dict[str, object]) -> None:
        key = (document, str(finding["code"]), str(finding["where"]), str(finding["message"]))
        if key not in taken:
            taken.add(key)
            rows.append(dict(zip(("document", "code", "where", "message"), key, strict=True)))

    for document, found in sorted(findings.items()):
        for finding in rng.sample(found, min(per_document, len(found))):
            take(document, finding)
    everything = [(document, f) for document, found in sorted(findings.items()) for f in found]
    for code in sorted({str(f["code"]) for _, f in everything}):
        of_rule = [(d, f) for d, f in everything if f["code"] == code]
        for document, finding in rng.sample(of_rule, min(per_rule, len(of_rule))):
            take(document, finding)
    return rows


def load(kind: str) -> list[dict[str, str]]:
    path = HERE / f"{kind}.tsv"
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [row for row in csv.DictReader(handle, fieldnames=FIELDS, delimiter="\t") if row["document"] != "document"]


def write(kind: str, rows: list[dict[str, str]]) -> None:
    HERE.mkdir(exist_ok=True)
    with (HERE / f"{kind}.tsv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in FIELDS} for row in rows)


def report(kind: str, findings: dict[str, list[dict[str, object]]]) -> None:
    """Print the precision table of the ``kind`` sample against this run's findings."""
    rows = load(kind)
    if not rows:
        print(f"no hand-checked sample in {HERE / (kind + '.tsv')}")
        return
    produced = {document: Counter((str(f["code"]), str(f["where"]), str(f["message"])) for f in found) for document, found in findings.items()}
    tally: dict[str, Counter[str]] = {}
    for row in rows:
        key = (row["code"], row["where"], row["message"])
        status = row["verdict"] if produced.get(row["document"], Counter())[key] else "gone"
        tally.setdefault(row["document"], Counter())[status] += 1
        if status != "true":
            print(f"    {status:<5} {row['document']} {row['code']} {row['where'][:60]}: {row['message'][:90]} -- {row['reason']}")
    print(f"\n{'document':<34} {'sampled':>8} {'true':>6} {'false':>6} {'gone':>6} {'precision':>10}")
    total: Counter[str] = Counter()
    for document, counts in sorted(tally.items()):
        total.update(counts)
        judged = counts["true"] + counts["false"]
        precision = f"{100 * counts['true'] / judged:.0f} %" if judged else "-"
        print(f"{document[:34]:<34} {sum(counts.values()):8d} {counts['true']:6d} {counts['false']:6d} {counts['gone']:6d} {precision:>10}")
    judged = total["true"] + total["false"]
    print(f"{'all':<34} {sum(total.values()):8d} {total['true']:6d} {total['false']:6d} {total['gone']:6d} {100 * total['true'] / max(judged, 1):9.1f} %")
