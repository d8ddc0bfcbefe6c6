#!/usr/bin/env bash
# shellcheck shell=bash
# Benchmark group "scaling": how the time of `htguard check` grows with the tree.
#
#   benches/scaling.sh [--quick]     (runs this group alone through benches/run.sh)
#   benches/run.sh scaling
#
# nginx trees (benches/gen/nginx_tree.sh) and Apache trees (benches/gen/apache_tree.py)
# of 250, 1,000 and 4,000 servers/vhosts (--quick: 25, 100, 400), each server with 10
# protected areas naming 10 distinct password files: 40,000 password files at the top
# size. Every size is timed beside the server's own `-t` in one hyperfine call; the table
# gives the median time and its ratio to the size before: 4 is linear growth, 16 quadratic.

# Writes the tree of one size and prints the two commands to time (label, command) as
# four lines: htguard's first, the server's `-t` second.
scaling_tree() {
  local server=$1 n=$2 tree=$3
  case $server in
    nginx)
      bash "$BENCHES/gen/nginx_tree.sh" "$tree" "$n" 10 10 >/dev/null
      printf '%s\n' "htguard check" "'$HTGUARD' check --nginx-config '$tree/nginx.conf' >/dev/null" \
        "nginx -t" "nginx -t -q -p '$tree/' -c '$tree/nginx.conf' -e '$tree/error.log'"
      ;;
    apache)
      apache_make_tree "$tree" "$n" 10 10 >&2
      printf '%s\n' "htguard check" "'$HTGUARD' check '$tree/conf/httpd.conf' >/dev/null" \
        "apache2 -t" "apache2 -t -f '$tree/conf/httpd.conf' >/dev/null 2>&1"
      ;;
  esac
}

# Seconds one `htguard check` may take before its larger sizes are skipped (a quadratic
# step can take minutes at 4,000 servers), and past which it is run only once.
SCALING_LIMIT=${SCALING_LIMIT:-120}
SCALING_ONCE=${SCALING_ONCE:-10}

# Times one size: prints "SERVERS<TAB>htguard seconds<TAB>runs<TAB>peer seconds" (median
# of hyperfine's runs; htguard "-" when it ran past the limit).
scaling_size() {
  local server=$1 n=$2 tree=$3 cmds=() start took code=0 json="$BENCH_WORK/scaling.json"
  mapfile -t cmds < <(scaling_tree "$server" "$n" "$tree")
  start=$(date +%s.%N)
  # check exits 1 when it has findings: a complete run all the same.
  timeout "$SCALING_LIMIT" sh -c "${cmds[1]}" || code=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  [[ $code -le 1 ]] || log "  htguard check: exit $code"
  if [[ $code -gt 1 ]]; then
    hyperfine --style none --warmup 1 --min-runs 3 --export-json "$json" -n "${cmds[2]}" "${cmds[3]}" >&2
    python3 -c 'import json,sys; print(sys.argv[2], "-", 0, json.load(open(sys.argv[1]))["results"][0]["median"], sep="\t")' "$json" "$n"
  elif (($(echo "$took > $SCALING_ONCE" | bc))); then
    hyperfine --style none --warmup 1 --min-runs 3 --export-json "$json" -n "${cmds[2]}" "${cmds[3]}" >&2
    python3 -c 'import json,sys; print(sys.argv[2], sys.argv[3], 1, json.load(open(sys.argv[1]))["results"][0]["median"], sep="\t")' "$json" "$n" "$took"
  else
    hyperfine --style none --warmup 1 --min-runs 3 --ignore-failure --export-json "$json" \
      -n "${cmds[0]}" "${cmds[1]}" -n "${cmds[2]}" "${cmds[3]}" >&2
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(sys.argv[2], r[0]["median"], len(r[0]["times"]), r[1]["median"], sep="\t")' "$json" "$n"
  fi
}

# One table: the sizes of one server, timed one size after the other.
scaling_server() {
  local server=$1 what=$2 peer=$3 n tree
  shift 3
  local rows="$BENCH_WORK/scaling-$server.tsv"
  : >"$rows"
  bench_begin "Check $what trees of $(fmt_int "$1") to $(fmt_int "${*: -1}") servers, 10 distinct password files each"
  md "" "### $_TASK_TITLE" ""
  log "$_TASK_TITLE"
  for n in "$@"; do
    tree="$BENCH_WORK/scaling-$server-$n"
    log "  $(fmt_int "$n") servers, $(fmt_int $((n * 10))) password files"
    if grep -q $'\t-\t' "$rows"; then
      # A smaller size ran past the limit: this one would too.
      printf '%s\t-\t0\t-\n' "$n" >>"$rows"
      continue
    fi
    scaling_size "$server" "$n" "$tree" >>"$rows"
    rm -rf "$tree"
  done
  python3 - "$rows" "$peer" "$SCALING_LIMIT" >>"$RESULTS_TMP" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().split("\n") if line]
peer, limit = sys.argv[2], sys.argv[3]
print(f"| Servers | Password files | `htguard check` median | × per 4× step | `{peer}` median | × per 4× step |")
print("|---:|---:|---:|---:|---:|---:|")

def ms(t):
    return f"{float(t) * 1000:,.0f} ms"

def ratio(now, before):
    if before is None or "-" in (now, before):
        return ""
    return f"{float(now) / float(before):.2f}"

prev = (None, None)
for n, ours, runs, theirs in rows:
    n = int(n)
    shown = f"over {limit} s (not timed)" if ours == "-" else ms(ours) + (" (1 run)" if runs == "1" else "")
    print(f"| {n:,} | {n * 10:,} | {shown} | {ratio(ours, prev[0])} "
          f"| {'' if theirs == '-' else ms(theirs)} | {ratio(theirs, prev[1])} |")
    prev = (ours, theirs)
PY
}

group_scaling() {
  local sizes
  read -r -a sizes <<<"$(pick "25 100 400" "250 1000 4000")"
  ensure_packages nginx:/usr/sbin/nginx apache2:/usr/sbin/apache2 apache2-utils:/usr/bin/htpasswd
  # The worker user (www-data) must reach the password files, as on a real server.
  chmod o+x "$BENCH_WORK"
  section "Scaling" \
    "Trees of growing size, each server with 10 protected areas naming 10 distinct password files of 10 users. \
The ratio is the median time at one size over the median at the size before it (4× the servers): \
4 is linear growth. The server's own \`-t\` (syntax and includes, never a password file) is the peer."
  scaling_server nginx nginx "nginx -t" "${sizes[@]}"
  note "nginx: each server a file of its own with 10 \`location ^~ /areaN/\` blocks, each naming its own password file."
  scaling_server apache Apache "apache2 -t" "${sizes[@]}"
  note "Apache: each vhost with a \`<Location>\` and 10 \`.htaccess\` files with auth, each area naming one of the vhost's 10 password files."
}

# Run directly: hand over to the runner with this group.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  exec "$(dirname "$0")/run.sh" scaling "$@"
fi
