package aca

import (
	"math"
	"unsafe"

	"github.com/physid/physid/integrate"
)

// Naive is reverse-mode differentiation through the solver program as written:
// every attempted step, rejected ones included, with the step size as a
// differentiable function of earlier error estimates through the controller and
// the error norm — what automatic differentiation of an adaptive solver records.
//
// Memory grows with every attempt: O(N_t·m·stages·dim) for N_t accepted steps
// and m attempts per step, and the computation graph is as deep. Its gradient is
// the exact derivative of the whole adaptive program (the step sizes included)
// for autonomous models; the explicit time dependence of f (∂f/∂t) and the
// automatic initial step are held fixed. It fails where the forward solve fails,
// and in practice where the deep graph lets gradients vanish or explode.
type Naive struct {
	tape   naiveTape
	fwd    forward
	solver solverCache
	work   []float64
}

// Name returns "naive".
func (*Naive) Name() string { return "naive" }

// naiveTape records every attempt: z, the new z, stages K and stage inputs Y.
type naiveTape struct {
	n, s int
	tb   *integrate.Tableau
	at   []integrate.Attempt // scalars only; the slices are nil
	data []float64           // per attempt: z, zNew, K (s rows), Y (s rows)
}

func (r *naiveTape) stride() int { return (2 + 2*r.s) * r.n }

func (r *naiveTape) Record(a *integrate.Attempt) {
	n := r.n
	base := len(r.data)
	r.data = append(r.data, a.Z...)
	r.data = append(r.data, a.ZNew...)
	for _, k := range a.K {
		r.data = append(r.data, k...)
	}
	// Stage inputs Y_s = z + h Σ a_sj K_j, as an autodiff tape would hold them.
	for s := 0; s < r.s; s++ {
		r.data = append(r.data, a.Z...)
		y := r.data[len(r.data)-n:]
		for j, c := range r.tb.A[s] {
			if c != 0 {
				axpy(y, a.H*c, r.data[base+(2+j)*n:base+(3+j)*n])
			}
		}
	}
	sc := *a
	sc.Z, sc.ZNew, sc.K = nil, nil, nil
	r.at = append(r.at, sc)
}

