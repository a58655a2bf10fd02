package aca

import (
	"math"

	"github.com/physid/physid/integrate"
)

// acaRecorder keeps the accepted steps of a solve: the times, step sizes,
// observation indices and methods of every step, and the states either of
// every step (limit 0) or of at most limit/2 of them, thinned as the solve
// goes (ACA.Checkpoints; see revolve.go). Implicit steps keep their stage
// derivatives; explicit steps keep theirs within a byte budget (stagecache.go).
type acaRecorder struct {
	t   []float64
	h   []float64
	z   []float64 // states: of every step, or of the steps in pos (limit > 0), row-major
	out []int     // observation index reached at the end of each step, or −1
	// inside counts the observations strictly inside each step, written by
	// the dense output; they precede the step's end observation, so the
	// backward sweep finds their indices by counting down. It stays empty
	// (no memory) until a step has one, and shorter than t after the last.
	inside []int32
	tb     []*integrate.Tableau
	// koff is the offset into k of an implicit step's stage derivatives, or
	// −1 for an explicit step (whose stages the backward pass recomputes).
	koff []int
	k    []float64
	cur  *integrate.Tableau // the method of the attempts now reported
	fsal bool               // cur.FSAL()

	// limit bounds the states held (0: every state); the forward pass holds
	// at most max(1, limit/2), at positions that are multiples of stride.
	limit  int
	stride int
	pos    []int     // the step of each held state, ascending (limit > 0)
	k0     []float64 // the forward pass's K_0 of each held state (limit > 0)
	// reuse[i] is true when step i's K_0 is, bit for bit, the last stage of
	// step i−1 (FSAL); a replay then takes it from there, and otherwise
	// evaluates f(t_i, z_i) as the forward pass did. Kept when limit > 0 or
	// budget > 0.
	reuse []bool
	last  []float64          // the last stage of the previous explicit step
	lastT float64            // the time at which it was evaluated
	lastM *integrate.Tableau // its method, nil when the previous step was implicit

	// budget is the bytes the stage cache may hold (0: none).
	budget int
	cache  stageCache
}

// RecordMethod notes the method of the attempts that follow (Auto switches).
func (r *acaRecorder) RecordMethod(tb *integrate.Tableau) { r.cur, r.fsal = tb, tb.FSAL() }

func (r *acaRecorder) reset() {
	r.t, r.h, r.z, r.out, r.tb, r.koff, r.k = r.t[:0], r.h[:0], r.z[:0], r.out[:0], r.tb[:0], r.koff[:0], r.k[:0]
	r.pos, r.k0, r.reuse, r.stride, r.lastM = r.pos[:0], r.k0[:0], r.reuse[:0], 1, nil
	r.inside = r.inside[:0]
	r.cache.reset()
}

// track reports whether the recorder follows the K_0 of each step (reuse).
func (r *acaRecorder) track() bool { return r.limit > 0 || r.budget > 0 }

// Record keeps an accepted step and ignores a rejected one.
func (r *acaRecorder) Record(a *integrate.Attempt) {
	if !a.Accepted {
		return
	}
	i := len(r.t)
	r.t = append(r.t, a.T)
	r.h = append(r.h, a.H)
	r.out = append(r.out, a.Output)
	if a.Inside > 0 {
		for len(r.inside) < i {
			r.inside = append(r.inside, 0)
		}
		r.inside = append(r.inside, int32(a.Inside))
	}
	r.tb = append(r.tb, r.cur)
	implicit := r.cur.Implicit()
	if implicit {
		r.koff = append(r.koff, len(r.k))
		for _, k := range a.K {
			r.k = append(r.k, k...)
		}
	} else {
		r.koff = append(r.koff, -1)
	}
	if !r.track() {
		r.z = append(r.z, a.Z...)
		return
	}
	reuse, exact := false, true
	if !implicit && r.lastM == r.cur && r.fsal && sameBits(a.K[0], r.last) {
		// The forward pass may have taken K_0 from the last stage, evaluated
		// at lastT: it is f(t_i, z_i) only when lastT is t_i.
		reuse, exact = true, r.lastT == a.T
	}
	r.reuse = append(r.reuse, reuse)
	if r.limit > 0 {
		r.hold(i, a)
	} else {
		r.z = append(r.z, a.Z...)
	}
	if !implicit && exact {
		r.cache.add(r, i, a)
	}
	if implicit {
		r.lastM = nil
		return
	}
	s := r.cur.Stages()
	r.last = append(r.last[:0], a.K[s-1]...)
	r.lastT, r.lastM = a.T+r.cur.C[s-1]*a.H, r.cur
}

// hold keeps the state (and K_0) of step i when i is a multiple of the
// stride, first thinning the held states to every other one (doubling the
// stride) when max(1, limit/2) are held already.
func (r *acaRecorder) hold(i int, a *integrate.Attempt) {
	if i%r.stride != 0 {
		return
	}
	n := len(a.Z)
	if len(r.pos) >= max(1, r.limit/2) {
		kept := 0
		for j, p := range r.pos {
			if p%(2*r.stride) != 0 {
				continue
			}
			r.pos[kept] = p
			copy(r.z[kept*n:(kept+1)*n], r.z[j*n:(j+1)*n])
			copy(r.k0[kept*n:(kept+1)*n], r.k0[j*n:(j+1)*n])
			kept++
		}
		r.pos, r.z, r.k0 = r.pos[:kept], r.z[:kept*n], r.k0[:kept*n]
		r.stride *= 2
		if i%r.stride != 0 {
			return
		}
	}
	r.pos = append(r.pos, i)
	r.z = append(r.z, a.Z...)
	r.k0 = append(r.k0, a.K[0]...)
}

// sameBits reports whether a and b hold the same bits.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if math.Float64bits(v) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// stepBytes is the memory of the per-step record (times, step sizes,
// observation indices; methods and stage offsets, reuse flags where kept).
func (r *acaRecorder) stepBytes() int {
	b := 8*(len(r.t)+len(r.h)+len(r.out)) + 4*len(r.inside)
	if len(r.k) > 0 || r.track() {
		b += 8 * (len(r.tb) + len(r.koff) + len(r.k))
	}
	return b + len(r.reuse)
}
