package learned

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/physid/physid/dynamics"

	"gonum.org/v1/gonum/floats"
)

// Features is a fixed (parameter-free) input map φ in front of a network, with
// its derivatives: the place where physical knowledge enters a learned field,
// like the augmented input of the paper's Eq. 33 (r_i, r_i − r_j and
// (r_i − r_j)/|r_i − r_j|^k). It uses only built-in types, so another package
// can implement it without importing this one.
//
// A NeuralField and its clones share one Features value on several goroutines:
// the methods must not modify it (keep no scratch in it) and must not allocate.
type Features interface {
	// Dim is the number of features, the length of φ(x).
	Dim() int
	// Map writes φ(x) into dst.
	Map(dst, x []float64)
	// JVP writes ∂φ/∂x·v into dst.
	JVP(dst, x, v []float64)
	// VJP adds uᵀ·∂φ/∂x into dx. It adds; it does not overwrite.
	VJP(dx, x, u []float64)
}

// SavableFeatures is a Features that can be written to a model file: Kind names
// it and the value itself is encoded with encoding/json as its configuration.
// Load hands both back to a FeatureDecoder.
type SavableFeatures interface {
	Features
	// Kind is the name a FeatureDecoder recognises, e.g. "nbody-aug".
	Kind() string
}

// IdentityMap is φ(x) = x for x of length N: a field of the raw state.
type IdentityMap struct {
	N int `json:"n"`
}

var _ SavableFeatures = IdentityMap{}

// Dim returns N.
func (f IdentityMap) Dim() int { return f.N }

// Kind returns "identity".
func (IdentityMap) Kind() string { return "identity" }

// Map copies x into dst.
func (f IdentityMap) Map(dst, x []float64) { copy(dst[:f.N], x[:f.N]) }

// JVP copies v into dst.
func (f IdentityMap) JVP(dst, _, v []float64) { copy(dst[:f.N], v[:f.N]) }

// VJP adds u to dx.
func (f IdentityMap) VJP(dx, _, u []float64) {
	floats.Add(dx[:f.N], u[:f.N])
}

// FieldConfig describes a NeuralField. Its zero values are the defaults noted.
type FieldConfig struct {
	// StateDim is the length of z. For Order 2 it is even: positions q are the
	// first half of z and velocities p the second.
	StateDim int
	// Order is 1 for dz/dt = MLP(φ(z)) and 2 for the second-order field
	// dq/dt = VelocityScale·p, dp/dt = MLP(φ(q)) (the paper's Eq. 34,
	// r̈ = FC(Aug)). 0 means 1.
	Order int
	// Features is φ, fed with z (Order 1) or q (Order 2). nil means the
	// identity on that input.
	Features Features
	// Hidden lists the widths of the hidden layers; empty means a single
	// affine layer from features to output.
	Hidden []int
	// Activation follows every hidden layer; "" means Tanh. The output layer
	// is linear.
	Activation Activation
	// VelocityScale multiplies p in dq/dt (Order 2 only), so that velocities
	// may be stored in different units from positions; 0 means 1.
	VelocityScale float64
}

// NeuralField is a dynamics.Dynamics whose right-hand side is an MLP over a
// feature map: f(z) = MLP(φ(z)), or for Order 2, f(q, p) = (s·p, MLP(φ(q))).
// θ is the MLP's parameter vector; f does not depend on t. JVP and VJP are the
// analytic chain rule through φ and the network, with respect to both z and θ.
//
// A NeuralField keeps a workspace, so it is not safe for concurrent use: give
// each goroutine its own Clone. Clones share the immutable MLP and Features.
type NeuralField struct {
	cfg  FieldConfig
	q    int // length of the network's raw input (z or q)
	net  *MLP
	feat Features

	tape            Tape
	phi, vphi, dphi []float64 // features, their tangent, their cotangent
	out             []float64 // network output
}

var (
	_ dynamics.Dynamics = (*NeuralField)(nil)
	_ dynamics.Cloner   = (*NeuralField)(nil)
)

// ErrConfig reports an invalid FieldConfig or model Spec.
var ErrConfig = errors.New("learned: invalid configuration")

// NewNeuralField builds the field described by cfg, with θ laid out from 0.
func NewNeuralField(cfg FieldConfig) (*NeuralField, error) {
	c := cfg
	c.Hidden = slices.Clone(cfg.Hidden)
	if c.Order == 0 {
		c.Order = 1
	}
	if c.Activation == "" {
		c.Activation = Tanh
	}
	if c.VelocityScale == 0 {
		c.VelocityScale = 1
	}
	if err := c.Activation.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	switch {
	case c.Order != 1 && c.Order != 2:
		return nil, fmt.Errorf("%w: order %d (allowed: 1, 2)", ErrConfig, c.Order)
	case c.StateDim < 1 || c.StateDim%c.Order != 0:
		return nil, fmt.Errorf("%w: state dimension %d must be a positive multiple of the order %d", ErrConfig, c.StateDim, c.Order)
	case len(c.Hidden) > 0 && slices.Min(c.Hidden) < 1:
		return nil, fmt.Errorf("%w: hidden widths %v must be positive", ErrConfig, c.Hidden)
	}
	q := c.StateDim / c.Order
	if c.Features == nil {
		c.Features = IdentityMap{N: q}
	}
	nf := c.Features.Dim()
	if nf < 1 {
		return nil, fmt.Errorf("%w: the feature map has dimension %d", ErrConfig, nf)
	}
	sizes := append(append([]int{nf}, c.Hidden...), q)
	f := &NeuralField{cfg: c, q: q, net: NewMLP(nil, sizes, c.Activation, Identity), feat: c.Features}
	f.alloc()
	return f, nil
}

