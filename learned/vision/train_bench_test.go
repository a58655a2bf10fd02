package vision

import (
	"context"
	"testing"
)

// BenchmarkTrainEpoch is one training epoch of the shipped subset (6000
// images, width 16, batch 64) followed by the test-set evaluation, per model
// and, for the NODE, gradient method: the end-to-end throughput behind the
// README's Table 2 timings. It reports the test error after the epoch, the
// training and inference images per second, the largest memory a step held
// (Stats.Bytes) and the ODE-block evaluations. One iteration takes minutes:
// run it with -benchtime 1x. (It replaces a test that logged these numbers
// when VISION_MEASURE was set; BenchmarkNODELossGrad times a single step.)
func BenchmarkTrainEpoch(b *testing.B) {
	data, err := Subset()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ model, method string }{
		{"resnet", ""}, {"node", "aca"}, {"node", "adjoint"}, {"node", "naive"},
	} {
		name := tc.model
		if tc.method != "" {
			name += "/" + tc.method
		}
		b.Run(name, func(b *testing.B) {
			var res *TrainResult
			for b.Loop() {
				m, err := NewClassifier(Config{Model: tc.model, Width: 16})
				if err != nil {
					b.Fatal(err)
				}
				if err := m.SetSolver(nil, nil, tc.method); err != nil {
					b.Fatal(err)
				}
				if res, err = Train(context.Background(), m, data, TrainConfig{Epochs: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.TestError, "testerror")
			b.ReportMetric(res.TrainImagesPS, "trainimg/s")
			b.ReportMetric(res.TestImagesPS, "testimg/s")
			b.ReportMetric(float64(res.PeakBytes), "peakbytes")
			b.ReportMetric(float64(res.NFE), "nfe")
		})
	}
}
