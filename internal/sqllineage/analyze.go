package sqllineage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Schema optionally supplies the columns of physical tables so that `*` can
// be expanded and ambiguous bare columns resolved.
type Schema interface {
	// Columns returns the columns of table, given as its name as written
	// (parts joined by "."), and whether the table is known.
	Columns(table string) ([]string, bool)
}

// Options configures Analyze.
type Options struct {
	// Dialect selects tokenizer and naming rules; empty means Generic.
	Dialect Dialect
	// Schema is optional.
	Schema Schema
	// Deadline stops analysis cooperatively; zero means none.
	Deadline time.Time
}

// Table is a physical table the SQL reads.
type Table struct {
	// Name is the table as written without quotes, parts joined by ".".
	Name string
	// Parts are the unquoted name parts.
	Parts []string
}

// Source is one physical table column; Table equals a Table.Name.
type Source struct {
	Table, Column string
}

// Column is one output column of the last row-returning statement.
type Column struct {
	// Name is the name the database would return.
	Name string
	// Sources are the physical columns the expression reads.
	Sources []Source
	// Ambiguous is set when a bare column could come from several tables;
	// Candidates then lists them.
	Ambiguous  bool
	Candidates []Source
}

// Result is the outcome of Analyze.
type Result struct {
	// Tables are the physical tables read, sorted case-insensitively by Name.
	Tables []Table
	// Columns are the output columns of the last row-returning statement.
	Columns []Column
	// Confidence is 1.0 when everything parsed and resolved; see docs/lineage.md.
	Confidence float64
	// Warnings explain any lowered confidence.
	Warnings []string
	// Statements counts the non-empty statements found.
	Statements int
}

// Confidence levels from docs/lineage.md.
const (
	confAmbiguous = 0.9
	confSkipped   = 0.7
	confFailed    = 0.5
)

// Analyze parses sql in opts.Dialect and returns the tables it reads and the
// lineage of its output columns. It never panics: internal failures become a
// warning with confidence 0. Cancellation of ctx or opts.Deadline is checked
// cooperatively and yields the warning "time limit reached" with confidence
// 0; tables found until then are still reported.
func Analyze(ctx context.Context, sql string, opts Options) (res Result) {
	d := dialectFor(opts.Dialect)
	a := &analyzer{
		d:       d,
		schema:  opts.Schema,
		lim:     &limiter{ctx: ctx, deadline: opts.Deadline},
		conf:    1,
		created: map[string][]outCol{},
		tables:  map[string]int{},
	}
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, errTimeLimit) {
				// The output columns of an unfinished analysis are unknown.
				a.last = nil
				a.warn(0, "time limit reached")
			} else {
				a.warn(0, fmt.Sprintf("internal error: %v", r))
			}
			res = a.result()
		}
	}()
	if ctx != nil && ctx.Err() != nil {
		panic(errTimeLimit)
	}
	if len(sql) > maxSource {
		a.warn(0, "SQL text of 2 GiB or more is not analysed")
		return a.result()
	}
	a.run(sql)
	return a.result()
}

// analyzer carries state across the statements of one text.
type analyzer struct {
	d      *dialect
	schema Schema
	lim    *limiter

	conf     float64
	warnings []string
	nStmts   int
	parsed   int

	// tables maps a dedup key to an index in tableList.
	tables    map[string]int
	tableList []Table
	// created holds tables created earlier in the text, by normalised name.
	created map[string][]outCol
	// last is the output of the last row-returning statement.
	last []outCol
	// seen is scratch space for deduplicating sources.
	seen map[[2]string]struct{}
}

func (a *analyzer) warn(conf float64, msg string) {
	if conf < a.conf {
		a.conf = conf
	}
	for _, w := range a.warnings {
		if w == msg {
			return
		}
	}
	a.warnings = append(a.warnings, msg)
}

