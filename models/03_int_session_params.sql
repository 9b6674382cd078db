-- int_session_params: the parsed origin of every session (one row per session), with
-- the traffic flags. The origin is parsed once per session by
-- {{ reckon }}.origin_attribution (called in FROM). The *_key columns are the
-- lower(trim()) forms used by the Facebook name matching.
create table {{ this }} (
  session_id text not null,
  session_timestamp timestamptz,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_content text,
  utm_term text,
  fbclid text,
  ad_id text,
  gclid text,
  ttclid text,
  is_paid_traffic boolean not null,
  is_facebook_traffic boolean not null,
  utm_campaign_key text,
  utm_content_key text
);

insert into {{ this }}
select
  s.id,
  s.created_at,
  p.utm_source, p.utm_medium, p.utm_campaign, p.utm_content, p.utm_term,
  p.fbclid, p.ad_id, p.gclid, p.ttclid,
  coalesce(lower(p.utm_medium) = any({{ var('paid_mediums') }}), false),
  coalesce(lower(p.utm_source) = any({{ var('facebook_source_aliases') }}), false)
    or p.fbclid is not null,
  lower(trim(p.utm_campaign)),
  lower(trim(p.utm_content))
from {{ source('funnelfox_sessions') }} s
cross join lateral {{ reckon }}.origin_attribution(s.origin) p;

alter table {{ this }} add primary key (session_id);
analyze {{ this }};
