-- reckon.grain: session_id
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
-- Shape: plain `session_id text` grain key (Citus distribution column). Only the columns
-- later models read, cast to the types later models rely on. An intermediate model:
-- reckon makes it unlogged and drops it after publishing.
-- The SELECT gives the rows; the statements after it (a planner hint and the delete of the
-- later copies of a duplicated event) run on the filled table.
--
-- Performance (docs/models.md, "Where the build's time goes"): nothing here sorts every
-- event. The insert reads the source once (the jsonb extraction is the cost) and writes
-- every event; duplicates are then found with a hash aggregate over a narrow 8-byte key
-- (a hash of session_id and uuid; a collision only sends a unique key to the exact
-- check) and only the rows of those keys (~0.6% of events) are ranked by the
-- de-duplication order, the later copies deleted. Copies that agree in every column are
-- interchangeable: which one stays changes no byte of the table.
select
  e.session_id, e.uuid::text as uuid, e.event_type::text as event_type,
  e.event_time::timestamptz as event_time, e.device_id::text as device_id,
  e.platform::text as platform, e.os_version::text as os_version, e.country::text as country,
  e.city::text as city
from (
  select
    a.event_properties->>'ff_session_id' as session_id,
    a.uuid, a.event_type, a.event_time, a.device_id, a.platform, a.os_version,
    a.country, a.city
  from {{ source('amplitude_events') }} a
  where jsonb_typeof(a.event_properties->'ff_session_id') = 'string'
) e
-- With --jobs N the build runs this SELECT as N inserts, one hash bucket of session_id
-- each, side by side (PostgreSQL does not parallelise insert … select); in a plain
-- build the predicate is true on every row.
where {{ shard('e.session_id') }};

-- The duplicated keys are found by sorting the 8-byte hashes: at 1,000,000 sessions (12M
-- keys) that takes 7 s where a hash aggregate, spilling past build.memory, takes 16 s.
set enable_hashagg = off;

-- The later copies of each duplicated (session_id, uuid). The join on session_id keeps the
-- statement shard-local on Citus (ctid is a row's address within its own shard).
delete from {{ this }} t
using (
  select r.session_id, r.ctid as row_id
  from (
    select
      d.session_id, d.ctid,
      row_number() over (
        partition by d.session_id, d.uuid
        order by d.event_time, d.event_type collate "C", d.device_id collate "C",
                 d.platform collate "C", d.os_version collate "C", d.country collate "C",
                 d.city collate "C"
      ) as rn
    from {{ this }} d
    where d.uuid is not null
      and {{ shard('d.session_id') }}
      and hashtextextended(d.uuid, hashtext(d.session_id)) in (
        select hashtextextended(k.uuid, hashtext(k.session_id))
        from {{ this }} k
        where k.uuid is not null and {{ shard('k.session_id') }}
        group by 1
        having count(*) > 1)
  ) r
  where r.rn > 1
) x
where t.session_id = x.session_id and t.ctid = x.row_id;

reset enable_hashagg;
