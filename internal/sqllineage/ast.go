package sqllineage

// The AST keeps only what lineage needs: relations, column references,
// subqueries, function shapes and the source span of select items (for the
// dialect's naming of unaliased expressions). Everything else is folded into
// opaque nodes that merely carry their children.

// ident is one identifier part as written.
type ident struct {
	name   string
	quoted bool
}

// ---- statements ----

type stmt interface{ stmtNode() }

// queryStmt is a statement that returns rows (SELECT, WITH … SELECT, set
// operation, VALUES).
type queryStmt struct {
	q query
	// noRows marks a query whose result goes to variables or a file
	// (MySQL SELECT … INTO @v / OUTFILE, T-SQL SELECT @v = …): it reads
	// tables but returns no rows.
	noRows bool
}

// createStmt is CREATE TABLE/VIEW [AS query], or SELECT … INTO (into=true).
type createStmt struct {
	name []ident
	cols []ident // explicit column list, if any
	q    query   // nil for CREATE TABLE (col defs)
	view bool
	// unknown is set when the new table's columns cannot be known
	// (CREATE TABLE x LIKE y).
	unknown bool
}

// insertStmt is INSERT INTO target [(cols)] query.
type insertStmt struct {
	target []ident
	cols   []ident
	q      query
	extra  []expr // subqueries in ON CONFLICT and similar clauses
}

// dmlStmt is UPDATE/DELETE/MERGE: only what it reads matters.
type dmlStmt struct {
	verb   string
	ctes   []*cte
	target []ident
	alias  *ident
	sets   []assignment // UPDATE … SET col = expr
	from   []tableExpr
	exprs  []expr
}

// assignment is one SET col = expr of an UPDATE.
type assignment struct {
	col ident
	e   expr
}

// skipStmt is a recognised statement with no lineage (SET, USE, DROP, …).
// exprs holds subqueries found inside it (e.g. SET @x = (SELECT …)).
type skipStmt struct {
	verb    string
	harmful bool // true when the statement kind is unknown
	subs    []query
	// names are CTE names the skipped text defines: a subquery reading
	// one of them reads no physical table.
	names []string
	// created is the table a skipped CREATE statement makes, if its name
	// could be read; later statements must not report it as physical.
	created []ident
}

func (*queryStmt) stmtNode()  {}
func (*createStmt) stmtNode() {}
func (*insertStmt) stmtNode() {}
func (*dmlStmt) stmtNode()    {}
func (*skipStmt) stmtNode()   {}

// ---- queries ----

type query interface{ queryNode() }

// withQuery attaches a WITH clause to a body.
type withQuery struct {
	recursive bool
	ctes      []*cte
	body      query
}

type cte struct {
	name ident
	cols []ident
	q    query
}

// selectQuery is one SELECT block.
type selectQuery struct {
	items []*selectItem
	from  []tableExpr // comma-separated items; joins nest inside
	into  []ident     // SELECT … INTO target
	// intoVars is set by SELECT … INTO @var / :var / OUTFILE / DUMPFILE and
	// by T-SQL SELECT @var = expr: the rows go nowhere a report shows.
	intoVars bool
	where    expr
	other    []expr            // GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT, DISTINCT ON …
	windows  map[string][]expr // WINDOW name AS (…), by lower-cased name
	lateral  []*lateralView
	// hierarchy is set by START WITH / CONNECT BY.
	hierarchy bool
}

// setQuery is a set operation; output names come from left.
type setQuery struct {
	op          string
	left, right query
	other       []expr // trailing ORDER BY / LIMIT
}

// valuesQuery is VALUES (…), (…).
type valuesQuery struct{ rows [][]expr }

// parenQuery is a parenthesised query with optional trailing ORDER BY/LIMIT.
type parenQuery struct {
	q     query
	other []expr
}

func (*withQuery) queryNode()   {}
func (*selectQuery) queryNode() {}
func (*setQuery) queryNode()    {}
func (*valuesQuery) queryNode() {}
func (*parenQuery) queryNode()  {}

// selectItem is one entry of a select list.
type selectItem struct {
	e     expr
	alias *ident
	star  *starExpr // set for * and t.*
	text  string    // source text of e, for naming unaliased expressions
	pos   int32
	// assign marks T-SQL "@var = expr", which sets a variable.
	assign bool
	// aliases lists the names of a Spark generator's several output
	// columns (posexplode(a) AS (pos, v)); alias is the first.
	aliases []ident
}

