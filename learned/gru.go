package learned

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// GRU is the gated recurrent unit (Cho et al. 2014) in the form PyTorch uses,
// with the reset gate applied after the hidden-state product:
//
//	gx = Wx·x_t + bx,  gh = Wh·h + bh,  each split into blocks r, z, n of Hidden:
//	r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r⊙gh_n),
//	h' = (1 − z)⊙n + z⊙h.
//
// Parameters, from Off: Wx (3H×In), bx (3H), Wh (3H×H), bh (3H), rows in gate
// order r, z, n. A GRU is immutable and may be shared by goroutines.
type GRU struct {
	In, Hidden int // input and hidden-state sizes
	Off        int // offset of Wx in θ
}

var _ Recurrent = GRU{}

// NewGRU reserves the parameters of a GRU cell in l (nil means a fresh Layout).
func NewGRU(l *Layout, in, hidden int) GRU {
	if in < 1 || hidden < 1 {
		panic("learned: NewGRU: sizes must be positive")
	}
	l = orFresh(l)
	return GRU{In: in, Hidden: hidden, Off: l.Take(3*hidden*(in+hidden) + 6*hidden)}
}

// Sizes returns In and Hidden.
func (c GRU) Sizes() (in, hidden int) { return c.In, c.Hidden }

// NumParams returns 3H·(In+H) + 6H.
func (c GRU) NumParams() int { return 3*c.Hidden*(c.In+c.Hidden) + 6*c.Hidden }

// views returns Wx, bx, Wh and bh inside theta (or inside a gradient of θ).
func (c GRU) views(theta []float64) (wx, bx, wh, bh []float64) {
	g := 3 * c.Hidden
	o := c.Off
	wx, o = theta[o:o+g*c.In], o+g*c.In
	bx, o = theta[o:o+g], o+g
	wh, o = theta[o:o+g*c.Hidden], o+g*c.Hidden
	return wx, bx, wh, theta[o : o+g]
}

// Init draws Wx and Wh with GlorotUniform and zeroes the biases.
func (c GRU) Init(theta []float64, rng *rand.Rand) {
	wx, bx, wh, bh := c.views(theta)
	GlorotUniform.fill(wx, c.In, 3*c.Hidden, rng)
	GlorotUniform.fill(wh, c.Hidden, 3*c.Hidden, rng)
	clear(bx)
	clear(bh)
}

// The tape of a GRU with T steps and batch B holds x (T·B·In), h_0 … h_T
// ((T+1)·B·H, h_0 = 0), gh (T·B·3H) and the activated gates r z n (T·B·3H).
func (c GRU) tape(t *Tape) (xs, hs, gh, gates []float64) {
	T, B, H := t.steps, t.batch, c.Hidden
	n := [4]int{T * B * c.In, (T + 1) * B * H, T * B * 3 * H, T * B * 3 * H}
	rec := t.record(n[0] + n[1] + n[2] + n[3])
	xs, rec = rec[:n[0]], rec[n[0]:]
	hs, rec = rec[:n[1]], rec[n[1]:]
	gh, rec = rec[:n[2]], rec[n[2]:]
	return xs, hs, gh, rec[:n[3]]
}

