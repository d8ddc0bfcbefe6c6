#!/usr/bin/env bash
# shellcheck shell=bash
# Benchmark: `htguard why` on one request and `htguard map` of a whole tree, on the
# 1,000-vhost Apache tree and the 1,000-server nginx tree (issue 16 targets: why under
# 100 ms, map under 1 s). Prints one Markdown table.
#
#   benches/why_map.sh [APACHE_TREE] [NGINX_TREE]
#
# Trees default to /work/baseline/trees/{apache1000,nginx1000}; make them with
#   source benches/apache.sh && apache_make_tree /tmp/apache1000 1000 10
#   benches/gen/nginx_tree.sh /tmp/nginx1000 1000 10
# HTGUARD=path picks the binary (default: target/release/htguard, built if missing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
apache=${1:-/work/baseline/trees/apache1000}
nginx=${2:-/work/baseline/trees/nginx1000}
htguard=${HTGUARD:-$root/target/release/htguard}
[[ -x $htguard ]] || (cd "$root" && cargo build --release --quiet)
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 2; }
json=$(mktemp -d)
trap 'rm -rf "$json"' EXIT
# The last vhost/server of the tree: the worst case for a linear search.
a_last=$(ls "$apache/conf/vhosts" | sort | tail -1)
a_host=$(awk '/ServerName/ {print $2; exit}' "$apache/conf/vhosts/$a_last")
a_port=$(awk '/<VirtualHost/ {sub(/.*:/, "", $2); sub(/>/, "", $2); print $2; exit}' "$apache/conf/vhosts/$a_last")
n_last=$(ls "$nginx/sites" | sort | tail -1)
n_host=$(awk '/server_name/ {sub(/;/, "", $2); print $2; exit}' "$nginx/sites/$n_last")
n_port=$(awk '/listen/ {sub(/;/, "", $2); sub(/.*:/, "", $2); print $2; exit}' "$nginx/sites/$n_last")
n=0
run() { # name command
  n=$((n + 1))
  hyperfine -N --warmup 2 --runs "${RUNS:-15}" --ignore-failure --export-json "$json/$n.json" "$2" >/dev/null
  python3 - "$json/$n.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"| {sys.argv[2]} | {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f} | {r['min']*1000:.1f} | {r['max']*1000:.1f} |")
PY
}
echo "| Command | Mean [ms] | Min [ms] | Max [ms] |"
echo "|:---|---:|---:|---:|"
run "why https://$a_host:$a_port/admin/x (apache1000)" \
  "$htguard why https://$a_host:$a_port/admin/x $apache/conf/httpd.conf --server-root $apache"
run "map (apache1000)" "$htguard map $apache/conf/httpd.conf --server-root $apache"
run "why http://$n_host:$n_port/area1/x (nginx1000)" \
  "$htguard why http://$n_host:$n_port/area1/x $nginx/nginx.conf --prefix $nginx/"
run "map (nginx1000)" "$htguard map $nginx/nginx.conf --prefix $nginx/"
run "check (apache1000, for scale)" "$htguard check $apache/conf/httpd.conf"
