#!/usr/bin/env python3
"""Regenerates crates/xacct-model/data/codepipeline-providers.tsv from the CodePipeline user
guide's action reference ("Action structure reference", action-reference.md, and the page of
each action provider it lists).

For each provider the table keeps what a page states and xacct checks:

    CATEGORY <TAB> OWNER <TAB> PROVIDER <TAB> INPUTS <TAB> OUTPUTS <TAB> CROSS_ACCOUNT <TAB> V2_ONLY <TAB> PAGE <TAB> EVIDENCE

- INPUTS / OUTPUTS: the page's "Number of artifacts" under "Input artifacts" / "Output
  artifacts", as `MIN-MAX` (`-` when the page gives none);
- CROSS_ACCOUNT: `supported` or `unsupported` where the page says so in a sentence about
  cross-account actions (EVIDENCE quotes it), `undocumented` otherwise; OVERRIDES below carries
  what other pages of the guide say (the cross-account walkthrough);
- V2_ONLY: `yes` where the page says the action is "only available/supported for V2 type
  pipelines" (EVIDENCE quotes it), else `no`.

Sources, in order of preference:

    python3 scripts/refresh-providers.py                      # the live pages (Markdown form)
    python3 scripts/refresh-providers.py --pages DIR          # a folder of the pages' .md files
    python3 scripts/refresh-providers.py --git REPO --rev REV  # a snapshot of the archived
                                                              # awsdocs/aws-codepipeline-user-guide

The live pages are https://docs.aws.amazon.com/codepipeline/latest/userguide/<page>.md; the
archived GitHub repository (doc_source/, CC-BY-SA-4.0 per its LICENSE-SUMMARY) stopped in June
2023 and lacks the newer providers (EKS, EC2, Commands, ECRBuildAndPublish, InspectorScan, the
Lambda deploy action). The table holds facts (names, numbers, yes/no) and short quoted
sentences with their page named, attributed in the file's header.

Writes the table to stdout, or to --out.
"""

import argparse
import datetime
import re
import subprocess
import sys
import urllib.request

BASE_URL = "https://docs.aws.amazon.com/codepipeline/latest/userguide/"
INDEX = "action-reference"

# What the guide says outside the action reference pages, kept by hand with its source: the
# cross-account walkthrough (pipelines-create-cross-account) documents CodeDeploy in another
# account and names Jenkins (a Custom provider, matched by name in providers.rs) as the one
# unsupported type; the other `supported` rows are the providers the walkthrough's "Other AWS
# resources will require policies specific to their resource requirements" covers and that
# xacct models (docs/providers.md).
OVERRIDES = {
    ("Source", "AWS", "S3"): "supported",
    ("Source", "AWS", "CodeCommit"): "supported",
    ("Source", "AWS", "ECR"): "supported",
    ("Build", "AWS", "CodeBuild"): "supported",
    ("Test", "AWS", "CodeBuild"): "supported",
    ("Deploy", "AWS", "CodeDeploy"): "supported",
    ("Deploy", "AWS", "ECS"): "supported",
    ("Deploy", "AWS", "S3"): "supported",
    ("Deploy", "AWS", "CloudFormation"): "supported",
    ("Deploy", "AWS", "CloudFormationStackSet"): "supported",
    ("Deploy", "AWS", "CloudFormationStackInstances"): "supported",
    ("Deploy", "AWS", "CodeDeployToECS"): "supported",
    ("Invoke", "AWS", "Lambda"): "supported",
    ("Invoke", "AWS", "StepFunctions"): "supported",
}

# Providers the guide describes elsewhere than in an action reference page (the "Valid action
# types and providers" table of the pipeline structure reference), with their counts.
EXTRA = [
    ("Source", "ThirdParty", "GitHub", "0-0", "1-1", "supported", "no", "reference-pipeline-structure", ""),
    ("Approval", "AWS", "Manual", "0-0", "0-0", "undocumented", "no", "reference-pipeline-structure", ""),
    ("*", "Custom", "*", "0-5", "0-5", "supported", "no", "reference-pipeline-structure", ""),
]

V2_RE = re.compile(r"only (?:available|supported) for V2 type pipelines", re.I)
COUNT_RE = re.compile(r"Number of artifacts:?\**:?\s*`?\s*(\d+)(?:\s*to\s*(\d+))?", re.I)
FIELD_RE = re.compile(r"^\s*[+*-]\s*(Category|Owner|Provider)\s*:\s*(.+)$")


def clean(text):
    return re.sub(r"[`*\\]", "", text).strip()


def fetch_live(page):
    with urllib.request.urlopen(BASE_URL + page + ".md", timeout=60) as response:
        return response.read().decode("utf-8")


def reader(args):
    if args.pages:
        return lambda page: open(f"{args.pages}/{page}.md", encoding="utf-8").read()
    if args.git:
        def read(page):
            return subprocess.run(
                ["git", "--git-dir", args.git, "show", f"{args.rev}:doc_source/{page}.md"],
                check=True, capture_output=True, text=True,
            ).stdout
        return read
    return fetch_live


