-- int_facebook_match: the Facebook ad / campaign each session is matched to (one row per
-- matched session; unmatched sessions have no row).
-- Fallback chain (MART.md): tier 'ad_id' (ad_id = facebook_ads.facebook_ad_id, every
-- session), then for facebook traffic only tier 'utm_campaign'
-- (lower(trim(utm_campaign)) = lower(trim(campaign_name))) and tier 'utm_content'
-- (lower(trim(utm_content)) = lower(trim(ad_name))). Among several candidates of the
-- winning tier: created at or before the session first, then the most recently created,
-- then the smallest id COLLATE "C"; facebook_match_ambiguous = the winning tier had more
-- than one candidate.
-- Choices (MART.md is silent): a candidate with NULL created_time counts as not created
-- before the session and sorts after dated ones. Tiers 1 and 3 take the ad set and the
-- campaign from the ad's own facebook_adset_id / facebook_campaign_id; names come from
-- facebook_adsets / facebook_campaigns (NULL when that row is missing).
create table {{ this }} (
  session_id text not null,
  facebook_match_tier text not null,
  facebook_match_ambiguous boolean not null,
  facebook_ad_id text,
  facebook_adset_id text,
  facebook_campaign_id text,
  ad_name text,
  adset_name text,
  campaign_name text,
  campaign_objective text
);

insert into {{ this }}
select
  m.session_id,
  case m.tier when 1 then 'ad_id' when 2 then 'utm_campaign' else 'utm_content' end,
  m.n_candidates > 1,
  ad.facebook_ad_id,
  ad.facebook_adset_id,
  coalesce(ad.facebook_campaign_id, m.campaign_id),
  ad.ad_name,
  ads.adset_name,
  c.campaign_name,
  c.objective
from (
  select
    k.*,
    row_number() over (
      partition by k.session_id
      order by k.tier, k.created_before desc, k.created_time desc nulls last,
               k.candidate_id collate "C") as rn,
    count(*) over (partition by k.session_id, k.tier) as n_candidates
  from (
    -- tier 1: ad_id, every session
    select p.session_id, 1 as tier, a.facebook_ad_id as candidate_id,
           a.facebook_ad_id as ad_id, null::text as campaign_id,
           true as created_before, null::timestamptz as created_time
    from {{ ref('int_session_params') }} p
    join {{ source('facebook_ads') }} a on a.facebook_ad_id = p.ad_id
    union all
    -- tier 2: utm_campaign = campaign name, facebook traffic only
    select p.session_id, 2, c.facebook_campaign_id,
           null::text, c.facebook_campaign_id,
           coalesce(c.created_time <= p.session_timestamp, false), c.created_time
    from {{ ref('int_session_params') }} p
    join (select facebook_campaign_id, created_time, lower(trim(campaign_name)) as name_key
          from {{ source('facebook_campaigns') }}) c
      on c.name_key = p.utm_campaign_key
    where p.is_facebook_traffic
    union all
    -- tier 3: utm_content = ad name, facebook traffic only
    select p.session_id, 3, a.facebook_ad_id,
           a.facebook_ad_id, null::text,
           coalesce(a.created_time <= p.session_timestamp, false), a.created_time
    from {{ ref('int_session_params') }} p
    join (select facebook_ad_id, created_time, lower(trim(ad_name)) as name_key
          from {{ source('facebook_ads') }}) a
      on a.name_key = p.utm_content_key
    where p.is_facebook_traffic
  ) k
) m
left join {{ source('facebook_ads') }} ad on ad.facebook_ad_id = m.ad_id
left join {{ source('facebook_adsets') }} ads on ads.facebook_adset_id = ad.facebook_adset_id
left join {{ source('facebook_campaigns') }} c
  on c.facebook_campaign_id = coalesce(ad.facebook_campaign_id, m.campaign_id)
where m.rn = 1;

alter table {{ this }} add primary key (session_id);
analyze {{ this }};
