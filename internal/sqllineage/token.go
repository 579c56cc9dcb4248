package sqllineage

import (
	"fmt"
	"strings"
)

// tokKind classifies a token.
type tokKind uint8

const (
	tkEOF    tokKind = iota
	tkWord           // unquoted identifier or keyword
	tkQIdent         // quoted identifier ("x", `x`, [x]); val holds the unquoted text
	tkString         // string literal of any form
	tkNumber         // numeric literal
	tkParam          // placeholder or variable: ?, %s, :name, $1, @var, @@var
	tkOp             // operator or punctuation; val holds its text
)

// token is one lexical unit. pos/end are byte offsets into the source so the
// parser can recover the text of an expression for column naming.
type token struct {
	val string
	// 32-bit offsets keep a token at 32 bytes instead of 40; Analyze
	// rejects texts of 2 GiB or more.
	pos  int32
	end  int32
	kind tokKind
}

// maxSource is the longest text the tokenizer accepts.
const maxSource = 1<<31 - 1

// is reports whether t is the unquoted word kw (case-insensitive).
func (t *token) is(kw string) bool {
	return t.kind == tkWord && len(t.val) == len(kw) && strings.EqualFold(t.val, kw)
}

// isOp reports whether t is the operator op.
func (t *token) isOp(op string) bool { return t.kind == tkOp && t.val == op }

// lexError is a tokenizer failure such as an unterminated string.
type lexError struct {
	pos int
	msg string
}

func (e *lexError) Error() string { return fmt.Sprintf("tokenize at offset %d: %s", e.pos, e.msg) }

// multi-character operators, longest first within each leading byte so a
// simple prefix scan finds the longest match.
var multiOps = [...]string{
	"->>", "#>>", "<=>", "!~*", "||/", "<<=", ">>=",
	"->", "#>", "#-", "||", "::", "<=", ">=", "<>", "!=", "==", "=>", "<<", ">>",
	"@>", "<@", "@@", ":=", "&&", "~*", "!~", "**", "|/", "?|", "?&", "^=", "+=", "-=", "*=", "/=", "%=",
}

// unicodeSpace returns the byte length of a BOM, no-break space or
// zero-width space at the start of s, or 0.
func unicodeSpace(s string) int {
	for _, sp := range [...]string{"\u00a0", "\ufeff", "\u200b", "\u2009", "\u202f", "\u3000"} {
		if strings.HasPrefix(s, sp) {
			return len(sp)
		}
	}
	return 0
}

// opLen returns the length of the operator at i: the longest entry of
// multiOps that matches, else 1. Only candidates sharing the first byte are
// compared, which keeps operator-heavy SQL fast.
func opLen(src string, i int) int {
	c := src[i]
	if i+1 >= len(src) || strings.IndexByte("-#<!|>:=@&~*?^+/%", c) < 0 {
		return 1
	}
	for _, m := range multiOps {
		if m[0] == c && strings.HasPrefix(src[i:], m) {
			return len(m)
		}
	}
	return 1
}

func isWordStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isWordChar(c byte) bool {
	return isWordStart(c) || (c >= '0' && c <= '9') || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenize splits src into tokens for dialect d. Comments and whitespace are
// dropped; a T-SQL GO line becomes a ";" token. The final token is tkEOF.
func tokenize(src string, d *dialect) ([]token, error) {
	return tokenizeLimited(src, d, nil)
}

// tokenizeLimited is tokenize with cooperative cancellation: lim (if not
// nil) is consulted every few thousand tokens.
func tokenizeLimited(src string, d *dialect, lim *limiter) ([]token, error) {
	toks := make([]token, 0, estimateTokens(src))
	i, n := 0, len(src)
	lineStart := true // only whitespace seen since the last newline (for GO)
	for i < n {
		if lim != nil && len(toks)&4095 == 4095 {
			lim.check()
		}
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c >= 0xC2 && unicodeSpace(src[i:]) > 0:
			// Byte-order marks, no-break and zero-width spaces pasted into
			// report SQL separate tokens like ordinary spaces.
			i += unicodeSpace(src[i:])
			continue
		case c == '-' && i+1 < n && src[i+1] == '-':
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && d.slashComment && i+1 < n && src[i+1] == '/':
			// Snowflake's // line comment; strings were consumed whole
			// before reaching here, so a URL inside one is safe.
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case c == '#' && d.hashComment:
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < n && src[i+1] == '*':
			j, err := skipBlockComment(src, i, d.nestedComments)
			if err != nil {
				return toks, err
			}
			i = j
			continue
		}
		wasLineStart := lineStart
		lineStart = false
		start := i
		switch {
		case c == '\'':
			if d.bqStrings && strings.HasPrefix(src[i:], "'''") {
				j, err := scanTriple(src, i, "'''")
				if err != nil {
					return toks, err
				}
				toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(j)})
				i = j
				continue
			}
			j, err := scanQuoted(src, i, '\'', d.backslash)
			if err != nil {
				return toks, err
			}
			toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(j)})
			i = j
		case c == '"':
			if d.bqStrings && strings.HasPrefix(src[i:], `"""`) {
				j, err := scanTriple(src, i, `"""`)
				if err != nil {
					return toks, err
				}
				toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(j)})
				i = j
				continue
			}
			j, err := scanQuoted(src, i, '"', d.dqString && d.backslash)
			if err != nil {
				return toks, err
			}
			if d.dqString {
				toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(j)})
			} else {
				toks = append(toks, token{kind: tkQIdent, pos: int32(start), end: int32(j), val: unquote(src[i+1:j-1], '"')})
			}
			i = j
		case c == '`' && d.backtick:
			j, err := scanQuoted(src, i, '`', false)
			if err != nil {
				return toks, err
			}
			toks = append(toks, token{kind: tkQIdent, pos: int32(start), end: int32(j), val: unquote(src[i+1:j-1], '`')})
			i = j
		case c == '[' && d.brackets:
			// T-SQL has no array subscripts: [ always quotes a name.
			// ]] escapes a ] inside a bracketed name.
			k := i + 1
			var b strings.Builder
			for {
				j := strings.IndexByte(src[k:], ']')
				if j < 0 {
					return toks, &lexError{start, "unterminated [identifier]"}
				}
				b.WriteString(src[k : k+j])
				k += j + 1
				if k < n && src[k] == ']' {
					b.WriteByte(']')
					k++
					continue
				}
				break
			}
			toks = append(toks, token{kind: tkQIdent, pos: int32(start), end: int32(k), val: b.String()})
			i = k
		case c == '$' && d.dollar && dollarTagAt(src, i) > 0:
			tl := dollarTagAt(src, i)
			tag := src[i : i+tl]
			j := strings.Index(src[i+tl:], tag)
			if j < 0 {
				return toks, &lexError{start, "unterminated dollar-quoted string"}
			}
			i += tl + j + tl
			toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(i)})
		case c == '$' && i+1 < n && (isDigit(src[i+1]) || isWordStart(src[i+1])):
			// $1 positional parameters and Snowflake $session_variables.
			j := i + 1
			for j < n && isWordChar(src[j]) && src[j] != '$' {
				j++
			}
			toks = append(toks, token{kind: tkParam, pos: int32(start), end: int32(j), val: src[i:j]})
			i = j
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(src[i+1]) && !prevIsValue(toks, src, i)):
			j := scanNumber(src, i)
			if d.name == Databricks {
				j = sparkNumberSuffix(src, j)
			}
			toks = append(toks, token{kind: tkNumber, pos: int32(start), end: int32(j), val: src[i:j]})
			i = j
		case isWordStart(c) || (c == '#' && d.hashIdent && i+1 < n && (src[i+1] == '#' || isWordStart(src[i+1]))):
			// String prefixes: E'..' N'..' X'..' B'..' R'..' and combinations.
			if maybePrefixed(src, i) {
				if j, ok := prefixedString(src, i, d); ok {
					toks = append(toks, token{kind: tkString, pos: int32(start), end: int32(j)})
					i = j
					continue
				}
			}
			j := i + 1
			for j < n && (isWordChar(src[j]) || (src[j] == '#' && d.hashIdent)) {
				if src[j] >= 0xC2 && unicodeSpace(src[j:]) > 0 {
					break
				}
				j++
			}
			w := src[i:j]
			if d.goSeparator && wasLineStart && strings.EqualFold(w, "GO") && restOfLineBlank(src, j) {
				toks = append(toks, token{kind: tkOp, pos: int32(start), end: int32(j), val: ";"})
				// GO n repeats the batch; the count is not SQL.
				for j < n && src[j] != '\n' && src[j] != '-' {
					j++
				}
				i = j
				continue
			}
			toks = append(toks, token{kind: tkWord, pos: int32(start), end: int32(j), val: w})
			i = j
		case c == '@' && (i+1 >= n || src[i+1] != '>' && (src[i+1] != '@' || i+2 < n && isWordStart(src[i+2]))):
			// @var, @@var, Snowflake @stage; "@>" and a lone "@@" are
			// Postgres operators, handled below.
			j := i + 1
			for j < n && src[j] == '@' {
				j++
			}
			for j < n && (isWordChar(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, token{kind: tkParam, pos: int32(start), end: int32(j), val: src[i:j]})
			i = j
		case c == '%' && i+1 < n && (src[i+1] == 's' && (i+2 >= n || !isWordChar(src[i+2])) || src[i+1] == '(' && pyFormatAt(src, i)):
			j := i + 2
			if src[i+1] == '(' {
				j = i + strings.IndexByte(src[i:], ')') + 2
			}
			toks = append(toks, token{kind: tkParam, pos: int32(start), end: int32(j), val: src[i:j]})
			i = j
		default:
			l := opLen(src, i)
			toks = append(toks, token{kind: tkOp, pos: int32(start), end: int32(i + l), val: src[i : i+l]})
			i += l
		}
	}
	toks = append(toks, token{kind: tkEOF, pos: int32(n), end: int32(n)})
	return toks, nil
}