func (a *analyzer) run(sql string) {
	toks, err := tokenizeLimited(sql, a.d, a.lim)
	if err != nil {
		msg := err.Error()
		var le *lexError
		if errors.As(err, &le) {
			msg = fmt.Sprintf("tokenize: %s: %s", position(sql, le.pos), le.msg)
		}
		a.warn(confFailed, msg)
		if len(toks) == 0 || toks[len(toks)-1].kind != tkEOF {
			toks = append(toks, token{kind: tkEOF, pos: int32(len(sql)), end: int32(len(sql))})
		}
	}
	p := &parser{src: sql, d: a.d, toks: toks, lim: a.lim}
	for p.peek().kind != tkEOF {
		if p.acceptOp(";") {
			continue
		}
		a.nStmts++
		n := a.nStmts
		first := p.peek()
		start := p.i
		st, perr := p.parseOne()
		if perr != nil {
			msg := perr.Error()
			var pe *parseError
			if errors.As(perr, &pe) {
				msg = position(sql, pe.pos) + ": " + pe.msg
			}
			a.warn(confFailed, fmt.Sprintf("statement %d could not be parsed: %s", n, msg))
			// A failed query may have been the last one returning rows: the
			// output columns are then unknown, not those of an earlier query.
			if first.is("SELECT") || first.is("WITH") || first.isOp("(") || first.is("VALUES") || first.is("FROM") {
				a.last = nil
			}
			// Keep what is certain in the failed text (subqueries that parse,
			// the table it creates), then resynchronise at the next separator.
			salvaged := p.salvage(start)
			for !p.atEnd() {
				p.next()
			}
			p.skipped = p.skipped[:0]
			a.statement(n, salvaged)
			continue
		}
		a.parsed++
		for _, s := range p.skipped {
			a.warn(confSkipped, fmt.Sprintf("statement %d: %s", n, s))
		}
		p.skipped = p.skipped[:0]
		a.statement(n, st)
	}
	if a.nStmts == 0 {
		a.warn(0, "no SQL statement found")
	} else if a.parsed == 0 {
		a.warn(0, "no statement could be parsed")
	}
}

// parseOne parses a statement and checks that it ends at a separator or
// where another statement begins (T-SQL batches often omit semicolons).
func (p *parser) parseOne() (st stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*parseError)
			if !ok {
				panic(r)
			}
			err = pe
		}
	}()
	p.depth = 0
	st = p.parseStatement()
	if !p.atEnd() && !p.statementStart() {
		p.fail("unexpected %s", p.describe(p.peek()))
	}
	return st, nil
}

// statementStart reports whether the cursor is at a word that begins a new
// statement.
func (p *parser) statementStart() bool {
	t := p.peek()
	if t.kind != tkWord {
		return false
	}
	switch strings.ToUpper(t.val) {
	case "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DECLARE", "SET", "USE",
		"DROP", "ALTER", "TRUNCATE", "BEGIN", "COMMIT", "END", "IF", "EXEC", "EXECUTE", "PRINT", "GRANT":
		return true
	}
	return false
}

func (a *analyzer) result() Result {
	for _, c := range a.last {
		if c.lin.amb {
			a.warn(confAmbiguous, fmt.Sprintf("column %s is ambiguous", c.name))
		}
		if len(c.lin.unres) > 0 {
			a.warn(confAmbiguous, fmt.Sprintf("column %s: could not resolve %s", c.name, describeUnresolved(c.lin)))
		}
	}
	res := Result{Confidence: a.conf, Warnings: a.warnings, Statements: a.nStmts}
	res.Tables = append([]Table(nil), a.tableList...)
	slices.SortStableFunc(res.Tables, func(a, b Table) int { return compareFold(a.Name, b.Name) })
	if res.Tables == nil {
		res.Tables = []Table{}
	}
	res.Columns = []Column{}
	for _, c := range a.last {
		col := Column{Name: c.name, Sources: sortSources(c.lin.src), Ambiguous: c.lin.amb}
		if c.lin.amb {
			col.Candidates = sortSources(c.lin.cand)
		}
		res.Columns = append(res.Columns, col)
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	return res
}

// sortSources dedups (case-insensitively, first spelling wins) and sorts
// by table then column, case-insensitively.
func sortSources(in []Source) []Source {
	out := dedupSources(in)
	slices.SortStableFunc(out, func(a, b Source) int {
		if c := compareFold(a.Table, b.Table); c != 0 {
			return c
		}
		return compareFold(a.Column, b.Column)
	})
	return out
}

// compareFold compares ASCII-case-insensitively without allocating.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		if ca >= 'A' && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if cb >= 'A' && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// addTable records a physical table read and returns its Name.
func (a *analyzer) addTable(parts []ident) string {
	names := make([]string, len(parts))
	keys := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
		if p.quoted {
			keys[i] = p.name
		} else {
			keys[i] = strings.ToLower(p.name)
		}
	}
	key := strings.Join(keys, "\x00")
	if i, ok := a.tables[key]; ok {
		return a.tableList[i].Name
	}
	name := strings.Join(names, ".")
	a.tables[key] = len(a.tableList)
	a.tableList = append(a.tableList, Table{Name: name, Parts: names})
	return name
}

// createdTable returns the columns of a table created earlier in the text.
func (a *analyzer) createdTable(parts []ident) ([]outCol, bool) {
	if len(a.created) == 0 {
		return nil, false
	}
	cols, ok := a.created[createdKey(parts)]
	return cols, ok
}

// createdKey normalises a created table's name for later lookups.
func createdKey(parts []ident) string {
	if len(parts) == 1 {
		return foldName(parts[0].name)
	}
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = strings.ToLower(p.name)
	}
	return strings.Join(s, ".")
}

