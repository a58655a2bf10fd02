package expr_test

import (
	"errors"
	"fmt"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
)

// A damped, driven oscillator as a scenario file would state it: f, its
// symbolic derivatives, and what a typo in an equation looks like.
func ExampleNew() {
	m, err := expr.New(expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"k", "c", "w"},
		Constants: []expr.Constant{{Name: "F", Value: 0.3}},
		Equations: []expr.Equation{
			{Name: "x", Expr: "v"},
			{Name: "v", Expr: "-k*x - c*v + F*sin(w*t)"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	z, theta := []float64{1, 0.5}, []float64{4, 0.2, 1.5}
	f := make([]float64, 2)
	m.Func(f, 1.25, z, theta)
	fmt.Printf("f = [%.4g %.4g]\n", f[0], f[1])

	dw, _ := m.Partial("v", "w")
	fmt.Println("∂f_v/∂w =", dw)

	worst, _ := dynamics.CheckDerivatives(m, 1.25, z, theta)
	fmt.Println("derivatives agree with finite differences:", worst < 1e-8)

	_, err = expr.New(expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"k", "mu"},
		Equations: []expr.Equation{{Name: "x", Expr: "v"}, {Name: "v", Expr: "-k*x + mu2*v"}},
	})
	var se *expr.SyntaxError
	fmt.Println(errors.As(err, &se), se.Equation, se.Col)
	fmt.Println(err)
	// Output:
	// f = [0.5 -3.814]
	// ∂f_v/∂w = 0.3*(t*cos(t*w))
	// derivatives agree with finite differences: true
	// true v 8
	// expr: equation "v": col 8: unknown name "mu2" (did you mean "mu"?) (allowed: states x, v; parameters k, mu; time t)
	// 	-k*x + mu2*v
	// 	       ^
}

// A domain error cannot be returned by Func; the model records it and
// CheckState, which solvers call after each accepted step, reports it.
func ExampleModel_CheckState() {
	m, _ := expr.New(expr.Spec{
		State:     []string{"c"},
		Params:    []string{"k"},
		Equations: []expr.Equation{{Name: "c", Expr: "-k*log(c)"}},
	})
	f := make([]float64, 1)
	m.Func(f, 1.25, []float64{-0.1}, []float64{2})
	fmt.Println(f[0], m.CheckState(1.25, []float64{-0.1}, []float64{2}))
	// Output: NaN expr: equation "c": log of non-positive value at t=1.25
}
