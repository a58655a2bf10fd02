package integrate

import "github.com/physid/physid/dynamics"

// stepper is what the solver loop knows of a method: it attempts one step and
// moves to the end of an accepted one. The loop itself (output times, the
// controller, counting, errors) never looks at stages, so an implicit stepper
// can stand beside the explicit one.
type stepper interface {
	// setup sizes the workspace for states of length dim.
	setup(dim int)
	// begin evaluates f at (t, z), where the next step starts (the initial
	// point, or a point where a Jumper changed z), and returns it with the
	// evaluations used. The slice is the stepper's and stays valid until the
	// next attempt.
	begin(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int)
	// try attempts a step of size h from (t, z), writing the candidate state
	// into zn and, when e is not nil, the local error estimate into e. It
	// returns the evaluations used and false when the step could not be
	// computed (an implicit method's Newton iteration failed).
	try(zn, e []float64, m dynamics.Dynamics, theta []float64, t, h float64, z []float64) (int, bool)
	// advance moves to (t, z), the end of the accepted attempt, and returns f
	// there with the evaluations used.
	advance(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int)
	// stages returns the stage derivatives of the last attempt (Attempt.K).
	stages() [][]float64
	// explain asks the model's StateChecker about the first stage of the last
	// attempt from (t, z) whose derivative was not finite.
	explain(m dynamics.Dynamics, theta []float64, t float64, z []float64) error
	// drain returns the stepper's Jacobian, factorization and Newton-failure
	// counts since the last drain and resets them.
	drain() (jacobians, factorizations, newtonFailures int)
}

// explicitRK steps any explicit tableau: K_s = f(t + C[s]h, z + h Σ_j A[s][j]K_j),
// candidate z + h Σ B[s]K_s, error estimate h Σ BErr[s]K_s.
type explicitRK struct {
	tb   *Tableau
	fsal bool
	k    [][]float64
	y    []float64
	// h is the step of the last attempt, whose stages k[1:] still hold after
	// a rejection.
	h float64
	// pq are the stages of the stiffness estimate (stiffPair).
	pq [2]int
}

func newExplicitRK(tb *Tableau) *explicitRK {
	p, q := stiffPair(tb)
	return &explicitRK{tb: tb, fsal: tb.FSAL(), pq: [2]int{p, q}}
}

func (r *explicitRK) setup(dim int) {
	if len(r.y) == dim && len(r.k) == r.tb.Stages() {
		return
	}
	r.k = make([][]float64, r.tb.Stages())
	for i := range r.k {
		r.k[i] = make([]float64, dim)
	}
	r.y = make([]float64, dim)
}

func (r *explicitRK) begin(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int) {
	m.Func(r.k[0], t, z, theta)
	return r.k[0], 1
}

// try keeps k[0] = f(t, z) from begin, advance or the rejected attempt before.
func (r *explicitRK) try(zn, e []float64, m dynamics.Dynamics, theta []float64, t, h float64, z []float64) (int, bool) {
	tb := r.tb
	r.h = h
	nfe := 0
	for s := 1; s < len(tb.C); s++ {
		combine(r.y, z, h, tb.A[s], r.k)
		m.Func(r.k[s], t+tb.C[s]*h, r.y, theta)
		nfe++
	}
	if r.fsal && len(tb.C) > 1 {
		// The last stage's input is z + h Σ A[S−1][j]K_j with A[S−1] = B
		// (FSAL): the candidate, computed the same way; no second pass.
		copy(zn, r.y)
	} else {
		combine(zn, z, h, tb.B, r.k)
	}
	if e != nil {
		combine(e, nil, h, tb.BErr, r.k)
	}
	return nfe, true
}

func (*explicitRK) drain() (int, int, int) { return 0, 0, 0 }

func (r *explicitRK) advance(m dynamics.Dynamics, theta []float64, t float64, z []float64) ([]float64, int) {
	if r.fsal {
		k := r.k
		k[0], k[len(k)-1] = k[len(k)-1], k[0]
		return k[0], 0
	}
	return r.begin(m, theta, t, z)
}

func (r *explicitRK) stages() [][]float64 { return r.k }

// explain: a solution that runs into the edge of the model's domain (an
// expression's sqrt of a state that reaches zero) makes every trial step past
// the edge fail, so the steps shrink until they underflow; the checker can
// then say what fails there instead of leaving "the system may be stiff".
func (r *explicitRK) explain(m dynamics.Dynamics, theta []float64, t float64, z []float64) error {
	if _, ok := m.(dynamics.StateChecker); !ok {
		return nil
	}
	tb, h := r.tb, r.h
	for st := 1; st < len(tb.C); st++ {
		if firstNonFinite(r.k[st]) < 0 {
			continue
		}
		combine(r.y, z, h, tb.A[st], r.k) // the stage's state, as try made it
		return checkState(m, t+tb.C[st]*h, r.y, theta)
	}
	return nil
}

