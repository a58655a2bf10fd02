package vision

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"
)

// relErr is ‖a − b‖/max(‖b‖, tiny).
func relErr(a, b []float64) float64 {
	var d, n float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		n += b[i] * b[i]
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(n), 1e-300)
}

func randVec(n int, seed uint64) []float64 {
	rng := learned.NewRand(seed)
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// fdTol: central differences with h = 1e-5 have truncation error O(h²) ≈ 1e-10
// relative to the curvature and rounding O(ε/h) ≈ 1e-11; 1e-6 leaves room for
// activations that land near a kink of ReLU or max pooling.
const fdTol = 1e-6

// fdSettings are gonum's central differences with the step h = 1e-5 of fdTol.
var fdSettings = &fd.Settings{Formula: fd.Central, Step: 1e-5}

// checkLayer compares Backward with central differences of L = ⟨dy, y⟩.
func checkLayer(t *testing.T, l Layer, n int, train bool) {
	t.Helper()
	var np int
	switch v := l.(type) {
	case *Conv2d:
		np = v.Off + v.NumParams()
	case *BatchNorm:
		np = v.Off + v.NumParams()
	case *GroupNorm:
		np = v.Off + v.NumParams()
	case *Linear:
		np = v.Off + v.NumParams()
	default:
		np = l.NumParams()
	}
	theta := randVec(np, 7)
	for i := range theta {
		theta[i] += 0.5 // keep γ away from 0
	}
	x := randVec(n*l.In().Size(), 3)
	dy := randVec(n*l.Out().Size(), 5)
	y := make([]float64, len(dy))
	loss := func(x, theta []float64) float64 {
		l.Forward(y, x, theta, n, train)
		return floats.Dot(y, dy)
	}
	loss(x, theta)
	dx, dth := make([]float64, len(x)), make([]float64, len(theta))
	l.Backward(dx, dth, dy, theta)
	fdX := fd.Gradient(nil, func(v []float64) float64 { return loss(v, theta) }, x, fdSettings)
	assert.Less(t, relErr(dx, fdX), fdTol, "dx")
	if len(theta) > 0 {
		fdTheta := fd.Gradient(nil, func(v []float64) float64 { return loss(x, v) }, theta, fdSettings)
		assert.Less(t, relErr(dth, fdTheta), fdTol, "dθ")
	}
}

func TestLayerGradients(t *testing.T) {
	s := Shape{3, 6, 5}
	for _, tc := range []struct {
		name  string
		make  func(*learned.Layout) Layer
		train bool
	}{
		{"conv3x3", func(l *learned.Layout) Layer { return NewConv2d(l, s, 4, 3, 1, 1, false) }, true},
		{"conv3x3/2+bias", func(l *learned.Layout) Layer { return NewConv2d(l, s, 2, 3, 2, 1, true) }, true},
		{"conv1x1", func(l *learned.Layout) Layer { return NewConv2d(l, s, 2, 1, 1, 0, true) }, true},
		{"conv3x3/valid", func(l *learned.Layout) Layer { return NewConv2d(l, s, 2, 3, 1, 0, false) }, true},
		{"conv5x5/pad1", func(l *learned.Layout) Layer { return NewConv2d(l, Shape{2, 7, 6}, 3, 5, 1, 1, true) }, true},
		{"conv3x3/pad3", func(l *learned.Layout) Layer { return NewConv2d(l, s, 2, 3, 1, 3, false) }, true},
		{"batchnorm/train", func(l *learned.Layout) Layer { l.Take(3); return NewBatchNorm(l, s) }, true},
		{"batchnorm/eval", func(l *learned.Layout) Layer { return NewBatchNorm(l, s) }, false},
		{"groupnorm", func(l *learned.Layout) Layer { return NewGroupNorm(l, Shape{4, 3, 3}, 2) }, true},
		{"relu", func(*learned.Layout) Layer { return NewReLU(s) }, true},
		{"avgpool", func(*learned.Layout) Layer { return NewAvgPool(s, 2) }, true},
		{"maxpool", func(*learned.Layout) Layer { return NewMaxPool(s, 2) }, true},
		{"gap", func(*learned.Layout) Layer { return NewGlobalAvgPool(s) }, true},
		{"linear", func(l *learned.Layout) Layer { return NewLinear(l, s, 4) }, true},
		{"resblock/bn", func(l *learned.Layout) Layer { return &ResBlock{F: blockF(l, s, true, false)} }, true},
		{"sequence/gn", func(l *learned.Layout) Layer { return blockF(l, Shape{4, 4, 4}, false, false) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lay learned.Layout
			checkLayer(t, tc.make(&lay), 6, tc.train)
		})
	}
}

// TestConvFloat32 compares Float32 convolutions with float64 ones: outputs
// and both gradients agree to single-precision rounding of sums of
// In.C·K² terms, and they are not bit-identical (the float32 path ran).
func TestConvFloat32(t *testing.T) {
	for _, tc := range []struct {
		name                string
		in                  Shape
		out, k, stride, pad int
		bias                bool
	}{
		{"3x3", Shape{8, 9, 7}, 6, 3, 1, 1, false},
		{"3x3/2+bias", Shape{3, 9, 8}, 4, 3, 2, 1, true},
		{"5x5/valid", Shape{2, 9, 9}, 3, 5, 1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lay learned.Layout
			c64 := NewConv2d(&lay, tc.in, tc.out, tc.k, tc.stride, tc.pad, tc.bias)
			c32 := *c64
			c32.Float32 = true
			const n = 5
			theta := randVec(lay.Len(), 1)
			x := randVec(n*tc.in.Size(), 2)
			dy := randVec(n*c64.Out().Size(), 3)
			var y, dx, dth [2][]float64
			for i, c := range []*Conv2d{c64, &c32} {
				y[i] = make([]float64, len(dy))
				dx[i], dth[i] = make([]float64, len(x)), make([]float64, len(theta))
				c.Forward(y[i], x, theta, n, true)
				c.Backward(dx[i], dth[i], dy, theta)
			}
			for name, v := range map[string][2][]float64{"y": y, "dx": dx, "dθ": dth} {
				e := relErr(v[0], v[1])
				assert.Less(t, e, 1e-6, name)
				assert.Greater(t, e, 1e-12, name)
			}
		})
	}
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	logits := randVec(12, 11)
	labels := []uint8{0, 3, 2}
	g := make([]float64, 12)
	SoftmaxCrossEntropy(g, logits, labels, 4)
	tmp := make([]float64, 12)
	want := fd.Gradient(nil, func(v []float64) float64 { return SoftmaxCrossEntropy(tmp, v, labels, 4) }, logits, fdSettings)
	assert.Less(t, relErr(g, want), fdTol)
	// Large logits must not overflow.
	l := SoftmaxCrossEntropy(tmp, []float64{1000, 0}, []uint8{1}, 2)
	assert.InDelta(t, 1000, l, 1e-9)
}

