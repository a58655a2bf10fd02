package aca

import (
	"fmt"
	"math"
)

// LeastSquares is the built-in loss, weighted least squares over observation
// times and observed components:
//
//	L = (1/K) Σ_k w_k Σ_c (z_{obs[c]}(t_k) − y_kc)²
//
// with K the number of observation times. The paper weighs an observation at
// time t by time_weight^t (TimeWeights).
type LeastSquares struct {
	// Dim is the state dimension.
	Dim int
	// Observed lists the observed state components; nil means all, in order.
	Observed []int
	// Values holds the observations, K rows of len(Observed) values, row-major.
	Values []float64
	// Weights holds w_k, one per time; nil means 1.
	Weights []float64
}

// NewLeastSquares checks the shapes and returns the loss.
func NewLeastSquares(dim int, observed []int, values, weights []float64) (*LeastSquares, error) {
	l := &LeastSquares{Dim: dim, Observed: observed, Values: values, Weights: weights}
	nobs := l.nobs()
	for _, c := range observed {
		if c < 0 || c >= dim {
			return nil, fmt.Errorf("aca: observed component %d outside 0..%d", c, dim-1)
		}
	}
	if nobs == 0 || len(values)%nobs != 0 {
		return nil, fmt.Errorf("aca: %d values do not make rows of %d observed components", len(values), nobs)
	}
	if weights != nil && len(weights) != len(values)/nobs {
		return nil, fmt.Errorf("aca: %d weights for %d observation times", len(weights), len(values)/nobs)
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("aca: observation %d (time %d, component %d) is %v", i, i/nobs, i%nobs, v)
		}
	}
	return l, nil
}

func (l *LeastSquares) nobs() int {
	if l.Observed == nil {
		return l.Dim
	}
	return len(l.Observed)
}

func (l *LeastSquares) comp(c int) int {
	if l.Observed == nil {
		return c
	}
	return l.Observed[c]
}

// Times returns K, the number of observation times.
func (l *LeastSquares) Times() int { return len(l.Values) / l.nobs() }

// Eval returns L and writes ∂L/∂z into grad.
func (l *LeastSquares) Eval(grad, z []float64) float64 {
	nobs, dim := l.nobs(), l.Dim
	k := len(l.Values) / nobs
	if len(z) != k*dim || len(grad) != len(z) {
		panic(fmt.Sprintf("aca: LeastSquares.Eval: len(z)=%d len(grad)=%d, want %d", len(z), len(grad), k*dim))
	}
	clear(grad)
	inv := 1 / float64(k)
	sum := 0.0
	for i := 0; i < k; i++ {
		w := inv
		if l.Weights != nil {
			w *= l.Weights[i]
		}
		for c := 0; c < nobs; c++ {
			j := i*dim + l.comp(c)
			r := z[j] - l.Values[i*nobs+c]
			sum += w * r * r
			grad[j] += 2 * w * r
		}
	}
	return sum
}

// Residuals writes the weighted residuals r = √(w_k/K)·(z − y), whose sum of
// squares is L, into dst (K·len(Observed) values); Gauss–Newton methods use them.
func (l *LeastSquares) Residuals(dst, z []float64) {
	nobs, dim := l.nobs(), l.Dim
	k := len(l.Values) / nobs
	for i := 0; i < k; i++ {
		w := 1 / float64(k)
		if l.Weights != nil {
			w *= l.Weights[i]
		}
		sw := math.Sqrt(w)
		for c := 0; c < nobs; c++ {
			dst[i*nobs+c] = sw * (z[i*dim+l.comp(c)] - l.Values[i*nobs+c])
		}
	}
}

// TimeWeights returns base^t for each time: the paper's weighting, which
// discounts late observations (base < 1) of a chaotic orbit.
func TimeWeights(times []float64, base float64) []float64 {
	w := make([]float64, len(times))
	for i, t := range times {
		w[i] = math.Pow(base, t)
	}
	return w
}
