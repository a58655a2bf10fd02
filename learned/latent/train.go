package latent

import (
	"fmt"
	"math"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/learned"
)

// TrainConfig describes one training run. Zero values mean the documented
// defaults, except Observed, which must be given.
type TrainConfig struct {
	// Model is rnn, gru or latent-ode; "" means latent-ode.
	Model string
	// Method is the latent ODE's gradient method: aca, adjoint or naive; ""
	// means aca. The recurrent models ignore it.
	Method string
	// Observed is the fraction of each sequence's time points the models see,
	// in (0, 1].
	Observed float64
	// Epochs is the number of passes over the training sequences; 0 means 20.
	Epochs int
	// BatchSize is the number of sequences per batch; 0 means 20 (Rubanova
	// et al. use 50 with 20 times our training set, so 20 buys more steps
	// per epoch at the reduced budget).
	BatchSize int
	// LR is Adam's learning rate; 0 means 1e-2, decaying by 0.999 per step.
	LR float64
	// Clip is the global gradient-norm bound; 0 means 10.
	Clip float64
	// Hidden is the recurrent state size (the baselines' cell, the latent
	// ODE's encoder); 0 means 48.
	Hidden int
	// Latent and Units size the latent ODE (see ODEConfig); 0 means its defaults.
	Latent, Units int
	// KLWeight is the latent ODE's β (see ODEConfig); 0 means its default.
	KLWeight float64
	// Sequences uses only the first n sequences of the dataset; 0 means all.
	Sequences int
	// TestFraction is the share of sequences held out for the test MSE; 0
	// means 0.2.
	TestFraction float64
	// Seed fixes the split, the observed points, θ and the training noise.
	Seed uint64
}

// Result is the outcome of a training run. Field names are the JSON the
// command line prints.
type Result struct {
	Model    string  `json:"model"`
	Method   string  `json:"method"`
	Observed float64 `json:"observed"`
	// TestMSE is the interpolation error on the held-out sequences at every
	// time point, in normalised units ([0, 1] per component).
	TestMSE float64 `json:"test_mse"`
	// MeanMSE is the test MSE of predicting each component's training mean.
	MeanMSE      float64 `json:"mean_mse"`
	Epochs       int     `json:"epochs"`
	Seconds      float64 `json:"seconds"`
	EpochSeconds float64 `json:"epoch_seconds"`
	Parameters   int     `json:"parameters"`
	// TrainLoss is the mean training objective of each epoch.
	TrainLoss []float64 `json:"train_loss"`
}

// Progress receives the mean training objective after each epoch.
type Progress func(epoch int, loss float64)

func (c *TrainConfig) resolve(d *Dataset) error {
	if c.Model == "" {
		c.Model = "latent-ode"
	}
	if c.Method == "" {
		c.Method = "aca"
	}
	if c.Model != "latent-ode" {
		c.Method = "-"
	}
	if !(c.Observed > 0 && c.Observed <= 1) {
		return fmt.Errorf("%w: observed fraction %v outside (0, 1]", ErrConfig, c.Observed)
	}
	if c.Epochs == 0 {
		c.Epochs = 20
	}
	if c.BatchSize == 0 {
		c.BatchSize = 20
	}
	if c.LR == 0 {
		c.LR = 1e-2
	}
	if c.Clip == 0 {
		c.Clip = 10
	}
	if c.TestFraction == 0 {
		c.TestFraction = 0.2
	}
	if c.Sequences == 0 || c.Sequences > d.Sequences {
		c.Sequences = d.Sequences
	}
	switch {
	case c.Epochs < 0 || c.BatchSize < 1 || c.Sequences < 2:
		return fmt.Errorf("%w: epochs %d, batch size %d, %d sequences (want ≥ 0, ≥ 1, ≥ 2)", ErrConfig, c.Epochs, c.BatchSize, c.Sequences)
	case !(c.TestFraction > 0 && c.TestFraction < 1):
		return fmt.Errorf("%w: test fraction %v outside (0, 1)", ErrConfig, c.TestFraction)
	case !(c.LR > 0):
		return fmt.Errorf("%w: learning rate %v (want positive)", ErrConfig, c.LR)
	}
	return nil
}

