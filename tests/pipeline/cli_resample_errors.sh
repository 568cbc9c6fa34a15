#!/usr/bin/env bash
# `zoomflow resample` refuses bad usage with one line on stderr and exit 2, creating nothing;
# a failing write or an interrupt exits non-zero and leaves nothing at the output's name.
set -u
zoomflow=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$zoomflow" generate "$dir/in.h5:/mask" --shape 16,16,16 --dtype bool --pattern box >/dev/null 2>&1 ||
  { echo "FAIL: cannot generate the test input"; exit 1; }
"$zoomflow" generate "$dir/ct.h5:/ct" --shape 16,16,16 --dtype uint16 --pattern noise >/dev/null 2>&1 ||
  { echo "FAIL: cannot generate the test input"; exit 1; }

# expect_usage_error DESCRIPTION ARGS...: exit 2, one line on stderr, no out.h5.
expect_usage_error() {
  local what=$1
  shift
  checks=$((checks + 1))
  "$zoomflow" resample "$@" >"$dir/stdout" 2>"$dir/stderr"
  local rc=$?
  local lines
  lines=$(wc -l <"$dir/stderr")
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$dir/stderr"))"
  [ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr, expected 1: $(cat "$dir/stderr")"
  [ ! -e "$dir/out.h5" ] || { fail "$what: created out.h5"; rm -f "$dir/out.h5"; }
  ls "$dir" | grep -q -v -E '^(in\.h5|ct\.h5|stdout|stderr|existing\.h5)$' && fail "$what: left $(ls "$dir")"
  return 0
}

in="$dir/in.h5:/mask"
ct="$dir/ct.h5:/ct"
out="$dir/out.h5:/z"
expect_usage_error "zero zoom" "$in" "$out" --zoom 0
expect_usage_error "negative zoom" "$in" "$out" --zoom -2
expect_usage_error "unparsable zoom" "$in" "$out" --zoom two
expect_usage_error "zoom of the wrong rank" "$in" "$out" --zoom 2,2
expect_usage_error "shape of the wrong rank" "$in" "$out" --shape 4,4
expect_usage_error "zoom and shape" "$in" "$out" --zoom 2 --shape 4,4,4
expect_usage_error "neither zoom nor shape" "$in" "$out"
expect_usage_error "order 6" "$ct" "$out" --zoom 2 --order 6
expect_usage_error "unknown mode" "$ct" "$out" --zoom 2 --order 3 --mode edge
expect_usage_error "order 3 on bool" "$in" "$out" --zoom 2 --order 3
expect_usage_error "zero chunks" "$in" "$out" --zoom 2 --chunks 0,4,4
expect_usage_error "negative chunks" "$in" "$out" --zoom 2 --chunks 4,-4,4
expect_usage_error "absurd output size" "$in" "$out" --shape 2000000000,2000000000,2000000000
expect_usage_error "same dataset" "$in" "$in" --zoom 2
expect_usage_error "missing output folder" "$in" "$dir/nowhere/out.h5:/z" --zoom 2
expect_usage_error "order 1 on bool" "$in" "$out" --zoom 2 --order 1
expect_usage_error "unknown flag" "$in" "$out" --zoom 2 --fast
expect_usage_error "bad memory limit" "$in" "$out" --zoom 2 --memory-limit lots
expect_usage_error "bad compression" "$in" "$out" --zoom 2 --compression lz4

# An existing output is kept without --overwrite, and replaced with it.
"$zoomflow" resample "$in" "$dir/existing.h5:/z" --zoom 2 --quiet || fail "first resample failed"
before=$(md5sum <"$dir/existing.h5")
expect_usage_error "existing output without --overwrite" "$in" "$dir/existing.h5:/z" --zoom 3
[ "$before" = "$(md5sum <"$dir/existing.h5")" ] || fail "existing output was modified"
checks=$((checks + 1))
"$zoomflow" resample "$in" "$dir/existing.h5:/z" --zoom 3 --overwrite --quiet || fail "--overwrite failed"

# A write that fails (file size limit) exits 1 and leaves nothing at the final name.
checks=$((checks + 1))
"$zoomflow" generate "$dir/big.h5:/n" --shape 64,64,64 --dtype float64 --pattern noise >/dev/null 2>&1 ||
  fail "cannot generate big.h5"
(ulimit -f 64; trap '' XFSZ; exec "$zoomflow" resample "$dir/big.h5:/n" "$dir/fat.h5:/z" --zoom 2 --order 1 --compression none --quiet) 2>"$dir/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "failing write: exit $rc, expected 1 ($(cat "$dir/stderr"))"
[ "$(wc -l <"$dir/stderr")" -eq 1 ] || fail "failing write: not one line: $(cat "$dir/stderr")"
[ ! -e "$dir/fat.h5" ] || fail "failing write left fat.h5"
ls "$dir" | grep -q 'fat' && fail "failing write left a temporary: $(ls "$dir")"

# SIGINT stops a run cleanly: non-zero exit, nothing at the final name, no temporary.
checks=$((checks + 1))
"$zoomflow" resample "$dir/big.h5:/n" "$dir/slow.h5:/z" --zoom 6 --order 1 --threads 1 --quiet \
  --compression gzip:9 2>"$dir/stderr" &
pid=$!
# Signal once the run has made its temporary (its handlers are in place by then; a background job
# of a script starts with SIGINT ignored, so an earlier signal would be lost). The run takes 10 s.
for _ in $(seq 3000); do
  ls -a "$dir" | grep -q '^\.slow\.h5' && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.01
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
[ "$rc" -ne 0 ] || fail "SIGINT: the run finished with exit 0 instead of stopping"
[ ! -e "$dir/slow.h5" ] || fail "interrupted run left slow.h5"
ls -a "$dir" | grep -q 'slow' && fail "interrupted run left a temporary: $(ls -a "$dir")"
grep -q -i "interrupt" "$dir/stderr" || fail "interrupt message missing: $(cat "$dir/stderr")"

echo "cli_resample_errors: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
