#!/usr/bin/env bash
# Before/after: two (or more) htguard binaries on every bench task, in the same run.
#
#   benches/compare.sh [--quick] [--rounds N] [--only TASK,...] [--inputs DIR] NAME=BINARY...
#
# For a change that should make something faster (or must not make anything slower).
# Each task runs every binary once per round, back to back (benches/interleave.py), so
# load from other tenants of a shared machine hits all binaries alike; the table compares
# within rounds (ratio to the first binary, median of rounds). Each binary's user-space
# instructions for one run of the task follow (valgrind's cachegrind, with one rayon
# thread so that no idle worker's spinning is counted): a count that load does not change.
# The inputs are those of benches/run.sh (1,000,000-line apr1 file, Apache tree of 1,000
# vhosts, nginx trees of 1,000 servers) plus the largest Apache scaling tree (4,000 vhosts,
# 40,000 password files). Tasks: verify set import bcrypt passwd-check apache nginx-check
# nginx-map nginx-distinct apache-scaling. Output: Markdown on stdout. --inputs DIR keeps
# the generated inputs in DIR (0755) and reuses those already there on the next run.
set -euo pipefail

BENCHES=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=benches/lib/bench.sh
source "$BENCHES/lib/bench.sh"
# shellcheck source=benches/lib/passwd.sh
source "$BENCHES/lib/passwd.sh"
# shellcheck source=benches/apache.sh
source "$BENCHES/apache.sh"

ROUNDS=""
ONLY=""
INPUTS=""
bins=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) BENCH_QUICK=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --only) ONLY=${2:?}; shift ;;
    --inputs) INPUTS=${2:?}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *=*) bins+=("$1") ;;
    *) die "expected NAME=BINARY, got '$1'" ;;
  esac
  shift
