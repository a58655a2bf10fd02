package vision

import (
	"errors"
	"fmt"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"

	"gonum.org/v1/gonum/floats"
)

// ErrConfig reports an invalid model configuration.
var ErrConfig = errors.New("vision: invalid configuration")

// Config describes a classifier. Zero values are the defaults noted.
type Config struct {
	// Model is "resnet" (residual blocks y = x + f(x)) or "node" (ODE blocks
	// z(1) = z(0) + ∫₀¹ f dt); "" means "resnet".
	Model string
	// In is the input shape; the zero value means 1×28×28.
	In Shape
	// Classes is the number of classes; 0 means 10.
	Classes int
	// Width is the number of channels after the stem; 0 means 16 (1..256).
	Width int
	// Blocks is the number of residual or ODE blocks, split between the two
	// resolutions; 0 means 2 (1..8).
	Blocks int
	// Float32 computes the convolutions' matrix products in single precision
	// (a NODE training step about 1.25× faster; see Conv2d); everything else
	// stays float64.
	Float32 bool
}

func (c Config) resolved() (Config, error) {
	if c.Model == "" {
		c.Model = "resnet"
	}
	if c.In == (Shape{}) {
		c.In = Shape{1, 28, 28}
	}
	if c.Classes == 0 {
		c.Classes = 10
	}
	if c.Width == 0 {
		c.Width = 16
	}
	if c.Blocks == 0 {
		c.Blocks = 2
	}
	switch {
	case c.Model != "resnet" && c.Model != "node":
		return c, fmt.Errorf("%w: model %q (allowed: resnet, node)", ErrConfig, c.Model)
	case c.Width < 1 || c.Width > 256:
		return c, fmt.Errorf("%w: width %d outside 1..256", ErrConfig, c.Width)
	case c.Blocks < 1 || c.Blocks > 8:
		return c, fmt.Errorf("%w: %d blocks outside 1..8", ErrConfig, c.Blocks)
	case c.Classes < 2 || c.Classes > 256:
		return c, fmt.Errorf("%w: %d classes outside 2..256", ErrConfig, c.Classes)
	case c.In.C < 1 || c.In.H < 8 || c.In.W < 8:
		return c, fmt.Errorf("%w: input %v too small (at least 1×8×8)", ErrConfig, c.In)
	}
	return c, nil
}

// Classifier is a small ResNet-style network or its NODE counterpart:
//
//	conv3×3(In.C→W) → BatchNorm → ReLU → maxpool2 → ⌈B/2⌉ blocks → avgpool2
//	→ ⌊B/2⌋ blocks → global average pool → linear(W→classes)
//
// where a block is a ResBlock with f = conv-BN-ReLU-conv-BN or an ODEBlock
// with f = conv-GN-ReLU-conv-GN (see the package doc for the norm); both have
// the same parameter count. θ is one flat vector of NumParams() values.
type Classifier struct {
	Config Config
	Layers []Layer
	np     int
	outs   [][]float64
	grads  [][]float64
	logitG []float64
}

// NewClassifier builds the network described by cfg.
func NewClassifier(cfg Config) (*Classifier, error) {
	c, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	var l learned.Layout
	w := c.Width
	stem := NewConv2d(&l, c.In, w, 3, 1, 1, false)
	stem.Float32 = c.Float32
	s := stem.Out()
	layers := []Layer{stem, NewBatchNorm(&l, s), NewReLU(s)}
	pool := NewMaxPool(s, 2)
	layers = append(layers, pool)
	s = pool.Out()
	block := func() Layer {
		if c.Model == "node" {
			return NewODEBlock(&l, s, c.Float32)
		}
		return &ResBlock{F: blockF(&l, s, true, c.Float32)}
	}
	first := (c.Blocks + 1) / 2
	for range first {
		layers = append(layers, block())
	}
	if c.Blocks > first && s.H >= 4 && s.W >= 4 {
		p := NewAvgPool(s, 2)
		layers = append(layers, p)
		s = p.Out()
	}
	for range c.Blocks - first {
		layers = append(layers, block())
	}
	gap := NewGlobalAvgPool(s)
	layers = append(layers, gap, NewLinear(&l, gap.Out(), c.Classes))
	return &Classifier{Config: c, Layers: layers, np: l.Len(),
		outs: make([][]float64, len(layers)), grads: make([][]float64, len(layers))}, nil
}

// NumParams is the length of θ.
func (m *Classifier) NumParams() int { return m.np }

// Init draws θ from learned.NewRand(seed) and resets running statistics.
func (m *Classifier) Init(theta []float64, seed uint64) {
	rng := learned.NewRand(seed)
	for _, l := range m.Layers {
		l.Init(theta, rng)
		if b, ok := l.(*BatchNorm); ok {
			resetStats(b)
		}
		if r, ok := l.(*ResBlock); ok {
			for _, k := range r.F.Layers {
				if b, ok := k.(*BatchNorm); ok {
					resetStats(b)
				}
			}
		}
	}
}

func resetStats(b *BatchNorm) {
	for i := range b.RunMean {
		b.RunMean[i], b.RunVar[i] = 0, 1
	}
}

