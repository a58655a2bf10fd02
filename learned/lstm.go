package learned

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// Recurrent is a recurrent cell run over a sequence: a Net whose input is
// steps×batch×In (time-major) and whose output is the hidden state after every
// step, steps×batch×Hidden. Every sequence starts from the zero state.
// Backward is backpropagation through time over the recorded sequence; dy may
// be nonzero at any step (sequence-to-sequence) or only at the last one.
type Recurrent interface {
	Net
	// Sizes returns the input and hidden sizes.
	Sizes() (in, hidden int)
}

// LSTM is the long short-term memory cell (Hochreiter & Schmidhuber 1997, with
// a forget gate, Gers et al. 2000). For input x_t and previous state (h, c),
//
//	a = Wx·x_t + Wh·h + b,  split into four blocks of Hidden:
//	i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//	c' = f⊙c + i⊙g,  h' = o⊙tanh(c').
//
// Parameters, from Off: Wx (4H×In), Wh (4H×H), b (4H), rows in gate order
// i, f, g, o. An LSTM is immutable and may be shared by goroutines.
type LSTM struct {
	In, Hidden int // input and hidden-state sizes
	Off        int // offset of Wx in θ
}

var _ Recurrent = LSTM{}

// NewLSTM reserves the parameters of an LSTM cell in l (nil means a fresh Layout).
func NewLSTM(l *Layout, in, hidden int) LSTM {
	if in < 1 || hidden < 1 {
		panic("learned: NewLSTM: sizes must be positive")
	}
	l = orFresh(l)
	return LSTM{In: in, Hidden: hidden, Off: l.Take(4*hidden*(in+hidden) + 4*hidden)}
}

// Sizes returns In and Hidden.
func (c LSTM) Sizes() (in, hidden int) { return c.In, c.Hidden }

// NumParams returns 4H·(In+H) + 4H.
func (c LSTM) NumParams() int { return 4*c.Hidden*(c.In+c.Hidden) + 4*c.Hidden }

// views returns Wx, Wh and b inside theta (or inside a gradient of θ).
func (c LSTM) views(theta []float64) (wx, wh, b []float64) {
	g := 4 * c.Hidden
	o := c.Off
	wx = theta[o : o+g*c.In]
	o += g * c.In
	wh = theta[o : o+g*c.Hidden]
	o += g * c.Hidden
	return wx, wh, theta[o : o+g]
}

// Init draws Wx and Wh with GlorotUniform, sets b = 0 except the forget-gate
// bias, which is 1 so that early training remembers (Jozefowicz et al. 2015).
func (c LSTM) Init(theta []float64, rng *rand.Rand) {
	wx, wh, b := c.views(theta)
	GlorotUniform.fill(wx, c.In, 4*c.Hidden, rng)
	GlorotUniform.fill(wh, c.Hidden, 4*c.Hidden, rng)
	clear(b)
	for j := c.Hidden; j < 2*c.Hidden; j++ {
		b[j] = 1
	}
}

// The tape of an LSTM with T steps and batch B holds x (T·B·In), h_0 … h_T and
// c_0 … c_T ((T+1)·B·H each, h_0 = c_0 = 0), the activated gates i f g o
// (T·B·4H) and tanh c_1 … tanh c_T (T·B·H).
func (c LSTM) tape(t *Tape) (xs, hs, cs, gates, tc []float64) {
	T, B, H := t.steps, t.batch, c.Hidden
	n := [5]int{T * B * c.In, (T + 1) * B * H, (T + 1) * B * H, T * B * 4 * H, T * B * H}
	rec := t.record(n[0] + n[1] + n[2] + n[3] + n[4])
	xs, rec = rec[:n[0]], rec[n[0]:]
	hs, rec = rec[:n[1]], rec[n[1]:]
	cs, rec = rec[:n[2]], rec[n[2]:]
	gates, rec = rec[:n[3]], rec[n[3]:]
	return xs, hs, cs, gates, rec[:n[4]]
}

// seqSteps checks the shapes of a sequence pass and returns the number of steps.
func seqSteps(x []float64, in, batch int, who string) int {
	if batch < 1 || len(x) == 0 || len(x)%(in*batch) != 0 {
		panic("learned: " + who + ".Forward: len(x) is not a positive multiple of batch·In")
	}
	return len(x) / (in * batch)
}