// NewModel builds the named model for a configuration and dimension.
func NewModel(c TrainConfig, dim int) (Model, error) {
	switch c.Model {
	case "rnn", "gru":
		h := c.Hidden
		if h == 0 {
			h = 48
		}
		return NewRecurrent(c.Model, dim, h)
	case "latent-ode", "":
		method := c.Method
		if method == "" {
			method = "aca"
		}
		if method == "forward" {
			return nil, fmt.Errorf("%w: method forward has no place here (allowed: aca, adjoint, naive)", ErrConfig)
		}
		m, err := aca.ByName(method)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		return NewLatentODE(ODEConfig{Dim: dim, Latent: c.Latent, Hidden: c.Hidden, Units: c.Units, Method: m, KLWeight: c.KLWeight})
	}
	return nil, fmt.Errorf("%w: unknown model %q (allowed: rnn, gru, latent-ode)", ErrConfig, c.Model)
}

// Fitted is a trained model with the data it was trained on.
type Fitted struct {
	Model Model
	Theta []float64
	// Data is the dataset as the model sees it: normalised to [0, 1] per
	// component, then centred on the training mean (Mean).
	Data *Dataset
	Mean []float64
	// Train and Test are the sequence indices of the split.
	Train, Test []int
	// Observed marks the observed points the test MSE and Reconstruct see
	// (Data.Sequences×Data.Steps); training drew a fresh subset each epoch.
	Observed []bool
}

// Reconstruct predicts sequences seqs of f.Data at every time from their
// observed points; it returns the batch (truth, mask, grid) and the
// prediction, both time-major, in normalised units without the centring.
func (f *Fitted) Reconstruct(seqs []int) (*Batch, []float64, error) {
	b := NewBatch(f.Data, seqs, f.Observed)
	pred := make([]float64, len(b.Values))
	if err := f.Model.Predict(pred, f.Theta, b); err != nil {
		return nil, nil, err
	}
	for i := range pred {
		pred[i] += f.Mean[i%b.Dim]
		b.Values[i] += f.Mean[i%b.Dim]
	}
	return b, pred, nil
}

