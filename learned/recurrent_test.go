package learned_test

import (
	"fmt"
	"testing"

	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
)

// TestRecurrentBPTT checks backpropagation through time over 6 steps for both
// cells, alone and with a read-out, with a loss on every step's output, on a
// cell placed at a nonzero offset in θ. Inputs of size 3, hidden 4.
func TestRecurrentBPTT(t *testing.T) {
	const steps, in, hid = 6, 3, 4
	build := map[string]func(l *learned.Layout) learned.Net{
		"lstm":          func(l *learned.Layout) learned.Net { return learned.NewLSTM(l, in, hid) },
		"gru":           func(l *learned.Layout) learned.Net { return learned.NewGRU(l, in, hid) },
		"sequence-lstm": func(l *learned.Layout) learned.Net { return learned.NewSequence(l, learned.CellLSTM, in, hid, 2) },
		"sequence-gru":  func(l *learned.Layout) learned.Net { return learned.NewSequence(l, learned.CellGRU, in, hid, 2) },
	}
	for _, name := range []string{"lstm", "gru", "sequence-lstm", "sequence-gru"} {
		for _, batch := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/batch=%d", name, batch), func(t *testing.T) {
				var l learned.Layout
				l.Take(5)
				n := build[name](&l)
				out := hid
				if _, ok := n.(*learned.Sequence); ok {
					out = 2
				}
				rng := learned.NewRand(20)
				theta := randVec(rng, l.Len(), 0.6) // biases nonzero too
				x := randVec(rng, steps*batch*in, 1)
				var tape learned.Tape
				assertGrad(t, gradCase{x: x, theta: theta, ny: steps * batch * out,
					forward:  func(y, x, th []float64) { n.Forward(&tape, y, x, th, batch) },
					backward: func(dx, dth, dy []float64) { n.Backward(&tape, dx, dth, dy, theta) },
				}, 21)
			})
		}
	}
}

// TestRecurrentLastStepOnly: a loss on the last output only still reaches the
// first input through time, and a nil dx or dtheta is skipped.
func TestRecurrentLastStepOnly(t *testing.T) {
	const steps, in, hid = 8, 2, 5
	for _, c := range []learned.Recurrent{learned.NewLSTM(nil, in, hid), learned.NewGRU(nil, in, hid)} {
		theta := learned.NewParams(c, 3)
		x := randVec(learned.NewRand(4), steps*in, 1)
		y := make([]float64, steps*hid)
		var tape learned.Tape
		c.Forward(&tape, y, x, theta, 1)
		dy := make([]float64, len(y))
		for j := range hid {
			dy[(steps-1)*hid+j] = 1
		}
		dx, dth := make([]float64, len(x)), make([]float64, len(theta))
		c.Backward(&tape, dx, nil, dy, theta)
		assert.NotZero(t, dx[0], "%T: the gradient reaches step 0", c)
		c.Backward(&tape, nil, dth, dy, theta)
		assert.NotZero(t, dth[0])
		gotIn, gotHid := c.Sizes()
		assert.Equal(t, [2]int{in, hid}, [2]int{gotIn, gotHid})
	}
}

// TestCheckerCatchesWrongBackward: the shared checker must see a 0.1% error
// in one gradient entry, far above its 1e-9 noise.
func TestCheckerCatchesWrongBackward(t *testing.T) {
	d := learned.NewDense(nil, 3, 2)
	rng := learned.NewRand(5)
	theta, x := randVec(rng, d.NumParams(), 1), randVec(rng, 3, 1)
	worst, _ := checkGrad(t, gradCase{x: x, theta: theta, ny: 2,
		forward: func(y, x, th []float64) { d.Apply(y, x, th) },
		backward: func(dx, dth, dy []float64) {
			d.VJP(dx, dth, x, dy, theta)
			dth[0] += 1e-3
		},
	}, 6)
	assert.Greater(t, worst, 1e-4)
}
