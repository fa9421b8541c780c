#!/usr/bin/env bash
# Builds the English corpus the studies and conf/runs/english.yaml train on:
#   data/english/        the Debian packages (debs/), english.jsonl (the cleaned documents) and SOURCES.tsv
#   data/english-bytes/  byte-level token shards of english.jsonl (proxylaw tokenize, 1% held out by document)
# Idempotent: when the shards exist and were built from the package versions apt offers now, with the
# same cleaning rules, it only says so. --force rebuilds. The unit tests never need it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) echo "error: unknown argument '$1'. Usage: scripts/corpus.sh [--force]" >&2; exit 2 ;;
esac
raw="$root/data/english"
shards="$root/data/english-bytes"
helper="$root/scripts/corpus/english.py"
read -r rules packages <<<"$(/usr/bin/python3 "$helper" packages)"
sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"

# the version apt would fetch of each package; the package lists are refreshed once if one is unknown
candidates() {
  local p v out=""
  # one apt-cache call for all packages (about 1 s each), printed in the order of $packages
  declare -A cand=()
  while IFS== read -r p v; do cand[$p]="$v"; done < <(apt-cache policy $packages 2>/dev/null \
    | awk '/^[^ ].*:$/ {p = substr($1, 1, length($1) - 1)} /Candidate:/ {print p "=" $2}')
  for p in $packages; do
    v="${cand[$p]:-}"
    [[ -z "$v" || "$v" == "(none)" ]] && return 1
    out+=" $p=$v"
  done
  echo "$rules$out"
}
if ! want="$(candidates)"; then
  echo "corpus: refreshing the package lists (apt-get update)" >&2
  $sudo_cmd apt-get update -qq
  want="$(candidates)" || { echo "error: apt offers no version of one of: $packages. Check /etc/apt/sources.list (Debian main)." >&2; exit 2; }
fi

if (( ! force )) && [[ -f "$shards/manifest.json" && -f "$raw/BUILT" && "$(cat "$raw/BUILT")" == "$want" ]]; then
  echo "corpus: $shards is up to date ($want)" >&2
  exit 0
fi

start=$(date +%s)
mkdir -p "$raw/debs"
rm -f "$raw/BUILT"
# only the wanted versions stay in debs/, so the build reads exactly them
for f in "$raw/debs"/*.deb; do
  [[ -e "$f" ]] || continue
  keep=0
  for pv in ${want#* }; do
    p="${pv%%=*}"; v="${pv#*=}"
    [[ "$(basename "$f")" == "${p}_${v//:/%3a}_"*.deb ]] && keep=1
  done
  (( keep )) || rm -f "$f"
done
missing=()
for pv in ${want#* }; do
  p="${pv%%=*}"; v="${pv#*=}"
  compgen -G "$raw/debs/${p}_${v//:/%3a}_*.deb" >/dev/null || missing+=("$pv")
done
if (( ${#missing[@]} )); then
  echo "corpus: downloading ${missing[*]}" >&2
  # apt-get download writes into the current directory; as root it warns that _apt cannot write there
  (cd "$raw/debs" && apt-get download -q "${missing[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed" >&2 || true)
  for pv in "${missing[@]}"; do
    p="${pv%%=*}"; v="${pv#*=}"
    compgen -G "$raw/debs/${p}_${v//:/%3a}_*.deb" >/dev/null \
      || { echo "error: could not download $pv. Run 'apt-get update' and try again." >&2; exit 2; }
  done
fi

echo "corpus: cleaning (scripts/corpus/english.py)" >&2
/usr/bin/python3 "$helper" build "$raw/debs" "$raw"
rm -rf "$shards"
"$root/proxylaw" tokenize "$raw/english.jsonl" --format jsonl --field text --tokenizer byte --val-fraction 0.01 \
  --out "$shards"
echo "$want" > "$raw/BUILT"
echo "corpus: built $shards in $(( $(date +%s) - start )) s; sources and licences in $raw/SOURCES.tsv" >&2
