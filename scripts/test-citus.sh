#!/usr/bin/env bash
# make test-citus: reckon on a 3-node Citus cluster (coordinator + 2 workers on this machine).
# Builds Citus with ../shared/citus/build.sh, starts the cluster and a single-node PostgreSQL,
# generates the same data into both (SESSIONS, default 5000), lays the sources out on Citus
# (sessions by id, events by session: the column ff_session_id named in
# sources.event_session_column, the rest reference tables), runs `reckon run` on both (one node
# without the column and the setting: the JSON alone) and
# fails loudly unless: the run on Citus publishes; the six per-session models were
# distributed by session_id co-located with the sessions source (progress lines, and
# citus_tables for the published mart); the stg_events and int_event_aggregates inserts are pushed down (not
# repartitioned); an intermediate model's shards are unlogged without autovacuum, the published
# mart's logged with it; the mart's shards are analyzed with the divided statistics target; both
# marts have the same md5 as the single-node build; every shipped check has the same verdict as on one node and none failed or errored;
# every check's failing-row SQL runs on Citus; `reckon doctor` reports the layout; and the
# check kinds' Citus test suite (RECKON_CITUS_URL) passes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/citus-lib.sh
citus_require
sessions=${SESSIONS:-5000}
export PGTZ=UTC
fail() { echo "test-citus: FAILED: $*" >&2; exit 1; }
step() { echo "test-citus: $*"; }

step "building reckon and the tests"
swift build --build-tests >/dev/null
reckon=$(swift build --show-bin-path)/reckon
step "building Citus (../shared/citus/build.sh)"
citus_install

work=$(mktemp -d /tmp/reckon-test-citus.XXXXXX)
chmod 755 "$work"
cleanup() {
  citus_stop "$work/citus"
  RECKON_HOME="$work/single" "$reckon" db stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; else echo "test-citus: kept $work"; fi
}
trap cleanup EXIT
citus_url=$(citus_start "$work/citus" reckon)
RECKON_HOME="$work/single" "$reckon" db start >/dev/null
single_url=$(RECKON_HOME="$work/single" "$reckon" db url)
step "Citus: $citus_url"

step "generating $sessions sessions into both"
DATABASE_URL=$citus_url "$reckon" generate --sessions "$sessions" --seed 7 >/dev/null 2>&1
DATABASE_URL=$single_url "$reckon" generate --sessions "$sessions" --seed 7 >/dev/null 2>&1
citus_distribute_sources "$citus_url" >/dev/null

step "reckon doctor on Citus"
# The Citus side names the events' session column (sources.event_session_column).
citus_env=(env DATABASE_URL="$citus_url" RECKON_EVENT_SESSION_COLUMN="$EVENT_SESSION_COLUMN")
"${citus_env[@]}" "$reckon" doctor >"$work/doctor.txt" 2>&1 || { cat "$work/doctor.txt"; fail "reckon doctor exited non-zero"; }
cat "$work/doctor.txt"
grep -q "funnelfox_sessions .*distributed by id" "$work/doctor.txt" || fail "doctor does not report funnelfox_sessions distributed by id"
grep -q "stripe_payments .*reference table" "$work/doctor.txt" || fail "doctor does not report stripe_payments as a reference table"
grep -q "amplitude_events .*distributed by $EVENT_SESSION_COLUMN, .* shards, co-located with funnelfox_sessions" "$work/doctor.txt" \
  || fail "doctor does not report amplitude_events distributed by $EVENT_SESSION_COLUMN co-located with the sessions"
grep -q "^sources.event_session_column: $EVENT_SESSION_COLUMN equals event_properties->>'ff_session_id' in every event" "$work/doctor.txt" \
  || fail "doctor does not confirm that $EVENT_SESSION_COLUMN agrees with the JSON"