func (f *NeuralField) alloc() {
	nf := f.feat.Dim()
	f.phi, f.vphi, f.dphi = make([]float64, nf), make([]float64, nf), make([]float64, nf)
	f.out = make([]float64, f.q)
}

// Config returns the resolved configuration (defaults filled in).
func (f *NeuralField) Config() FieldConfig {
	c := f.cfg
	c.Hidden = slices.Clone(c.Hidden)
	return c
}

// Features returns φ, the feature map the network reads (the identity when
// the FieldConfig named none), and input, the length of what φ reads:
// StateDim for Order 1, the positions' StateDim/2 for Order 2.
func (f *NeuralField) Features() (phi Features, input int) { return f.feat, f.q }

// Net returns the network; θ is its parameter vector.
func (f *NeuralField) Net() *MLP { return f.net }

// Dim returns StateDim.
func (f *NeuralField) Dim() int { return f.cfg.StateDim }

// NumParams returns the number of network weights and biases.
func (f *NeuralField) NumParams() int { return f.net.NumParams() }

// Init draws the network's parameters (see MLP.Init).
func (f *NeuralField) Init(theta []float64, rng *rand.Rand) { f.net.Init(theta, rng) }

// Clone returns a field with its own workspace, sharing the network and φ.
func (f *NeuralField) Clone() dynamics.Dynamics {
	g := &NeuralField{cfg: f.Config(), q: f.q, net: f.net, feat: f.feat}
	g.alloc()
	return g
}

// split returns the network's raw input inside z and the offset of the
// network's output inside f (and in u).
func (f *NeuralField) split(z []float64) (in []float64, o int) {
	if f.cfg.Order == 2 {
		return z[:f.q], f.q
	}
	return z[:f.q], 0
}

func (f *NeuralField) check(z, theta []float64) {
	if len(z) != f.cfg.StateDim || len(theta) != f.net.NumParams() {
		panic(fmt.Sprintf("learned: NeuralField: len(z)=%d, len(theta)=%d; want %d and %d",
			len(z), len(theta), f.cfg.StateDim, f.net.NumParams()))
	}
}

// forward maps the input through φ and the network, writing the output to dst.
func (f *NeuralField) forward(dst, in, theta []float64) {
	f.feat.Map(f.phi, in)
	f.net.Forward(&f.tape, dst, f.phi, theta, 1)
}

// Func writes f(z) into dst.
func (f *NeuralField) Func(dst []float64, _ float64, z, theta []float64) {
	f.check(z, theta)
	in, o := f.split(z)
	if o > 0 {
		s := f.cfg.VelocityScale
		for i, p := range z[o:] {
			dst[i] = s * p
		}
	}
	f.forward(dst[o:o+f.q], in, theta)
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vθ into dst: (s·vp, and J_MLP·(∂φ/∂q·vq, vθ)).
// A nil vtheta means zero.
func (f *NeuralField) JVP(dst []float64, _ float64, z, theta, vz, vtheta []float64) {
	f.check(z, theta)
	in, o := f.split(z)
	vin := vz[:f.q]
	if o > 0 {
		s := f.cfg.VelocityScale
		for i, p := range vz[o:] {
			dst[i] = s * p
		}
	}
	f.forward(f.out, in, theta)
	f.feat.JVP(f.vphi, in, vin)
	f.net.JVP(&f.tape, dst[o:o+f.q], f.vphi, vtheta, theta)
}

// VJP adds uᵀ∂f/∂z to dz and uᵀ∂f/∂θ to dtheta (skipped when nil): the
// network's backward pass from u's acceleration part gives ∂/∂φ and ∂/∂θ, and
// φ's VJP carries the first on to the positions; for Order 2 the velocity part
// also gets s·u_q.
func (f *NeuralField) VJP(dz, dtheta []float64, _ float64, z, theta, u []float64) {
	f.check(z, theta)
	in, o := f.split(z)
	if o > 0 {
		s := f.cfg.VelocityScale
		for i, ui := range u[:o] {
			dz[o+i] += s * ui
		}
	}
	f.forward(f.out, in, theta)
	clear(f.dphi)
	f.net.Backward(&f.tape, f.dphi, dtheta, u[o:o+f.q], theta)
	f.feat.VJP(dz[:f.q], in, f.dphi)
}
