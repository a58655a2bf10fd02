package identify

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// StandardErrors returns Gauss–Newton standard errors of the free parameters at
// θ (NaN for fixed ones). With e = z(θ) − y, J = ∂z/∂θ over the observed values
// and W = diag(w_k/K) the loss weights, the estimator minimising eᵀWe has the
// sandwich covariance
//
//	Cov = σ̂² (JᵀWJ)⁻¹ (JᵀW²J) (JᵀWJ)⁻¹,  σ̂² = eᵀe / (N − p),
//
// which reduces to σ̂²(JᵀJ)⁻¹ for equal weights; it assumes independent
// observation noise of one variance. It fails when there are no more
// observations than free parameters or JᵀWJ is singular.
func StandardErrors(p *Problem, theta []float64) ([]float64, error) {
	ob, err := newObjective(p)
	if err != nil {
		return nil, err
	}
	nf := len(ob.free)
	e, jac, err := ob.jacobian(ob.uOf(theta), true)
	if err != nil {
		return nil, err
	}
	N := len(e)
	if N <= nf {
		return nil, fmt.Errorf("identify: %d observations for %d free parameters: no standard errors", N, nf)
	}
	nobs := p.NumObserved()
	K := len(p.Times)
	J := mat.NewDense(N, nf, jac)
	WJ := mat.NewDense(N, nf, nil)
	W2J := mat.NewDense(N, nf, nil)
	for row := 0; row < N; row++ {
		w := 1 / float64(K)
		if p.Weights != nil {
			w *= p.Weights[row/nobs]
		}
		for j := 0; j < nf; j++ {
			WJ.Set(row, j, w*J.At(row, j))
			W2J.Set(row, j, w*w*J.At(row, j))
		}
	}
	var A, B mat.Dense
	A.Mul(J.T(), WJ)
	B.Mul(J.T(), W2J)
	var Ainv mat.Dense
	if err := Ainv.Inverse(&A); err != nil {
		return nil, fmt.Errorf("identify: singular Gauss–Newton matrix: %w", err)
	}
	var cov, tmp mat.Dense
	tmp.Mul(&Ainv, &B)
	cov.Mul(&tmp, &Ainv)
	s2 := sumSq(e) / float64(N-nf)
	se := make([]float64, len(p.Params))
	for i := range se {
		se[i] = math.NaN()
	}
	for j, i := range ob.free {
		v := s2 * cov.At(j, j)
		if v < 0 {
			return nil, errors.New("identify: covariance with a negative variance")
		}
		se[i] = math.Sqrt(v)
	}
	return se, nil
}
