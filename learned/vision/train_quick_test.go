package vision

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuickTrainMeasure(t *testing.T) {
	if os.Getenv("VISION_MEASURE") == "" {
		t.Skip("set VISION_MEASURE=resnet or node")
	}
	data, err := Subset()
	require.NoError(t, err)
	m, err := NewClassifier(Config{Model: os.Getenv("VISION_MEASURE"), Width: 16})
	require.NoError(t, err)
	require.NoError(t, m.SetSolver(nil, nil, os.Getenv("VISION_METHOD")))
	res, err := Train(context.Background(), m, data, TrainConfig{Epochs: 1, Progress: func(r EpochReport) { t.Logf("%+v", r) }})
	require.NoError(t, err)
	t.Logf("err %.4f train %.1f img/s test %.1f img/s peak %d nfe %d params %d", res.TestError, res.TrainImagesPS, res.TestImagesPS, res.PeakBytes, res.NFE, m.NumParams())
}
