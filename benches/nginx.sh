# shellcheck shell=bash
# Benchmark group "nginx": `htguard check` on a large nginx tree beside `nginx -t`,
# crossplane (parse to JSON) and gixy (nginx static analyser), same tree, same run.
#
#   benches/run.sh nginx            (this file is a group of benches/run.sh)
#
# The tree (benches/gen/nginx_tree.sh): 1,000 server files, 10,000 auth_basic locations,
# valid for `nginx -t`. crossplane and gixy come from PyPI into a throwaway virtualenv
# under $BENCH_WORK (removed with it); $NGINX_BENCH_VENV reuses an existing one.

nginx_bench_venv() {
  local venv=${NGINX_BENCH_VENV:-$BENCH_WORK/venv}
  if [[ ! -x $venv/bin/crossplane || ! -x $venv/bin/gixy ]]; then
    log "installing crossplane and gixy into $venv"
    python3 -m venv "$venv" >&2 || return 1
    "$venv/bin/pip" install -q crossplane gixy >&2 || return 1
  fi
  echo "$venv"
}

group_nginx() {
  local servers per tree venv locations files
  servers=$(pick 100 1000)
  per=10
  tree="$BENCH_WORK/nginx-tree"
  # mktemp made the work dir 0700: let the worker user (www-data) reach the user file,
  # as on a real server, or every location is (rightly) reported unreadable.
  chmod o+x "$BENCH_WORK"
  log "generating $servers server files x $per auth_basic locations"
  bash "$BENCHES/gen/nginx_tree.sh" "$tree" "$servers" "$per" >/dev/null
  locations=$((servers * per))
  files=$(find "$tree" -name '*.conf' | wc -l)
  nginx -t -q -p "$tree/" -c "$tree/nginx.conf" -e "$tree/error.log" ||
    die "the generated tree does not pass nginx -t"

  section "nginx configuration" \
    "A generated tree (\`benches/gen/nginx_tree.sh\`): nginx.conf including $(fmt_int "$servers") server files \
($(fmt_int "$files") files), $(fmt_int "$locations") \`location ^~ /areaN/\` blocks with \`auth_basic\` and \
\`auth_basic_user_file\`, each with a nested PHP location, plus a PHP and a \`.ht\` location per server. \
\`nginx -t\` checks syntax and includes (never the user files); crossplane only parses to JSON; \
gixy runs its plugins; \`htguard check\` parses, follows includes, builds the coverage model, \
runs every rule (location precedence, rewrites, user files, permissions) and the password-file rules."

  venv=$(nginx_bench_venv) || venv=""
  bench_begin "Check $(fmt_int "$locations") auth_basic locations in $(fmt_int "$servers") server files"
  bench_cmd "htguard check" "'$HTGUARD' check --nginx-config '$tree/nginx.conf' >/dev/null"
  bench_cmd "htguard map" "'$HTGUARD' map '$tree/nginx.conf' >/dev/null"
  # One request asked of the nginx evaluator in every server (map --uri), and of one
  # server the way `why` asks it (when the binary has `why`).
  bench_cmd "htguard map --uri" "'$HTGUARD' map --uri /area5/index.php '$tree/nginx.conf' >/dev/null"
  if "$HTGUARD" why --help >/dev/null 2>&1; then
    bench_cmd "htguard why" "'$HTGUARD' why http://s$((servers / 2)).example.com:8080/area5/ --nginx-config '$tree/nginx.conf' >/dev/null"
  fi
  bench_cmd "nginx -t" "nginx -t -q -p '$tree/' -c '$tree/nginx.conf' -e '$tree/error.log'"
  if [[ -n $venv ]]; then
    bench_cmd "crossplane parse" "'$venv/bin/crossplane' parse '$tree/nginx.conf' -o /dev/null"
    bench_cmd --ok 0,1 "gixy" "'$venv/bin/gixy' '$tree/nginx.conf' >/dev/null"
  else
    note "crossplane and gixy could not be installed (no network?): their rows are missing."
  fi
  bench_run --warmup 1 --min-runs 5

  # The same tree, but each location names a password file of its own: the rules that
  # compare user files with servers see 10,000 files instead of one.
  local distinct="$BENCH_WORK/nginx-tree-distinct"
  log "generating $servers server files x $per locations, $(fmt_int "$locations") distinct password files"
  bash "$BENCHES/gen/nginx_tree.sh" "$distinct" "$servers" "$per" "$per" >/dev/null
  nginx -t -q -p "$distinct/" -c "$distinct/nginx.conf" -e "$distinct/error.log" ||
    die "the generated tree does not pass nginx -t"
  bench_begin "Check $(fmt_int "$locations") auth_basic locations naming $(fmt_int "$locations") distinct password files"
  bench_cmd --ok 0,1 "htguard check" "'$HTGUARD' check --nginx-config '$distinct/nginx.conf' >/dev/null"
  bench_cmd "nginx -t" "nginx -t -q -p '$distinct/' -c '$distinct/nginx.conf' -e '$distinct/error.log'"
  if [[ -n $venv ]]; then
    bench_cmd "crossplane parse" "'$venv/bin/crossplane' parse '$distinct/nginx.conf' -o /dev/null"
  fi
  bench_run --warmup 1 --min-runs 3
  note "As the tree above, each of the $(fmt_int "$locations") locations naming its own password file \
(\`benches/gen/nginx_tree.sh DIR $servers $per $per\`). \`htguard check\` reads and checks every one of them."
}

# Run directly: hand over to the runner with this group.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  exec "$(dirname "$0")/run.sh" nginx "$@"
fi
