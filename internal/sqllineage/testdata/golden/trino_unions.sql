-- dialect: trino
-- Channel revenue union with unnamed expressions and a VALUES mapping table.
WITH mapping (channel, label) AS (
  VALUES ('web', 'Website'), ('ios', 'iOS App')
)
SELECT m.label, sum(o.total) AS revenue, count(*)
FROM (
  SELECT 'web' AS channel, total, created_at FROM hive.shop.web_orders
  UNION ALL
  SELECT 'ios', amount, ts FROM hive.shop.app_orders WHERE platform = 'ios'
) o
JOIN mapping m ON m.channel = o.channel
WHERE o.created_at > current_date - INTERVAL '30' DAY
GROUP BY 1
