#!/usr/bin/env bash
# Benchmark (figures, not a timed test): generate 1,000,000 sessions into a private
# cluster, build the marts with reckon at the default memory budget and at a generous one
# (BIG_MEMORY, default 2GB), run today's models as rendered once before issue 14
# (bench/baseline/, by psql, into bench_baseline__staging) on the same data, and print wall
# times, the ratio, reckon's peak RSS, each statement's time and the marts' md5 on both
# sides.  SESSIONS=200000 make bench for a quick look.
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
  # The last line: GNU time puts "Command exited with non-zero status N" first when the
  # command fails (reckon diff exits 1 when a limit is crossed, as the bench's change does).
  read -r wall rss < <(tail -n 1 "$out/$name.time")
  printf '%-28s wall %8.1f s   peak RSS %6.1f MB\n' "$name" "$wall" "$(echo "$rss / 1024" | bc -l)" | tee -a "$out/summary.txt"
}
$reckon db start
conninfo=$($reckon db url)
# `scripts/bench.sh incremental` measures only the incremental build (see its block below).
# `scripts/bench.sh checks` (or `diff`) re-measures only the checks (or the diff) on the data
# already there; `scripts/bench.sh build` runs only generate, the builds and the baseline.
if [ -z "${1:-}" ] || [ "$1" = build ]; then
: > "$out/summary.txt"
measure "generate $sessions" $reckon generate --sessions "$sessions" --seed 1
big=${BIG_MEMORY:-2GB}
measure "build (memory default)" $reckon build --jobs 2
measure "build (memory $big)" env RECKON_BUILD_MEMORY="$big" $reckon build --jobs 2
# Today's models before issue 14, rendered once by `reckon compile --target-schema
# bench_baseline` from that commit's models: run by psql, one file after another.
baseline_run() { # prints the baseline's wall seconds; its steps go to $out/baseline-steps.txt
  : > "$out/baseline-steps.txt"
  local start end step file
  start=$(date +%s.%N)
  for file in bench/baseline/00_prepare.sql $(ls bench/baseline/*.sql | grep -v 00_prepare); do
    step=$(date +%s.%N)
    psql "$conninfo" -X -q -v ON_ERROR_STOP=1 -c "set work_mem = '256MB'" -c "set jit = off" -f "$file" >/dev/null
    printf '  baseline %-40s %8.1f s\n' "$(basename "$file")" "$(echo "$(date +%s.%N) - $step" | bc -l)" >> "$out/baseline-steps.txt"
  done
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
baseline=$(baseline_run)
printf '%-28s wall %8.1f s\n' "psql (baseline models)" "$baseline" | tee -a "$out/summary.txt"
for name in "build (memory default)" "build (memory $big)"; do
  read -r wall _ < "$out/$name.time"
  printf '%-28s %.2fx the baseline\n' "$name" "$(echo "$wall / $baseline" | bc -l)" | tee -a "$out/summary.txt"
done
md5() { # schema table key — md5 of the rows' md5s in key order (one string of all rows would pass 1 GB)
  psql "$conninfo" -X -At -c "select md5(string_agg(md5(t::text), '' order by $3)) from \"$1\".\"$2\" t"
}
for mart in "mart_marketing_attribution session_id" "mart_campaign_daily date,facebook_campaign_id"; do
  read -r table key <<< "$mart"
  ours=$(md5 analytics "$table" "$key"); theirs=$(md5 bench_baseline__staging "$table" "$key")
  verdict=$([ "$ours" = "$theirs" ] && echo same || echo DIFFERENT)
  echo "md5 $table: reckon $ours baseline $theirs ($verdict)" | tee -a "$out/summary.txt"
done
psql "$conninfo" -X -q -c "drop schema bench_baseline__staging cascade"
# ROUNDS=N (N > 1): N-1 more pairs of a default-memory build and the baseline, one right
# after the other, so that each ratio compares two runs under the same load; the median of
# the N ratios is printed (the machines are shared: one pair can catch a busy minute).
rounds=${ROUNDS:-1}
if [ "$rounds" -gt 1 ]; then
  read -r wall _ < "$out/build (memory default).time"
  ratios=$(echo "$wall / $baseline" | bc -l)
  for round in $(seq 2 "$rounds"); do
    cp "$out/baseline-steps.txt" "$out/baseline-steps-round-$((round - 1)).txt"
    measure "build (memory default) $round" $reckon build --jobs 2
    read -r wall _ < "$out/build (memory default) $round.time"
    theirs=$(baseline_run)
    printf '%-28s wall %8.1f s\n' "psql (baseline) $round" "$theirs" | tee -a "$out/summary.txt"
    ratio=$(echo "$wall / $theirs" | bc -l)
    printf 'round %d: build (memory default) %.2fx the baseline\n' "$round" "$ratio" | tee -a "$out/summary.txt"
    ratios="$ratios $ratio"
  done
  median=$(printf '%s\n' $ratios | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  printf 'build (memory default), median of %d rounds: %.2fx the baseline (%s)\n' "$rounds" "$median" \
    "$(printf '%.2f ' $ratios | sed 's/ $//')" | tee -a "$out/summary.txt"
  psql "$conninfo" -X -q -c "drop schema if exists bench_baseline__staging cascade"
fi
echo "per-statement times (build, memory default):" | tee -a "$out/summary.txt"
grep -E '^ *(stg_|int_|mart_|functions|prepare)' "$out/build (memory default).log" | tee -a "$out/summary.txt" || true
cat "$out/baseline-steps.txt" | tee -a "$out/summary.txt"
echo "per-step times: $out/build (memory default).log and $out/build (memory $big).log"
fi

if [ -z "${1:-}" ] || [ "$1" = checks ]; then
# Checks (issue 4): wall time and table scans of all shipped checks, fused and one query
# per check, against the floor: two full scans of each mart plus the source aggregates.
scans() {
  psql "$conninfo" -X -At -c "select coalesce(sum(seq_scan), 0) || ' ' || string_agg(relname || '=' || seq_scan, ',' order by relname) from pg_stat_user_tables where schemaname in ('analytics', 'raw')"
}
sleep 1
before=$(scans)
measure "check (fused)" $reckon check --json "$out/check.json" || true
sleep 1
after=$(scans)
measure "check --no-fuse" $reckon check --no-fuse --json "$out/check-nofuse.json" || true
sleep 1
after_nofuse=$(scans)
echo "seq scans before:          $before" | tee -a "$out/summary.txt"
echo "seq scans after fused:     $after" | tee -a "$out/summary.txt"
echo "seq scans after no-fuse:   $after_nofuse" | tee -a "$out/summary.txt"
start=$(date +%s.%N)
psql "$conninfo" -X -q -c "set max_parallel_workers_per_gather = 2" \
  -c "select count(*), count(distinct session_id) from analytics.mart_marketing_attribution" \
  -c "select sum(revenue_usd), count(*) filter (where converted) from analytics.mart_marketing_attribution" \
  -c "select count(*), sum(spend) from analytics.mart_campaign_daily" \
  -c "select date, sum(spend) from analytics.mart_campaign_daily group by 1" \
  -c "select date, sum(spend) from raw.facebook_ad_statistics group by 1" \
  -c "select sum(amount) from raw.stripe_balance_transactions" \
  -c "select count(*) from raw.funnelfox_sessions" >/dev/null
end=$(date +%s.%N)
printf '%-28s wall %8.1f s\n' "floor (2 scans/mart + sources)" "$(echo "$end - $start" | bc -l)" | tee -a "$out/summary.txt"
fi

# Diff (issue 13): a candidate built from the models with tier 3 of the Facebook fallback
# disabled, diffed against the published marts (goal: <= 10 s at 1,000,000 sessions).
if [ -z "${1:-}" ] || [ "$1" = diff ]; then
rm -rf "$out/models-tier3-off" && cp -r models "$out/models-tier3-off"
sed -i 's/^where m.tier is not null;/where m.tier is not null and m.tier <> 3;/' "$out/models-tier3-off/04_int_facebook_match.sql"
grep -q 'm.tier <> 3' "$out/models-tier3-off/04_int_facebook_match.sql" || { echo "bench: cannot disable tier 3 in the model copy" >&2; exit 1; }
RECKON_MODELS_DIR="$out/models-tier3-off" $reckon build --target-schema ci_bench >/dev/null 2>&1
measure "diff (tier 3 off)" $reckon diff --base analytics --candidate ci_bench \
  --markdown "$out/diff.md" --html "$out/diff.html" --junit "$out/diff.junit.xml" --json "$out/diff.json" || true
fi

if [ -z "${1:-}" ] || [ "$1" = investigate ]; then
# Investigation (issue 11): why the match rate of one day differs from the 7 days before.
measure "investigate match-rate" $reckon investigate match-rate --date 2026-10-20 --json "$out/investigate.json" >/dev/null
fi
# Incremental builds (issue 15; only with `scripts/bench.sh incremental`): HISTORY_SESSIONS
# sessions (default 1,000,000) spread over DAYS days (default 52) of history, then two new
# days arrive one at a time, each with `build --incremental`; a full build of the same data,
# each day's ratio to it, and both marts' md5. REUSE=1 (with KEEP_CLUSTER=1 on the run
# before) skips the generation and the first build: the next held-back days arrive on the
# data and marts already there.
if [ "${1:-}" = incremental ]; then
days=${DAYS:-52}
history=${HISTORY_SESSIONS:-1000000}
total=$(( history * 90 / days ))   # the generator spreads its sessions over 90 days
cutoff=$(date -u -d "2026-08-03 + $((days - 1)) days" +%F)
if [ "${REUSE:-0}" != 1 ]; then
: > "$out/summary.txt"
measure "generate $total until $cutoff" $reckon generate --sessions "$total" --seed 1 --until "$cutoff"
measure "first build --incremental" $reckon build --incremental --jobs 2
fi
echo "history: $(psql "$conninfo" -X -At -c "select count(*) from raw.funnelfox_sessions") sessions, $(psql "$conninfo" -X -At -c "select count(*) from raw.amplitude_events") events" | tee -a "$out/summary.txt"
# The source indexes `reckon doctor` recommends for --incremental (`reckon generate` creates them).
missing=$($reckon doctor | grep -c '^recommended for --incremental' || true)
echo "indexes recommended by reckon doctor and missing: $missing" | tee -a "$out/summary.txt"
# Two days arrive. The first incremental run after the full build makes the published mart's
# lookup indexes; the second is what every later day costs. Both select only the sessions
# whose inputs arrived or changed since the last publish (the census of the lookback window
# that the first, full, `--incremental` run took).
for day in 1 2; do
  $reckon generate --next-day
  echo "day $day: $(psql "$conninfo" -X -At -c "select count(*) from raw.funnelfox_sessions") sessions in all" | tee -a "$out/summary.txt"
  $reckon build --incremental --dry-run > "$out/incremental-dry-run-$day.txt"
  head -1 "$out/incremental-dry-run-$day.txt" | tee -a "$out/summary.txt"
  measure "build --incremental (day $day)" $reckon build --incremental --jobs 2
done
measure "build (full, same data)" $reckon build --jobs 2 --target-schema bench_full
read -r full_wall _ < "$out/build (full, same data).time"
for day in 1 2; do
  read -r incremental_wall _ < "$out/build --incremental (day $day).time"
  printf 'incremental day %s / full: %.3f\n' "$day" "$(echo "$incremental_wall / $full_wall" | bc -l)" | tee -a "$out/summary.txt"
done
for mart in "mart_marketing_attribution session_id" "mart_campaign_daily date,facebook_campaign_id"; do
  read -r table key <<< "$mart"
  a=$(psql "$conninfo" -X -At -c "select md5(string_agg(md5(t::text), '' order by $key)) from analytics.$table t")
  b=$(psql "$conninfo" -X -At -c "select md5(string_agg(md5(t::text), '' order by $key)) from bench_full.$table t")
  echo "md5 $table: incremental $a full $b ($([ "$a" = "$b" ] && echo same || echo DIFFERENT))" | tee -a "$out/summary.txt"
done
grep -E '^ *(stg_|int_|mart_|affected|changed|current|recent|differing|apply|prepare|incremental)' "$out/build --incremental (day 2).log" > "$out/incremental-steps.txt" || true
fi
if [ "${KEEP_CLUSTER:-0}" != 1 ]; then $reckon db stop >/dev/null; fi
