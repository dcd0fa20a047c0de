#!/usr/bin/env bash
# Re-synthesises the cloud assemblies under testdata/cdk/ from the apps in app/, with the
# exact aws-cdk-lib version of app/package-lock.json (needs Node.js and the npm registry; the
# test suite only reads the committed output).
set -euo pipefail
cd "$(dirname "$0")"
(cd app && npm ci --no-audit --no-fund)
rm -rf pipeline/cdk.out release-mistake/cdk.out
mkdir -p pipeline release-mistake
(cd app && node pipeline.js ../pipeline/cdk.out && node release-mistake.js ../release-mistake/cdk.out)
rm -rf app/node_modules