// Byte classes for estimateTokens.
const (
	bcPunct = iota
	bcSpace
	bcWord
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			t[c] = bcSpace
		case isWordChar(byte(c)) || c == '#' || c == '@':
			t[c] = bcWord
		}
	}
	return t
}()

// estimateTokens bounds the number of tokens in src from above for
// ordinary SQL (a word run or a punctuation byte starts at most one
// token), so the token slice is allocated once at about its final size:
// the slice is the tokenizer's only large allocation, and a fixed
// bytes-per-token guess either wastes a third of it or regrows it.
func estimateTokens(src string) int {
	n := 0
	inWord := false
	for i := 0; i < len(src); i++ {
		switch byteClass[src[i]] {
		case bcSpace:
			inWord = false
		case bcWord:
			if !inWord {
				n++
			}
			inWord = true
		default:
			n++
			inWord = false
		}
	}
	return n + 1
}

// prevIsValue reports whether the token before offset i ends right at i and is
// a value, so ".5" after "t" is member access rather than a number.
func prevIsValue(toks []token, src string, i int) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	if int(t.end) != i {
		return false
	}
	return t.kind == tkWord || t.kind == tkQIdent || t.isOp(")") || t.isOp("]")
}

func restOfLineBlank(src string, j int) bool {
	for j < len(src) && src[j] != '\n' {
		c := src[j]
		if c != ' ' && c != '\t' && c != '\r' && !isDigit(c) {
			return strings.HasPrefix(src[j:], "--")
		}
		j++
	}
	return true
}

func pyFormatAt(src string, i int) bool {
	j := strings.IndexByte(src[i:], ')')
	if j < 0 || i+j+1 >= len(src) || src[i+j+1] != 's' {
		return false
	}
	for _, c := range []byte(src[i+2 : i+j]) {
		if !isWordChar(c) {
			return false
		}
	}
	return true
}

// dollarTagAt returns the length of a $tag$ opener at i, or 0.
func dollarTagAt(src string, i int) int {
	j := i + 1
	for j < len(src) && (isWordStart(src[j]) || (j > i+1 && isDigit(src[j]))) {
		j++
	}
	if j < len(src) && src[j] == '$' {
		return j - i + 1
	}
	return 0
}

func skipBlockComment(src string, i int, nested bool) (int, error) {
	depth := 0
	n := len(src)
	start := i
	for i < n {
		if i+1 < n && src[i] == '/' && src[i+1] == '*' {
			if depth == 0 || nested {
				depth++
			}
			i += 2
			continue
		}
		if i+1 < n && src[i] == '*' && src[i+1] == '/' {
			depth--
			i += 2
			if depth == 0 {
				return i, nil
			}
			continue
		}
		i++
	}
	return n, &lexError{start, "unterminated block comment"}
}

