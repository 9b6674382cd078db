-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- reckon.statistics: session_id
-- int_event_aggregates: one row per session that has at least one (de-duplicated) event.
-- Choices (see docs/mart.md): events with a NULL event_type count in total_events but
-- are left out of unique_event_types, event_types_list and event_counts_json (a jsonb
-- key cannot be NULL). The earliest event is the one with the smallest event_time
-- (NULL times last), ties broken by the smallest uuid COLLATE "C" (NULL uuids last), then
-- by event_type, device_id, platform, os_version, country, city COLLATE "C" (only
-- events without uuid can still tie there).
--
-- Performance (docs/models.md, "Where the build's time goes"): one sort of narrow
-- (session, event type, time) rows, no window, no hash table per (session, event type).
-- The events are sorted by session and event type COLLATE "C" (byte order: a sort in the
-- database's collation calls strcoll() for every comparison and is several times slower),
-- counted per (session, event type) as they stream out of the sort, and rolled up per
-- session right behind, building the type list and the JSON object as it goes; no
-- aggregate state is held for more than one session at a time. The session's first event
-- is found among the events at its earliest time (~1 per session) by a hash join of the
-- events with the roll-up, and DISTINCT ON ranks those few by the full order; the roll-up's
-- columns ride along, so the events are read twice (once per aggregate, once for the first
-- event). The hint below makes both aggregates sort-based: hashed, the per-type aggregate
-- (7M groups at 1,000,000 sessions) spills to disk and its output has to be sorted again
-- for the roll-up. (A hint for this model's SELECT; reckon resets it after the model.)
set enable_hashagg = off;

-- On PostgreSQL the session is grouped on its byte-order key alone. With one grouping
-- column the planner knows the roll-up has one row per session, so the join hashes the
-- roll-up (~0.5M rows a part at 1,000,000 sessions) and streams the events past it;
-- grouped on two columns it hashed the events (6M wide rows a part, spilled in batches).
-- The per-type counts leave their subquery in (session, event type) order, the order the
-- sort gave them, so the roll-up reads the types in order and builds the sorted list
-- without sorting each session's types again (an ORDER BY inside array_agg sorts per
-- group). Measured on one part of 1,000,000 sessions, CPU of the build's process: 15.5–16.6 s
-- against 20.1–20.3 s for the form below, which Citus needs.
-- reckon.engine: postgres
select
  f.session_id, f.total_events, f.unique_event_types, f.first_event_at, f.last_event_at,
  f.event_types_list, f.event_counts_json, f.amplitude_device_id, f.amplitude_platform,
  f.amplitude_os_version, f.amplitude_country, f.amplitude_city
from (
  select distinct on (a.sid)
    a.sid collate "default" as session_id, a.total_events::int as total_events,
    a.unique_event_types::int as unique_event_types,
    a.first_event_at, a.last_event_at, a.event_types_list, a.event_counts_json,
    x.device_id as amplitude_device_id, x.platform as amplitude_platform,
    x.os_version as amplitude_os_version, x.country as amplitude_country, x.city as amplitude_city
  from (
    select
      t.sid,
      sum(t.n) as total_events,
      count(*) filter (where t.event_type is not null) as unique_event_types,
      min(t.first_at) as first_event_at, max(t.last_at) as last_event_at,
      -- no typed event: '{}'; the types arrive sorted (the subquery's ORDER BY)
      coalesce(array_agg(t.event_type collate "default") filter (where t.event_type is not null),
               '{}')::text[] as event_types_list,
      coalesce(jsonb_object_agg(t.event_type, t.n) filter (where t.event_type is not null),
               '{}'::jsonb) as event_counts_json
    from (
      select s.session_id collate "C" as sid, s.event_type collate "C" as event_type,
             count(*) as n, min(s.event_time) as first_at, max(s.event_time) as last_at
      from {{ ref('stg_events') }} s
      -- One hash bucket of sessions per part when the build runs this insert in parts.
      where {{ shard('s.session_id') }}
      group by 1, 2
      order by 1, 2
    ) t
    group by t.sid
  ) a
  -- the session's earliest event; 'infinity' stands for a NULL time (NULLs sort last), and
  -- any extra candidate it lets in is ranked out by the ORDER BY, which is the full order
  join {{ ref('stg_events') }} x
    on x.session_id collate "C" = a.sid and coalesce(x.event_time, 'infinity') = coalesce(a.first_event_at, 'infinity')
  where {{ shard('x.session_id') }}
  order by a.sid, x.event_time, x.uuid collate "C", x.event_type collate "C",
           x.device_id collate "C", x.platform collate "C", x.os_version collate "C",
           x.country collate "C", x.city collate "C"
) f;

-- On Citus every grouping keeps the plain session_id (the distribution column) beside the
-- byte-order key: grouped on the collated key alone, Citus pulls the aggregate to the
-- coordinator instead of running it on each shard. The per-type counts leave their
-- subquery in order here too (an ORDER BY inside a subquery is run on each shard), so the
-- type list needs no sort per session. The session's first event comes out of the same sort
-- instead of a second read of the events: a window over the session (its rows are adjacent
-- in the sort, so the window needs no sort of its own) gives each event the session's
-- earliest time, each (session, type) group keeps the least of its events at that time as
-- an array compared in byte order (uuid, event type, device, platform, OS, country, city:
-- the order below; a NULL element sorts after any value, as NULLS LAST does), and the
-- roll-up keeps the least of those. Per shard at 1,000,000 sessions (4 shards, one process,
-- CPU): 7.0–7.1 s against 8.0–8.1 s for the join of the events with the roll-up, which hashed
-- the 3M events of the shard (two grouping columns hide that the roll-up has one row per
-- session). The marts are the same on both engines (md5 per mart, make test-citus).
-- reckon.engine: citus
select
  a.session_id, a.total_events::int as total_events,
  a.unique_event_types::int as unique_event_types,
  a.first_event_at, a.last_event_at, a.event_types_list, a.event_counts_json,
  a.first_event[3] as amplitude_device_id, a.first_event[4] as amplitude_platform,
  a.first_event[5] as amplitude_os_version, a.first_event[6] as amplitude_country,
  a.first_event[7] as amplitude_city
from (
  select
    t.session_id,
    sum(t.n) as total_events,
    count(*) filter (where t.event_type is not null) as unique_event_types,
    min(t.first_at) as first_event_at, max(t.last_at) as last_event_at,
    -- no typed event: '{}'
    coalesce(array_agg(t.event_type collate "default") filter (where t.event_type is not null),
             '{}')::text[] as event_types_list,
    coalesce(jsonb_object_agg(t.event_type, t.n) filter (where t.event_type is not null),
             '{}'::jsonb) as event_counts_json,
    min(t.first_event) as first_event
  from (
    select
      w.session_id, w.sid, w.event_type,
      count(*) as n, min(w.event_time) as first_at, max(w.event_time) as last_at,
      -- the group's least event at the session's earliest time (all of its events when
      -- every time is NULL); the time is the same for all of them, the rest decides
      min(array[w.uuid, w.event_type, w.device_id, w.platform, w.os_version, w.country, w.city] collate "C")
        filter (where w.event_time is not distinct from w.session_first_at) as first_event
    from (
      select
        s.session_id, s.session_id collate "C" as sid, s.event_type collate "C" as event_type,
        s.event_time, s.uuid, s.device_id, s.platform, s.os_version, s.country, s.city,
        -- the whole session: its rows arrive in (session, event type) order, the sort below
        min(s.event_time) over (
          partition by s.session_id collate "C", s.session_id order by s.event_type collate "C"
          rows between unbounded preceding and unbounded following) as session_first_at
      from {{ ref('stg_events') }} s
      -- One hash bucket of sessions per part when the build runs this insert in parts.
      where {{ shard('s.session_id') }}
    ) w
    group by 2, 1, 3
    order by 2, 1, 3
  ) t
  group by t.sid, t.session_id
) a;
