-- Traffic flags and attribution_channel (docs/mart.md, "Traffic flags and `attribution_channel`").
insert into raw.facebook_campaigns values ('K1', 'Camp X', 'OUTCOME_SALES', 'ACTIVE', 'act', '2024-01-01 00:00+00');
insert into raw.facebook_ads values ('A1', 'S1', 'K1', 'Ad One', 'ACTIVE', '2024-01-01 00:00+00');
insert into raw.funnelfox_sessions (id, origin, created_at)
select id, origin, timestamptz '2025-01-01 00:00:00+00' from (values
  ('c01', 'https://x.io/?utm_source=facebook&utm_medium=paid'),
  ('c02', 'https://x.io/?utm_source=IG'),
  ('c03', 'https://x.io/?fbclid=abc'),
  ('c04', 'https://x.io/?utm_source=fb&ad_id=A1'),
  ('c05', 'https://x.io/?utm_source=msg&utm_campaign=camp+x'),
  ('c06', 'https://x.io/?utm_source=Google&utm_medium=CPC'),
  ('c07', 'https://x.io/?utm_source=adwords&utm_medium=ppc'),
  ('c08', 'https://x.io/?gclid=xyz'),
  ('c09', 'https://x.io/?gclid=&utm_source=google'),
  ('c10', 'https://x.io/?utm_source=TikTok&utm_medium=paid'),
  ('c11', 'https://x.io/?ttclid=t1'),
  ('c12', 'https://x.io/?ttclid={{x}}&utm_medium=paid'),
  ('c13', 'https://x.io/?utm_source=bing&utm_medium=cpc'),
  ('c14', 'https://x.io/?utm_medium=EMAIL'),
  ('c15', 'https://x.io/?utm_source=newsletter'),
  ('c16', NULL),
  ('c17', 'https://x.io/?utm_medium=email&utm_source=x'),
  ('c18', 'https://x.io/?utm_source=fb&gclid=1'),
  ('c19', 'https://x.io/?utm_source=meta&ad_id=nope'),
  ('c20', 'https://x.io/?utm_source=google&ad_id=A1'),
  ('c21', 'https://x.io/?utm_source=an&utm_medium=organic'),
  ('c22', 'https://x.io/?utm_source=google&utm_medium=paid&ttclid=t'),
  ('c23', 'https://x.io/?utm_source=facebookads'),
  ('c24', 'https://x.io/?utm_source=google&utm_campaign=camp+x'),
  ('c25', 'https://x.io/?utm_medium=paid+')
) v(id, origin);

-- expect
select label, actual, expected from (
  select 'channel ' || c.sid, m.attribution_channel, c.channel
  from (values
    ('c01', 'facebook_paid'), ('c02', 'facebook_organic'), ('c03', 'facebook_paid'),
    ('c04', 'facebook_paid'), ('c05', 'facebook_paid'), ('c06', 'google_paid'),
    ('c07', 'google_paid'), ('c08', 'google_paid'), ('c09', 'referral'),
    ('c10', 'tiktok_paid'), ('c11', 'tiktok_paid'), ('c12', 'other_paid'),
    ('c13', 'other_paid'), ('c14', 'email'), ('c15', 'referral'), ('c16', 'organic'),
    ('c17', 'email'), ('c18', 'facebook_organic'), ('c19', 'facebook_organic'),
    ('c20', 'referral'), ('c21', 'facebook_organic'), ('c22', 'google_paid'),
    ('c23', 'referral'), ('c24', 'referral'), ('c25', 'other_paid')
  ) c(sid, channel)
  left join analytics.mart_marketing_attribution m on m.session_id = c.sid
  union all
  select 'flags ' || c.sid, m.is_paid_traffic::text || ',' || m.is_facebook_traffic::text, c.flags
  from (values
    ('c01', 'true,true'), ('c02', 'false,true'), ('c03', 'false,true'), ('c06', 'true,false'),
    ('c14', 'false,false'), ('c16', 'false,false'), ('c19', 'false,true'),
    ('c20', 'false,false'), ('c23', 'false,false'), ('c25', 'true,false')
  ) c(sid, flags)
  left join analytics.mart_marketing_attribution m on m.session_id = c.sid
  union all
  select 'match ' || c.sid, coalesce(m.facebook_match_tier, '-') || ',' || coalesce(m.facebook_campaign_id, '-'), c.v
  from (values ('c04', 'ad_id,K1'), ('c05', 'utm_campaign,K1'), ('c20', 'ad_id,K1'), ('c24', '-,-'))
    c(sid, v)
  left join analytics.mart_marketing_attribution m on m.session_id = c.sid
) t(label, actual, expected)
order by 1;
