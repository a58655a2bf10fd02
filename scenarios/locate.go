package scenarios

import (
	"strconv"
	"strings"
)

// lines maps the path of every key, table header and array element of a TOML
// source to the line it starts on, so that errors found after decoding can
// point at the line. Paths join keys with '.' and index arrays with [i]:
// "solver.rtol", "parameters[1].init", "data.z[2][0]".
//
// BurntSushi/toml keeps key positions private, so locate scans the source
// itself. It runs on text the TOML parser has accepted, but it must not panic
// on anything: it is a best effort that skips what it does not understand, and
// lookups fall back to the nearest enclosing path that it found.
type lines map[string]int

// maxDepth bounds the nesting of arrays and inline tables that locate follows.
const maxDepth = 64

// line returns the line of path or of its nearest enclosing path; 0 if none.
func (l lines) line(path string) int {
	for path != "" {
		if n, ok := l[path]; ok {
			return n
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath strips the last key or index of a path.
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// joinPath appends key to path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

type locator struct {
	src   string
	pos   int
	line  int
	out   lines
	aot   map[string]int // current element index of each array of tables, by path
	table string         // path of the current [table] or [[array]] element
}

// locate scans src and returns the line of each path it defines.
func locate(src string) lines {
	l := &locator{src: src, line: 1, out: lines{}, aot: map[string]int{}}
	for l.pos < len(l.src) {
		start := l.pos
		l.statement()
		if l.pos == start { // no progress: skip a byte
			l.advance()
		}
	}
	return l.out
}

func (l *locator) peek() byte {
	if l.pos < len(l.src) {
		return l.src[l.pos]
	}
	return 0
}

func (l *locator) advance() {
	if l.pos < len(l.src) {
		if l.src[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
}

func (l *locator) record(path string, line int) {
	if path == "" {
		return
	}
	if _, ok := l.out[path]; !ok {
		l.out[path] = line
	}
	// Implicitly defined parents (a.b.c = 1 defines a and a.b) get the line of
	// their first appearance.
	for p := parentPath(path); p != ""; p = parentPath(p) {
		if _, ok := l.out[p]; ok {
			break
		}
		l.out[p] = line
	}
}

// skipSpace skips blanks and tabs (not newlines).
func (l *locator) skipSpace() {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t') {
		l.advance()
	}
}

// skipLine skips to just after the next newline.
func (l *locator) skipLine() {
	for l.pos < len(l.src) && l.src[l.pos] != '\n' {
		l.advance()
	}
	l.advance()
}

// skipBlank skips whitespace, newlines and comments.
func (l *locator) skipBlank() {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\r', '\n':
			l.advance()
		case '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance()
			}
		default:
			return
		}
	}
}

// statement reads one line-level construct: a header, a key/value, a comment.
func (l *locator) statement() {
	l.skipBlank()
	if l.pos >= len(l.src) {
		return
	}
	if l.peek() == '[' {
		l.header()
		l.skipLine()
		return
	}
	line := l.line
	keys, ok := l.key()
	l.skipSpace()
	if !ok || l.peek() != '=' {
		l.skipLine()
		return
	}
	l.advance()
	path := l.table
	for _, k := range keys {
		path = joinPath(path, k)
	}
	l.record(path, line)
	l.value(path, 0)
	l.skipLine()
}

// header reads [a.b] or [[a.b]] and makes it the current table.
func (l *locator) header() {
	line := l.line
	l.pos++ // '['
	array := l.peek() == '['
	if array {
		l.advance()
	}
	l.skipSpace()
	keys, ok := l.key()
	if !ok {
		return
	}
	// Resolve through arrays of tables: [[a]] then [a.b] means a[last].b.
	path := ""
	for i, k := range keys {
		path = joinPath(path, k)
		if i == len(keys)-1 && array {
			n, seen := l.aot[path]
			if seen {
				n++
			}
			l.aot[path] = n
			path = indexPath(path, n)
		} else if n, ok := l.aot[path]; ok {
			path = indexPath(path, n)
		}
	}
	l.table = path
	l.record(path, line)
}

// key reads a possibly dotted key; the parts are unquoted.
func (l *locator) key() ([]string, bool) {
	var parts []string
	for {
		l.skipSpace()
		var part string
		switch c := l.peek(); {
		case c == '"' || c == '\'':
			s, ok := l.quoted(c)
			if !ok {
				return nil, false
			}
			part = s
		case isBare(c):
			start := l.pos
			for l.pos < len(l.src) && isBare(l.src[l.pos]) {
				l.advance()
			}
			part = l.src[start:l.pos]
		default:
			return nil, false
		}
		parts = append(parts, part)
		l.skipSpace()
		if l.peek() != '.' {
			return parts, true
		}
		l.advance()
	}
}

func isBare(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// quoted reads a single-line quoted key and returns its (roughly unescaped)
// text: \" and \\ are resolved, other escapes are kept as written.
func (l *locator) quoted(q byte) (string, bool) {
	l.advance()
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q:
			l.advance()
			return b.String(), true
		case c == '\n':
			return "", false
		case c == '\\' && q == '"' && l.pos+1 < len(l.src):
			l.advance()
			c = l.src[l.pos]
			if c != '"' && c != '\\' {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
		l.advance()
	}
	return "", false
}
