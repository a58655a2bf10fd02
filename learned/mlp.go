package learned

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// MLP is a multilayer perceptron: Dense layers sizes[0]→sizes[1]→…→sizes[L]
// with the hidden activation after every layer but the last and the output
// activation after the last. Its parameters are the layers' W and b in order.
//
// An MLP is immutable after NewMLP and may be shared by goroutines; each
// goroutine passes its own Tape.
type MLP struct {
	sizes          []int
	hidden, output Activation
	layers         []Dense
	cum            []int // cum[k] = sizes[0] + … + sizes[k−1]
	width          int   // the largest size
	off, n         int   // the parameter range
}

var _ Net = (*MLP)(nil)

// NewMLP reserves the parameters of an MLP in l (nil means a fresh Layout).
// It panics unless there are at least two sizes, all positive, and both
// activations are valid: architecture comes from code or a validated Spec.
func NewMLP(l *Layout, sizes []int, hidden, output Activation) *MLP {
	if len(sizes) < 2 || slices.Min(sizes) < 1 {
		panic(fmt.Sprintf("learned: NewMLP: sizes %v: want at least two, all positive", sizes))
	}
	if err := hidden.Validate(); err != nil {
		panic(err)
	}
	if err := output.Validate(); err != nil {
		panic(err)
	}
	l = orFresh(l)
	m := &MLP{sizes: slices.Clone(sizes), hidden: hidden, output: output, off: l.Len(), width: slices.Max(sizes)}
	m.cum = make([]int, len(sizes)+1)
	for k, s := range sizes {
		m.cum[k+1] = m.cum[k] + s
	}
	for k := 1; k < len(sizes); k++ {
		m.layers = append(m.layers, NewDense(l, sizes[k-1], sizes[k]))
	}
	m.n = l.Len() - m.off
	return m
}

// Sizes returns a copy of the layer sizes, input first.
func (m *MLP) Sizes() []int { return slices.Clone(m.sizes) }

// Layer returns the k-th Dense layer, k = 0 … len(Sizes())−2.
func (m *MLP) Layer(k int) Dense { return m.layers[k] }

// Activations returns the hidden and output activations.
func (m *MLP) Activations() (hidden, output Activation) { return m.hidden, m.output }

// NumParams returns Σ_k sizes[k]·sizes[k−1] + sizes[k].
func (m *MLP) NumParams() int { return m.n }

// Init draws each layer's weights with the scheme suited to the activation
// that follows it (He for ReLU and softplus, Glorot otherwise) and zeroes the
// biases.
func (m *MLP) Init(theta []float64, rng *rand.Rand) {
	for k, d := range m.layers {
		d.InitWith(theta, rng, m.act(k+1).weightInit())
	}
}

// act is the activation applied after layer k (1-based).
func (m *MLP) act(k int) Activation {
	if k == len(m.layers) {
		return m.output
	}
	return m.hidden
}

// The tape of an MLP with batch b holds a_0 … a_L (a_0 = x, a_k = σ_k(p_k))
// followed by the pre-activations p_1 … p_L, each b×sizes[k].
func (m *MLP) post(rec []float64, b, k int) []float64 {
	return rec[b*m.cum[k] : b*m.cum[k+1]]
}

func (m *MLP) pre(rec []float64, b, k int) []float64 {
	o := b * (m.cum[len(m.sizes)] + m.cum[k] - m.sizes[0])
	return rec[o : o+b*m.sizes[k]]
}

// Forward writes the network output for every row of x into dst and records
// the pass on tape.
func (m *MLP) Forward(tape *Tape, dst, x, theta []float64, batch int) {
	L := len(m.layers)
	if batch < 1 || len(x) != batch*m.sizes[0] || len(dst) < batch*m.sizes[L] {
		panic("learned: MLP.Forward: len(x) must be batch·sizes[0] and len(dst) at least batch·sizes[L]")
	}
	b := batch
	rec := tape.record(b * (2*m.cum[L+1] - m.sizes[0]))
	tape.batch = b
	copy(m.post(rec, b, 0), x)
	for k := 1; k <= L; k++ {
		p, a := m.pre(rec, b, k), m.post(rec, b, k)
		m.layers[k-1].Apply(p, m.post(rec, b, k-1), theta)
		m.act(k).Forward(a, p)
	}
	copy(dst, m.post(rec, b, L))
}

// Backward adds the gradients of dy·y at the recorded pass: dx += (∂y/∂x)ᵀdy
// and dθ += (∂y/∂θ)ᵀdy. Going from the last layer down, with g = dy,
//
//	g ← g ⊙ σ_k'(p_k),  dW_k += gᵀ·a_{k−1},  db_k += Σ_rows g,  g ← g·W_k.
func (m *MLP) Backward(tape *Tape, dx, dtheta, dy, theta []float64) {
	L, b := len(m.layers), tape.batch
	rec := tape.rec
	work := tape.scratch(2 * b * m.width)
	cur, other := work[:b*m.width], work[b*m.width:]
	g := cur[:b*m.sizes[L]]
	m.output.Backward(g, m.pre(rec, b, L), m.post(rec, b, L), dy[:b*m.sizes[L]])
	for k := L; k >= 1; k-- {
		d, in := m.layers[k-1], m.post(rec, b, k-1)
		if k == 1 {
			d.vjp(dx, dtheta, in, g, theta, 1)
			break
		}
		gp := other[:b*m.sizes[k-1]]
		d.vjp(gp, dtheta, in, g, theta, 0)
		m.hidden.Backward(gp, m.pre(rec, b, k-1), in, gp)
		g, cur, other = gp, other, cur
	}
}

// JVP writes the derivative of the recorded pass along the tangent (vx, vθ)
// into dst: with t_0 = vx, t_k = σ_k'(p_k) ⊙ (W_k·t_{k−1} + V_k·a_{k−1} + vb_k),
// where V_k and vb_k are read from vtheta. A nil vx or vtheta means zero. Call
// it after Forward at the same x and θ.
func (m *MLP) JVP(tape *Tape, dst, vx, vtheta, theta []float64) {
	L, b := len(m.layers), tape.batch
	rec := tape.rec
	work := tape.scratch(2 * b * m.width)
	t, s := work[:b*m.width], work[b*m.width:]
	tin := vx
	for k := 1; k <= L; k++ {
		out := s[:b*m.sizes[k]]
		m.layers[k-1].JVP(out, m.post(rec, b, k-1), tin, theta, vtheta)
		m.act(k).Backward(out, m.pre(rec, b, k), m.post(rec, b, k), out)
		tin = out
		t, s = s, t
	}
	copy(dst, tin)
}
