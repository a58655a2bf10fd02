package identify

import (
	"fmt"
	"math"
)

// Bound labels in StartResult.AtBound and result files.
const (
	AtMin = "min"
	AtMax = "max"
)

// boundTol is how close to a bound, relative to the parameter's scale
// (boundScale), a value counts as at the bound. LM lands on a bound exactly;
// the smooth transform of Adam and L-BFGS only approaches it, so the
// tolerance says when the approach has gone as far as it matters.
const boundTol = 1e-9

// boundScale is the yardstick of a parameter for boundTol: the box width when
// both bounds are finite, else the larger of |bound|, |init| and 1.
func boundScale(q Parameter) float64 {
	lo, hi := q.bounds()
	if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		return hi - lo
	}
	s := math.Max(1, math.Abs(q.Init))
	if !math.IsInf(lo, 0) {
		s = math.Max(s, math.Abs(lo))
	}
	if !math.IsInf(hi, 0) {
		s = math.Max(s, math.Abs(hi))
	}
	return s
}

// atBound says whether v sits at q's lower (AtMin) or upper (AtMax) bound.
func atBound(q Parameter, v float64) string {
	lo, hi := q.bounds()
	d := boundTol * boundScale(q)
	switch {
	case v <= lo+d:
		return AtMin
	case v >= hi-d:
		return AtMax
	}
	return ""
}

// optimality is the first-order (KKT) test of a box-constrained least-squares
// problem at the free values x, from the weighted residuals r and their
// Jacobian J (len(r)×len(x), row-major). With g = Jᵀr (half the gradient of
// L = Σr²), a parameter at a bound whose g pushes outward (at min with g > 0,
// at max with g < 0) is held by the bound; its component of the projected
// gradient is zero. Over the others the measure is the largest cosine between
// the residual vector and a Jacobian column,
//
//	max_j |g_j| / (‖J_j‖·‖r‖),
//
// the MINPACK gtol test (Moré et al. 1980): invariant to the scale of the
// parameters and of the residuals, 0 at a stationary point, at most 1.
// It returns the measure, which parameters are held (active) and each
// parameter's bound label ("" when inside).
func (o *objective) optimality(x, r, jac []float64) (cos float64, active []bool, at []string) {
	nf := len(x)
	rn := math.Sqrt(sumSq(r))
	active = make([]bool, nf)
	at = make([]string, nf)
	for j := range nf {
		q := o.p.Params[o.free[j]]
		g, cn := 0.0, 0.0
		for row := range r {
			v := jac[row*nf+j]
			g += v * r[row]
			cn += v * v
		}
		at[j] = atBound(q, x[j])
		if (at[j] == AtMin && g > 0) || (at[j] == AtMax && g < 0) {
			active[j] = true
			continue
		}
		if cn == 0 || rn == 0 {
			continue // the parameter does not move the residuals, or they vanish
		}
		cos = math.Max(cos, math.Abs(g)/(math.Sqrt(cn)*rn))
	}
	return cos, active, at
}

// judge runs the optimality test at start sr's best parameters and settles its
// status: "converged" when the test passes (whatever stopped the optimizer);
// otherwise the optimizer's own reason stays, and a claim of convergence
// becomes "stalled". It fills AtBound and Optimality. Interrupted and
// diverged starts keep their status.
func judge(ob *objective, o *Options, sr *StartResult) {
	if sr.Params == nil {
		return
	}
	x := ob.freeOf(sr.Params)
	r, jac, err := ob.residuals(x)
	if err != nil {
		if sr.Status != "interrupted" && sr.Status != "diverged" {
			sr.Status = "stalled"
			sr.Message = fmt.Sprintf("the optimality check failed: %v", err)
		}
		return
	}
	cos, _, at := ob.optimality(x, r, jac)
	sr.Optimality = cos
	sr.AtBound = make([]string, len(ob.p.Params))
	for j, i := range ob.free {
		sr.AtBound[i] = at[j]
	}
	switch {
	case sr.Status == "interrupted" || sr.Status == "diverged":
	case cos <= o.GradTol:
		sr.Status = "converged"
		sr.Message = fmt.Sprintf("first-order optimality: projected gradient cosine %.2g ≤ %g", cos, o.GradTol)
	case ob.atSolverFloor(r):
		sr.Status = "converged"
		sr.Message = fmt.Sprintf("a zero-residual fit: the residuals are within 10× the solver tolerances (projected gradient cosine %.2g is rounding)", cos)
	default:
		if sr.Status == "converged" || sr.Status == "" {
			sr.Status = "stalled"
		}
		why := sr.Message
		if why != "" {
			why = "; " + why
		}
		sr.Message = fmt.Sprintf("not at an optimum: projected gradient cosine %.2g > %g%s", cos, o.GradTol, why)
	}
}

// atSolverFloor reports whether the weighted residuals are at the accuracy of
// the solves: Σr² ≤ Σ_k (w_k/K) Σ_c (10·(rtol·|y_kc| + atol))². There the
// loss is a rounding landscape (the adaptive steps change with θ) and the
// cosine test says nothing; only a noise-free fit gets there.
func (o *objective) atSolverFloor(r []float64) bool {
	rtol, atol := o.p.Solver.RTol, o.p.Solver.ATol
	if rtol == 0 {
		rtol = 1e-6
	}
	if atol == 0 {
		atol = 1e-9
	}
	if o.exps != nil {
		floor := 0.0
		for _, x := range o.exps {
			for k := range x.e.Times {
				for j, ob := range x.e.Observables {
					sig := x.loss.sig[j]
					e := 10 * (rtol*math.Abs(x.e.Values[k*len(x.e.Observables)+j]) + atol) / sig
					if ob.LogNormal {
						e = 10 * rtol / sig
					}
					floor += e * e / 2
				}
			}
		}
		return sumSq(r) <= floor+1e-300
	}
	K, nobs := len(o.p.Times), o.p.NumObserved()
	floor := 0.0
	for k := range K {
		w := 1 / float64(K)
		if o.p.Weights != nil {
			w *= o.p.Weights[k]
		}
		for c := range nobs {
			e := 10 * (rtol*math.Abs(o.p.Values[k*nobs+c]) + atol)
			floor += w * e * e
		}
	}
	return sumSq(r) <= floor
}
