package vision_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/learned/vision"
)

// shroutFleiss is the textbook example of Shrout & Fleiss (1979), Table 2:
// 6 targets rated by 4 judges.
var shroutFleiss = [][]float64{
	{9, 2, 5, 8},
	{6, 1, 3, 2},
	{8, 4, 6, 8},
	{7, 1, 2, 6},
	{10, 5, 6, 9},
	{6, 2, 4, 7},
}

// TestOneWayICCShroutFleiss checks the published values: BMS = 11.24, WMS =
// 6.26, ICC(1,1) = .17, ICC(1,4) = .44 (Shrout & Fleiss 1979, Tables 3–4),
// and the 95% bounds R's psych::ICC prints for the same data: ICC1 in
// [−0.13, 0.72], ICC1k in [−0.88, 0.91].
func TestOneWayICCShroutFleiss(t *testing.T) {
	r, err := vision.OneWayICC(shroutFleiss)
	require.NoError(t, err)
	assert.InDelta(t, 11.24, r.MSB, 0.005)
	assert.InDelta(t, 6.26, r.MSW, 0.005)
	assert.InDelta(t, 1.8, r.F, 0.01) // psych prints 1.8
	assert.InDelta(t, 0.17, r.ICC1, 0.005)
	assert.InDelta(t, 0.44, r.ICC1k, 0.005)
	assert.InDelta(t, -0.13, r.ICC1Lower, 0.006)
	assert.InDelta(t, 0.72, r.ICC1Upper, 0.006)
	assert.InDelta(t, -0.88, r.ICC1kLower, 0.006)
	assert.InDelta(t, 0.91, r.ICC1kUpper, 0.006)
	assert.Equal(t, 6, r.Targets)
	assert.Equal(t, 4, r.Raters)
}

func TestOneWayICCEdges(t *testing.T) {
	// Identical raters: perfect reliability.
	r, err := vision.OneWayICC([][]float64{{1, 1}, {2, 2}, {5, 5}})
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.ICC1)
	assert.Equal(t, 1.0, r.ICC1k)
	// Targets that do not differ while raters do: ICC(1) = −1/(k−1).
	r, err = vision.OneWayICC([][]float64{{1, 3}, {1, 3}, {1, 3}})
	require.NoError(t, err)
	assert.InDelta(t, -1.0, r.ICC1, 1e-12)

	for _, tc := range []struct {
		name string
		x    [][]float64
		want string
	}{
		{"one target", [][]float64{{1, 2}}, "at least 2 targets"},
		{"one rater", [][]float64{{1}, {2}}, "at least 2 raters"},
		{"ragged", [][]float64{{1, 2}, {3}}, "target 2 has 1 ratings"},
		{"nan", [][]float64{{1, 2}, {3, math.NaN()}}, "rating 2 of target 2 is NaN"},
		{"constant", [][]float64{{1, 1}, {1, 1}}, "undefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vision.OneWayICC(tc.x)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestTestRetest: the targets are (image, class) probabilities; the
// misclassified set is where the averaged prediction is wrong.
func TestTestRetest(t *testing.T) {
	labels := []uint8{0, 1, 1}
	probs := [][]float64{
		{0.9, 0.1, 0.2, 0.8, 0.7, 0.3},
		{0.8, 0.2, 0.3, 0.7, 0.6, 0.4},
		{0.7, 0.3, 0.4, 0.6, 0.4, 0.6},
	}
	r, err := vision.TestRetest(probs, labels, 2)
	require.NoError(t, err)
	assert.Equal(t, []float64{1.0 / 3, 1.0 / 3, 0}, r.Errors)
	assert.Equal(t, 1, r.MisclassifiedImages) // image 3: mean (0.567, 0.433)
	assert.InDelta(t, 1.0/3, r.EnsembleError, 1e-15)
	assert.Equal(t, 6, r.Whole.Targets)
	assert.Equal(t, 2, r.Misclassified.Targets)
	want, err := vision.OneWayICC([][]float64{{0.7, 0.6, 0.4}, {0.3, 0.4, 0.6}})
	require.NoError(t, err)
	assert.InDelta(t, want.ICC1, r.Misclassified.ICC1, 1e-15)

	_, err = vision.TestRetest(probs[:1], labels, 2)
	assert.ErrorContains(t, err, "at least 2 runs")
	_, err = vision.TestRetest(probs, labels[:2], 2)
	assert.ErrorContains(t, err, "run 1 has 6 probabilities for 2 images × 2 classes")
}
