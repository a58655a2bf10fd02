package scenarios_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// stepLog keeps the accepted steps of a solve with their outputs.
type stepLog struct{ steps []integrate.Attempt }

func (r *stepLog) Record(a *integrate.Attempt) {
	if a.Accepted {
		c := *a
		c.Z, c.ZNew, c.K = nil, nil, nil
		r.steps = append(r.steps, c)
	}
}

// frozenLoss replays the accepted steps (t_i, h_i) of a solve at other θ and
// z0, writing the outputs inside a step by the tableau's dense output and
// those at a step end as step-end values: the discrete solution whose exact
// derivative ACA computes.
func frozenLoss(p *aca.Problem, tb *integrate.Tableau, steps []integrate.Attempt, theta, z0 []float64) float64 {
	n := len(z0)
	z := append([]float64(nil), z0...)
	k := make([][]float64, tb.Stages())
	for i := range k {
		k[i] = make([]float64, n)
	}
	y, bw := make([]float64, n), make([]float64, tb.Stages())
	states := make([]float64, n*len(p.Times))
	comb := func(dst, z []float64, h float64, w []float64) {
		copy(dst, z)
		for s, ws := range w {
			for i := range dst {
				dst[i] += h * ws * k[s][i]
			}
		}
	}
	for _, a := range steps {
		for s := range k {
			comb(y, z, a.H, tb.A[s])
			p.Model.Func(k[s], a.T+tb.C[s]*a.H, y, theta)
		}
		for j := a.First; j < a.First+a.Inside; j++ {
			tb.DenseWeights(bw, (p.Times[j]-a.T)/a.H)
			comb(states[j*n:(j+1)*n], z, a.H, bw)
		}
		comb(z, z, a.H, tb.B)
		if a.Landing {
			copy(states[a.Output*n:], z)
		}
	}
	return p.Loss.Eval(make([]float64, len(states)), states)
}

// central5 is the five-point central difference, error O(h⁴).
var central5 = fd.Formula{
	Stencil:    []fd.Point{{Loc: -2, Coeff: 1.0 / 12}, {Loc: -1, Coeff: -2.0 / 3}, {Loc: 1, Coeff: 2.0 / 3}, {Loc: 2, Coeff: -1.0 / 12}},
	Derivative: 1, Step: 1e-3,
}

// TestACADenseIsExactOnFrozenSteps: with 1000 observations (the paper's
// three-body grid on [0, 1]; van der Pol on [0, 10]) nearly all observations
// are interpolated, and five-point central differences (step 1e-5
// relative) of the loss of the frozen steps agree with ACA's dL/dθ and
// dL/dz0 to 1e-6 relative to the largest component. Measured: ≤ 6e-8 on the
// three-body problem, ≤ 2e-10 on van der Pol. (The three-point formula is
// truncation-limited on the three-body dL/dz0: 7.6e-7 at step 1e-6, 7.6e-5
// at 1e-5, rounding-limited below; the five-point one resolves it.)
func TestACADenseIsExactOnFrozenSteps(t *testing.T) {
	g, masses, z0 := nbody.PaperThreeBody()
	cases := []struct {
		name      string
		m         dynamics.Dynamics
		theta, z0 []float64
		truth     []float64
		T         float64
	}{
		{"three-body", g, []float64{1, 1, 1}, z0, masses, 1},
		{"vanderpol", dynamics.VanDerPol{}, []float64{1.3}, []float64{2, 0}, []float64{1}, 10},
	}
	for _, c := range cases {
		for _, tb := range []*integrate.Tableau{integrate.Dopri5, integrate.Tsit5} {
			t.Run(c.name+"/"+tb.Name, func(t *testing.T) {
				times := make([]float64, 1000)
				for i := range times {
					times[i] = c.T * float64(i+1) / 1000
				}
				s := &integrate.Settings{Method: tb, RTol: 1e-7, ATol: 1e-7}
				truth, _, err := integrate.Solve(c.m, c.truth, 0, c.z0, times, s)
				require.NoError(t, err)
				var vals []float64
				for _, r := range truth {
					vals = append(vals, r...)
				}
				loss, err := aca.NewLeastSquares(c.m.Dim(), nil, vals, nil)
				require.NoError(t, err)
				p := &aca.Problem{Model: c.m, Theta: c.theta, Z0: c.z0, Times: times, Loss: loss}
				res, err := aca.Gradient(p, s, &aca.ACA{})
				require.NoError(t, err)
				var log stepLog
				_, err = integrate.NewSolver(s).Solve(make([]float64, c.m.Dim()*len(times)), c.m, c.theta, 0, c.z0, times, &log)
				require.NoError(t, err)
				inside := 0
				for _, a := range log.steps {
					inside += a.Inside
				}
				require.Greater(t, inside, 900, "most observations interpolated")
				assert.InDelta(t, res.Loss, frozenLoss(p, tb, log.steps, c.theta, c.z0), 1e-12*math.Max(1, res.Loss))
				diff := func(f func(x []float64) float64, x []float64) []float64 {
					out := make([]float64, len(x))
					xx := append([]float64(nil), x...)
					for i := range x {
						out[i] = fd.Derivative(func(v float64) float64 {
							xx[i] = x[i] + v
							defer func() { xx[i] = x[i] }()
							return f(xx)
						}, 0, &fd.Settings{Formula: central5, Step: 1e-5 * math.Max(1, math.Abs(x[i]))})
					}
					return out
				}
				fdTheta := diff(func(x []float64) float64 { return frozenLoss(p, tb, log.steps, x, c.z0) }, c.theta)
				fdZ0 := diff(func(x []float64) float64 { return frozenLoss(p, tb, log.steps, c.theta, x) }, c.z0)
				for _, pair := range []struct {
					what      string
					want, got []float64
				}{{"dL/dθ", fdTheta, res.Theta}, {"dL/dz0", fdZ0, res.Z0}} {
					scale := 1e-300
					for _, v := range pair.want {
						scale = math.Max(scale, math.Abs(v))
					}
					worst := 0.0
					for i := range pair.want {
						worst = math.Max(worst, math.Abs(pair.want[i]-pair.got[i])/scale)
					}
					t.Logf("%s %s: %d steps, %d of 1000 observations interpolated; %s worst relative difference from frozen-step central differences %.2g",
						c.name, tb.Name, len(log.steps), inside, pair.what, worst)
					assert.Less(t, worst, 1e-6, fmt.Sprint(pair.what))
				}
			})
		}
	}
}
