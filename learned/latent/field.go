package latent

import (
	"fmt"
	"math/rand/v2"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/learned"
)

// Field is the latent dynamics dz/dt = MLP(z) (tanh hidden layers, linear
// output) applied to each of Batch latent states at once: a dynamics.Dynamics
// of dimension Batch·Latent (row-major, one row per sequence) whose θ is the
// MLP's. Its JVP and VJP are the MLP's forward- and reverse-mode products, so
// the gradient methods of package aca train it. A Field keeps a workspace and
// is not safe for concurrent use; Clone gives each goroutine its own.
type Field struct {
	net    *learned.MLP
	latent int
	batch  int
	tape   learned.Tape
	out    []float64
}

var (
	_ dynamics.Dynamics = (*Field)(nil)
	_ dynamics.Cloner   = (*Field)(nil)
)

// NewField builds the field for latent states of the given size, with hidden
// layers of the given widths, for batch sequences. Its parameters are its own
// (offset 0).
func NewField(latent int, hidden []int, batch int) *Field {
	if latent < 1 || batch < 1 {
		panic("latent: NewField: latent size and batch must be positive")
	}
	sizes := append(append([]int{latent}, hidden...), latent)
	return &Field{net: learned.NewMLP(nil, sizes, learned.Tanh, learned.Identity), latent: latent, batch: batch}
}

// WithBatch returns a field with the same network for another batch size.
func (f *Field) WithBatch(batch int) *Field {
	if batch < 1 {
		panic("latent: Field.WithBatch: batch must be positive")
	}
	return &Field{net: f.net, latent: f.latent, batch: batch}
}

// Clone returns a field with its own workspace, sharing the network.
func (f *Field) Clone() dynamics.Dynamics { return f.WithBatch(f.batch) }

// Net returns the network.
func (f *Field) Net() *learned.MLP { return f.net }

// Dim returns Batch·Latent.
func (f *Field) Dim() int { return f.batch * f.latent }

// NumParams returns the network's parameter count.
func (f *Field) NumParams() int { return f.net.NumParams() }

// Init draws the network's parameters.
func (f *Field) Init(theta []float64, rng *rand.Rand) { f.net.Init(theta, rng) }

func (f *Field) check(z, theta []float64) {
	if len(z) != f.Dim() || len(theta) != f.net.NumParams() {
		panic(fmt.Sprintf("latent: Field: len(z)=%d len(theta)=%d; want %d and %d", len(z), len(theta), f.Dim(), f.net.NumParams()))
	}
}

// Func writes MLP(z_b) for every row b into dst.
func (f *Field) Func(dst []float64, _ float64, z, theta []float64) {
	f.check(z, theta)
	f.net.Forward(&f.tape, dst, z, theta, f.batch)
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vθ into dst (a nil vtheta means zero).
func (f *Field) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	f.check(z, theta)
	f.out = growF(f.out, f.Dim())
	f.net.Forward(&f.tape, f.out, z, theta, f.batch)
	f.net.JVP(&f.tape, dst, vz, vtheta, theta)
}

// VJP adds uᵀ∂f/∂z into dz and uᵀ∂f/∂θ into dtheta (nil skips).
func (f *Field) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	f.check(z, theta)
	f.out = growF(f.out, f.Dim())
	f.net.Forward(&f.tape, f.out, z, theta, f.batch)
	f.net.Backward(&f.tape, dz, dtheta, u, theta)
}

// growF returns x with length n, reusing its storage when large enough.
func growF(x []float64, n int) []float64 {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]float64, n)
}
