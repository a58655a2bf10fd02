package expr

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// maxDepth bounds the nesting of parentheses, unary signs, powers and calls, so
// that hostile input cannot exhaust the stack.
const maxDepth = 200

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tokEOF  tokKind = iota
	tokNum          // a number literal
	tokName         // an identifier
	tokOp           // one of + - * / ^ ( ) ,
	tokBad          // a character that starts no token
)

// token is one lexical token; pos is its byte offset in the source.
type token struct {
	kind tokKind
	text string
	num  float64
	pos  int
}

// describe names a token for messages: `number "2"`, `name "x"`, `"("`.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokNum:
		return fmt.Sprintf("number %q", t.text)
	case tokName:
		return fmt.Sprintf("name %q", t.text)
	}
	return strconv.Quote(t.text)
}

// astKind is the kind of a syntax-tree node.
type astKind uint8

const (
	astNum astKind = iota
	astName
	astUnary  // op is '-' or '+'
	astBinary // op is one of + - * / ^
	astCall
)

// ast is the syntax tree the parser returns, before names are resolved. pos is
// the byte offset of the node's token: the operator of a unary or binary node,
// the name of a call.
type ast struct {
	kind astKind
	op   byte
	num  float64
	name string
	args []*ast
	pos  int
}

// parser is a recursive-descent parser over a pre-lexed token list.
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/") unary }
//	unary   = ("-" | "+") unary | power
//	power   = primary [ "^" unary ]
//	primary = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// syntaxError is the parser's error before the equation name is known.
func syntaxError(src string, pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Expr: src, Col: utf8.RuneCountInString(src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

// parse parses src into a syntax tree.
func parse(src string) (*ast, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tokEOF {
		return nil, syntaxError(src, 0, "empty expression")
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.text == ")" {
			return nil, p.errAt(t, `unmatched ")"`)
		}
		prev := p.toks[p.i-1]
		return nil, p.errAt(t, "unexpected %s after %s; missing operator?", t.describe(), prev.describe())
	}
	return x, nil
}

// lex splits src into tokens, ending with tokEOF.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case isDigit(r) || (r == '.' && i+1 < len(src) && isDigit(rune(src[i+1]))):
			j := scanNumber(src, i)
			text := src[i:j]
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				return nil, syntaxError(src, i, "malformed number %q: the exponent needs digits", src[i:j+1])
			}
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				if errors.Is(err, strconv.ErrRange) {
					return nil, syntaxError(src, i, "number %s is out of range", text)
				}
				return nil, syntaxError(src, i, "malformed number %q", text)
			}
			toks = append(toks, token{kind: tokNum, text: text, num: v, pos: i})
			i = j
		case isLetter(r):
			j := i + w
			for j < len(src) {
				r2, w2 := utf8.DecodeRuneInString(src[j:])
				if !isLetter(r2) && !isDigit(r2) {
					break
				}
				j += w2
			}
			toks = append(toks, token{kind: tokName, text: src[i:j], pos: i})
			i = j
		case r < utf8.RuneSelf && isOpByte(byte(r)):
			toks = append(toks, token{kind: tokOp, text: src[i : i+1], pos: i})
			i++
		default:
			msg := fmt.Sprintf("unexpected character %q", r)
			switch r {
			case '=':
				msg += "; write only the right-hand side, the equation's name says which state it is for"
			case '.':
				msg += "; a number needs a digit next to its point"
			case utf8.RuneError:
				msg = "invalid UTF-8"
			}
			return nil, syntaxError(src, i, "%s", msg)
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

// scanNumber returns the end of the number literal starting at i: digits with
// an optional point, then an optional exponent e[+-]digits. An 'e' without
// digits is left unconsumed so that the caller reports it.
func scanNumber(src string, i int) int {
	for i < len(src) && isDigit(rune(src[i])) {
		i++
	}
	if i < len(src) && src[i] == '.' {
		i++
		for i < len(src) && isDigit(rune(src[i])) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(rune(src[j])) {
			for j < len(src) && isDigit(rune(src[j])) {
				j++
			}
			return j
		}
	}
	return i
}

func isDigit(r rune) bool  { return '0' <= r && r <= '9' }
func isLetter(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isOpByte(c byte) bool {
	return c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '(' || c == ')' || c == ','
}
func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(s string) bool {
	t := p.toks[p.i]
	return t.kind == tokOp && t.text == s
}

func (p *parser) errAt(t token, format string, args ...any) *SyntaxError {
	return syntaxError(p.src, t.pos, format, args...)
}

// enter counts one level of nesting and fails past maxDepth.
func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(t, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *parser) expr() (*ast, error) {
	x, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.next()
		y, err := p.term()
		if err != nil {
			return nil, err
		}
		x = &ast{kind: astBinary, op: op.text[0], args: []*ast{x, y}, pos: op.pos}
	}
	return x, nil
}

func (p *parser) term() (*ast, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") {
		op := p.next()
		if op.text == "*" && p.isOp("*") {
			return nil, p.errAt(p.peek(), `unexpected "*"; write powers with ^, as in x^2`)
		}
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		x = &ast{kind: astBinary, op: op.text[0], args: []*ast{x, y}, pos: op.pos}
	}
	return x, nil
}

func (p *parser) unary() (*ast, error) {
	if p.isOp("-") || p.isOp("+") {
		op := p.next()
		if err := p.enter(op); err != nil {
			return nil, err
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &ast{kind: astUnary, op: op.text[0], args: []*ast{x}, pos: op.pos}, nil
	}
	return p.power()
}

func (p *parser) power() (*ast, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if !p.isOp("^") {
		return x, nil
	}
	op := p.next()
	if err := p.enter(op); err != nil {
		return nil, err
	}
	y, err := p.unary() // right-associative, and 2^-x is allowed
	if err != nil {
		return nil, err
	}
	p.depth--
	return &ast{kind: astBinary, op: '^', args: []*ast{x, y}, pos: op.pos}, nil
}

func (p *parser) primary() (*ast, error) {
	t := p.next()
	switch t.kind {
	case tokNum:
		return &ast{kind: astNum, num: t.num, pos: t.pos}, nil
	case tokName:
		if !p.isOp("(") {
			return &ast{kind: astName, name: t.text, pos: t.pos}, nil
		}
		open := p.next()
		if err := p.enter(open); err != nil {
			return nil, err
		}
		call := &ast{kind: astCall, name: t.text, pos: t.pos}
		if !p.isOp(")") {
			for {
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				call.args = append(call.args, x)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
		}
		if !p.isOp(")") {
			return nil, p.errAt(p.peek(), `expected "," or ")" in the call of %s (opened at col %d) but found %s`,
				t.text, utf8.RuneCountInString(p.src[:open.pos])+1, p.peek().describe())
		}
		p.next()
		p.depth--
		return call, nil
	case tokOp:
		if t.text == "(" {
			if err := p.enter(t); err != nil {
				return nil, err
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.errAt(p.peek(), `expected ")" to close "(" at col %d but found %s`,
					utf8.RuneCountInString(p.src[:t.pos])+1, p.peek().describe())
			}
			p.next()
			p.depth--
			return x, nil
		}
	}
	return nil, p.errAt(t, `expected a number, a name or "(" but found %s`, t.describe())
}
