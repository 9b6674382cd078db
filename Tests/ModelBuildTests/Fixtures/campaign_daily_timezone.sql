-- mart_campaign_daily with a non-UTC ad-account time zone.
-- vars: ad_account_timezone='America/Los_Angeles'
-- (The runner must render {{ var('ad_account_timezone') }} as 'America/Los_Angeles'.)
insert into raw.facebook_campaigns values
  ('K1', 'Camp', 'OUTCOME_SALES', 'ACTIVE', 'act', '2024-01-01 00:00+00');
insert into raw.facebook_ads values
  ('A1', 'S1', 'K1', 'Ad One', 'ACTIVE', '2024-01-01 00:00+00');
insert into raw.facebook_ad_statistics values
  ('2025-05-01', 'A1', 'S1', 'K1', 'Camp', 'S', 'Ad One', 20.00, 100, 4, 'USD'),
  ('2025-05-02', 'A1', 'S1', 'K1', 'Camp', 'S', 'Ad One', 30.00, 100, 4, 'USD');
insert into raw.funnelfox_sessions (id, origin, created_at) values
  -- 2025-05-02 03:00 UTC is 2025-05-01 20:00 in Los Angeles
  ('t1', 'https://x.io/?ad_id=A1', '2025-05-02 03:00+00'),
  -- 2025-05-02 08:00 UTC is 2025-05-02 01:00 in Los Angeles
  ('t2', 'https://x.io/?ad_id=A1', '2025-05-02 08:00+00');

-- expect
select label, actual, expected from (
  select 'tz ' || c.d, concat_ws('|', m.sessions, round(m.spend, 2)), c.expected
  from (values ('2025-05-01', '1|20.00'), ('2025-05-02', '1|30.00')) c(d, expected)
  left join analytics.mart_campaign_daily m on m.date = c.d::date and m.facebook_campaign_id = 'K1'
  union all
  -- session_date stays the UTC date
  select 'session_date t1', (select session_date::text from analytics.mart_marketing_attribution where session_id = 't1'), '2025-05-02'
) t(label, actual, expected)
order by 1;