// Forward runs the cell over the sequence x from the zero state and writes
// h_1 … h_T into dst (steps×batch×Hidden).
func (c LSTM) Forward(tape *Tape, dst, x, theta []float64, batch int) {
	tape.steps, tape.batch = seqSteps(x, c.In, batch, "LSTM"), batch
	T, B, H, I := tape.steps, batch, c.Hidden, c.In
	xs, hs, cs, gates, tc := c.tape(tape)
	copy(xs, x)
	clear(hs[:B*H])
	clear(cs[:B*H])
	wx, wh, bias := c.views(theta)
	bh := B * H
	for t := range T {
		a := gates[t*4*bh : (t+1)*4*bh]
		mulXWt(a, xs[t*B*I:(t+1)*B*I], wx, B, I, 4*H, 0)
		mulXWt(a, hs[t*bh:(t+1)*bh], wh, B, H, 4*H, 1)
		addRows(a, bias, B)
		cPrev, cNext := cs[t*bh:(t+1)*bh], cs[(t+1)*bh:(t+2)*bh]
		hNext, tct := hs[(t+1)*bh:(t+2)*bh], tc[t*bh:(t+1)*bh]
		for r := range B {
			ar := a[r*4*H : (r+1)*4*H]
			for j := range H {
				i, f := sigmoid(ar[j]), sigmoid(ar[H+j])
				g, o := math.Tanh(ar[2*H+j]), sigmoid(ar[3*H+j])
				ar[j], ar[H+j], ar[2*H+j], ar[3*H+j] = i, f, g, o
				cn := f*cPrev[r*H+j] + i*g
				th := math.Tanh(cn)
				cNext[r*H+j], tct[r*H+j], hNext[r*H+j] = cn, th, o*th
			}
		}
	}
	copy(dst, hs[bh:])
}

// Backward is backpropagation through time. With dh and dc the gradients
// arriving at step t from later steps (and dh also from dy_t),
//
//	do = dh⊙tanh c',  dc ← dc + dh⊙o⊙(1 − tanh²c'),
//	di = dc⊙g,  df = dc⊙c,  dg = dc⊙i,  then dc ← dc⊙f for step t−1;
//	da = (di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)),
//	dWx += daᵀx_t,  dWh += daᵀh,  db += Σ_rows da,  dx_t += da·Wx,  dh ← da·Wh.
func (c LSTM) Backward(tape *Tape, dx, dtheta, dy, theta []float64) {
	T, B, H, I := tape.steps, tape.batch, c.Hidden, c.In
	xs, hs, cs, gates, tc := c.tape(tape)
	wx, wh, _ := c.views(theta)
	var dwx, dwh, db []float64
	if dtheta != nil {
		dwx, dwh, db = c.views(dtheta)
	}
	bh := B * H
	work := tape.scratch(6 * bh)
	dh, dc, da := work[:bh], work[bh:2*bh], work[2*bh:]
	clear(dh)
	clear(dc)
	for t := T - 1; t >= 0; t-- {
		floats.Add(dh, dy[t*bh:(t+1)*bh])
		a := gates[t*4*bh : (t+1)*4*bh]
		cPrev, tct := cs[t*bh:(t+1)*bh], tc[t*bh:(t+1)*bh]
		for r := range B {
			ar, dar := a[r*4*H:(r+1)*4*H], da[r*4*H:(r+1)*4*H]
			for j := range H {
				k := r*H + j
				i, f, g, o := ar[j], ar[H+j], ar[2*H+j], ar[3*H+j]
				th := tct[k]
				dO := dh[k] * th
				dC := dc[k] + dh[k]*o*(1-th*th)
				dar[j] = dC * g * i * (1 - i)
				dar[H+j] = dC * cPrev[k] * f * (1 - f)
				dar[2*H+j] = dC * i * (1 - g*g)
				dar[3*H+j] = dO * o * (1 - o)
				dc[k] = dC * f
			}
		}
		xt, ht := xs[t*B*I:(t+1)*B*I], hs[t*bh:(t+1)*bh]
		if dtheta != nil {
			addGtX(dwx, da, xt, B, I, 4*H)
			addGtX(dwh, da, ht, B, H, 4*H)
			addColSums(db, da, B)
		}
		if dx != nil {
			mulGW(dx[t*B*I:(t+1)*B*I], da, wx, B, I, 4*H, 1)
		}
		if t > 0 {
			mulGW(dh, da, wh, B, H, 4*H, 0)
		}
	}
}

// Step advances the cell by one input x with batch 1: a = Wx·x + Wh·h + b,
// then (h, c) ← (o⊙tanh c', c') with c' = f⊙c + i⊙g, as in Forward. a is
// scratch of length 4·Hidden. It is the one-step form of a trained cell, for
// autoregressive rollouts.
func (c LSTM) Step(h, cs, a, x, theta []float64) {
	H := c.Hidden
	wx, wh, b := c.views(theta)
	mulXWt(a, x, wx, 1, c.In, 4*H, 0)
	mulXWt(a, h, wh, 1, H, 4*H, 1)
	addRows(a, b, 1)
	for j := range H {
		i, f := sigmoid(a[j]), sigmoid(a[H+j])
		g, o := math.Tanh(a[2*H+j]), sigmoid(a[3*H+j])
		cs[j] = f*cs[j] + i*g
		h[j] = o * math.Tanh(cs[j])
	}
}