// Forward runs the cell over the sequence x from the zero state and writes
// h_1 … h_T into dst (steps×batch×Hidden).
func (c GRU) Forward(tape *Tape, dst, x, theta []float64, batch int) {
	tape.steps, tape.batch = seqSteps(x, c.In, batch, "GRU"), batch
	T, B, H, I := tape.steps, batch, c.Hidden, c.In
	xs, hs, gh, gates := c.tape(tape)
	copy(xs, x)
	clear(hs[:B*H])
	wx, bx, wh, bh := c.views(theta)
	bh3 := 3 * B * H
	for t := range T {
		a, ght := gates[t*bh3:(t+1)*bh3], gh[t*bh3:(t+1)*bh3]
		hPrev, hNext := hs[t*B*H:(t+1)*B*H], hs[(t+1)*B*H:(t+2)*B*H]
		mulXWt(a, xs[t*B*I:(t+1)*B*I], wx, B, I, 3*H, 0)
		addRows(a, bx, B)
		mulXWt(ght, hPrev, wh, B, H, 3*H, 0)
		addRows(ght, bh, B)
		for r := range B {
			ar, gr := a[r*3*H:(r+1)*3*H], ght[r*3*H:(r+1)*3*H]
			for j := range H {
				rg := sigmoid(ar[j] + gr[j])
				zg := sigmoid(ar[H+j] + gr[H+j])
				ng := math.Tanh(ar[2*H+j] + rg*gr[2*H+j])
				ar[j], ar[H+j], ar[2*H+j] = rg, zg, ng
				k := r*H + j
				hNext[k] = (1-zg)*ng + zg*hPrev[k]
			}
		}
	}
	copy(dst, hs[B*H:])
}

// Backward is backpropagation through time. With dh the gradient arriving at
// h' (from dy_t and from step t+1),
//
//	dn = dh⊙(1−z),  dz = dh⊙(h − n),  da_n = dn⊙(1 − n²),  dr = da_n⊙gh_n,
//	dgx = (dr·r(1−r), dz·z(1−z), da_n),  dgh = (dgx_r, dgx_z, da_n⊙r),
//	dWx += dgxᵀx_t, dbx += Σ dgx, dWh += dghᵀh, dbh += Σ dgh,
//	dx_t += dgx·Wx,  dh ← dh⊙z + dgh·Wh.
func (c GRU) Backward(tape *Tape, dx, dtheta, dy, theta []float64) {
	T, B, H, I := tape.steps, tape.batch, c.Hidden, c.In
	xs, hs, gh, gates := c.tape(tape)
	wx, _, wh, _ := c.views(theta)
	var dwx, dbx, dwh, dbh []float64
	if dtheta != nil {
		dwx, dbx, dwh, dbh = c.views(dtheta)
	}
	bh, bh3 := B*H, 3*B*H
	work := tape.scratch(bh + 2*bh3)
	dh, dgx, dgh := work[:bh], work[bh:bh+bh3], work[bh+bh3:]
	clear(dh)
	for t := T - 1; t >= 0; t-- {
		floats.Add(dh, dy[t*bh:(t+1)*bh])
		a, ght := gates[t*bh3:(t+1)*bh3], gh[t*bh3:(t+1)*bh3]
		hPrev := hs[t*bh : (t+1)*bh]
		for r := range B {
			ar, gr := a[r*3*H:(r+1)*3*H], ght[r*3*H:(r+1)*3*H]
			dxr, dhr := dgx[r*3*H:(r+1)*3*H], dgh[r*3*H:(r+1)*3*H]
			for j := range H {
				k := r*H + j
				rg, zg, ng := ar[j], ar[H+j], ar[2*H+j]
				g := dh[k]
				dAn := g * (1 - zg) * (1 - ng*ng)
				dAr := dAn * gr[2*H+j] * rg * (1 - rg)
				dAz := g * (hPrev[k] - ng) * zg * (1 - zg)
				dxr[j], dxr[H+j], dxr[2*H+j] = dAr, dAz, dAn
				dhr[j], dhr[H+j], dhr[2*H+j] = dAr, dAz, dAn*rg
				dh[k] = g * zg
			}
		}
		xt := xs[t*B*I : (t+1)*B*I]
		if dtheta != nil {
			addGtX(dwx, dgx, xt, B, I, 3*H)
			addColSums(dbx, dgx, B)
			addGtX(dwh, dgh, hPrev, B, H, 3*H)
			addColSums(dbh, dgh, B)
		}
		if dx != nil {
			mulGW(dx[t*B*I:(t+1)*B*I], dgx, wx, B, I, 3*H, 1)
		}
		if t > 0 {
			mulGW(dh, dgh, wh, B, H, 3*H, 1)
		}
	}
}
