package aca

import (
	"github.com/physid/physid/integrate"
)

// revolver is ACA's backward pass with bounded checkpoints (ACA.Checkpoints).
//
// The forward pass held u ≤ max(1, N/2) states, at steps 0, s, 2s, … (the
// stride s a power of two). Going back over the segments between them, the
// last first, the segment from held state j has N − (j+1) free slots, and
// it is reversed on the binomial schedule of Griewank & Walther (2000,
// Algorithm 799, "revolve"): with c snapshots (the segment's start among
// them) and l steps, let r be the least repetition number with β(c, r) =
// C(c+r, c) ≥ l; replay the first l₁ steps, hold the state there, reverse
// the l − l₁ steps after it with c − 1 snapshots, free the slot and reverse
// the first l₁ with c. Choosing l₁ ≤ β(c, r−1) and l − l₁ ≤ β(c−1, r) no
// step is replayed more than r times. Slots are used last in, first out,
// so the held states form a stack over the forward pass's.
//
// A replay repeats the forward pass's step exactly (the same kernels,
// integrate.Combine, the same times t + c_s·h, and K_0 either the last
// stage of the step before, when the forward pass reused it, or f(t_i, z_i)
// as it evaluated it), so each replayed z_i is the forward pass's z_i bit
// for bit and the gradient is the unbounded one's.
type revolver struct {
	n     int
	u     int       // states the forward pass held (slots 0..u−1)
	slots []float64 // the slots above them: z then K_0, 2n values each
	spos  []int     // the step of each slot in use, u first
	top   int       // slots in use
	peak  int       // most slots in use
	z, k0 []float64 // the replay's state and its K_0
	k     [][]float64
	kv    [][]float64
	y     []float64
}

// slotBytes is the memory of one slot: a state and its K_0.
func (v *revolver) slotBytes() int { return 16 * v.n }

// run reverses all steps of m's record into res.
func (v *revolver) run(m *ACA, p *Problem, res *Result) error {
	r := &m.rec
	v.n = p.Model.Dim()
	n := v.n
	v.u = len(r.pos)
	if len(r.t) == 0 {
		v.peak = 0
		return nil
	}
	free := max(0, m.Checkpoints-v.u)
	seg := 1
	for j := range r.pos {
		seg = max(seg, segmentEnd(r, j)-r.pos[j])
	}
	extra := min(free, seg) // never more slots than a segment has steps
	v.slots = grow(v.slots, 2*n*extra)
	if cap(v.spos) < v.u+extra {
		v.spos = make([]int, v.u+extra)
	}
	v.spos = v.spos[:v.u+extra]
	copy(v.spos, r.pos)
	v.z, v.k0, v.y = grow(v.z, n), grow(v.k0, n), grow(v.y, n)
	S := 0
	for _, tb := range r.tb {
		S = max(S, tb.Stages())
	}
	if len(v.k) < S || (S > 0 && len(v.k[0]) != n) {
		v.k, v.kv = make([][]float64, S), make([][]float64, S)
		for i := range v.k {
			v.k[i] = make([]float64, n)
		}
	}
	v.peak = v.u
	for j := v.u - 1; j >= 0; j-- {
		v.top = j + 1
		if err := v.reverse(m, p, res, r.pos[j], segmentEnd(r, j), min(extra, m.Checkpoints-v.top)+1); err != nil {
			return err
		}
	}
	return nil
}

// segmentEnd is the step that ends the segment from held state j: the next
// held state's, or the number of steps after the last one.
func segmentEnd(r *acaRecorder, j int) int {
	if j+1 < len(r.pos) {
		return r.pos[j+1]
	}
	return len(r.t)
}

// slot returns the state and K_0 held in slot j.
func (v *revolver) slot(r *acaRecorder, j int) (z, k0 []float64) {
	n := v.n
	if j < v.u {
		return r.z[j*n : (j+1)*n], r.k0[j*n : (j+1)*n]
	}
	o := (j - v.u) * 2 * n
	return v.slots[o : o+n], v.slots[o+n : o+2*n]
}

// restore loads the top slot into the replay state.
func (v *revolver) restore(r *acaRecorder) {
	z, k0 := v.slot(r, v.top-1)
	copy(v.z, z)
	copy(v.k0, k0)
}

// push holds the replay state, which is at step i, in a new slot.
func (v *revolver) push(r *acaRecorder, i int) {
	v.top++
	v.peak = max(v.peak, v.top)
	v.spos[v.top-1] = i
	z, k0 := v.slot(r, v.top-1)
	copy(z, v.z)
	copy(k0, v.k0)
}

// reverse runs the backward steps b−1, …, a; the top slot holds step a and
// c snapshots (that one among them) may be used.
func (v *revolver) reverse(m *ACA, p *Problem, res *Result, a, b, c int) error {
	r := &m.rec
	for b > a {
		if b-a == 1 {
			z, _ := v.slot(r, v.top-1)
			return m.back(p, res, a, z)
		}
		if c <= 1 {
			// No slot to spare: replay from a to each step in turn.
			for i := b - 1; i > a; i-- {
				v.restore(r)
				for j := a; j < i; j++ {
					v.replay(m, p, res, j)
				}
				if err := m.back(p, res, i, v.z); err != nil {
					return err
				}
			}
			z, _ := v.slot(r, v.top-1)
			return m.back(p, res, a, z)
		}
		l1 := revolveSplit(b-a, c)
		v.restore(r)
		for j := a; j < a+l1; j++ {
			v.replay(m, p, res, j)
		}
		v.push(r, a+l1)
		if err := v.reverse(m, p, res, a+l1, b, c-1); err != nil {
			return err
		}
		v.top--
		b = a + l1
	}
	return nil
}

// revolveSplit is how many of l steps to replay before holding a snapshot,
// with c ≥ 2 snapshots: with r the least repetition number such that
// β(c, r) ≥ l, the largest l₁ ≤ β(c, r−1) that leaves l − l₁ ≥ 1.
func revolveSplit(l, c int) int {
	r, b := 0, 1 // b = β(c, r)
	prev := 1    // β(c, r−1)
	for b < l {
		r++
		prev = b
		b = b * (c + r) / r
	}
	if r == 0 {
		return 1
	}
	return max(1, min(prev, l-1))
}

// replay advances the replay state over step i exactly as the forward pass
// took it, and K_0 to the next step's.
func (v *revolver) replay(m *ACA, p *Problem, res *Result, i int) {
	r := &m.rec
	tb, t, h := r.tb[i], r.t[i], r.h[i]
	n, S := v.n, tb.Stages()
	z := v.z
	res.Stats.Recomputed++
	if off := r.koff[i]; off >= 0 {
		for s := range S {
			v.kv[s] = r.k[off+s*n : off+(s+1)*n]
		}
		integrate.Combine(z, z, h, tb.B, v.kv[:S])
	} else {
		copy(v.k[0], v.k0)
		for s := 1; s < S; s++ {
			integrate.Combine(v.y, z, h, tb.A[s], v.k)
			p.Model.Func(v.k[s], t+tb.C[s]*h, v.y, p.Theta)
		}
		res.Stats.NFEBackward += S - 1
		integrate.Combine(z, z, h, tb.B, v.k[:S])
	}
	if i+1 < len(r.t) && r.koff[i+1] < 0 {
		if r.reuse[i+1] {
			copy(v.k0, v.k[S-1])
		} else {
			p.Model.Func(v.k0, r.t[i+1], z, p.Theta)
			res.Stats.NFEBackward++
		}
	}
}
