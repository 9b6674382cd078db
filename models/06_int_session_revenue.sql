-- reckon.grain: session_id
-- reckon.primary_key: session_id
-- int_session_revenue: conversion and revenue of each converted session (one row per
-- session with at least one non-sandbox subscription).
-- * conversion = the earliest subscription (created_at, then id COLLATE "C");
--   subscription_id = its psp_id; billing_interval from stripe_subscriptions;
--   payment_status / currency (upper) from the earliest charge (created_at, then id
--   COLLATE "C") of that Stripe subscription.
-- * revenue_usd = settled USD (balance transaction amount / 100) of the succeeded charges
--   minus settled USD of the succeeded refunds, over the DISTINCT psp_ids of the session's
--   subscriptions (each charge / refund once per session); 0 without settled money.
-- * refunded_usd = the refund part, positive.
-- Choices (see docs/mart.md): subscriptions join Stripe on psp_id alone (other
-- providers' ids simply find no Stripe row); the settled amount of a refund is taken as
-- abs(balance transaction amount) (Stripe sends it negative); a refund counts when the
-- refund succeeded, whatever its charge's status; a charge or refund without a balance
-- transaction row adds 0.
-- Performance notes (80k subscriptions, 160k charges): ~3 s; small hash joins and
-- distinct-on sorts over the Stripe tables. An intermediate model.
with first_sub as (
  select distinct on (session_id) session_id, created_at, psp_id
  from {{ ref('int_subscription_sessions') }}
  order by session_id, created_at, subscription_id collate "C"
),
first_charge as (
  select distinct on (subscription_id) subscription_id, status, currency
  from {{ source('stripe_payments') }}
  where subscription_id is not null
  order by subscription_id, created_at, id collate "C"
),
session_psp as (
  select distinct session_id, psp_id
  from {{ ref('int_subscription_sessions') }}
  where psp_id is not null
),
refund_per_charge as (
  select r.payment_id, sum(abs(bt.amount)) as refunded_cents
  from {{ source('stripe_refunds') }} r
  join {{ source('stripe_balance_transactions') }} bt on bt.id = r.balance_transaction_id
  where r.status = 'succeeded'
  group by r.payment_id
),
money as (
  select
    sp.session_id,
    coalesce(sum(bt.amount) filter (where p.status = 'succeeded'), 0) as charged_cents,
    coalesce(sum(rf.refunded_cents), 0) as refunded_cents
  from session_psp sp
  join {{ source('stripe_payments') }} p on p.subscription_id = sp.psp_id
  left join {{ source('stripe_balance_transactions') }} bt
    on bt.id = p.balance_transaction_id and p.status = 'succeeded'
  left join refund_per_charge rf on rf.payment_id = p.id
  group by sp.session_id
)
select
  f.session_id,
  f.created_at as conversion_timestamp,
  f.psp_id as subscription_id,
  ss.billing_interval::text as billing_interval,
  fc.status::text as payment_status,
  upper(fc.currency)::text as currency,
  round((coalesce(m.charged_cents, 0) - coalesce(m.refunded_cents, 0))::numeric / 100, 2) as revenue_usd,
  round(coalesce(m.refunded_cents, 0)::numeric / 100, 2) as refunded_usd
from first_sub f
left join {{ source('stripe_subscriptions') }} ss on ss.id = f.psp_id
left join first_charge fc on fc.subscription_id = f.psp_id
left join money m on m.session_id = f.session_id;
