-- Facebook matching fallback chain, tie-breaks, ambiguity, trim/lower (docs/mart.md, "Facebook matching").
insert into raw.facebook_campaigns values
  ('C1', 'Summer Sale', 'OUTCOME_SALES', 'ACTIVE', 'act', '2025-01-01 00:00+00'),
  ('C2', '  summer SALE  ', 'OUTCOME_TRAFFIC', 'ACTIVE', 'act', '2025-03-01 00:00+00'),
  ('C3', 'Ad Campaign', 'OUTCOME_LEADS', 'ACTIVE', 'act', '2024-06-01 00:00+00'),
  ('9', 'Tie Camp', 'OBJ9', 'ACTIVE', 'act', '2024-01-01 00:00+00'),
  ('10', 'Tie Camp', 'OBJ10', 'ACTIVE', 'act', '2024-01-01 00:00+00'),
  ('C5', E'\tTab Camp', 'OBJ5', 'ACTIVE', 'act', '2024-01-01 00:00+00'),
  -- four candidates of one name: the latest created at or before the session wins
  ('C6', 'Step Camp', 'OBJ6', 'ACTIVE', 'act', '2024-01-01 00:00+00'),
  ('C8', 'Step Camp', 'OBJ8', 'ACTIVE', 'act', '2024-03-01 00:00+00'),
  ('C7', 'Step Camp', 'OBJ7', 'ACTIVE', 'act', '2024-03-01 00:00+00'),
  ('C9', 'Step Camp', 'OBJ9', 'ACTIVE', 'act', '2024-06-01 00:00+00');
insert into raw.facebook_adsets values
  ('AS1', 'C3', 'Adset One', 'ACTIVE', '2024-06-01 00:00+00'),
  ('AS2', 'C1', 'Adset Two', 'ACTIVE', '2024-06-01 00:00+00');
insert into raw.facebook_ads values
  ('AD1', 'AS1', 'C3', 'Ad One', 'ACTIVE', '2024-06-01 00:00+00'),
  ('AD2', 'AS2', 'C1', 'Video A', 'ACTIVE', '2025-01-10 00:00+00'),
  ('AD3', 'AS1', 'C3', 'video a', 'ACTIVE', '2025-01-20 00:00+00'),
  ('AD4', 'AS2', 'C1', '  Video B  ', 'ACTIVE', '2025-01-01 00:00+00'),
  ('99', 'AS1', 'C3', 'Same Ad', 'ACTIVE', '2025-01-01 00:00+00'),
  ('100', 'AS2', 'C1', 'Same Ad', 'ACTIVE', '2025-01-01 00:00+00'),
  -- a NULL created_time is never 'created before' and sorts after dated candidates
  ('N1', 'AS1', 'C3', 'Null Ad', 'ACTIVE', NULL),
  ('N2', 'AS1', 'C3', 'Null Ad', 'ACTIVE', '2025-06-01 00:00+00');
insert into raw.funnelfox_sessions (id, origin, created_at) values
  ('m01', 'https://x.io/?utm_source=fb&utm_campaign=SUMMER+SALE', '2025-02-01 00:00+00'),
  ('m02', 'https://x.io/?utm_source=fb&utm_campaign=summer%20sale', '2025-04-01 00:00+00'),
  ('m03', 'https://x.io/?utm_source=fb&utm_campaign=Summer+Sale', '2024-12-01 00:00+00'),
  ('m04', 'https://x.io/?utm_source=fb&utm_campaign=tie+camp', '2025-01-01 00:00+00'),
  ('m05', 'https://x.io/?utm_source=fb&utm_campaign=Tab+Camp', '2025-01-01 00:00+00'),
  ('m06', 'https://x.io/?utm_source=google&utm_campaign=Summer+Sale&utm_content=Video+B', '2025-02-01 00:00+00'),
  ('m07', 'https://x.io/?ad_id=AD1', '2025-02-01 00:00+00'),
  ('m08', 'https://x.io/?utm_source=fb&ad_id=AD1&utm_campaign=Summer+Sale', '2025-02-01 00:00+00'),
  ('m09', 'https://x.io/?utm_source=fb&ad_id=NOPE&utm_campaign=Tie+Camp', '2025-02-01 00:00+00'),
  ('m10', 'https://x.io/?fbclid=x&utm_content=VIDEO+A', '2025-01-15 00:00+00'),
  ('m11', 'https://x.io/?utm_source=fb&utm_content=video+b', '2025-02-01 00:00+00'),
  ('m12', 'https://x.io/?utm_source=fb&utm_campaign=Tie+Camp&utm_content=Video+B', '2025-02-01 00:00+00'),
  ('m13', 'https://x.io/?utm_source=fb&utm_campaign=Unknown&utm_content=Video+B', '2025-02-01 00:00+00'),
  ('m14', 'https://x.io/?utm_source=fb&utm_content=same+ad', '2025-02-01 00:00+00'),
  ('m15', 'https://x.io/?utm_source=fb&utm_campaign=Nothing', '2025-02-01 00:00+00'),
  ('m16', 'https://x.io/?h_ad_id=AD1&utm_source=fb', '2025-02-01 00:00+00'),
  ('m17', 'https://x.io/?utm_source=fb&utm_campaign=Summer+Sale+', '2025-02-01 00:00+00'),
  ('m18', 'https://x.io/?utm_source=fb&utm_campaign=step+camp', '2024-04-01 00:00+00'),
  ('m19', 'https://x.io/?utm_source=fb&utm_campaign=step+camp', '2024-03-01 00:00+00'),
  ('m20', 'https://x.io/?utm_source=fb&utm_content=null+ad', '2025-01-01 00:00+00'),
  ('m21', 'https://x.io/?utm_source=fb&utm_content=null+ad', '2025-07-01 00:00+00'),
  ('m22', 'https://x.io/?utm_source=fb&utm_campaign=step+camp', '2023-01-01 00:00+00'),
  ('m23', 'https://x.io/?utm_source=fb&utm_campaign=step+camp', '2024-07-01 00:00+00');

