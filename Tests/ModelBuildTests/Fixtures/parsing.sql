-- Parsing of funnelfox_sessions.origin (docs/mart.md, "Parameters parsed from `origin`").
-- oracle_check.py reads the session rows (id, origin) and the case rows
-- (session id, column, expected, 'oracle' | 'exempt') of this file and checks every
-- 'oracle' case against Python's urllib.parse.unquote_plus. Keep one row per line.
insert into raw.funnelfox_sessions (id, origin, created_at)
select id, origin, timestamptz '2025-01-01 00:00:00+00' from (values
  ('p01', 'https://x.io/q?utm_source=facebook&utm_medium=cpc&utm_campaign=Spring%20Sale&utm_content=Video+1&utm_term=a%2Bb&fbclid=IwAR1&ad_id=123'),
  ('p02', 'https://x.io/?utm_source=fb&utm_source=google&utm_medium=paid&utm_medium=cpc'),
  ('p03', 'https://x.io/?UTM_Source=Meta&Utm_Medium=PAID&utm_source=x'),
  ('p04', 'https://x.io/#/quiz?utm_source=fb&utm_campaign=C1'),
  ('p05', 'https://x.io/?utm_source=google#/q?utm_source=fb&utm_medium=paid'),
  ('p06', 'utm_source=newsletter&utm_medium=email'),
  ('p07', 'a/utm_source=x'),
  ('p08', 'https://x.io/?utm_campaign=caf%C3%A9%E9'),
  ('p09', 'https://x.io/?utm_campaign=a%00b'),
  ('p10', 'https://x.io/?utm_campaign=100%&utm_content=%zz%4'),
  ('p11', 'https://x.io/?utm_source=%C2%A0fb%C2%A0&utm_campaign= a b '),
  ('p12', 'https://x.io/?utm_source=%09fb%20%0A&utm_medium=+paid+&utm_term=%0B%0Cx%0D'),
  ('p13', E'https://x.io/?utm_content=\tVideo\t&utm_term=\u00A0t'),
  ('p14', 'https://x.io/?ad_id={{ad.id}}&h_ad_id=555&utm_campaign={{ campaign.name }}&utm_content=%7B%7Bad.name%7D%7D&utm_term=x{{y'),
  ('p15', 'https://x.io/?utm_source=&utm_source=fb&utm_medium&utm_medium=paid&utm_campaign={{x}}&utm_campaign=C&utm_content=%20&utm_content=V'),
  ('p16', 'https://x.io/?h_ad_id=777'),
  ('p17', 'https://x.io/?h_ad_id=1&ad_id=2'),
  ('p18', 'https://x.io/?ad_id=%20&h_ad_id=3'),
  ('p19', NULL),
  ('p20', ''),
  ('p21', 'garbage'),
  ('p22', 'https://x.io/path'),
  ('p23', 'https://x.io/?&&=x&utm_source&fbclid=F'),
  ('p24', 'https://x.io/?utm%5Fsource=enc&%20utm_medium%20=paid&UTM%5FCAMPAIGN=c'),
  ('p25', 'https://x.io/?utm_source+=plus&utm_campaign=a=b'),
  ('p26', 'https://x.io/#utm_source=fb'),
  ('p27', 'https://x.io/?x=1&utm_content=%E2%82%AC%F0%9F%98%80&utm_term=%2B%2B'),
  ('p28', 'https://x.io/?utm_source=a%25b&utm_medium=%2520'),
  ('p29', 'https://x.io/?utm_term=%ED%A0%80x&utm_content=%C3&utm_campaign=%C3%28'),
  ('p30', 'https://x.io/?fbclid=%7B%7Bfbclid%7D%7D&utm_source={{site_source_name}}&utm_campaign={{a}b}}'),
  ('p31', 'https://x.io/?utm_campaign=%e2%82%ac%e9&utm_source=%c3%a9'),
  ('p32', 'https://x.io/?utm_campaign=Caf%C3%A9+%C3%A0+la+carte&utm_content=%F0%9F%98%80%F0%9F')
) v(id, origin);

-- expect
select 'parsing ' || c.sid || ' ' || c.col as label,
       case c.col
         when 'utm_source' then m.utm_source
         when 'utm_medium' then m.utm_medium
         when 'utm_campaign' then m.utm_campaign
         when 'utm_content' then m.utm_content
         when 'utm_term' then m.utm_term
         when 'fbclid' then m.fbclid
         when 'ad_id' then m.ad_id
         when 'origin_raw' then m.origin_raw
       end as actual,
       c.expected
