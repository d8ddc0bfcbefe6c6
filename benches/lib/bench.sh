# shellcheck shell=bash
# Benchmark framework for benches/run.sh: timing with hyperfine, peak memory
# with GNU time, results as Markdown. Sourced, never run.
#
# What a group (a function named group_NAME, in benches/lib/NAME.sh or
# benches/NAME.sh) can use:
#   $BENCH_QUICK   1 in --quick mode (small sizes), else 0
#   $BENCH_WORK    scratch dir, removed when the run ends
#   $HTGUARD       the release htguard binary
#   pick SMALL LARGE            echo SMALL in --quick mode, LARGE otherwise
#   fmt_int N                   1000000 -> 1,000,000
#   section TITLE [TEXT...]     "## TITLE" and a paragraph per TEXT in RESULTS.md
#   note TEXT                   a paragraph in RESULTS.md
#   bench_begin TITLE           start a task table ("### TITLE")
#   bench_prepare CMD           run CMD before every timed run of this task
#   bench_cmd [--ok CODES] LABEL CMD
#                               a row: CMD runs in sh; CODES (default 0, e.g.
#                               0,1) are the exit codes that count as success
#   bench_run [HYPERFINE-OPTS]  probe each row once, time the working rows in
#                               one hyperfine call, write the table; a row whose
#                               probe fails reads "n/a (command failed)"
#   bench_rss [--ok CODES] LABEL CMD [REF_BYTES]
#                               peak RSS of one run of CMD into the RSS table;
#                               with REF_BYTES also the ratio to that size
#   rss_table_begin TITLE / rss_table_end

BENCH_QUICK=${BENCH_QUICK:-0}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'benches: %s\n' "$*" >&2; exit 1; }

pick() { if [[ $BENCH_QUICK == 1 ]]; then echo "$1"; else echo "$2"; fi; }

fmt_int() { printf '%d\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# Installs Debian packages when a file they provide is missing (as root, or
# with passwordless sudo).
ensure_packages() {
  local entry pkg file missing=()
  for entry in "$@"; do
    pkg=${entry%%:*}
    file=${entry#*:}
    [[ -e $file ]] || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}; install them as root"
    sudo=(sudo -n)
  fi
  log "installing ${missing[*]}"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# ---------------------------------------------------------------- output --

RESULTS_TMP=""

results_init() {
  RESULTS_TMP="$BENCH_WORK/RESULTS.md"
  : >"$RESULTS_TMP"
}

md() { printf '%s\n' "$@" >>"$RESULTS_TMP"; }

section() {
  local title=$1
  shift
  md "" "## $title"
  local p
  for p in "$@"; do md "" "$p"; done
}

note() { md "" "$1"; }

# ----------------------------------------------------------------- tasks --

_TASK_TITLE=""
_TASK_PREPARE=""
_TASK_LABELS=()
_TASK_CMDS=()
_TASK_OK=()

bench_begin() {
  _TASK_TITLE=$1
  _TASK_PREPARE=""
  _TASK_LABELS=()
  _TASK_CMDS=()
  _TASK_OK=()
}

bench_prepare() { _TASK_PREPARE=$1; }

bench_cmd() {
  local ok=0
  if [[ $1 == --ok ]]; then
    ok=$2
    shift 2
  fi
  _TASK_LABELS+=("$1")
  _TASK_CMDS+=("$2")
  _TASK_OK+=("$ok")
}

# True when exit code $1 is in the comma-separated list $2.
_code_ok() { [[ ",$2," == *",$1,"* ]]; }

bench_run() {
  log "$_TASK_TITLE"
  local args=(--style basic --export-markdown "$BENCH_WORK/table.md")
  local failed=() failed_why=() i code err ignore=0
  [[ -n $_TASK_PREPARE ]] && args+=(--prepare "$_TASK_PREPARE")
  local timed=0
  for i in "${!_TASK_CMDS[@]}"; do
    if [[ -n $_TASK_PREPARE ]]; then
      sh -c "$_TASK_PREPARE" >/dev/null 2>&1 || die "prepare failed: $_TASK_PREPARE"
    fi
    code=0
    sh -c "${_TASK_CMDS[$i]}" >/dev/null 2>"$BENCH_WORK/probe.err" || code=$?
    if _code_ok "$code" "${_TASK_OK[$i]}"; then
      args+=(-n "${_TASK_LABELS[$i]}" "${_TASK_CMDS[$i]}")
      [[ $code -ne 0 ]] && ignore=1
      timed=$((timed + 1))
    else
      err=$(grep -m1 . "$BENCH_WORK/probe.err" | cut -c1-160 || true)
      log "  ${_TASK_LABELS[$i]}: exit $code${err:+: $err} -> n/a"
      failed+=("${_TASK_LABELS[$i]}")
      failed_why+=("exit $code${err:+: $err}")
    fi
  done
  [[ $ignore == 1 ]] && args+=(--ignore-failure)
  md "" "### $_TASK_TITLE" ""
  if [[ $timed -gt 0 ]]; then
    hyperfine "${args[@]}" "$@" >&2 || die "hyperfine failed on: $_TASK_TITLE"
    cat "$BENCH_WORK/table.md" >>"$RESULTS_TMP"
  else
    md "| Command | Mean | Min | Max | Relative |" "|:---|---:|---:|---:|---:|"
  fi
  for i in "${!failed[@]}"; do
    md "| \`${failed[$i]}\` | n/a (command failed) | | | |"
  done
  for i in "${!failed[@]}"; do
    md "" "- \`${failed[$i]}\`: ${failed_why[$i]//|/\\|}"
  done
}

# ------------------------------------------------------------ peak memory --

rss_table_begin() {
  md "" "### $1" "" "| Command | Peak RSS | Input size | RSS / input |" "|:---|---:|---:|---:|"
}

bench_rss() {
  local ok=0
  if [[ $1 == --ok ]]; then
    ok=$2
    shift 2
  fi
  local label=$1 cmd=$2 ref=${3:-} code=0 kb
  log "peak RSS: $label"
  /usr/bin/time -f '%M' -o "$BENCH_WORK/rss" sh -c "$cmd" >/dev/null 2>"$BENCH_WORK/probe.err" || code=$?
  kb=$(tail -n1 "$BENCH_WORK/rss")
  if ! _code_ok "$code" "$ok" || [[ ! $kb =~ ^[0-9]+$ ]]; then
    md "| \`$label\` | n/a (command failed) | | |"
    return
  fi
  local size="" ratio=""
  if [[ -n $ref ]]; then
    size="$(awk -v b="$ref" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
    ratio="$(awk -v k="$kb" -v b="$ref" 'BEGIN { printf "%.2fx", k * 1024 / b }')"
  fi
  md "| \`$label\` | $(awk -v k="$kb" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $size | $ratio |"
}

rss_table_end() { :; }
