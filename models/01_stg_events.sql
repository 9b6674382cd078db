-- reckon.grain: session_id
-- stg_events: Amplitude events that name a FunnelFox session, one row per event.
-- The JSON extraction and the uuid de-duplication happen here, exactly once.
-- Choices (see docs/mart.md):
--   * ff_session_id counts only when it is a JSON string
--     (jsonb_typeof(event_properties->'ff_session_id') = 'string'); a number, object,
--     array, boolean or JSON null names no session, so the event is ignored (never an
--     error). An empty string is kept as is (it matches no session).
--   * event_session_id('a') is a.event_properties->>'ff_session_id'; with
--     sources.event_session_column set (reckon.yml, docs/citus.md) it is that column, and
--     event_session_guard('a') adds "and a.<column> = a.event_properties->>'ff_session_id'":
--     an event whose column disagrees with its JSON string is left out, so the rows are
--     the same as without the setting whenever the loader filled the column right
--     (reckon doctor counts the events that disagree). On Citus, events distributed by that
--     column and co-located with the sessions make this insert shard-local (pushed down).
--   * de-duplication is per (session_id, uuid): of the rows sharing a uuid the earliest
--     (event_time, then event_type, device_id, ... COLLATE "C") is kept. Rows with a NULL
--     uuid share no uuid with anything and are each kept.
-- Shape: plain `session_id text` grain key (Citus distribution column). Only the columns
-- later models read, cast to the types later models rely on. An intermediate model:
-- reckon makes it unlogged and drops it after publishing.
-- The SELECT gives the rows; the statements after it (a planner hint and the delete of the
-- later copies of a duplicated event) run on the filled table.
--
-- Performance (docs/models.md, "Where the build's time goes"): nothing here sorts every
-- event. The SELECT has no shard(): reckon makes it one `create table … as select`, whose
-- scan and jsonb extraction PostgreSQL runs in parallel workers (at 200,000 sessions 2.5 s,
-- where two shard parts, each reading the whole source, took 6 s). It writes every event;
-- duplicates are then found with one parallel sort of narrow (8-byte key, row address)
-- pairs (the key a hash of session_id and uuid; a collision only sends a unique key to the
-- exact check), and only the rows of those keys (~1.2% of events) are fetched by address
-- and ranked by the de-duplication order, the later copies deleted by address. Copies that agree in every column are
-- interchangeable: which one stays changes no byte of the table.
select
  e.session_id, e.uuid::text as uuid, e.event_type::text as event_type,
  e.event_time::timestamptz as event_time, e.device_id::text as device_id,
  e.platform::text as platform, e.os_version::text as os_version, e.country::text as country,
  e.city::text as city
from (
  select
    {{ event_session_id('a') }} as session_id,
    a.uuid, a.event_type, a.event_time, a.device_id, a.platform, a.os_version,
    a.country, a.city
  from {{ source('amplitude_events') }} a
  where jsonb_typeof(a.event_properties->'ff_session_id') = 'string'{{ event_session_guard('a') }}
) e;

-- De-duplication. On PostgreSQL in three small steps on this connection (temporary
-- tables): the addresses of every copy of a duplicated key (145,460 of 12M events at
-- 1,000,000 sessions), their later copies, ranked among those rows alone (fetched by
-- address: a TID scan), then a delete by address (another TID scan) instead of hashing
-- every row of the table. On Citus a delete by address must stay inside one shard, so there
-- the same idea is one delete run on each shard (below).
-- `-- reckon.engine:` marks a statement that runs on that engine only (docs/models.md).

-- Left over only if an earlier build on this connection stopped half-way.
-- reckon.engine: postgres
drop table if exists pg_temp.stg_events_duplicated_rows, pg_temp.stg_events_later_copies;

-- The later copies of each duplicated (session_id, uuid), on Citus: the same delete on
-- every shard placement of this table, as plain PostgreSQL on the shard
-- (run_command_on_placements), each with the build's work_mem, jit and synchronous_commit.
-- Planned by Citus, every partition and join would have to hold session_id (the
-- distribution column), so its sort would carry the 37-byte text beside each 8-byte hash:
-- on the shard the sort holds only (hash, address) pairs, as on one node, and takes half
-- the time (3M events of a shard at 1,000,000 sessions: 2.4 s against 5.2 s). Every copy
-- of a duplicated key is found by that sort, only those rows are fetched by address (a TID
-- scan) and ranked, and the later copies are deleted by address. A shard's failure stops
-- the build with its message. On a table without shards (on the coordinator) the delete
-- runs there. The command goes through format(): it holds no percent sign but its %1$s.
-- reckon.engine: citus
do $dedup$
declare
  target regclass := '{{ this }}';
  command text := $command$
