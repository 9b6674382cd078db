-- Amplitude aggregates (docs/mart.md, "Amplitude aggregates").
insert into raw.funnelfox_sessions (id, created_at) values
  ('e1', '2025-01-01 10:00+00'), ('e2', '2025-01-01 10:00+00'),
  ('123', '2025-01-01 10:00+00'), ('e4', '2025-01-01 10:00+00'), ('e5', '2025-01-01 10:00+00'),
  ('e6', '2025-01-01 10:00+00'), ('e7', '2025-01-01 10:00+00');
insert into raw.amplitude_events (uuid, event_type, event_time, device_id, platform, os_version, country, city, event_properties) values
  ('u1', 'page_view', '2025-01-01 10:00:05+00', 'd1', 'Web', '17.1', 'United States', 'Austin', '{"ff_session_id": "e1"}'),
  ('u1', 'page_view', '2025-01-01 10:00:05+00', 'd1', 'Web', '17.1', 'United States', 'Austin', '{"ff_session_id": "e1"}'),
  ('u2', 'quiz', '2025-01-01 10:00:10+00', 'd2', 'iOS', '1', 'X', 'Y', '{"ff_session_id": "e1", "n": 1}'),
  ('u3', 'page_view', '2025-01-01 10:01:05.5+00', 'd3', 'iOS', '1', 'X', 'Y', '{"ff_session_id": "e1"}'),
  ('u4', 'Zeta', '2025-01-01 10:00:30+00', 'd4', 'iOS', '1', 'X', 'Y', '{"ff_session_id": "e1"}'),
  ('u5', 'alpha', '2025-01-01 10:00:40+00', 'd5', 'iOS', '1', 'X', 'Y', '{"ff_session_id": "e1"}'),
  -- events that name no session (number, object, missing): ignored, never an error
  ('n1', 'page_view', '2025-01-01 09:00:00+00', 'dn', 'Web', '1', 'X', 'Y', '{"ff_session_id": 123}'),
  ('n2', 'page_view', '2025-01-01 09:00:00+00', 'dn', 'Web', '1', 'X', 'Y', '{"ff_session_id": {"id": "e1"}}'),
  ('n3', 'page_view', '2025-01-01 09:00:00+00', 'dn', 'Web', '1', 'X', 'Y', '{"other": "e1"}'),
  ('n4', 'page_view', '2025-01-01 09:00:00+00', 'dn', 'Web', '1', 'X', 'Y', NULL),
  ('n5', 'page_view', '2025-01-01 09:00:00+00', 'dn', 'Web', '1', 'X', 'Y', '{"ff_session_id": null}'),
  -- earliest-event tie on event_time: smallest uuid wins ('b2' and 'a9' -> 'a9')
  ('b2', 'start', '2025-01-01 10:00:00+00', 'dev-b', 'Android', '14', 'Germany', 'Berlin', '{"ff_session_id": "e2"}'),
  ('a9', 'start', '2025-01-01 10:00:00+00', 'dev-a', 'Web', '13', 'France', 'Paris', '{"ff_session_id": "e2"}'),
  ('c0', 'later', '2025-01-01 10:00:01+00', 'dev-c', 'Web', '13', 'France', 'Paris', '{"ff_session_id": "e2"}'),
  -- uuid tie compared COLLATE "C": '10' < '9'
  ('9', 'x', '2025-01-01 11:00:00+00', 'dev-9', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e4"}'),
  ('10', 'x', '2025-01-01 11:00:00+00', 'dev-10', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e4"}'),
  -- the same uuid delivered three times counts once
  ('dup', 'y', '2025-01-01 12:00:00+00', 'dev-d', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e5"}'),
  ('dup', 'y', '2025-01-01 12:00:00+00', 'dev-d', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e5"}'),
  ('dup', 'y', '2025-01-01 12:00:00+00', 'dev-d', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e5"}'),
  -- copies of one uuid that differ: the earliest is kept (its type is counted, its device is
  -- the first event's); the same uuid in another session is another event; events without
  -- a uuid are each kept
  ('dx', 'late_type', '2025-01-01 12:00:10+00', 'dev-late', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e6"}'),
  ('dx', 'early_type', '2025-01-01 12:00:05+00', 'dev-early', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e6"}'),
  (NULL, 'n', '2025-01-01 12:00:20+00', 'dev-n', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e6"}'),
  (NULL, 'n', '2025-01-01 12:00:20+00', 'dev-n', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e6"}'),
  ('dx', 'z', '2025-01-01 12:00:00+00', 'dev-z', 'Web', '1', 'X', 'Y', '{"ff_session_id": "e7"}');

-- expect
select label, actual, expected from (
  select 'e1 total_events', (select total_events::text from analytics.mart_marketing_attribution where session_id = 'e1'), '5'
  union all select 'e1 unique_event_types', (select unique_event_types::text from analytics.mart_marketing_attribution where session_id = 'e1'), '4'
  union all select 'e1 first_event_at', (select (first_event_at at time zone 'UTC')::text from analytics.mart_marketing_attribution where session_id = 'e1'), '2025-01-01 10:00:05'
  union all select 'e1 last_event_at', (select (last_event_at at time zone 'UTC')::text from analytics.mart_marketing_attribution where session_id = 'e1'), '2025-01-01 10:01:05.5'
  union all select 'e1 session_duration_seconds', (select round(session_duration_seconds, 3)::text from analytics.mart_marketing_attribution where session_id = 'e1'), '60.500'
  union all select 'e1 event_types_list', (select event_types_list::text from analytics.mart_marketing_attribution where session_id = 'e1'), '{Zeta,alpha,page_view,quiz}'
  union all select 'e1 event_counts_json', (select event_counts_json::text from analytics.mart_marketing_attribution where session_id = 'e1'), '{"Zeta": 1, "quiz": 1, "alpha": 1, "page_view": 2}'
  union all select 'e1 event_counts_json equal', (select (event_counts_json = '{"page_view": 2, "quiz": 1, "Zeta": 1, "alpha": 1}'::jsonb)::text from analytics.mart_marketing_attribution where session_id = 'e1'), 'true'
  union all select 'e1 device', (select concat_ws('|', amplitude_device_id, amplitude_platform, amplitude_os_version, amplitude_country, amplitude_city) from analytics.mart_marketing_attribution where session_id = 'e1'), 'd1|Web|17.1|United States|Austin'
  union all select 'e2 device (uuid tie)', (select concat_ws('|', amplitude_device_id, amplitude_platform, amplitude_os_version, amplitude_country, amplitude_city) from analytics.mart_marketing_attribution where session_id = 'e2'), 'dev-a|Web|13|France|Paris'
  union all select 'e2 total_events', (select total_events::text from analytics.mart_marketing_attribution where session_id = 'e2'), '3'
  union all select 'e4 device (uuid tie, C collation)', (select amplitude_device_id from analytics.mart_marketing_attribution where session_id = 'e4'), 'dev-10'
  union all select 'e5 duplicates', (select total_events::text || '|' || event_counts_json::text from analytics.mart_marketing_attribution where session_id = 'e5'), '1|{"y": 1}'
  union all select 'e6 differing copies', (select concat_ws('|', total_events, event_counts_json::text, amplitude_device_id, (first_event_at at time zone 'UTC')::text) from analytics.mart_marketing_attribution where session_id = 'e6'), '3|{"n": 2, "early_type": 1}|dev-early|2025-01-01 12:00:05'
  union all select 'e7 same uuid, other session', (select concat_ws('|', total_events, event_counts_json::text) from analytics.mart_marketing_attribution where session_id = 'e7'), '1|{"z": 1}'
  union all select 'e5 duration', (select round(session_duration_seconds, 3)::text from analytics.mart_marketing_attribution where session_id = 'e5'), '0.000'
  -- session '123' has no events: the events carrying ff_session_id as JSON number 123 are not its
  union all select '123 no events', (select concat_ws('|', total_events, unique_event_types, coalesce(first_event_at::text, 'null'),
      coalesce(last_event_at::text, 'null'), coalesce(session_duration_seconds::text, 'null'), event_types_list::text,
      event_counts_json::text, coalesce(amplitude_device_id, 'null')) from analytics.mart_marketing_attribution where session_id = '123'),
    '0|0|null|null|null|{}|{}|null'
  union all select 'row count', count(*)::text, '7' from analytics.mart_marketing_attribution
) t(label, actual, expected)
order by 1;
