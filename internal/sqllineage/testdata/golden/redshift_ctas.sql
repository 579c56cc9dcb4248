-- dialect: redshift
-- Redshift temp table with distribution keys, then LISTAGG over it.
CREATE TEMP TABLE tmp_orders DISTKEY(customer_id) SORTKEY(order_date) AS
SELECT o.order_id, o.customer_id, o.order_date, o.amount
FROM sales.orders o
WHERE o.order_date >= DATEADD(month, -3, GETDATE());

SELECT c.segment,
       COUNT(DISTINCT t.customer_id) AS customers,
       LISTAGG(DISTINCT t.order_id::varchar, ',') WITHIN GROUP (ORDER BY t.order_id) AS order_ids,
       APPROXIMATE COUNT(DISTINCT t.order_id) AS approx_orders,
       MEDIAN(amount) AS median_amount
FROM tmp_orders t
JOIN sales.customers c ON c.customer_id = t.customer_id
GROUP BY c.segment;
