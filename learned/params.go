package learned

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Layout hands out consecutive ranges of one flat parameter vector θ, so that
// every layer of a model reads its weights from the same []float64 and every
// gradient lands in one matching []float64: optimizers, clipping, saving and
// the dynamics.Dynamics contract then see a single vector. The zero value starts
// at offset 0.
type Layout struct {
	n int
}

// Take reserves n parameters and returns their offset.
func (l *Layout) Take(n int) int {
	if n < 0 {
		panic(fmt.Sprintf("learned: Layout.Take(%d)", n))
	}
	off := l.n
	l.n += n
	return off
}

// Len is the number of parameters reserved so far: the length θ must have.
func (l *Layout) Len() int { return l.n }

// orFresh returns l, or a fresh layout when l is nil.
func orFresh(l *Layout) *Layout {
	if l == nil {
		return new(Layout)
	}
	return l
}

// WeightInit names a random initialisation of a weight matrix.
type WeightInit int

const (
	// GlorotUniform draws from U(−a, a) with a = √(6/(fan_in+fan_out))
	// (Glorot & Bengio 2010): the choice for tanh, sigmoid and linear layers.
	GlorotUniform WeightInit = iota
	// HeUniform draws from U(−a, a) with a = √(6/fan_in) (He et al. 2015):
	// the choice before ReLU and softplus.
	HeUniform
)

// limit is the half-width of the uniform distribution for a layer with the
// given fan-in and fan-out.
func (w WeightInit) limit(fanIn, fanOut int) float64 {
	switch w {
	case GlorotUniform:
		return math.Sqrt(6 / float64(fanIn+fanOut))
	case HeUniform:
		return math.Sqrt(6 / float64(fanIn))
	}
	panic(fmt.Sprintf("learned: unknown WeightInit %d", int(w)))
}

// fill draws every entry of w from U(−a, a).
func (w WeightInit) fill(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	a := w.limit(fanIn, fanOut)
	for i := range dst {
		dst[i] = a * (2*rng.Float64() - 1)
	}
}

// pcgStream is the fixed second word of the PCG state; NewRand varies the first.
const pcgStream = 0x853c49e6748fea9b

// NewRand returns the generator every initialisation in this package is meant
// to use: PCG (math/rand/v2) seeded with seed. The same seed gives the same
// numbers on every platform and Go version, because PCG and Float64 are
// specified exactly.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, pcgStream))
}

// Initializer is anything that can draw its own parameters: every layer and
// model in this package.
type Initializer interface {
	// NumParams is the number of parameters the value owns.
	NumParams() int
	// Init writes freshly drawn parameters into the value's range of theta.
	Init(theta []float64, rng *rand.Rand)
}

// NewParams allocates θ for a model built on a fresh (or nil) Layout and
// initialises it from NewRand(seed): the same seed gives identical numbers.
func NewParams(m Initializer, seed uint64) []float64 {
	theta := make([]float64, m.NumParams())
	m.Init(theta, NewRand(seed))
	return theta
}
