package fakemode

// The SQL below is what report authors write in Mode: the dialect of the
// connection, Liquid parameters declared in a trailing {% form %} block,
// {% if %} switches, definitions referenced as {{ @name AS alias }} (with the
// odd spacing and lower-case "as" seen in live workspaces) and, now and then,
// several statements in one query. Generated workspaces share these strings
// between queries, which keeps a 50,000-report workspace small in memory.

// connKit describes one connection flavour: its data source fields, the
// definitions that live on it and the report SQL written against it.
type connKit struct {
	name, adapter, vendor  string
	database, host         string
	warehouse, username    string
	port                   int64
	defs                   []defTemplate
	queries                []sqlTemplate
	upperCaseOutputColumns bool // Snowflake returns unquoted names upper-cased
}

// defTemplate is a definition of a connKit.
type defTemplate struct {
	name, description, source string
}

// sqlTemplate is one report query. cols are the result column names as the
// database returns them (charts refer to them); dims are discrete columns and
// measures continuous ones.
type sqlTemplate struct {
	title    string
	sql      string
	dims     []string
	measures []string
}

// cols returns dims then measures.
func (t sqlTemplate) cols() []string {
	out := make([]string, 0, len(t.dims)+len(t.measures))
	out = append(out, t.dims...)
	return append(out, t.measures...)
}

