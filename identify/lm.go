package identify

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// run solves (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr, accepts the step when the loss
// falls (then λ /= 3), else λ *= 4 and retries (Marquardt 1963, with
// Nielsen-style factors). It does not resume: state and done are ignored.
func (m *LM) run(ctx context.Context, ob *objective, o *Options, init []float64, _ *OptimizerState, _ int, sr *StartResult, rec func(int, float64, []float64)) error {
	u := ob.uOf(init)
	nf := len(u)
	lambda := m.Lambda
	if lambda == 0 {
		lambda = 1e-3
	}
	r, jac, err := ob.jacobian(u, false)
	if err != nil {
		return fmt.Errorf("%w at the start: %v", ErrDiverged, err)
	}
	loss := sumSq(r)
	for epoch := 1; epoch <= o.Epochs; epoch++ {
		rec(epoch, loss, u)
		if ctx.Err() != nil {
			sr.Status, sr.Message = "interrupted", fmt.Sprintf("stopped after epoch %d", epoch)
			return nil
		}
		J := mat.NewDense(len(r), nf, jac)
		var jtj mat.SymDense
		jtj.SymOuterK(1, J.T())
		g := mat.NewVecDense(nf, nil)
		g.MulVec(J.T(), mat.NewVecDense(len(r), r))
		if 2*mat.Norm(g, math.Inf(1)) < o.GradTol {
			sr.Status, sr.Message = "converged", fmt.Sprintf("gradient below %g", o.GradTol)
			return nil
		}
		improved := false
		for try := 0; try < 30 && !improved; try++ {
			a := mat.NewSymDense(nf, nil)
			a.CopySym(&jtj)
			for i := 0; i < nf; i++ {
				a.SetSym(i, i, jtj.At(i, i)*(1+lambda)+1e-300)
			}
			var delta mat.VecDense
			var ch mat.Cholesky
			if !ch.Factorize(a) {
				lambda *= 4
				continue
			}
			if err := ch.SolveVecTo(&delta, g); err != nil {
				lambda *= 4
				continue
			}
			un := make([]float64, nf)
			for i := range un {
				un[i] = u[i] - delta.AtVec(i)
			}
			rn, jn, err := ob.jacobian(un, false)
			if err != nil || math.IsNaN(sumSq(rn)) || sumSq(rn) >= loss {
				lambda *= 4
				continue
			}
			prev := loss
			u, r, jac, loss = un, rn, jn, sumSq(rn)
			lambda = math.Max(lambda/3, 1e-12)
			improved = true
			if prev-loss <= o.LossTol*loss {
				rec(epoch+1, loss, u)
				sr.Status, sr.Message = "converged", fmt.Sprintf("loss change below %g relative", o.LossTol)
				return nil
			}
		}
		if !improved {
			sr.Status, sr.Message = "converged", "no step reduces the loss (λ exhausted)"
			return nil
		}
	}
	rec(o.Epochs+1, loss, u)
	sr.Epochs = o.Epochs
	sr.Status = "max_epochs"
	return nil
}

func sumSq(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}
