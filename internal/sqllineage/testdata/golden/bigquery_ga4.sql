-- dialect: bigquery
-- GA4 sessions per landing page from wildcard tables and UNNEST of event params.
WITH events AS (
  SELECT
    user_pseudo_id,
    (SELECT value.int_value FROM UNNEST(event_params) WHERE key = 'ga_session_id') AS session_id,
    (SELECT value.string_value FROM UNNEST(event_params) WHERE key = 'page_location') AS page,
    TIMESTAMP_MICROS(event_timestamp) AS ts,
    event_name
  FROM `acme-prod.analytics_123.events_*`
  WHERE _TABLE_SUFFIX BETWEEN FORMAT_DATE('%Y%m%d', DATE_SUB(CURRENT_DATE(), INTERVAL 28 DAY))
                          AND FORMAT_DATE('%Y%m%d', CURRENT_DATE())
),
landing AS (
  SELECT * EXCEPT (rn)
  FROM (
    SELECT e.*, ROW_NUMBER() OVER (PARTITION BY user_pseudo_id, session_id ORDER BY ts) AS rn
    FROM events e
    WHERE event_name = 'page_view'
  )
  WHERE rn = 1
)
SELECT
  REGEXP_EXTRACT(page, r'^https?://[^/]+(/[^?#]*)') AS landing_path,
  COUNT(*) AS sessions,
  COUNT(DISTINCT user_pseudo_id) AS users,
  DATE_TRUNC(DATE(MIN(ts)), WEEK(MONDAY)) AS first_week
FROM landing
GROUP BY landing_path
ORDER BY sessions DESC
LIMIT 100