// connKits returns every connection flavour, in a fixed order. It builds
// fresh values on each call so no package state is shared.
func connKits() []connKit {
	return []connKit{
		{
			name: "Snowflake Analytics", adapter: "jdbc:snowflake", vendor: "snowflake",
			database: "ANALYTICS", host: "acme.us-east-1.snowflakecomputing.com",
			warehouse: "REPORTING_WH", username: "MODE_SVC", port: 443,
			upperCaseOutputColumns: true,
			defs: []defTemplate{
				{"sf_orders", "Orders without test accounts",
					"SELECT * FROM ANALYTICS.CORE.ORDERS WHERE NOT IS_TEST"},
				// Literal backslash-n text, as Mode has been seen serving it.
				{"sf_active_customers", "Customers with at least one real order",
					`SELECT c.*\nFROM ANALYTICS.CORE.CUSTOMERS c\nWHERE c.ID IN (SELECT CUSTOMER_ID FROM {{ @sf_orders }})`},
			},
			queries: []sqlTemplate{
				{title: "Daily revenue", sql: `SELECT DATE_TRUNC('day', o.CREATED_AT) AS order_date,
       o.REGION,
       SUM(o.AMOUNT) AS revenue,
       COUNT(DISTINCT o.CUSTOMER_ID) AS customers
FROM {{ @sf_orders AS o }}
WHERE o.CREATED_AT >= '{{ start_date }}'
{% if region != 'All' %}  AND o.REGION = '{{ region }}'
{% endif %}GROUP BY 1, 2
ORDER BY 1

{% form %}
start_date:
  type: date
  default: 2024-01-01
region:
  type: select
  default: All
  options: [All, EMEA, AMER, APAC]
{% endform %}`, dims: []string{"ORDER_DATE", "REGION"}, measures: []string{"REVENUE", "CUSTOMERS"}},
				{title: "Customer segments", sql: `WITH first_orders AS (
  SELECT CUSTOMER_ID, MIN(CREATED_AT) AS first_order_at
  FROM ANALYTICS.CORE.ORDERS
  GROUP BY 1
)
SELECT c.SEGMENT,
       COUNT(*) AS customer_count,
       AVG(DATEDIFF('day', f.first_order_at, CURRENT_DATE)) AS avg_tenure_days
FROM {{  @sf_active_customers    as      c  }}
JOIN first_orders f ON f.CUSTOMER_ID = c.ID
GROUP BY 1
QUALIFY ROW_NUMBER() OVER (ORDER BY customer_count DESC) <= {{ top_n }}

{% form %}
top_n:
  type: text
  default: 10
{% endform %}`, dims: []string{"SEGMENT"}, measures: []string{"CUSTOMER_COUNT", "AVG_TENURE_DAYS"}},
				{title: "Marketing attribution", sql: `USE WAREHOUSE REPORTING_WH;
SELECT t.CHANNEL,
       t.CAMPAIGN,
       SUM(s.SPEND_USD) AS spend,
       SUM(t.CONVERSIONS) AS conversions
FROM MARKETING.TOUCHES t
LEFT JOIN MARKETING.AD_SPEND s ON s.CAMPAIGN_ID = t.CAMPAIGN_ID
WHERE t.TOUCHED_AT >= DATEADD(day, -{{ days }}, CURRENT_DATE)
GROUP BY 1, 2
{% form %}
days:
  type: text
  default: 90
{% endform %}`, dims: []string{"CHANNEL", "CAMPAIGN"}, measures: []string{"SPEND", "CONVERSIONS"}},
				{title: "Product events", sql: `SELECT e.EVENT_NAME,
       f.value::string AS feature,
       COUNT(*) AS events
FROM ANALYTICS.PRODUCT.EVENTS e,
     LATERAL FLATTEN(input => e.FEATURES) f
WHERE e.EVENT_DATE BETWEEN '{{ start_date }}' AND '{{ end_date }}'
GROUP BY 1, 2
{% form %}
start_date:
  type: date
  default: {{ 'now' | date: "%Y-%m-01" }}
end_date:
  type: date
  default: {{ 'now' | date: "%Y-%m-%d" }}
{% endform %}`, dims: []string{"EVENT_NAME", "FEATURE"}, measures: []string{"EVENTS"}},
			},
		},
		{
			name: "BigQuery Warehouse", adapter: "jdbc:bigquery", vendor: "bigquery",
			// BigQuery connections say "default"; the project is the host.
			database: "default", host: "acme-analytics-prod", username: "mode@acme-analytics-prod.iam.gserviceaccount.com", port: 443,
			defs: []defTemplate{
				{"bq_sessions", "Human web sessions", "SELECT * FROM `acme-analytics-prod.web.sessions` WHERE is_bot = FALSE"},
			},
			queries: []sqlTemplate{
				{title: "Sessions by channel", sql: `SELECT DATE_TRUNC(DATE(s.started_at), {{ grain }}) AS period,
       s.channel,
       COUNT(*) AS sessions,
       COUNTIF(s.converted) AS conversions
FROM {{ @bq_sessions AS s }}
WHERE DATE(s.started_at) >= DATE_SUB(CURRENT_DATE(), INTERVAL {{ lookback_days }} DAY)
GROUP BY period, channel
ORDER BY period

{% form %}
grain:
  type: select
  default: WEEK
  options: [DAY, WEEK, MONTH]
lookback_days:
  type: text
  default: 180
{% endform %}`, dims: []string{"period", "channel"}, measures: []string{"sessions", "conversions"}},
				{title: "Top pages", sql: `SELECT p.page_path,
       COUNT(DISTINCT p.user_id) AS visitors
FROM web.pageviews AS p,
     UNNEST(p.tags) AS tag
WHERE tag = '{{ tag }}'
GROUP BY 1
ORDER BY visitors DESC
LIMIT 100
{% form %}
tag:
  type: text
  default: pricing
{% endform %}`, dims: []string{"page_path"}, measures: []string{"visitors"}},
				{title: "Signup funnel", sql: "SELECT f.step,\n       COUNT(DISTINCT f.user_id) AS users\nFROM `acme-analytics-prod.growth.funnel_events` f\nJOIN `acme-analytics-prod.growth.users` u ON u.id = f.user_id\nWHERE u.country = '{{ country }}'\nGROUP BY 1\n{% form %}\ncountry:\n  type: text\n  default: US\n{% endform %}",
					dims: []string{"step"}, measures: []string{"users"}},
			},
		},
		{
			name: "Postgres App DB", adapter: "jdbc:postgresql", vendor: "postgresql",
			database: "app", host: "app-replica.internal", username: "mode_ro", port: 5432,
			defs: []defTemplate{
				{"pg_paid_invoices", "Paid invoices", "SELECT * FROM billing.invoices WHERE status = 'paid'"},
			},
			queries: []sqlTemplate{
				{title: "MRR by plan", sql: `SELECT date_trunc('month', i.paid_at)::date AS month,
       p.name AS plan,
       sum(i.amount_cents) / 100.0 AS mrr
FROM {{ @pg_paid_invoices AS i }}
JOIN billing.plans p ON p.id = i.plan_id
WHERE i.paid_at >= '{{ since }}'::date
GROUP BY 1, 2
ORDER BY 1
{% form %}
since:
  type: date
  default: 2023-01-01
{% endform %}`, dims: []string{"month", "plan"}, measures: []string{"mrr"}},
				{title: "Accounts created", sql: `SELECT d::date AS day,
       count(a.id) AS accounts
FROM generate_series(now() - interval '30 days', now(), interval '1 day') AS d
LEFT JOIN accounts a ON a.created_at::date = d::date
GROUP BY 1
ORDER BY 1`, dims: []string{"day"}, measures: []string{"accounts"}},
				{title: "Support tickets", sql: `SELECT t.priority,
       count(*) AS tickets,
       avg(extract(epoch FROM t.closed_at - t.opened_at) / 3600) AS avg_hours_open
FROM support.tickets t
WHERE t.opened_at > now() - interval '{{ window }}'
{% if team %}  AND t.team = '{{ team }}'
{% endif %}GROUP BY 1
{% form %}
window:
  type: text
  default: 28 days
team:
  type: text
  default: ""
{% endform %}`, dims: []string{"priority"}, measures: []string{"tickets", "avg_hours_open"}},
			},
		},
		{
			name: "Redshift Legacy", adapter: "jdbc:redshift", vendor: "redshift",
			database: "warehouse", host: "legacy.abc123.us-east-1.redshift.amazonaws.com", username: "mode", port: 5439,
			defs: []defTemplate{
				// A trailing comment: expanding this definition needs the newline
				// before the closing parenthesis.
				{"rs_page_views", "Page views of known users", "SELECT * FROM events.page_views WHERE user_id IS NOT NULL -- anonymous traffic excluded"},
			},
			queries: []sqlTemplate{
				{title: "Weekly active users", sql: `CREATE TEMP TABLE weekly AS
SELECT DATE_TRUNC('week', pv.viewed_at) AS week, pv.user_id
FROM {{ @rs_page_views AS pv }};

SELECT w.week,
       COUNT(DISTINCT w.user_id) AS wau
FROM weekly w
GROUP BY 1
ORDER BY 1;`, dims: []string{"week"}, measures: []string{"wau"}},
				{title: "Revenue by country", sql: `SELECT c.country,
       LISTAGG(DISTINCT c.city, ', ') AS cities,
       SUM(o.total) AS revenue
FROM sales.orders o
JOIN sales.customers c ON c.id = o.customer_id
WHERE o.ordered_at >= DATEADD(month, -{{ months }}, GETDATE())
GROUP BY 1
{% form %}
months:
  type: text
  default: 12
{% endform %}`, dims: []string{"country", "cities"}, measures: []string{"revenue"}},
			},
		},
		{
			name: "MySQL Shop", adapter: "jdbc:mysql", vendor: "mysql",
			database: "shop", host: "shop-db.internal", username: "mode", port: 3306,
			defs: []defTemplate{
				{"my_orders", "Live orders", "SELECT * FROM shop.orders WHERE deleted_at IS NULL"},
			},
			queries: []sqlTemplate{
				{title: "Orders by status", sql: "SELECT DATE_FORMAT(o.created_at, '%Y-%m') AS month,\n       o.status,\n       COUNT(*) AS orders\nFROM {{ @my_orders AS o }}\nWHERE o.store_id = {{ store_id }}\nGROUP BY 1, 2\n{% form %}\nstore_id:\n  type: text\n  default: 1\n{% endform %}",
					dims: []string{"month", "status"}, measures: []string{"orders"}},
				{title: "Inventory levels", sql: "SELECT p.sku,\n       p.title,\n       SUM(i.quantity) AS on_hand\nFROM `inventory` i\nJOIN `products` p ON p.id = i.product_id\nGROUP BY p.sku, p.title\nHAVING on_hand < {{ threshold }}\n{% form %}\nthreshold:\n  type: text\n  default: 25\n{% endform %}",
					dims: []string{"sku", "title"}, measures: []string{"on_hand"}},
			},
		},
		{
			name: "Databricks Lakehouse", adapter: "jdbc:databricks", vendor: "databricks",
			database: "main", host: "dbc-1234abcd-5678.cloud.databricks.com", username: "token", port: 443,
			defs: []defTemplate{
				{"dbx_orders", "Orders from the lakehouse", "SELECT * FROM main.sales.orders WHERE _is_deleted = false"},
			},
			queries: []sqlTemplate{
				{title: "Items sold", sql: `SELECT o.order_date,
       item.sku,
       SUM(item.qty) AS units
FROM {{ @dbx_orders AS o }}
LATERAL VIEW explode(o.items) t AS item
WHERE o.order_date >= date_sub(current_date(), {{ days }})
GROUP BY o.order_date, item.sku
{% form %}
days:
  type: text
  default: 30
{% endform %}`, dims: []string{"order_date", "sku"}, measures: []string{"units"}},
				{title: "Model scores", sql: `SELECT s.model_version,
       avg(s.score) AS avg_score,
       percentile_approx(s.score, 0.9) AS p90_score
FROM ml.scoring.predictions s
GROUP BY s.model_version`, dims: []string{"model_version"}, measures: []string{"avg_score", "p90_score"}},
			},
		},
		{
			name: "Trino Lake", adapter: "jdbc:trino", vendor: "trino",
			database: "hive", host: "trino.internal", username: "mode", port: 8443,
			defs: []defTemplate{
				{"tr_events", "Clickstream events", "SELECT * FROM hive.web.events WHERE event_type <> 'heartbeat'"},
			},
			queries: []sqlTemplate{
				{title: "Events by device", sql: `SELECT date_trunc('day', e.event_time) AS day,
       e.device,
       count(*) AS events
FROM {{ @tr_events AS e }}
CROSS JOIN UNNEST(e.experiments) AS x(experiment)
WHERE x.experiment = '{{ experiment }}'
GROUP BY 1, 2
{% form %}
experiment:
  type: text
  default: new_checkout
{% endform %}`, dims: []string{"day", "device"}, measures: []string{"events"}},
				{title: "Table sizes", sql: `SELECT t.table_schema, t.table_name, sum(f.file_size_in_bytes) AS bytes
FROM iceberg.analytics."orders$files" f
JOIN iceberg.information_schema.tables t ON t.table_name = 'orders'
GROUP BY 1, 2`, dims: []string{"table_schema", "table_name"}, measures: []string{"bytes"}},
			},
		},
		{
			name: "SQL Server ERP", adapter: "jdbc:sqlserver", vendor: "sqlserver",
			database: "ERP", host: "erp-sql.internal", username: "mode_reader", port: 1433,
			defs: []defTemplate{
				{"ms_open_invoices", "Open invoices", "SELECT * FROM [dbo].[Invoices] WHERE [Status] = 'Open'"},
			},
			queries: []sqlTemplate{
				{title: "Receivables ageing", sql: `SELECT TOP {{ top_n }} c.[CustomerName],
       SUM(i.[AmountDue]) AS AmountDue,
       MAX(DATEDIFF(day, i.[DueDate], GETDATE())) AS DaysOverdue
FROM {{ @ms_open_invoices AS i }}
JOIN [dbo].[Customers] c ON c.[CustomerID] = i.[CustomerID]
GROUP BY c.[CustomerName]
ORDER BY AmountDue DESC
{% form %}
top_n:
  type: text
  default: 50
{% endform %}`, dims: []string{"CustomerName"}, measures: []string{"AmountDue", "DaysOverdue"}},
				{title: "Purchase orders", sql: `SELECT po.Vendor,
       COUNT(*) AS Orders,
       SUM(po.Total) AS Spend
FROM ERP.purchasing.PurchaseOrders po
WHERE po.OrderDate >= DATEADD(month, -6, GETDATE())
GROUP BY po.Vendor`, dims: []string{"Vendor"}, measures: []string{"Orders", "Spend"}},
			},
		},
	}
}
