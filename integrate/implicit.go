package integrate

import (
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/internal/denselu"
	"gonum.org/v1/gonum/mat"
)

// Newton's parameters for the stage equations of implicit methods (Hairer &
// Wanner, Solving ODEs II, Sec. IV.8, the choices of RADAU5 and of Kennedy &
// Carpenter, NASA TM-2016-219173, Sec. 6).
const (
	// newtonMaxIter bounds the iterations on one stage.
	newtonMaxIter = 10
	// newtonTolMax caps the default κ: the stage is converged when the
	// estimated distance η‖ΔY‖ to the solution is below κ in error-norm
	// units; RADAU5's default is κ = max(10·ε/rtol, min(0.03, √rtol)).
	newtonTolMax = 0.03
	// jacobianTheta: a step whose slowest contraction rate θ exceeded it
	// recomputes J at the start of the next step.
	jacobianTheta = 0.1
	// refactorRatio: the iteration matrix I − hγJ is refactored when h moved
	// by more than this fraction from the h it was factored for.
	refactorRatio = 0.2
)

// implicitRK steps a diagonally implicit tableau by simplified Newton on each
// implicit stage Y_s = r_s + hγ f(t + C[s]h, Y_s), r_s = z + h Σ_{j<s} A[s][j]K_j,
// with the iteration matrix M = I − hγJ, J = ∂f/∂z at the start of a step.
// M is LU-factored and reused across stages and steps while Newton converges;
// it is refactored when h changes by more than refactorRatio, and J is
// recomputed after slow convergence or a failure. After convergence
// K_s = (Y_s − r_s)/(hγ), which equals f(Y_s) to the Newton tolerance without
// amplifying the iteration error by the stiff hγJ.
type implicitRK struct {
	tb    *Tableau
	fsal  bool
	gamma float64
	rtol  float64
	atol  float64
	kappa float64

	k      [][]float64
	y, r   []float64 // stage value and its explicit part
	fy, dy []float64
	ej     []float64 // JVP scratch
	jac    *mat.Dense
	iter   *mat.Dense // I − hγJ
	lu     denselu.LU
	h      float64
	hLU    float64 // h of the factorization, 0 when none
	jacOK  bool    // J is valid for the current step's start
	fresh  bool    // J was computed at the current step's start
	thMax  float64 // the slowest contraction rate of the last attempt
	// counts since the last drain
	jacs, facts, fails int
	// rho is ‖J‖∞, an upper bound of the spectral radius of the last J.
	rho float64
}

func newImplicitRK(tb *Tableau, r resolved) *implicitRK {
	k := r.newtonTol
	if k == 0 {
		k = math.Min(newtonTolMax, math.Sqrt(r.rtol))
	}
	// Below the rounding of the stage values Newton cannot converge.
	k = math.Max(k, 10*epsilon/r.rtol)
	return &implicitRK{tb: tb, fsal: tb.FSAL(), gamma: tb.Gamma(), rtol: r.rtol, atol: r.atol, kappa: k}
}

func (r *implicitRK) setup(dim int) {
	if len(r.y) == dim && len(r.k) == r.tb.Stages() {
		return
	}
	r.k = make([][]float64, r.tb.Stages())
	for i := range r.k {
		r.k[i] = make([]float64, dim)
	}
	r.y, r.r, r.fy, r.dy, r.ej = make([]float64, dim), make([]float64, dim), make([]float64, dim),
		make([]float64, dim), make([]float64, dim)
	r.jac, r.iter = mat.NewDense(dim, dim, nil), mat.NewDense(dim, dim, nil)
	r.lu = denselu.LU{}
	r.hLU, r.jacOK = 0, false
}

func (r *implicitRK) begin(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int) {
	m.Func(r.k[0], t, z, theta)
	r.jacOK, r.fresh = false, false // a new start (or a jump): J is stale
	return r.k[0], 1
}

// jacobian evaluates J at (t, z) and returns the evaluations it cost (JVPs
// count as evaluations when the model has no analytic Jacobian).
func (r *implicitRK) jacobian(m dynamics.Dynamics, theta []float64, t float64, z []float64) int {
	analytic := dynamics.DenseJacobian(r.jac, m, t, z, theta, r.ej, r.fy)
	r.jacs++
	r.jacOK, r.fresh, r.hLU = true, true, 0
	r.rho = infNorm(r.jac)
	if analytic {
		return 0
	}
	return len(z)
}

// factor forms I − hγJ and LU-factors it.
func (r *implicitRK) factor(h float64) bool {
	n, _ := r.jac.Dims()
	hg := h * r.gamma
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := -hg * r.jac.At(i, j)
			if i == j {
				v++
			}
			r.iter.Set(i, j, v)
		}
	}
	r.facts++
	r.hLU = h
	return r.lu.Factor(r.iter)
}

