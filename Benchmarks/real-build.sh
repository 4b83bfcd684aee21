#!/usr/bin/env bash
# The generator's cost in a real `dotnet build`, as the compiler reports it (-p:ReportAnalyzer=true), against the same
# generated code checked in and compiled without the generator. The models are the in-process benchmark's
# (`generator --write-project`), so the two measurements can be set side by side.
#   bash Benchmarks/real-build.sh [MODELS] [ROUNDS] [DIR]   (defaults: 500 small models, 8 rounds, /tmp/dsl-real-build)
#   DSL_REPORT_ANALYZER=false bash Benchmarks/real-build.sh ...   builds without -p:ReportAnalyzer=true (which times
#   every analyzer, so it changes what it measures): the generator's time is then not known ("?"), Csc's still is.
#   DSL_BUILD_ARGS="-p:EnableNETAnalyzers=false" bash Benchmarks/real-build.sh ...   passes more MSBuild arguments to
#   every build of both projects (here: without the .NET SDK's code analyzers).
#   DSL_COLD=false bash Benchmarks/real-build.sh ...   leaves out the fresh-compiler build (most of a round's time), so
#   more rounds of the two server builds fit in the same time.
# Each round builds, in turn: with the generator in a fresh compiler process (UseSharedCompilation=false: the JIT
# cold, as in a CI build), with the generator on the compiler server after one model was edited (the IDE's and a
# developer's rebuild), and the checked-in code on the compiler server after the same kind of edit; the two server
# builds swap places every round (the second of two builds finds the server's caches and the disk warmer). The server
# is asked for explicitly (-p:UseSharedCompilation=true), since CI machines often turn it off in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
models=${1:-500}
rounds=${2:-8}
dir=${3:-/tmp/dsl-real-build}
report=${DSL_REPORT_ANALYZER:-true}
cold=${DSL_COLD:-true}
read -r -a extra <<< "${DSL_BUILD_ARGS:-}"
case "$report" in
  true|false) ;;
  *) echo "real-build.sh: DSL_REPORT_ANALYZER is '$report'; it takes true (the default) or false" >&2; exit 2 ;;
esac
case "$cold" in
  true|false) ;;
  *) echo "real-build.sh: DSL_COLD is '$cold'; it takes true (the default) or false" >&2; exit 2 ;;
esac
rm -rf "$dir"
mkdir -p "$dir/gen" "$dir/plain"
dotnet build Benchmarks -c Release -v q -nologo >/dev/null
dotnet Benchmarks/bin/Release/net10.0/Dsl.Benchmarks.dll generator --write-project "$dir/gen" --sizes "$models" --small

project() { # $1: the generator as analyzer (true/false), $2: extra items
  cat <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <EmitCompilerGeneratedFiles>$1</EmitCompilerGeneratedFiles>
    <NoWarn>\$(NoWarn);CS1591</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$repo/Attributes/Dsl.Attributes.csproj" />
    <ProjectReference Include="$repo/Runtime/Dsl.Runtime.csproj" />
    $2
  </ItemGroup>
</Project>
EOF
}
# The generated files are written to disk only by the first build, which makes the checked-in side: a build that wrote
# them every time would pay for 100 files the checked-in build never writes (and a user's build does not write either).
project false "<ProjectReference Include=\"$repo/Generator/Dsl.Generator.csproj\" OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\" />" > "$dir/gen/Gen.csproj"

log=$dir/build.log
ratios=(); cpuratios=(); servergen=()
: > "$log"
# The compiler server's CPU time so far (ms, every thread: the compile's, the analyzers', the GC's) and its pid. Less
# disturbed by the neighbours on a shared machine than the wall-clock time: it counts only the server's own work.
server_cpu() {
  local pid
  pid=$(pgrep -f 'VBCSCompiler' | head -1 || true)
  if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ]; then echo "- -"; return; fi
  sed 's/.*) //' "/proc/$pid/stat" | awk -v pid="$pid" -v hz="$(getconf CLK_TCK)" '{ printf "%s %d\n", pid, ($12 + $13) * 1000 / hz }'
}
# One build; prints the generator's time (s) as the compiler reports it, the Csc task's time (ms), and the compiler
# server's CPU time over the build (ms; "?" without a server, or when it restarted during the build).
build() { # $1: folder, $2...: msbuild arguments
  local folder=$1; shift
  local before after
  read -r -a before < <(server_cpu)
  dotnet build "$folder" -c Release -nologo -v:d -nodeReuse:false -p:ReportAnalyzer="$report" -clp:PerformanceSummary "${extra[@]}" "$@" > "$dir/last.log" 2>&1 || { tail -30 "$dir/last.log"; exit 1; }
  read -r -a after < <(server_cpu)
  cat "$dir/last.log" >> "$log"
  local generator csc cpu=?
  if [ "${before[0]}" != - ] && [ "${before[0]}" = "${after[0]}" ]; then cpu=$((after[1] - before[1])); fi
  generator=$(grep -E 'Dsl\.Generator\.ModelGenerator' "$dir/last.log" | grep -oE '^\s*[0-9.<]+' | head -1 | tr -d ' ' || true)
  csc=$(grep -E '^\s+[0-9]+ ms\s+Csc\s' "$dir/last.log" | grep -oE '[0-9]+' | head -1 || true)
  echo "${generator:-?} ${csc:-?} $cpu"
}
edit() { # one model's layer width changed, as in the in-process "one model edited"
  local file=$1/Models/M$((models / 2)).cs
  sed -i -E '0,/Linear\(([0-9]+)/s//Linear(\1 + 1/' "$file" 2>/dev/null || true
  touch "$file"
}

