-- dialect: postgres
-- Monthly cohort retention with generate_series and a correlated subquery.
WITH cohorts AS (
  SELECT id AS user_id, date_trunc('month', created_at)::date AS cohort
  FROM public.users
  WHERE NOT is_internal
), activity AS (
  SELECT DISTINCT user_id, date_trunc('month', occurred_at)::date AS month
  FROM public.events
  WHERE occurred_at >= now() - INTERVAL '12 months'
), months AS (
  SELECT m::date AS month FROM generate_series(date_trunc('month', now()) - INTERVAL '11 months', date_trunc('month', now()), INTERVAL '1 month') AS g(m)
)
SELECT c.cohort,
       mo.month,
       count(DISTINCT a.user_id) AS active_users,
       (SELECT count(*) FROM cohorts c2 WHERE c2.cohort = c.cohort) AS cohort_size,
       round(100.0 * count(DISTINCT a.user_id) / NULLIF((SELECT count(*) FROM cohorts c3 WHERE c3.cohort = c.cohort), 0), 1) AS pct
FROM cohorts c
CROSS JOIN months mo
LEFT JOIN activity a ON a.user_id = c.user_id AND a.month = mo.month
WHERE mo.month >= c.cohort
GROUP BY 1, 2
ORDER BY 1, 2;
