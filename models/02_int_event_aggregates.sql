-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- int_event_aggregates: one row per session that has at least one (de-duplicated) event.
-- Choices (see docs/mart.md): events with a NULL event_type count in total_events but
-- are left out of unique_event_types, event_types_list and event_counts_json (a jsonb
-- key cannot be NULL). The earliest event is the one with the smallest event_time
-- (NULL times last), ties broken by the smallest uuid COLLATE "C" (NULL uuids last), then
-- by event_type, device_id, platform, os_version, country, city COLLATE "C" (only
-- events without uuid can still tie there).
--
-- Performance (docs/models.md, "Where the build's time goes"): no window and no sort of
-- every event. Per-type counts are one hash aggregate per (session_id, event_type) (a
-- count only: its hash table is the build's largest), rolled up per session by a second
-- hash aggregate into two small arrays; each session's types are sorted and its JSON
-- object built within its own row (a jsonb_object_agg state per session would not fit). A per-session hash
-- aggregate gives the event count and the first and last times; a hash join keeps only
-- the events at the first time (~1 per session), and DISTINCT ON ranks those few by the
-- full order. The two halves hash-join on session_id.
select
  a.session_id, f.total_events::int as total_events, a.unique_event_types::int as unique_event_types,
  f.first_event_at, f.last_event_at,
  -- a NULL list (no typed event) unnests to nothing: '{}'
  array(select x.x from unnest(a.event_types) x order by x.x collate "C")::text[] as event_types_list,
  coalesce((select jsonb_object_agg(u.event_type, u.n)
            from unnest(a.event_types, a.type_counts) u(event_type, n)), '{}'::jsonb) as event_counts_json,
  f.device_id as amplitude_device_id, f.platform as amplitude_platform,
  f.os_version as amplitude_os_version, f.country as amplitude_country, f.city as amplitude_city
from (
  select
    t.session_id,
    (count(*) filter (where t.event_type is not null))::int as unique_event_types,
    -- unordered arrays, so that this roll-up can be a hash aggregate with small states;
    -- the list is sorted and the JSON object built per session above
    array_agg(t.event_type) filter (where t.event_type is not null) as event_types,
    array_agg(t.n) filter (where t.event_type is not null) as type_counts
  from (
    select s.session_id, s.event_type, count(*) as n
    from {{ ref('stg_events') }} s
    -- One hash bucket of sessions per part when the build runs this insert in parts.
    where {{ shard('s.session_id') }}
    group by s.session_id, s.event_type
  ) t
  group by t.session_id
) a
join (
  -- the session's earliest event; 'infinity' stands for a NULL time (NULLs sort last), and
  -- any extra candidate it lets in is ranked out by the ORDER BY, which is the full order
  select distinct on (e.session_id)
    e.session_id, m.total_events, m.first_at as first_event_at, m.last_at as last_event_at,
    e.device_id, e.platform, e.os_version, e.country, e.city
  from {{ ref('stg_events') }} e
  join (
    select m.session_id, count(*)::int as total_events, min(m.event_time) as first_at,
           max(m.event_time) as last_at
    from {{ ref('stg_events') }} m
    where {{ shard('m.session_id') }}
    group by m.session_id
  ) m on m.session_id = e.session_id
     and coalesce(e.event_time, 'infinity') = coalesce(m.first_at, 'infinity')
  where {{ shard('e.session_id') }}
  order by e.session_id, e.event_time, e.uuid collate "C", e.event_type collate "C",
           e.device_id collate "C", e.platform collate "C", e.os_version collate "C",
           e.country collate "C", e.city collate "C"
) f on f.session_id = a.session_id;