done
[[ ${#bins[@]} -ge 2 ]] || die "give at least two NAME=BINARY"

BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/htguard-compare.XXXXXX")
chmod 755 "$BENCH_WORK" # the worker user (www-data) must reach the password files
trap 'rm -rf "$BENCH_WORK"' EXIT
W=$BENCH_WORK
if [[ -n $INPUTS ]]; then
  mkdir -p "$INPUTS"
  chmod 755 "$INPUTS"
  W=$(cd "$INPUTS" && pwd)
fi
# Generates input $1 (a path under $W) with the rest of the arguments, unless it is there.
input() {
  local path=$1
  shift
  [[ -e $path ]] || "$@"
}

wanted() { [[ -z $ONLY || ",$ONLY," == *",$1,"* ]]; }

# task NAME ROUNDS COUNT TITLE COMMAND (COMMAND: `sh -c` text in which @BIN@ stands for
# the binary and @NAME@ for its name; COUNT: 1 to count instructions).
task() {
  local name=$1 rounds=${ROUNDS:-$2} count=$3 title=$4 cmd=$5 args=() spec bin
  wanted "$name" || return 0
  log "$title"
  for spec in "${bins[@]}"; do
    args+=("${spec%%=*}=sh -c $(printf '%q' "$(for_binary "$spec" "$cmd")")")
  done
  printf '\n### %s\n\n' "$title"
  python3 "$BENCHES/interleave.py" --rounds "$rounds" --warmup 1 --ok 0,1 "${args[@]}" |
    tail -n +3
  [[ $count == 1 ]] || return 0
  printf '\nInstructions (one run):'
  for spec in "${bins[@]}"; do
    printf ' `%s` %s M;' "${spec%%=*}" "$(instructions "$(for_binary "$spec" "$cmd")")"
  done
  printf '\n'
}

# The command of a task for one NAME=BINARY.
for_binary() {
  local name=${1%%=*} bin cmd
  bin=$(readlink -f "${1#*=}")
  cmd=${2//@BIN@/$bin}
  printf '%s' "${cmd//@NAME@/$name}"
}

instructions() {
  RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    --trace-children=yes sh -c "$1" 2>&1 >/dev/null |
    awk '/I *refs:/ { gsub(",", "", $NF); s += $NF } END { printf "%.1f", s / 1e6 }'
}

lines=$(pick 10000 1000000)
vhosts=$(pick 100 1000)
servers=$(pick 100 1000)
import_n=$(pick 200 10000)
scale=$(pick 400 4000)

if wanted verify || wanted set || wanted passwd-check; then
  log "generating a $(fmt_int "$lines")-line apr1 file"
  input "$W/big" make_apr1_file "$W/big" "$lines"
fi
printf 'pw\n' >"$W/pw"
printf 'pw2\n' >"$W/pw2"
if wanted import; then
  awk -v n="$import_n" 'BEGIN { for (i = 1; i <= n; i++) printf "imp%d:password-%d\n", i, i }' >"$W/import.txt"
fi
if wanted apache; then input "$W/apache" apache_make_tree "$W/apache" "$vhosts" 10 >&2; fi
if wanted apache-scaling; then
  input "$W/apache-scaling" apache_make_tree "$W/apache-scaling" "$scale" 10 10 >&2
fi
if wanted nginx-check || wanted nginx-map; then
  input "$W/nginx" bash "$BENCHES/gen/nginx_tree.sh" "$W/nginx" "$servers" 10 >/dev/null
fi
if wanted nginx-distinct; then
  input "$W/nginx-distinct" bash "$BENCHES/gen/nginx_tree.sh" "$W/nginx-distinct" "$servers" 10 10 >/dev/null
fi

echo "# Before/after ($(date -u +%Y-%m-%d), $(nproc) cores): ${bins[*]%%=*}"
last="user$lines"
task verify 40 1 "Verify the last user of a $(fmt_int "$lines")-line file" \
  "@BIN@ user verify '$W/big' $last --stdin <'$W/pw'"
# Each binary edits its own copy, setting the same password every run: the file keeps its size.
if wanted set; then
  for spec in "${bins[@]}"; do cp "$W/big" "$W/set-${spec%%=*}"; done
fi
task set 20 1 "Change the password of the last user of a $(fmt_int "$lines")-line file" \
  "@BIN@ user set '$W/set-@NAME@' $last --stdin --scheme apr1 <'$W/pw2'"
task import 3 0 "Import $(fmt_int "$import_n") users (apr1) into an empty file" \
  ": >'$W/import-@NAME@' && @BIN@ user import '$W/import-@NAME@' '$W/import.txt' --scheme apr1"
task bcrypt 5 0 "One bcrypt hash at cost 12" "@BIN@ hash u --scheme bcrypt --cost 12 --stdin <'$W/pw'"
task passwd-check 40 1 "htguard check on the $(fmt_int "$lines")-line file" "@BIN@ check '$W/big' >/dev/null"
task apache 40 1 "Check a tree of $(fmt_int "$vhosts") vhosts and $(fmt_int $((vhosts * 10))) .htaccess files" \
  "@BIN@ check '$W/apache/conf/httpd.conf' >/dev/null"
task nginx-check 40 1 "Check $(fmt_int $((servers * 10))) auth_basic locations in $(fmt_int "$servers") server files" \
  "@BIN@ check --nginx-config '$W/nginx/nginx.conf' >/dev/null"
task nginx-map 40 1 "Map $(fmt_int $((servers * 10))) auth_basic locations in $(fmt_int "$servers") server files" \
  "@BIN@ map '$W/nginx/nginx.conf' >/dev/null"
task nginx-distinct 5 0 "Check $(fmt_int $((servers * 10))) auth_basic locations naming $(fmt_int $((servers * 10))) distinct password files" \
  "@BIN@ check --nginx-config '$W/nginx-distinct/nginx.conf' >/dev/null"
task apache-scaling 10 1 "Check $(fmt_int "$scale") vhosts with $(fmt_int $((scale * 10))) distinct password files (scaling, top size)" \
  "@BIN@ check '$W/apache-scaling/conf/httpd.conf' >/dev/null"
