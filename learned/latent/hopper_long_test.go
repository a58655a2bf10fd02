package latent

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHopperLatentODELong trains the latent ODE with the default sizes on 200
// sequences of the shipped hopper subset (30 epochs, 50% observed) and checks
// that it interpolates well below the mean predictor's error. It takes about
// half a minute, so it runs only with PHYSID_LONG=1.
func TestHopperLatentODELong(t *testing.T) {
	if os.Getenv("PHYSID_LONG") != "1" {
		t.Skip("set PHYSID_LONG=1 to train on the hopper")
	}
	d, err := Load("../../testdata/hopper")
	require.NoError(t, err)
	res, _, err := Train(d, TrainConfig{Observed: 0.5, Epochs: 30, Sequences: 200, Seed: 1}, nil)
	require.NoError(t, err)
	t.Logf("test MSE %.4g, mean predictor %.4g, %.2f s per epoch", res.TestMSE, res.MeanMSE, res.EpochSeconds)
	// Measured 0.0061 against 0.021 (160 training sequences, 240 steps);
	// half the mean predictor's error leaves room for other seeds.
	assert.Less(t, res.TestMSE, 0.5*res.MeanMSE)
}
