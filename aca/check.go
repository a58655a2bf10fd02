package aca

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/physid/physid/integrate"
)

// FDStep is the default relative step of FiniteDifferences: coordinate x_i is
// moved by ±FDStep·max(1, |x_i|). A central difference of a loss known to
// relative accuracy ε errs by about h²|L‴|/6 + ε|L|/h, smallest near
// h = ε^(1/3); with the 1e-12 solves a gradient check uses, that is 1e-4, and
// the derivative is then good to 1e-8 relative to the gradient's scale (the
// toy: 7e-9; three-body: 2e-7 in its smallest component, dL/dm1).
const FDStep = 1e-4

// FiniteDifferences estimates dL/dθ and dL/dz0 by central differences of the
// loss (gonum's diff/fd, fd.Central), one coordinate at a time, with step
// step·max(1, |x_i|) (0 means FDStep). It is the reference a gradient check
// compares the methods with, not a method: it costs 2·(#θ + dim) solves and is
// only as accurate as the solves, so pass tolerances much tighter than the
// ones being checked. Result.Loss and States are those of the unperturbed
// solve; Stats.NFEForward totals every solve. A failing solve is an error
// naming the coordinate.
func FiniteDifferences(p *Problem, s *Settings, step float64) (*Result, error) {
	p.check()
	if step == 0 {
		step = FDStep
	}
	n := p.Model.Dim()
	solver := integrate.NewSolver(s)
	states := make([]float64, n*len(p.Times))
	g := make([]float64, len(states))
	theta := append([]float64(nil), p.Theta...)
	z0 := append([]float64(nil), p.Z0...)
	res := &Result{}
	var failed error
	loss := func() float64 {
		st, err := solver.Solve(states, p.Model, theta, p.T0, z0, p.Times, nil)
		res.Stats.NFEForward += st.NFE
		res.Stats.Accepted += st.Accepted
		res.Stats.Rejected += st.Rejected
		if err != nil {
			failed = err
			return math.NaN()
		}
		l, err := evalLoss(p, g, states)
		if err != nil {
			failed = err
			return math.NaN()
		}
		return l
	}
	res.Loss = loss()
	if failed != nil {
		return res, fmt.Errorf("aca: finite differences: %w", failed)
	}
	res.States = append([]float64(nil), states...)
	diff := func(x []float64, i int, name string) (float64, error) {
		x0 := x[i]
		h := step * math.Max(1, math.Abs(x0))
		d := fd.Derivative(func(v float64) float64 {
			x[i] = v
			return loss()
		}, x0, &fd.Settings{Formula: fd.Central, Step: h})
		x[i] = x0
		if failed != nil {
			return d, fmt.Errorf("aca: finite differences in %s[%d] (step %.3g): %w", name, i, h, failed)
		}
		return d, nil
	}
	res.Theta = make([]float64, len(theta))
	for i := range theta {
		var err error
		if res.Theta[i], err = diff(theta, i, "theta"); err != nil {
			return res, err
		}
	}
	res.Z0 = make([]float64, n)
	for i := range z0 {
		var err error
		if res.Z0[i], err = diff(z0, i, "z0"); err != nil {
			return res, err
		}
	}
	return res, nil
}
