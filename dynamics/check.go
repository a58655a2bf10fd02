package dynamics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// fdRelStep is CheckDerivatives' finite-difference step relative to
// max(1, |x_j|). For O(1) f and derivatives, central differences then carry a
// truncation error h²/6·|f‴| ≈ 2e-13 and a rounding error ≈ ε·|f|/h ≈ 2e-10,
// far below the 1e-2 of a wrong derivative.
const fdRelStep = 1e-6

// CheckDerivatives compares a model's JVP and VJP with central finite differences
// of Func at (t, z, θ) and returns the worst relative error over all Jacobian
// entries, measured as |analytic − fd| / max(1, |fd|) so that entries near zero are
// judged absolutely. For a correct model with well-scaled inputs the result is
// about 1e-8 (the truncation and rounding error of central differences with a
// step of 1e-6·max(1, |x|)); a wrong derivative typically shows as 1e-2 or more.
//
// The differences are gonum's fd.Jacobian with fd.Central, taken in the scaled
// variables s_j = (x_j − x0_j) / max(1, |x0_j|) with the step 1e-6, so that
// coordinate j moves by 1e-6·max(1, |x0_j|) as above.
//
// It also checks that JVP and VJP agree with each other entry by entry, so a model
// whose two derivatives are consistently wrong is still caught. It returns an error
// when a derivative or f itself is not finite at the point.
func CheckDerivatives(m Dynamics, t float64, z, theta []float64) (float64, error) {
	n, p := m.Dim(), m.NumParams()
	if err := checkPoint("CheckDerivatives", m, t, z, theta); err != nil || n == 0 {
		return 0, err // n = 0: nothing to differentiate (and fd.Jacobian wants a non-empty matrix)
	}
	// x0 = (z, θ) is the point and scale[j] = max(1, |x0_j|) the step scale.
	x0 := append(append([]float64(nil), z...), theta...)
	zz, th := x0[:n:n], x0[n:]
	scale := make([]float64, n+p)
	for j, v := range x0 {
		scale[j] = math.Max(1, math.Abs(v))
	}
	// jac is [∂f/∂z ∂f/∂θ] from the differences, one column per entry of x0.
	jac := mat.NewDense(n, n+p, nil)
	x := make([]float64, n+p)
	fd.Jacobian(jac, func(dst, s []float64) {
		for j := range x {
			x[j] = x0[j] + scale[j]*s[j]
		}
		m.Func(dst, t, x[:n:n], x[n:])
	}, make([]float64, n+p), &fd.JacobianSettings{Formula: fd.Central, Step: fdRelStep})
	worst := 0.0
	compare := func(a, b float64, what string) error {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("dynamics: CheckDerivatives: %s is %v at t=%g", what, a, t)
		}
		e := math.Abs(a-b) / math.Max(1, math.Abs(b))
		if e > worst {
			worst = e
		}
		return nil
	}
	// rows[i] is row i of [∂f/∂z ∂f/∂θ] from the VJP with u = e_i.
	rows := make([][]float64, n)
	u := make([]float64, n)
	for i := range rows {
		rows[i] = make([]float64, n+p)
		clear(u)
		u[i] = 1
		m.VJP(rows[i][:n], rows[i][n:], t, zz, th, u)
	}
	jv := make([]float64, n)
	vz := make([]float64, n)
	vt := make([]float64, p)
	// Column j from the JVP and from FD; entry (i, j) also from the VJP rows.
	for j := 0; j < n+p; j++ {
		clear(vz)
		clear(vt)
		if j < n {
			vz[j] = 1
		} else {
			vt[j-n] = 1
		}
		m.JVP(jv, t, zz, th, vz, vt)
		for i := range jv {
			col := jac.At(i, j) / scale[j]
			if err := compare(jv[i], col, fmt.Sprintf("JVP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
			if err := compare(rows[i][j], col, fmt.Sprintf("VJP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
			if err := compare(rows[i][j], jv[i], fmt.Sprintf("VJP vs JVP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
		}
	}
	return worst, nil
}

// CheckTimeDerivative compares a model's ∂f/∂t (TimeDerivative.DfDt) with
// central finite differences of Func in t at (t, z, θ), with the step
// 1e-6·max(1, |t|), and returns the worst relative error over the components,
// measured as in CheckDerivatives. A model that does not implement
// TimeDerivative is taken to be autonomous, as gradient methods take it, so
// its ∂f/∂t is compared as zero: a non-autonomous model that lacks DfDt fails
// the check. It returns an error when f or ∂f/∂t is not finite at the point.
func CheckTimeDerivative(m Dynamics, t float64, z, theta []float64) (float64, error) {
	n := m.Dim()
	if err := checkPoint("CheckTimeDerivative", m, t, z, theta); err != nil || n == 0 {
		return 0, err
	}
	zz, th := append([]float64(nil), z...), append([]float64(nil), theta...)
	scale := math.Max(1, math.Abs(t))
	col := mat.NewDense(n, 1, nil)
	fd.Jacobian(col, func(dst, s []float64) {
		m.Func(dst, t+scale*s[0], zz, th)
	}, []float64{0}, &fd.JacobianSettings{Formula: fd.Central, Step: fdRelStep})
	ft := make([]float64, n)
	if td, ok := m.(TimeDerivative); ok {
		td.DfDt(ft, t, zz, th)
	}
	worst := 0.0
	for i, a := range ft {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return worst, fmt.Errorf("dynamics: CheckTimeDerivative: ∂f[%d]/∂t is %v at t=%g", i, a, t)
		}
		b := col.At(i, 0) / scale
		worst = math.Max(worst, math.Abs(a-b)/math.Max(1, math.Abs(b)))
	}
	return worst, nil
}

// checkPoint returns an error, prefixed with op, when z or θ has the wrong
// length for m or when f is not finite at (t, z, θ); a model with no states
// is not evaluated.
func checkPoint(op string, m Dynamics, t float64, z, theta []float64) error {
	n, p := m.Dim(), m.NumParams()
	if len(z) != n || len(theta) != p {
		return fmt.Errorf("dynamics: %s: len(z)=%d, len(theta)=%d; the model wants %d and %d", op, len(z), len(theta), n, p)
	}
	if n == 0 {
		return nil
	}
	f0 := make([]float64, n)
	m.Func(f0, t, z, theta)
	for i, v := range f0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("dynamics: %s: f[%d] = %v at t=%g", op, i, v, t)
		}
	}
	return nil
}
