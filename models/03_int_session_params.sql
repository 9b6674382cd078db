-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- int_session_params: the parsed origin of every session (one row per session), with
-- the traffic flags. Parsing rules: functions.sql, docs/mart.md. The *_key columns are
-- the lower(trim()) forms used by the Facebook name matching.
--
-- Set-based parsing: per session the query string ({{ reckon }}.origin_query, inlined)
-- is cut into pairs by string_to_table ... with ordinality; a pair's key is normalized
-- ({{ reckon }}.param_key: only keys holding '%' or '+' are decoded), pairs of other keys
-- are dropped, values are decoded and cleaned ({{ reckon }}.param_decode / param_clean,
-- inlined built-in expressions; only non-ASCII or malformed escapes reach the plpgsql
-- decoder). First occurrence wins: for each key the value of the pair with the smallest
-- ordinality, even when that value is NULL (min over array[ordinality, value]).
-- Performance notes (1M sessions): bound by the per-session lateral subquery (function
-- scan over ~8 pairs, string functions, one aggregate) -- a few microseconds per
-- session instead of ~65 us for the former plpgsql parser; no sort, no spill.
-- Memoize would cache per origin; origins are nearly unique (click ids), so it only costs.
-- (A hint for this model's SELECT; reckon resets it after the model.)
set enable_memoize = off;

select
  s.id::text as session_id,
  s.created_at::timestamptz as session_timestamp,
  p.utm_source, p.utm_medium, p.utm_campaign, p.utm_content, p.utm_term,
  p.fbclid, coalesce(p.ad_id, p.h_ad_id) as ad_id, p.gclid, p.ttclid,
  coalesce(lower(p.utm_medium) = any({{ var('paid_mediums') }}), false) as is_paid_traffic,
  coalesce(lower(p.utm_source) = any({{ var('facebook_source_aliases') }}), false)
    or p.fbclid is not null as is_facebook_traffic,
  lower(trim(p.utm_campaign)) as utm_campaign_key,
  lower(trim(p.utm_content)) as utm_content_key
from {{ source('funnelfox_sessions') }} s
left join lateral (
  select
    (min(array[o, v]) filter (where k = 'utm_source'))[2] as utm_source,
    (min(array[o, v]) filter (where k = 'utm_medium'))[2] as utm_medium,
    (min(array[o, v]) filter (where k = 'utm_campaign'))[2] as utm_campaign,
    (min(array[o, v]) filter (where k = 'utm_content'))[2] as utm_content,
    (min(array[o, v]) filter (where k = 'utm_term'))[2] as utm_term,
    (min(array[o, v]) filter (where k = 'fbclid'))[2] as fbclid,
    (min(array[o, v]) filter (where k = 'ad_id'))[2] as ad_id,
    (min(array[o, v]) filter (where k = 'h_ad_id'))[2] as h_ad_id,
    (min(array[o, v]) filter (where k = 'gclid'))[2] as gclid,
    (min(array[o, v]) filter (where k = 'ttclid'))[2] as ttclid
  from (
    -- o: the ordinality as fixed-width text, so that min() over array[o, v] picks the
    -- first occurrence
    select o, k, {{ reckon }}.param_clean(d) as v
    from (
    select (1000000000 + ord)::text as o, k, {{ reckon }}.param_decode(rv) as d
    from (
      select t.ord,
             case when split_part(t.pair, '=', 1) in
                         ('utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
                          'fbclid', 'ad_id', 'h_ad_id', 'gclid', 'ttclid')
                  then split_part(t.pair, '=', 1)
                  else {{ reckon }}.param_key(split_part(t.pair, '=', 1)) end as k,
             case when strpos(t.pair, '=') > 0 then substr(t.pair, strpos(t.pair, '=') + 1) end as rv
      from string_to_table({{ reckon }}.origin_query(s.origin), '&') with ordinality t(pair, ord)
      offset 0
    ) pr
    where k in ('utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
                'fbclid', 'ad_id', 'h_ad_id', 'gclid', 'ttclid')
    offset 0
    ) dec
  ) kv
) p on true;