// Gradient runs the forward solve recording the whole program, then reverses it.
func (m *Naive) Gradient(p *Problem, s *Settings) (*Result, error) {
	n, np := p.Model.Dim(), p.Model.NumParams()
	solver := m.solver.get(s)
	tb := solver.Method()
	ns := tb.Stages()
	m.tape.n, m.tape.s, m.tape.tb = n, ns, tb
	m.tape.at, m.tape.data = m.tape.at[:0], m.tape.data[:0]
	rule, err := newStepRule(solver)
	if err != nil {
		return nil, err
	}
	res, err := m.fwd.run(p, solver, &m.tape)
	if err != nil {
		return res, err
	}
	res.Theta = make([]float64, np)
	rtol, atol := solver.Tolerances()
	fsal, adaptive := tb.FSAL(), tb.Adaptive()

	// Adjoints of the program state carried between attempts.
	// The work vectors live in m.work between calls: 7 + ns rows of n.
	m.work = grow(m.work, (7+ns)*n)
	clear(m.work)
	row := func(i int) []float64 { return m.work[i*n : (i+1)*n] }
	zb := row(0)                // z̄
	k0b := row(1)               // K̄0 of the carried first stage
	var tbar, hb, epb float64   // t̄, h̄ (proposed step), ēp (controller memory)
	zbn := row(2)               // z̄ of the attempt's input
	znb := row(3)               // adjoint of the attempt's new state
	eb := row(4)                // adjoint of the error estimate
	e := row(5)                 // the error estimate
	ybar := row(6)              // Ȳ_s
	kb := make([][]float64, ns) // K̄_s
	for i := range kb {
		kb[i] = row(7 + i)
	}
	stride := m.tape.stride()
	nfe := 0
	for idx := len(m.tape.at) - 1; idx >= 0; idx-- {
		a := &m.tape.at[idx]
		d := m.tape.data[idx*stride : (idx+1)*stride]
		z, zn := d[:n], d[n:2*n]
		K := func(s int) []float64 { return d[(2+s)*n : (3+s)*n] }
		Y := func(s int) []float64 { return d[(2+ns+s)*n : (3+ns+s)*n] }
		hh := a.H
		for s := range kb {
			clear(kb[s])
		}
		var hhb, errb, tbn, epbn float64
		k0pass := false
		if a.Accepted {
			if a.Landing {
				axpy(zb, 1, m.fwd.g[a.Output*n:(a.Output+1)*n])
			}
			copy(znb, zb)
			clear(zbn)
			if fsal {
				axpy(kb[ns-1], 1, k0b)
			} else {
				nfe += m.vjp(p, a.T+hh, zn, k0b, znb, res.Theta)
			}
			errb = epb
			if !a.Landing {
				hhb += tbar
				tbn = tbar
			}
		} else {
			copy(zbn, zb)
			clear(znb)
			epbn, tbn = epb, tbar
			k0pass = true
		}
		_, dErr, dPrev, dH, dHProp := rule.partials(a)
		errb += hb * dErr
		epbn += hb * dPrev
		hhb += hb * dH
		hbn := hb * dHProp
		if adaptive && errb != 0 && a.Err > 0 && !math.IsInf(a.Err, 0) {
			clear(e)
			for s, w := range tb.BErr {
				if w != 0 {
					axpy(e, hh*w, K(s))
				}
			}
			inv := errb / (float64(n) * a.Err)
			for i := 0; i < n; i++ {
				sc := atol + rtol*math.Max(math.Abs(z[i]), math.Abs(zn[i]))
				r := e[i] / sc
				eb[i] = inv * r / sc
				scb := -inv * r * r / sc
				if math.Abs(z[i]) >= math.Abs(zn[i]) {
					zbn[i] += scb * rtol * sign(z[i])
				} else {
					znb[i] += scb * rtol * sign(zn[i])
				}
			}
			for s, w := range tb.BErr {
				if w != 0 {
					axpy(kb[s], hh*w, eb)
					hhb += w * dot(K(s), eb)
				}
			}
		}
		// z' = z + h Σ b_s K_s
		axpy(zbn, 1, znb)
		for s, w := range tb.B {
			if w != 0 {
				axpy(kb[s], hh*w, znb)
				hhb += w * dot(K(s), znb)
			}
		}
		// Stages, last to first: Y_s = z + h Σ_j a_sj K_j, K_s = f(t + c_s h, Y_s).
		for s := ns - 1; s >= 1; s-- {
			clear(ybar)
			nfe += m.vjp(p, a.T+tb.C[s]*hh, Y(s), kb[s], ybar, res.Theta)
			axpy(zbn, 1, ybar)
			for j, c := range tb.A[s] {
				if c != 0 {
					axpy(kb[j], hh*c, ybar)
					hhb += c * dot(K(j), ybar)
				}
			}
		}
		if k0pass {
			axpy(kb[0], 1, k0b)
		}
		copy(k0b, kb[0])
		if a.Landing {
			tbn -= hhb
		} else {
			hbn += hhb
		}
		copy(zb, zbn)
		tbar, hb, epb = tbn, hbn, epbn
	}
	// The first stage of the first attempt is f(t0, z0).
	nfe += m.vjp(p, p.T0, p.Z0, k0b, zb, res.Theta)
	for k := 0; k < t0Outputs(p); k++ {
		axpy(zb, 1, m.fwd.g[k*n:(k+1)*n])
	}
	res.Z0 = append([]float64(nil), zb...)
	res.Stats.NFEBackward = nfe
	res.Stats.Bytes = 8*len(m.tape.data) + len(m.tape.at)*int(unsafe.Sizeof(integrate.Attempt{}))
	return res, nil
}

// vjp adds uᵀ∂f/∂z at (t, y) to dz and uᵀ∂f/∂θ to dtheta, skipping u = 0 as
// autodiff skips a node no gradient reaches; it returns the evaluations used.
func (m *Naive) vjp(p *Problem, t float64, y, u, dz, dtheta []float64) int {
	for _, v := range u {
		if v != 0 {
			p.Model.VJP(dz, dtheta, t, y, p.Theta, u)
			return 1
		}
	}
	return 0
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
