-- dialect: databricks
-- Spark SQL: LATERAL VIEW explode, colon paths, higher-order functions.
SELECT
  s.session_id,
  s.device:os AS os,
  page,
  size(filter(s.events, e -> e.type = 'click')) AS clicks,
  date_format(s.started_at, 'yyyy-MM-dd') AS day
FROM main.web.sessions s
LATERAL VIEW explode(s.pages) p AS page
LEFT ANTI JOIN main.web.bots b ON b.ip = s.ip
WHERE s.started_at >= current_date() - INTERVAL 7 DAYS
