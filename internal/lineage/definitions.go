package lineage

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// maxDefinitionDepth bounds nested definition expansion, as Mode-aware peers
// do: deeper nesting is almost certainly a cycle the name check missed.
const maxDefinitionDepth = 10

// definitionRef matches a definition reference: {{ @name }} or
// {{ @name AS alias }} with any spacing and any case of "as". The inner part
// is parsed separately so odd spellings still get a warning, not silence.
var definitionRef = regexp.MustCompile(`\{\{-?\s*@([^{}]*?)\s*-?\}\}`)

// definitionInner splits the inside of a reference into name and alias.
var definitionInner = regexp.MustCompile(`(?i)^([\w$.-]+)(?:\s+as\s+([\w$"` + "`" + `]+))?$`)

// definitionExpander expands {{ @name }} references against a set of
// definitions. It is created per query, so it holds per-query state.
type definitionExpander struct {
	defs     map[string]string // exact name → SQL
	defsFold map[string]string // lower-cased name → SQL, fallback lookup
	used     map[string]bool
	warnings []string
}

func newDefinitionExpander(defs map[string]string) *definitionExpander {
	fold := make(map[string]string, len(defs))
	for name, sql := range defs {
		fold[strings.ToLower(name)] = sql
	}
	return &definitionExpander{defs: defs, defsFold: fold, used: map[string]bool{}}
}

// lookup finds a definition by exact name, then case-insensitively: Mode
// names are unique per workspace, and hand-written references sometimes
// differ in case.
func (e *definitionExpander) lookup(name string) (string, bool) {
	if sql, ok := e.defs[name]; ok {
		return sql, true
	}
	sql, ok := e.defsFold[strings.ToLower(name)]
	return sql, ok
}

// expand replaces every definition reference in sql. stack holds the names
// being expanded, for cycle detection.
func (e *definitionExpander) expand(sql string, stack []string) string {
	if !strings.Contains(sql, "@") {
		return sql
	}
	return definitionRef.ReplaceAllStringFunc(sql, func(ref string) string {
		inner := strings.TrimSpace(definitionRef.FindStringSubmatch(ref)[1])
		m := definitionInner.FindStringSubmatch(inner)
		if m == nil {
			e.warnf("unrecognised definition reference %q left as written", ref)
			return ref
		}
		name, alias := m[1], m[2]
		plain := name
		if alias != "" {
			plain = name + " AS " + alias
		}
		body, ok := e.lookup(name)
		switch {
		case !ok:
			e.warnf("unknown definition %q: read as table %s", name, name)
			return plain
		case contains(stack, name):
			e.warnf("definition cycle %s -> %s: left as table %s", strings.Join(stack, " -> "), name, name)
			return plain
		case len(stack) >= maxDefinitionDepth:
			e.warnf("definition %q nested deeper than %d: left as table %s", name, maxDefinitionDepth, name)
			return plain
		}
		e.used[name] = true
		inner = e.expand(unescapeDefinition(body), append(stack, name))
		// The newline before ")" keeps a trailing "-- comment" in the body
		// from swallowing the closing parenthesis.
		if alias != "" {
			return "(" + inner + "\n) AS " + alias
		}
		return "(" + inner + "\n)"
	})
}

func (e *definitionExpander) warnf(format string, args ...any) {
	e.warnings = append(e.warnings, fmt.Sprintf(format, args...))
}

// usedNames returns the expanded definition names, sorted.
func (e *definitionExpander) usedNames() []string {
	if len(e.used) == 0 {
		return nil
	}
	out := make([]string, 0, len(e.used))
	for n := range e.used {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// unescapeDefinition turns the literal "\n", "\r" and "\t" text some Mode
// responses carry in a definition's source into real whitespace. Without it
// a "-- comment\nFROM t" body would comment out its own FROM clause.
func unescapeDefinition(sql string) string {
	if !strings.Contains(sql, `\`) {
		return sql
	}
	return definitionEscapes.Replace(sql)
}

var definitionEscapes = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\t`, "\t", `\r`, "\n")

// ExpandDefinitions expands the {{ @name }} references in sql against defs
// (name → SQL) and returns the expanded SQL, the names of the definitions
// used (sorted) and warnings for unknown, cyclic or too deeply nested ones.
func ExpandDefinitions(sql string, defs map[string]string) (expanded string, used, warnings []string) {
	e := newDefinitionExpander(defs)
	expanded = e.expand(sql, nil)
	return expanded, e.usedNames(), e.warnings
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
