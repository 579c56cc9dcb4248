-- dialect: tsql
-- Multi-statement report: variables, temp tables, CROSS APPLY and GO batches.
SET NOCOUNT ON;
DECLARE @since date = DATEADD(day, -30, CAST(GETDATE() AS date));

SELECT h.SalesOrderID, h.CustomerID, h.OrderDate, h.TotalDue
INTO #recent
FROM Sales.SalesOrderHeader h WITH (NOLOCK)
WHERE h.OrderDate >= @since
GO

SELECT TOP 20
  c.CustomerID,
  p.FirstName + ' ' + p.LastName AS [Customer Name],
  SUM(r.TotalDue) AS Revenue,
  last_order.OrderDate AS LastOrder
FROM #recent r
JOIN Sales.Customer c ON c.CustomerID = r.CustomerID
JOIN Person.Person p ON p.BusinessEntityID = c.PersonID
CROSS APPLY (
  SELECT TOP 1 r2.OrderDate FROM #recent r2 WHERE r2.CustomerID = c.CustomerID ORDER BY r2.OrderDate DESC
) last_order
GROUP BY c.CustomerID, p.FirstName, p.LastName, last_order.OrderDate
ORDER BY Revenue DESC;
DROP TABLE #recent;