-- expect
select 'match ' || c.sid as label,
       concat_ws('|', coalesce(m.facebook_match_tier, '-'), m.facebook_match_ambiguous::text,
                 coalesce(m.facebook_ad_id, '-'), coalesce(m.facebook_adset_id, '-'),
                 coalesce(m.facebook_campaign_id, '-'), coalesce(m.ad_name, '-'),
                 coalesce(m.adset_name, '-'), coalesce(m.campaign_name, '-'),
                 coalesce(m.campaign_objective, '-')) as actual,
       c.expected
from (values
  -- tier 2, one candidate created before the session (C1) and one after (C2): C1, ambiguous
  ('m01', 'utm_campaign|true|-|-|C1|-|-|Summer Sale|OUTCOME_SALES'),
  -- both created before: the most recent (C2)
  ('m02', 'utm_campaign|true|-|-|C2|-|-|  summer SALE  |OUTCOME_TRAFFIC'),
  -- none created before: the most recently created (C2)
  ('m03', 'utm_campaign|true|-|-|C2|-|-|  summer SALE  |OUTCOME_TRAFFIC'),
  -- same created_time: smallest id COLLATE "C" ('10' < '9')
  ('m04', 'utm_campaign|true|-|-|10|-|-|Tie Camp|OBJ10'),
  -- trim() removes spaces only: a tab-prefixed name does not match
  ('m05', '-|false|-|-|-|-|-|-|-'),
  -- tiers 2 and 3 only for facebook traffic
  ('m06', '-|false|-|-|-|-|-|-|-'),
  -- tier 1 for every session, fills ad, ad set and campaign
  ('m07', 'ad_id|false|AD1|AS1|C3|Ad One|Adset One|Ad Campaign|OUTCOME_LEADS'),
  -- tier 1 wins over tier 2
  ('m08', 'ad_id|false|AD1|AS1|C3|Ad One|Adset One|Ad Campaign|OUTCOME_LEADS'),
  -- unknown ad_id falls back to tier 2
  ('m09', 'utm_campaign|true|-|-|10|-|-|Tie Camp|OBJ10'),
  -- tier 3 (fbclid makes it facebook traffic): AD2 created before the session, AD3 after
  ('m10', 'utm_content|true|AD2|AS2|C1|Video A|Adset Two|Summer Sale|OUTCOME_SALES'),
  -- tier 3, single candidate, trimmed/lowered name
  ('m11', 'utm_content|false|AD4|AS2|C1|  Video B  |Adset Two|Summer Sale|OUTCOME_SALES'),
  -- tier 2 wins over tier 3
  ('m12', 'utm_campaign|true|-|-|10|-|-|Tie Camp|OBJ10'),
  -- tier 2 misses, tier 3 matches
  ('m13', 'utm_content|false|AD4|AS2|C1|  Video B  |Adset Two|Summer Sale|OUTCOME_SALES'),
  -- tier 3 tie on created_time: smallest id COLLATE "C" ('100' < '99')
  ('m14', 'utm_content|true|100|AS2|C1|Same Ad|Adset Two|Summer Sale|OUTCOME_SALES'),
  ('m15', '-|false|-|-|-|-|-|-|-'),
  -- ad_id from h_ad_id
  ('m16', 'ad_id|false|AD1|AS1|C3|Ad One|Adset One|Ad Campaign|OUTCOME_LEADS'),
  -- trailing '+' is a space, trimmed by the parser
  ('m17', 'utm_campaign|true|-|-|C1|-|-|Summer Sale|OUTCOME_SALES'),
  -- between the 2nd and 4th creation times: the 2024-03-01 pair, smallest id C7
  ('m18', 'utm_campaign|true|-|-|C7|-|-|Step Camp|OBJ7'),
  -- created exactly at the session timestamp counts as before
  ('m19', 'utm_campaign|true|-|-|C7|-|-|Step Camp|OBJ7'),
  -- no candidate created before: the most recent dated one (NULL created_time last)
  ('m20', 'utm_content|true|N2|AS1|C3|Null Ad|Adset One|Ad Campaign|OUTCOME_LEADS'),
  ('m21', 'utm_content|true|N2|AS1|C3|Null Ad|Adset One|Ad Campaign|OUTCOME_LEADS'),
  -- before every candidate: the most recent overall
  ('m22', 'utm_campaign|true|-|-|C9|-|-|Step Camp|OBJ9'),
  -- after every candidate: the latest
  ('m23', 'utm_campaign|true|-|-|C9|-|-|Step Camp|OBJ9')
) c(sid, expected)
left join analytics.mart_marketing_attribution m on m.session_id = c.sid
order by 1;
