# shellcheck shell=bash
# Benchmark group "passwd": htguard's password-file commands beside Apache's
# htpasswd (apache2-utils), on the same files in the same run.

# Writes an N-line apr1 htpasswd file user1..userN, every hash of "pw". Only a
# few thousand distinct hashes are computed (apr1 costs ~1000 MD5 rounds each)
# and reused under distinct user names: what the tools under test do per line
# (parse, compare names) is the same, and generation takes seconds, not hours.
make_apr1_file() {
  local out=$1 lines=$2 distinct
  distinct=$(pick 500 4000)
  awk -v n="$distinct" 'BEGIN { for (i = 0; i < n; i++) print "pw" }' | openssl passwd -apr1 -stdin >"$BENCH_WORK/apr1-hashes"
  awk -v n="$lines" '{ h[c++] = $0 }
    END { for (i = 1; i <= n; i++) printf "user%d:%s\n", i, h[i % c] }' \
    "$BENCH_WORK/apr1-hashes" >"$out"
}

# A fast wrong answer is no result: when htguard wrote FILE, Apache's own
# htpasswd must accept USER/PASSWORD in it, or the table gets a warning.
output_verifies() {
  local what=$1 file=$2 user=$3 password=$4
  [[ -s $file ]] || return 0
  if ! htpasswd -vb "$file" "$user" "$password" >/dev/null 2>&1; then
    note "**Warning:** the file written by \`$what\` does not verify \`$user\` with \`htpasswd -v\`; its time above is not a valid result."
  fi
}

group_passwd() {
  local lines import_n cores dir last
  lines=$(pick 10000 1000000)
  import_n=$(pick 200 10000)
  cores=$(nproc)
  dir="$BENCH_WORK/passwd"
  mkdir -p "$dir"
  last="user$lines"
  printf 'pw\n' >"$dir/pw"
  printf 'pw2\n' >"$dir/pw2"

  log "generating a $(fmt_int "$lines")-line apr1 file"
  make_apr1_file "$dir/big" "$lines"
  htpasswd -vb "$dir/big" "$last" pw >/dev/null 2>&1 || die "generated file does not verify with htpasswd"
  local size
  size=$(stat -c %s "$dir/big")

  section "Password files" \
    "An apr1 htpasswd file of $(fmt_int "$lines") users ($(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }')); \
the user asked for is the last one, the worst case for a line-by-line scan. \
Passwords reach htguard on stdin (\`--stdin\`), as a script would pass them; \
\`htpasswd\` takes them from argv (\`-b\`)."

  bench_begin "Verify the last user of a $(fmt_int "$lines")-line file"
  bench_cmd "htpasswd -vb FILE $last pw" "htpasswd -vb '$dir/big' $last pw"
  bench_cmd "htguard user verify FILE $last --stdin" "'$HTGUARD' user verify '$dir/big' $last --stdin <'$dir/pw'"
  bench_run --warmup 1

  # Each tool edits its own copy; every run sets the same user again, so the
  # file keeps its size from run to run.
  cp "$dir/big" "$dir/set-htpasswd"
  cp "$dir/big" "$dir/set-htguard"
  bench_begin "Change the password of the last user of a $(fmt_int "$lines")-line file"
  bench_cmd "htpasswd -b FILE $last pw2" "htpasswd -b '$dir/set-htpasswd' $last pw2 2>/dev/null"
  bench_cmd "htguard user set FILE ${last} --stdin --scheme apr1" "'$HTGUARD' user set '$dir/set-htguard' $last --stdin --scheme apr1 <'$dir/pw2'"
  bench_run --warmup 1
  output_verifies "htguard user set" "$dir/set-htguard" "$last" pw2

  # user:password input; the reference row hashes the same passwords with
  # openssl on every core: the floor an import bound by hashing can reach.
  awk -v n="$import_n" 'BEGIN { for (i = 1; i <= n; i++) printf "imp%d:password-%d\n", i, i }' >"$dir/import.txt"
  cut -d: -f2 "$dir/import.txt" | split -n "r/$cores" - "$dir/import-pw."
  bench_begin "Import $(fmt_int "$import_n") users (apr1) into an empty file"
  bench_prepare ": >'$dir/import-htpasswd'; : >'$dir/import-htguard'"
  bench_cmd "htpasswd -bm, once per user" \
    "while IFS=: read -r u p; do htpasswd -bm '$dir/import-htpasswd' \"\$u\" \"\$p\" 2>/dev/null || exit 1; done <'$dir/import.txt'"
  bench_cmd "htguard user import FILE INPUT --scheme apr1" \
    "'$HTGUARD' user import '$dir/import-htguard' '$dir/import.txt' --scheme apr1"
  bench_cmd "reference: openssl passwd -apr1, the same $(fmt_int "$import_n") hashes on $cores cores" \
    "printf '%s\\n' '$dir'/import-pw.* | xargs -P $cores -I{} sh -c 'openssl passwd -apr1 -stdin <{} >/dev/null'"
  bench_run --runs "$(pick 2 3)"
  output_verifies "htguard user import" "$dir/import-htguard" "imp$import_n" "password-$import_n"

  bench_begin "One bcrypt hash at cost 12"
  bench_cmd "htpasswd -nbB -C 12 u pw" "htpasswd -nbB -C 12 u pw"
  bench_cmd "htguard hash u --scheme bcrypt --cost 12 --stdin" \
    "'$HTGUARD' hash u --scheme bcrypt --cost 12 --stdin <'$dir/pw'"
  bench_run --warmup 1 --runs "$(pick 3 10)"

  # check exits 1 when it has findings: still a complete run.
  bench_begin "htguard check on the $(fmt_int "$lines")-line file"
  bench_cmd "htpasswd -vb FILE $last pw (reference)" "htpasswd -vb '$dir/big' $last pw"
  bench_cmd --ok 0,1 "htguard check FILE" "'$HTGUARD' check '$dir/big'"
  bench_run --warmup 1

  rss_table_begin "Peak memory on the $(fmt_int "$lines")-line file"
  bench_rss "htpasswd -vb FILE $last pw" "htpasswd -vb '$dir/big' $last pw" "$size"
  bench_rss "htguard user verify FILE $last --stdin" "'$HTGUARD' user verify '$dir/big' $last --stdin <'$dir/pw'" "$size"
  bench_rss --ok 0,1 "htguard check FILE" "'$HTGUARD' check '$dir/big'" "$size"
}