// smallImages is a tiny batch for whole-network checks.
func smallImages(n int) ([]float64, []uint8) {
	x := randVec(n*1*8*8, 21)
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(i % 3)
	}
	return x, labels
}

// classifierFD differentiates the loss by gonum's central differences
// (fdSettings) in the parameters idx (every 7th one keeps the test fast and
// still visits every layer) and returns those components.
func classifierFD(t *testing.T, m *Classifier, theta, x []float64, labels []uint8, idx []int) []float64 {
	t.Helper()
	g := make([]float64, len(idx))
	tmp := make([]float64, len(theta))
	for k, i := range idx {
		v := theta[i]
		g[k] = fd.Derivative(func(s float64) float64 {
			theta[i] = v + s
			l, _, err := m.LossGrad(tmp, x, labels, theta)
			require.NoError(t, err)
			return l
		}, 0, fdSettings)
		theta[i] = v
	}
	return g
}

func TestClassifierGradients(t *testing.T) {
	x, labels := smallImages(5)
	cfg := Config{In: Shape{1, 8, 8}, Classes: 3, Width: 4, Blocks: 2}
	// Fixed-step RK4: ACA and naive are then exact derivatives of the same
	// discrete map that the finite differences see. The adjoint method solves
	// backward with the same fixed step, an O(h⁴) ≈ 4e-3 relative drift.
	fixed := &integrate.Settings{Method: integrate.RK4, Step: 0.25}
	for _, tc := range []struct {
		model, method string
		tol           float64
	}{{"resnet", "", fdTol}, {"node", "aca", fdTol}, {"node", "naive", fdTol}, {"node", "adjoint", 1e-2}} {
		t.Run(tc.model+"/"+tc.method, func(t *testing.T) {
			c := cfg
			c.Model = tc.model
			m, err := NewClassifier(c)
			require.NoError(t, err)
			require.NoError(t, m.SetSolver(fixed, fixed, tc.method))
			theta := m.NewParams(1)
			g := make([]float64, len(theta))
			_, _, err = m.LossGrad(g, x, labels, theta)
			require.NoError(t, err)
			var idx []int
			var sub []float64
			for i := 0; i < len(theta); i += 7 {
				idx, sub = append(idx, i), append(sub, g[i])
			}
			assert.Less(t, relErr(sub, classifierFD(t, m, theta, x, labels, idx)), tc.tol)
		})
	}
}

