package integrate

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Stiffness detection for explicit methods, after Hairer & Wanner, Solving ODEs
// II, Sec. IV.2 (the test of DOPRI5, HNW I, Sec. II.10): the last two stages of
// an accepted step give the Rayleigh-like quotient ρ ≈ ‖K_S − K_{S−1}‖ /
// ‖Y_S − Y_{S−1}‖ of the Jacobian along the step, with Y_S − Y_{S−1} =
// h Σ_j (A[S][j] − A[S−1][j]) K_j computed from the stages at hand. While
// h·ρ sits at the edge of the method's real stability interval the step size
// is set by stability, not accuracy: after stiffSteps such accepted steps with
// fewer than calmSteps others in between the problem is declared stiff. The
// edge is computed from the tableau: the largest x with |R(−y)| ≤ 1 on
// [−x, 0] for the stability function R of the method.
const (
	stiffSteps = 15
	calmSteps  = 6
	// stiffEdge is the fraction of the stability edge that counts as "at the
	// edge" (Hairer's 3.25 for DOPRI5's 3.31).
	stiffEdge = 0.98
	// checkEvery is how often (in accepted steps) a method without a stage
	// pair at one time pays an evaluation of f for the estimate.
	checkEvery = 100
)

// stiffness is the state of the detector; its zero value is off.
type stiffness struct {
	bound       float64 // stiffEdge × the real stability edge; 0: off
	pair        bool    // the tableau has two stages at the same time (Hairer's test)
	count, calm int
	steps       int     // accepted explicit steps since the reset
	last, rho   float64 // the latest h·ρ and ρ
}

func newStiffness(tb *Tableau) stiffness {
	p, q := stiffPair(tb)
	return stiffness{bound: stiffEdge * stabilityEdge(tb), pair: p != q && tb.C[p] == tb.C[q]}
}

func (d *stiffness) on() bool { return d.bound > 0 }

func (d *stiffness) reset() { d.count, d.calm, d.last, d.rho, d.steps = 0, 0, 0, 0, 0 }

// observe counts one accepted step with h·ρ = hr and reports whether the
// problem is now stiff.
func (d *stiffness) observe(hr, h float64) bool {
	d.last = hr
	if hr > d.bound {
		d.rho = hr / math.Abs(h)
		d.calm = 0
		d.count++
		return d.count >= stiffSteps
	}
	d.calm++
	if d.calm >= calmSteps {
		d.count = 0
	}
	return false
}

// stabilityEdge returns the length of the method's stability interval on the
// negative real axis, R(x) = 1 + x bᵀ(I − xA)⁻¹𝟙 for explicit A, scanned in
// steps of 0.01 and refined by bisection.
func stabilityEdge(tb *Tableau) float64 {
	abs := func(x float64) float64 { return cmplx.Abs(stabilityFunction(tb, complex(x, 0))) }
	lo := 0.0
	for x := 0.01; x < 100; x += 0.01 {
		if abs(-x) > 1+1e-12 {
			hi := x
			for range 50 {
				mid := (lo + hi) / 2
				if abs(-mid) > 1+1e-12 {
					hi = mid
				} else {
					lo = mid
				}
			}
			return lo
		}
		lo = x
	}
	return lo
}

// stabilityFunction is R(x) = 1 + x bᵀ(I − xA)⁻¹𝟙 for a lower-triangular A
// (diagonal allowed): the step's growth factor on y' = λy with x = hλ.
func stabilityFunction(tb *Tableau, x complex128) complex128 {
	s := tb.Stages()
	g := make([]complex128, s) // stage values Y_s for y0 = 1
	r := complex(1, 0)
	for i := 0; i < s; i++ {
		sum := complex(1, 0)
		diag := complex(0, 0)
		for j, a := range tb.A[i] {
			if j == i {
				diag = complex(a, 0)
				continue
			}
			sum += x * complex(a, 0) * g[j]
		}
		g[i] = sum / (1 - x*diag)
		r += x * complex(tb.B[i], 0) * g[i]
	}
	return r
}

// StabilityFunction returns R(hλ), the factor by which one step of the method
// multiplies the solution of y' = λy. An L-stable method has |R| ≤ 1 on the
// left half-plane and R(−∞) = 0.
func (tb *Tableau) StabilityFunction(hl complex128) complex128 { return stabilityFunction(tb, hl) }

// stiffPair returns the two stages whose times are closest (the latest such
// pair): their difference is least polluted by the solution's own change
// over the step. For Dopri5 these are its last two stages, both at c = 1,
// the pair of Hairer's test.
func stiffPair(tb *Tableau) (p, q int) {
	best := math.Inf(1)
	for i := 0; i < len(tb.C); i++ {
		for j := i + 1; j < len(tb.C); j++ {
			if d := math.Abs(tb.C[j] - tb.C[i]); d <= best {
				best, p, q = d, i, j
			}
		}
	}
	return p, q
}