// statement resolves one parsed statement.
func (a *analyzer) statement(n int, st stmt) {
	r := &resolver{a: a}
	switch s := st.(type) {
	case *queryStmt:
		cols := r.query(s.q, nil, nil)
		if !s.noRows {
			a.last = cols
		}
	case *createStmt:
		var cols []outCol
		if s.q != nil {
			cols = r.query(s.q, nil, nil)
		}
		if len(s.cols) > 0 {
			cols = renameCols(cols, s.cols, a.d)
		}
		if s.unknown {
			cols = []outCol{{name: "*", lin: lin{unres: []string{"columns of " + joinIdents(s.name)}}}}
		}
		a.created[createdKey(s.name)] = cols
	case *insertStmt:
		var cols []outCol
		if s.q != nil {
			cols = r.query(s.q, nil, nil)
		}
		for _, e := range s.extra {
			r.visit(&scope{}, e, false)
		}
		key := createdKey(s.target)
		if tc, ok := a.created[key]; ok {
			a.created[key] = mergeInsert(tc, s.cols, cols)
		}
	case *dmlStmt:
		env := r.ctes(s.ctes, nil, nil)
		sc := &scope{env: env}
		// T-SQL "UPDATE t SET … FROM #tmp t" names the target by an alias
		// declared in FROM.
		target := s.target
		if len(target) == 1 {
			for _, f := range s.from {
				if tr := aliasedTable(f, target[0].name); tr != nil {
					target = tr.parts
				}
			}
		}
		key := createdKey(target)
		tcols, created := a.created[key]
		if created {
			// UPDATE of a table created earlier in the text: the updated
			// columns also read what the SET expressions read.
			if len(target) == len(s.target) && createdKey(target) == createdKey(s.target) || len(s.from) == 0 {
				rel := &relation{known: tcols, names: []string{joinIdents(target), target[len(target)-1].name}, parts: identNames(target)}
				if s.alias != nil {
					rel.alias = s.alias.name
				}
				sc.rels = append(sc.rels, rel)
			}
		}
		for _, f := range s.from {
			r.addFrom(sc, f, env)
		}
		for _, e := range s.exprs {
			r.visitQ(sc, e, env)
		}
		if created && len(s.sets) > 0 {
			out := append([]outCol(nil), tcols...)
			for _, set := range s.sets {
				l := r.visit(sc, set.e, true)
				for i := range out {
					if strings.EqualFold(out[i].name, set.col.name) {
						out[i].lin = out[i].lin.union(l).compact()
					}
				}
			}
			a.created[key] = out
		}
		a.warn(confSkipped, fmt.Sprintf("statement %d: %s is analysed for the tables it reads only", n, s.verb))
	case *skipStmt:
		// Names the skipped text defines as CTEs are not physical tables
		// when its subqueries read them.
		var env *cteEnv
		cl := &cteList{}
		for _, name := range s.names {
			env = cl.add(&cteDef{name: name, opaque: true})
		}
		for _, q := range s.subs {
			r.query(q, env, nil)
		}
		if len(s.created) > 0 {
			key := createdKey(s.created)
			if _, ok := a.created[key]; !ok {
				a.created[key] = []outCol{{name: "*", lin: lin{unres: []string{"columns of " + joinIdents(s.created)}}}}
			}
		}
		if s.harmful {
			a.warn(confSkipped, fmt.Sprintf("statement %d: unsupported %s statement skipped", n, s.verb))
		}
	}
}

// mergeInsert adds the lineage of inserted columns to a created table's
// columns, by the insert's column list or by position.
func mergeInsert(target []outCol, names []ident, src []outCol) []outCol {
	out := append([]outCol(nil), target...)
	for i, c := range src {
		j := i
		if len(names) > 0 {
			if i >= len(names) {
				break
			}
			j = -1
			for k, t := range out {
				if strings.EqualFold(t.name, names[i].name) {
					j = k
					break
				}
			}
		}
		if j < 0 || j >= len(out) {
			continue
		}
		if out[j].name == "*" && c.name == "*" {
			// Rows inserted from a star are another branch of the star,
			// as in a set operation.
			out[j].branches = append(starGroups(out[j]), starGroups(c)...)
		}
		out[j].lin = out[j].lin.union(c.lin)
	}
	return out
}

// aliasedTable finds the table reference with the given alias in a FROM item.
func aliasedTable(t tableExpr, alias string) *tableRef {
	switch x := t.(type) {
	case *tableRef:
		if x.alias != nil && strings.EqualFold(x.alias.name, alias) {
			return x
		}
	case *joinExpr:
		if tr := aliasedTable(x.left, alias); tr != nil {
			return tr
		}
		return aliasedTable(x.right, alias)
	}
	return nil
}
