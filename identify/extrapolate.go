package identify

import (
	"fmt"
	"math/rand/v2"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Linspace returns n equally spaced points from a to b inclusive.
func Linspace(a, b float64, n int) []float64 {
	if n == 1 {
		return []float64{a}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	x[n-1] = b
	return x
}

// Simulate returns z(t) at the given times (row-major, len(times)×Dim) from
// (t0, z0) with parameters θ.
func Simulate(m dynamics.Dynamics, theta []float64, t0 float64, z0, times []float64, s *aca.Settings) ([]float64, error) {
	dst := make([]float64, m.Dim()*len(times))
	_, err := integrate.NewSolver(s).Solve(dst, dynamics.Clone(m), theta, t0, z0, times, nil)
	return dst, err
}

// Observe picks the observed components out of states (row-major, dim wide).
func Observe(states []float64, dim int, observed []int) []float64 {
	if observed == nil {
		return append([]float64(nil), states...)
	}
	k := len(states) / dim
	out := make([]float64, 0, k*len(observed))
	for i := 0; i < k; i++ {
		for _, c := range observed {
			out = append(out, states[i*dim+c])
		}
	}
	return out
}

// AddNoise adds independent Gaussian noise of standard deviation sigma to
// values, from a generator seeded with seed.
func AddNoise(values []float64, sigma float64, seed uint64) {
	if sigma == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range values {
		values[i] += sigma * rng.NormFloat64()
	}
}

// Extrapolation is a fitted model run past the observed window, compared with
// the truth.
type Extrapolation struct {
	// Times are the evaluation times.
	Times []float64
	// Fit and Truth are the states at Times (row-major, len(Times)×Dim); Truth
	// is nil when the error is measured against data.
	Fit, Truth []float64
	// MSE is the mean over times and observed components of the squared error.
	MSE float64
}

// Extrapolate runs the model with θ on `points` equal times from T0 to t1 and
// measures the mean squared error of the observed components against the truth,
// simulated with trueTheta and the (tighter) truth settings. Without a true θ
// the error is measured against the observations at their own times instead.
func Extrapolate(p *Problem, theta []float64, t1 float64, points int, trueTheta []float64, truth *aca.Settings) (*Extrapolation, error) {
	return ExtrapolateModel(p, p.Model, theta, t1, points, trueTheta, truth)
}

// ExtrapolateModel is Extrapolate with another model m in place of p.Model
// for the prediction — a learned model of the same state, say — while the
// truth is still p.Model at trueTheta. m must have p.Model's dimension.
func ExtrapolateModel(p *Problem, m dynamics.Dynamics, theta []float64, t1 float64, points int, trueTheta []float64, truth *aca.Settings) (*Extrapolation, error) {
	if points < 1 || !(t1 > p.T0) {
		return nil, fmt.Errorf("identify: extrapolation needs points ≥ 1 and t1 > t0 (got %d points, t1=%g)", points, t1)
	}
	if m.Dim() != p.Model.Dim() {
		return nil, fmt.Errorf("identify: the model has %d states, the problem %d", m.Dim(), p.Model.Dim())
	}
	if len(theta) != m.NumParams() {
		return nil, fmt.Errorf("identify: %d parameters for a model with %d", len(theta), m.NumParams())
	}
	ts := Linspace(p.T0, t1, points)
	fit, err := Simulate(m, theta, p.T0, p.Z0, ts, &p.Solver)
	if err != nil {
		return nil, fmt.Errorf("identify: extrapolating the fit: %w", err)
	}
	ex := &Extrapolation{Times: ts, Fit: fit}
	n := p.Model.Dim()
	if trueTheta != nil {
		if ex.Truth, err = Simulate(p.Model, trueTheta, p.T0, p.Z0, ts, truth); err != nil {
			return nil, fmt.Errorf("identify: simulating the truth: %w", err)
		}
		ex.MSE = mse(Observe(fit, n, p.Observed), Observe(ex.Truth, n, p.Observed))
		return ex, nil
	}
	atObs, err := Simulate(m, theta, p.T0, p.Z0, p.Times, &p.Solver)
	if err != nil {
		return nil, fmt.Errorf("identify: evaluating the fit at the observation times: %w", err)
	}
	ex.MSE = mse(Observe(atObs, n, p.Observed), p.Values)
	return ex, nil
}

func mse(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s / float64(len(a))
}