// Train normalises d to [0, 1] per component, centres it on the training
// mean, holds out a test set, trains the configured model with Adam on random
// batches — each epoch with a fresh observed subset of every training
// sequence, scored at every time point — and reports the test interpolation
// MSE. It returns the trained model with the result.
func Train(d *Dataset, cfg TrainConfig, progress Progress) (*Result, *Fitted, error) {
	if err := d.Validate(); err != nil {
		return nil, nil, err
	}
	if err := cfg.resolve(d); err != nil {
		return nil, nil, err
	}
	f, err := prepare(d, cfg)
	if err != nil {
		return nil, nil, err
	}
	nd, model, train, test, observed, mean := f.Data, f.Model, f.Train, f.Test, f.Observed, f.Mean
	theta := learned.NewParams(model, cfg.Seed+2)
	rng := learned.NewRand(cfg.Seed + 3)
	opt := &learned.Adam{LR: cfg.LR, Schedule: learned.ExponentialDecay{Rate: 0.999}}
	grad := make([]float64, len(theta))
	res := &Result{Model: cfg.Model, Method: cfg.Method, Observed: cfg.Observed, Epochs: cfg.Epochs, Parameters: len(theta)}
	start := time.Now()
	maskRng := learned.NewRand(cfg.Seed + 4)
	for epoch := range cfg.Epochs {
		// Each epoch observes a fresh random subset of every training
		// sequence, as Rubanova et al. subsample each batch anew; the test
		// sequences keep the one subset drawn above.
		trainObs, err := SampleObserved(nd.Sequences, nd.Steps, cfg.Observed, maskRng.Uint64())
		if err != nil {
			return nil, nil, err
		}
		sum, n := 0.0, 0
		for _, seqs := range randBatches(train, cfg.BatchSize, rng) {
			b := NewBatch(nd, seqs, trainObs)
			clear(grad)
			l, err := model.Loss(grad, theta, b, rng)
			if err != nil {
				return nil, nil, fmt.Errorf("epoch %d: %w", epoch+1, err)
			}
			learned.ClipGlobalNorm(grad, cfg.Clip)
			opt.Step(theta, grad)
			sum += l * float64(len(seqs))
			n += len(seqs)
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(n))
		if progress != nil {
			progress(epoch+1, sum/float64(n))
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if cfg.Epochs > 0 {
		res.EpochSeconds = res.Seconds / float64(cfg.Epochs)
	}
	if res.TestMSE, err = TestMSE(model, theta, nd, test, observed, cfg.BatchSize); err != nil {
		return nil, nil, err
	}
	res.MeanMSE = MeanMSE(nd, train, test)
	return res, &Fitted{Model: model, Theta: theta, Data: nd, Mean: mean, Train: train, Test: test, Observed: observed}, nil
}

// prepare is what Train sets up before training, a function of d and the
// resolved cfg alone: the normalised, centred data, the split, the observed
// points and the untrained model (Theta nil).
func prepare(d *Dataset, cfg TrainConfig) (*Fitted, error) {
	nd := d.Normalized()
	perm := learned.NewRand(cfg.Seed).Perm(cfg.Sequences)
	nTest := max(1, int(cfg.TestFraction*float64(cfg.Sequences)+0.5))
	test, train := perm[:nTest], perm[nTest:]
	// Centre on the training mean: the models start near the mean predictor,
	// and the MSE, a difference of two shifted values, does not change.
	mean := componentMean(nd, train)
	for i := range nd.Values {
		nd.Values[i] -= mean[i%nd.Dim]
	}
	observed, err := SampleObserved(nd.Sequences, nd.Steps, cfg.Observed, cfg.Seed+1)
	if err != nil {
		return nil, err
	}
	model, err := NewModel(cfg, nd.Dim)
	if err != nil {
		return nil, err
	}
	return &Fitted{Model: model, Data: nd, Mean: mean, Train: train, Test: test, Observed: observed}, nil
}

// Refit rebuilds the Fitted that Train returned for d and cfg from the
// trained θ alone, without training: the split, the normalisation and the
// observed points depend on d and cfg only. A run on another machine sends
// θ; Refit gives back the model to reconstruct with.
func Refit(d *Dataset, cfg TrainConfig, theta []float64) (*Fitted, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.resolve(d); err != nil {
		return nil, err
	}
	f, err := prepare(d, cfg)
	if err != nil {
		return nil, err
	}
	if len(theta) != f.Model.NumParams() {
		return nil, fmt.Errorf("%w: θ has %d values, the model %d parameters", ErrConfig, len(theta), f.Model.NumParams())
	}
	f.Theta = theta
	return f, nil
}

// TestMSE is the mean squared interpolation error of model on sequences seqs
// of d at every time point, seeing the points marked in observed.
func TestMSE(model Model, theta []float64, d *Dataset, seqs []int, observed []bool, batch int) (float64, error) {
	sum, n := 0.0, 0
	for len(seqs) > 0 {
		k := min(batch, len(seqs))
		b := NewBatch(d, seqs[:k], observed)
		pred := make([]float64, len(b.Values))
		if err := model.Predict(pred, theta, b); err != nil {
			return math.NaN(), err
		}
		sum += b.MSE(pred) * float64(len(pred))
		n += len(pred)
		seqs = seqs[k:]
	}
	return sum / float64(n), nil
}

// MeanMSE is the test MSE of the mean predictor: each component's mean over
// the training sequences, at every time.
func MeanMSE(d *Dataset, train, test []int) float64 {
	mean := componentMean(d, train)
	sum := 0.0
	for _, s := range test {
		for i, v := range d.Sequence(s) {
			r := v - mean[i%d.Dim]
			sum += r * r
		}
	}
	return sum / float64(len(test)*d.Steps*d.Dim)
}

// componentMean is each component's mean over the sequences seqs of d.
func componentMean(d *Dataset, seqs []int) []float64 {
	mean := make([]float64, d.Dim)
	for _, s := range seqs {
		for i, v := range d.Sequence(s) {
			mean[i%d.Dim] += v
		}
	}
	for c := range mean {
		mean[c] /= float64(len(seqs) * d.Steps)
	}
	return mean
}
