-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- int_facebook_match: the Facebook ad / campaign each session is matched to (one row per
-- matched session; unmatched sessions have no row).
-- Fallback chain (docs/mart.md): tier 'ad_id' (ad_id = facebook_ads.facebook_ad_id,
-- every session), then for facebook traffic only tier 'utm_campaign'
-- (lower(trim(utm_campaign)) = lower(trim(campaign_name))) and tier 'utm_content'
-- (lower(trim(utm_content)) = lower(trim(ad_name))). Among several candidates of the
-- winning tier: created at or before the session first, then the most recently created,
-- then the smallest id COLLATE "C"; facebook_match_ambiguous = the winning tier had more
-- than one candidate.
-- Choices (see docs/mart.md): a candidate with NULL created_time counts as not created
-- before the session and sorts after dated ones. Tiers 1 and 3 take the ad set and the
-- campaign from the ad's own facebook_adset_id / facebook_campaign_id; names come from
-- facebook_adsets / facebook_campaigns (NULL when that row is missing).
--
-- How (no per-session fan-out over the candidates): the small dimension tables are
-- ranked once per name key.
--   * *_names: per name key the number of candidates and the overall winner (most recent
--     created_time, NULLs last, then smallest id) -- the winner when no candidate was
--     created at or before the session.
--   * *_steps: per name key and distinct non-NULL created_time t, the candidate that wins
--     for every session timestamp in [t, next distinct created_time of that name): the
--     smallest id among those created at t. A session joins at most one step (an equality
--     on the name key plus a range test), so each session meets one row per tier.
-- Performance notes (1M sessions, 14M events): one pass over int_session_params with
-- hash joins against tables of a few thousand rows; bound by that scan and the insert
-- of ~0.7M rows (a few seconds). No sort of the sessions, no spill.
with campaign_names as (
  select lower(trim(campaign_name)) as name_key, count(*) as n_candidates,
         (array_agg(facebook_campaign_id
                    order by created_time desc nulls last, facebook_campaign_id collate "C"))[1] as top_id
  from {{ source('facebook_campaigns') }}
  where campaign_name is not null
  group by 1
),
campaign_steps as (
  select name_key, created_time as valid_from,
         lead(created_time) over (partition by name_key order by created_time) as valid_to,
         facebook_campaign_id
  from (
    select distinct on (lower(trim(campaign_name)), created_time)
           lower(trim(campaign_name)) as name_key, created_time, facebook_campaign_id
    from {{ source('facebook_campaigns') }}
    where campaign_name is not null and created_time is not null
    order by lower(trim(campaign_name)), created_time, facebook_campaign_id collate "C"
  ) d
),
ad_names as (
  select lower(trim(ad_name)) as name_key, count(*) as n_candidates,
         (array_agg(facebook_ad_id
                    order by created_time desc nulls last, facebook_ad_id collate "C"))[1] as top_id
  from {{ source('facebook_ads') }}
  where ad_name is not null
  group by 1
),
ad_steps as (
  select name_key, created_time as valid_from,
         lead(created_time) over (partition by name_key order by created_time) as valid_to,
         facebook_ad_id
  from (
    select distinct on (lower(trim(ad_name)), created_time)
           lower(trim(ad_name)) as name_key, created_time, facebook_ad_id
    from {{ source('facebook_ads') }}
    where ad_name is not null and created_time is not null
    order by lower(trim(ad_name)), created_time, facebook_ad_id collate "C"
  ) d
),
matched as (
  select
    p.session_id,
    case when a1.facebook_ad_id is not null then 1
         when cn.name_key is not null then 2
         when an.name_key is not null then 3 end as tier,
    case when a1.facebook_ad_id is not null then false
         when cn.name_key is not null then cn.n_candidates > 1
         else an.n_candidates > 1 end as ambiguous,
    case when a1.facebook_ad_id is not null then a1.facebook_ad_id
         when cn.name_key is null then coalesce(ast.facebook_ad_id, an.top_id) end as ad_id,
    case when a1.facebook_ad_id is null and cn.name_key is not null
         then coalesce(cst.facebook_campaign_id, cn.top_id) end as campaign_id
  from {{ ref('int_session_params') }} p
  left join {{ source('facebook_ads') }} a1 on a1.facebook_ad_id = p.ad_id
  left join campaign_names cn
    on cn.name_key = p.utm_campaign_key and p.is_facebook_traffic
  left join campaign_steps cst
    on cst.name_key = p.utm_campaign_key and p.is_facebook_traffic
   and p.session_timestamp >= cst.valid_from
   and (cst.valid_to is null or p.session_timestamp < cst.valid_to)
  left join ad_names an
    on an.name_key = p.utm_content_key and p.is_facebook_traffic
  left join ad_steps ast
    on ast.name_key = p.utm_content_key and p.is_facebook_traffic
   and p.session_timestamp >= ast.valid_from
   and (ast.valid_to is null or p.session_timestamp < ast.valid_to)
  where p.ad_id is not null
     or (p.is_facebook_traffic and (p.utm_campaign_key is not null or p.utm_content_key is not null))
)
select
  m.session_id,
  (case m.tier when 1 then 'ad_id' when 2 then 'utm_campaign' else 'utm_content' end)::text
    as facebook_match_tier,
  m.ambiguous as facebook_match_ambiguous,
  ad.facebook_ad_id::text as facebook_ad_id,
  ad.facebook_adset_id::text as facebook_adset_id,
  coalesce(ad.facebook_campaign_id, m.campaign_id)::text as facebook_campaign_id,
  ad.ad_name::text as ad_name,
  ads.adset_name::text as adset_name,
  c.campaign_name::text as campaign_name,
  c.objective::text as campaign_objective
from matched m
left join {{ source('facebook_ads') }} ad on ad.facebook_ad_id = m.ad_id
left join {{ source('facebook_adsets') }} ads on ads.facebook_adset_id = ad.facebook_adset_id
left join {{ source('facebook_campaigns') }} c
  on c.facebook_campaign_id = coalesce(ad.facebook_campaign_id, m.campaign_id)
where m.tier is not null;