// starExpr is * or qual.* with BigQuery/Snowflake/Databricks modifiers.
type starExpr struct {
	qual    []ident
	except  []ident
	replace []*selectItem
	rename  [][2]ident
	ilike   *string // Snowflake * ILIKE 'pattern'
}

// ---- relations in FROM ----

type tableExpr interface{ tableNode() }

// tableRef is a named relation: a physical table, a CTE or a created table.
type tableRef struct {
	parts []ident
	alias *ident
	cols  []ident
	extra []expr // time travel, sample clauses etc. that may hold subqueries
}

// derivedTable is (query) [AS] alias [(cols)], possibly LATERAL.
type derivedTable struct {
	q     query
	alias *ident
	cols  []ident
}

// tableFunc is a function in FROM: UNNEST, FLATTEN, generate_series, …
type tableFunc struct {
	name     string // lower-cased last part of the function name
	args     []expr
	alias    *ident
	cols     []ident
	ordinal  *ident // BigQuery WITH OFFSET alias or WITH ORDINALITY marker
	withOrd  bool
	wrappedT bool // TABLE(…) wrapper
	stage    bool // Snowflake @stage: files, not a table
}

// joinExpr joins two relations; on/using conditions only feed table lineage.
type joinExpr struct {
	left, right tableExpr
	on          expr
	using       []ident
	natural     bool
}

// valuesTable is (VALUES …) [AS] alias (cols).
type valuesTable struct {
	v     *valuesQuery
	alias *ident
	cols  []ident
}

// pivotTable wraps a relation in PIVOT or UNPIVOT.
type pivotTable struct {
	src     tableExpr
	unpivot bool
	aggs    []*selectItem // PIVOT aggregates
	forCol  []expr        // PIVOT FOR column(s)
	in      []*selectItem // IN values (PIVOT) or columns (UNPIVOT)
	valCols []ident       // UNPIVOT value column(s)
	nameCol []ident       // UNPIVOT name column(s)
	alias   *ident
	cols    []ident
	anyIn   bool // IN (ANY …) / subquery: output columns unknown
}

// lateralView is Spark's LATERAL VIEW [OUTER] fn(args) alias AS cols.
type lateralView struct {
	fn    *tableFunc
	alias *ident
	cols  []ident
}

// opaqueTable is a relation behind a construct outside the supported
// subset (MATCH_RECOGNIZE): the tables inside are read, its columns are
// unknown.
type opaqueTable struct {
	src   tableExpr
	what  string
	subs  []expr
	alias *ident
}

func (*opaqueTable) tableNode()  {}
func (*tableRef) tableNode()     {}
func (*derivedTable) tableNode() {}
func (*tableFunc) tableNode()    {}
func (*joinExpr) tableNode()     {}
func (*valuesTable) tableNode()  {}
func (*pivotTable) tableNode()   {}

// ---- expressions ----

type expr interface{}

// colRef is a possibly qualified column reference (qualifier parts, then
// the column, then any struct fields).
type colRef struct {
	parts []ident
	buf   [2]ident
}

// funcCall is a function call; kids are every argument and clause (FILTER,
// OVER, WITHIN GROUP) whose columns the call reads.
type funcCall struct {
	name string // lower-cased last part
	kids []expr
}

// subqueryExpr is a subquery used as a value (scalar, IN, ARRAY(…)).
type subqueryExpr struct {
	q      query
	exists bool
}

// lambdaExpr binds params inside body.
type lambdaExpr struct {
	params []string
	body   expr
}

// castExpr keeps the inner expression and the type's Postgres name
// (int4, date, …) for Postgres naming.
type castExpr struct {
	e   expr
	typ string
}

// caseExpr is CASE … END (Postgres names it "case").
type caseExpr struct{ kids []expr }

// opExpr is any other composite expression.
type opExpr struct{ kids []expr }

// windowRef is a reference to a named window (OVER w, OVER (w …)).
type windowRef struct{ name string }

// litExpr is a literal, parameter or niladic keyword; name is the
// lower-cased keyword for niladic SQL value functions (current_date), which
// Postgres uses as the column name.
type litExpr struct{ name string }
