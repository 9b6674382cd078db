-- Conversion and revenue (docs/mart.md, "Conversion and revenue").
insert into raw.funnelfox_sessions (id, profile_id, created_at) values
  ('r01', 'P1', '2025-01-01 10:00+00'),
  ('r02', 'P2', '2025-01-01 10:00+00'),
  ('r03', 'P3', '2025-01-01 10:00+00'),
  ('r04a', 'P4', '2025-01-01 09:00+00'),
  ('r04b', 'P4', '2025-01-01 11:00+00'),
  ('r04c', 'P4', '2025-01-01 13:00+00'),
  ('r05', 'P5', '2025-01-02 10:00+00'),
  ('r06', 'P6', '2025-01-01 10:00+00'),
  ('r07', 'P7', '2025-01-01 10:00+00'),
  ('r08', 'P8', '2025-01-01 10:00+00'),
  ('r09', 'P9', '2025-01-01 10:00+00'),
  ('r10', 'P10', '2025-01-01 10:00+00'),
  ('r11', 'P11', '2025-01-01 10:00+00'),
  ('r12', 'P12', '2025-01-01 10:00+00'),
  ('r13', 'P13', '2025-01-01 10:00+00'),
  ('r14', 'P14', '2025-01-01 10:00+00');
insert into raw.funnelfox_subscriptions (id, session_id, profile_id, psp_id, payment_provider, status, sandbox, created_at) values
  ('fs01', 'r01', 'P1', 'sub_1', 'stripe', 'active', false, '2025-01-01 12:00+00'),
  ('fs02', 'r02', 'P2', 'sub_2', 'stripe', 'active', true, '2025-01-01 11:00+00'),
  ('fs03a', 'r03', 'P3', 'sub_3a', 'stripe', 'active', true, '2025-01-01 10:30+00'),
  ('fs03b', 'r03', 'P3', 'sub_3b', 'stripe', 'active', false, '2025-01-01 11:30+00'),
  ('fs04', NULL, 'P4', 'sub_4', 'stripe', 'active', false, '2025-01-01 12:00+00'),
  ('fs05', NULL, 'P5', 'sub_5', 'stripe', 'active', false, '2025-01-01 12:00+00'),
  ('fs06b', 'r06', 'P6', 'sub_6b', 'stripe', 'active', false, '2025-01-01 10:15+00'),
  ('fs06a', 'r06', 'P6', 'sub_6a', 'stripe', 'active', false, '2025-01-01 10:15+00'),
  ('fs07', 'r07', 'P7', 'sub_7', 'stripe', 'active', NULL, '2025-01-01 10:30+00'),
  ('fs08', 'r08', 'P8', 'sub_8', 'stripe', 'active', false, '2025-01-01 10:30+00'),
  ('fs09', 'r09', 'P9', 'sub_9', 'stripe', 'active', false, '2025-01-01 10:30+00'),
  ('fs10a', 'r10', 'P10', 'sub_10', 'stripe', 'active', false, '2025-01-01 10:30+00'),
  ('fs10b', 'r10', 'P10', 'sub_10', 'stripe', 'active', false, '2025-01-01 10:40+00'),
  ('fs11', 'r11', 'P11', 'pad_11', 'paddle', 'active', false, '2025-01-01 10:30+00'),
  ('fs13a', 'r13', 'P13', 'sub_13a', 'stripe', 'active', false, '2025-01-01 10:30+00'),
  ('fs13b', 'r13', 'P13', 'sub_13b', 'stripe', 'active', false, '2025-01-01 11:30+00'),
  ('fs14', 'r14', 'P14', 'sub_14', 'stripe', 'active', false, '2025-01-01 10:30+00');