// hRho estimates h·ρ(J) from the stages p < q of the last attempt
// (stiffPair): ‖K_q − K_p‖ / ‖Σ_j (A[q][j] − A[p][j]) K_j‖.
func (r *explicitRK) hRho() float64 {
	tb := r.tb
	S, P := r.pq[1], r.pq[0]
	if S == P {
		return 0
	}
	a1, a0 := tb.A[S], tb.A[P]
	// The coefficients A[q][j] − A[p][j], computed once (the same values the
	// per-element loop computed before).
	var ds [16]float64
	var ks [16][]float64
	if len(a1) > len(ds) {
		panic("integrate: hRho: a tableau of more than 17 stages")
	}
	nd := 0
	for j, a := range a1 {
		if j < len(a0) {
			a -= a0[j]
		}
		if a != 0 {
			ds[nd], ks[nd] = a, r.k[j]
			nd++
		}
	}
	kS, kP := r.k[S], r.k[P]
	num, den := 0.0, 0.0
	for i := range kS {
		d := kS[i] - kP[i]
		num += d * d
		y := 0.0
		for j := range nd {
			y += ds[j] * ks[j][i]
		}
		den += y * y
	}
	if den == 0 {
		return 0
	}
	return math.Sqrt(num / den) // h·ρ: Y_S − Y_{S−1} is h·Σ(…)K, so h cancels
}

// embeddedHRho estimates h·ρ(J) after accepted attempt a from the embedded
// solution ẑ = z' − e: ρ ≈ ‖f(t+h, ẑ) − f(t+h, z')‖ / ‖e‖. While the step is
// held by stability the error estimate e points along the stiff modes, so
// the quotient measures them. It costs one evaluation of f (fNew = f(t+h, z')
// is the next step's first stage), counted in Stats.StiffnessNFE.
func (s *Solver) embeddedHRho(r *run, a *Attempt, fNew []float64) float64 {
	ne := 0.0
	for i, v := range s.e {
		s.y2[i] = s.z[i] - v
		ne += v * v
	}
	if ne == 0 {
		return 0
	}
	r.m.Func(s.f2, r.t, s.y2, r.theta)
	r.st.StiffnessNFE++
	nd := 0.0
	for i, v := range s.f2 {
		d := v - fNew[i]
		nd += d * d
	}
	return math.Abs(a.H) * math.Sqrt(nd/ne)
}

// watchStiffness runs the detector on accepted attempt a, after the solver
// moved to its end (fNew is f there). hr is h·ρ from Hairer's stage pair when
// the method has one (−1 otherwise). For a plain explicit method a detected
// stiffness is ErrStiff; for Auto it switches to the implicit method, and
// back once the implicit steps have stayed inside the explicit method's
// stability interval for stiffSteps steps. It reports whether it switched
// (the caller then restarts the new stepper at the end of the step).
func (s *Solver) watchStiffness(r *run, a *Attempt, hr float64, fNew []float64) (bool, error) {
	d := &s.detect
	if s.stepper == s.implicit {
		r.st.StiffSteps++
		ir := s.implicit.(*implicitRK)
		if math.Abs(a.H)*ir.rho < d.bound {
			d.calm++
		} else {
			d.calm = 0
		}
		if d.calm >= stiffSteps {
			s.switchTo(r, s.explicit, s.r.tb)
			return true, nil
		}
		return false, nil
	}
	d.steps++
	if hr < 0 {
		// Without a stage pair the estimate costs an evaluation: take it
		// every checkEvery steps, and on every step while steps look stiff.
		if d.count == 0 && d.steps%checkEvery != 0 {
			return false, nil
		}
		hr = s.embeddedHRho(r, a, fNew)
	}
	if !d.observe(hr, a.H) {
		return false, nil
	}
	if s.implicit != nil {
		s.switchTo(r, s.implicit, s.r.tb.Stiff)
		return true, nil
	}
	tEnd := r.times[len(r.times)-1]
	return false, fmt.Errorf("%w at t=%.6g: for %d steps h·ρ(J) ≈ %.3g sat at the stability limit %.3g of %s (h=%.2g, ρ(J) ≈ %.3g, stiffness ratio ρ·|t_end − t| ≈ %.2g); use an implicit method ([solver] method = \"kvaerno5\") or method = \"auto\"",
		ErrStiff, r.t, d.count, hr, d.bound, s.r.tb.Name, a.H, d.rho, d.rho*math.Abs(tEnd-r.t))
}

// switchTo makes stp, which steps tableau tb, Auto's current stepper, resets
// the detector and tells a MethodRecorder.
func (s *Solver) switchTo(r *run, stp stepper, tb *Tableau) {
	s.stepper, s.cur = stp, tb
	s.detect.reset()
	if r.mrec != nil {
		r.mrec.RecordMethod(tb)
	}
}