// scanQuoted scans a q-quoted run starting at i (src[i]==q) where a doubled q
// escapes q, and, if backslash, \ escapes the next byte. It returns the offset
// just past the closing quote.
func scanQuoted(src string, i int, q byte, backslash bool) (int, error) {
	n := len(src)
	j := i + 1
	for j < n {
		c := src[j]
		if backslash && c == '\\' {
			j += 2
			continue
		}
		if c == q {
			if j+1 < n && src[j+1] == q {
				j += 2
				continue
			}
			return j + 1, nil
		}
		j++
	}
	return n, &lexError{i, "unterminated quoted text"}
}

func scanTriple(src string, i int, q string) (int, error) {
	j := strings.Index(src[i+3:], q)
	if j < 0 {
		return len(src), &lexError{i, "unterminated triple-quoted string"}
	}
	return i + 3 + j + 3, nil
}

// maybePrefixed is a cheap pre-check for prefixedString: a quote (or U&)
// must follow within two bytes.
func maybePrefixed(src string, i int) bool {
	for k := i + 1; k <= i+2 && k < len(src); k++ {
		if c := src[k]; c == '\'' || c == '"' || c == '&' {
			return true
		}
	}
	return false
}

// prefixedString recognises literals such as E'..', N'..', X'..', B'..',
// r'..', rb'..', b"..", U&'..' and returns the offset past them.
func prefixedString(src string, i int, d *dialect) (int, bool) {
	n := len(src)
	j := i
	for j < n && j-i < 2 && strings.IndexByte("eEnNxXbBrRuU", src[j]) >= 0 {
		j++
	}
	if j == i {
		return 0, false
	}
	pre := strings.ToLower(src[i:j])
	if pre == "u" && j+1 < n && src[j] == '&' {
		j++
		pre = "u&"
	}
	if j >= n || (src[j] != '\'' && (src[j] != '"' || !d.dqString)) {
		return 0, false
	}
	switch pre {
	case "e", "n", "x", "b", "u&", "r", "rb", "br":
	default:
		return 0, false
	}
	raw := strings.Contains(pre, "r")
	if (pre == "r" || pre == "rb" || pre == "br" || pre == "b") && !d.bqStrings {
		if pre != "b" {
			return 0, false
		}
	}
	q := src[j]
	if d.bqStrings && j+2 < n && src[j+1] == q && src[j+2] == q {
		k, err := scanTriple(src, j, src[j:j+3])
		return k, err == nil
	}
	if raw {
		// A raw string still cannot contain its own quote unescaped; \' is
		// kept literally but does not end the string.
		k := j + 1
		for k < n && src[k] != q {
			if src[k] == '\\' {
				k++
			}
			k++
		}
		if k >= n {
			return 0, false
		}
		return k + 1, true
	}
	k, err := scanQuoted(src, j, q, d.backslash || pre == "e")
	return k, err == nil
}

func scanNumber(src string, i int) int {
	n := len(src)
	j := i
	if j+1 < n && src[j] == '0' && (src[j+1] == 'x' || src[j+1] == 'X') {
		j += 2
		for j < n && (isDigit(src[j]) || strings.IndexByte("abcdefABCDEF", src[j]) >= 0) {
			j++
		}
		return j
	}
	for j < n && (isDigit(src[j]) || src[j] == '_') {
		j++
	}
	if j < n && src[j] == '.' && (j+1 >= n || src[j+1] != '.') {
		j++
		for j < n && isDigit(src[j]) {
			j++
		}
	}
	if j < n && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < n && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < n && isDigit(src[k]) {
			j = k
			for j < n && isDigit(src[j]) {
				j++
			}
		}
	}
	return j
}

// sparkNumberSuffix extends a Spark SQL number at j over its type suffix
// (1L, 2S, 3Y, 0D, 1.5F, 9.99BD).
func sparkNumberSuffix(src string, j int) int {
	for _, suf := range [...]string{"bd", "l", "s", "y", "d", "f"} {
		k := j + len(suf)
		if k <= len(src) && strings.EqualFold(src[j:k], suf) && (k == len(src) || !isWordChar(src[k])) {
			return k
		}
	}
	return j
}

// unquote removes doubled quote characters from a quoted identifier body.
func unquote(s string, q byte) string {
	if strings.IndexByte(s, q) < 0 {
		return s
	}
	d := string([]byte{q, q})
	return strings.ReplaceAll(s, d, string(q))
}
