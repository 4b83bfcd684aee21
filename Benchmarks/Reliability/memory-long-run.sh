#!/usr/bin/env bash
# Resident memory of one long training run, sampled every 2 s from /proc: flat after warm-up, or growing?
# Figures in docs/reliability.md#memory-over-a-long-run.
#
#   bash Benchmarks/Reliability/memory-long-run.sh        # after: dotnet build Examples -c Release
#   MODEL=TinyResNet EPOCHS=36 bash Benchmarks/Reliability/memory-long-run.sh   # 36 epochs of 57 steps: 2,052 steps
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${MODEL:-TinyResNet}; epochs=${EPOCHS:-36}
dll=Examples/bin/Release/net10.0/Dsl.Examples.dll
[[ -f $dll ]] || { echo "build first: dotnet build Examples -c Release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet "$dll" train "$model" --data embedded --epochs "$epochs" --grad-every 50 --out "$work/run" > "$work/log" 2>&1 &
pid=$!
start=$(date +%s)
: > "$work/rss"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] && echo "$(( $(date +%s) - start )) $rss" >> "$work/rss"
  sleep 2
done
wait "$pid" || { tail -5 "$work/log"; exit 1; }
steps=57   # the embedded subset's 7,200 training images (after the 10 % validation split) in batches of 128
# RSS (MiB) at 10 %, 25 %, 50 %, 75 % and 100 % of the run, and the largest.
awk -v epochs="$epochs" -v steps="$steps" '
  { t[NR] = $1; r[NR] = $2 / 1024; if ($2 / 1024 > max) max = $2 / 1024 }
  END {
    printf "%s samples over %d s (%s epochs; %s steps per epoch)\n", NR, t[NR], epochs, steps
    split("10 25 50 75 100", p, " ")
    for (i = 1; i <= 5; i++) { k = int(NR * p[i] / 100); if (k < 1) k = 1; printf "  at %3d %% (%4d s): %6.0f MiB\n", p[i], t[k], r[k] }
    printf "  largest: %.0f MiB; 25 %% -> 100 %%: %+.0f MiB\n", max, r[NR] - r[int(NR / 4)]
  }' "$work/rss"