if grep -q "^warning" "$work/doctor.txt"; then fail "doctor warns on the recommended layout"; fi
# Without the setting, doctor tells that the events could be laid out by session.
DATABASE_URL=$citus_url "$reckon" doctor >"$work/doctor-unset.txt" 2>&1 || { cat "$work/doctor-unset.txt"; fail "reckon doctor without the setting exited non-zero"; }
grep -q "^warning: source amplitude_events (raw.amplitude_events) is distributed by $EVENT_SESSION_COLUMN, co-located with funnelfox_sessions, but sources.event_session_column is not set: the stg_events insert moves every event .*set sources.event_session_column: $EVENT_SESSION_COLUMN" "$work/doctor-unset.txt" \
  || { cat "$work/doctor-unset.txt"; fail "doctor without sources.event_session_column does not advise the layout by session"; }
# A setting that names another column than the events' distribution column.
RECKON_EVENT_SESSION_COLUMN=uuid DATABASE_URL=$citus_url "$reckon" doctor >"$work/doctor-other.txt" 2>&1 || { cat "$work/doctor-other.txt"; fail "reckon doctor with another column exited non-zero"; }
grep -q "^warning: source amplitude_events (raw.amplitude_events) is distributed by $EVENT_SESSION_COLUMN, but sources.event_session_column is uuid: .*select alter_distributed_table('raw.amplitude_events', distribution_column => 'uuid', colocate_with => 'raw.funnelfox_sessions')" "$work/doctor-other.txt" \
  || { cat "$work/doctor-other.txt"; fail "doctor does not say how to distribute the events by the configured column"; }
grep -q "^warning: [0-9]* events of amplitude_events (raw.amplitude_events) name a session in event_properties->>'ff_session_id' but hold another value in uuid" "$work/doctor-other.txt" \
  || { cat "$work/doctor-other.txt"; fail "doctor does not count the events whose column disagrees with the JSON"; }

# The same sources as coordinator-local copies: doctor must warn about the sessions source
# and about a large local table.
psql "$citus_url" -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create schema raw_local;
select format('create table raw_local.%I as select * from raw.%I', t, t) from unnest(array['facebook_campaigns',
  'facebook_adsets', 'facebook_ads', 'facebook_ad_statistics', 'funnelfox_funnels', 'funnelfox_sessions',
  'funnelfox_subscriptions', 'amplitude_events', 'stripe_subscriptions', 'stripe_payments', 'stripe_refunds',
  'stripe_balance_transactions']) t
\gexec
-- a local events table past doctor's 100 MB
insert into raw_local.amplitude_events select * from raw_local.amplitude_events;
insert into raw_local.amplitude_events select * from raw_local.amplitude_events;
insert into raw_local.amplitude_events select * from raw_local.amplitude_events;
SQL
RECKON_SOURCE_SCHEMA=raw_local "${citus_env[@]}" "$reckon" doctor >"$work/doctor-local.txt" 2>&1 || { cat "$work/doctor-local.txt"; fail "doctor on local sources exited non-zero"; }
grep -q "^warning: source funnelfox_sessions (raw_local.funnelfox_sessions) is a local table, not distributed by id" "$work/doctor-local.txt" \
  || { cat "$work/doctor-local.txt"; fail "doctor does not warn that the sessions source is not distributed by id"; }
grep -q "^warning: source amplitude_events (raw_local.amplitude_events) is a local table of .* on the coordinator" "$work/doctor-local.txt" \
  || { cat "$work/doctor-local.txt"; fail "doctor does not warn about a large local events table"; }
grep "^warning" "$work/doctor-local.txt"
psql "$citus_url" -X -q -c "drop schema raw_local cascade" >/dev/null

step "reckon run on one node and on Citus"
DATABASE_URL=$single_url "$reckon" run --json "$work/single.json" >"$work/single.log" 2>&1 \
  || { tail -n 30 "$work/single.log"; fail "reckon run on one node exited $?"; }
"${citus_env[@]}" "$reckon" run --json "$work/citus.json" >"$work/citus.log" 2>&1 \
  || { tail -n 40 "$work/citus.log"; fail "reckon run on Citus exited $?"; }
grep -q "^  engine citus" "$work/citus.log" || fail "the build on Citus did not detect Citus"
for model in stg_events int_event_aggregates int_session_params int_facebook_match int_session_revenue mart_marketing_attribution; do
  grep -q "^  $model distributed by session_id, co-located with \"raw\".\"funnelfox_sessions\"" "$work/citus.log" \
    || fail "$model was not distributed by session_id co-located with the sessions source"
