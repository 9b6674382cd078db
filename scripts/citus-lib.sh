# Shared by scripts/test-citus.sh and scripts/bench-citus.sh (sourced, not run): a 3-node
# Citus cluster from ../shared/citus, a single-node PostgreSQL beside it (reckon's embedded
# cluster), the sources laid out for Citus, and the marts' md5.
CITUS_TOOLS=${CITUS_TOOLS:-../shared/citus}

citus_require() {
  if [ ! -x "$CITUS_TOOLS/cluster.sh" ] && [ ! -f "$CITUS_TOOLS/cluster.sh" ]; then
    echo "$0: $CITUS_TOOLS/cluster.sh not found (set CITUS_TOOLS to the folder with build.sh and cluster.sh)" >&2
    exit 2
  fi
}

# Builds and installs Citus into the installed PostgreSQL 15 (idempotent). Says so loudly when
# installing its build dependencies changed the server's package version: a server started
# before (not the clusters this tier starts afterwards) would then load libraries of another
# minor version and must be restarted.
citus_install() {
  local before after
  before=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || echo none)
  bash "$CITUS_TOOLS/build.sh"
  after=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || echo none)
  if [ "$before" != "$after" ]; then
    echo "$0: WARNING: building Citus changed postgresql-15 from $before to $after; PostgreSQL servers started before must be restarted" >&2
  fi
}

# The first of three consecutive free TCP ports on 127.0.0.1 from $1.
citus_free_base_port() {
  local port=$1 offset
  while :; do
    for offset in 0 1 2; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$((port + offset))") 2>/dev/null; then port=$((port + 3)); continue 2; fi
    done
    echo "$port"; return
  done
}

# citus_start DIR NAME — starts the coordinator and two workers under DIR and creates the
# database NAME on them; prints the coordinator's URL.
citus_start() {
  local dir=$1 name=$2 base
  base=$(citus_free_base_port "${CITUS_BASE_PORT:-55560}")
  bash "$CITUS_TOOLS/cluster.sh" start "$dir" "$base" >&2
  bash "$CITUS_TOOLS/cluster.sh" createdb "$dir" "$name" | tail -n 1
}

citus_stop() { bash "$CITUS_TOOLS/cluster.sh" stop "$1" >/dev/null 2>&1 || true; }

# The column of amplitude_events the events are laid out by (sources.event_session_column).
EVENT_SESSION_COLUMN=ff_session_id

# citus_distribute_sources URL [SCHEMA] — the layout docs/citus.md recommends: sessions
# distributed by id; events by session: the loader's column ff_session_id (the JSON string
# ff_session_id, else the uuid, never NULL: a distribution column holds no NULL; Citus refuses
# a generated column as one, so the column is filled once and kept as a plain column),
# co-located with the sessions; every other source a reference table. CITUS_SHARD_COUNT
# (default: Citus's 32) sets the shards of the two distributed sources (and so of every model
# co-located with the sessions).
citus_distribute_sources() {
  local schema=${2:-raw}
  psql "$1" -X -q -v ON_ERROR_STOP=1 <<SQL
set client_min_messages = warning;
alter table $schema.amplitude_events add column $EVENT_SESSION_COLUMN text generated always as (coalesce(
  case when jsonb_typeof(event_properties->'ff_session_id') = 'string' then event_properties->>'ff_session_id' end,
  uuid, '')) stored;
alter table $schema.amplitude_events alter column $EVENT_SESSION_COLUMN drop expression;
set citus.shard_count = ${CITUS_SHARD_COUNT:-32};
select create_distributed_table('$schema.funnelfox_sessions', 'id');
select create_distributed_table('$schema.amplitude_events', '$EVENT_SESSION_COLUMN', colocate_with => '$schema.funnelfox_sessions');
select create_reference_table('$schema.' || t) from unnest(array[
  'facebook_campaigns', 'facebook_adsets', 'facebook_ads', 'facebook_ad_statistics', 'funnelfox_funnels',
  'funnelfox_subscriptions', 'stripe_subscriptions', 'stripe_payments', 'stripe_refunds',
  'stripe_balance_transactions']) t;
-- the rows were copied into the shards; the coordinator's local copies are no longer read
select truncate_local_data_after_distributing_table('$schema.' || t) from unnest(array[
  'funnelfox_sessions', 'amplitude_events', 'facebook_campaigns', 'facebook_adsets', 'facebook_ads',
  'facebook_ad_statistics', 'funnelfox_funnels', 'funnelfox_subscriptions', 'stripe_subscriptions',
  'stripe_payments', 'stripe_refunds', 'stripe_balance_transactions']) t;
-- the shards start without statistics: without them the workers plan blind
analyze $schema.funnelfox_sessions, $schema.amplitude_events, $schema.facebook_campaigns, $schema.facebook_adsets,
  $schema.facebook_ads, $schema.facebook_ad_statistics, $schema.funnelfox_funnels, $schema.funnelfox_subscriptions,
  $schema.stripe_subscriptions, $schema.stripe_payments, $schema.stripe_refunds, $schema.stripe_balance_transactions;
SQL
}

# mart_md5 URL SCHEMA TABLE KEY — md5 of the rows' md5s in key order.
mart_md5() {
  psql "$1" -X -At -c "select md5(string_agg(md5(t::text), '' order by $4)) || ' ' || count(*) from \"$2\".\"$3\" t"
}

MARTS=("mart_marketing_attribution session_id" "mart_campaign_daily date,facebook_campaign_id")
