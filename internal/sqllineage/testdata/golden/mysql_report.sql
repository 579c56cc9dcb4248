-- dialect: mysql
# Weekly orders with MySQL-isms: backticks, # comments, IF, GROUP_CONCAT.
SELECT
  YEARWEEK(o.`created_at`, 1) AS yw,
  IF(c.country = 'US', 'domestic', 'intl') AS market,
  COUNT(*) AS orders,
  GROUP_CONCAT(DISTINCT p.sku ORDER BY p.sku SEPARATOR ';') AS skus,
  SUM(oi.qty * oi.price) AS gmv
FROM `shop`.`orders` o
INNER JOIN `shop`.`customers` c ON c.id = o.customer_id
INNER JOIN shop.order_items oi ON oi.order_id = o.id
STRAIGHT_JOIN shop.products p ON p.id = oi.product_id
WHERE o.created_at >= NOW() - INTERVAL 8 WEEK
GROUP BY yw, market
HAVING orders > 10
ORDER BY yw DESC
LIMIT 0, 50
