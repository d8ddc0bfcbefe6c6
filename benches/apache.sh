#!/usr/bin/env bash
# shellcheck shell=bash
# Benchmark group "apache": `htguard check` of a whole Apache tree beside `apache2 -t`.
#
# The tree (benches/gen/apache_tree.py): 1,000 TLS vhosts with auth, 10,000 `.htaccess`
# files with auth and the 1,000 password files they name, valid for `apache2 -t`.
# `apache2 -t` parses the main config and the vhost files only: it never opens a
# `.htaccess` or a password file. htguard reads all 12,001 files and predicts every area.
#
# Run on its own:  benches/apache.sh [--quick]     (prints one Markdown table row)
# or as a group:   benches/run.sh apache
# On a machine shared with other tenants, compare within rounds instead (the README row):
#   source benches/apache.sh && apache_make_tree /tmp/tree 1000 10
#   benches/interleave.py --rounds 150 'apache2 -t=apache2 -t -f /tmp/tree/conf/httpd.conf' \
#     'htguard=target/release/htguard check /tmp/tree/conf/httpd.conf'

# Generates the tree into $1 (sizes: $2 vhosts, $3 .htaccess per vhost, $4 distinct
# password files per vhost, default 1).
apache_make_tree() {
  local out=$1 vhosts=$2 per=$3 files=${4:-1} here hash
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  hash=$(htpasswd -nbB -C 10 u pw | cut -d: -f2)
  rm -rf "$out"
  python3 "$here/gen/apache_tree.py" "$out" --vhosts "$vhosts" --htaccess-per-vhost "$per" \
    --passwd-files-per-vhost "$files" --hash "$hash"
  apache2 -t -f "$out/conf/httpd.conf" >/dev/null 2>&1 || {
    echo "benches/apache.sh: the generated tree fails apache2 -t" >&2
    apache2 -t -f "$out/conf/httpd.conf" >&2
    return 1
  }
}

group_apache() {
  local vhosts per tree
  vhosts=$(pick 100 1000)
  per=10
  tree="$BENCH_WORK/apache-tree"
  ensure_packages apache2:/usr/sbin/apache2 apache2-utils:/usr/bin/htpasswd
  log "generating $(fmt_int "$vhosts") vhosts, $(fmt_int $((vhosts * per))) .htaccess files"
  apache_make_tree "$tree" "$vhosts" "$per"
  section "Apache tree" \
    "$(fmt_int "$vhosts") TLS vhosts with auth, $(fmt_int $((vhosts * per))) \`.htaccess\` files with auth and the $(fmt_int "$vhosts") password files they name. \
\`apache2 -t\` syntax-checks the main config and vhost files only (it never opens a \`.htaccess\` or a password file); \
\`htguard check\` reads all of them and predicts every protected area."
  bench_begin "Check a tree of $(fmt_int "$vhosts") vhosts and $(fmt_int $((vhosts * per))) .htaccess files"
  bench_cmd "apache2 -t -f httpd.conf" "apache2 -t -f '$tree/conf/httpd.conf' >/dev/null 2>&1"
  bench_cmd --ok 0,1 "htguard check httpd.conf" "'$HTGUARD' check '$tree/conf/httpd.conf' >/dev/null"
  bench_run --warmup 1
}

# Stand-alone: build, generate, time both with hyperfine, print one Markdown row.
apache_standalone() {
  set -euo pipefail
  local root quick=0 vhosts=1000 work htguard json a h
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  [[ ${1:-} == --quick ]] && quick=1 && vhosts=100
  command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 2; }
  htguard=${HTGUARD:-}
  if [[ -z $htguard ]]; then
    (cd "$root" && cargo build --release --quiet)
    htguard="$root/target/release/htguard"
  fi
  work=$(mktemp -d)
  chmod 755 "$work" # the worker user (www-data) must reach the password files
  APACHE_BENCH_WORK=$work
  trap 'rm -rf "$APACHE_BENCH_WORK"' EXIT
  apache_make_tree "$work/tree" "$vhosts" 10
  json="$work/times.json"
  hyperfine --style none --warmup 1 --runs 10 --export-json "$json" \
    -n apache2 "apache2 -t -f '$work/tree/conf/httpd.conf'" \
    -n htguard "'$htguard' check '$work/tree/conf/httpd.conf' >/dev/null" >&2
  read -r a h < <(python3 -c "
import json,sys
r={x['command']:x for x in json.load(open('$json'))['results']}
print('%.0f %.0f' % (r['apache2']['mean']*1000, r['htguard']['mean']*1000))")
  echo "| tree | apache2 -t (main config + vhosts) | htguard check (everything) | ratio |"
  echo "|---|---|---|---|"
  echo "| $vhosts vhosts, $((vhosts * 10)) .htaccess, $vhosts password files | ${a} ms | ${h} ms | $(python3 -c "print('%.1fx' % ($h/$a))") |"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  apache_standalone "$@"
fi
