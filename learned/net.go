package learned

import "math/rand/v2"

// Net is a differentiable map x ↦ y whose parameters live in a shared flat θ.
// Inputs and outputs are row-major batches: batch rows of the input size for
// Dense and MLP, and steps×batch rows (time-major) for recurrent nets.
//
// Forward records on a Tape what Backward needs; Backward then uses the last
// Forward recorded on that tape. Backward adds: dx += (∂y/∂x)ᵀ·dy and
// dθ += (∂y/∂θ)ᵀ·dy, like dynamics.Dynamics.VJP, so gradients over several
// terms accumulate; a nil dx or dtheta skips that part.
type Net interface {
	Initializer
	// Forward writes y(x, θ) into dst and records the pass on tape.
	Forward(tape *Tape, dst, x, theta []float64, batch int)
	// Backward adds the input and parameter gradients of dy·y into dx and dtheta.
	Backward(tape *Tape, dx, dtheta, dy, theta []float64)
}

// Tape holds what a forward pass keeps for its backward pass (inputs,
// pre-activations, gate values, hidden and cell states) and the scratch the
// backward pass needs. Its buffers grow to the largest pass seen and are then
// reused, so training loops allocate nothing after the first step. A Tape
// records one net at a time and is not safe for concurrent use: use one per
// goroutine. The zero value is ready to use.
type Tape struct {
	rec, work    []float64
	batch, steps int
	sub          *Tape // for nets made of two recorded parts
}

// record returns the forward buffer with length n.
func (t *Tape) record(n int) []float64 {
	t.rec = grow(t.rec, n)
	return t.rec
}

// scratch returns the backward buffer with length n.
func (t *Tape) scratch(n int) []float64 {
	t.work = grow(t.work, n)
	return t.work
}

// child returns a second tape owned by this one.
func (t *Tape) child() *Tape {
	if t.sub == nil {
		t.sub = new(Tape)
	}
	return t.sub
}

// Dense is the affine layer y = W·x + b with W Out×In. Its parameters are
// θ[Off : Off+Out·In] (W row-major) followed by Out biases.
type Dense struct {
	In, Out int // input and output sizes
	Off     int // offset of W in θ
}

var _ Net = Dense{}

// NewDense reserves the parameters of an In→Out affine layer in l.
func NewDense(l *Layout, in, out int) Dense {
	if in < 1 || out < 1 {
		panic("learned: NewDense: sizes must be positive")
	}
	l = orFresh(l)
	return Dense{In: in, Out: out, Off: l.Take(out*in + out)}
}

// NumParams returns Out·In + Out.
func (d Dense) NumParams() int { return d.Out*d.In + d.Out }

// Weights returns W as a row-major Out×In view into theta.
func (d Dense) Weights(theta []float64) []float64 {
	return theta[d.Off : d.Off+d.Out*d.In]
}

// Bias returns b as a view into theta.
func (d Dense) Bias(theta []float64) []float64 {
	o := d.Off + d.Out*d.In
	return theta[o : o+d.Out]
}

// Init draws W with GlorotUniform and sets b = 0.
func (d Dense) Init(theta []float64, rng *rand.Rand) { d.InitWith(theta, rng, GlorotUniform) }

// InitWith draws W with the given scheme and sets b = 0.
func (d Dense) InitWith(theta []float64, rng *rand.Rand, w WeightInit) {
	w.fill(d.Weights(theta), d.In, d.Out, rng)
	clear(d.Bias(theta))
}

// batchOf returns the number of rows of x, which must hold whole rows of n.
func batchOf(x []float64, n int, who string) int {
	if len(x) == 0 || len(x)%n != 0 {
		panic("learned: " + who + ": input length is not a positive multiple of the input size")
	}
	return len(x) / n
}

// Apply writes W·x + b into dst for every row of x (a batch of In-vectors).
// It keeps nothing, so a Dense needs no Tape outside the Net interface.
func (d Dense) Apply(dst, x, theta []float64) {
	b := batchOf(x, d.In, "Dense")
	mulXWt(dst, x, d.Weights(theta), b, d.In, d.Out, 0)
	addRows(dst, d.Bias(theta), b)
}

// VJP adds Wᵀ·dy to dx and dy·xᵀ, dy (summed over rows) to the W and b ranges
// of dtheta, where x is the input Apply saw. Nil dx or dtheta skips that part.
func (d Dense) VJP(dx, dtheta, x, dy, theta []float64) {
	d.vjp(dx, dtheta, x, dy, theta, 1)
}

// vjp is VJP with dx = Wᵀ·dy + beta·dx.
func (d Dense) vjp(dx, dtheta, x, dy, theta []float64, beta float64) {
	b := batchOf(x, d.In, "Dense")
	if dtheta != nil {
		addGtX(d.Weights(dtheta), dy, x, b, d.In, d.Out)
		addColSums(d.Bias(dtheta), dy, b)
	}
	if dx != nil {
		mulGW(dx, dy, d.Weights(theta), b, d.In, d.Out, beta)
	}
}

// JVP writes W·vx + V·x + vb into dst, the derivative of Apply along the
// tangent (vx, vtheta) where V and vb are read from vtheta as W and b are from
// theta. A nil vx or vtheta means zero.
func (d Dense) JVP(dst, x, vx, theta, vtheta []float64) {
	b := batchOf(x, d.In, "Dense")
	beta := 0.0
	if vx != nil {
		mulXWt(dst, vx, d.Weights(theta), b, d.In, d.Out, 0)
		beta = 1
	}
	if vtheta != nil {
		mulXWt(dst, x, d.Weights(vtheta), b, d.In, d.Out, beta)
		addRows(dst, d.Bias(vtheta), b)
	} else if vx == nil {
		clear(dst[:b*d.Out])
	}
}

// Forward is Apply, recording a copy of x on tape.
func (d Dense) Forward(tape *Tape, dst, x, theta []float64, batch int) {
	if len(x) != batch*d.In {
		panic("learned: Dense.Forward: len(x) != batch·In")
	}
	copy(tape.record(len(x)), x)
	tape.batch = batch
	d.Apply(dst, x, theta)
}

// Backward is VJP at the input recorded by the last Forward.
func (d Dense) Backward(tape *Tape, dx, dtheta, dy, theta []float64) {
	d.VJP(dx, dtheta, tape.rec[:tape.batch*d.In], dy, theta)
}
