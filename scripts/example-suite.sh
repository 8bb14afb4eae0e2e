#!/usr/bin/env bash
# Installs the package as a user would and runs examples/vitest-suite against it (issue 13): packs a tarball
# (prepare builds dist/ with its declaration files), copies the example to a temp dir, installs the tarball and
# the example's dev dependencies, typechecks (a removed export or a broken type fails here) and runs the suite,
# writing vitest's JSON report to .example-report.json, which scripts/test-summary.js adds to the main suite's
# count (a run that fails before the suite writes it leaves none, which the summary counts as a failure).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
report="$root/.example-report.json"
rm -f "$report"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
mkdir "$work/suite"
tar -C "$root/examples/vitest-suite" --exclude=node_modules --exclude=package-lock.json -cf - . | tar -C "$work/suite" -xf -
mv "$work/$tarball" "$work/suite/codestream-auth.tgz"

cd "$work/suite"
npm install --prefer-offline --no-audit --no-fund --loglevel=error
npx tsc --noEmit
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
