package vision

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAllocationsPerCall checks that, once its buffers have grown, a training
// step and an inference pass allocate a fixed handful of small values (the
// closures handed to forChunks escape; a NODE solve adds a few inside package
// integrate and aca), never per sample: the count is the same for 4 and for 16
// images, with float64 and float32 convolutions.
func TestAllocationsPerCall(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, tc := range []struct {
		model string
		f32   bool
	}{{"resnet", false}, {"node", false}, {"resnet", true}, {"node", true}} {
		model := tc.model
		m, err := NewClassifier(Config{Model: model, In: Shape{1, 8, 8}, Classes: 3, Width: 4, Float32: tc.f32})
		require.NoError(t, err)
		theta := m.NewParams(1)
		grad := make([]float64, len(theta))
		count := func(n int) (infer, train float64) {
			x, labels := smallImages(n)
			logits := func() {
				if _, err := m.Logits(x, theta, n); err != nil {
					t.Fatal(err)
				}
			}
			step := func() {
				if _, _, err := m.LossGrad(grad, x, labels, theta); err != nil {
					t.Fatal(err)
				}
			}
			logits()
			step()
			return testing.AllocsPerRun(5, logits), testing.AllocsPerRun(5, step)
		}
		count(16) // grow every buffer to the larger batch first
		i4, s4 := count(4)
		i16, s16 := count(16)
		t.Logf("%s: %v allocations per Logits, %v per LossGrad", model, i16, s16)
		assert.Equal(t, i4, i16, model+" Logits")
		if model == "resnet" {
			// A NODE's step count, and so its allocations, may differ by batch.
			assert.Equal(t, s4, s16, model+" LossGrad")
		}
	}
}
