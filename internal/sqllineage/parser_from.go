package sqllineage

import "strings"

// parseFromList reads comma-separated relations with their joins, and any
// Spark LATERAL VIEW clauses that follow them.
func (p *parser) parseFromList() ([]tableExpr, []*lateralView) {
	var items []tableExpr
	var lvs []*lateralView
	for {
		items = append(items, p.parseJoinedLV(&lvs))
		if !p.acceptOp(",") {
			return items, lvs
		}
	}
}

func (p *parser) parseLateralView() *lateralView {
	p.next()
	p.next()
	p.acceptKw("OUTER")
	name := p.parseTableName()
	p.expectOp("(")
	fn := &tableFunc{name: strings.ToLower(name[len(name)-1].name), args: p.parseArgsOrSkip("")}
	lv := &lateralView{fn: fn}
	if t := p.peek(); (t.kind == tkWord && !t.is("AS") && !isReserved(t)) || t.kind == tkQIdent {
		lv.alias = ptr(p.identOf(p.next()))
	}
	if p.acceptKw("AS") {
		for {
			lv.cols = append(lv.cols, p.identOf(p.next()))
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return lv
}

// joinStart reports whether the tokens at the cursor begin a join and
// consumes the join keywords if so. It returns whether a condition may follow
// and whether the join is NATURAL.
func (p *parser) joinStart() (ok, cond, isNatural bool) {
	save := p.i
	natural := p.acceptKw("NATURAL")
	p.acceptKw("GLOBAL")
	switch {
	case p.acceptKw("CROSS", "JOIN"):
		return true, false, natural
	case p.acceptKw("CROSS", "APPLY"), p.acceptKw("OUTER", "APPLY"):
		return true, false, false
	case p.acceptKw("STRAIGHT_JOIN"):
		return true, true, false
	}
	p.acceptKw("ASOF")
	if p.acceptKw("INNER") || p.acceptKw("LEFT") || p.acceptKw("RIGHT") || p.acceptKw("FULL") {
		p.acceptKw("OUTER")
		_ = p.acceptKw("SEMI") || p.acceptKw("ANTI") || p.acceptKw("ASOF")
	} else {
		_ = p.acceptKw("SEMI") || p.acceptKw("ANTI")
	}
	// T-SQL join hints.
	_ = p.acceptKw("HASH") || p.acceptKw("LOOP") || p.acceptKw("MERGE") || p.acceptKw("REMOTE")
	if p.acceptKw("JOIN") {
		return true, !natural, natural
	}
	p.i = save
	return false, false, false
}

// parseJoinedLV reads a relation and its joins; Spark LATERAL VIEW clauses
// may sit between the joins and are collected into lvs.
func (p *parser) parseJoinedLV(lvs *[]*lateralView) tableExpr {
	left := p.parseTableItem()
	for {
		for p.isKw("LATERAL") && p.peekAt(1).is("VIEW") {
			*lvs = append(*lvs, p.parseLateralView())
		}
		// ClickHouse [LEFT] ARRAY JOIN arr [AS a], …: an UNNEST per array.
		if p.acceptKw("ARRAY", "JOIN") || p.acceptKw("LEFT", "ARRAY", "JOIN") || p.acceptKw("INNER", "ARRAY", "JOIN") {
			for {
				fn := &tableFunc{name: "unnest", args: []expr{p.parseExpr()}}
				if a := p.parseOptAlias(false); a != nil {
					fn.alias = a.name
				}
				left = &joinExpr{left: left, right: fn}
				if !p.acceptOp(",") {
					break
				}
			}
			continue
		}
		ok, cond, natural := p.joinStart()
		if !ok {
			return left
		}
		j := &joinExpr{left: left, right: p.parseTableItem(), natural: natural}
		if cond {
			if p.acceptKw("MATCH_CONDITION") {
				p.expectOp("(")
				j.on = p.parseExpr()
				p.expectOp(")")
			}
			if p.acceptKw("ON") {
				on := p.parseExpr()
				if j.on != nil {
					on = &opExpr{kids: []expr{j.on, on}}
				}
				j.on = on
			} else if p.acceptKw("USING") {
				j.using = p.parseIdentList()
			}
		}
		left = j
	}
}

// parseTableItem reads one relation with PIVOT/UNPIVOT and sampling suffixes.
func (p *parser) parseTableItem() tableExpr {
	p.enter()
	defer p.leave()
	t := p.parseTablePrimary()
	for {
		switch {
		case (p.isKw("PIVOT") || p.isKw("UNPIVOT")) && (p.peekAt(1).isOp("(") || p.peekAt(1).is("INCLUDE") || p.peekAt(1).is("EXCLUDE")):
			t = p.parsePivot(t)
		case (p.isKw("TABLESAMPLE") || p.isKw("SAMPLE")) && (p.peekAt(1).isOp("(") || p.peekAt(1).kind == tkWord):
			p.next()
			for !p.isOp("(") && !p.atEnd() {
				p.next()
			}
			if p.isOp("(") {
				p.skipBalanced()
			}
			if p.acceptKw("REPEATABLE") || p.acceptKw("SEED") {
				p.skipBalanced()
			}
			if a := p.parseOptAlias(true); a != nil {
				setAlias(t, a)
			}
		case p.isKw("WITH") && p.peekAt(1).isOp("(") && !p.queryAhead(2):
			// T-SQL table hints: WITH (NOLOCK).
			p.next()
			p.skipBalanced()
		case (p.isKw("USE") || p.isKw("FORCE") || p.isKw("IGNORE")) && (p.peekAt(1).is("INDEX") || p.peekAt(1).is("KEY")):
			// MySQL index hints.
			p.next()
			p.next()
			if p.acceptKw("FOR") {
				_ = p.acceptKw("JOIN") || p.acceptKw("ORDER", "BY") || p.acceptKw("GROUP", "BY")
			}
			if p.isOp("(") {
				p.skipBalanced()
			}
		case p.isKw("FINAL"):
			p.next()
		case p.isKw("MATCH_RECOGNIZE") && p.peekAt(1).isOp("("):
			// Row pattern matching: the relation it reads is certain, the
			// columns it produces (measures, partitions) are not analysed.
			at := position(p.src, int(p.peek().pos))
			p.next()
			if !p.balancedAhead() {
				p.fail("unbalanced MATCH_RECOGNIZE")
			}
			o := &opaqueTable{src: t, what: "MATCH_RECOGNIZE", subs: p.skipCollecting()}
			if a := p.parseOptAlias(false); a != nil {
				o.alias = a.name
			}
			p.skipped = append(p.skipped, "MATCH_RECOGNIZE at "+at+" skipped: its output columns are unknown")
			t = o
		default:
			return t
		}
	}
}

// setAlias records an alias found after a suffix such as TABLESAMPLE.
func setAlias(t tableExpr, a *aliasSpec) {
	switch x := t.(type) {
	case *tableRef:
		x.alias, x.cols = a.name, a.cols
	case *derivedTable:
		x.alias, x.cols = a.name, a.cols
	case *tableFunc:
		x.alias, x.cols = a.name, a.cols
	case *valuesTable:
		x.alias, x.cols = a.name, a.cols
	case *pivotTable:
		x.alias, x.cols = a.name, a.cols
	case *opaqueTable:
		x.alias = a.name
	}
}

type aliasSpec struct {
	name *ident
	cols []ident
}

// parseOptAlias reads "[AS] alias [(cols)]" after a relation.
func (p *parser) parseOptAlias(withCols bool) *aliasSpec {
	var name *ident
	if p.acceptKw("AS") {
		name = ptr(p.identOf(p.next()))
	} else if t := p.peek(); t.kind == tkQIdent || (t.kind == tkWord && !isReserved(t) && !p.relationSuffix()) {
		name = ptr(p.identOf(p.next()))
	}
	if name == nil {
		return nil
	}
	a := &aliasSpec{name: name}
	if withCols && p.isOp("(") {
		a.cols = p.parseIdentList()
	}
	return a
}

// relationSuffix reports words that follow a relation without being an
// alias in some dialect (Snowflake AT(...), SAMPLE(...), T-SQL hints …).
func (p *parser) relationSuffix() bool {
	t := p.peek()
	nx := p.peekAt(1)
	switch {
	case (t.is("AT") || t.is("BEFORE") || t.is("CHANGES") || t.is("SAMPLE") || t.is("TABLESAMPLE")) && nx.isOp("("):
		return true
	case t.is("SAMPLE") && (nx.is("BERNOULLI") || nx.is("SYSTEM") || nx.is("BLOCK") || nx.is("ROW")):
		return true
	case t.is("FINAL") || t.is("NOLOCK"):
		return true
	case (t.is("USE") || t.is("FORCE") || t.is("IGNORE")) && (nx.is("INDEX") || nx.is("KEY")):
		return true
	case (t.is("PIVOT") || t.is("UNPIVOT")) && (nx.isOp("(") || nx.is("INCLUDE") || nx.is("EXCLUDE")):
		return true
	case (t.is("TIMESTAMP") || t.is("VERSION")) && nx.is("AS"):
		return true
	}
	return false
}

func (p *parser) parseTablePrimary() tableExpr {
	t := p.peek()
	switch {
	case t.is("LATERAL"):
		p.next()
		if p.isOp("(") {
			return p.parseDerived()
		}
		return p.parseTableFuncOrRef()
	case t.isOp("("):
		if p.queryAhead(1) && !p.peekAt(1).is("VALUES") {
			return p.parseDerived()
		}
		if p.peekAt(1).is("VALUES") {
			p.next()
			v := p.parseValues()
			p.expectOp(")")
			vt := &valuesTable{v: v}
			if a := p.parseOptAlias(true); a != nil {
				vt.alias, vt.cols = a.name, a.cols
			}
			return vt
		}
		// Parenthesised join.
		p.next()
		items, _ := p.parseFromList()
		p.expectOp(")")
		inner := items[0]
		for _, it := range items[1:] {
			inner = &joinExpr{left: inner, right: it}
		}
		if a := p.parseOptAlias(true); a != nil {
			// An aliased parenthesised join behaves like a derived table
			// over its columns; keep the alias on a wrapper.
			return &derivedTable{q: &selectQuery{items: []*selectItem{{star: &starExpr{}}}, from: []tableExpr{inner}}, alias: a.name, cols: a.cols}
		}
		return inner
	case t.is("VALUES"):
		v := p.parseValues()
		vt := &valuesTable{v: v}
		if a := p.parseOptAlias(true); a != nil {
			vt.alias, vt.cols = a.name, a.cols
		}
		return vt
	case t.is("TABLE") && p.peekAt(1).isOp("("):
		p.next()
		p.next()
		var fn *tableFunc
		if p.peek().kind == tkWord || p.peek().kind == tkQIdent {
			name := p.parseTableName()
			if p.isOp("(") {
				p.next()
				fn = &tableFunc{name: strings.ToLower(name[len(name)-1].name), args: p.parseArgsOrSkip(strings.ToLower(name[len(name)-1].name))}
			}
		}
		if fn == nil {
			fn = &tableFunc{name: "table", args: []expr{p.parseExpr()}}
		}
		p.expectOp(")")
		fn.wrappedT = true
		p.tableFuncSuffix(fn)
		return fn
	case t.is("ONLY") && (p.peekAt(1).kind == tkWord || p.peekAt(1).kind == tkQIdent):
		p.next()
	}
	return p.parseTableFuncOrRef()
}

func (p *parser) parseDerived() tableExpr {
	p.expectOp("(")
	q := p.parseQuery()
	p.expectOp(")")
	d := &derivedTable{q: q}
	if a := p.parseOptAlias(true); a != nil {
		d.alias, d.cols = a.name, a.cols
	}
	return d
}

func (p *parser) parseTableFuncOrRef() tableExpr {
	if p.d.name == Snowflake && p.peek().kind == tkParam && strings.HasPrefix(p.peek().val, "@") {
		return p.parseStage()
	}
	name := p.parseTableName()
	if p.d.name == TSQL && p.isOp("(") && tsqlTableHints[strings.ToUpper(p.peekAt(1).val)] && p.peekAt(1).kind == tkWord {
		// Old-style T-SQL hint without WITH: dbo.orders (NOLOCK).
		p.skipBalanced()
	}
	if p.isOp("(") {
		lname := strings.ToLower(name[len(name)-1].name)
		if lname == "identifier" && len(name) == 1 {
			if ref := p.parseIdentifierFunc(); ref != nil {
				return ref
			}
		}
		p.next()
		if lname == "json_table" {
			return p.parseJSONTable()
		}
		fn := &tableFunc{name: lname, args: p.parseArgsOrSkip(lname)}
		if lname == "openjson" && p.isKw("WITH") && p.peekAt(1).isOp("(") {
			p.next()
			fn.cols = p.parseColumnDefs()
		}
		p.tableFuncSuffix(fn)
		return fn
	}
	r := &tableRef{parts: name}
	// Time travel and versioning clauses before the alias.
	for {
		switch {
		case (p.isKw("AT") || p.isKw("BEFORE") || p.isKw("CHANGES")) && p.peekAt(1).isOp("("):
			p.next()
			p.next()
			r.extra = append(r.extra, p.parseArgsOrSkip("")...)
			continue
		case p.isKw("FOR") && (p.peekAt(1).is("SYSTEM_TIME") || p.peekAt(1).is("SYSTEM") || p.peekAt(1).is("TIMESTAMP") || p.peekAt(1).is("VERSION")):
			p.next()
			for !p.isKw("OF") && !p.atEnd() {
				p.next()
			}
			p.expectKw("OF")
			r.extra = append(r.extra, p.parseExpr())
			continue
		case (p.isKw("TIMESTAMP") || p.isKw("VERSION")) && p.peekAt(1).is("AS") && p.peekAt(2).is("OF"):
			p.next()
			p.next()
			p.next()
			r.extra = append(r.extra, p.parseExpr())
			continue
		case p.isKw("FINAL"):
			p.next()
			continue
		}
		break
	}
	if a := p.parseOptAlias(true); a != nil {
		r.alias, r.cols = a.name, a.cols
	}
	return r
}

// tableFuncSuffix reads WITH ORDINALITY, the alias and BigQuery WITH OFFSET.
func (p *parser) tableFuncSuffix(fn *tableFunc) {
	if p.acceptKw("WITH", "ORDINALITY") {
		fn.withOrd = true
	}
	if a := p.parseOptAlias(true); a != nil {
		fn.alias = a.name
		if a.cols != nil {
			fn.cols = a.cols
		}
	}
	if p.acceptKw("WITH", "OFFSET") {
		id := ident{name: "offset"}
		if a := p.parseOptAlias(false); a != nil {
			id = *a.name
		}
		fn.ordinal = &id
	}
}

func (p *parser) parsePivot(src tableExpr) tableExpr {
	pv := &pivotTable{src: src, unpivot: p.isKw("UNPIVOT")}
	p.next()
	if p.acceptKw("INCLUDE") || p.acceptKw("EXCLUDE") {
		p.expectKw("NULLS")
	}
	p.expectOp("(")
	if pv.unpivot {
		if p.isOp("(") {
			pv.valCols = p.parseIdentList()
		} else {
			pv.valCols = []ident{p.identOf(p.next())}
		}
		p.expectKw("FOR")
		if p.isOp("(") {
			pv.nameCol = p.parseIdentList()
		} else {
			pv.nameCol = []ident{p.identOf(p.next())}
		}
		p.expectKw("IN")
		p.expectOp("(")
		for !p.isOp(")") {
			start := p.peek().pos
			var e expr
			if p.isOp("(") {
				e = p.parsePrimary()
			} else {
				e = p.parseExpr()
			}
			it := &selectItem{e: e, text: p.src[start:p.toks[p.i-1].end], pos: start}
			if p.acceptKw("AS") {
				p.next()
			} else if p.peek().kind == tkString {
				p.next()
			}
			pv.in = append(pv.in, it)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	} else {
		for {
			pv.aggs = append(pv.aggs, p.parseAliasedItem())
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectKw("FOR")
		if p.isOp("(") {
			p.next()
			for !p.isOp(")") {
				pv.forCol = append(pv.forCol, p.parseExpr())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		} else {
			pv.forCol = []expr{p.parsePostfix(p.parsePrimary())}
		}
		p.expectKw("IN")
		p.expectOp("(")
		if p.isKw("ANY") || p.queryAhead(0) {
			pv.anyIn = true
			for !p.isOp(")") && !p.atEnd() {
				if p.isOp("(") {
					p.skipBalanced()
					continue
				}
				p.next()
			}
		}
		for !p.isOp(")") {
			pv.in = append(pv.in, p.parseAliasedItem())
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		p.acceptKw("DEFAULT", "ON", "NULL")
		if p.isOp("(") {
			p.skipBalanced()
		}
	}
	p.expectOp(")")
	if a := p.parseOptAlias(true); a != nil {
		pv.alias, pv.cols = a.name, a.cols
	}
	return pv
}

// tsqlTableHints start a parenthesised T-SQL table hint list.
var tsqlTableHints = map[string]bool{
	"NOLOCK": true, "READUNCOMMITTED": true, "UPDLOCK": true, "HOLDLOCK": true, "ROWLOCK": true, "PAGLOCK": true,
	"TABLOCK": true, "TABLOCKX": true, "NOWAIT": true, "READPAST": true, "XLOCK": true, "SERIALIZABLE": true,
	"REPEATABLEREAD": true, "READCOMMITTED": true, "INDEX": true, "FORCESEEK": true, "FORCESCAN": true, "NOEXPAND": true,
}

// parseStage reads a Snowflake stage in FROM (@stage/path, @~, @%table)
// with its optional (FILE_FORMAT => …, PATTERN => …) options. Staged files
// are not tables: the relation's columns ($1, $2, …) read no table column.
func (p *parser) parseStage() tableExpr {
	p.next()
	// The path runs on without spaces: @s/2024/01/, @~/x, @%orders.
	for t := p.peek(); t.kind != tkEOF && t.pos == p.toks[p.i-1].end && !t.isOp("(") && !t.isOp(",") &&
		!t.isOp(")") && !t.isOp(";"); t = p.peek() {
		p.next()
	}
	if p.isOp("(") {
		p.skipBalanced()
	}
	fn := &tableFunc{name: "stage", stage: true}
	if a := p.parseOptAlias(false); a != nil {
		fn.alias = a.name
	}
	return fn
}

// parseIdentifierFunc reads Snowflake IDENTIFIER('db.sch.t') at "(" as the
// table it names. A name held in a variable (IDENTIFIER($t), :t) is
// unknown: it returns nil and the call is read as an unknown table function.
func (p *parser) parseIdentifierFunc() tableExpr {
	t := p.peekAt(1)
	if t.kind != tkString || !p.peekAt(2).isOp(")") {
		p.skipped = append(p.skipped, "IDENTIFIER(…) at "+position(p.src, int(p.peek().pos))+" names its table through a variable: the table is unknown")
		return nil
	}
	parts := splitObjectName(p.stringValue(t))
	if len(parts) == 0 {
		return nil
	}
	p.next()
	p.next()
	p.next()
	r := &tableRef{parts: parts}
	if a := p.parseOptAlias(true); a != nil {
		r.alias, r.cols = a.name, a.cols
	}
	return r
}

// splitObjectName splits a name given as text (db.sch."My Table") into
// parts, honouring double quotes.
func splitObjectName(s string) []ident {
	var out []ident
	for len(s) > 0 {
		if s[0] == '"' {
			j, err := scanQuoted(s, 0, '"', false)
			if err != nil {
				return nil
			}
			out = append(out, ident{name: unquote(s[1:j-1], '"'), quoted: true})
			s = s[j:]
		} else {
			j := strings.IndexByte(s, '.')
			if j < 0 {
				j = len(s)
			}
			part := strings.TrimSpace(s[:j])
			if part == "" {
				return nil
			}
			out = append(out, ident{name: part})
			s = s[j:]
		}
		if len(s) > 0 {
			if s[0] != '.' {
				return nil
			}
			s = s[1:]
		}
	}
	return out
}

// parseJSONTable reads JSON_TABLE(doc, path COLUMNS (name type PATH '…', …))
// after "(": each declared column reads the JSON document.
func (p *parser) parseJSONTable() tableExpr {
	start := p.i
	fn := &tableFunc{name: "json_table"}
	ok := func() (ok bool) {
		defer func() {
			if r := recover(); r != nil {
				if _, isPE := r.(*parseError); !isPE {
					panic(r)
				}
				ok = false
			}
		}()
		fn.args = append(fn.args, p.parseExpr())
		for p.acceptOp(",") {
			p.parseExpr() // the path: a literal
		}
		p.expectKw("COLUMNS")
		fn.cols = p.parseColumnDefs()
		for !p.isOp(")") && !p.atEnd() {
			p.next() // ERROR/EMPTY handling clauses
		}
		p.expectOp(")")
		return true
	}()
	if !ok {
		p.i = start
		fn.args, fn.cols = p.parseArgsOrSkip("json_table"), nil
	}
	p.tableFuncSuffix(fn)
	return fn
}

// parseAliasedItem parses an expression with an optional alias (a PIVOT
// aggregate or IN value), keeping its text for naming.
func (p *parser) parseAliasedItem() *selectItem {
	start := p.peek().pos
	e := p.parseExpr()
	it := &selectItem{e: e, text: p.src[start:p.toks[p.i-1].end], pos: start}
	it.alias = p.parseSelectAlias()
	return it
}