# The two server builds of a round, each after its edit; they set warm_gen, warm_csc, warm_cpu and plain_csc, plain_cpu.
server_gen() { edit "$dir/gen"; read -r warm_gen warm_csc warm_cpu < <(build "$dir/gen" -p:UseSharedCompilation=true); }
server_plain() { edit "$dir/plain"; read -r _ plain_csc plain_cpu < <(build "$dir/plain" -p:UseSharedCompilation=true); }

# The checked-in side: the generated files of a first build, compiled as ordinary sources.
build "$dir/gen" -p:UseSharedCompilation=true -p:EmitCompilerGeneratedFiles=true >/dev/null
cp -r "$dir/gen/Models" "$dir/plain/Models"
mkdir -p "$dir/plain/Generated"
find "$dir/gen/obj" -path '*generated*' -name '*.g.cs' -exec cp {} "$dir/plain/Generated/" \;
project false "" > "$dir/plain/Plain.csproj"
build "$dir/plain" -p:UseSharedCompilation=true >/dev/null

echo "| Round | fresh compiler: generator | fresh compiler: Csc | server, one model edited: generator | server: Csc | checked in, server: Csc | ratio | server CPU: generator's build | checked in | CPU ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  cold_gen=-; cold_csc=-
  if [ "$cold" = true ]; then
    edit "$dir/gen"
    read -r cold_gen cold_csc _ < <(build "$dir/gen" -p:UseSharedCompilation=false)
    cold_gen="$cold_gen s"; cold_csc="$cold_csc ms"
  fi
  if [ $((round % 2)) = 1 ]; then server_gen; server_plain; else server_plain; server_gen; fi
  ratio=$(awk -v a="$warm_csc" -v b="$plain_csc" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
  cpuratio=$(awk -v a="$warm_cpu" -v b="$plain_cpu" 'BEGIN { if (a ~ /^[0-9]+$/ && b > 0) printf "%.2f", a / b; else print "?" }')
  echo "| $round | ${cold_gen} | ${cold_csc} | ${warm_gen} s | ${warm_csc} ms | ${plain_csc} ms | $ratio | ${warm_cpu} ms | ${plain_cpu} ms | $cpuratio |"
  ratios+=("$ratio"); cpuratios+=("$cpuratio"); servergen+=("$warm_gen")
done
# The server's JIT warms over the first builds (tier-0 code, then tier 1): the second half of the rounds is its steady state.
median() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# A 95 % interval for the median that assumes nothing about the ratios' distribution: the order statistics whose ranks
# lie 1.96 standard deviations of a Binomial(n, 1/2) either side of n/2. Needs at least 6 rounds to say anything.
median_interval() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR < 6) { print "too few rounds"; exit }
  d = 0.98 * sqrt(NR); lo = int(NR / 2 - d); hi = NR / 2 + 1 + d; if (hi > int(hi)) hi = int(hi) + 1
  if (lo < 1) lo = 1; if (hi > NR) hi = NR
  printf "%s–%s\n", v[lo], v[hi] }'; }
half=$((rounds / 2))
echo
if [ "$report" = true ]; then generator_median="$(median "${servergen[@]:$half}") s"; else generator_median="not reported (DSL_REPORT_ANALYZER=false)"; fi
echo "Rounds $((half + 1))–$rounds (the server warm): median ratio $(median "${ratios[@]:$half}") (95 % interval $(median_interval "${ratios[@]:$half}")), median CPU ratio $(median "${cpuratios[@]:$half}") ($(median_interval "${cpuratios[@]:$half}")), median server generator time $generator_median. All $rounds rounds: median ratio $(median "${ratios[@]}"), median CPU ratio $(median "${cpuratios[@]}")."
dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true
echo
if [ "$report" = true ]; then
  echo "$models models (each a 2–9-layer stack), $(nproc) cores; the generator's time from the compiler's ReportAnalyzer, Csc's from MSBuild's performance summary; full logs in $log."
  echo "Command: ${DSL_BUILD_ARGS:+DSL_BUILD_ARGS=\"$DSL_BUILD_ARGS\" }$([ "$cold" = false ] && echo "DSL_COLD=false ")bash Benchmarks/real-build.sh $models $rounds"
else
  echo "$models models (each a 2–9-layer stack), $(nproc) cores; built without ReportAnalyzer, Csc's time from MSBuild's performance summary; full logs in $log."
  echo "Command: ${DSL_BUILD_ARGS:+DSL_BUILD_ARGS=\"$DSL_BUILD_ARGS\" }$([ "$cold" = false ] && echo "DSL_COLD=false ")DSL_REPORT_ANALYZER=false bash Benchmarks/real-build.sh $models $rounds"
fi