func TestSameParameterCount(t *testing.T) {
	for _, w := range []int{4, 16} {
		r, err := NewClassifier(Config{Model: "resnet", Width: w, Blocks: 4})
		require.NoError(t, err)
		n, err := NewClassifier(Config{Model: "node", Width: w, Blocks: 4})
		require.NoError(t, err)
		assert.Equal(t, r.NumParams(), n.NumParams(), fmt.Sprint("width ", w))
	}
}

// TestGradientIndependentOfScheduling checks bitwise equality of gradients
// with one and several goroutines.
func TestGradientIndependentOfScheduling(t *testing.T) {
	x, labels := smallImages(23)
	grad := func(procs int) []float64 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		m, err := NewClassifier(Config{Model: "node", In: Shape{1, 8, 8}, Classes: 3, Width: 4})
		require.NoError(t, err)
		theta := m.NewParams(2)
		g := make([]float64, len(theta))
		_, _, err = m.LossGrad(g, x, labels, theta)
		require.NoError(t, err)
		return g
	}
	assert.Equal(t, grad(1), grad(4))
}

func TestSGDMomentumWeightDecay(t *testing.T) {
	// Two steps by hand: θ=1, g=0.5, wd=0.1, μ=0.9, lr=0.1:
	// g'=0.6, v=0.6, θ=0.94; g'=0.594, v=0.54+0.594=1.134, θ=0.94−0.1134=0.8266.
	o := &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1, Schedule: StepLR{Every: 2, Gamma: 0.1}}
	theta := []float64{1}
	o.Step(theta, []float64{0.5}, 0)
	assert.InDelta(t, 0.94, theta[0], 1e-15)
	o.Step(theta, []float64{0.5}, 1)
	assert.InDelta(t, 0.8266, theta[0], 1e-15)
	assert.InDelta(t, 0.001, o.CurrentLR(4), 1e-15)
}

func TestSGDCosine(t *testing.T) {
	// ½(1 + cos(πe/8)) at e = 0, 4, 8: 1, ½, 0; beyond 8 it stays at 0.
	o := &SGD{LR: 0.2, Cosine: 8}
	for _, tc := range []struct {
		epoch int
		want  float64
	}{{0, 0.2}, {4, 0.1}, {8, 0}, {12, 0}} {
		assert.InDelta(t, tc.want, o.CurrentLR(tc.epoch), 1e-15, "epoch %d", tc.epoch)
	}
}

func TestWithoutBlock(t *testing.T) {
	m, err := NewClassifier(Config{In: Shape{1, 8, 8}, Classes: 3, Width: 4, Blocks: 3})
	require.NoError(t, err)
	theta := m.NewParams(5)
	x, _ := smallImages(2)
	for k := range 3 {
		d, err := m.WithoutBlock(k)
		require.NoError(t, err)
		assert.Len(t, d.Layers, len(m.Layers)-1)
		got, err := d.Logits(x, theta, 2)
		require.NoError(t, err)
		assert.Len(t, got, 2*3)
	}
	_, err = m.WithoutBlock(3)
	assert.ErrorIs(t, err, ErrConfig)
	// Zeroing a block's last BatchNorm (γ = β = 0) makes it the identity, as
	// dropping it does.
	r := m.Layers[4].(*ResBlock)
	bn := r.F.Layers[4].(*BatchNorm)
	clear(theta[bn.Off : bn.Off+bn.NumParams()])
	want, err := m.Logits(x, theta, 2)
	require.NoError(t, err)
	want = append([]float64(nil), want...)
	d, err := m.WithoutBlock(0)
	require.NoError(t, err)
	got, err := d.Logits(x, theta, 2)
	require.NoError(t, err)
	assert.InDeltaSlice(t, want, got, 1e-12)
}
