#!/usr/bin/env bash
# make bench-citus (figures, not a timed test): for each size in SESSIONS (default 200000;
# e.g. SESSIONS="200000 1000000"), the same generated data on one PostgreSQL (reckon's
# embedded cluster) and on a 3-node Citus cluster of this machine (../shared/citus, sources
# laid out as docs/citus.md says: the events by session, sources.event_session_column set on
# the Citus side; one node builds the same data without that column, as a one-node warehouse
# would), `reckon build` on both, and prints the wall times, every
# statement's time on both, the plan method Citus chose for each insert and delete (pushed
# down, repartitioned, pulled to coordinator) and the marts' md5 on both sides.
# CITUS_SHARD_COUNT sets the shards of the distributed sources (default 32, Citus's own).
# Output: out/bench-citus/summary.txt and the build logs beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/citus-lib.sh
citus_require
reckon=${RECKON:-.build/release/reckon}
[ -x "$reckon" ] || swift build -c release --product reckon >/dev/null
out=${OUT:-out}/bench-citus
mkdir -p "$out"
export PGTZ=UTC
command -v /usr/bin/time >/dev/null || scripts/install-deps.sh --bench
citus_install
: >"$out/summary.txt"
say() { echo "$*" | tee -a "$out/summary.txt"; }
# The CPU time (1/100 s) a PostgreSQL server has used, from its data directory: its postmaster's
# own and its exited children's (cutime, cstime), plus its live children's (Citus keeps
# connections to the workers open between statements). Read again until no child was reaped
# in between, so that no backend counts twice or not at all.
server_cpu() {
  local pid before after total
  pid=$(head -n 1 "$1/postmaster.pid")
  while :; do
    before=$(cut -d' ' -f16,17 "/proc/$pid/stat")
    total=$({ cat "/proc/$pid/stat"; for child in $(cat "/proc/$pid/task/$pid/children"); do cat "/proc/$child/stat" 2>/dev/null; done; } \
      | awk '{ sub(/^[0-9]+ \(.*\) /, ""); if (n++ == 0) t += $12 + $13 + $14 + $15; else t += $12 + $13 } END { print t }')
    after=$(cut -d' ' -f16,17 "/proc/$pid/stat")
    [ "$before" = "$after" ] && break
  done
  echo "$total"
}
# servers_cpu SIDE: each server's CPU time of that side, space-separated (one node; coordinator, two workers).
servers_cpu() {
  local dir
  if [ "$1" = single ]; then server_cpu "$work/single/data"; return; fi
  for dir in coord w1 w2; do printf '%s ' "$(server_cpu "$work/citus/$dir")"; done
}

for sessions in ${SESSIONS:-200000}; do
  work=$(mktemp -d /tmp/reckon-bench-citus.XXXXXX)
  chmod 755 "$work"
  cleanup() {
    citus_stop "$work/citus"
    RECKON_HOME="$work/single" "$reckon" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
  }
  trap cleanup EXIT
  citus_url=$(citus_start "$work/citus" reckon)
  RECKON_HOME="$work/single" "$reckon" db start >/dev/null
  single_url=$(RECKON_HOME="$work/single" "$reckon" db url)
  DATABASE_URL=$single_url "$reckon" generate --sessions "$sessions" --seed 1 >/dev/null 2>&1
  DATABASE_URL=$citus_url "$reckon" generate --sessions "$sessions" --seed 1 >/dev/null 2>&1
  citus_distribute_sources "$citus_url" >/dev/null
  # Both builds run with the data warm in their own cache; one node uses --jobs 2 (its two
  # cores), Citus its default (its workers run every shard in parallel).
  for side in single citus; do
    url=single_url; column=; [ $side = citus ] && url=citus_url && column=$EVENT_SESSION_COLUMN
    read -r -a cpu_before <<<"$(servers_cpu $side)"
    /usr/bin/time -f "%e" -o "$out/$sessions-$side.time" env DATABASE_URL="${!url}" RECKON_EVENT_SESSION_COLUMN="$column" \
      "$reckon" build --jobs 2 \
      2>"$out/$sessions-$side.log" >/dev/null || { tail -n 20 "$out/$sessions-$side.log"; exit 1; }
    sleep 1 # the build's backends exit
    read -r -a cpu_after <<<"$(servers_cpu $side)"
    cpu_used=()
    for i in "${!cpu_before[@]}"; do cpu_used+=("$(echo "scale=1; (${cpu_after[$i]} - ${cpu_before[$i]}) / 100" | bc)"); done
    echo "${cpu_used[*]}" >"$out/$sessions-$side.cpu"
  done
  # The shipped checks on the published marts (fused: one scan per table).
  for side in single citus; do
    url=single_url; column=; [ $side = citus ] && url=citus_url && column=$EVENT_SESSION_COLUMN
    /usr/bin/time -f "%e" -o "$out/$sessions-$side-check.time" env DATABASE_URL="${!url}" RECKON_EVENT_SESSION_COLUMN="$column" \
      "$reckon" check \
      >"$out/$sessions-$side-check.log" 2>&1 || true
  done
  single_wall=$(tail -n 1 "$out/$sessions-single.time")
  citus_wall=$(tail -n 1 "$out/$sessions-citus.time")
  say "== $sessions sessions: build on one node ${single_wall} s, on 3-node Citus (${CITUS_SHARD_COUNT:-32} shards) ${citus_wall} s ($(echo "$citus_wall / $single_wall" | bc -l | cut -c1-4)x)"
  read -r -a citus_cpu <"$out/$sessions-citus.cpu"
  say "   CPU of the servers during the build: one node $(cat "$out/$sessions-single.cpu") s; Citus $(echo "${citus_cpu[0]} + ${citus_cpu[1]} + ${citus_cpu[2]}" | bc) s (coordinator ${citus_cpu[0]}, workers ${citus_cpu[1]} and ${citus_cpu[2]} s)"
  for mart in "mart_marketing_attribution session_id collate \"C\"" "mart_campaign_daily date, facebook_campaign_id collate \"C\""; do
    read -r table key <<<"$mart"
    ours=$(mart_md5 "$citus_url" analytics "$table" "$key"); theirs=$(mart_md5 "$single_url" analytics "$table" "$key")
    say "   md5 $table: Citus $ours, one node $theirs ($([ "$ours" = "$theirs" ] && echo same || echo DIFFERENT))"
  done
  say "   reckon check (20 shipped checks): one node $(tail -n 1 "$out/$sessions-single-check.time") s, Citus $(tail -n 1 "$out/$sessions-citus-check.time") s; Citus: $(grep -E '^[0-9]+ checks' "$out/$sessions-citus-check.log" || echo 'no summary line')"
  say "   per statement, one node:"
  grep -E '^ *(stg_|int_|mart_)' "$out/$sessions-single.log" | grep -E 'insert|delete|create table|create temporary|alter|index' | sed 's/^/   /' | tee -a "$out/summary.txt" >/dev/null
  say "   per statement, Citus (plan method in parentheses):"
  grep -E '^ *(stg_|int_|mart_)' "$out/$sessions-citus.log" | grep -E 'insert|delete|create table|alter|index| do |distributed|reference|local' \
    | sed 's/^/   /' | tee -a "$out/summary.txt" >/dev/null
  say "   pulled to the coordinator: $(grep -c 'pulled to coordinator' "$out/$sessions-citus.log" || true) statement(s)"
  grep 'pulled to coordinator' "$out/$sessions-citus.log" | sed 's/^/     /' | tee -a "$out/summary.txt" >/dev/null || true
  cleanup
  trap - EXIT
done
cat "$out/summary.txt"
