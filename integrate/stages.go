package integrate

import "github.com/physid/physid/dynamics"

// EvalStages computes the stage derivatives K_s = f(t + C[s]h, z + h Σ_j A[s][j]K_j)
// of one step into k (Stages() rows of length Dim()), using y as scratch. When
// haveFirst is true, k[0] already holds f(t, z) (from FSAL or a rejected attempt)
// and is not recomputed. It returns the number of evaluations of f.
func (tb *Tableau) EvalStages(k [][]float64, y []float64, m dynamics.Dynamics, theta []float64, t, h float64, z []float64, haveFirst bool) int {
	nfe := 0
	if !haveFirst {
		m.Func(k[0], t, z, theta)
		nfe++
	}
	for s := 1; s < len(tb.C); s++ {
		copy(y, z)
		for j, a := range tb.A[s] {
			if a != 0 {
				axpy(y, h*a, k[j])
			}
		}
		m.Func(k[s], t+tb.C[s]*h, y, theta)
		nfe++
	}
	return nfe
}

// Combine writes z + h Σ_s w[s] K_s into dst; with w = B it is the step's new
// state; with z nil and w = BErr it is the local error estimate.
func Combine(dst, z []float64, h float64, w []float64, k [][]float64) {
	if z == nil {
		clear(dst)
	} else {
		copy(dst, z)
	}
	for s, ws := range w {
		if ws != 0 {
			axpy(dst, h*ws, k[s])
		}
	}
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}
