#!/usr/bin/env bash
# Every table of docs/benchmarks.md in its quick form, one after the other (never two at once: they would share the
# cores), each table's output in $OUT/<name>.md and the wall time of each and of all at the end.
#   bash Benchmarks/quick.sh [OUT]        (default OUT: bench-quick/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-quick}
mkdir -p "$out"
dotnet build Benchmarks -c Release -v q -nologo >/dev/null
bench=(dotnet Benchmarks/bin/Release/net10.0/Dsl.Benchmarks.dll)
declare -a timings
run() {
  local name=$1; shift
  local start=$SECONDS
  echo "== $name: ${*}" >&2
  "${bench[@]}" "$@" > "$out/$name.md"
  timings+=("$name $((SECONDS - start)) s")
}
start_all=$SECONDS
run side-by-side side-by-side --quick
run side-by-side-in-place side-by-side --in-place --quick
run side-by-side-phases side-by-side --phases --quick --models ResNet20
run side-by-side-fused side-by-side --fused --quick
run generator generator --quick
run memory memory --quick
run data-loading data-loading --quick
run forward-ab ab 100
run trainer-ab ab-train 4
printf '%s\n' "${timings[@]}" "all $((SECONDS - start_all)) s" | tee "$out/timings.txt"
