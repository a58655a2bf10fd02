package identify

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// run is projected Levenberg–Marquardt on the box (Kanzow, Yamashita &
// Fukushima 2004), in the parameters' own coordinates: bounds are reachable
// and the gradient does not vanish near them. Each iteration holds the
// parameters that sit at a bound with the gradient pushing outward (a
// parameter whose gradient points inward is released), solves
// (J_FᵀJ_F + λ·diag(J_FᵀJ_F)) δ = −J_Fᵀr for the others, and projects x + δ
// onto the box. A step that lowers the loss is accepted (λ /= 3); otherwise
// λ *= 4 and the step is retried (Marquardt 1963, Nielsen-style factors).
// It stops "converged" when the optimality test passes (see optimality),
// "loss_tol" when the loss stops moving without it, "stalled" when no damping
// gives a lower loss, "max_epochs" at the limit. It saves no state: a resume
// (done > 0) restarts from init, the start's best point, on all the data, with
// the epochs numbered after done.
func (m *LM) run(ctx context.Context, ob *objective, o *Options, init []float64, _ *OptimizerState, done int, sr *StartResult, rec func(int, float64, []float64)) error {
	x := ob.freeOf(init)
	lambda := m.lambda()
	epoch := done
	// Continuation: fit growing leading windows of the observations first.
	windows := m.windows(ob.p.numTimes(), len(x), ob.p.Likelihood())
	if done > 0 {
		windows = windows[len(windows)-1:] // resumed: the continuation is behind
	}
	for _, w := range windows[:len(windows)-1] {
		sub, err := newObjective(ob.p.window(w))
		if err != nil {
			return err
		}
		// A stage may use half of what is left, so the full fit keeps the rest.
		budget := (o.Epochs - epoch) / 2
		if budget < 1 {
			break
		}
		var scratch StartResult
		xs, n, err := lmSolve(ctx, sub, o, x, budget, epoch, &lambda, &scratch, nil)
		ob.nfe += sub.nfe
		ob.evals += sub.evals
		epoch += n
		if err == nil && xs != nil {
			x = xs
		}
		if ctx.Err() != nil {
			break
		}
	}
	lambda = m.lambda() // the full fit starts from the initial damping again
	_, _, err := lmSolve(ctx, ob, o, x, o.Epochs-epoch, epoch, &lambda, sr, rec)
	return err
}

// lambda is the initial damping, Lambda or its default.
func (m *LM) lambda() float64 {
	if m.Lambda == 0 {
		return 1e-3
	}
	return m.Lambda
}

// windows returns the numbers of leading observation times of the
// continuation stages, the last being all K: LM.Windows stages halving back
// from K, none shorter than nf+2 times. For a likelihood problem (floor)
// a halving that would go below nf+2 stops at nf+2 instead, so the first
// stage is as short as the parameters allow: the oscillation of a
// predator–prey fit from a start 2× off is caught only on its first cycle.
func (m *LM) windows(K, nf int, floor bool) []int {
	n := m.Windows
	if n == 0 {
		n = 4
	}
	ws := []int{K}
	for w := K / 2; len(ws) < n; w /= 2 {
		if w < nf+2 {
			if floor && nf+2 < ws[0] {
				ws = append([]int{nf + 2}, ws...)
			}
			break
		}
		ws = append([]int{w}, ws...)
	}
	return ws
}