done
grep -q "^  int_subscription_sessions reference table" "$work/citus.log" || fail "int_subscription_sessions is not a reference table"
grep -q "^  mart_campaign_daily local table" "$work/citus.log" || fail "mart_campaign_daily is not a local table"
grep -q "^  mart_marketing_attribution #[0-9]* insert (pushed down)" "$work/citus.log" || fail "the mart's insert was not pushed down"
grep -q "^  stg_events #[0-9]* insert (pushed down)" "$work/citus.log" || fail "the stg_events insert was not pushed down (events laid out by session)"
grep -q "^  int_event_aggregates #[0-9]* insert (pushed down)" "$work/citus.log" || fail "the int_event_aggregates insert was not pushed down"
grep -E "insert|delete" "$work/citus.log" | grep -E "^  " | sed 's/^/  citus: /'
# The key's and the `not null` columns are set on the mart's empty table, before its insert (no
# statement reads the filled shards again to verify them).
awk '!a && /^  mart_marketing_attribution #[0-9]* alter table/{a=NR} /^  mart_marketing_attribution #[0-9]* insert/{i=NR}
     END{exit !(a && i && a < i)}' "$work/citus.log" || fail "the mart's not-null columns were not set before its insert"
# The stg_events de-duplication runs on every shard placement (its `do` statement).
grep -q "^  stg_events #[0-9]* do " "$work/citus.log" || fail "the stg_events de-duplication did not run on the shards (its do statement)"

