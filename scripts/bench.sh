#!/usr/bin/env bash
# Benchmark (figures, not a timed test): generate 1,000,000 sessions into a private
# cluster, build the marts with reckon (1 and 2 jobs), run the same model SQL through psql,
# and print wall times and reckon's peak RSS.  SESSIONS=200000 make bench for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
reckon=.build/release/reckon
sessions=${SESSIONS:-1000000}
export RECKON_HOME=${RECKON_HOME:-.reckon-bench}
out=${OUT:-out}/bench
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || scripts/install-deps.sh --bench
measure() { # name, command… — prints wall seconds and peak RSS of the command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" 2> >(tee "$out/$name.log" >&2)
  read -r wall rss < "$out/$name.time"
  printf '%-28s wall %8.1f s   peak RSS %6.1f MB\n' "$name" "$wall" "$(echo "$rss / 1024" | bc -l)" | tee -a "$out/summary.txt"
}
: > "$out/summary.txt"
$reckon db start
measure "generate $sessions" $reckon generate --sessions "$sessions" --seed 1
measure "build --jobs 1" $reckon build --jobs 1
measure "build --jobs 2" $reckon build --jobs 2
$reckon compile --output "$out/sql" >/dev/null
conninfo=$($reckon db url)
start=$(date +%s.%N)
for file in "$out"/sql/*.sql; do
  psql "$conninfo" -X -q -v ON_ERROR_STOP=1 -c "set work_mem = '256MB'" -c "set jit = off" -f "$file" >/dev/null
done
end=$(date +%s.%N)
printf '%-28s wall %8.1f s\n' "psql (same model SQL)" "$(echo "$end - $start" | bc -l)" | tee -a "$out/summary.txt"
echo "per-step times: $out/build --jobs 1.log and $out/build --jobs 2.log"
if [ "${KEEP_CLUSTER:-0}" != 1 ]; then $reckon db stop >/dev/null; fi