delete from %1$s t
where t.ctid = any (array(
  select r.row_id
  from (
    select d.ctid as row_id,
           row_number() over (
             partition by d.session_id, d.uuid
             order by d.event_time, d.event_type collate "C", d.device_id collate "C",
                      d.platform collate "C", d.os_version collate "C", d.country collate "C",
                      d.city collate "C"
           ) as rn
    from %1$s d
    where d.ctid = any (array(
        select w.row_id
        from (
          select k.ctid as row_id,
                 count(*) over (partition by hashtextextended(k.uuid, hashtext(k.session_id))) as copies
          from %1$s k
          where k.uuid is not null
        ) w
        where w.copies > 1))
      and d.uuid is not null
  ) r
  where r.rn > 1))
$command$;
  failures text;
begin
  if to_regclass('pg_catalog.pg_dist_shard') is not null then
    if exists (select from pg_catalog.pg_dist_shard s where s.logicalrelid = target) then
      select string_agg(format('%s:%s shard %s: %s', p.nodename, p.nodeport, p.shardid, p.result), '; ')
      into failures
      -- One statement per placement (run_command_on_placements reports only the first
      -- result of a command): a DO block that sets the build's settings for its own
      -- transaction and runs the delete.
      from run_command_on_placements(target, format(
        'do $shard$ begin perform set_config(''work_mem'', %L, true); perform set_config(''jit'', %L, true); '
          'perform set_config(''synchronous_commit'', %L, true); execute %L; end $shard$',
        current_setting('work_mem'), current_setting('jit'), current_setting('synchronous_commit'), command)) p
      where not p.success;
      if failures is not null then
        raise exception 'the de-duplication of % failed on %', target, failures;
      end if;
      return;
    end if;
  end if;
  execute format(command, target);
end
$dedup$;

-- Every copy of a duplicated key, by row address: one parallel sort of (8-byte hash of
-- session_id and uuid, address) pairs, counted per hash as they stream out in order. A
-- collision of two different keys only sends their rows to the exact ranking below. The
-- sorted pairs reach the leader through a Gather Merge, which the planner costs too high
-- for 12M narrow rows unless told otherwise (without the hint it sorts in one process:
-- 12 s against 9 s at 1,000,000 sessions).
-- reckon.engine: postgres
set parallel_tuple_cost = 0.001;

-- reckon.engine: postgres
create temporary table stg_events_duplicated_rows as
select w.row_id
from (
  select k.ctid as row_id,
         count(*) over (partition by hashtextextended(k.uuid, hashtext(k.session_id))) as copies
  from {{ this }} k
  where k.uuid is not null
) w
where w.copies > 1;

-- reckon.engine: postgres
reset parallel_tuple_cost;

-- The later copies of each duplicated (session_id, uuid), ranked among the copies alone,
-- fetched by address (a TID scan of ~1% of the table instead of reading all of it again:
-- 1.8 s against 6–10 s at 1,000,000 sessions).
-- reckon.engine: postgres
create temporary table stg_events_later_copies as
select r.session_id, r.row_id
from (
  select
    d.session_id, d.ctid as row_id,
    row_number() over (
      partition by d.session_id, d.uuid
      order by d.event_time, d.event_type collate "C", d.device_id collate "C",
               d.platform collate "C", d.os_version collate "C", d.country collate "C",
               d.city collate "C"
    ) as rn
  from {{ this }} d
  where d.ctid = any(array(select x.row_id from stg_events_duplicated_rows x))
    and d.uuid is not null
) r
where r.rn > 1;

-- reckon.engine: postgres
analyze stg_events_later_copies;

-- The later copies, fetched by address (session_id narrows each to its session).
-- reckon.engine: postgres
delete from {{ this }} t
using stg_events_later_copies x
where t.session_id = x.session_id and t.ctid = x.row_id;

-- reckon.engine: postgres
drop table stg_events_duplicated_rows, stg_events_later_copies;
