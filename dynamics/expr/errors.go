package expr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors, for errors.Is. A *SpecError wraps one of the first six; a
// *DomainError wraps ErrDomain. Parse errors are *SyntaxError values.
var (
	// ErrNoStates: the spec declares no state.
	ErrNoStates = errors.New("expr: no states")
	// ErrBadName: a declared name is empty, not an identifier, or a function name.
	ErrBadName = errors.New("expr: invalid name")
	// ErrDuplicateName: a name is declared twice (state, parameter, constant or
	// the reserved time t), or a state has two equations.
	ErrDuplicateName = errors.New("expr: duplicate name")
	// ErrBadConstant: a constant's value is NaN or infinite.
	ErrBadConstant = errors.New("expr: invalid constant")
	// ErrMissingEquation: a state has no equation.
	ErrMissingEquation = errors.New("expr: missing equation")
	// ErrUnknownEquation: an equation is given for a name that is not a state.
	ErrUnknownEquation = errors.New("expr: equation for an unknown state")
	// ErrDomain: f left its domain at run time (log of a non-positive value,
	// square root of a negative one, division by zero, a non-finite result).
	ErrDomain = errors.New("expr: domain error")
)

// SyntaxError is a mistake in one expression: bad syntax, an unknown name or
// function, or a wrong number of arguments. Col points at the offending token so
// that a caller can add the file and line of the equation and show the caret.
type SyntaxError struct {
	// Equation is the state whose equation holds the expression.
	Equation string
	// Expr is the expression as written.
	Expr string
	// Col is the 1-based column of the problem in Expr, counted in characters
	// (runes), not bytes. It is len(Expr)+1 for a premature end.
	Col int
	// Msg says what is wrong and, for unknown names, what is allowed.
	Msg string
}

// Error returns the message on one line followed by the expression and a caret
// line under the offending column:
//
//	expr: equation "v": col 12: unknown name "mu2" (did you mean "mu"?) (allowed: ...)
//		-k*x - c*v + mu2
//		             ^
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString("expr: ")
	if e.Equation != "" {
		fmt.Fprintf(&b, "equation %q: ", e.Equation)
	}
	fmt.Fprintf(&b, "col %d: %s\n\t", e.Col, e.Msg)
	// Line breaks inside the expression are shown as spaces so that the caret
	// stays under its column; tabs are kept in both lines so they align.
	col := 1
	var pad strings.Builder
	for _, r := range e.Expr {
		switch r {
		case '\n', '\r':
			r = ' '
		}
		b.WriteRune(r)
		if col < e.Col {
			if r == '\t' {
				pad.WriteByte('\t')
			} else {
				pad.WriteByte(' ')
			}
		}
		col++
	}
	for ; col < e.Col; col++ {
		pad.WriteByte(' ')
	}
	b.WriteString("\n\t")
	b.WriteString(pad.String())
	b.WriteByte('^')
	return b.String()
}

// SpecError is a mistake in a Spec outside the expressions themselves: a bad,
// duplicate or undeclared name, a missing equation, a bad constant.
type SpecError struct {
	// Role is where the offending name was declared: "state", "parameter",
	// "constant" or "equation" (the key of an equation).
	Role string
	// Name is the offending name; empty for ErrNoStates.
	Name string
	// Err is one of the sentinel errors above, for errors.Is.
	Err error
	// Msg is the full explanation, including the allowed names where that helps.
	Msg string
}

// Error returns "expr: " followed by Msg.
func (e *SpecError) Error() string { return "expr: " + e.Msg }

// Unwrap returns the sentinel error.
func (e *SpecError) Unwrap() error { return e.Err }

// DomainError reports the first point where f left its domain. CheckState and
// Err return it; it wraps ErrDomain.
type DomainError struct {
	// Equation is the name of the state whose equation failed; Index is its position.
	Equation string
	Index    int
	// T is the time of the failing evaluation.
	T float64
	// Problem says what happened, e.g. "log of non-positive value".
	Problem string
	// Derivative is true when the failing operation belongs only to a derivative
	// of the equation (for example sqrt(x) at x = 0, whose slope is infinite).
	Derivative bool
}

// Error returns e.g. `expr: equation "v": log of non-positive value at t=1.25`.
func (e *DomainError) Error() string {
	in := ""
	if e.Derivative {
		in = " in a derivative"
	}
	return fmt.Sprintf("expr: equation %q: %s%s at t=%.6g", e.Equation, e.Problem, in, e.T)
}

// Unwrap returns ErrDomain.
func (e *DomainError) Unwrap() error { return ErrDomain }

// suggest returns the candidate nearest to word by edit distance, or "" when
// none is close enough to be a plausible typo: at most one edit per three
// characters (at least one), and fewer edits than word has characters.
func suggest(word string, candidates []string) string {
	n := utf8.RuneCountInString(word)
	limit := max(1, (n+1)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(word, c)
		if strings.EqualFold(word, c) {
			d = 0 // a case slip is the likeliest typo of all
		}
		if d < bestD && d < n {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters each
// cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic-programming table: two back, one back, current.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// didYouMean returns ` (did you mean "x"?)` or "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
