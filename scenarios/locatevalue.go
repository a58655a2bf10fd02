package scenarios

import (
	"strings"
)

// value skips one value, recording the elements of arrays and the keys of
// inline tables under path.
func (l *locator) value(path string, depth int) {
	l.skipSpace()
	if depth >= maxDepth {
		l.skipNested()
		return
	}
	switch c := l.peek(); c {
	case '"', '\'':
		l.str(c)
	case '[':
		l.advance()
		for i := 0; ; i++ {
			l.skipBlank()
			if c := l.peek(); c == ']' || c == 0 {
				l.advance()
				return
			}
			start := l.pos
			elem := indexPath(path, i)
			l.record(elem, l.line)
			l.value(elem, depth+1)
			l.skipBlank()
			if l.peek() == ',' {
				l.advance()
			} else if l.pos == start || l.peek() != ']' {
				l.skipTo("]") // malformed: give up on this array
				l.advance()
				return
			}
		}
	case '{':
		l.advance()
		for {
			l.skipBlank()
			if c := l.peek(); c == '}' || c == 0 {
				l.advance()
				return
			}
			line := l.line
			keys, ok := l.key()
			l.skipSpace()
			if !ok || l.peek() != '=' {
				l.skipTo("}")
				l.advance()
				return
			}
			l.advance()
			p := path
			for _, k := range keys {
				p = joinPath(p, k)
			}
			l.record(p, line)
			l.value(p, depth+1)
			l.skipBlank()
			if l.peek() == ',' {
				l.advance()
			}
		}
	default:
		// Number, boolean or date: up to a delimiter.
		for l.pos < len(l.src) {
			switch l.src[l.pos] {
			case ',', ']', '}', '\n', '#':
				return
			}
			l.advance()
		}
	}
}

// skipNested skips one value without recursion: brackets and braces are
// counted, strings skipped whole.
func (l *locator) skipNested() {
	open := 0
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; c {
		case '"', '\'':
			l.str(c)
			continue
		case '[', '{':
			open++
		case ']', '}':
			if open == 0 {
				return
			}
			open--
			if open == 0 {
				l.advance()
				return
			}
		case ',', '\n':
			if open == 0 {
				return
			}
		case '#':
			if open == 0 {
				return
			}
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
			continue
		}
		l.advance()
	}
}

// skipTo advances to the next byte in set at the current nesting level's end;
// strings are skipped whole.
func (l *locator) skipTo(set string) {
	for l.pos < len(l.src) && !strings.ContainsRune(set, rune(l.src[l.pos])) {
		if c := l.src[l.pos]; c == '"' || c == '\'' {
			l.str(c)
			continue
		}
		l.advance()
	}
}

// str skips a basic, literal or multi-line string, counting its newlines.
func (l *locator) str(q byte) {
	delim := string(q)
	if strings.HasPrefix(l.src[l.pos:], strings.Repeat(delim, 3)) {
		delim = strings.Repeat(delim, 3)
	}
	l.pos += len(delim)
	for l.pos < len(l.src) {
		if q == '"' && l.src[l.pos] == '\\' {
			l.advance()
			l.advance()
			continue
		}
		if strings.HasPrefix(l.src[l.pos:], delim) {
			l.pos += len(delim)
			// A multi-line string may end with up to two extra quotes.
			for n := 0; len(delim) == 3 && n < 2 && l.peek() == q; n++ {
				l.advance()
			}
			return
		}
		if len(delim) == 1 && l.src[l.pos] == '\n' {
			return
		}
		l.advance()
	}
}