def pages_of(index_text):
    seen = []
    for page in re.findall(r"\((action-reference-[A-Za-z0-9]+)\.md\)", index_text):
        if page not in seen:
            seen.append(page)
    return seen


def parse_page(page, text):
    """The providers a page documents, each with its counts, and the page's notes."""
    rows = []
    block = []  # providers of the latest action-type list
    partial = {}
    mode = None
    counted = None  # (rows, field) of the count just read, for a description that relaxes it
    for line in text.splitlines():
        heading = line.lstrip("#").strip().lower() if line.startswith("#") else None
        if heading is not None:
            counted = None
            if heading.startswith("input artifact"):
                mode = "inputs"
            elif heading.startswith("output artifact"):
                mode = "outputs"
            else:
                mode = None
            continue
        field = FIELD_RE.match(line)
        if field:
            name, value = field.group(1), clean(field.group(2))
            if name == "Category" and "Provider" in partial:
                partial = {}
            partial[name] = value
            if name == "Provider" and {"Category", "Owner"} <= partial.keys():
                block = []
                for category in re.split(r"\s+or\s+|,\s*", partial["Category"]):
                    row = {"category": category.strip(), "owner": partial["Owner"],
                           "provider": partial["Provider"], "inputs": "-", "outputs": "-"}
                    rows.append(row)
                    block.append(row)
                partial = {}
            continue
        count = COUNT_RE.search(line)
        if count and mode and block:
            low, high = count.group(1), count.group(2) or count.group(1)
            for row in block:
                if row[mode] == "-":
                    row[mode] = f"{low}-{high}"
            counted = (block, mode)
            mode = None
            continue
        # InspectorScan: "If the scan is for an ECR repository, this input artifact isn't
        # required." The documented count is then a maximum.
        if counted and re.search(r"(isn't|is not|not) required", line):
            rows_, field = counted
            for row in rows_:
                row[field] = "0-" + row[field].split("-")[1]
            counted = None
    # Sentences never span lines in the guide's Markdown: split each line (a paragraph or a
    # list item) into sentences, without its list marker or markup.
    sentences = [
        sentence.strip()
        for line in text.splitlines()
        if not line.lstrip().startswith(("#", "<", "|", "`"))
        for sentence in re.split(r"(?<=\.)\s+", re.sub(r"^\s*[+*-]\s+", "", clean(line)))
        if sentence.strip()
    ]
    v2 = next((s for s in sentences if V2_RE.search(s)), None)
    cross = None
    for sentence in (s for s in sentences if "cross-account" in s.lower()):
        lowered = sentence.lower()
        if "not supported for cross-account" in lowered:
            cross = ("unsupported", sentence.strip())
            break
        if "supported for cross-account" in lowered:
            cross = ("supported", sentence.strip())
    for row in rows:
        key = (row["category"], row["owner"], row["provider"])
        evidence = []
        if cross:
            row["cross"] = cross[0]
            evidence.append(cross[1])
        else:
            row["cross"] = OVERRIDES.get(key, "undocumented")
        row["v2"] = "yes" if v2 else "no"
        if v2:
            evidence.append(v2)
        row["page"] = page
        row["evidence"] = " | ".join(e.replace("\t", " ") for e in evidence)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", help="folder holding the pages as <page>.md")
    parser.add_argument("--git", help="git directory of awsdocs/aws-codepipeline-user-guide")
    parser.add_argument("--rev", default="HEAD~2", help="revision of --git (default HEAD~2, the last with doc_source/)")
    parser.add_argument("--out", help="write here instead of stdout")
    args = parser.parse_args()
    read = reader(args)
    rows = []
    for page in pages_of(read(INDEX)):
        try:
            rows.extend(parse_page(page, read(page)))
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"skipping {page}: {error}", file=sys.stderr)
    known = {(r["category"], r["owner"], r["provider"]) for r in rows}
    source = args.pages or (f"{args.git} at {args.rev}" if args.git else BASE_URL)
    lines = [
        "# CodePipeline action providers, from the AWS CodePipeline User Guide's action reference",
        f"# ({BASE_URL}action-reference.html and each provider's page; source read: {source}).",
        "# Documentation (c) Amazon.com, Inc. or its affiliates; the guide's GitHub edition",
        "# (awsdocs/aws-codepipeline-user-guide) is CC-BY-SA-4.0. Facts and short quotes, attributed.",
        f"# Generated by scripts/refresh-providers.py on {datetime.date.today().isoformat()}.",
        "# CATEGORY OWNER PROVIDER INPUTS OUTPUTS CROSS_ACCOUNT V2_ONLY PAGE EVIDENCE (tab-separated;",
        "# counts MIN-MAX or -; the first matching row wins, so specific rows come before `*`).",
    ]
    for row in rows:
        lines.append("\t".join([row["category"], row["owner"], row["provider"], row["inputs"],
                                row["outputs"], row["cross"], row["v2"], row["page"], row["evidence"]]))
    for extra in EXTRA:
        if (extra[0], extra[1], extra[2]) not in known:
            lines.append("\t".join(extra))
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
