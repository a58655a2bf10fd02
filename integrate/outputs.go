package integrate

import (
	"math"

	"github.com/physid/physid/dynamics"
)

// breakpoints finds the model's breakpoints strictly after t0 in the
// direction of the output times.
func (r *run) breakpoints(m dynamics.Dynamics, t0 float64) {
	r.dir = 1
	if len(r.times) > 0 && r.times[len(r.times)-1] < t0 {
		r.dir = -1
	}
	bpr, ok := m.(dynamics.Breakpointer)
	if !ok {
		return
	}
	all := bpr.Breakpoints()
	if r.dir > 0 {
		r.bps = all
		for r.bp < len(all) && all[r.bp] <= t0 {
			r.bp++
		}
		return
	}
	r.bps = reversedBefore(all, t0)
}

// reversedBefore returns the breakpoints before t0, latest first, for a
// backward solve. It allocates; backward solves with breakpoints are rare
// (the adjoint's own model has none).
func reversedBefore(all []float64, t0 float64) []float64 {
	var out []float64
	for i := len(all) - 1; i >= 0; i-- {
		if all[i] < t0 {
			out = append(out, all[i])
		}
	}
	return out
}

// bpGap is how far before a breakpoint b a step ends: a few rounding units of
// b, so that t + c·h of every stage stays on the near side of the jump. The
// skipped interval changes z by about |f|·bpGap, far below any tolerance.
func bpGap(b float64) float64 { return 8 * epsilon * math.Max(1, math.Abs(b)) }

// interpolate writes the outputs strictly inside accepted attempt a, before
// the solve moves past it (its stages are still those of the step), with the
// tableau's continuous extension.
func (s *Solver) interpolate(r *run, a *Attempt) {
	tb, n := s.cur, s.dim
	for k := a.First; k < a.First+a.Inside; k++ {
		tb.DenseWeights(s.bw, (r.times[k]-a.T)/a.H)
		combine(r.dst[k*n:(k+1)*n], a.Z, a.H, s.bw, a.K)
	}
	r.out = a.First + a.Inside
}

// nextStop finds the next output time a step must end on: the next output
// without dense output or with a Jumper; with it, the next one a Stopper
// marks, else the last.
func (s *Solver) nextStop(r *run) {
	k := r.out
	if s.r.dense && r.jumper == nil {
		for k < len(r.times)-1 && (r.stopper == nil || !r.stopper.Stop(k)) {
			k++
		}
	}
	r.stop = k
}

// output writes the state at output time r.out and lets a Jumper restart from
// a new state there.
func (s *Solver) output(r *run) {
	copy(r.dst[r.out*s.dim:(r.out+1)*s.dim], s.z)
	if r.jumper != nil && r.jumper.Jump(r.out, r.t, s.z) {
		_, nfe := s.stepper.begin(r.m, r.theta, r.t, s.z)
		r.st.NFE += nfe
	}
	r.out++
}