// lmSolve runs projected LM on ob from x for at most epochs iterations,
// numbering them after done, and returns the end point and the iterations
// used. rec may be nil (a continuation stage: not the fit's history).
func lmSolve(ctx context.Context, ob *objective, o *Options, x []float64, epochs, done int, lambdaP *float64, sr *StartResult, rec func(int, float64, []float64)) ([]float64, int, error) {
	if rec == nil {
		rec = func(int, float64, []float64) {}
	}
	nf := len(x)
	lo, hi := make([]float64, nf), make([]float64, nf)
	for j, i := range ob.free {
		lo[j], hi[j] = ob.p.Params[i].bounds()
	}
	lambda := *lambdaP
	defer func() { *lambdaP = lambda }()
	r, jac, err := ob.residuals(x)
	if err != nil {
		return nil, 0, fmt.Errorf("%w at the start: %v", ErrDiverged, err)
	}
	loss := sumSq(r)
	xn := make([]float64, nf)
	for it := 1; it <= epochs; it++ {
		epoch := done + it
		rec(epoch, loss+ob.offset, ob.fullOf(x))
		if ctx.Err() != nil {
			sr.Status, sr.Message = "interrupted", fmt.Sprintf("stopped after epoch %d", epoch)
			return x, it, nil
		}
		cos, active, _ := ob.optimality(x, r, jac)
		if cos <= o.GradTol || loss == 0 {
			sr.Status, sr.Message = "converged", fmt.Sprintf("projected gradient cosine %.2g ≤ %g", cos, o.GradTol)
			return x, it, nil
		}
		F, jtj, g := freeNormalEquations(r, jac, active)
		improved := false
		for try := 0; try < 40 && !improved; try++ {
			solved, moved := dampedStep(xn, x, F, jtj, g, lambda, lo, hi)
			if !solved {
				lambda *= 4
				continue
			}
			if !moved {
				break // the step is below the rounding of x: nothing left to try
			}
			rn, jn, err := ob.residuals(xn)
			if err != nil || !(sumSq(rn) < loss) {
				lambda *= 4
				continue
			}
			prev := loss
			x, r, jac, loss = clone(xn), rn, jn, sumSq(rn)
			lambda = math.Max(lambda/3, 1e-12)
			improved = true
			if prev-loss <= o.LossTol*loss {
				rec(epoch+1, loss+ob.offset, ob.fullOf(x))
				if cos, _, _ := ob.optimality(x, r, jac); cos <= o.GradTol {
					sr.Status, sr.Message = "converged", fmt.Sprintf("projected gradient cosine %.2g ≤ %g", cos, o.GradTol)
				} else {
					sr.Status, sr.Message = "loss_tol", fmt.Sprintf("loss change below %g relative", o.LossTol)
				}
				return x, it, nil
			}
		}
		if !improved {
			sr.Status, sr.Message = "stalled", "no damping of the step lowers the loss"
			return x, it, nil
		}
	}
	rec(done+epochs+1, loss+ob.offset, ob.fullOf(x))
	sr.Epochs = done + epochs
	sr.Status = "max_epochs"
	return x, epochs, nil
}

func sumSq(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// freeNormalEquations returns the free set F (every parameter not held by its
// bound, active[j] false) and, over it, the normal equations JᵀJ and g = Jᵀr
// of the row-major residual Jacobian jac.
func freeNormalEquations(r, jac []float64, active []bool) ([]int, *mat.SymDense, *mat.VecDense) {
	nf := len(active)
	var F []int
	for j := range nf {
		if !active[j] {
			F = append(F, j)
		}
	}
	nF := len(F)
	JF := mat.NewDense(len(r), nF, nil)
	for row := range r {
		for a, j := range F {
			JF.Set(row, a, jac[row*nf+j])
		}
	}
	var jtj mat.SymDense
	jtj.SymOuterK(1, JF.T())
	g := mat.NewVecDense(nF, nil)
	g.MulVec(JF.T(), mat.NewVecDense(len(r), r))
	return F, &jtj, g
}

// dampedStep writes to xn the LM step from x with damping lambda over the
// free set F, projected onto [lo, hi]. solved is false when the damped normal
// equations cannot be solved (xn is then untouched); moved is false when the
// step does not change x.
func dampedStep(xn, x []float64, F []int, jtj *mat.SymDense, g *mat.VecDense, lambda float64, lo, hi []float64) (solved, moved bool) {
	nF := len(F)
	a := mat.NewSymDense(nF, nil)
	a.CopySym(jtj)
	for i := range nF {
		a.SetSym(i, i, jtj.At(i, i)*(1+lambda)+1e-300)
	}
	var delta mat.VecDense
	var ch mat.Cholesky
	if !ch.Factorize(a) || ch.SolveVecTo(&delta, g) != nil {
		return false, false
	}
	copy(xn, x)
	for a, j := range F {
		v := math.Min(hi[j], math.Max(lo[j], x[j]-delta.AtVec(a)))
		moved = moved || v != x[j]
		xn[j] = v
	}
	return true, moved
}
