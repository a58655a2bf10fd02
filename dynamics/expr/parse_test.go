package expr

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sexpr prints a syntax tree fully parenthesized, before any simplification,
// so that the tests see exactly what the parser built.
func sexpr(a *ast) string {
	switch a.kind {
	case astNum:
		return strconv.FormatFloat(a.num, 'g', -1, 64)
	case astName:
		return a.name
	case astUnary:
		if a.op == '-' {
			return "(neg " + sexpr(a.args[0]) + ")"
		}
		return "(pos " + sexpr(a.args[0]) + ")"
	case astBinary:
		return "(" + string(a.op) + " " + sexpr(a.args[0]) + " " + sexpr(a.args[1]) + ")"
	}
	parts := []string{a.name}
	for _, x := range a.args {
		parts = append(parts, sexpr(x))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

func TestParsePrecedence(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"1+2*3", "(+ 1 (* 2 3))"},
		{"(1+2)*3", "(* (+ 1 2) 3)"},
		{"a-b-c", "(- (- a b) c)"},         // left-associative
		{"a/b/c", "(/ (/ a b) c)"},         // left-associative
		{"a/b*c", "(* (/ a b) c)"},         // same level, left to right
		{"a^b^c", "(^ a (^ b c))"},         // right-associative
		{"-x^2", "(neg (^ x 2))"},          // unary minus is looser than ^
		{"-2^2", "(neg (^ 2 2))"},          // also for numbers: −4
		{"2^-x", "(^ 2 (neg x))"},          // an exponent may carry a sign
		{"2^-x^2", "(^ 2 (neg (^ x 2)))"},  // … which is looser than its own ^
		{"-a*b", "(* (neg a) b)"},          // but tighter than *
		{"a*-b", "(* a (neg b))"},          // a sign after an operator
		{"a--b", "(- a (neg b))"},          // binary minus, then unary
		{"+x", "(pos x)"},                  // unary plus
		{"- - x", "(neg (neg x))"},         // repeated signs
		{"(x)^2^3", "(^ x (^ 2 3))"},       // parentheses are transparent
		{"sin(x)^2", "(^ (sin x) 2)"},      // a call is a primary
		{"pow(a, b+1)", "(pow a (+ b 1))"}, // two arguments
		{"min(max(a,b),c)", "(min (max a b) c)"},
		{"1e-3", "0.001"},
		{".5", "0.5"},
		{"2.", "2"},
		{"6.02E+23", "6.02e+23"},
		{"x_1 + μ", "(+ x_1 μ)"}, // identifiers: digits, _ and Unicode letters
		{"\t-k*x - c*v + F*sin(w*t)\n", "(+ (- (* (neg k) x) (* c v)) (* F (sin (* w t))))"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			a, err := parse(tc.src)
			require.NoError(t, err)
			assert.Equal(t, tc.want, sexpr(a))
		})
	}
}

// names is the scope used by the error tests: states x, v; parameters k, mu;
// constant F; time t.
func testScope() (*graph, *scope) {
	g := newGraph()
	sc := newScope()
	sc.declare("t", "time", g.leaf(opVar, 0, "t"))
	sc.declare("x", "state", g.leaf(opVar, 1, "x"))
	sc.declare("v", "state", g.leaf(opVar, 2, "v"))
	sc.declare("k", "parameter", g.leaf(opVar, 3, "k"))
	sc.declare("mu", "parameter", g.leaf(opVar, 4, "mu"))
	sc.declare("F", "constant", g.num(0.3))
	sc.describe()
	return g, sc
}

