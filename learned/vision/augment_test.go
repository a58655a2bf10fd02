package vision

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransform(t *testing.T) {
	s := Shape{2, 3, 4}
	src := make([]float64, s.Size())
	for i := range src {
		src[i] = float64(i + 1)
	}
	dst := make([]float64, s.Size())
	at := func(c, y, x int) float64 { return dst[(c*s.H+y)*s.W+x] }

	Transform(dst, src, s, 0, 0, false, -1)
	assert.Equal(t, src, dst, "no shift, no flip: a copy")

	// dst(c, y, x) = src(c, y+1, x−1): one row up, one column right, filled at the edges.
	Transform(dst, src, s, 1, -1, false, -1)
	assert.Equal(t, src[(1*3+1)*4+0], at(1, 0, 1))
	assert.Equal(t, -1.0, at(0, 0, 0), "column moved in from the left")
	assert.Equal(t, -1.0, at(1, 2, 3), "row moved in from below")

	// Mirror: dst(c, y, x) = src(c, y, W−1−x); twice is the identity.
	Transform(dst, src, s, 0, 0, true, -1)
	assert.Equal(t, src[(0*3+2)*4+3], at(0, 2, 0))
	twice := make([]float64, s.Size())
	Transform(twice, dst, s, 0, 0, true, -1)
	assert.Equal(t, src, twice)
}

func TestAugmentDraw(t *testing.T) {
	a := Augment{Pad: 2}
	flips, seen := 0, map[[2]int]bool{}
	const n = 4000
	for i := range n {
		dy, dx, flip := a.Draw(7, 3, i)
		require.True(t, dy >= -2 && dy <= 2 && dx >= -2 && dx <= 2, "offset (%d, %d)", dy, dx)
		seen[[2]int{dy, dx}] = true
		if flip {
			flips++
		}
		dy2, dx2, flip2 := a.Draw(7, 3, i)
		assert.Equal(t, [3]any{dy, dx, flip}, [3]any{dy2, dx2, flip2}, "a pure function of (seed, epoch, image)")
	}
	assert.Len(t, seen, 25, "all 5×5 offsets occur")
	// Binomial(4000, ½): standard deviation ≈ 32, so ±150 is over 4σ.
	assert.InDelta(t, n/2, flips, 150)
	dy, dx, flip := Augment{Off: true}.Draw(7, 3, 1)
	assert.Equal(t, [3]any{0, 0, false}, [3]any{dy, dx, flip})
	dy, dx, flip = Augment{}.Draw(7, 3, 1)
	assert.Equal(t, [2]int{0, 0}, [2]int{dy, dx})
	_ = flip
}

// tinySplit is a split of n random 1×8×8 images in 3 classes.
func tinySplit(n int) *Split {
	x, lab := smallImages(n)
	d := &Dataset{Shape: Shape{1, 8, 8}, Classes: 3, Pixels: x, Labels: lab}
	return &Split{Name: "tiny", Train: d, Test: d}
}

// TestTrainAugmentedDeterministic trains with augmentation on one and on two
// cores: the same seed must give bit-identical parameters.
func TestTrainAugmentedDeterministic(t *testing.T) {
	data := tinySplit(24)
	train := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, err := NewClassifier(Config{In: data.Train.Shape, Classes: 3, Width: 4})
		require.NoError(t, err)
		res, err := Train(context.Background(), m, data, TrainConfig{Epochs: 2, Batch: 8, Seed: 3, Augment: Augment{Pad: 2}})
		require.NoError(t, err)
		return res.Theta
	}
	a, b := train(1), train(2)
	assert.Equal(t, a, b)
	m, err := NewClassifier(Config{In: data.Train.Shape, Classes: 3, Width: 4})
	require.NoError(t, err)
	res, err := Train(context.Background(), m, data, TrainConfig{Epochs: 2, Batch: 8, Seed: 3, Augment: Augment{Off: true}})
	require.NoError(t, err)
	assert.NotEqual(t, a, res.Theta, "augmentation changes what is trained on")
}
