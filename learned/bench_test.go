package learned_test

import (
	"testing"

	"github.com/physid/physid/learned"
)

// benchField is a three-body-sized second-order field: 3 bodies in the plane,
// pair features (15), two hidden layers of 64.
func benchField(b *testing.B) (*learned.NeuralField, []float64) {
	f, err := learned.NewNeuralField(learned.FieldConfig{StateDim: 12, Order: 2,
		Features: pairFeatures{Bodies: 3}, Hidden: []int{64, 64}})
	if err != nil {
		b.Fatal(err)
	}
	return f, learned.NewParams(f, 1)
}

func BenchmarkNeuralFieldFunc(b *testing.B) {
	f, theta := benchField(b)
	z, dst := threeBodyState(12), make([]float64, 12)
	b.ReportAllocs()
	for b.Loop() {
		f.Func(dst, 0, z, theta)
	}
}

func BenchmarkNeuralFieldVJP(b *testing.B) {
	f, theta := benchField(b)
	z, u, dz, dth := threeBodyState(12), filled(12, 1), make([]float64, 12), make([]float64, len(theta))
	b.ReportAllocs()
	for b.Loop() {
		f.VJP(dz, dth, 0, z, theta, u)
	}
}

// BenchmarkLSTMTrainStep is one step of the sine training: 20 steps, batch 32,
// hidden 16, forward, BPTT and Adam.
func BenchmarkLSTMTrainStep(b *testing.B) {
	const steps, batch = 20, 32
	m := learned.NewSequence(nil, learned.CellLSTM, 1, 16, 1)
	theta := learned.NewParams(m, 1)
	grad := make([]float64, len(theta))
	x := randVec(learned.NewRand(1), steps*batch, 1)
	y, dy := make([]float64, len(x)), make([]float64, len(x))
	var tape learned.Tape
	var opt learned.Adam
	b.ReportAllocs()
	for b.Loop() {
		m.Forward(&tape, y, x, theta, batch)
		learned.MSEGrad(dy, y, x)
		clear(grad)
		m.Backward(&tape, nil, grad, dy, theta)
		opt.Step(theta, grad)
	}
}
