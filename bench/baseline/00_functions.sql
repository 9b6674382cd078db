-- reckon helper functions (executed as one multi-statement script).
--
-- Parsing of funnelfox_sessions.origin as docs/mart.md ("Parameters parsed from `origin`")
-- defines it:
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
--   * a value that is empty after trimming or holds a macro (two opening braces and a
--     later two closing braces, e.g. an unreplaced ad-platform macro) is NULL.
-- Choices (see docs/mart.md):
--   * the fragment is everything after the first '#'; its query is everything after the
--     first '?' in it, to the end of the string;
--   * a fragment without '?' ('#utm_source=fb') carries no query;
--   * a bare origin (no '?' and no '/') is a query as a whole, '#' included.
--
-- Performance: parsing is set-based SQL in the model (03_int_session_params): the query
-- string is cut by origin_query (an inlinable SQL function), its pairs by
-- string_to_table, and every key and value goes through param_decode / param_clean,
-- inlinable SQL expressions of built-in functions. Only the rare text that holds a
-- non-ASCII or malformed escape ('%C3%A9', '%zz', '%00') or a quote, backslash or
-- control character next to a '%' reaches the plpgsql decoder url_decode.
-- (No literal pair of opening braces may appear in this file: reckon's renderer reads
-- every one as a placeholder, in comments and strings too.)

-- The ASCII whitespace the parsing trims: space, tab, LF, CR, FF, VT.
create or replace function "reckon".ascii_trim(s text) returns text
language sql immutable strict parallel safe
as $fn$ select btrim(s, E' \t\n\r\f\x0B') $fn$;

-- Decodes a run of percent-decoded bytes as UTF-8. hx holds the original text ('%e9')
-- of each byte: the bytes of an invalid sequence are given back in that form.
create or replace function "reckon".utf8_decode_lenient(b bytea, hx text[]) returns text
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
create or replace function "reckon".url_decode(s text) returns text
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
        res := res || "reckon".utf8_decode_lenient(buf, hx) || substr(p, 3);
        buf := ''::bytea;
        hx := '{}';
      end if;
    else
      -- '%00' and a '%' without two hex digits stay as written
      if length(buf) > 0 then
        res := res || "reckon".utf8_decode_lenient(buf, hx);
        buf := ''::bytea;
        hx := '{}';
      end if;
      res := res || '%' || p;
    end if;
  end loop;
  if length(buf) > 0 then
    res := res || "reckon".utf8_decode_lenient(buf, hx);
  end if;
  return res;
end
$fn$;

-- '+' is a space, then %XX is percent-decoded: url_decode, with fast paths that give the
-- same text. Without '%' only '+' is replaced. When every '%' starts an ASCII escape
-- %01-%7F and the text holds no '"', '\' or control character, the escapes become JSON
-- \u00XX escapes and PostgreSQL's JSON parser decodes them. Everything else goes to the
-- plpgsql decoder. Inlined into the calling query (call it with a plain column).
create or replace function "reckon".param_decode(s text) returns text
language sql immutable parallel safe
as $fn$
select case
  when strpos(s, '%') = 0 then replace(s, '+', ' ')
  when s !~ '%(?![0-7][0-9A-Fa-f])|%00|["\\[:cntrl:]]'
    then ('"' || replace(replace(s, '+', ' '), '%', '\u00') || '"')::json #>> '{}'
  else "reckon".url_decode(s)
end
$fn$;

-- A decoded value as the mart keeps it: ASCII-trimmed; NULL when empty or when it holds
-- an unreplaced macro (two opening braces and, later, two closing braces). Inlined into
-- the calling query (call it with a plain column).
create or replace function "reckon".param_clean(v text) returns text
language sql immutable parallel safe
as $fn$
select case
  when btrim(v, E' \t\n\r\f\x0B') = ''
    or btrim(v, E' \t\n\r\f\x0B') like '%' || repeat('{', 2) || '%' || repeat('}', 2) || '%'
    then null
  else btrim(v, E' \t\n\r\f\x0B')
end
$fn$;

-- The query string(s) of an origin: the query part, then the fragment's query, joined
-- with '&' so that the first occurrence still wins. NULL (or '') when there is none.
-- Inlined into the calling query (call it with a plain column).
create or replace function "reckon".origin_query(origin text) returns text
language sql immutable parallel safe
as $fn$
select case
  when strpos(origin, '?') = 0 then
    case when strpos(origin, '/') = 0 and strpos(origin, '=') > 0 then origin end
  when strpos(origin, '#') = 0 then substr(origin, strpos(origin, '?') + 1)
  when strpos(origin, '?') < strpos(origin, '#') then
    -- query before the fragment, maybe another one inside the fragment
    case when strpos(substr(origin, strpos(origin, '#') + 1), '?') > 0
      then substr(origin, strpos(origin, '?') + 1, strpos(origin, '#') - strpos(origin, '?') - 1)
           || '&' || substr(substr(origin, strpos(origin, '#') + 1),
                            strpos(substr(origin, strpos(origin, '#') + 1), '?') + 1)
      else substr(origin, strpos(origin, '?') + 1, strpos(origin, '#') - strpos(origin, '?') - 1)
    end
  else
    -- the first '?' is inside the fragment
    substr(origin, strpos(origin, '?') + 1)
end
$fn$;

-- The normalized form of a raw key: decoded, ASCII-trimmed, lower case.
create or replace function "reckon".param_key(k text) returns text
language sql immutable parallel safe
as $fn$
select lower(btrim(case when strpos(k, '%') = 0 and strpos(k, '+') = 0 then k
                        else "reckon".url_decode(k) end, E' \t\n\r\f\x0B'))
$fn$;

-- One parameter of an origin (convenience and tests; the models parse set-based).
create or replace function "reckon".url_param(origin text, key text) returns text
language sql immutable parallel safe
as $fn$
select (array_agg(v order by ord))[1]
from (
  select t.ord,
         case when strpos(t.pair, '=') > 0 then "reckon".param_clean(
           "reckon".param_decode(substr(t.pair, strpos(t.pair, '=') + 1))) end as v
  from string_to_table("reckon".origin_query(origin), '&') with ordinality t(pair, ord)
  where "reckon".param_key(split_part(t.pair, '=', 1)) = lower(key)
) p
$fn$;

