#!/usr/bin/env bash
# SIGKILLs a training run at random moments, resumes it after every kill, and compares the final weights with an
# uninterrupted run of the same command: what a kill costs (seconds of training since the last checkpoint) and whether
# the resumed run is exact. Figures in docs/reliability.md#what-a-kill-costs.
#
#   bash Benchmarks/Reliability/kill-resume.sh            # after: dotnet build Examples -c Release
#   KILLS=20 EVERY=10 MODEL=TinyResNet EPOCHS=10 SEED=7 bash Benchmarks/Reliability/kill-resume.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${MODEL:-TinyResNet}; epochs=${EPOCHS:-10}; every=${EVERY:-20}; kills=${KILLS:-12}; RANDOM=${SEED:-7}
dll=Examples/bin/Release/net10.0/Dsl.Examples.dll
[[ -f $dll ]] || { echo "build first: dotnet build Examples -c Release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(train "$model" --data embedded --epochs "$epochs" --checkpoint-every "$every" --grad-every 0 --seed 3)

start=$(date +%s.%N)
dotnet "$dll" "${args[@]}" --out "$work/reference" > "$work/reference.log" 2>&1
reference_seconds=$(echo "$(date +%s.%N) - $start" | bc)
echo "uninterrupted run: $(printf %.0f "$reference_seconds") s; killing at random moments $kills times (--checkpoint-every $every)"

out="$work/killed"; killed=0; lost_total=0; lost_max=0; resume=()
while (( killed < kills )); do
  life_start=$(date +%s.%N)
  dotnet "$dll" "${args[@]}" --out "$out" "${resume[@]}" > "$work/life.log" 2>&1 &
  pid=$!
  sleep "$(( 4 + RANDOM % 12 )).$(( RANDOM % 10 ))"
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" || true; echo "the run finished before kill $((killed + 1))"; break; fi
  kill -9 "$pid"; kill_time=$(date +%s.%N); wait "$pid" 2>/dev/null || true
  killed=$((killed + 1))
  ckpt=$(find "$out" -name last.ckpt -newermt "@$life_start" 2>/dev/null | head -1 || true)
  if [[ -n $ckpt ]]; then since=$(stat -c %.Y "$ckpt"); else since=$life_start; fi   # nothing saved in this life: all of it is lost
  lost=$(echo "$kill_time - $since" | bc)
  lost_total=$(echo "$lost_total + $lost" | bc); lost_max=$(echo "if ($lost > $lost_max) $lost else $lost_max" | bc)
  temporaries=$(find "$out" -name '*.tmp' | wc -l)
  printf 'kill %2d after %5.1f s of this life: %5.1f s lost since %s; %d .tmp file(s) left\n' "$killed" \
    "$(echo "$kill_time - $life_start" | bc)" "$lost" "$([[ -n $ckpt ]] && echo "the step checkpoint" || echo "this life's start (no checkpoint yet)")" "$temporaries"
  resume=(--resume)
done
dotnet "$dll" "${args[@]}" --out "$out" "${resume[@]}" > "$work/final.log" 2>&1 || { cat "$work/final.log"; exit 1; }
left=$(find "$out" -name '*.tmp' | wc -l)
a=$(sha256sum "$work/reference/model.safetensors" | cut -c1-16); b=$(sha256sum "$out/model.safetensors" | cut -c1-16)
echo "kills survived: $killed; work lost per kill: mean $(echo "scale=1; $lost_total / ($killed + ($killed == 0))" | bc) s, most $(printf %.1f "$lost_max") s; .tmp files after the final resume: $left"
echo "final weights: uninterrupted $a, killed $killed times $b: $([[ $a == "$b" ]] && echo identical || echo DIFFERENT)"
[[ $a == "$b" ]]
