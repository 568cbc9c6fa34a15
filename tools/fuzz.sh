#!/usr/bin/env bash
# Fuzzes the chunk decoders and the HDF5 zstd plugin's filter (tests/fuzz/fuzz_decoders.cpp) with
# libFuzzer under AddressSanitizer and UBSan. Not part of CI.
#   tools/fuzz.sh [SECONDS] [JOBS]     default 60 seconds, 1 job
# Needs clang (Debian: apt-get install clang). Without clang it builds a standalone driver with
# g++ (sanitizers on) that replays the seed corpus and any crash-* files, and says so.
# Builds in build-fuzz/ (or $ZOOMFLOW_FUZZ_DIR); the corpus grows in build-fuzz/corpus, crashes
# land in build-fuzz/crash-* with the input that caused them.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
JOBS=${2:-1}
OUT=${ZOOMFLOW_FUZZ_DIR:-build-fuzz}
mkdir -p "$OUT/corpus" "$OUT/seeds"

SOURCES=(
  tests/fuzz/fuzz_decoders.cpp
  storage/src/array_copy.cpp
  storage/src/compression.cpp
  storage/src/chunked/chunk_codec.cpp
  storage/src/codecs/blosc_codec.cpp
  storage/src/codecs/crc32c.cpp
  storage/src/codecs/deflate_codec.cpp
  storage/src/codecs/shuffle.cpp
  storage/src/codecs/xz_codec.cpp
  storage/src/codecs/zstd_codec.cpp
  storage/src/hdf5/hdf5_chunk_decoder.cpp
  storage/src/hdf5/zstd_hdf5_filter.cpp
  kernels/src/dtype.cpp
  kernels/src/index_vector.cpp
)
HDF5_INCLUDE=$(pkg-config --cflags-only-I hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Istorage/include -Ikernels/include
  $HDF5_INCLUDE -DH5_USE_110_API)
LIBS=(-lzstd -lz -lblosc -lisal -llzma)

if command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: building $OUT/fuzz_decoders (clang, libFuzzer, ASan, UBSan) ..." >&2
  clang++ "${FLAGS[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${SOURCES[@]}" "${LIBS[@]}" -o "$OUT/fuzz_decoders"
  clang++ "${FLAGS[@]}" -DZOOMFLOW_FUZZ_SEEDS "${SOURCES[@]}" "${LIBS[@]}" -o "$OUT/make_seeds"
  "$OUT/make_seeds" "$OUT/seeds"
  # Chunks of at most 1 MiB decode within a few MiB: a malloc of more than 256 MiB is a finding
  # (a decoder trusting a size the data claims), as is a run past 2 GiB of RSS.
  echo "fuzz.sh: fuzzing for $SECONDS_TO_RUN s with $JOBS job(s) ..." >&2
  # From inside $OUT: with -jobs, libFuzzer writes its fuzz-N.log files into the current folder.
  cd "$OUT"
  parallel=()
  [ "$JOBS" -gt 1 ] && parallel=(-jobs="$JOBS" -workers="$JOBS")
  ./fuzz_decoders corpus seeds -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
    -malloc_limit_mb=256 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix=./ "${parallel[@]}"
else
  echo "fuzz.sh: clang++ not found; building a standalone replay driver with g++ instead" >&2
  g++ "${FLAGS[@]}" -fsanitize=address,undefined -DZOOMFLOW_FUZZ_STANDALONE "${SOURCES[@]}" \
    "${LIBS[@]}" -o "$OUT/fuzz_replay"
  g++ "${FLAGS[@]}" -DZOOMFLOW_FUZZ_SEEDS "${SOURCES[@]}" "${LIBS[@]}" -o "$OUT/make_seeds"
  "$OUT/make_seeds" "$OUT/seeds"
  shopt -s nullglob
  "$OUT/fuzz_replay" "$OUT"/seeds/* "$OUT"/corpus/* "$OUT"/crash-*
fi