// Combine writes z + h Σ_s w[s] K_s into dst (z nil means 0), with the same
// floating-point operations, in the same order, as the explicit and implicit
// steppers form their stage inputs, new states and error estimates. A caller
// that replays recorded steps (ACA's bounded checkpoints) calls it to get the
// stepper's bits exactly. dst may be z.
func Combine(dst, z []float64, h float64, w []float64, k [][]float64) { combine(dst, z, h, w, k) }

// combine writes z + h Σ_s w[s] K_s into dst (z nil means 0), skipping zero
// weights. It is fused: one pass over the elements with the coefficients
// h·w[s] computed once, adding the terms in stage order, so each element sees
// the same operations, in the same order, as a copy followed by one axpy per
// stage (and so the same bits). dst may be z.
func combine(dst, z []float64, h float64, w []float64, k [][]float64) {
	var cs [maxFused]float64
	var ks [maxFused][]float64
	n := 0
	for s, ws := range w {
		if ws == 0 {
			continue
		}
		if n == maxFused { // a longer tableau than any shipped: flush and go on
			fused(dst, z, cs[:n], ks[:n])
			z, n = dst, 0
		}
		cs[n], ks[n] = h*ws, k[s]
		n++
	}
	fused(dst, z, cs[:n], ks[:n])
}

// maxFused is the most terms fused in one pass (the shipped tableaux have at most 6).
const maxFused = 8

// fused writes z + Σ_j c[j]·k[j] into dst, the terms added left to right per
// element (z nil means 0: the sum then starts at +0, as clear and axpy do).
// dst may be z.
func fused(dst, z []float64, c []float64, k [][]float64) {
	n := len(dst)
	if z == nil {
		clear(dst) // the sum starts at +0: 0 + x is x, and +0 for x = −0
		z = dst
	}
	z = z[:n]
	switch len(c) {
	case 0:
		copy(dst, z)
	case 1:
		c0, k0 := c[0], k[0][:n]
		for i := range dst {
			v := z[i]
			dst[i] = v + c0*k0[i]
		}
	case 2:
		c0, c1, k0, k1 := c[0], c[1], k[0][:n], k[1][:n]
		for i := range dst {
			v := z[i]
			v += c0 * k0[i]
			dst[i] = v + c1*k1[i]
		}
	case 3:
		c0, c1, c2, k0, k1, k2 := c[0], c[1], c[2], k[0][:n], k[1][:n], k[2][:n]
		for i := range dst {
			v := z[i]
			v += c0 * k0[i]
			v += c1 * k1[i]
			dst[i] = v + c2*k2[i]
		}
	case 4:
		c0, c1, c2, c3 := c[0], c[1], c[2], c[3]
		k0, k1, k2, k3 := k[0][:n], k[1][:n], k[2][:n], k[3][:n]
		for i := range dst {
			v := z[i]
			v += c0 * k0[i]
			v += c1 * k1[i]
			v += c2 * k2[i]
			dst[i] = v + c3*k3[i]
		}
	case 5:
		c0, c1, c2, c3, c4 := c[0], c[1], c[2], c[3], c[4]
		k0, k1, k2, k3, k4 := k[0][:n], k[1][:n], k[2][:n], k[3][:n], k[4][:n]
		for i := range dst {
			v := z[i]
			v += c0 * k0[i]
			v += c1 * k1[i]
			v += c2 * k2[i]
			v += c3 * k3[i]
			dst[i] = v + c4*k4[i]
		}
	case 6:
		c0, c1, c2, c3, c4, c5 := c[0], c[1], c[2], c[3], c[4], c[5]
		k0, k1, k2, k3, k4, k5 := k[0][:n], k[1][:n], k[2][:n], k[3][:n], k[4][:n], k[5][:n]
		for i := range dst {
			v := z[i]
			v += c0 * k0[i]
			v += c1 * k1[i]
			v += c2 * k2[i]
			v += c3 * k3[i]
			v += c4 * k4[i]
			dst[i] = v + c5*k5[i]
		}
	default:
		for i := range dst {
			v := z[i]
			for j, cj := range c {
				v += cj * k[j][i]
			}
			dst[i] = v
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
