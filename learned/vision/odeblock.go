package vision

import (
	"fmt"
	"math/rand/v2"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"

	"gonum.org/v1/gonum/floats"
)

// Field is the right-hand side of an ODE block, dz/dt = f(z), as a
// dynamics.Dynamics over the flattened activations of a whole batch (the batch
// is part of the state): Dim is Batch·C·H·W and θ is f's own parameter vector
// (laid out from 0). f does not depend on t. JVP is not implemented (no
// gradient method of package aca needs it) and panics.
//
// A Field keeps its layers' workspaces, so it is not safe for concurrent use;
// Clone gives a copy with fresh layers of the same layout.
type Field struct {
	F     *Sequence
	Batch int
	build func() *Sequence
	tmp   []float64
}

var (
	_ dynamics.Dynamics = (*Field)(nil)
	_ dynamics.Cloner   = (*Field)(nil)
)

// NewField builds f = conv3×3 → GroupNorm → ReLU → conv3×3 → GroupNorm on
// activations of shape s, with its parameters laid out from 0; f32 computes
// the convolutions' matrix products in float32 (see Conv2d).
func NewField(s Shape, f32 bool) *Field {
	build := func() *Sequence {
		var l learned.Layout
		return blockF(&l, s, false, f32)
	}
	return &Field{F: build(), Batch: 1, build: build}
}

// blockF is the residual function conv-norm-relu-conv-norm; batch selects
// BatchNorm over GroupNorm, f32 single-precision convolution products.
func blockF(l *learned.Layout, s Shape, batch, f32 bool) *Sequence {
	norm := func() Layer {
		if batch {
			return NewBatchNorm(l, s)
		}
		return NewGroupNorm(l, s, defaultGroups(s.C))
	}
	c1 := NewConv2d(l, s, s.C, 3, 1, 1, false)
	n1 := norm()
	r := NewReLU(s)
	c2 := NewConv2d(l, s, s.C, 3, 1, 1, false)
	c1.Float32, c2.Float32 = f32, f32
	return NewSequence(c1, n1, r, c2, norm())
}

// Dim is Batch·C·H·W.
func (f *Field) Dim() int { return f.Batch * f.F.In().Size() }

// NumParams is f's parameter count.
func (f *Field) NumParams() int { return f.F.NumParams() }

// Clone returns a field with its own workspaces.
func (f *Field) Clone() dynamics.Dynamics {
	return &Field{F: f.build(), Batch: f.Batch, build: f.build}
}

func (f *Field) check(z, theta []float64) {
	if len(z) != f.Dim() || len(theta) != f.NumParams() {
		panic(fmt.Sprintf("vision: Field: len(z)=%d len(theta)=%d; want %d and %d", len(z), len(theta), f.Dim(), f.NumParams()))
	}
}

// Func writes f(z) into dst.
func (f *Field) Func(dst []float64, _ float64, z, theta []float64) {
	f.check(z, theta)
	f.F.Forward(dst, z, theta, f.Batch, false)
}

// JVP panics: the image ODE blocks are trained with reverse-mode methods only.
func (f *Field) JVP([]float64, float64, []float64, []float64, []float64, []float64) {
	panic("vision: Field has no JVP; use the aca, adjoint or naive method")
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta (skipped when nil).
func (f *Field) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	f.check(z, theta)
	f.tmp = grow(f.tmp, len(z))
	f.F.Forward(f.tmp, z, theta, f.Batch, false)
	f.F.Backward(dz, dtheta, u, theta)
}

// ODEBlock is z(1) = z(0) + ∫₀¹ f(z) dt, the neural-ODE counterpart of a
// ResBlock with the same f. Its parameters are θ[Off : Off+NumParams()], f's
// own vector. Forward (inference) solves with Test settings; training goes
// through package aca with Method and Train settings (see Classifier).
type ODEBlock struct {
	Field *Field
	Off   int
	// Train and Test configure the solver for training and for inference;
	// nil means HeunEuler with rtol = atol = 0.1 (see DefaultSettings).
	Train, Test *integrate.Settings
	// Method is the gradient method; nil means ACA.
	Method aca.Method

	// Stats of the last solve or gradient.
	Stats aca.Stats

	solver    *integrate.Solver   // for Test, kept so that Solve reuses its workspace
	solverFor *integrate.Settings // the Test value solver was made for
}

// unitTime is the one output time of every block solve.
var unitTime = []float64{1}