from (values
  ('p01', 'utm_source', 'facebook', 'oracle'),
  ('p01', 'utm_medium', 'cpc', 'oracle'),
  ('p01', 'utm_campaign', 'Spring Sale', 'oracle'),
  ('p01', 'utm_content', 'Video 1', 'oracle'),
  ('p01', 'utm_term', 'a+b', 'oracle'),
  ('p01', 'fbclid', 'IwAR1', 'oracle'),
  ('p01', 'ad_id', '123', 'oracle'),
  ('p02', 'utm_source', 'fb', 'oracle'),
  ('p02', 'utm_medium', 'paid', 'oracle'),
  ('p03', 'utm_source', 'Meta', 'oracle'),
  ('p03', 'utm_medium', 'PAID', 'oracle'),
  ('p04', 'utm_source', 'fb', 'oracle'),
  ('p04', 'utm_campaign', 'C1', 'oracle'),
  ('p05', 'utm_source', 'google', 'oracle'),
  ('p05', 'utm_medium', 'paid', 'oracle'),
  ('p06', 'utm_source', 'newsletter', 'oracle'),
  ('p06', 'utm_medium', 'email', 'oracle'),
  ('p07', 'utm_source', NULL, 'oracle'),
  ('p08', 'utm_campaign', 'café%E9', 'exempt'),
  ('p09', 'utm_campaign', 'a%00b', 'exempt'),
  ('p10', 'utm_campaign', '100%', 'oracle'),
  ('p10', 'utm_content', '%zz%4', 'oracle'),
  ('p11', 'utm_source', ' fb ', 'oracle'),
  ('p11', 'utm_campaign', 'a b', 'oracle'),
  ('p12', 'utm_source', 'fb', 'oracle'),
  ('p12', 'utm_medium', 'paid', 'oracle'),
  ('p12', 'utm_term', 'x', 'oracle'),
  ('p13', 'utm_content', 'Video', 'oracle'),
  ('p13', 'utm_term', ' t', 'oracle'),
  ('p14', 'ad_id', '555', 'oracle'),
  ('p14', 'utm_campaign', NULL, 'oracle'),
  ('p14', 'utm_content', NULL, 'oracle'),
  ('p14', 'utm_term', 'x{{y', 'oracle'),
  ('p15', 'utm_source', NULL, 'oracle'),
  ('p15', 'utm_medium', NULL, 'oracle'),
  ('p15', 'utm_campaign', NULL, 'oracle'),
  ('p15', 'utm_content', NULL, 'oracle'),
  ('p16', 'ad_id', '777', 'oracle'),
  ('p17', 'ad_id', '2', 'oracle'),
  ('p18', 'ad_id', '3', 'oracle'),
  ('p19', 'utm_source', NULL, 'oracle'),
  ('p19', 'origin_raw', NULL, 'oracle'),
  ('p20', 'utm_source', NULL, 'oracle'),
  ('p20', 'origin_raw', '', 'oracle'),
  ('p21', 'utm_source', NULL, 'oracle'),
  ('p22', 'utm_source', NULL, 'oracle'),
  ('p23', 'utm_source', NULL, 'oracle'),
  ('p23', 'fbclid', 'F', 'oracle'),
  ('p24', 'utm_source', 'enc', 'oracle'),
  ('p24', 'utm_medium', 'paid', 'oracle'),
  ('p24', 'utm_campaign', 'c', 'oracle'),
  ('p25', 'utm_source', 'plus', 'oracle'),
  ('p25', 'utm_campaign', 'a=b', 'oracle'),
  ('p26', 'utm_source', NULL, 'oracle'),
  ('p27', 'utm_content', '€😀', 'oracle'),
  ('p27', 'utm_term', '++', 'oracle'),
  ('p28', 'utm_source', 'a%b', 'oracle'),
  ('p28', 'utm_medium', '%20', 'oracle'),
  ('p29', 'utm_term', '%ED%A0%80x', 'exempt'),
  ('p29', 'utm_content', '%C3', 'exempt'),
  ('p29', 'utm_campaign', '%C3(', 'exempt'),
  ('p30', 'fbclid', NULL, 'oracle'),
  ('p30', 'utm_source', NULL, 'oracle'),
  ('p30', 'utm_campaign', NULL, 'oracle'),
  ('p31', 'utm_campaign', '€%e9', 'exempt'),
  ('p31', 'utm_source', 'é', 'oracle'),
  ('p32', 'utm_campaign', 'Café à la carte', 'oracle'),
  ('p32', 'utm_content', '😀%F0%9F', 'exempt')
) c(sid, col, expected, oracle)
left join analytics.mart_marketing_attribution m on m.session_id = c.sid
order by 1;
