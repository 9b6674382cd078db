-- reckon.grain: subscription_id
-- reckon.distribution: reference
-- int_subscription_sessions: every non-sandbox FunnelFox subscription with the session it
-- belongs to (cross-grain step: subscription -> session).
-- Sandbox subscriptions (sandbox = true) are ignored everywhere; sandbox NULL counts as a
-- real purchase. A subscription with NULL session_id belongs to its profile's latest
-- session started at or before the subscription's created_at; without one it stays
-- unattributed (no row).
-- Choices (see docs/mart.md): two profile sessions starting at the same instant: the
-- smallest session id COLLATE "C" wins. A subscription whose session_id names a session
-- that does not exist keeps that session_id (it joins no mart row).
-- Performance notes (1M sessions, 80k subscriptions): ~1-3 s; a hash join of the
-- profile-less subscriptions to their profile's sessions and a small distinct-on sort.
-- An intermediate model (reckon makes it unlogged).
select id::text as subscription_id, session_id::text as session_id, psp_id::text as psp_id,
       created_at::timestamptz as created_at
from {{ source('funnelfox_subscriptions') }}
where session_id is not null and sandbox is not true
union all
(
select distinct on (sub.id) sub.id, ses.id, sub.psp_id, sub.created_at
from {{ source('funnelfox_subscriptions') }} sub
join {{ source('funnelfox_sessions') }} ses
  on ses.profile_id = sub.profile_id and ses.created_at <= sub.created_at
where sub.session_id is null and sub.sandbox is not true
order by sub.id, ses.created_at desc, ses.id collate "C"
);
