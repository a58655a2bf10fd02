package latent

import (
	"fmt"
	"math/rand/v2"

	"github.com/physid/physid/learned"
)

// Recurrent is the RNN baseline of Rubanova et al. with the time gap as input:
// it steps through the batch's times τ_0 < τ_1 < … and at step i reads the
// previous observation and its mask and the gap to the current time,
//
//	u_i = (x(τ_{i−1})⊙m(τ_{i−1}), m(τ_{i−1}), τ_i − τ_{i−1}),  h_i = cell(u_i, h_{i−1}),
//	x̂(τ_i) = W_o·h_i + b_o,
//
// with h_0 = 0, x(τ_{−1}) = m(τ_{−1}) = 0 and τ_{−1} the grid's start. So x̂(τ_i)
// uses only earlier observations (Rubanova et al.'s shifted outputs). Training
// and prediction step through the whole grid, feeding the observed points
// only. The cell is an Elman cell (rnn) or a GRU (gru, the paper's RNN-GRU).
//
// Parameters: the cell's, then the read-out's (Dense H→Dim). A Recurrent
// keeps its workspace between calls, so training allocates nothing after the
// first batch; it is not safe for concurrent use.
type Recurrent struct {
	name string
	dim  int
	cell cell
	head learned.Dense
	n    int
	ws   recPass
	grid []int
}

var _ Model = (*Recurrent)(nil)

// NewRecurrent builds the baseline with the named cell (rnn or gru) for
// sequences of dim components and a hidden state of the given size.
func NewRecurrent(name string, dim, hidden int) (*Recurrent, error) {
	if dim < 1 || hidden < 1 {
		return nil, fmt.Errorf("%w: dim %d, hidden %d (want positive)", ErrConfig, dim, hidden)
	}
	l := new(learned.Layout)
	m := &Recurrent{name: name, dim: dim}
	switch name {
	case "rnn":
		m.cell = newRNNCell(l, 2*dim+1, hidden)
	case "gru":
		m.cell = newGRUCell(l, 2*dim+1, hidden)
	default:
		return nil, fmt.Errorf("%w: unknown recurrent model %q (allowed: rnn, gru)", ErrConfig, name)
	}
	m.head = learned.NewDense(l, hidden, dim)
	m.n = l.Len()
	return m, nil
}

// Name returns rnn or gru.
func (m *Recurrent) Name() string { return m.name }

// NumParams returns the length of θ.
func (m *Recurrent) NumParams() int { return m.n }

// Init draws the cell's and the read-out's weights (Glorot) with zero biases.
func (m *Recurrent) Init(theta []float64, rng *rand.Rand) {
	m.cell.Init(theta, rng)
	m.head.Init(theta, rng)
}

// recPass is the workspace of one run through a list of grid indices; its
// buffers grow to the largest batch seen and are then reused.
type recPass struct {
	idx                   []int
	u, h, rec             []float64
	pred, dpred           []float64
	dh, dhPrev, work      []float64
	in, hid, rl, batch, S int
}

// forward runs through the grid indices idx and leaves the pass in m.ws.
func (m *Recurrent) forward(theta []float64, b *Batch, idx []int) *recPass {
	B, D := b.Size, b.Dim
	in, H := m.cell.sizes()
	S := len(idx)
	p := &m.ws
	p.idx, p.in, p.hid, p.rl, p.batch, p.S = idx, in, H, m.cell.recLen(B), B, S
	p.u = growF(p.u, S*B*in)
	p.h = growF(p.h, (S+1)*B*H)
	p.rec = growF(p.rec, S*p.rl)
	p.pred = growF(p.pred, S*B*D)
	clear(p.u)
	clear(p.h[:B*H])
	prevT := b.Grid[0]
	for s, i := range idx {
		u := p.u[s*B*in : (s+1)*B*in]
		for r := range B {
			ur := u[r*in : (r+1)*in]
			if s > 0 {
				o := (idx[s-1]*B + r) * D
				for c := range D {
					ur[c] = b.Values[o+c] * b.Mask[o+c]
					ur[D+c] = b.Mask[o+c]
				}
			}
			ur[2*D] = b.Grid[i] - prevT
		}
		prevT = b.Grid[i]
		hPrev, hNext := p.h[s*B*H:(s+1)*B*H], p.h[(s+1)*B*H:(s+2)*B*H]
		m.cell.step(p.rec[s*p.rl:(s+1)*p.rl], hNext, u, hPrev, theta, B)
		m.head.Apply(p.pred[s*B*D:(s+1)*B*D], hNext, theta)
	}
	return p
}

// backward adds the gradient of dpred·pred into dtheta.
func (m *Recurrent) backward(p *recPass, dtheta, dpred, theta []float64, B, D int) {
	in, H := p.in, p.hid
	p.dh, p.dhPrev = growF(p.dh, B*H), growF(p.dhPrev, B*H)
	p.work = growF(p.work, m.cell.workLen(B))
	dh, dhPrev := p.dh, p.dhPrev
	clear(dh)
	for s := p.S - 1; s >= 0; s-- {
		hPrev, hNext := p.h[s*B*H:(s+1)*B*H], p.h[(s+1)*B*H:(s+2)*B*H]
		m.head.VJP(dh, dtheta, hNext, dpred[s*B*D:(s+1)*B*D], theta)
		clear(dhPrev)
		m.cell.back(p.rec[s*p.rl:(s+1)*p.rl], p.work, nil, dhPrev, dtheta, dh, p.u[s*B*in:(s+1)*B*in], hPrev, hNext, theta, B)
		dh, dhPrev = dhPrev, dh
	}
}

// Loss returns the MSE of the predictions at every grid time (the
// interpolation task, seeing only the observed points) and adds its gradient
// into grad.
func (m *Recurrent) Loss(grad, theta []float64, b *Batch, _ *rand.Rand) (float64, error) {
	m.check(theta, b)
	m.grid = b.allInto(m.grid)
	p := m.forward(theta, b, m.grid)
	p.dpred = growF(p.dpred, len(p.pred))
	l := b.ReconstructionMSE(p.dpred, p.pred)
	m.backward(p, grad, p.dpred, theta, b.Size, b.Dim)
	return l, nil
}

// Predict runs through every grid time, feeding only the observed points.
func (m *Recurrent) Predict(dst, theta []float64, b *Batch) error {
	m.check(theta, b)
	m.grid = b.allInto(m.grid)
	copy(dst, m.forward(theta, b, m.grid).pred)
	return nil
}

func (m *Recurrent) check(theta []float64, b *Batch) {
	if len(theta) != m.n || b.Dim != m.dim {
		panic(fmt.Sprintf("latent: %s: len(theta)=%d, dim %d; want %d and %d", m.name, len(theta), b.Dim, m.n, m.dim))
	}
}
