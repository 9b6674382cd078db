-- mart_campaign_daily with the default ad-account time zone (UTC).
insert into raw.facebook_campaigns values
  ('K1', 'Name Now', 'OUTCOME_SALES', 'ACTIVE', 'act', '2024-01-01 00:00+00'),
  ('K3', 'Sessions Only', 'OUTCOME_SALES', 'ACTIVE', 'act', '2024-01-01 00:00+00');
insert into raw.facebook_ads values
  ('A1', 'S1', 'K1', 'Ad One', 'ACTIVE', '2024-01-01 00:00+00');
insert into raw.facebook_ad_statistics values
  ('2025-05-01', 'A1', 'S1', 'K1', 'Old Name', 'S', 'Ad One', 10.50, 1000, 10, 'USD'),
  ('2025-05-01', 'A2', 'S1', 'K1', 'Old Name', 'S', 'Ad Two', 5.25, 500, 5, 'USD'),
  ('2025-05-02', 'A1', 'S1', 'K1', 'Old Name', 'S', 'Ad One', 3.00, 100, 1, 'USD'),
  -- K2 is not in facebook_campaigns: greatest name COLLATE "C" ('alpha' > 'Zed')
  ('2025-05-01', 'B1', 'S2', 'K2', 'Zed', 'S', 'B One', 7.01, 70, 7, 'USD'),
  ('2025-05-01', 'B2', 'S2', 'K2', 'alpha', 'S', 'B Two', 0.99, 30, 3, 'USD'),
  -- an ad deleted from facebook_ads still counts
  ('2025-05-03', 'GONE', 'S2', 'K2', 'Zed', 'S', 'Gone', 1.00, 10, 1, 'USD'),
  -- zero spend
  ('2025-05-04', 'B1', 'S2', 'K2', 'Zed', 'S', 'B One', 0.00, 0, 0, 'USD');
insert into raw.funnelfox_sessions (id, profile_id, origin, created_at) values
  ('d1', 'P1', 'https://x.io/?ad_id=A1', '2025-05-01 23:30+00'),
  ('d2', 'P2', 'https://x.io/?utm_source=fb&utm_campaign=name+now', '2025-05-01 00:00+00'),
  ('d3', 'P3', 'https://x.io/?ad_id=A1', '2025-05-02 00:00+00'),
  ('d4', 'P4', 'https://x.io/?utm_source=fb&utm_campaign=Sessions+Only', '2025-05-05 10:00+00'),
  ('d5', 'P5', 'https://x.io/?utm_source=google', '2025-05-01 10:00+00'),
  -- matched, but no created_at: no day to count it on (and the build must not fail)
  ('d6', 'P6', 'https://x.io/?ad_id=A1', NULL);
insert into raw.funnelfox_subscriptions values
  ('s1', 'd1', 'P1', 'sub_1', 'stripe', 'active', false, '2025-05-02 01:00+00'),
  ('s4', 'd4', 'P4', 'sub_4', 'stripe', 'active', false, '2025-05-05 11:00+00'),
  ('s5', 'd5', 'P5', 'sub_5', 'stripe', 'active', false, '2025-05-01 11:00+00');
insert into raw.stripe_subscriptions values
  ('sub_1', 'c1', 'active', 'month', 1, 'usd', '2025-05-02 01:00+00'),
  ('sub_4', 'c4', 'active', 'month', 1, 'usd', '2025-05-05 11:00+00'),
  ('sub_5', 'c5', 'active', 'month', 1, 'usd', '2025-05-01 11:00+00');
insert into raw.stripe_payments values
  ('ch_1', 'sub_1', 'c1', 3150, 'usd', 'succeeded', 'txn_1', '2025-05-02 01:00+00'),
  ('ch_5', 'sub_5', 'c5', 9999, 'usd', 'succeeded', 'txn_5', '2025-05-01 11:00+00');
insert into raw.stripe_balance_transactions values
  ('txn_1', 'ch_1', 'charge', 3150, 0, 3150, 'usd', NULL, '2025-05-02 01:00+00'),
  ('txn_5', 'ch_5', 'charge', 9999, 0, 9999, 'usd', NULL, '2025-05-01 11:00+00');

-- expect
-- value: campaign_name|spend|impressions|clicks|sessions|conversions|revenue_usd|roas|cac|cvr
select label, actual, expected from (
  select 'daily ' || c.d || ' ' || c.k,
         concat_ws('|', coalesce(m.campaign_name, 'null'), round(m.spend, 2), m.impressions, m.clicks,
                   m.sessions, m.conversions, round(m.revenue_usd, 2),
                   coalesce(round(m.roas, 4)::text, 'null'), coalesce(round(m.cac, 4)::text, 'null'),
                   coalesce(round(m.cvr, 4)::text, 'null')),
         c.expected
  from (values
    -- d1 (23:30 UTC on 05-01, converted 31.50) and d2 (tier 2) on 05-01
    ('2025-05-01', 'K1', 'Name Now|15.75|1500|15|2|1|31.50|2.0000|15.7500|0.5000'),
    ('2025-05-02', 'K1', 'Name Now|3.00|100|1|1|0|0.00|0.0000|null|0.0000'),
    ('2025-05-01', 'K2', 'alpha|8.00|100|10|0|0|0.00|0.0000|null|null'),
    ('2025-05-03', 'K2', 'Zed|1.00|10|1|0|0|0.00|0.0000|null|null'),
    ('2025-05-04', 'K2', 'Zed|0.00|0|0|0|0|0.00|null|null|null'),
    -- sessions but no statistics
    ('2025-05-05', 'K3', 'Sessions Only|0.00|0|0|1|1|0.00|null|0.0000|1.0000')
  ) c(d, k, expected)
  left join analytics.mart_campaign_daily m on m.date = c.d::date and m.facebook_campaign_id = c.k
  union all
  select 'row count', count(*)::text, '6' from analytics.mart_campaign_daily
  union all
  select 'total spend equals statistics',
         (select sum(spend) from analytics.mart_campaign_daily)::text,
         (select sum(spend) from raw.facebook_ad_statistics)::text
) t(label, actual, expected)
order by 1;
