"""Copy the two answers of a case into blind/CASE/A and blind/CASE/B. Usage: python blind.py CASE"""

import json
import shutil
import sys
from pathlib import Path

root = Path(__file__).parent
case = sys.argv[1]
engine_is = "B" if case in ("twitter_timelines", "uber") else "A"
seed_is = "A" if engine_is == "B" else "B"
out = root / "blind" / case
shutil.rmtree(out, ignore_errors=True)
for arm, label in (("engine", engine_is), ("seed", seed_is)):
    shutil.copytree(root / arm / case, out / label, symlinks=False)
mapping_file = root / ".mapping.json"
mapping = json.loads(mapping_file.read_text()) if mapping_file.exists() else {}
mapping[case] = {"engine": engine_is, "seed": seed_is}
mapping_file.write_text(json.dumps(mapping, indent=1))
print(out)
