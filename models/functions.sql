-- reckon helper functions (executed as one multi-statement script).
--
-- Parsing of funnelfox_sessions.origin as MART.md ("Parsing `origin`") defines it:
--   * parameters come from the query part (after the first '?', up to '#') and then from
--     the fragment when the fragment itself carries a query ('#/quiz?utm_source=fb');
--     an origin with no '?' and no '/' but with '=' is a query as a whole;
--   * pairs split on '&'; a pair without '=' has an empty value;
--   * keys and values: '+' is a space, then %XX is decoded as UTF-8; the bytes of an
--     invalid UTF-8 sequence stay as written ('%E9'), '%00' stays '%00', a '%' not
--     followed by two hex digits is a '%'; then surrounding ASCII whitespace
--     (space, tab, LF, CR, FF, VT) is trimmed; NBSP and other spaces are kept;
--   * keys compare case-insensitively; the first occurrence of a key wins, even when its
--     value turns out NULL;
--   * a value that is empty after trimming or holds a macro ('{{' and a later '}}') is NULL.
-- Choices where MART.md is silent:
--   * the fragment is everything after the first '#'; its query is everything after the
--     first '?' in it, to the end of the string;
--   * a fragment without '?' ('#utm_source=fb') carries no query;
--   * a bare origin (no '?' and no '/') is a query as a whole, '#' included.
--
-- Performance: origin_params parses an origin ONCE and returns the values of all wanted
-- keys as a text[] (in the order of the keys argument), so a model calls it once per
-- session. Values without '%' never enter the decoder.

-- The ASCII whitespace MART.md trims: space, tab, LF, CR, FF, VT.
create or replace function {{ reckon }}.ascii_trim(s text) returns text
language sql immutable strict parallel safe
as $fn$ select btrim(s, E' \t\n\r\f\x0B') $fn$;

-- Decodes a run of percent-decoded bytes as UTF-8. hx holds the original text ('%e9')
-- of each byte: the bytes of an invalid sequence are given back in that form.
create or replace function {{ reckon }}.utf8_decode_lenient(b bytea, hx text[]) returns text
language plpgsql immutable strict parallel safe
as $fn$
declare
  n int := length(b);
  i int := 0;
  c int;
  need int;
  lo int;
  hi int;
  ok boolean;
  j int;
  out text := '';
begin
  while i < n loop
    c := get_byte(b, i);
    if c < 128 then
      need := 0;
    elsif c between 194 and 223 then
      need := 1; lo := 128; hi := 191;
    elsif c = 224 then
      need := 2; lo := 160; hi := 191;
    elsif c = 237 then
      need := 2; lo := 128; hi := 159;
    elsif c between 225 and 239 then
      need := 2; lo := 128; hi := 191;
    elsif c = 240 then
      need := 3; lo := 144; hi := 191;
    elsif c between 241 and 243 then
      need := 3; lo := 128; hi := 191;
    elsif c = 244 then
      need := 3; lo := 128; hi := 143;
    else
      need := -1;
    end if;
    ok := need >= 0 and i + need < n;
    if ok and need > 0 then
      c := get_byte(b, i + 1);
      ok := c between lo and hi;
      j := 2;
      while ok and j <= need loop
        c := get_byte(b, i + j);
        ok := c between 128 and 191;
        j := j + 1;
      end loop;
    end if;
    if ok then
      out := out || convert_from(substring(b from i + 1 for need + 1), 'UTF8');
      i := i + need + 1;
    else
      out := out || hx[i + 1];
      i := i + 1;
    end if;
  end loop;
  return out;
end
$fn$;

-- '+' is a space, then %XX is percent-decoded (see the rules at the top). No trimming.
create or replace function {{ reckon }}.url_decode(s text) returns text
language plpgsql immutable strict parallel safe
as $fn$
declare
  parts text[];
  p text;
  h text;
  res text;
  buf bytea := ''::bytea;
  hx text[] := '{}';
  i int;
begin
  s := replace(s, '+', ' ');
  if strpos(s, '%') = 0 then
    return s;
  end if;
  parts := string_to_array(s, '%');
  res := parts[1];
  for i in 2 .. array_length(parts, 1) loop
    p := parts[i];
    h := left(p, 2);
    if h ~ '^[0-9A-Fa-f]{2}$' and h <> '00' then
      buf := buf || decode(h, 'hex');
      hx := hx || ('%' || h);
      if length(p) > 2 then
        res := res || {{ reckon }}.utf8_decode_lenient(buf, hx) || substr(p, 3);
        buf := ''::bytea;
        hx := '{}';
      end if;
    else
      -- '%00' and a '%' without two hex digits stay as written
      if length(buf) > 0 then
        res := res || {{ reckon }}.utf8_decode_lenient(buf, hx);
        buf := ''::bytea;
        hx := '{}';
      end if;
      res := res || '%' || p;
    end if;
  end loop;
  if length(buf) > 0 then
    res := res || {{ reckon }}.utf8_decode_lenient(buf, hx);
  end if;
  return res;
