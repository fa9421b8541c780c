#!/usr/bin/env bash
# The test command: set-up, then the whole suite (unit, golden, gradient, learning, CLI tests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
exec mvn -B -ntp verify "$@"
