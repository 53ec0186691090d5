#!/usr/bin/env bash
# Everything from a fresh clone: install what is missing, then the whole suite (typecheck, build, tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