end
$fn$;

-- A decoded value as the mart keeps it: ASCII-trimmed; NULL when empty or a macro.
create or replace function {{ reckon }}.clean_param_value(v text) returns text
language plpgsql immutable strict parallel safe
as $fn$
declare
  m int;
begin
  v := btrim(v, E' \t\n\r\f\x0B');
  if v = '' then
    return null;
  end if;
  m := strpos(v, '{{');
  if m > 0 and strpos(substr(v, m + 2), '}}') > 0 then
    return null;
  end if;
  return v;
end
$fn$;

-- The query string(s) of an origin: the query part, then the fragment's query, joined
-- with '&' so that the first occurrence still wins. NULL when there is none.
create or replace function {{ reckon }}.origin_query(origin text) returns text
language plpgsql immutable strict parallel safe
as $fn$
declare
  h int;
  qpos int;
  base text;
  frag text;
  q text;
begin
  if strpos(origin, '?') = 0 then
    if strpos(origin, '/') = 0 and strpos(origin, '=') > 0 then
      return origin;
    end if;
    return null;
  end if;
  h := strpos(origin, '#');
  if h = 0 then
    return substr(origin, strpos(origin, '?') + 1);
  end if;
  base := left(origin, h - 1);
  frag := substr(origin, h + 1);
  qpos := strpos(base, '?');
  if qpos > 0 then
    q := substr(base, qpos + 1);
  end if;
  qpos := strpos(frag, '?');
  if qpos > 0 then
    q := coalesce(q || '&', '') || substr(frag, qpos + 1);
  end if;
  return q;
end
$fn$;

-- Parses an origin once; returns the values of the wanted keys (lower case) as a text[]
-- in the order of keys (NULL entries for absent keys; NULL array for no query).
create or replace function {{ reckon }}.origin_params(
  origin text,
  keys text[] default array['utm_source', 'utm_medium', 'utm_campaign', 'utm_content',
                            'utm_term', 'fbclid', 'ad_id', 'h_ad_id', 'gclid', 'ttclid']
) returns text[]
language plpgsql immutable strict parallel safe
as $fn$
declare
  q text;
  pair text;
  k text;
  v text;
  eq int;
  idx int;
  nkeys int := cardinality(keys);
  res text[] := array_fill(null::text, array[cardinality(keys)]);
  seen boolean[] := array_fill(false, array[cardinality(keys)]);
  nseen int := 0;
begin
  if strpos(origin, '=') = 0 then
    -- without '=' every value is empty, so NULL
    return res;
  end if;
  q := {{ reckon }}.origin_query(origin);
  if q is null or q = '' then
    return res;
  end if;
  foreach pair in array string_to_array(q, '&') loop
    eq := strpos(pair, '=');
    if eq > 0 then
      k := left(pair, eq - 1);
    else
      k := pair;
    end if;
    idx := array_position(keys, k);
    if idx is null then
      if strpos(k, '%') > 0 or strpos(k, '+') > 0 then
        k := {{ reckon }}.url_decode(k);
      end if;
      idx := array_position(keys, lower(btrim(k, E' \t\n\r\f\x0B')));
    end if;
    if idx is not null and not seen[idx] then
      seen[idx] := true;
      nseen := nseen + 1;
      if eq > 0 then
        v := substr(pair, eq + 1);
        if strpos(v, '%') > 0 then
          v := {{ reckon }}.url_decode(v);
        else
          v := replace(v, '+', ' ');
        end if;
        res[idx] := {{ reckon }}.clean_param_value(v);
      end if;
      exit when nseen = nkeys;
    end if;
  end loop;
  return res;
end
$fn$;

-- One parameter of an origin (convenience and tests; models use origin_params).
create or replace function {{ reckon }}.url_param(origin text, key text) returns text
language sql immutable strict parallel safe
as $fn$ select ({{ reckon }}.origin_params(origin, array[lower(key)]))[1] $fn$;

-- The attribution parameters of an origin as one row (call it in FROM, e.g.
-- `cross join lateral {{ reckon }}.origin_attribution(s.origin) p`, so that the origin is
-- parsed once per session). ad_id falls back to h_ad_id when ad_id is NULL.
create or replace function {{ reckon }}.origin_attribution(
  origin text,
  out utm_source text, out utm_medium text, out utm_campaign text, out utm_content text,
  out utm_term text, out fbclid text, out ad_id text, out gclid text, out ttclid text)
language plpgsql immutable parallel safe
as $fn$
declare
  p text[];
begin
  if origin is null then
    return;
  end if;
  p := {{ reckon }}.origin_params(origin);
  utm_source := p[1];
  utm_medium := p[2];
  utm_campaign := p[3];
  utm_content := p[4];
  utm_term := p[5];
  fbclid := p[6];
  ad_id := coalesce(p[7], p[8]);
  gclid := p[9];
  ttclid := p[10];
end
$fn$;
