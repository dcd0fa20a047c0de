# xacct's JSON output (version 1) as a GitLab Code Quality report, which is a subset of Code
# Climate's format:
#
#   xacct lint infra/ --format json | jq -f codequality.jq > gl-code-quality-report.json
#
# Severities: error is major, warning is minor, info is info. The fingerprint uses what the
# finding is about (code, path, message), never where it is, so it survives edits elsewhere in
# the file. Two identical findings in one file are told apart by their order.
def severity: {"error": "major", "warning": "minor", "info": "info"}[.] // "info";
[.diagnostics[] | {
  description: "\(.code) \(.name): \(.message)",
  check_name: .code,
  fingerprint: "xacct/\(.code)/\(.path)/\(.message)",
  severity: (.severity | severity),
  location: {path: .path, lines: {begin: .start.line}}
}]
| group_by(.fingerprint)
| map(to_entries | map(.value + {fingerprint: "\(.value.fingerprint)/\(.key)"}))
| flatten
