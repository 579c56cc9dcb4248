package sqllineage

import "strings"

// Dialect names a SQL dialect understood by Analyze.
type Dialect string

// The dialects Analyze understands. Generic is ANSI-ish SQL with the most
// permissive tokenizer settings.
const (
	Generic    Dialect = "generic"
	Snowflake  Dialect = "snowflake"
	BigQuery   Dialect = "bigquery"
	Postgres   Dialect = "postgres"
	Redshift   Dialect = "redshift"
	MySQL      Dialect = "mysql"
	Databricks Dialect = "databricks"
	Trino      Dialect = "trino"
	TSQL       Dialect = "tsql"
)

// ParseDialect maps a dialect name or a common alias (case-insensitive) to a
// Dialect. It reports false for names it does not know.
func ParseDialect(s string) (Dialect, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "generic", "ansi":
		return Generic, true
	case "snowflake":
		return Snowflake, true
	case "bigquery", "bq", "googlesql":
		return BigQuery, true
	case "postgres", "postgresql", "pg":
		return Postgres, true
	case "redshift":
		return Redshift, true
	case "mysql", "mariadb":
		return MySQL, true
	case "databricks", "spark", "sparksql", "spark_sql", "hive", "impala":
		return Databricks, true
	case "trino", "presto", "athena", "treasuredata":
		return Trino, true
	case "tsql", "sqlserver", "mssql", "t-sql", "azuresql", "synapse":
		return TSQL, true
	}
	return "", false
}

// nameCase says how a dialect folds unquoted identifiers in result column names.
type nameCase uint8

const (
	caseKeep nameCase = iota
	caseUpper
	caseLower
)

// unnamedStyle says how a dialect names an unaliased non-column expression.
type unnamedStyle uint8

const (
	unnamedText      unnamedStyle = iota // the expression text as written
	unnamedSnowflake                     // upper-cased text, no spaces around punctuation
	unnamedPostgres                      // function name, else ?column?
	unnamedBigQuery                      // f0_, f1_, … among unnamed columns
	unnamedTrino                         // _col0, _col1, … by position
)

// dialect holds the per-dialect switches the tokenizer, parser and resolver
// consult. One parser serves every dialect; only these hooks differ.
type dialect struct {
	name Dialect
	// dqString: "..." is a string literal, not an identifier.
	dqString bool
	// backtick: `...` quotes identifiers.
	backtick bool
	// brackets: [...] quotes identifiers (T-SQL).
	brackets bool
	// backslash: backslash escapes inside '...' strings.
	backslash bool
	// dollar: $$...$$ and $tag$...$tag$ strings.
	dollar bool
	// nestedComments: /* /* */ */ nests.
	nestedComments bool
	// hashComment: # starts a line comment.
	hashComment bool
	// bqStrings: r'..', b'..', '''..''' and """..""" literals.
	bqStrings bool
	// colonPath: col:a.b is a semi-structured path (Snowflake, Databricks).
	colonPath bool
	// hashIdent: #temp and ##temp are identifiers (T-SQL, Redshift).
	hashIdent bool
	// slashComment: // starts a line comment (Snowflake).
	slashComment bool
	// lambdaArrow: x -> expr is a lambda rather than a JSON operator.
	lambdaArrow bool
	// splitQuoted: a quoted identifier containing dots is several parts
	// (BigQuery `proj.ds.t`).
	splitQuoted bool
	// goSeparator: a line holding only GO ends a batch (T-SQL).
	goSeparator bool
	// structDot: col.field navigates a struct/object column, so a dotted
	// name whose first part is no relation is a column reference.
	structDot bool
	// foldQuoted: quoted names are case-folded too (Redshift, Trino).
	foldQuoted bool
	fold       nameCase
	unnamed    unnamedStyle
}

// dialectFor returns the switches for d; unknown dialects get Generic's.
func dialectFor(d Dialect) *dialect {
	x := &dialect{name: d, structDot: true}
	switch d {
	case Snowflake:
		x.dollar, x.nestedComments, x.colonPath, x.backslash, x.lambdaArrow = true, true, true, true, true
		x.slashComment = true
		x.fold, x.unnamed = caseUpper, unnamedSnowflake
	case BigQuery:
		x.dqString, x.backtick, x.backslash, x.hashComment, x.bqStrings, x.splitQuoted = true, true, true, true, true, true
		x.unnamed = unnamedBigQuery
	case Postgres:
		x.dollar, x.nestedComments = true, true
		x.structDot = false // composite fields need (col).field
		x.fold, x.unnamed = caseLower, unnamedPostgres
	case Redshift:
		// Redshift names session temp tables #name, like T-SQL.
		x.dollar, x.hashIdent = true, true
		x.fold, x.unnamed, x.foldQuoted = caseLower, unnamedPostgres, true
	case MySQL:
		x.dqString, x.backtick, x.backslash, x.hashComment = true, true, true, true
		x.structDot = false
	case Databricks:
		x.dqString, x.backtick, x.backslash, x.colonPath, x.lambdaArrow, x.bqStrings = true, true, true, true, true, true
	case Trino:
		x.lambdaArrow = true
		x.fold, x.unnamed, x.foldQuoted = caseLower, unnamedTrino, true
	case TSQL:
		x.brackets, x.hashIdent, x.goSeparator = true, true, true
		x.structDot = false
	default:
		// Generic serves Oracle, Vertica, ClickHouse, Teradata and others:
		// accept every quoting that cannot mean anything else.
		x.name = Generic
		x.dollar, x.backtick = true, true
	}
	return x
}