// DefaultSettings is the default solver of ODE blocks: HeunEuler (the paper's
// choice for Table 2) with rtol = atol = 0.1 and a first (or, for a
// fixed-step tableau, every) step of 0.25. The tolerances are loose to keep
// training affordable on a CPU: on the shipped Fashion-MNIST subset they take
// about 3 steps per block where rtol 1e-2, atol 1e-3 take 15–18, and one
// epoch of the NODE took 114 s instead of 382 s (test error after it 40 %
// instead of 36.5 %). Swapping the solver at test time still moves accuracy by
// at most a couple of points (see the images compare command).
func DefaultSettings() *integrate.Settings {
	return &integrate.Settings{Method: integrate.HeunEuler, RTol: 0.1, ATol: 0.1, Step: 0.25}
}

// NewODEBlock reserves f's parameters in l; f32 is NewField's.
func NewODEBlock(l *learned.Layout, s Shape, f32 bool) *ODEBlock {
	f := NewField(s, f32)
	return &ODEBlock{Field: f, Off: l.Take(f.NumParams())}
}

func (b *ODEBlock) In() Shape      { return b.Field.F.In() }
func (b *ODEBlock) Out() Shape     { return b.Field.F.Out() }
func (b *ODEBlock) NumParams() int { return b.Field.NumParams() }
func (b *ODEBlock) String() string { return "ode(" + b.Field.F.String() + ")" }
func (b *ODEBlock) theta(theta []float64) []float64 {
	return theta[b.Off : b.Off+b.NumParams()]
}

// Init initialises f.
func (b *ODEBlock) Init(theta []float64, rng *rand.Rand) { b.Field.F.Init(b.theta(theta), rng) }

func orDefault(s *integrate.Settings) *integrate.Settings {
	if s == nil {
		return DefaultSettings()
	}
	return s
}

// Solve writes z(1) for z(0) = x into dst with the Test settings. The solver
// and its workspace are kept between calls: assign a new Test value to change
// the settings rather than changing the old one in place.
func (b *ODEBlock) Solve(dst, x, theta []float64, n int) error {
	b.Field.Batch = n
	if b.solver == nil || b.solverFor != b.Test {
		b.solver, b.solverFor = integrate.NewSolver(orDefault(b.Test)), b.Test
	}
	st, err := b.solver.Solve(dst[:b.Field.Dim()], b.Field, b.theta(theta), 0, x[:b.Field.Dim()], unitTime, nil)
	b.Stats = aca.Stats{NFEForward: st.NFE, Accepted: st.Accepted, Rejected: st.Rejected}
	return err
}

// Forward is Solve with the error turned into a panic; Classifier calls
// Solve directly.
func (b *ODEBlock) Forward(dst, x, theta []float64, n int, _ bool) {
	if err := b.Solve(dst, x, theta, n); err != nil {
		panic(err)
	}
}

// Backward is not available: an ODE block is differentiated through aca by
// Through.
func (b *ODEBlock) Backward([]float64, []float64, []float64, []float64) {
	panic("vision: ODEBlock.Backward: train ODE blocks through Classifier (aca)")
}

// restLoss is the loss of everything after an ODE block, as an aca.Loss.
type restLoss struct {
	rest func(grad, z []float64) (float64, error)
	err  error
}

func (r *restLoss) Eval(grad, z []float64) float64 {
	clear(grad)
	l, err := r.rest(grad, z)
	if err != nil && r.err == nil {
		r.err = err
	}
	return l
}

// Through differentiates the block: it solves from x, hands z(1) to rest —
// which returns the loss of the rest of the network and writes its gradient
// with respect to z(1) — and adds dL/dx into dx (when not nil) and dL/dθ into
// dtheta.
func (b *ODEBlock) Through(dx, dtheta, x, theta []float64, n int, rest func(grad, z []float64) (float64, error)) (float64, error) {
	b.Field.Batch = n
	if b.Method == nil {
		b.Method = &aca.ACA{}
	}
	loss := &restLoss{rest: rest}
	p := &aca.Problem{Model: b.Field, Theta: b.theta(theta), Z0: x[:b.Field.Dim()], Times: unitTime, Loss: loss}
	res, err := aca.NeedZ0(b.Method).Gradient(p, orDefault(b.Train)) // dL/dx is dL/dz0
	if loss.err != nil {
		return 0, loss.err
	}
	if err != nil {
		return 0, fmt.Errorf("vision: ODE block (%s): %w", b.Method.Name(), err)
	}
	b.Stats = res.Stats
	floats.Add(dtheta[b.Off:b.Off+len(res.Theta)], res.Theta)
	if dx != nil {
		floats.Add(dx[:len(res.Z0)], res.Z0)
	}
	return res.Loss, nil
}
