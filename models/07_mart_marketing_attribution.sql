-- reckon.grain: session_id
-- mart_marketing_attribution: one row per FunnelFox session (docs/mart.md).
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
-- primary-key index build. A published mart, so it stays logged.
create table {{ this }} (
  session_id text not null,
  profile_id text,
  session_timestamp timestamptz,
  session_date date,
  origin_raw text,
  user_agent text,
  ip_address text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_content text,
  utm_term text,
  fbclid text,
  ad_id text,
  facebook_ad_id text,
  facebook_adset_id text,
  facebook_campaign_id text,
  ad_name text,
  adset_name text,
  campaign_name text,
  campaign_objective text,
  facebook_match_tier text,
  facebook_match_ambiguous boolean not null,
  total_events int not null,
  unique_event_types int not null,
  first_event_at timestamptz,
  last_event_at timestamptz,
  session_duration_seconds numeric,
  event_types_list text[] not null,
  event_counts_json jsonb not null,
  amplitude_device_id text,
  amplitude_platform text,
  amplitude_os_version text,
  amplitude_country text,
  amplitude_city text,
  funnel_id text,
  funnel_title text,
  funnel_type text,
  funnel_environment text,
  funnel_version text,
  country text,
  city text,
  converted boolean not null,
  conversion_timestamp timestamptz,
  hours_to_convert numeric,
  revenue_usd numeric,
  refunded_usd numeric,
  currency text,
  payment_status text,
  subscription_id text,
  billing_interval text,
  is_paid_traffic boolean not null,
  is_facebook_traffic boolean not null,
  attribution_channel text not null
);

insert into {{ this }}
select
  s.id,
  s.profile_id,
  s.created_at,
  (s.created_at at time zone 'UTC')::date,
  s.origin,
  s.user_agent,
  s.ip,
  p.utm_source, p.utm_medium, p.utm_campaign, p.utm_content, p.utm_term, p.fbclid, p.ad_id,
  m.facebook_ad_id, m.facebook_adset_id, m.facebook_campaign_id,
  m.ad_name, m.adset_name, m.campaign_name, m.campaign_objective,
  m.facebook_match_tier,
  coalesce(m.facebook_match_ambiguous, false),
  coalesce(e.total_events, 0),
  coalesce(e.unique_event_types, 0),
  e.first_event_at,
  e.last_event_at,
  extract(epoch from e.last_event_at - e.first_event_at),
  coalesce(e.event_types_list, '{}'),
  coalesce(e.event_counts_json, '{}'::jsonb),
  e.amplitude_device_id, e.amplitude_platform, e.amplitude_os_version,
  e.amplitude_country, e.amplitude_city,
  s.funnel_id, f.title, f.type, f.environment, s.funnel_version,
  s.country, s.city,
  r.session_id is not null,
  r.conversion_timestamp,
  extract(epoch from r.conversion_timestamp - s.created_at) / 3600,
  r.revenue_usd,
  r.refunded_usd,
  r.currency,
  r.payment_status,
  r.subscription_id,
  r.billing_interval,
  p.is_paid_traffic,
  p.is_facebook_traffic,
  case
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
  end
from {{ source('funnelfox_sessions') }} s
join {{ ref('int_session_params') }} p on p.session_id = s.id
left join {{ ref('int_facebook_match') }} m on m.session_id = s.id
left join {{ ref('int_event_aggregates') }} e on e.session_id = s.id
left join {{ ref('int_session_revenue') }} r on r.session_id = s.id
left join {{ source('funnelfox_funnels') }} f on f.id = s.funnel_id;

alter table {{ this }} add primary key (session_id);
-- The join keys users of the mart filter and join on: campaign by day (ROAS, CAC against
-- mart_campaign_daily), the visitor's profile, and the Stripe subscription.
create index on {{ this }} (facebook_campaign_id, session_date);
create index on {{ this }} (profile_id);
create index on {{ this }} (subscription_id) where subscription_id is not null;
analyze {{ this }};
