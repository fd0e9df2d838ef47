"""The trial's table: per case and arm, checklist met, arithmetic errors of figures checked, contradictions, failing artefacts.

    .venv/bin/python benchmarks/agent_trial/tally.py TRIAL_DIR [--validate]

Reads TRIAL_DIR/judge/CASE.json (the blind judges' findings, labelled A/B) and TRIAL_DIR/.mapping.json (which label
each arm got), and the artefact counts from TRIAL_DIR/validation.json, which ``--validate`` (re)writes by running
validate.py over TRIAL_DIR/seed/CASE and TRIAL_DIR/engine/CASE.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CASES = ("uber", "twitter_timelines", "whatsapp", "discord_messages", "netflix", "stackoverflow")


def main(argv: list[str]) -> int:
    trial = Path(argv[0])
    validation = trial / "validation.json"
    if "--validate" in argv:
        folders = [str(trial / arm / case) for case in CASES for arm in ("seed", "engine") if (trial / arm / case).is_dir()]
        done = subprocess.run([sys.executable, str(Path(__file__).with_name("validate.py")), *folders], capture_output=True, text=True, check=False)
        validation.write_text(done.stdout)
    checked = json.loads(validation.read_text()) if validation.exists() else {}
    mapping = json.loads((trial / ".mapping.json").read_text())
    rows = [
        "| case | arm | checklist met | arithmetic errors (of derived figures checked) | contradictions | artefacts failing their validator |",
        "|---|---|---:|---:|---:|---:|",
    ]
    totals: dict[str, list[int]] = {"seed": [0, 0, 0, 0, 0, 0], "engine": [0, 0, 0, 0, 0, 0]}
    for case in CASES:
        judged = trial / "judge" / f"{case}.json"
        if not judged.exists() or case not in mapping:
            continue
        verdict = json.loads(judged.read_text())
        for arm in ("seed", "engine"):
            side = verdict[mapping[case][arm]]
            met, total = side["checklist"]["met"], side["checklist"]["total"]
            errors, figures = len(side["arithmetic"]["errors"]), side["arithmetic"]["checked"]
            contradictions = len(side["contradictions"])
            report = checked.get(str(trial / arm / case), {})
            failing, artefacts = report.get("failing", 0), report.get("artefacts", 0)
            rows.append(f"| {case} | {arm} | {met}/{total} | {errors}/{figures} | {contradictions} | {failing} of {artefacts} |")
            for n, value in enumerate((met, total, errors, figures, contradictions, failing)):
                totals[arm][n] += value
    for arm, (met, total, errors, figures, contradictions, failing) in totals.items():
        rows.append(f"| **all** | {arm} | {met}/{total} | {errors}/{figures} | {contradictions} | {failing} |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
