package identify

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
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
// observation noise of one variance. No inverse is formed: with A = JᵀWJ
// factored by Cholesky, X = A⁻¹(WJ)ᵀ comes from one solve and Cov_jj =
// σ̂²·Σ_i X_ji², the squared norm of a row of X, since A⁻¹(JᵀW²J)A⁻¹ = XXᵀ.
// It fails when there are no more observations than free parameters or JᵀWJ
// is not numerically positive definite.
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
	for row := 0; row < N; row++ {
		w := 1 / float64(K)
		if p.Weights != nil {
			w *= p.Weights[row/nobs]
		}
		for j := 0; j < nf; j++ {
			WJ.Set(row, j, w*J.At(row, j))
		}
	}
	var JtWJ mat.Dense
	JtWJ.Mul(J.T(), WJ)
	A := mat.NewSymDense(nf, nil)
	for i := 0; i < nf; i++ {
		for j := i; j < nf; j++ {
			A.SetSym(i, j, JtWJ.At(i, j))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(A) {
		return nil, errors.New("identify: singular Gauss–Newton matrix: JᵀWJ is not positive definite")
	}
	var X mat.Dense // A⁻¹(WJ)ᵀ, nf×N
	if err := ch.SolveTo(&X, WJ.T()); err != nil {
		return nil, fmt.Errorf("identify: singular Gauss–Newton matrix: %w", err)
	}
	s2 := sumSq(e) / float64(N-nf)
	se := make([]float64, len(p.Params))
	for i := range se {
		se[i] = math.NaN()
	}
	for j, i := range ob.free {
		se[i] = math.Sqrt(s2 * floats.Dot(X.RawRowView(j), X.RawRowView(j)))
	}
	return se, nil
}
