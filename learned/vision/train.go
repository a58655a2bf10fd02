package vision

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/physid/physid/learned"
)

// TrainConfig configures Train. Zero values are the defaults noted.
type TrainConfig struct {
	// Epochs is the number of passes over the training set; 0 means 12 (1..1000).
	Epochs int
	// Batch is the minibatch size; 0 means 64.
	Batch int
	// Optimizer is SGD; the zero value means LR 0.05, momentum 0.9, weight
	// decay 5e-4 and a cosine annealing of the rate over the epochs.
	Optimizer SGD
	// Augment configures the random crops and flips of the training images;
	// the zero value means flips only.
	Augment Augment
	// Seed fixes initialisation, shuffling and augmentation.
	Seed uint64
	// Progress, when set, is called after every epoch.
	Progress func(EpochReport)
}

// EpochReport describes one finished epoch.
type EpochReport struct {
	Epoch     int
	Loss      float64 // mean training loss
	TestError float64 // fraction of test images misclassified
	Seconds   float64 // training time of the epoch
}

// TrainResult is the outcome of Train.
type TrainResult struct {
	Theta         []float64
	TestError     float64
	Epochs        int
	Seconds       float64 // total training time, evaluation excluded
	EpochSeconds  []float64
	TrainImagesPS float64 // training images per second
	TestImagesPS  float64 // inference images per second (last evaluation)
	PeakBytes     int     // largest Stats.Bytes of a training step
	NFE           int     // ODE-block evaluations over the training
}

// Standardize returns the mean and standard deviation of the training pixels;
// the classifier sees (x − mean)/std.
func Standardize(d *Dataset) (mean, std float64) {
	for _, v := range d.Pixels {
		mean += v
	}
	mean /= float64(len(d.Pixels))
	for _, v := range d.Pixels {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(d.Pixels)))
}

func (c TrainConfig) resolved() (TrainConfig, error) {
	if c.Epochs == 0 {
		c.Epochs = 12
	}
	if c.Batch == 0 {
		c.Batch = 64
	}
	if c.Optimizer.LR == 0 && c.Optimizer.Momentum == 0 && c.Optimizer.WeightDecay == 0 {
		c.Optimizer = SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, Cosine: c.Epochs}
	}
	if c.Epochs < 1 || c.Epochs > 1000 {
		return c, fmt.Errorf("%w: %d epochs outside 1..1000", ErrConfig, c.Epochs)
	}
	if c.Batch < 1 || c.Batch > 4096 {
		return c, fmt.Errorf("%w: batch %d outside 1..4096", ErrConfig, c.Batch)
	}
	return c, nil
}

// Train fits m on data.Train by minibatch SGD on the softmax cross-entropy and
// evaluates on data.Test after every epoch. The same seed gives the same
// result whatever the number of cores.
func Train(ctx context.Context, m *Classifier, data *Split, cfg TrainConfig) (*TrainResult, error) {
	c, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	if data.Train.Shape != m.Config.In || data.Test.Shape != m.Config.In {
		return nil, fmt.Errorf("%w: images are %v, the model takes %v", ErrData, data.Train.Shape, m.Config.In)
	}
	theta := m.NewParams(c.Seed)
	grad := make([]float64, len(theta))
	mean, std := Standardize(data.Train)
	rng := learned.NewRand(c.Seed + 1)
	n, size := data.Train.Len(), m.Config.In.Size()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	x := make([]float64, c.Batch*size)
	aug := c.Augment.resolved()
	labels := make([]uint8, c.Batch)
	opt := c.Optimizer
	res := &TrainResult{Epochs: c.Epochs}
	for ep := range c.Epochs {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		start := time.Now()
		sum, batches := 0.0, 0
		for lo := 0; lo < n; lo += c.Batch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			hi := min(n, lo+c.Batch)
			b := hi - lo
			for k := range b {
				i := order[lo+k]
				labels[k] = data.Train.Labels[i]
				xk := x[k*size : (k+1)*size]
				if aug.Off {
					copy(xk, data.Train.Image(i))
				} else {
					dy, dx, flip := aug.Draw(c.Seed, ep, i)
					Transform(xk, data.Train.Image(i), m.Config.In, dy, dx, flip, 0)
				}
				for j, v := range xk {
					xk[j] = (v - mean) / std
				}
			}
			clear(grad)
			loss, st, err := m.LossGrad(grad, x[:b*size], labels[:b], theta)
			if err != nil {
				return nil, fmt.Errorf("epoch %d, batch %d: %w", ep+1, lo/c.Batch+1, err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return nil, fmt.Errorf("vision: epoch %d: the loss diverged (%v); lower the learning rate", ep+1, loss)
			}
			res.PeakBytes = max(res.PeakBytes, st.Bytes)
			res.NFE += st.NFE
			opt.Step(theta, grad, ep)
			sum += loss
			batches++
		}
		secs := time.Since(start).Seconds()
		res.Seconds += secs
		res.EpochSeconds = append(res.EpochSeconds, secs)
		tstart := time.Now()
		e, err := TestError(m, theta, data.Test, mean, std, c.Batch)
		if err != nil {
			return nil, err
		}
		res.TestImagesPS = float64(data.Test.Len()) / time.Since(tstart).Seconds()
		res.TestError = e
		if c.Progress != nil {
			c.Progress(EpochReport{Epoch: ep + 1, Loss: sum / float64(batches), TestError: e, Seconds: secs})
		}
	}
	res.Theta = theta
	res.TrainImagesPS = float64(n*c.Epochs) / res.Seconds
	return res, nil
}

// TestError returns the fraction of d misclassified by m in evaluation mode,
// with pixels standardised by mean and std.
func TestError(m *Classifier, theta []float64, d *Dataset, mean, std float64, batch int) (float64, error) {
	wrong := 0
	err := eachLogits(m, theta, d, mean, std, batch, func(i int, row []float64) {
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best != int(d.Labels[i]) {
			wrong++
		}
	})
	if err != nil {
		return 0, err
	}
	return float64(wrong) / float64(d.Len()), nil
}

// eachLogits runs m in evaluation mode over d in batches, pixels standardised
// by mean and std, and calls fn with every image's index and logits (valid
// only during the call).
func eachLogits(m *Classifier, theta []float64, d *Dataset, mean, std float64, batch int, fn func(i int, logits []float64)) error {
	if batch < 1 {
		return fmt.Errorf("%w: batch %d < 1", ErrConfig, batch)
	}
	size, k := m.Config.In.Size(), m.Config.Classes
	x := make([]float64, batch*size)
	for lo := 0; lo < d.Len(); lo += batch {
		hi := min(d.Len(), lo+batch)
		for i := lo; i < hi; i++ {
			for j, v := range d.Image(i) {
				x[(i-lo)*size+j] = (v - mean) / std
			}
		}
		logits, err := m.Logits(x[:(hi-lo)*size], theta, hi-lo)
		if err != nil {
			return err
		}
		for i := lo; i < hi; i++ {
			fn(i, logits[(i-lo)*k:(i-lo+1)*k])
		}
	}
	return nil
}
