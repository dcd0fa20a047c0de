#!/usr/bin/env bash
# The peers table of docs/performance.md: xacct against cfn-lint, checkov and cfripper on the
# same CloudFormation templates (the bench corpus's pipelines as a team writes them, from
# `gen --templates`), at 1, 50 and 1,000 templates, each tool run as its users run it, in
# one run, interleaved round by round. The three are installed into a throwaway venv (PyPI
# packages `cfn-lint`, `checkov`, `cfripper`; versions pinned below, the newest on PyPI in
# October 2026), removed afterwards.
#
#   cargo build --release -p xacct -p xacct-bench
#   scripts/bench-peers.sh [ROUNDS (default 3)] [SIZES (default "1 50 1000")]
#
# Prints a Markdown table: each tool's median wall time and its ratio to xacct's. The tools do
# not check the same things (cfn-lint the template against the resource specification, checkov
# and cfripper security policies, xacct cross-account access): the table says what a run costs
# a CI gate or a pre-commit hook, not which finds more.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
sizes="${2:-1 50 1000}"
bin=target/release
for b in xacct gen; do
  [ -x "$bin/$b" ] || { echo "missing $bin/$b: cargo build --release -p xacct -p xacct-bench" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q cfn-lint==1.58.0 checkov==3.3.30 cfripper==1.22.1 >&2
export PATH="$work/venv/bin:$PATH"
# One run of a command in a folder, its wall time in seconds on standard output; findings are
# the point of the tools, so a non-zero exit is not a failure.
timed() {
  local dir="$1"; shift
  local start end
  start=$(date +%s.%N)
  (cd "$dir" && "$@" >/dev/null 2>&1) || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
xacct="$(pwd)/$bin/xacct"
echo "| templates | xacct | cfn-lint | checkov | cfripper |"
echo "|---|---|---|---|---|"
for n in $sizes; do
  dir="$work/t$n"
  "$bin/gen" --templates --files "$n" --out "$dir" >/dev/null
  mapfile -t files < <(cd "$dir" && find . -name '*.yaml' | sort)
  declare -A times=()
  for ((r = 0; r < rounds; r++)); do
    times[xacct]+="$(timed "$dir" "$xacct" lint . --format compact)"$'\n'
    times[cfn-lint]+="$(timed "$dir" cfn-lint "${files[@]}")"$'\n'
    times[checkov]+="$(timed "$dir" checkov -d . --framework cloudformation --quiet --compact)"$'\n'
    times[cfripper]+="$(timed "$dir" cfripper "${files[@]}" --format txt)"$'\n'
  done
  x=$(printf '%s' "${times[xacct]}" | median)
  row="| $n | $(printf '%.3f s' "$x")"
  for tool in cfn-lint checkov cfripper; do
    t=$(printf '%s' "${times[$tool]}" | median)
    row+=" | $(printf '%.2f s (%.0f×)' "$t" "$(echo "$t / $x" | bc -l)")"
  done
  echo "$row |"
  unset times
done
echo
echo "$rounds rounds, medians; $(nproc) cores; $(date -u +%Y-%m-%d)."
