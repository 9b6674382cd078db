-- /tmp/b14/main-models/01_stg_events.sql:23
-- stg_events: Amplitude events that name a FunnelFox session, one row per event.
-- The JSON extraction and the uuid de-duplication happen here, exactly once.
-- Choices (see docs/mart.md):
--   * ff_session_id counts only when it is a JSON string
--     (jsonb_typeof(event_properties->'ff_session_id') = 'string'); a number, object,
--     array, boolean or JSON null names no session, so the event is ignored (never an
--     error). An empty string is kept as is (it matches no session).
--   * de-duplication is per (session_id, uuid): of the rows sharing a uuid the earliest
--     (event_time, then event_type, device_id, ... COLLATE "C") is kept. Rows with a NULL
--     uuid share no uuid with anything and are each kept.
-- Shape: plain `session_id text not null` grain key (Citus distribution column). Only the
-- columns later models read. Unlogged: an intermediate model, dropped after publishing.
--
-- Physical order: rows are inserted ordered by (session_id, event_time, uuid, ...), the
-- order int_event_aggregates asks for, so that its sort finds presorted input (a linear
-- check instead of a full sort). Correctness never depends on it: every consumer still
-- says ORDER BY.
-- Performance notes (1M sessions, 14M raw events): bound by one in-memory sort of the
-- 13M extracted rows on (session_id, uuid, ...) for the de-duplication window, plus the
-- seq scan of amplitude_events (jsonb extraction) and writing 13M rows. The re-sort into
-- time order is an Incremental Sort (presorted on session_id, ~13 rows per group).
-- work_mem is raised so that neither sort spills (~2.5 GB in memory at this size).
create unlogged table "bench_baseline__staging"."stg_events" (
  session_id text not null,
  uuid text,
  event_type text,
  event_time timestamptz,
  device_id text,
  platform text,
  os_version text,
  country text,
  city text
);

-- /tmp/b14/main-models/01_stg_events.sql:35
set work_mem = '4GB';

-- /tmp/b14/main-models/01_stg_events.sql:37
insert into "bench_baseline__staging"."stg_events"
select session_id, uuid, event_type, event_time, device_id, platform, os_version, country, city
from (
  select
    e.session_id, e.uuid, e.event_type, e.event_time, e.device_id, e.platform,
    e.os_version, e.country, e.city,
    row_number() over (
      partition by e.session_id, e.uuid
      order by e.event_time, e.event_type collate "C", e.device_id collate "C",
               e.platform collate "C", e.os_version collate "C", e.country collate "C",
               e.city collate "C"
    ) as rn
  from (
    select
      a.event_properties->>'ff_session_id' as session_id,
      a.uuid, a.event_type, a.event_time, a.device_id, a.platform, a.os_version,
      a.country, a.city
    from "raw"."amplitude_events" a
    where jsonb_typeof(a.event_properties->'ff_session_id') = 'string'
  ) e
  -- With --jobs N the build runs this insert as N parts, one hash bucket of session_id
  -- each, side by side (PostgreSQL does not parallelise insert … select); in a plain
  -- build the predicate is true on every row.
  where (mod(abs(hashtext(e.session_id)::bigint), /*reckon_shards*/1) = /*reckon_shard*/0)
) d
where rn = 1 or uuid is null
order by session_id, event_time, uuid collate "C", event_type collate "C",
         device_id collate "C", platform collate "C", os_version collate "C",
         country collate "C", city collate "C";

-- /tmp/b14/main-models/01_stg_events.sql:67
reset work_mem;

-- /tmp/b14/main-models/01_stg_events.sql:69
analyze "bench_baseline__staging"."stg_events";
