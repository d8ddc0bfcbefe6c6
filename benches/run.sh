#!/usr/bin/env bash
# htguard benchmarks, each beside the tool admins use today, in the same run.
#
#   benches/run.sh [--quick] [--out FILE] [--list] [GROUP...]
#
# Builds htguard in release mode (or uses $HTGUARD if set), runs the named
# groups (default: all) and writes Markdown tables to benches/RESULTS.md.
# --quick uses small sizes for a smoke run and writes target/bench-quick.md
# instead, so a quick run never replaces the published numbers.
#
# Groups are shell functions named group_NAME. benches/lib/*.sh holds the
# framework (bench.sh: the API groups use, documented there) and built-in
# groups (passwd.sh); any other benches/*.sh (e.g. apache.sh, nginx.sh) is
# sourced too, so a new group is one file defining group_NAME.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCHES="$ROOT/benches"

# shellcheck source=benches/lib/bench.sh
source "$BENCHES/lib/bench.sh"
# Groups are found at run time.
for f in "$BENCHES"/lib/*.sh "$BENCHES"/*.sh; do
  case $f in
    */lib/bench.sh | */run.sh | */compare.sh | */why_map.sh) continue ;; # commands, not groups
  esac
  # shellcheck disable=SC1090
  [[ -f $f ]] && source "$f"
done

available_groups() {
  declare -F | awk '{ print $3 }' | sed -n 's/^group_//p' |
    awk '$0 == "passwd" { print 0, $0; next } { print 1, $0 }' | sort | cut -d' ' -f2
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  echo "groups: $(available_groups | tr '\n' ' ')"
}

OUT=""
selected=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) BENCH_QUICK=1 ;;
    --out) OUT=${2:?--out needs a file}; shift ;;
    --list) available_groups; exit 0 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) selected+=("$1") ;;
  esac
  shift
done
if [[ ${#selected[@]} -eq 0 ]]; then
  mapfile -t selected < <(available_groups)
fi
for g in "${selected[@]}"; do
  declare -F "group_$g" >/dev/null || die "unknown group '$g' (have: $(available_groups | tr '\n' ' '))"
done
if [[ -z $OUT ]]; then
  OUT=$([[ $BENCH_QUICK == 1 ]] && echo "$ROOT/target/bench-quick.md" || echo "$BENCHES/RESULTS.md")
fi
export BENCH_QUICK

ensure_packages hyperfine:/usr/bin/hyperfine time:/usr/bin/time \
  apache2-utils:/usr/bin/htpasswd openssl:/usr/bin/openssl

BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/htguard-bench.XXXXXX")
# mktemp makes it 0700: the servers' worker user (www-data) could not reach the trees'
# password files, and `htguard check` would time a report of that, not a healthy tree.
chmod 755 "$BENCH_WORK"
trap 'rm -rf "$BENCH_WORK"' EXIT
export BENCH_WORK

if [[ -z ${HTGUARD:-} ]]; then
  log "building htguard (release)"
  locked=()
  [[ -f $ROOT/Cargo.lock ]] && locked=(--locked)
  (cd "$ROOT" && cargo build --release "${locked[@]}" --bin htguard)
  HTGUARD="$ROOT/target/release/htguard"
fi
[[ -x $HTGUARD ]] || die "htguard binary not found at $HTGUARD"
export HTGUARD

results_init
{
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  utils=$(dpkg-query -W -f '${Version}' apache2-utils 2>/dev/null || echo unknown)
  md "# htguard benchmarks" ""
  [[ $BENCH_QUICK == 1 ]] && md "**Quick run: small sizes, for a smoke test only.**" ""
  md "Made by \`benches/run.sh$([[ $BENCH_QUICK == 1 ]] && echo ' --quick')\` on $(date -u +%Y-%m-%d):" \
    "${cpu:-unknown CPU}, $(nproc) cores, $mem RAM; $(. /etc/os-release && echo "$PRETTY_NAME")." \
    "htguard $("$HTGUARD" --version 2>/dev/null | awk '{ print $2 }') (commit $commit), apache2-utils $utils," \
    "$(hyperfine --version)." "" \
    "Times are wall-clock means of several runs with a warm file cache (hyperfine); lower is better." \
    "A row reading \"n/a (command failed)\" is a command that did not succeed on this build; the reason follows its table."
}

for g in "${selected[@]}"; do
  "group_$g"
done

mkdir -p "$(dirname "$OUT")"
cp "$RESULTS_TMP" "$OUT"
log "results written to $OUT"
