-- dialect: snowflake
-- Pivoted spend plus ambiguous bare columns between two physical tables; the USING column region reads the leftmost relation (the pivot).
SELECT region, jan, feb, budget
FROM (SELECT region, month, spend FROM marketing.spend)
  PIVOT (SUM(spend) FOR month IN ('JAN' AS jan, 'FEB' AS feb)) p
JOIN finance.budgets b USING (region)
