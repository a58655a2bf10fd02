package latent

import (
	"math"

	"github.com/physid/physid/learned"
)

// encOp is one recorded operation of the encoder: an Euler step of size dt
// (gru false) or a masked GRU update at grid index i. Its buffers belong to
// the model's workspace and are reused by the next pass.
type encOp struct {
	gru   bool
	dt    float64
	i     int
	hIn   []float64
	hOut  []float64
	cellH []float64 // the GRU output before masking
	u     []float64
	rec   []float64
	tape  learned.Tape
	obs   []float64 // 1 for the rows observed at i
}

// encWork is the encoder's workspace: the recorded operations of the last
// pass (ops[:n]) and the backward pass's buffers. Buffers grow to the largest
// batch and pass seen and are then reused, so encoding allocates nothing
// after the first batches.
type encWork struct {
	ops                  []*encOp
	n                    int
	h0                   []float64
	dh, dprev, tmp, work []float64
}

// next returns the next operation record with its hidden-state buffer sized
// for B rows of H.
func (w *encWork) next(B, H int) *encOp {
	if w.n == len(w.ops) {
		w.ops = append(w.ops, new(encOp))
	}
	op := w.ops[w.n]
	w.n++
	op.hOut = growF(op.hOut, B*H)
	return op
}

// encode runs the ODE-RNN backwards over b.Obs and returns the final state
// (Size×Hidden); the operations are recorded in m.enc.
func (m *LatentODE) encode(theta []float64, b *Batch) []float64 {
	B, D, H := b.Size, b.Dim, m.cfg.Hidden
	w := &m.ew
	w.n = 0
	w.h0 = growF(w.h0, B*H)
	clear(w.h0)
	h := w.h0
	euler := func(from, to float64) {
		n := int(math.Ceil(math.Abs(from-to)/m.cfg.EncoderStep - 1e-9))
		dt := (to - from) / float64(max(n, 1))
		for range n {
			op := w.next(B, H)
			op.gru, op.dt, op.hIn = false, dt, h
			m.enc.Forward(&op.tape, op.hOut, h, theta, B)
			for k := range op.hOut {
				op.hOut[k] = h[k] + dt*op.hOut[k]
			}
			h = op.hOut
		}
	}
	for j := len(b.Obs) - 1; j >= 0; j-- {
		i := b.Obs[j]
		if j < len(b.Obs)-1 {
			euler(b.Grid[b.Obs[j+1]], b.Grid[i])
		}
		op := w.next(B, H)
		op.gru, op.i, op.hIn = true, i, h
		op.cellH, op.u = growF(op.cellH, B*H), growF(op.u, B*2*D)
		op.rec, op.obs = growF(op.rec, m.gru.recLen(B)), growF(op.obs, B)
		for r := range B {
			o := (i*B + r) * D
			for c := range D {
				op.u[r*2*D+c] = b.Values[o+c] * b.Mask[o+c]
				op.u[r*2*D+D+c] = b.Mask[o+c]
			}
			op.obs[r] = 0
			if b.anyMask(i, r) {
				op.obs[r] = 1
			}
		}
		m.gru.step(op.rec, op.cellH, op.u, h, theta, B)
		for r := range B {
			for k := r * H; k < (r+1)*H; k++ {
				op.hOut[k] = op.obs[r]*op.cellH[k] + (1-op.obs[r])*h[k]
			}
		}
		h = op.hOut
	}
	if len(b.Obs) > 0 {
		euler(b.Grid[b.Obs[0]], b.Grid[0])
	}
	return h
}

// encodeBack adds the gradient of dhFinal·h_final into dtheta, walking the
// operations the last encode recorded.
func (m *LatentODE) encodeBack(dtheta, dhFinal, theta []float64, B int) {
	H := m.cfg.Hidden
	w := &m.ew
	w.dh, w.dprev, w.tmp = growF(w.dh, B*H), growF(w.dprev, B*H), growF(w.tmp, B*H)
	w.work = growF(w.work, m.gru.workLen(B))
	dh, dprev, tmp := w.dh, w.dprev, w.tmp
	copy(dh, dhFinal)
	for k := w.n - 1; k >= 0; k-- {
		op := w.ops[k]
		if !op.gru {
			// h' = h + dt·f(h): dh ← dh + Jᵀ(dt·dh), dθ += (∂f/∂θ)ᵀ(dt·dh).
			for j, v := range dh {
				tmp[j] = op.dt * v
			}
			m.enc.Backward(&op.tape, dh, dtheta, tmp, theta)
			continue
		}
		// h' = o⊙c + (1−o)⊙h with c = GRU(u, h).
		for r := range B {
			for j := r * H; j < (r+1)*H; j++ {
				tmp[j] = op.obs[r] * dh[j]
				dprev[j] = (1 - op.obs[r]) * dh[j]
			}
		}
		m.gru.back(op.rec, w.work, nil, dprev, dtheta, tmp, op.u, op.hIn, op.cellH, theta, B)
		dh, dprev = dprev, dh
	}
}
