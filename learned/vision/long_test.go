package vision

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReducedDefaultAccuracy trains both models at the reduced default of the
// CLI (package defaults, float32 convolutions) on the shipped subset (about 1
// minute for the ResNet and 8 for the NODE on two cores; run with
// PHYSID_LONG=1). The target is the issue's: 85 % test accuracy, i.e. at most
// 150 of the 1000 test images wrong.
func TestReducedDefaultAccuracy(t *testing.T) {
	if os.Getenv("PHYSID_LONG") == "" {
		t.Skip("set PHYSID_LONG=1 to train at full size")
	}
	data, err := Subset()
	require.NoError(t, err)
	for _, model := range []string{"resnet", "node"} {
		t.Run(model, func(t *testing.T) {
			m, err := NewClassifier(Config{Model: model, Float32: true})
			require.NoError(t, err)
			res, err := Train(context.Background(), m, data, TrainConfig{Seed: 1})
			require.NoError(t, err)
			t.Logf("%s: test error %.4f, %.1f s/epoch, %.0f train images/s, %.0f test images/s, peak %d bytes",
				model, res.TestError, res.Seconds/float64(res.Epochs), res.TrainImagesPS, res.TestImagesPS, res.PeakBytes)
			assert.LessOrEqual(t, res.TestError, 0.15)
		})
	}
}
