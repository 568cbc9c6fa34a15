#!/usr/bin/env bash
# The chain benchmark: gaussian -> resample x0.5 -> scale -> cast uint8 on the noise volume, in
# one `zoomflow pipeline` pass against the same steps run one at a time through float64 files.
# Usage: tools/bench_chain.sh [ZOOMFLOW] [SHAPE]   (defaults: build/tools/zoomflow, 512,512,512)
set -euo pipefail
zoomflow=${1:-build/tools/zoomflow}
shape=${2:-512,512,512}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$zoomflow" generate "$dir/ct.h5:/ct" --shape "$shape" --dtype uint16 --pattern noise -q
seconds() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); awk "BEGIN { print $e - $s }"; }
size() { stat -c %s "$1"; }

chain_s=$(seconds "$zoomflow" pipeline "$dir/ct.h5:/ct" "$dir/chain.h5:/o" gaussian:sigma=1 \
  resample:zoom=0.5,order=1 scale:mul=0.255,add=0 cast:uint8 -q)
chain_bytes=$(size "$dir/chain.h5")

s1=$(seconds "$zoomflow" pipeline "$dir/ct.h5:/ct" "$dir/t1.h5:/o" gaussian:sigma=1 cast:float64 -q)
s2=$(seconds "$zoomflow" pipeline "$dir/t1.h5:/o" "$dir/t2.h5:/o" resample:zoom=0.5,order=1 -q)
s3=$(seconds "$zoomflow" pipeline "$dir/t2.h5:/o" "$dir/t3.h5:/o" scale:mul=0.255,add=0 -q)
s4=$(seconds "$zoomflow" pipeline "$dir/t3.h5:/o" "$dir/steps.h5:/o" cast:uint8 -q)
steps_s=$(awk "BEGIN { print $s1 + $s2 + $s3 + $s4 }")
steps_bytes=$(( $(size "$dir/t1.h5") + $(size "$dir/t2.h5") + $(size "$dir/t3.h5") + $(size "$dir/steps.h5") ))
"$zoomflow" compare "$dir/chain.h5:/o" "$dir/steps.h5:/o" >/dev/null

printf '%-52s %9s %15s\n' "noise uint16 $shape, 4 steps" "seconds" "bytes written"
printf '%-52s %9.2f %15d\n' "zoomflow pipeline (one pass)" "$chain_s" "$chain_bytes"
printf '%-52s %9.2f %15d\n' "separate runs through float64 files" "$steps_s" "$steps_bytes"
printf '%-52s %9s %15s\n' "  gaussian -> t1 (float64)" "$(printf %.2f "$s1")" "$(size "$dir/t1.h5")"
printf '%-52s %9s %15s\n' "  resample x0.5 -> t2 (float64)" "$(printf %.2f "$s2")" "$(size "$dir/t2.h5")"
printf '%-52s %9s %15s\n' "  scale -> t3 (float64)" "$(printf %.2f "$s3")" "$(size "$dir/t3.h5")"
printf '%-52s %9s %15s\n' "  cast uint8 -> out" "$(printf %.2f "$s4")" "$(size "$dir/steps.h5")"
echo "outputs identical (zoomflow compare): yes; $(nproc) threads"
