package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// scope maps the names an expression may use to graph nodes.
type scope struct {
	node    map[string]int32
	role    map[string]string // "state", "parameter", "constant", "time"
	names   []string          // declaration order, for suggestions
	allowed string            // "states x, v; parameters k; constants F; time t"
}

func newScope() *scope {
	return &scope{node: make(map[string]int32), role: make(map[string]string)}
}

func (s *scope) declare(name, role string, id int32) {
	s.node[name] = id
	s.role[name] = role
	s.names = append(s.names, name)
}

// describe builds the allowed-names summary once all names are declared.
func (s *scope) describe() {
	var parts []string
	for _, r := range []struct{ role, plural string }{
		{"state", "states"}, {"parameter", "parameters"}, {"constant", "constants"}, {"time", "time"},
	} {
		var names []string
		for _, n := range s.names {
			if s.role[n] == r.role {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			parts = append(parts, r.plural+" "+strings.Join(names, ", "))
		}
	}
	s.allowed = strings.Join(parts, "; ")
}

// compileExpr parses src and builds its graph node in g.
func compileExpr(g *graph, sc *scope, src string) (int32, error) {
	a, err := parse(src)
	if err != nil {
		return -1, err
	}
	l := lowerer{g: g, sc: sc, src: src}
	return l.lower(a)
}

type lowerer struct {
	g   *graph
	sc  *scope
	src string
}

func (l *lowerer) errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Expr: l.src, Col: utf8.RuneCountInString(l.src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (l *lowerer) lower(a *ast) (int32, error) {
	g := l.g
	switch a.kind {
	case astNum:
		return g.num(a.num), nil
	case astName:
		if id, ok := l.sc.node[a.name]; ok {
			return id, nil
		}
		if f, ok := funcs[a.name]; ok {
			return -1, l.errAt(a.pos, "function %q needs parentheses and %s, as in %s", a.name, argCount(f.nargs), callForm(a.name, f.nargs))
		}
		return -1, l.errAt(a.pos, "unknown name %q%s (allowed: %s)", a.name, didYouMean(a.name, l.sc.names), l.sc.allowed)
	case astUnary:
		x, err := l.lower(a.args[0])
		if err != nil || a.op == '+' {
			return x, err
		}
		return g.neg(x), nil
	}
	args := make([]int32, len(a.args))
	for i, sub := range a.args {
		x, err := l.lower(sub)
		if err != nil {
			return -1, err
		}
		args[i] = x
	}
	if a.kind == astBinary {
		x, y := args[0], args[1]
		switch a.op {
		case '+':
			return g.add(x, y), nil
		case '-':
			return g.sub(x, y), nil
		case '*':
			return g.mul(x, y), nil
		case '/':
			return g.div(x, y), nil
		}
		return g.pow(x, y), nil
	}
	// A call.
	f, ok := funcs[a.name]
	if !ok {
		if role, isName := l.sc.role[a.name]; isName {
			return -1, l.errAt(a.pos, "%q is a %s, not a function; missing operator before \"(\"?", a.name, role)
		}
		return -1, l.errAt(a.pos, "unknown function %q%s (allowed: %s)", a.name, didYouMean(a.name, funcNames), strings.Join(funcNames, ", "))
	}
	if len(args) != f.nargs {
		return -1, l.errAt(a.pos, "%s takes %s, found %d", a.name, argCount(f.nargs), len(args))
	}
	switch f.op {
	case opPow:
		return g.pow(args[0], args[1]), nil
	case opMin, opMax:
		return g.minmax(f.op, args[0], args[1]), nil
	}
	return g.fn(f.op, args[0]), nil
}

func argCount(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", n)
}

func callForm(name string, n int) string {
	if n == 1 {
		return name + "(x)"
	}
	return name + "(a, b)"
}
