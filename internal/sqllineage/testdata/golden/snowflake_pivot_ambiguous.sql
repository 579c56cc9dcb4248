-- dialect: snowflake
-- Pivoted spend plus an ambiguous bare column between two physical tables.
SELECT region, jan, feb, budget
FROM (SELECT region, month, spend FROM marketing.spend)
  PIVOT (SUM(spend) FOR month IN ('JAN' AS jan, 'FEB' AS feb)) p
JOIN finance.budgets b USING (region)