// try attempts one step; it reports false when Newton failed even with a
// Jacobian evaluated at the step's start.
func (r *implicitRK) try(zn, e []float64, m dynamics.Dynamics, theta []float64, t, h float64, z []float64) (int, bool) {
	r.h = h
	nfe := 0
	for {
		if !r.jacOK {
			nfe += r.jacobian(m, theta, t, z)
		}
		if r.hLU == 0 || math.Abs(h-r.hLU) > refactorRatio*math.Abs(r.hLU) {
			if !r.factor(h) {
				if r.fresh {
					r.fails++
					return nfe, false
				}
				r.jacOK = false
				continue
			}
		}
		n, ok := r.stagesNewton(m, theta, t, h, z)
		nfe += n
		if ok {
			break
		}
		if r.fresh {
			r.fails++
			r.hLU = 0 // the next (smaller) step refactors
			return nfe, false
		}
		r.jacOK = false // retry once with J at the step's start
	}
	combine(zn, z, h, r.tb.B, r.k)
	if e != nil {
		combine(e, nil, h, r.tb.BErr, r.k)
	}
	return nfe, true
}

// stagesNewton solves the stages of one attempt in order.
func (r *implicitRK) stagesNewton(m dynamics.Dynamics, theta []float64, t, h float64, z []float64) (int, bool) {
	tb := r.tb
	nfe := 0
	r.thMax = 0
	for s := 1; s < len(tb.C); s++ {
		row := tb.A[s]
		ts := t + tb.C[s]*h
		if len(row) == s || row[s] == 0 { // an explicit stage
			combine(r.y, z, h, row[:s], r.k)
			m.Func(r.k[s], ts, r.y, theta)
			nfe++
			continue
		}
		combine(r.r, z, h, row[:s], r.k)
		// Newton start from the predictor's K_s.
		hg := h * r.gamma
		if s < len(tb.Predictor) && tb.Predictor[s] != nil {
			combine(r.y, r.r, hg, tb.Predictor[s], r.k)
		} else {
			copy(r.y, r.r)
			axpy(r.y, hg, r.k[s-1])
		}
		n, ok := r.newton(m, theta, ts, hg, z)
		nfe += n
		if !ok {
			return nfe, false
		}
		ks := r.k[s]
		for i := range ks {
			ks[i] = (r.y[i] - r.r[i]) / hg
		}
	}
	return nfe, true
}

// newton iterates Y ← Y + M⁻¹(r + hγ f(Y) − Y) on r.y from its start value.
func (r *implicitRK) newton(m dynamics.Dynamics, theta []float64, ts, hg float64, z []float64) (int, bool) {
	nfe := 0
	prev := 0.0
	// Before a rate is measured, the first correction must itself be below
	// κ: a rate carried over from the last stage (Hairer's η_old) can be far
	// too optimistic when h or J moved since the factorization.
	eta := 1.0
	for it := 0; it < newtonMaxIter; it++ {
		m.Func(r.fy, ts, r.y, theta)
		nfe++
		for i := range r.dy { // the residual, solved in place for the correction
			r.dy[i] = r.r[i] + hg*r.fy[i] - r.y[i]
		}
		if firstNonFinite(r.dy) >= 0 {
			return nfe, false
		}
		r.lu.Solve(r.dy, false)
		axpy(r.y, 1, r.dy)
		norm := ErrorNorm(r.dy, z, r.y, r.rtol, r.atol) // scaled by max(|z_i|, |Y_i|)
		if it > 0 {
			th := norm / prev
			r.thMax = math.Max(r.thMax, th)
			if th >= 1 || !finite(th) {
				return nfe, false
			}
			eta = th / (1 - th)
			// Not converging in time: the remaining iterations cannot reach κ.
			if math.Pow(th, float64(newtonMaxIter-1-it))*eta*norm > r.kappa {
				return nfe, false
			}
		}
		if eta*norm <= r.kappa || norm == 0 {
			return nfe, true
		}
		prev = norm
	}
	return nfe, false
}

func (r *implicitRK) advance(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int) {
	if r.thMax > jacobianTheta {
		r.jacOK = false
	}
	r.fresh = false
	if r.fsal {
		k := r.k
		k[0], k[len(k)-1] = k[len(k)-1], k[0]
		return k[0], 0
	}
	m.Func(r.k[0], t, z, theta)
	return r.k[0], 1
}

func (r *implicitRK) stages() [][]float64 { return r.k }

func (r *implicitRK) drain() (jacobians, factorizations, newtonFailures int) {
	jacobians, factorizations, newtonFailures = r.jacs, r.facts, r.fails
	r.jacs, r.facts, r.fails = 0, 0, 0
	return
}

// explain reports nothing: the stage values of a failed Newton iteration are
// not the solution's, so a StateChecker's verdict on them would mislead.
func (r *implicitRK) explain(m dynamics.Dynamics, theta []float64, t float64, z []float64) error {
	return nil
}

// infNorm is the maximum absolute row sum of a.
func infNorm(a *mat.Dense) float64 {
	n, c := a.Dims()
	m := 0.0
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < c; j++ {
			s += math.Abs(a.At(i, j))
		}
		m = math.Max(m, s)
	}
	return m
}
