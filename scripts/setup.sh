#!/usr/bin/env bash
# Installs what proxylaw needs on a fresh Debian machine; idempotent and quick when all is there.
#   Java 17 and Maven: the build.
#   python3-torch + libopenblas0-pthread: the PyTorch peer of `./proxylaw bench trainer` and the
#   golden-fixture generator (trainer/src/test/python/make_golden.py); the tests use the checked-in fixture.
#   chromium: the report test renders DIR/report/index.html headless and checks its screenshot.
#   fontconfig + fonts-dejavu-core: the report's charts are drawn by Java2D headless, which needs a font.
#   jupyter-nbconvert + python3-nbclient: execute notebooks/ headless (the Java kernel comes from Maven Central).
# --corpus also builds the English corpus (scripts/corpus.sh: Debian packages of text, cleaned and
# tokenized into data/english-bytes); only the studies and conf/runs/english.yaml need it, never the tests.
set -euo pipefail
quiet=0; corpus=0
for a in "$@"; do
  case "$a" in
    --quiet) quiet=1 ;;
    --corpus) corpus=1 ;;
    *) echo "error: unknown argument '$a'. Usage: scripts/setup.sh [--quiet] [--corpus]" >&2; exit 2 ;;
  esac
done
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list 2>/dev/null | head -1)" ]]; } || need+=(fontconfig fonts-dejavu-core)
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
/usr/bin/python3 -c "import nbclient" >/dev/null 2>&1 || need+=(python3-nbclient)
if [[ "${PROXYLAW_WITH_TORCH:-0}" == "1" ]] && ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  need+=(python3-torch libopenblas0-pthread)
fi
if (( ${#need[@]} )); then
  echo "setup: installing ${need[*]}" >&2
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >&2
elif (( ! quiet )); then
  echo "setup: nothing to install" >&2
fi
if (( corpus )); then
  "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus.sh"
fi
