-- dialect: snowflake
-- Weekly signup-to-paid funnel with variant parsing, FLATTEN and QUALIFY.
WITH signups AS (
  SELECT u.id AS user_id,
         DATE_TRUNC('week', u.created_at) AS signup_week,
         u.properties:utm.source::string AS utm_source
  FROM prod.app.users u
  WHERE u.created_at >= DATEADD(week, -12, CURRENT_DATE)
),
first_payment AS (
  SELECT p.user_id, p.paid_at, p.amount_usd
  FROM prod.billing.payments p
  QUALIFY ROW_NUMBER() OVER (PARTITION BY p.user_id ORDER BY p.paid_at) = 1
),
features AS (
  SELECT e.user_id, f.value::string AS feature
  FROM prod.app.events e, LATERAL FLATTEN(input => e.payload:features) f
  WHERE e.event_type = 'feature_used'
)
SELECT s.signup_week,
       s.utm_source,
       COUNT(DISTINCT s.user_id) AS signups,
       COUNT(DISTINCT fp.user_id) AS payers,
       DIV0(COUNT(DISTINCT fp.user_id), COUNT(DISTINCT s.user_id)) AS conversion,
       SUM(fp.amount_usd) AS first_revenue,
       ARRAY_AGG(DISTINCT ft.feature) WITHIN GROUP (ORDER BY ft.feature) AS features_used
FROM signups s
LEFT JOIN first_payment fp ON fp.user_id = s.user_id
LEFT JOIN features ft ON ft.user_id = s.user_id
GROUP BY 1, 2
ORDER BY 1 DESC
