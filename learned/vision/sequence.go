package vision

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/floats"
)

// Sequence composes layers; it is itself a Layer.
type Sequence struct {
	Layers []Layer
	outs   [][]float64 // output of every layer but the last
	grads  [][]float64
	n      int
}

// NewSequence checks that consecutive shapes match.
func NewSequence(layers ...Layer) *Sequence {
	if len(layers) == 0 {
		panic("vision: NewSequence: no layers")
	}
	for i := 1; i < len(layers); i++ {
		if layers[i].In() != layers[i-1].Out() {
			panic(fmt.Sprintf("vision: NewSequence: layer %d takes %v, layer %d gives %v", i, layers[i].In(), i-1, layers[i-1].Out()))
		}
	}
	return &Sequence{Layers: layers, outs: make([][]float64, len(layers)-1), grads: make([][]float64, len(layers)-1)}
}

func (s *Sequence) In() Shape  { return s.Layers[0].In() }
func (s *Sequence) Out() Shape { return s.Layers[len(s.Layers)-1].Out() }

// NumParams sums the layers' parameter counts.
func (s *Sequence) NumParams() int {
	n := 0
	for _, l := range s.Layers {
		n += l.NumParams()
	}
	return n
}

// Init initialises every layer in order.
func (s *Sequence) Init(theta []float64, rng *rand.Rand) {
	for _, l := range s.Layers {
		l.Init(theta, rng)
	}
}

func (s *Sequence) String() string {
	parts := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		parts[i] = fmt.Sprint(l)
	}
	return strings.Join(parts, " → ")
}

// Forward runs the layers in turn.
func (s *Sequence) Forward(dst, x, theta []float64, n int, train bool) {
	s.n = n
	in := x
	for i, l := range s.Layers {
		out := dst
		if i < len(s.Layers)-1 {
			s.outs[i] = grow(s.outs[i], n*l.Out().Size())
			out = s.outs[i]
		}
		l.Forward(out, in, theta, n, train)
		in = out
	}
}

// Backward runs the layers' backward passes in reverse.
func (s *Sequence) Backward(dx, dtheta, dy, theta []float64) {
	g := dy
	for i := len(s.Layers) - 1; i >= 0; i-- {
		var d []float64
		if i > 0 {
			s.grads[i-1] = grow(s.grads[i-1], s.n*s.Layers[i].In().Size())
			d = s.grads[i-1]
			clear(d)
		} else {
			d = dx
		}
		s.Layers[i].Backward(d, dtheta, g, theta)
		g = d
	}
}

// ResBlock is y = x + f(x).
type ResBlock struct {
	F *Sequence
}

func (r *ResBlock) In() Shape                            { return r.F.In() }
func (r *ResBlock) Out() Shape                           { return r.F.Out() }
func (r *ResBlock) NumParams() int                       { return r.F.NumParams() }
func (r *ResBlock) Init(theta []float64, rng *rand.Rand) { r.F.Init(theta, rng) }
func (r *ResBlock) String() string                       { return "res(" + r.F.String() + ")" }

// Forward writes x + f(x).
func (r *ResBlock) Forward(dst, x, theta []float64, n int, train bool) {
	r.F.Forward(dst, x, theta, n, train)
	k := n * r.In().Size()
	floats.Add(dst[:k], x[:k])
}

// Backward adds dy to dx and back-propagates through f.
func (r *ResBlock) Backward(dx, dtheta, dy, theta []float64) {
	if dx != nil {
		floats.Add(dx[:len(dy)], dy)
	}
	r.F.Backward(dx, dtheta, dy, theta)
}
