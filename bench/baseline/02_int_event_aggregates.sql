-- /tmp/b14/main-models/02_int_event_aggregates.sql:17
-- int_event_aggregates: one row per session that has at least one (de-duplicated) event.
-- Choices (see docs/mart.md): events with a NULL event_type count in total_events but
-- are left out of unique_event_types, event_types_list and event_counts_json (a jsonb
-- key cannot be NULL). The earliest event is the one with the smallest event_time
-- (NULL times last), ties broken by the smallest uuid COLLATE "C" (NULL uuids last), then
-- by event_type, device_id, platform, os_version, country, city COLLATE "C" (only
-- events without uuid can still tie there).
--
-- One pass per session: the events are ordered by (session_id, event_time, uuid, ...)
-- (the first window); per (session_id, event_type) a second window counts the events of
-- the type and marks one row per type; a GroupAggregate on session_id then rolls up.
-- Performance notes (1M sessions, 13M staged events): stg_events is stored in exactly
-- the first window's order, so that sort is a linear presorted check; the
-- (session_id, event_type) window is an Incremental Sort (presorted on session_id); the
-- GroupAggregate needs no sort. Bound by reading 13M rows through two window passes and
-- the ordered array_agg (a tiny sort per session). work_mem keeps the sorts in memory.
create unlogged table "bench_baseline__staging"."int_event_aggregates" (
  session_id text not null,
  total_events int not null,
  unique_event_types int not null,
  first_event_at timestamptz,
  last_event_at timestamptz,
  event_types_list text[] not null,
  event_counts_json jsonb not null,
  amplitude_device_id text,
  amplitude_platform text,
  amplitude_os_version text,
  amplitude_country text,
  amplitude_city text
);

-- /tmp/b14/main-models/02_int_event_aggregates.sql:32
set work_mem = '4GB';

-- /tmp/b14/main-models/02_int_event_aggregates.sql:34
insert into "bench_baseline__staging"."int_event_aggregates"
select
  session_id,
  count(*)::int,
  (count(*) filter (where type_first))::int,
  min(event_time),
  max(event_time),
  coalesce(array_agg(event_type order by event_type collate "C") filter (where type_first),
           '{}'),
  coalesce(jsonb_object_agg(event_type, type_n) filter (where type_first), '{}'::jsonb),
  max(device_id) filter (where session_first),
  max(platform) filter (where session_first),
  max(os_version) filter (where session_first),
  max(country) filter (where session_first),
  max(city) filter (where session_first)
from (
  -- second window: per (session_id, event_type); its input is already ordered by
  -- session_id, so this is an Incremental Sort
  select
    session_id, event_type, event_time, device_id, platform, os_version, country, city,
    session_first,
    event_type is not null and row_number() over w_type = 1 as type_first,
    count(*) over w_type as type_n
  from (
    -- first window: the session's events in time order (stg_events is stored in this
    -- order, so the sort is a presorted check)
    select
      session_id, event_type, event_time, device_id, platform, os_version, country, city,
      row_number() over (
        partition by session_id
        order by event_time, uuid collate "C", event_type collate "C",
                 device_id collate "C", platform collate "C",
                 os_version collate "C", country collate "C", city collate "C") = 1
        as session_first
    from "bench_baseline__staging"."stg_events"
    -- One hash bucket of sessions per part when the build runs this insert in parts.
    where (mod(abs(hashtext(session_id)::bigint), /*reckon_shards*/1) = /*reckon_shard*/0)
  ) t
  window w_type as (partition by session_id, event_type)
) e
group by session_id;

-- /tmp/b14/main-models/02_int_event_aggregates.sql:76
reset work_mem;

-- /tmp/b14/main-models/02_int_event_aggregates.sql:78
alter table "bench_baseline__staging"."int_event_aggregates" add primary key (session_id);

-- /tmp/b14/main-models/02_int_event_aggregates.sql:79
analyze "bench_baseline__staging"."int_event_aggregates";
