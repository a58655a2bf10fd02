package dynamics

import (
	"fmt"
	"math"
)

// CheckDerivatives compares a model's JVP and VJP with central finite differences
// of Func at (t, z, θ) and returns the worst relative error over all Jacobian
// entries, measured as |analytic − fd| / max(1, |fd|) so that entries near zero are
// judged absolutely. For a correct model with well-scaled inputs the result is
// about 1e-8 (the truncation and rounding error of central differences with a
// step of 1e-6·max(1, |x|)); a wrong derivative typically shows as 1e-2 or more.
//
// It also checks that JVP and VJP agree with each other entry by entry, so a model
// whose two derivatives are consistently wrong is still caught. It returns an error
// when a derivative or f itself is not finite at the point.
func CheckDerivatives(m Dynamics, t float64, z, theta []float64) (float64, error) {
	n, p := m.Dim(), m.NumParams()
	if len(z) != n || len(theta) != p {
		return 0, fmt.Errorf("dynamics: CheckDerivatives: len(z)=%d, len(theta)=%d; the model wants %d and %d", len(z), len(theta), n, p)
	}
	zz := append([]float64(nil), z...)
	th := append([]float64(nil), theta...)
	fp, fm := make([]float64, n), make([]float64, n)
	f0 := make([]float64, n)
	m.Func(f0, t, zz, th)
	for i, v := range f0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("dynamics: CheckDerivatives: f[%d] = %v at t=%g", i, v, t)
		}
	}
	// fdCol is the finite-difference column ∂f/∂x_j for x = zz or th.
	fdCol := func(x []float64, j int, dst []float64) {
		h := 1e-6 * math.Max(1, math.Abs(x[j]))
		orig := x[j]
		x[j] = orig + h
		m.Func(fp, t, zz, th)
		x[j] = orig - h
		m.Func(fm, t, zz, th)
		x[j] = orig
		for i := range dst {
			dst[i] = (fp[i] - fm[i]) / (2 * h)
		}
	}
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
	col := make([]float64, n)
	jv := make([]float64, n)
	vz := make([]float64, n)
	vt := make([]float64, p)
	// Column j from the JVP and from FD; entry (i, j) also from the VJP rows.
	for j := 0; j < n+p; j++ {
		clear(vz)
		clear(vt)
		if j < n {
			vz[j] = 1
			fdCol(zz, j, col)
		} else {
			vt[j-n] = 1
			fdCol(th, j-n, col)
		}
		m.JVP(jv, t, zz, th, vz, vt)
		for i := range col {
			if err := compare(jv[i], col[i], fmt.Sprintf("JVP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
			if err := compare(rows[i][j], col[i], fmt.Sprintf("VJP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
			if err := compare(rows[i][j], jv[i], fmt.Sprintf("VJP vs JVP entry (%d,%d)", i, j)); err != nil {
				return worst, err
			}
		}
	}
	return worst, nil
}
