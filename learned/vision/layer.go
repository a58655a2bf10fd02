package vision

import (
	"fmt"
	"math/rand/v2"
)

// Shape is the per-sample shape of an activation: C channels of H×W pixels.
type Shape struct{ C, H, W int }

// Size is C·H·W.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

// Layer is one differentiable stage of a classifier on NCHW batches.
//
// Forward writes y(x, θ) for a batch of n samples into dst and keeps what
// Backward needs (it may keep x itself: leave x unchanged until Backward).
// Backward then adds (∂y/∂x)ᵀ·dy into dx (skipped when nil) and (∂y/∂θ)ᵀ·dy
// into dtheta (skipped when nil), for the last Forward. theta is the whole
// model's parameter vector; the layer reads its own range.
type Layer interface {
	// In and Out are the per-sample input and output shapes.
	In() Shape
	Out() Shape
	// NumParams is the number of parameters the layer owns.
	NumParams() int
	// Init draws the layer's parameters into its range of theta.
	Init(theta []float64, rng *rand.Rand)
	Forward(dst, x, theta []float64, n int, train bool)
	Backward(dx, dtheta, dy, theta []float64)
}

// ReLU is max(0, x) elementwise.
type ReLU struct {
	S Shape
	y []float64
}

// NewReLU returns a ReLU on activations of shape s.
func NewReLU(s Shape) *ReLU { return &ReLU{S: s} }

func (r *ReLU) In() Shape                  { return r.S }
func (r *ReLU) Out() Shape                 { return r.S }
func (r *ReLU) NumParams() int             { return 0 }
func (r *ReLU) Init([]float64, *rand.Rand) {}
func (r *ReLU) String() string             { return "relu" }
func (r *ReLU) Forward(dst, x, _ []float64, n int, _ bool) {
	m := n * r.S.Size()
	for i, v := range x[:m] {
		dst[i] = max(v, 0)
	}
	r.y = dst[:m]
}

func (r *ReLU) Backward(dx, _, dy, _ []float64) {
	if dx == nil {
		return
	}
	for i, y := range r.y {
		if y > 0 {
			dx[i] += dy[i]
		}
	}
}
