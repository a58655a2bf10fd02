package vision

import (
	"testing"
)

// BenchmarkNODELossGrad is one training step (batch 64 of the shipped
// subset, width 16, freshly initialised) of the NODE per gradient method and
// convolution precision: the paper's Table 1 cost comparison on our
// implementation. bytes/op is the
// memory the method held (Stats.Bytes), nfe/op the evaluations of f and its VJP.
func BenchmarkNODELossGrad(b *testing.B) {
	data, err := Subset()
	if err != nil {
		b.Fatal(err)
	}
	const n = 64
	mean, std := Standardize(data.Train)
	x := make([]float64, n*data.Train.Shape.Size())
	for i := range x {
		x[i] = (data.Train.Pixels[i] - mean) / std
	}
	labels := data.Train.Labels[:n]
	for _, tc := range []struct {
		method string
		f32    bool
	}{{"aca", false}, {"adjoint", false}, {"naive", false}, {"aca", true}, {"adjoint", true}, {"naive", true}} {
		method := tc.method
		name := method + "/float64"
		if tc.f32 {
			name = method + "/float32"
		}
		b.Run(name, func(b *testing.B) {
			m, err := NewClassifier(Config{Model: "node", Float32: tc.f32})
			if err != nil {
				b.Fatal(err)
			}
			if err := m.SetSolver(nil, nil, method); err != nil {
				b.Fatal(err)
			}
			theta := m.NewParams(1)
			grad := make([]float64, len(theta))
			var st Stats
			b.ReportAllocs()
			for b.Loop() {
				clear(grad)
				if _, st, err = m.LossGrad(grad, x, labels, theta); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.NFE), "nfe/op")
			b.ReportMetric(float64(st.Bytes), "heldbytes/op")
		})
	}
}
