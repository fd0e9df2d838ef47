"""Write each case's checklist statements (ids, categories and source lines; no predicates) for the blind judges.

python benchmarks/agent_trial/checklists.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

CASES = Path(__file__).resolve().parents[1] / "system_design"
NAMES = ("uber", "twitter_timelines", "whatsapp", "discord_messages", "netflix", "stackoverflow")


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        lines = yaml.safe_load((CASES / name / "checklist.yaml").read_text())["lines"]
        text = [
            f"# Checklist for {name}: {len(lines)} lines",
            "",
            "Each line is a statement of the published solution (a number or a decision). An answer meets a line when it states or "
            "clearly decides the same thing; a capacity figure is met within +/-25 % of the source's number.",
            "",
            *(f"- **{line['id']}** ({line['category']}): {line['source']}" for line in lines),
        ]
        (out / f"{name}.md").write_text("\n".join(text) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
