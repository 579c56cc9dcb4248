package sqllineage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// parseError aborts the current statement; the parser recovers at the next
// statement boundary.
type parseError struct {
	pos int
	msg string
}

func (e *parseError) Error() string { return fmt.Sprintf("at offset %d: %s", e.pos, e.msg) }

// position renders a byte offset of src as "line L, column C" (1-based,
// columns counted in bytes), which is what a report author can find.
func position(src string, pos int) string {
	if pos > len(src) {
		pos = len(src)
	}
	line := 1 + strings.Count(src[:pos], "\n")
	col := pos - strings.LastIndexByte(src[:pos], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// errTimeLimit aborts parsing or resolving when ctx or the deadline expires.
var errTimeLimit = errors.New("time limit reached")

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 2000

// checkEvery is how many tokens/nodes pass between cancellation checks; a
// time.Now call per token would dominate the cost of parsing.
const checkEvery = 512

// limiter checks ctx and a deadline every checkEvery steps.
type limiter struct {
	ctx      context.Context
	deadline time.Time
	steps    int
}

func (l *limiter) tick() {
	l.steps++
	if l.steps%checkEvery != 0 {
		return
	}
	l.check()
}

// check panics with errTimeLimit when ctx is done or the deadline passed.
func (l *limiter) check() {
	if l.ctx != nil && l.ctx.Err() != nil {
		panic(errTimeLimit)
	}
	if !l.deadline.IsZero() && time.Now().After(l.deadline) {
		panic(errTimeLimit)
	}
}

type parser struct {
	src     string
	d       *dialect
	toks    []token
	i       int
	depth   int
	noColon int // >0 inside {k: v} literals where ':' is not a path
	lim     *limiter
	// skipped describes constructs skipped inside the current statement.
	skipped []string
}

func (p *parser) peek() *token { return &p.toks[p.i] }

func (p *parser) peekAt(k int) *token {
	if p.i+k >= len(p.toks) {
		return &p.toks[len(p.toks)-1]
	}
	return &p.toks[p.i+k]
}

func (p *parser) next() *token {
	t := &p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	p.lim.tick()
	return t
}

func (p *parser) fail(format string, args ...any) {
	t := p.peek()
	panic(&parseError{pos: int(t.pos), msg: fmt.Sprintf(format, args...)})
}

func (p *parser) isKw(kw string) bool { return p.peek().is(kw) }
func (p *parser) isOp(op string) bool { return p.peek().isOp(op) }
func (p *parser) atEnd() bool         { t := p.peek(); return t.kind == tkEOF || t.isOp(";") }
func (p *parser) describe(t *token) string {
	if t.kind == tkEOF {
		return "end of input"
	}
	s := p.src[t.pos:t.end]
	if len(s) > 30 {
		s = s[:30] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func (p *parser) acceptKw(kws ...string) bool {
	for k, kw := range kws {
		if !p.peekAt(k).is(kw) {
			return false
		}
	}
	for range kws {
		p.next()
	}
	return true
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) {
	if !p.acceptKw(kw) {
		p.fail("expected %s, found %s", kw, p.describe(p.peek()))
	}
}

func (p *parser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.fail("expected %q, found %s", op, p.describe(p.peek()))
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// skipBalanced consumes a parenthesised (or bracketed) group starting at the
// current opening token.
func (p *parser) skipBalanced() {
	open := p.peek().val
	closeTok := map[string]string{"(": ")", "[": "]", "{": "}"}[open]
	if closeTok == "" {
		return
	}
	depth := 0
	for {
		t := p.next()
		switch {
		case t.kind == tkEOF:
			p.fail("unbalanced %q", open)
		case t.isOp(open):
			depth++
		case t.isOp(closeTok):
			depth--
			if depth == 0 {
				return
			}
		}
	}
}

// queryAhead reports whether the tokens from offset k start a query,
// looking through any number of opening parentheses.
func (p *parser) queryAhead(k int) bool {
	for p.peekAt(k).isOp("(") {
		k++
	}
	t := p.peekAt(k)
	return t.is("SELECT") || t.is("WITH") || (t.is("VALUES") && k > 0) || t.is("FROM") && p.peekAt(k+1).kind != tkOp
}

// reserved words cannot be implicit aliases.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`SELECT FROM WHERE GROUP HAVING ORDER LIMIT OFFSET FETCH UNION INTERSECT
		EXCEPT MINUS JOIN INNER LEFT RIGHT FULL OUTER CROSS NATURAL ON USING AS AND OR NOT IN IS LIKE
		ILIKE RLIKE REGEXP BETWEEN CASE WHEN THEN ELSE END WINDOW QUALIFY LATERAL PIVOT UNPIVOT INTO
		VALUES WITH SEMI ANTI APPLY ASOF TABLESAMPLE OVER FOR INSERT UPDATE DELETE MERGE CREATE DROP
		ALTER DECLARE SET EXEC EXECUTE PRINT IF BEGIN RETURN WHILE STRAIGHT_JOIN MATCH_CONDITION NULL
		TRUE FALSE DISTINCT ALL BY CONNECT START RETURNING OPTION MATCH_RECOGNIZE TRUNCATE GRANT USE
		COMMIT ROLLBACK ESCAPE COLLATE FILTER WITHIN`) {
		m[w] = true
	}
	return m
}()

func isReserved(t *token) bool {
	if t.kind != tkWord {
		return false
	}
	var buf [24]byte
	k, ok := upperKey(&buf, t.val)
	return ok && reserved[string(k)]
}

// upperKey upper-cases an ASCII word into buf without allocating; ok is
// false for words too long or non-ASCII to be keywords. Map lookups with
// string(k) do not allocate either.
func upperKey(buf *[24]byte, s string) (k []byte, ok bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return nil, false
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}

// ---- statements ----

// parseStatement parses one statement; the caller handles separators.
func (p *parser) parseStatement() stmt {
	t := p.peek()
	switch {
	case t.is("SELECT") || t.isOp("(") || t.is("VALUES") || t.is("FROM"):
		return p.queryStatement(nil)
	case t.is("WITH"):
		w := p.parseWith()
		switch {
		case p.isKw("INSERT"):
			ins := p.parseInsert()
			ins.q = &withQuery{recursive: w.recursive, ctes: w.ctes, body: ins.q}
			return ins
		case p.isKw("UPDATE") || p.isKw("DELETE") || p.isKw("MERGE"):
			dml := p.parseDML()
			dml.ctes = w.ctes
			return dml
		}
		return p.queryStatement(w)
	case t.is("CREATE") || t.is("REPLACE") && p.peekAt(1).is("TABLE"):
		return p.parseCreate()
	case t.is("INSERT") || t.is("UPSERT") || t.is("REPLACE") && p.peekAt(1).is("INTO"):
		return p.parseInsert()
	case t.is("UPDATE") || t.is("DELETE") || t.is("MERGE"):
		return p.parseDML()
	case t.is("DECLARE") && p.d.name == TSQL && p.peekAt(1).kind == tkParam && p.peekAt(2).is("TABLE") && p.peekAt(3).isOp("("):
		// DECLARE @t TABLE (…) creates a table variable like CREATE TABLE.
		p.next()
		name := p.identOf(p.next())
		p.next()
		return &createStmt{name: []ident{name}, cols: p.parseColumnDefs()}
	case t.kind == tkWord && harmlessVerbs[strings.ToUpper(t.val)]:
		return p.skipStatement(strings.ToUpper(t.val), false)
	}
	verb := "statement"
	if t.kind == tkWord {
		verb = strings.ToUpper(t.val)
	}
	return p.skipStatement(verb, true)
}

// harmlessVerbs start statements that neither read tables for a report nor
// return rows; they are skipped without a warning.
var harmlessVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`SET DECLARE USE BEGIN COMMIT ROLLBACK END DROP ALTER GRANT REVOKE
		TRUNCATE ANALYZE VACUUM SHOW DESCRIBE DESC EXPLAIN COMMENT RESET START ABORT PRINT CACHE UNCACHE
		REFRESH MSCK OPTIMIZE LIST LS PUT GET REMOVE RM UNSET SAVEPOINT RELEASE LOCK UNLOCK DEALLOCATE
		DISCARD CHECKPOINT LOAD CLUSTER REINDEX RAISERROR THROW WAITFOR GO IF ELSE ELSEIF WHILE LOOP BREAK CONTINUE
		DEALLOCATE OPEN CLOSE FETCH`) {
		m[w] = true
	}
	return m
}()

// skipStatement consumes tokens to the end of the statement, collecting any
// parenthesised subqueries so the tables they read are still reported.
func (p *parser) skipStatement(verb string, harmful bool) stmt {
	s := &skipStmt{verb: verb, harmful: harmful}
	// T-SQL batches often omit semicolons: a simple statement such as
	// DECLARE or SET ends where the next statement's keyword begins.
	batch := p.d.goSeparator && (verb == "DECLARE" || verb == "SET" || verb == "PRINT" || verb == "USE" ||
		verb == "DROP" || verb == "TRUNCATE" || verb == "BEGIN" || verb == "COMMIT" || verb == "END" ||
		verb == "EXEC" || verb == "EXECUTE" || verb == "RAISERROR" || verb == "THROW" || verb == "WAITFOR")
	// Control flow (IF … THEN, ELSE, WHILE … DO) wraps statements in every
	// dialect's scripting: the wrapped statement starts a new one.
	if verb == "IF" || verb == "ELSE" || verb == "ELSEIF" || verb == "WHILE" || verb == "LOOP" {
		batch = true
	}
	if !p.atEnd() && !p.isOp("(") {
		p.next()
	}
	p.collectSkipped(s, batch, false)
	return s
}

// salvage re-reads a statement that failed to parse, from token start, for
// what is certain in it: the subqueries that parse on their own, the CTE
// names they must not mistake for tables, and the table it creates.
func (p *parser) salvage(start int) *skipStmt {
	p.i = start
	s := &skipStmt{verb: "statement"}
	s.created = p.createdNameAt(start)
	p.collectSkipped(s, false, true)
	return s
}

// createdNameAt returns the table named by "CREATE [OR REPLACE] [TEMP …]
// TABLE|VIEW [IF NOT EXISTS] name" at token k, or nil.
func (p *parser) createdNameAt(k int) []ident {
	if k >= len(p.toks) || !p.toks[k].is("CREATE") {
		return nil
	}
	for j := k + 1; j < len(p.toks) && j < k+10; j++ {
		t := &p.toks[j]
		if t.kind != tkWord {
			return nil
		}
		if !t.is("TABLE") && !t.is("VIEW") {
			continue
		}
		j++
		if j+2 < len(p.toks) && p.toks[j].is("IF") && p.toks[j+1].is("NOT") && p.toks[j+2].is("EXISTS") {
			j += 3
		}
		var parts []ident
		for j < len(p.toks) && (p.toks[j].kind == tkWord || p.toks[j].kind == tkQIdent) {
			parts = p.appendIdents(parts, &p.toks[j])
			j++
			if j >= len(p.toks) || !p.toks[j].isOp(".") {
				break
			}
			j++
		}
		return parts
	}
	return nil
}

// cteNameAt reports the name defined at the cursor when it reads like a
// CTE definition: name [(cols)] AS [[NOT] MATERIALIZED] (.
func (p *parser) cteNameAt() (string, bool) {
	t := p.peek()
	if t.kind != tkWord && t.kind != tkQIdent {
		return "", false
	}
	k := 1
	if p.peekAt(1).isOp("(") {
		// A column list holds only names and commas.
		for k = 2; k < 256; k++ {
			nx := p.peekAt(k)
			if nx.isOp(")") {
				k++
				break
			}
			if nx.kind != tkWord && nx.kind != tkQIdent && !nx.isOp(",") {
				return "", false
			}
		}
	}
	if !p.peekAt(k).is("AS") {
		return "", false
	}
	k++
	if p.peekAt(k).is("NOT") {
		k++
	}
	if p.peekAt(k).is("MATERIALIZED") {
		k++
	}
	if !p.peekAt(k).isOp("(") {
		return "", false
	}
	return t.val, true
}

// collectSkipped consumes the rest of a skipped statement into s. With
// anyDepth, a ";" ends it even inside unbalanced parentheses (the text is
// known to be malformed).
func (p *parser) collectSkipped(s *skipStmt, batch, anyDepth bool) {
	depth := 0
	for {
		t := p.peek()
		if t.kind == tkEOF || ((depth == 0 || anyDepth) && t.isOp(";")) {
			return
		}
		if batch && depth == 0 && p.statementStart() {
			return
		}
		if name, ok := p.cteNameAt(); ok {
			s.names = append(s.names, name)
		}
		if t.isOp("(") && (p.i == 0 || !p.toks[p.i-1].isOp("(")) {
			// At the first of a run of "(": step over the parentheses that
			// cannot start a subquery in one go (queryAhead from each of
			// them would make hostile input quadratic), keeping only the
			// innermost few to try.
			run := 1
			for p.peekAt(run).isOp("(") {
				run++
			}
			keep := 0
			if p.queryAhead(0) {
				keep = min(run, 16)
			}
			if run > keep {
				for range run - keep {
					p.next()
					depth++
				}
				continue
			}
		}
		if t.isOp("(") && p.queryAhead(1) {
			save := p.i
			if q, ok := p.tryQueryInParens(); ok {
				s.subs = append(s.subs, q)
				continue
			}
			p.i = save
		}
		if t.isOp("(") {
			depth++
		} else if t.isOp(")") && depth > 0 {
			depth--
		}
		p.next()
	}
}

// tryQueryInParens parses "( query )" and reports false instead of failing.
func (p *parser) tryQueryInParens() (q query, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isPE := r.(*parseError); !isPE {
				panic(r)
			}
			ok = false
		}
	}()
	p.expectOp("(")
	q = p.parseQuery()
	p.expectOp(")")
	return q, true
}

func (p *parser) queryStatement(w *withQuery) stmt {
	var q query
	if w != nil {
		w.body = p.parseSetExpr()
		q = w
	} else {
		q = p.parseQuery()
	}
	// SELECT … INTO target creates a table from the query (T-SQL, Postgres).
	sel := firstSelect(q)
	if sel != nil && sel.into != nil {
		name := sel.into
		sel.into = nil
		return &createStmt{name: name, q: q}
	}
	if p.isKw("INTO") && p.intoVarsAhead() {
		// SELECT … UNION SELECT … INTO @v (MySQL).
		p.skipIntoVars()
		return &queryStmt{q: q, noRows: true}
	}
	return &queryStmt{q: q, noRows: intoVars(q)}
}

// intoVars reports whether any top-level SELECT block of q sends its rows
// to variables or a file (MySQL puts INTO after the last UNION branch).
func intoVars(q query) bool {
	switch x := q.(type) {
	case *selectQuery:
		return x.intoVars
	case *setQuery:
		return intoVars(x.left) || intoVars(x.right)
	case *withQuery:
		return intoVars(x.body)
	case *parenQuery:
		return intoVars(x.q)
	}
	return false
}

// firstSelect returns the leftmost SELECT block of q.
func firstSelect(q query) *selectQuery {
	for {
		switch x := q.(type) {
		case *selectQuery:
			return x
		case *setQuery:
			q = x.left
		case *withQuery:
			q = x.body
		case *parenQuery:
			q = x.q
		default:
			return nil
		}
	}
}

func (p *parser) parseCreate() stmt {
	p.next() // CREATE / REPLACE
	p.acceptKw("OR", "REPLACE")
	p.acceptKw("OR", "ALTER")
	for p.acceptKw("GLOBAL") || p.acceptKw("LOCAL") || p.acceptKw("TEMP") || p.acceptKw("TEMPORARY") ||
		p.acceptKw("TRANSIENT") || p.acceptKw("VOLATILE") || p.acceptKw("MULTISET") || p.acceptKw("SET") ||
		p.acceptKw("UNLOGGED") || p.acceptKw("SECURE") || p.acceptKw("MATERIALIZED") || p.acceptKw("RECURSIVE") ||
		p.acceptKw("EXTERNAL") || p.acceptKw("DYNAMIC") || p.acceptKw("ICEBERG") || p.acceptKw("HYBRID") {
	}
	view := false
	switch {
	case p.acceptKw("TABLE"):
	case p.acceptKw("VIEW"):
		view = true
	default:
		verb := "CREATE"
		if t := p.peek(); t.kind == tkWord {
			verb += " " + strings.ToUpper(t.val)
		}
		return p.skipStatement(verb, false)
	}
	p.acceptKw("IF", "NOT", "EXISTS")
	c := &createStmt{name: p.parseTableName(), view: view}
	// Column list or column definitions.
	if p.isOp("(") {
		if p.queryAhead(1) {
			c.q = p.parseQuery()
			return c
		}
		c.cols = p.parseColumnDefs()
	}
	// Skip options (DISTKEY, CLUSTER BY, WITH (…), COMMENT = '…', …) up to AS.
	for !p.atEnd() {
		if p.isKw("AS") {
			p.next()
			if p.queryAhead(0) || p.isOp("(") {
				c.q = p.parseQuery()
				return c
			}
			continue
		}
		if p.queryAhead(0) && (p.isKw("SELECT") || p.isKw("WITH")) {
			c.q = p.parseQuery()
			return c
		}
		if p.isKw("LIKE") || p.isKw("CLONE") {
			// CREATE TABLE x CLONE y copies y's data (a read); LIKE y copies
			// only its structure, so x's columns are unknown.
			clone := p.isKw("CLONE")
			p.next()
			src := p.parseTableName()
			if clone {
				c.q = &selectQuery{items: []*selectItem{{star: &starExpr{}}}, from: []tableExpr{&tableRef{parts: src}}}
			} else {
				c.unknown = true
			}
			for !p.atEnd() {
				p.next()
			}
			return c
		}
		if p.isOp("(") {
			p.skipBalanced()
			continue
		}
		p.next()
	}
	return c
}

// parseColumnDefs reads "(name type …, …)" and returns the column names,
// skipping constraints.
func (p *parser) parseColumnDefs() []ident {
	p.expectOp("(")
	var cols []ident
	for {
		t := p.peek()
		if t.kind == tkEOF {
			p.fail("unterminated column list")
		}
		constraint := t.is("PRIMARY") || t.is("CONSTRAINT") || t.is("UNIQUE") || t.is("FOREIGN") ||
			t.is("CHECK") || t.is("INDEX") || t.is("KEY")
		if (t.kind == tkWord || t.kind == tkQIdent) && !constraint {
			cols = append(cols, p.identOf(p.next()))
		}
		// Skip the rest of this definition.
		for !p.isOp(",") && !p.isOp(")") {
			if p.peek().kind == tkEOF {
				p.fail("unterminated column list")
			}
			if p.isOp("(") {
				p.skipBalanced()
				continue
			}
			p.next()
		}
		if p.acceptOp(")") {
			return cols
		}
		p.next()
	}
}

func (p *parser) parseInsert() *insertStmt {
	p.next()
	for p.acceptKw("INTO") || p.acceptKw("OVERWRITE") || p.acceptKw("TABLE") || p.acceptKw("IGNORE") ||
		p.acceptKw("LOW_PRIORITY") || p.acceptKw("HIGH_PRIORITY") || p.acceptKw("ALL") {
	}
	ins := &insertStmt{target: p.parseTableName()}
	if p.isKw("PARTITION") {
		p.next()
		if p.isOp("(") {
			p.skipBalanced()
		}
	}
	if p.isOp("(") && !p.queryAhead(1) {
		p.next()
		for !p.isOp(")") {
			if p.peek().kind == tkEOF {
				p.fail("unterminated column list")
			}
			t := p.next()
			if t.kind == tkWord || t.kind == tkQIdent {
				ins.cols = append(ins.cols, p.identOf(t))
			}
		}
		p.next()
	}
	if p.acceptKw("DEFAULT", "VALUES") {
		return ins
	}
	if p.isKw("SELECT") || p.isKw("WITH") || p.isKw("VALUES") || p.isOp("(") {
		ins.q = p.parseQuery()
	}
	// ON CONFLICT / ON DUPLICATE KEY … run to the end of the statement and
	// only write; otherwise a following keyword starts the next statement
	// (T-SQL batches omit semicolons).
	tail := false
	ins.extra = append(ins.extra, p.skipCollectingUntil(func() bool {
		if p.isKw("ON") || p.isKw("RETURNING") || p.isKw("OUTPUT") {
			tail = true
		}
		return !tail && p.statementStart()
	})...)
	return ins
}

// parseDML parses UPDATE, DELETE and MERGE for the tables they read.
func (p *parser) parseDML() *dmlStmt {
	verb := strings.ToUpper(p.next().val)
	d := &dmlStmt{verb: verb}
	switch verb {
	case "UPDATE":
		p.acceptKw("ONLY")
		d.target = p.parseTableName()
		if a := p.parseOptAlias(false); a != nil {
			d.alias = a.name
		}
		p.expectKw("SET")
		for {
			// target column (possibly qualified or a tuple) = expr
			var col *ident
			for !p.isOp("=") && !p.atEnd() {
				if p.isOp("(") {
					p.skipBalanced()
					col = nil
					continue
				}
				if t := p.next(); t.kind == tkWord || t.kind == tkQIdent {
					col = ptr(p.identOf(t))
				}
			}
			p.expectOp("=")
			e := p.parseExpr()
			d.exprs = append(d.exprs, e)
			if col != nil {
				d.sets = append(d.sets, assignment{col: *col, e: e})
			}
			if !p.acceptOp(",") {
				break
			}
		}
		if p.acceptKw("FROM") {
			fl, lv := p.parseFromList()
			d.from = append(d.from, fl...)
			_ = lv
		}
	case "DELETE":
		p.acceptKw("FROM")
		d.target = p.parseTableName()
		p.parseOptAlias(false)
		if p.acceptKw("USING") || p.acceptKw("FROM") {
			fl, _ := p.parseFromList()
			d.from = append(d.from, fl...)
		}
	case "MERGE":
		p.acceptKw("INTO")
		d.target = p.parseTableName()
		p.parseOptAlias(false)
		p.expectKw("USING")
		d.from = append(d.from, p.parseTableItem())
		p.expectKw("ON")
		d.exprs = append(d.exprs, p.parseExpr())
		// WHEN [NOT] MATCHED … THEN UPDATE SET … / INSERT (…) VALUES (…)
		d.exprs = append(d.exprs, p.skipCollectingUntil(nil)...)
		return d
	}
	if p.acceptKw("WHERE") {
		d.exprs = append(d.exprs, p.parseExpr())
	}
	d.exprs = append(d.exprs, p.skipCollectingUntil(p.statementStart)...)
	return d
}

// skipCollectingUntil steps over tokens until the end of the input or
// until stop (nil: never) holds, parsing the parenthesised subqueries it
// passes and returning them: the tables they read still count.
func (p *parser) skipCollectingUntil(stop func() bool) []expr {
	var out []expr
	for !p.atEnd() && (stop == nil || !stop()) {
		if p.isOp("(") && p.queryAhead(1) {
			p.next()
			out = append(out, &subqueryExpr{q: p.parseQuery()})
			p.expectOp(")")
			continue
		}
		p.next()
	}
	return out
}

// ---- queries ----

func (p *parser) parseQuery() query {
	p.enter()
	defer p.leave()
	if p.isKw("WITH") {
		w := p.parseWith()
		w.body = p.parseSetExpr()
		return w
	}
	return p.parseSetExpr()
}

func (p *parser) parseWith() *withQuery {
	p.expectKw("WITH")
	w := &withQuery{recursive: p.acceptKw("RECURSIVE")}
	for {
		t := p.next()
		if t.kind != tkWord && t.kind != tkQIdent {
			p.i--
			p.fail("expected CTE name, found %s", p.describe(t))
		}
		c := &cte{name: p.identOf(t)}
		if p.isOp("(") {
			c.cols = p.parseIdentList()
		}
		p.expectKw("AS")
		p.acceptKw("NOT")
		p.acceptKw("MATERIALIZED")
		p.expectOp("(")
		c.q = p.parseQuery()
		p.expectOp(")")
		w.ctes = append(w.ctes, c)
		if !p.acceptOp(",") {
			break
		}
	}
	return w
}

// parseIdentList reads "(a, b, …)".
func (p *parser) parseIdentList() []ident {
	p.expectOp("(")
	var out []ident
	for !p.isOp(")") {
		t := p.next()
		switch t.kind {
		case tkWord, tkQIdent:
			out = append(out, p.identOf(t))
		case tkString:
			out = append(out, ident{name: p.stringValue(t), quoted: true})
		case tkOp:
			if t.val != "," {
				p.i--
				p.fail("unexpected %s in name list", p.describe(t))
			}
		case tkEOF:
			p.fail("unterminated name list")
		default:
			p.i--
			p.fail("unexpected %s in name list", p.describe(t))
		}
	}
	p.next()
	return out
}

func (p *parser) parseSetExpr() query {
	left := p.parseQueryTerm()
	for {
		t := p.peek()
		var op string
		switch {
		case t.is("UNION"), t.is("INTERSECT"), t.is("EXCEPT"), t.is("MINUS"):
			op = strings.ToUpper(t.val)
		default:
			if sq, ok := left.(*setQuery); ok {
				sq.other = append(sq.other, p.parseTrailing()...)
			} else if pq, ok := left.(*parenQuery); ok {
				pq.other = append(pq.other, p.parseTrailing()...)
			}
			return left
		}
		p.next()
		p.acceptKw("ALL")
		p.acceptKw("DISTINCT")
		p.acceptKw("BY", "NAME")
		p.acceptKw("CORRESPONDING")
		right := p.parseQueryTerm()
		left = &setQuery{op: op, left: left, right: right}
	}
}

func (p *parser) parseQueryTerm() query {
	t := p.peek()
	switch {
	case t.is("SELECT"):
		return p.parseSelect()
	case t.is("VALUES"):
		return p.parseValues()
	case t.is("FROM"):
		// FROM-first syntax (DuckDB, BigQuery pipe-less): FROM t [SELECT …].
		p.next()
		sel := &selectQuery{}
		sel.from, sel.lateral = p.parseFromList()
		if p.isKw("SELECT") {
			inner := p.parseSelect().(*selectQuery)
			inner.from = sel.from
			return inner
		}
		sel.items = []*selectItem{{star: &starExpr{}}}
		return sel
	case t.isOp("("):
		p.next()
		p.enter()
		q := p.parseQuery()
		p.leave()
		p.expectOp(")")
		return &parenQuery{q: q}
	case t.is("WITH"):
		return p.parseQuery()
	}
	p.fail("expected a query, found %s", p.describe(t))
	return nil
}

func (p *parser) parseValues() *valuesQuery {
	p.expectKw("VALUES")
	v := &valuesQuery{}
	for {
		if p.isOp("(") {
			p.next()
			var row []expr
			for !p.isOp(")") {
				row = append(row, p.parseExpr())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
			v.rows = append(v.rows, row)
		} else {
			v.rows = append(v.rows, []expr{p.parseExpr()})
		}
		if !p.acceptOp(",") {
			return v
		}
	}
}

// parseTrailing reads ORDER BY / LIMIT / OFFSET / FETCH after a query.
func (p *parser) parseTrailing() []expr {
	var out []expr
	for {
		switch {
		case p.acceptKw("ORDER", "BY"):
			out = append(out, p.parseOrderList()...)
		case p.acceptKw("LIMIT"):
			if !p.acceptKw("ALL") {
				out = append(out, p.parseExpr())
			}
			if p.acceptOp(",") {
				out = append(out, p.parseExpr())
			}
		case p.acceptKw("OFFSET"):
			out = append(out, p.parseExpr())
			_ = p.acceptKw("ROWS") || p.acceptKw("ROW")
		case p.acceptKw("FETCH"):
			_ = p.acceptKw("FIRST") || p.acceptKw("NEXT")
			if !p.isKw("ROWS") && !p.isKw("ROW") {
				out = append(out, p.parseExpr())
			}
			p.acceptKw("PERCENT")
			_ = p.acceptKw("ROWS") || p.acceptKw("ROW")
			_ = p.acceptKw("ONLY") || p.acceptKw("WITH", "TIES")
		case p.isKw("FOR") && (p.peekAt(1).is("UPDATE") || p.peekAt(1).is("XML") || p.peekAt(1).is("JSON") || p.peekAt(1).is("SHARE")):
			// FOR XML PATH(''), TYPE … runs to the end of the query.
			for !p.atEnd() && !p.isOp(")") {
				if p.isOp("(") {
					p.skipBalanced()
					continue
				}
				p.next()
			}
		case p.isKw("OPTION") && p.peekAt(1).isOp("("):
			p.next()
			p.skipBalanced()
		case (p.isKw("SETTINGS") || p.isKw("FORMAT")) && p.peekAt(1).kind == tkWord:
			// ClickHouse query settings and output format: no lineage.
			for !p.atEnd() && !p.isOp(")") {
				p.next()
			}
		default:
			return out
		}
	}
}

func (p *parser) parseOrderList() []expr {
	var out []expr
	for {
		out = append(out, p.parseExpr())
		_ = p.acceptKw("ASC") || p.acceptKw("DESC")
		if p.acceptKw("NULLS") {
			_ = p.acceptKw("FIRST") || p.acceptKw("LAST")
		}
		if !p.acceptOp(",") {
			return out
		}
	}
}

func (p *parser) parseSelect() query {
	p.expectKw("SELECT")
	sel := &selectQuery{}
	for {
		switch {
		case p.acceptKw("ALL"):
		case p.acceptKw("DISTINCT"):
			if p.acceptKw("ON") {
				p.expectOp("(")
				for !p.isOp(")") {
					sel.other = append(sel.other, p.parseExpr())
					if !p.acceptOp(",") {
						break
					}
				}
				p.expectOp(")")
			}
		case p.acceptKw("DISTINCTROW"), p.acceptKw("STRAIGHT_JOIN"), p.acceptKw("SQL_CALC_FOUND_ROWS"),
			p.acceptKw("HIGH_PRIORITY"), p.acceptKw("SQL_NO_CACHE"):
		case p.isKw("TOP"):
			p.next()
			if p.isOp("(") {
				p.next()
				sel.other = append(sel.other, p.parseExpr())
				p.expectOp(")")
			} else {
				p.next()
			}
			p.acceptKw("PERCENT")
			p.acceptKw("WITH", "TIES")
		case p.isKw("AS") && (p.peekAt(1).is("STRUCT") || p.peekAt(1).is("VALUE")):
			p.next()
			p.next()
		default:
			goto items
		}
	}
items:
	for {
		it := p.parseSelectItem()
		sel.items = append(sel.items, it)
		if it.assign {
			sel.intoVars = true
		}
		if !p.acceptOp(",") {
			break
		}
		// Trailing comma before FROM (BigQuery, Snowflake accept it).
		if p.isKw("FROM") || p.atEnd() || p.isOp(")") {
			break
		}
	}
	if p.isKw("INTO") {
		if p.intoVarsAhead() {
			p.skipIntoVars()
			sel.intoVars = true
		} else {
			p.next()
			for p.acceptKw("TEMP") || p.acceptKw("TEMPORARY") || p.acceptKw("UNLOGGED") || p.acceptKw("TABLE") {
			}
			sel.into = p.parseTableName()
		}
	}
	if p.acceptKw("FROM") {
		sel.from, sel.lateral = p.parseFromList()
	}
	for {
		switch {
		case p.acceptKw("WHERE"):
			sel.where = p.parseExpr()
		case p.isKw("PREWHERE"):
			p.next()
			sel.other = append(sel.other, p.parseExpr())
		case p.acceptKw("GROUP", "BY"):
			if p.isKw("ALL") && (p.peekAt(1).kind == tkEOF || !p.peekAt(1).isOp("(")) {
				p.next()
				break
			}
			p.acceptKw("DISTINCT")
			for {
				if p.acceptKw("GROUPING", "SETS") {
					sel.other = append(sel.other, p.parsePrimary())
				} else if p.isOp("(") && p.peekAt(1).isOp(")") {
					p.next()
					p.next()
				} else {
					sel.other = append(sel.other, p.parseExpr())
				}
				if !p.acceptOp(",") {
					break
				}
			}
			p.acceptKw("WITH", "ROLLUP")
			p.acceptKw("WITH", "CUBE")
		case p.acceptKw("HAVING"):
			sel.other = append(sel.other, p.parseExpr())
		case p.acceptKw("QUALIFY"):
			sel.other = append(sel.other, p.parseExpr())
		case p.acceptKw("WINDOW"):
			for {
				name := strings.ToLower(p.identOf(p.next()).name)
				p.expectKw("AS")
				if sel.windows == nil {
					sel.windows = map[string][]expr{}
				}
				sel.windows[name] = p.parseWindowSpec()
				if !p.acceptOp(",") {
					break
				}
			}
		case p.isKw("CONNECT") && p.peekAt(1).is("BY") || p.isKw("START") && p.peekAt(1).is("WITH"):
			// Hierarchical query (Oracle, Snowflake, Redshift): the clauses
			// only filter and link rows, so they count like WHERE; the
			// pseudo-columns they introduce (LEVEL, …) read no column.
			p.next()
			p.next()
			p.acceptKw("NOCYCLE")
			sel.other = append(sel.other, p.parseExpr())
			sel.hierarchy = true
		case p.isKw("ORDER") && p.peekAt(1).is("SIBLINGS") && p.peekAt(2).is("BY"):
			p.next()
			p.next()
			p.next()
			sel.other = append(sel.other, p.parseOrderList()...)
		default:
			sel.other = append(sel.other, p.parseTrailing()...)
			// MySQL also accepts INTO @var / OUTFILE at the end.
			if p.isKw("INTO") && p.intoVarsAhead() {
				p.skipIntoVars()
				sel.intoVars = true
			}
			return sel
		}
	}
}

// intoVarsAhead reports whether the INTO at the cursor stores the result in
// variables or a file rather than creating a table: INTO @v, INTO :v,
// INTO OUTFILE/DUMPFILE, and in MySQL (which has no SELECT … INTO table)
// any INTO.
func (p *parser) intoVarsAhead() bool {
	nx := p.peekAt(1)
	return p.d.name == MySQL || nx.is("OUTFILE") || nx.is("DUMPFILE") || nx.kind == tkParam ||
		nx.isOp(":") && p.peekAt(2).kind == tkWord
}

// skipIntoVars consumes INTO and its targets (variables, or a file name
// with its FIELDS/LINES options) up to the next clause.
func (p *parser) skipIntoVars() {
	p.next()
	for !p.atEnd() && !p.isOp(")") && !p.statementStart() {
		t := p.peek()
		if t.is("FROM") || t.is("WHERE") || t.is("GROUP") || t.is("HAVING") || t.is("ORDER") || t.is("LIMIT") ||
			t.is("UNION") || t.is("WINDOW") || t.is("FOR") || t.is("QUALIFY") {
			return
		}
		p.next()
	}
}

func (p *parser) parseSelectItem() *selectItem {
	start := p.peek().pos
	t := p.peek()
	// T-SQL "@var = expr" assigns instead of returning a column.
	if p.d.name == TSQL && t.kind == tkParam && strings.HasPrefix(t.val, "@") && !strings.HasPrefix(t.val, "@@") &&
		(p.peekAt(1).isOp("=") || len(p.peekAt(1).val) == 2 && p.peekAt(1).kind == tkOp && p.peekAt(1).val[1] == '=' && strings.IndexByte("+-*/%", p.peekAt(1).val[0]) >= 0) {
		p.next()
		p.next()
		it := &selectItem{alias: ptr(p.identOf(t)), pos: start, assign: true}
		estart := p.peek().pos
		it.e = p.parseExpr()
		it.text = p.src[estart:p.toks[p.i-1].end]
		return it
	}
	// T-SQL "alias = expr".
	if p.d.name == TSQL && (t.kind == tkWord && !isReserved(t) || t.kind == tkQIdent) && p.peekAt(1).isOp("=") {
		p.next()
		p.next()
		it := &selectItem{alias: ptr(p.identOf(t)), pos: start}
		estart := p.peek().pos
		it.e = p.parseExpr()
		it.text = p.src[estart:p.toks[p.i-1].end]
		return it
	}
	if t.isOp("*") {
		p.next()
		return &selectItem{star: p.parseStarMods(nil), pos: start}
	}
	// qual.* : a run of name '.' ending in '*'.
	if t.kind == tkWord || t.kind == tkQIdent {
		k := 0
		for (p.peekAt(k).kind == tkWord || p.peekAt(k).kind == tkQIdent) && p.peekAt(k+1).isOp(".") {
			k += 2
		}
		if k > 0 && p.peekAt(k).isOp("*") {
			var qual []ident
			for j := 0; j < k; j += 2 {
				qual = p.appendIdents(qual, p.peekAt(j))
			}
			p.i += k + 1
			return &selectItem{star: p.parseStarMods(qual), pos: start}
		}
	}
	it := &selectItem{pos: start}
	it.e = p.parseExpr()
	it.text = p.src[start:p.toks[p.i-1].end]
	// Spark generators name several output columns at once:
	// posexplode(arr) AS (pos, item).
	if p.d.name == Databricks && p.isKw("AS") && p.peekAt(1).isOp("(") {
		p.next()
		p.next()
		for {
			t := p.next()
			if t.kind != tkWord && t.kind != tkQIdent {
				p.i--
				p.fail("expected a column name, found %s", p.describe(t))
				return it
			}
			it.aliases = append(it.aliases, p.identOf(t))
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		it.alias = &it.aliases[0]
		return it
	}
	it.alias = p.parseSelectAlias()
	return it
}

func ptr[T any](v T) *T { return &v }

// parseSelectAlias reads an optional select-list alias.
func (p *parser) parseSelectAlias() *ident {
	if p.acceptKw("AS") {
		t := p.next()
		switch t.kind {
		case tkWord, tkQIdent:
			return ptr(p.identOf(t))
		case tkString:
			return &ident{name: p.stringValue(t), quoted: true}
		}
		p.i--
		p.fail("expected alias after AS, found %s", p.describe(t))
	}
	t := p.peek()
	if t.kind == tkQIdent || (t.kind == tkWord && !isReserved(t)) {
		p.next()
		return ptr(p.identOf(t))
	}
	if t.kind == tkString && (p.d.name == TSQL || p.d.name == MySQL) {
		p.next()
		return &ident{name: p.stringValue(t), quoted: true}
	}
	return nil
}

// parseStarMods reads EXCEPT/EXCLUDE/REPLACE/RENAME/ILIKE after a star.
func (p *parser) parseStarMods(qual []ident) *starExpr {
	s := &starExpr{qual: qual}
	for {
		switch {
		case (p.isKw("EXCEPT") || p.isKw("EXCLUDE")) && !p.queryAhead(1):
			p.next()
			if p.isOp("(") {
				s.except = append(s.except, p.parseQualIdentList()...)
			} else {
				s.except = append(s.except, p.identOf(p.next()))
			}
		case p.isKw("REPLACE") && p.peekAt(1).isOp("("):
			p.next()
			p.next()
			for !p.isOp(")") {
				start := p.peek().pos
				e := p.parseExpr()
				it := &selectItem{e: e, text: p.src[start:p.toks[p.i-1].end], pos: start}
				p.acceptKw("AS")
				it.alias = ptr(p.identOf(p.next()))
				s.replace = append(s.replace, it)
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		case p.isKw("RENAME"):
			p.next()
			paren := p.acceptOp("(")
			for {
				from := p.parseQualIdent()
				p.expectKw("AS")
				to := p.identOf(p.next())
				s.rename = append(s.rename, [2]ident{from, to})
				if !paren || !p.acceptOp(",") {
					break
				}
			}
			if paren {
				p.expectOp(")")
			}
		case p.isKw("ILIKE") && p.peekAt(1).kind == tkString:
			p.next()
			s.ilike = ptr(p.stringValue(p.next()))
		default:
			return s
		}
	}
}

// parseQualIdent reads a.b.c and returns its last part.
func (p *parser) parseQualIdent() ident {
	id := p.identOf(p.next())
	for p.isOp(".") {
		p.next()
		id = p.identOf(p.next())
	}
	return id
}

func (p *parser) parseQualIdentList() []ident {
	p.expectOp("(")
	var out []ident
	for !p.isOp(")") {
		out = append(out, p.parseQualIdent())
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return out
}

// identOf converts a word or quoted-identifier token to an ident.
func (p *parser) identOf(t *token) ident {
	switch t.kind {
	case tkQIdent:
		return ident{name: t.val, quoted: true}
	case tkWord, tkParam:
		return ident{name: t.val}
	case tkString:
		return ident{name: p.stringValue(t), quoted: true}
	}
	p.fail("expected a name, found %s", p.describe(t))
	return ident{}
}

// appendIdents appends the parts of t to dst; a quoted name with dots is
// several parts where the dialect says so (BigQuery `proj.ds.t`). The
// common single-part case does not allocate.
func (p *parser) appendIdents(dst []ident, t *token) []ident {
	id := p.identOf(t)
	if t.kind == tkQIdent && p.d.splitQuoted && strings.Contains(id.name, ".") {
		return append(dst, splitQuotedIdent(id)...)
	}
	return append(dst, id)
}

func splitQuotedIdent(id ident) []ident {
	var out []ident
	for _, s := range strings.Split(id.name, ".") {
		out = append(out, ident{name: s, quoted: true})
	}
	return out
}

// stringValue returns the body of a simple quoted string token.
func (p *parser) stringValue(t *token) string {
	s := p.src[t.pos:t.end]
	if len(s) >= 2 {
		q := s[len(s)-1]
		if i := strings.IndexByte(s, q); i >= 0 && i < len(s)-1 {
			return unquote(s[i+1:len(s)-1], q)
		}
	}
	return s
}

// parseTableName reads a possibly qualified relation name.
func (p *parser) parseTableName() []ident {
	t := p.peek()
	if t.kind != tkWord && t.kind != tkQIdent && t.kind != tkParam {
		p.fail("expected a table name, found %s", p.describe(t))
	}
	if t.is("NULL") && !p.peekAt(1).isOp(".") {
		// A template placeholder rendered as NULL: the table is unknown.
		p.fail("NULL is not a table name")
	}
	var parts []ident
	for {
		t := p.next()
		if t.kind != tkWord && t.kind != tkQIdent && t.kind != tkParam {
			p.i--
			p.fail("expected a name part, found %s", p.describe(t))
		}
		n0 := len(parts)
		parts = p.appendIdents(parts, t)
		id := parts[n0:]
		for _, x := range id {
			if x.name == "" {
				p.i--
				p.fail("empty name part")
			}
		}
		// BigQuery allows unquoted hyphenated project names: my-proj.ds.t.
		if p.d.name == BigQuery && t.kind == tkWord {
			for p.peek().isOp("-") && p.peek().pos == p.toks[p.i-1].end &&
				(p.peekAt(1).kind == tkWord || p.peekAt(1).kind == tkNumber) && p.peekAt(1).pos == p.peek().end {
				p.next()
				id[0].name += "-" + p.next().val
			}
		}
		if !p.isOp(".") {
			return parts
		}
		p.next()
		// T-SQL db..table skips the schema.
		for p.isOp(".") {
			p.next()
		}
	}
}
