package expr

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary text to the parser and, through New, to the
// simplifier, the differentiator and the compiler. It checks that nothing
// panics; that every failure is a *SyntaxError whose column lies inside the text
// (or just past it) and whose message shows a caret; and that every success
// evaluates to a finite value or records a domain error, and prints as an
// expression that parses back to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-k*x - c*v + F*sin(w*t)",
		"mu*(1-x^2)*v - x",
		"-x^2^-y", "2^-x^2", "x--y", "+-+x",
		"pow(x, 2.5) + min(x, y)*max(k, 1e-3) - abs(.5 - x)",
		"exp(-(x - y)^2/k)/sqrt(2*3.14159)",
		"log(x)/tan(y) + tanh(k*t) - sinh(x)*cosh(y)",
		"1/(x - x)", "log(-1)", "1e308*10", "x^-1000",
		"x**2", "2x", "(x", "x)", "sin()", "sine(x)", "mu2", "x = 1", "",
		"x^1e-300^y", "((((x))))", "min(min(x,y),max(x,y))^k",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		spec := Spec{
			State:     []string{"x", "y"},
			Params:    []string{"k", "c"},
			Constants: []Constant{{Name: "F", Value: 0.3}, {Name: "w", Value: 2}},
			Equations: []Equation{{Name: "x", Expr: src}, {Name: "y", Expr: "x"}},
		}
		m, err := New(spec)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a *SyntaxError", src, err)
			}
			if se.Equation != "x" || se.Expr != src {
				t.Fatalf("%q: error names equation %q, expression %q", src, se.Equation, se.Expr)
			}
			if n := utf8.RuneCountInString(src); se.Col < 1 || se.Col > n+1 {
				t.Fatalf("%q: column %d outside 1..%d", src, se.Col, n+1)
			}
			if !strings.HasSuffix(se.Error(), "^") {
				t.Fatalf("%q: no caret in %q", src, se.Error())
			}
			if _, perr := parse(src); perr == nil && strings.Contains(se.Msg, "expected") {
				t.Fatalf("%q: the parser accepted what New calls a syntax error: %v", src, err)
			}
			return
		}
		z, th := []float64{0.7, -1.3}, []float64{0.9, 0.4}
		out := make([]float64, 2)
		m.Func(out, 0.5, z, th)
		if v := out[0]; (math.IsNaN(v) || math.IsInf(v, 0)) && m.Err() == nil {
			t.Fatalf("%q = %v but no domain error was recorded", src, v)
		}
		// Derivatives must not panic; their values may overflow.
		m.JVP(out, 0.5, z, th, []float64{1, -1}, []float64{0.5, 2})
		dz, dth := make([]float64, 2), make([]float64, 2)
		m.VJP(dz, dth, 0.5, z, th, []float64{1, 0.5})
		_ = m.CheckState(0.5, z, th)

		printed := m.Equation(0)
		spec.Equations[0].Expr = printed
		back, err := New(spec)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", src, printed, err)
		}
		m.Func(out, 0.5, z, th)
		want := out[0]
		back.Func(out, 0.5, z, th)
		if math.Float64bits(want) != math.Float64bits(out[0]) && !(math.IsNaN(want) && math.IsNaN(out[0])) {
			t.Fatalf("%q = %v prints as %q = %v", src, want, printed, out[0])
		}
	})
}
