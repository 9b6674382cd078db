/// The raw tables of the source contract (`docs/sources.md`), as DDL that `reckon generate`
/// runs before it fills them. `%SCHEMA%` stands for the quoted raw schema.
public enum RawSchema {
    /// One `create table` statement per logical source, in load order.
    public static let tables: [(name: String, ddl: String)] = [
        (
            "facebook_campaigns",
            """
            create table %SCHEMA%.facebook_campaigns (
              facebook_campaign_id text primary key, campaign_name text, objective text,
              status text, account_id text, created_time timestamptz)
            """
        ),
        (
            "facebook_adsets",
            """
            create table %SCHEMA%.facebook_adsets (
              facebook_adset_id text primary key, facebook_campaign_id text, adset_name text,
              status text, created_time timestamptz)
            """
        ),
        (
            "facebook_ads",
            """
            create table %SCHEMA%.facebook_ads (
              facebook_ad_id text primary key, facebook_adset_id text, facebook_campaign_id text,
              ad_name text, status text, created_time timestamptz)
            """
        ),
        (
            "facebook_ad_statistics",
            """
            create table %SCHEMA%.facebook_ad_statistics (
              date date not null, facebook_ad_id text not null, facebook_adset_id text,
              facebook_campaign_id text, campaign_name text, adset_name text, ad_name text,
              spend numeric(14,2), impressions bigint, clicks bigint, account_currency text,
              primary key (date, facebook_ad_id))
            """
        ),
        (
            "funnelfox_funnels",
            """
            create table %SCHEMA%.funnelfox_funnels (
              id text primary key, title text, type text, environment text, version text)
            """
        ),
        (
            "funnelfox_sessions",
            """
            create table %SCHEMA%.funnelfox_sessions (
              id text primary key, profile_id text, funnel_id text, funnel_version text,
              origin text, user_agent text, ip text, country text, city text,
              created_at timestamptz)
            """
        ),
        (
            "funnelfox_subscriptions",
            """
            create table %SCHEMA%.funnelfox_subscriptions (
              id text primary key, session_id text, profile_id text, psp_id text,
              payment_provider text, status text, sandbox boolean, created_at timestamptz)
            """
        ),
        (
            "amplitude_events",
            """
            create table %SCHEMA%.amplitude_events (
              uuid text, event_type text, event_time timestamptz, user_id text, device_id text,
              platform text, os_name text, os_version text, country text, city text,
              event_properties jsonb)
            """
        ),
        (
            "stripe_subscriptions",
            """
            create table %SCHEMA%.stripe_subscriptions (
              id text primary key, customer_id text, status text, billing_interval text,
              interval_count int, currency text, created_at timestamptz)
            """
        ),
        (
            "stripe_payments",
            """
            create table %SCHEMA%.stripe_payments (
              id text primary key, subscription_id text, customer_id text, amount bigint,
              currency text, status text, balance_transaction_id text, created_at timestamptz)
            """
        ),
        (
            "stripe_refunds",
            """
            create table %SCHEMA%.stripe_refunds (
              id text primary key, payment_id text, amount bigint, currency text, status text,
              balance_transaction_id text, created_at timestamptz)
            """
        ),
        (
            "stripe_balance_transactions",
            """
            create table %SCHEMA%.stripe_balance_transactions (
              id text primary key, source_id text, type text, amount bigint, fee bigint,
              net bigint, currency text, exchange_rate numeric, created_at timestamptz)
            """
        ),
    ]
}