insert into raw.stripe_subscriptions (id, customer_id, status, billing_interval, interval_count, currency, created_at) values
  ('sub_1', 'cu1', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_2', 'cu2', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_3a', 'cu3', 'active', 'week', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_3b', 'cu3', 'active', 'year', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_4', 'cu4', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_6a', 'cu6', 'active', 'week', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_6b', 'cu6', 'active', 'year', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_7', 'cu7', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_8', 'cu8', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_9', 'cu9', 'active', 'month', 1, 'jpy', '2025-01-01 12:00+00'),
  ('sub_10', 'cu10', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_13a', 'cu13', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_13b', 'cu13', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00'),
  ('sub_14', 'cu14', 'active', 'month', 1, 'usd', '2025-01-01 12:00+00');
insert into raw.stripe_payments (id, subscription_id, customer_id, amount, currency, status, balance_transaction_id, created_at) values
  -- r01: failed then succeeded; payment_status is the status of the earliest charge
  ('ch_1a', 'sub_1', 'cu1', 1999, 'usd', 'failed', NULL, '2025-01-01 12:00+00'),
  ('ch_1b', 'sub_1', 'cu1', 1999, 'usd', 'succeeded', 'txn_1b', '2025-01-01 12:05+00'),
  ('ch_2', 'sub_2', 'cu2', 999, 'usd', 'succeeded', 'txn_2', '2025-01-01 12:00+00'),
  ('ch_3a', 'sub_3a', 'cu3', 500, 'usd', 'succeeded', 'txn_3a', '2025-01-01 12:00+00'),
  ('ch_3b', 'sub_3b', 'cu3', 4999, 'eur', 'succeeded', 'txn_3b', '2025-01-01 12:00+00'),
  ('ch_4', 'sub_4', 'cu4', 1000, 'usd', 'succeeded', 'txn_4', '2025-01-01 12:00+00'),
  -- r06: charges tie on created_at: smallest id COLLATE "C" ('ch_6_10' < 'ch_6_9')
  ('ch_6_9', 'sub_6a', 'cu6', 100, 'usd', 'succeeded', 'txn_6_9', '2025-01-01 12:00+00'),
  ('ch_6_10', 'sub_6a', 'cu6', 100, 'gbp', 'failed', NULL, '2025-01-01 12:00+00'),
  ('ch_6b', 'sub_6b', 'cu6', 300, 'usd', 'succeeded', 'txn_6b', '2025-01-01 12:00+00'),
  ('ch_7', 'sub_7', 'cu7', 1999, 'usd', 'pending', NULL, '2025-01-01 12:00+00'),
  ('ch_8', 'sub_8', 'cu8', 5000, 'usd', 'succeeded', 'txn_8', '2025-01-01 12:00+00'),
  ('ch_9', 'sub_9', 'cu9', 3000, 'jpy', 'succeeded', 'txn_9', '2025-01-01 12:00+00'),
  ('ch_10', 'sub_10', 'cu10', 1000, 'usd', 'succeeded', 'txn_10', '2025-01-01 12:00+00'),
  ('ch_13a', 'sub_13a', 'cu13', 1000, 'usd', 'succeeded', 'txn_13a', '2025-01-01 12:00+00'),
  ('ch_13b', 'sub_13b', 'cu13', 2500, 'usd', 'succeeded', 'txn_13b', '2025-01-01 12:00+00'),
  ('ch_14', 'sub_14', 'cu14', 1000, 'usd', 'succeeded', 'txn_14', '2025-01-01 12:00+00'),
  ('ch_x', NULL, 'cu14', 7777, 'usd', 'succeeded', 'txn_x', '2025-01-01 12:00+00');
insert into raw.stripe_refunds (id, payment_id, amount, currency, status, balance_transaction_id, created_at) values
  ('re_8a', 'ch_8', 2000, 'usd', 'succeeded', 'txn_re_8a', '2025-01-02 12:00+00'),
  ('re_8b', 'ch_8', 1000, 'usd', 'failed', 'txn_re_8b', '2025-01-02 12:00+00'),
  ('re_10', 'ch_10', 100, 'usd', 'succeeded', 'txn_re_10', '2025-01-02 12:00+00'),
  ('re_14', 'ch_14', 1000, 'usd', 'succeeded', 'txn_re_14', '2025-01-02 12:00+00');
insert into raw.stripe_balance_transactions (id, source_id, type, amount, fee, net, currency, exchange_rate, created_at) values
  ('txn_1b', 'ch_1b', 'charge', 1999, 88, 1911, 'usd', NULL, '2025-01-01 12:05+00'),
  ('txn_2', 'ch_2', 'charge', 999, 0, 999, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_3a', 'ch_3a', 'charge', 500, 0, 500, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_3b', 'ch_3b', 'charge', 5400, 0, 5400, 'usd', 1.08, '2025-01-01 12:00+00'),
  ('txn_4', 'ch_4', 'charge', 1000, 0, 1000, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_6_9', 'ch_6_9', 'charge', 100, 0, 100, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_6b', 'ch_6b', 'charge', 300, 0, 300, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_8', 'ch_8', 'charge', 5000, 0, 5000, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_re_8a', 're_8a', 'refund', -2000, 0, -2000, 'usd', NULL, '2025-01-02 12:00+00'),
  ('txn_re_8b', 're_8b', 'refund', -1000, 0, -1000, 'usd', NULL, '2025-01-02 12:00+00'),
  ('txn_9', 'ch_9', 'charge', 2011, 0, 2011, 'usd', 0.0067, '2025-01-01 12:00+00'),
  ('txn_10', 'ch_10', 'charge', 1000, 0, 1000, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_re_10', 're_10', 'refund', -100, 0, -100, 'usd', NULL, '2025-01-02 12:00+00'),
  ('txn_13a', 'ch_13a', 'charge', 1000, 0, 1000, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_13b', 'ch_13b', 'charge', 2500, 0, 2500, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_14', 'ch_14', 'charge', 1000, 0, 1000, 'usd', NULL, '2025-01-01 12:00+00'),
  ('txn_re_14', 're_14', 'refund', -1000, 0, -1000, 'usd', NULL, '2025-01-02 12:00+00'),
  ('txn_x', 'ch_x', 'charge', 7777, 0, 7777, 'usd', NULL, '2025-01-01 12:00+00');

-- expect
-- value: converted|conversion_timestamp UTC|hours_to_convert (3 dp)|subscription_id|
--        billing_interval|payment_status|currency|revenue_usd (2 dp)|refunded_usd (2 dp)
select 'revenue ' || c.sid as label,
       concat_ws('|', m.converted::text,
                 coalesce((m.conversion_timestamp at time zone 'UTC')::text, 'null'),
                 coalesce(round(m.hours_to_convert, 3)::text, 'null'),
                 coalesce(m.subscription_id, 'null'), coalesce(m.billing_interval, 'null'),
                 coalesce(m.payment_status, 'null'), coalesce(m.currency, 'null'),
                 coalesce(round(m.revenue_usd, 2)::text, 'null'),
                 coalesce(round(m.refunded_usd, 2)::text, 'null')) as actual,
       c.expected
from (values
  ('r01', 'true|2025-01-01 12:00:00|2.000|sub_1|month|failed|USD|19.99|0.00'),
  -- sandbox only: not converted
  ('r02', 'false|null|null|null|null|null|null|null|null'),
  -- sandbox ignored: the later real subscription is the conversion; sandbox money not counted
  ('r03', 'true|2025-01-01 11:30:00|1.500|sub_3b|year|succeeded|EUR|54.00|0.00'),
  -- profile fallback: latest profile session started at or before the subscription
  ('r04a', 'false|null|null|null|null|null|null|null|null'),
  ('r04b', 'true|2025-01-01 12:00:00|1.000|sub_4|month|succeeded|USD|10.00|0.00'),
  ('r04c', 'false|null|null|null|null|null|null|null|null'),
  -- profile whose sessions all start after the subscription: unattributed
  ('r05', 'false|null|null|null|null|null|null|null|null'),
  -- earliest subscription tie on created_at: smallest id (fs06a); charges of both counted
  ('r06', 'true|2025-01-01 10:15:00|0.250|sub_6a|week|failed|GBP|4.00|0.00'),
  -- pending charge only: converted, no settled money (sandbox NULL is a real purchase)
  ('r07', 'true|2025-01-01 10:30:00|0.500|sub_7|month|pending|USD|0.00|0.00'),
  -- partial refund: succeeded refund counted, failed refund not
  ('r08', 'true|2025-01-01 10:30:00|0.500|sub_8|month|succeeded|USD|30.00|20.00'),
  -- JPY: settled USD from the balance transaction
  ('r09', 'true|2025-01-01 10:30:00|0.500|sub_9|month|succeeded|JPY|20.11|0.00'),
  -- same psp_id on two subscriptions: charge and refund counted once
  ('r10', 'true|2025-01-01 10:30:00|0.500|sub_10|month|succeeded|USD|9.00|1.00'),
  -- non-Stripe provider: converted, nothing joins
  ('r11', 'true|2025-01-01 10:30:00|0.500|pad_11|null|null|null|0.00|0.00'),
  ('r12', 'false|null|null|null|null|null|null|null|null'),
  ('r13', 'true|2025-01-01 10:30:00|0.500|sub_13a|month|succeeded|USD|35.00|0.00'),
  -- fully refunded
  ('r14', 'true|2025-01-01 10:30:00|0.500|sub_14|month|succeeded|USD|0.00|10.00')
) c(sid, expected)
left join analytics.mart_marketing_attribution m on m.session_id = c.sid
order by 1;
