-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- reckon.not_null: facebook_match_ambiguous, total_events, unique_event_types, event_types_list, event_counts_json, converted, is_paid_traffic, is_facebook_traffic, attribution_channel
-- reckon.indexes: profile_id
-- reckon.statistics: session_id, profile_id, session_date, facebook_campaign_id, facebook_adset_id, facebook_ad_id, ad_id, subscription_id, funnel_id, utm_source, utm_campaign, utm_content, facebook_match_tier, attribution_channel, is_facebook_traffic, is_paid_traffic, converted, country
-- mart_marketing_attribution: one row per FunnelFox session (docs/mart.md).
-- Statistics: the build analyzes the keys, the indexed columns and the columns the daily
-- mart, `reckon investigate` and incremental builds filter, join and group on (0.5 s
-- against 1.3 s for all 56 columns, at 200,000 or 1,000,000 sessions). An `analyze` with a
-- column list leaves PostgreSQL's count of changed rows as it is, so autovacuum analyzes
-- the whole published table shortly after the publish (within autovacuum_naptime).
-- Joins the per-session models on the bare session_id; every session gives one row.
-- Choices (see docs/mart.md):
--   * session_timestamp, first_event_at, last_event_at and conversion_timestamp are
--     timestamptz (the source type: the same instant whatever the client's TimeZone);
--     session_date is the UTC date.
--   * hours_to_convert and session_duration_seconds are unrounded numeric.
--   * refunded_usd is 0 for a converted session without refunds and NULL when not
--     converted, like revenue_usd.
-- Performance notes (1M sessions): hash joins of funnelfox_sessions with four
-- per-session models on the bare session_id (build.memory decides whether the hash
-- tables batch: 1GB keeps every one in memory); bound by writing ~0.9 GB of logged heap (and its WAL) plus the
-- primary-key index build. A published mart: reckon makes it a logged table.
-- The joins run in parallel workers (parallel hash joins) while the build's own process
-- writes the rows; the planner would keep them in one process, costing the Gather of 1M
-- wide rows too high. (A hint for this model's SELECT; reckon resets it after the model.)
set parallel_tuple_cost = 0.001;

select
  -- Every column is cast to the type docs/mart.md gives it: the table's types come from
  -- this SELECT, so they stay the same whatever the source tables' types.
  s.id::text as session_id,
  s.profile_id::text as profile_id,
  s.created_at::timestamptz as session_timestamp,
  (s.created_at at time zone 'UTC')::date as session_date,
  s.origin::text as origin_raw,
  s.user_agent::text as user_agent,
  s.ip::text as ip_address,
  p.utm_source::text as utm_source,
  p.utm_medium::text as utm_medium,
  p.utm_campaign::text as utm_campaign,
  p.utm_content::text as utm_content,
  p.utm_term::text as utm_term,
  p.fbclid::text as fbclid,
  p.ad_id::text as ad_id,
  m.facebook_ad_id::text as facebook_ad_id,
  m.facebook_adset_id::text as facebook_adset_id,
  m.facebook_campaign_id::text as facebook_campaign_id,
  m.ad_name::text as ad_name,
  m.adset_name::text as adset_name,
  m.campaign_name::text as campaign_name,
  m.campaign_objective::text as campaign_objective,
  m.facebook_match_tier::text as facebook_match_tier,
  coalesce(m.facebook_match_ambiguous, false)::boolean as facebook_match_ambiguous,
  coalesce(e.total_events, 0)::int as total_events,
  coalesce(e.unique_event_types, 0)::int as unique_event_types,
  e.first_event_at::timestamptz as first_event_at,
  e.last_event_at::timestamptz as last_event_at,
  extract(epoch from e.last_event_at - e.first_event_at)::numeric as session_duration_seconds,
  coalesce(e.event_types_list, '{}')::text[] as event_types_list,
  coalesce(e.event_counts_json, '{}'::jsonb)::jsonb as event_counts_json,
  e.amplitude_device_id::text as amplitude_device_id,
  e.amplitude_platform::text as amplitude_platform,
  e.amplitude_os_version::text as amplitude_os_version,
  e.amplitude_country::text as amplitude_country,
  e.amplitude_city::text as amplitude_city,
  s.funnel_id::text as funnel_id,
  f.title::text as funnel_title,
  f.type::text as funnel_type,
  f.environment::text as funnel_environment,
  s.funnel_version::text as funnel_version,
  s.country::text as country,
  s.city::text as city,
  (r.session_id is not null)::boolean as converted,
  r.conversion_timestamp::timestamptz as conversion_timestamp,
  (extract(epoch from r.conversion_timestamp - s.created_at) / 3600)::numeric as hours_to_convert,
  r.revenue_usd::numeric as revenue_usd,
  r.refunded_usd::numeric as refunded_usd,
  r.currency::text as currency,
  r.payment_status::text as payment_status,
  r.subscription_id::text as subscription_id,
  r.billing_interval::text as billing_interval,
  p.is_paid_traffic::boolean as is_paid_traffic,
  p.is_facebook_traffic::boolean as is_facebook_traffic,
  (case
    when p.is_facebook_traffic
         and (p.is_paid_traffic or p.fbclid is not null or m.session_id is not null)
      then 'facebook_paid'
    when p.is_facebook_traffic then 'facebook_organic'
    when (lower(p.utm_source) in ('google', 'adwords') and p.is_paid_traffic)
         or p.gclid is not null then 'google_paid'
    when (lower(p.utm_source) = 'tiktok' and p.is_paid_traffic)
         or p.ttclid is not null then 'tiktok_paid'
    when p.is_paid_traffic then 'other_paid'
    when lower(p.utm_medium) = 'email' then 'email'
    when p.utm_source is not null then 'referral'
    else 'organic'
  end)::text as attribution_channel
from {{ source('funnelfox_sessions') }} s
join {{ ref('int_session_params') }} p on p.session_id = s.id
left join {{ ref('int_facebook_match') }} m on m.session_id = s.id
left join {{ ref('int_event_aggregates') }} e on e.session_id = s.id
left join {{ ref('int_session_revenue') }} r on r.session_id = s.id
left join {{ source('funnelfox_funnels') }} f on f.id = s.funnel_id;

-- The join keys users of the mart filter and join on: campaign by day (ROAS, CAC against
-- mart_campaign_daily), the visitor's profile (reckon.indexes above), and the Stripe
-- subscription. A header index is one column; these two are written out. (The columns
-- `reckon build --incremental` finds the sessions of a changed ad, ad set or name through
-- get their partial indexes from the incremental build itself, the first time it needs
-- them: docs/incremental.md, "Indexes that make it cheap". A build without --incremental,
-- the CI gate's, does not pay for them.)
create index on {{ this }} (facebook_campaign_id, session_date);
create index on {{ this }} (subscription_id) where subscription_id is not null;