func TestSyntaxErrors(t *testing.T) {
	g, sc := testScope()
	for _, tc := range []struct {
		src string
		col int
		msg string // a substring of the message
	}{
		{"", 1, "empty expression"},
		{"   ", 1, "empty expression"},
		{"x +", 4, `expected a number, a name or "(" but found end of expression`},
		{"x + * v", 5, `found "*"`},
		{"(x + v", 7, `expected ")" to close "(" at col 1 but found end of expression`},
		{"x + v)", 6, `unmatched ")"`},
		{"2x", 2, `unexpected name "x" after number "2"; missing operator?`},
		{"x v", 3, `unexpected name "v" after name "x"`},
		{"x**2", 3, "write powers with ^"},
		{"x # v", 3, `unexpected character '#'`},
		{"v = -x", 3, "write only the right-hand side"},
		{"1e", 1, `malformed number "1e"`},
		{"1e+", 1, `malformed number "1e"`},
		{"1e999", 1, "out of range"},
		{"x . 2", 3, "a number needs a digit"},
		{"mu2*x", 1, `unknown name "mu2" (did you mean "mu"?) (allowed: states x, v; parameters k, mu; constants F; time t)`},
		{"k*x + Mu", 7, `unknown name "Mu" (did you mean "mu"?)`},
		{"zeta", 1, `unknown name "zeta" (allowed: states x, v;`},
		{"sine(x)", 1, `unknown function "sine" (did you mean "sin"?) (allowed: sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, pow, min, max)`},
		{"2*sqroot(x)", 3, `unknown function "sqroot" (did you mean "sqrt"?)`},
		{"x*(v)(k)", 6, `unexpected "(" after ")"; missing operator?`},
		{"k(x+1)", 1, `"k" is a parameter, not a function; missing operator before "("?`},
		{"sin + 1", 1, `function "sin" needs parentheses and 1 argument, as in sin(x)`},
		{"sin(x, v)", 1, "sin takes 1 argument, found 2"},
		{"1 + pow(x)", 5, "pow takes 2 arguments, found 1"},
		{"max()", 1, "max takes 2 arguments, found 0"},
		{"sin(x", 6, `expected "," or ")" in the call of sin (opened at col 4) but found end of expression`},
		{"μ + 1", 1, `unknown name "μ"`},
		{"x + ν*2", 5, `unknown name "ν"`}, // the column counts characters, not bytes
		{strings.Repeat("(", 300) + "x" + strings.Repeat(")", 300), 201, "nested too deeply"},
		{strings.Repeat("-", 300) + "x", 201, "nested too deeply"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			_, err := compileExpr(g, sc, tc.src)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.col, se.Col)
			assert.Contains(t, se.Msg, tc.msg)
			assert.Equal(t, tc.src, se.Expr)
		})
	}
}

// TestSyntaxErrorCaret checks the full text: the message line, the expression
// and the caret under the offending character (tabs kept, line breaks shown as
// spaces so that the caret stays aligned).
func TestSyntaxErrorCaret(t *testing.T) {
	for _, tc := range []struct {
		err  SyntaxError
		want string
	}{
		{SyntaxError{Equation: "v", Expr: "-k*x - mu2*v", Col: 8, Msg: "unknown name"},
			"expr: equation \"v\": col 8: unknown name\n\t-k*x - mu2*v\n\t       ^"},
		{SyntaxError{Expr: "x +", Col: 4, Msg: "premature end"},
			"expr: col 4: premature end\n\tx +\n\t   ^"},
		{SyntaxError{Expr: "\tx\n+ #", Col: 6, Msg: "bad"},
			"expr: col 6: bad\n\t\tx + #\n\t\t    ^"},
		{SyntaxError{Expr: "μ + ν", Col: 5, Msg: "unknown"},
			"expr: col 5: unknown\n\tμ + ν\n\t    ^"},
	} {
		assert.Equal(t, tc.want, tc.err.Error())
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"x", "v", "mu", "alpha", "beta", "gamma", "delta"}
	for _, tc := range []struct{ word, want string }{
		{"mu2", "mu"},
		{"Mu", "mu"},       // case slips always qualify
		{"aplha", "alpha"}, // one transposition
		{"gama", "gamma"},
		{"detla", "delta"},
		{"q", ""},        // a one-letter name is never a typo of another
		{"zeta", "beta"}, // one substitution in four letters
		{"omega", ""},    // too far from everything
		{"xx", "x"},
	} {
		assert.Equal(t, tc.want, suggest(tc.word, names), tc.word)
	}
	assert.Equal(t, 0, editDistance("abc", "abc"))
	assert.Equal(t, 3, editDistance("", "abc"))
	assert.Equal(t, 1, editDistance("ab", "ba"))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
}

func TestSyntaxErrorIsError(t *testing.T) {
	_, err := parse("x +")
	var se *SyntaxError
	assert.True(t, errors.As(err, &se))
}