// ODEBlocks returns the network's ODE blocks (none for a ResNet).
func (m *Classifier) ODEBlocks() []*ODEBlock {
	var bs []*ODEBlock
	for _, l := range m.Layers {
		if b, ok := l.(*ODEBlock); ok {
			bs = append(bs, b)
		}
	}
	return bs
}

// SetSolver sets the training and test solvers and the gradient method of
// every ODE block (nil values keep the current ones); each block gets its own
// method value, since they are in use at the same time.
func (m *Classifier) SetSolver(train, test *integrate.Settings, method string) error {
	for _, b := range m.ODEBlocks() {
		if train != nil {
			b.Train = train
		}
		if test != nil {
			b.Test = test
		}
		if method != "" {
			mt, err := aca.ByName(method)
			if err != nil {
				return err
			}
			if mt.Name() == "forward" {
				return fmt.Errorf("%w: method forward needs JVPs (allowed: aca, adjoint, naive)", ErrConfig)
			}
			b.Method = mt
		}
	}
	return nil
}

func (m *Classifier) buffers(n int) {
	for i, l := range m.Layers {
		m.outs[i] = grow(m.outs[i], n*l.Out().Size())
		m.grads[i] = grow(m.grads[i], n*l.Out().Size())
	}
}

// Logits runs the network in evaluation mode on n samples x and returns the
// n×Classes logits (a view into the classifier's buffers, valid until the
// next call).
func (m *Classifier) Logits(x, theta []float64, n int) ([]float64, error) {
	m.buffers(n)
	in := x
	for i, l := range m.Layers {
		if b, ok := l.(*ODEBlock); ok {
			if err := b.Solve(m.outs[i], in, theta, n); err != nil {
				return nil, fmt.Errorf("vision: ODE block at layer %d: %w", i, err)
			}
		} else {
			l.Forward(m.outs[i], in, theta, n, false)
		}
		in = m.outs[i]
	}
	return in, nil
}

// Stats sums the work of the ODE blocks in the last training step.
type Stats struct {
	// NFE counts evaluations of f and its VJP over all ODE blocks.
	NFE int
	// Bytes is what the gradient methods held at once for their backward
	// passes (the nested solves of all blocks are alive together), plus the
	// activations and gradients of the other layers.
	Bytes int
}

// LossGrad returns the mean softmax cross-entropy of the batch in training
// mode and adds its gradient into dtheta. ODE blocks are differentiated by
// their aca Method through the rest of the network.
func (m *Classifier) LossGrad(dtheta, x []float64, labels []uint8, theta []float64) (float64, Stats, error) {
	n := len(labels)
	m.buffers(n)
	st := Stats{}
	for i := range m.Layers {
		st.Bytes += 8 * (len(m.outs[i]) + len(m.grads[i]))
	}
	loss, err := m.from(0, x, nil, dtheta, theta, labels, &st)
	return loss, st, err
}

// from runs layers k… on x, writes (adds) dL/dx into dx when not nil and
// returns the loss.
func (m *Classifier) from(k int, x, dx, dtheta, theta []float64, labels []uint8, st *Stats) (float64, error) {
	n := len(labels)
	if k == len(m.Layers) {
		m.logitG = grow(m.logitG, len(x))
		loss := SoftmaxCrossEntropy(m.logitG, x, labels, m.Config.Classes)
		floats.Add(dx[:len(m.logitG)], m.logitG)
		return loss, nil
	}
	l := m.Layers[k]
	if b, ok := l.(*ODEBlock); ok {
		loss, err := b.Through(dx, dtheta, x, theta, n, func(grad, z []float64) (float64, error) {
			return m.from(k+1, z, grad, dtheta, theta, labels, st)
		})
		st.NFE += b.Stats.NFEForward + b.Stats.NFEBackward
		st.Bytes += b.Stats.Bytes
		return loss, err
	}
	y, dy := m.outs[k], m.grads[k]
	l.Forward(y, x, theta, n, true)
	clear(dy)
	loss, err := m.from(k+1, y, dy, dtheta, theta, labels, st)
	if err != nil {
		return 0, err
	}
	l.Backward(dx, dtheta, dy, theta)
	return loss, nil
}

// NewParams allocates θ for m and initialises it from seed.
func (m *Classifier) NewParams(seed uint64) []float64 {
	theta := make([]float64, m.np)
	m.Init(theta, seed)
	return theta
}

// WithoutBlock returns a classifier that shares m's layers but skips its k-th
// residual or ODE block (from 0), which leaves x unchanged where the block
// added f. It is for evaluation only (Logits, TestError): the paper's contrast
// between a ResNet, which loses accuracy when a layer goes, and a NODE, whose
// depth is the solver's to choose.
func (m *Classifier) WithoutBlock(k int) (*Classifier, error) {
	var layers []Layer
	j := 0
	for _, l := range m.Layers {
		switch l.(type) {
		case *ResBlock, *ODEBlock:
			j++
			if j-1 == k {
				continue
			}
		}
		layers = append(layers, l)
	}
	if k < 0 || k >= j {
		return nil, fmt.Errorf("%w: block %d of %d", ErrConfig, k, j)
	}
	return &Classifier{Config: m.Config, Layers: layers, np: m.np,
		outs: make([][]float64, len(layers)), grads: make([][]float64, len(layers))}, nil
}