step "the published mart is distributed (citus_tables)"
layout=$(psql "$citus_url" -X -At -c "
  select m.citus_table_type || ' ' || m.distribution_column || ' ' || (m.colocation_id = s.colocation_id)
  from citus_tables m, citus_tables s
  where m.table_name = 'analytics.mart_marketing_attribution'::regclass and s.table_name = 'raw.funnelfox_sessions'::regclass")
[ "$layout" = "distributed session_id true" ] || fail "analytics.mart_marketing_attribution in citus_tables: '$layout'"

step "the shards of a distributed model are analyzed with the statistics target divided by the shards"
# Per shard: the longest session_id histogram and whether autovacuum analyzed the shard again
# after the build (the published mart keeps autovacuum, and a worker may report the insert's
# rows to its statistics after the build's analyze; its own analyze uses the database's target).
shards=$(psql "$citus_url" -X -At -c "
  select string_agg(result, ',') from run_command_on_shards('analytics.mart_marketing_attribution',
    \$\$select coalesce((select max(cardinality(histogram_bounds::text::text[])) from pg_stats where schemaname || '.' || tablename = '%1\$s' and attname = 'session_id'), 0)
       || ' ' || coalesce((select last_autoanalyze > coalesce(last_analyze, '-infinity') from pg_stat_user_tables where relid = '%1\$s'::regclass), false)\$\$)")
echo "  mart shards (session_id histogram bounds, analyzed again by autovacuum): $shards"
bounds=$(tr ',' '\n' <<<"$shards" | awk '$2 == "false" { print $1 }' | sort -n | tail -n 1)
if [ -z "$bounds" ]; then
  echo "  every mart shard was analyzed again by autovacuum after the build: its statistics target cannot be read"
else
  [ "$bounds" -gt 1 ] && [ "$bounds" -le 26 ] || fail "the mart's shards were not analyzed with a statistics target of at most 25 ($bounds histogram bounds)"
fi

step "intermediate models' shards are not autovacuumed; the published mart's are"
# The staging schema is gone after publishing: lay out the compiled stg_events table again (its
# create and layout statements, as the build runs them) in a scratch schema and read every
# shard's storage parameters and persistence on the workers. (After the statistics check: the
# published mart keeps autovacuum, whose own analyze, with the database's target, may come
# round on its shards at any time after the build.)
"${citus_env[@]}" "$reckon" compile --engine citus --target-schema avcheck --output "$work/compiled" >/dev/null
psql "$citus_url" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
create schema avcheck__staging;
$(awk '/^create unlogged table/{p=1} p{print} p && /^select create_distributed_table/{q=1} q && /;$/{exit}' "$work/compiled/01_stg_events.sql")
SQL
shards=$(psql "$citus_url" -X -At -c "
  select string_agg(distinct result, ', ') from run_command_on_placements('avcheck__staging.stg_events',
    \$\$select relpersistence::text || ' ' || coalesce(array_to_string(reloptions, ','), '') from pg_class where oid = '%s'::regclass\$\$)")
echo "  stg_events shards: $shards"
[ "$shards" = "u autovacuum_enabled=off" ] || fail "the shards of an intermediate model are not unlogged without autovacuum: '$shards'"
psql "$citus_url" -X -q -c "drop schema avcheck__staging cascade" >/dev/null
mart=$(psql "$citus_url" -X -At -c "
  select string_agg(distinct result, ', ') from run_command_on_placements('analytics.mart_marketing_attribution',
    \$\$select relpersistence::text || ' ' || coalesce(array_to_string(reloptions, ','), '') from pg_class where oid = '%s'::regclass\$\$)")
[ "$mart" = "p " ] || fail "the published mart's shards are not plain logged tables with autovacuum: '$mart'"

step "the published mart's shards have its not-null columns"
notnull=$(psql "$citus_url" -X -At -c "
  select (select count(*) from pg_attribute where attrelid = 'analytics.mart_marketing_attribution'::regclass and attnum > 0 and attnotnull)
         || ' ' || string_agg(distinct result, ',') from run_command_on_placements('analytics.mart_marketing_attribution',
    \$\$select count(*) from pg_attribute where attrelid = '%s'::regclass and attnum > 0 and attnotnull\$\$)")
echo "  not-null columns of the mart, coordinator and shards: $notnull"
read -r coordinator shards <<<"$notnull"
[ "$coordinator" -ge 10 ] && [ "$shards" = "$coordinator" ] || fail "the mart's shards do not have its not-null columns: '$notnull'"

step "md5 per mart, one node vs Citus"
for mart in "mart_marketing_attribution session_id collate \"C\"" "mart_campaign_daily date, facebook_campaign_id collate \"C\""; do
  read -r table key <<<"$mart"
  ours=$(mart_md5 "$citus_url" analytics "$table" "$key")
  theirs=$(mart_md5 "$single_url" analytics "$table" "$key")
  echo "  $table: Citus $ours, one node $theirs"
  [ "$ours" = "$theirs" ] || fail "$table differs between Citus and one node"
done

step "check verdicts and failing-row SQL on Citus"
python3 - "$work/single.json" "$work/citus.json" "$citus_url" <<'PY'
import json, subprocess, sys
single = {c["name"]: c for c in json.load(open(sys.argv[1]))["checks"]}
citus = json.load(open(sys.argv[2]))["checks"]
problems = []
if len(citus) != len(single) or not citus:
    problems.append(f"{len(citus)} checks on Citus, {len(single)} on one node")
for check in citus:
    name, status = check["name"], check["status"]
    if status in ("fail", "error"):
        problems.append(f"{name}: {status}: {check.get('message', '')} {check.get('errorMessage', '')}")
    other = single.get(name, {}).get("status")
    if other != status:
        problems.append(f"{name}: {status} on Citus, {other} on one node")
    # the checks ran on the staging schema; since published, the marts are in analytics
    listed = subprocess.run(
        ["psql", sys.argv[3], "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", check["sql"].replace("analytics__staging", "analytics")],
        capture_output=True, text=True)
    if listed.returncode != 0:
        problems.append(f"{name}: failing-row SQL errors on Citus: {listed.stderr.strip()}")
    print(f"  {name}: {status} (failing-row SQL: {len(listed.stdout.splitlines())} rows)")
for problem in problems:
    print("test-citus: FAILED: " + problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

step "check kinds on distributed tables (CitusCheckKindTests)"
(RECKON_CITUS_URL=$citus_url swift test --skip-build --filter CitusCheckKindTests 2>&1 || true) >"$work/swift-test.log"
tail -n 3 "$work/swift-test.log"
grep -q "Test run with [1-9][0-9]* test.* passed" "$work/swift-test.log" || fail "CitusCheckKindTests did not pass"
step "passed"
