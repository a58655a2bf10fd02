package reverse

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Reconstruction compares a forward solve with the backward solve that starts
// from its end state: what the adjoint method (Chen et al. 2018) relies on to
// recover z(t) without storing it. The paper's Fig. 4 shows the two drifting
// apart for van der Pol; ACA avoids the drift by keeping the forward states.
type Reconstruction struct {
	// Times are t0 followed by the requested times, increasing or decreasing.
	Times []float64
	// Forward holds z(Times[i]) of the forward solve from (t0, z0).
	Forward [][]float64
	// Backward holds z(Times[i]) of the solve from (Times[last], Forward[last])
	// back to t0; its last row is the state at Times[last] itself.
	Backward [][]float64
	// Error holds max_c |Backward[i][c] − Forward[i][c]| at each time.
	Error []float64
	// MaxError is the largest entry of Error, reached at t0 for a system
	// whose backward flow is unstable.
	MaxError float64
	// ForwardStats and BackwardStats count the work of each solve.
	ForwardStats, BackwardStats integrate.Stats
}

// Reconstruct solves m forward from (t0, z0) through times (strictly
// monotone, away from t0), then backward from the final state through the same
// times to t0 with the same settings, and measures how far the backward
// trajectory is from the forward one. The backward solve may fail where the
// forward one did not: for van der Pol, a reconstructed state that drifts
// outside the limit cycle escapes to infinity in finite backward time and the
// solve ends with integrate.ErrStepUnderflow. Both solves land on every time
// (integrate.Settings.Land), as the adjoint method's backward solve lands on
// its observation times, so the drift measured is that of the steps the
// adjoint takes (and the numbers of this experiment are those measured before
// dense output).
func Reconstruct(m dynamics.Dynamics, theta []float64, t0 float64, z0 []float64, times []float64, s *integrate.Settings) (*Reconstruction, error) {
	if len(times) == 0 {
		return nil, fmt.Errorf("%w: no times", integrate.ErrBadInput)
	}
	var ls integrate.Settings
	if s != nil {
		ls = *s
	}
	ls.Land = true
	s = &ls
	fwd, fst, err := integrate.Solve(m, theta, t0, z0, times, s)
	if err != nil {
		return nil, fmt.Errorf("forward solve: %w", err)
	}
	n := len(times)
	tEnd, zEnd := times[n-1], fwd[n-1]
	back := make([]float64, 0, n)
	for i := n - 2; i >= 0; i-- {
		back = append(back, times[i])
	}
	back = append(back, t0)
	bwd, bst, err := integrate.Solve(m, theta, tEnd, zEnd, back, s)
	if err != nil {
		return nil, fmt.Errorf("backward solve from t=%.6g: %w", tEnd, err)
	}
	r := &Reconstruction{
		Times:         append([]float64{t0}, times...),
		Forward:       make([][]float64, n+1),
		Backward:      make([][]float64, n+1),
		Error:         make([]float64, n+1),
		ForwardStats:  fst,
		BackwardStats: bst,
	}
	r.Forward[0] = append([]float64(nil), z0...)
	copy(r.Forward[1:], fwd)
	// bwd runs from times[n−2] down to t0; the end state is shared.
	r.Backward[n] = append([]float64(nil), zEnd...)
	for i := 0; i < n; i++ {
		r.Backward[n-1-i] = bwd[i]
	}
	for i := range r.Times {
		e := 0.0
		for c := range r.Forward[i] {
			e = math.Max(e, math.Abs(r.Backward[i][c]-r.Forward[i][c]))
		}
		r.Error[i] = e
		r.MaxError = math.Max(r.MaxError, e)
	}
	return r, nil
}

// Sweep are the tolerances of both experiments: Dopri5 at rtol 1e-3 (MATLAB's
// ode45 defaults, the paper's Fig. 5), 1e-6 (integrate's defaults, index
// Main, Fig. 4) and 1e-9.
func Sweep() []integrate.Settings {
	return []integrate.Settings{
		{Method: integrate.Dopri5, RTol: 1e-3, ATol: 1e-6},
		{Method: integrate.Dopri5, RTol: 1e-6, ATol: 1e-9},
		{Method: integrate.Dopri5, RTol: 1e-9, ATol: 1e-12, MaxSteps: 1000000},
	}
}
