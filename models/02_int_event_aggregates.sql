-- int_event_aggregates: one row per session that has at least one (de-duplicated) event.
-- Choices (MART.md is silent): events with a NULL event_type count in total_events but
-- are left out of unique_event_types, event_types_list and event_counts_json (a jsonb
-- key cannot be NULL). The earliest event is the one with the smallest event_time
-- (NULL times last), ties broken by the smallest uuid COLLATE "C" (NULL uuids last).
create table {{ this }} (
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

insert into {{ this }}
with per_type as (
  select session_id, event_type, count(*) as n,
         min(event_time) as first_at, max(event_time) as last_at
  from {{ ref('stg_events') }}
  group by session_id, event_type
),
per_session as (
  select
    session_id,
    sum(n)::int as total_events,
    count(event_type)::int as unique_event_types,
    min(first_at) as first_event_at,
    max(last_at) as last_event_at,
    coalesce(array_agg(event_type order by event_type collate "C")
               filter (where event_type is not null), '{}') as event_types_list,
    coalesce(jsonb_object_agg(event_type, n) filter (where event_type is not null),
             '{}'::jsonb) as event_counts_json
  from per_type
  group by session_id
),
first_event as (
  select distinct on (session_id)
    session_id, device_id, platform, os_version, country, city
  from {{ ref('stg_events') }}
  order by session_id, event_time, uuid collate "C"
)
select
  s.session_id, s.total_events, s.unique_event_types, s.first_event_at, s.last_event_at,
  s.event_types_list, s.event_counts_json,
  f.device_id, f.platform, f.os_version, f.country, f.city
from per_session s
join first_event f on f.session_id = s.session_id;

alter table {{ this }} add primary key (session_id);
analyze {{ this }};
