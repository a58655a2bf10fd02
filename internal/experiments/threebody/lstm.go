package threebody

import (
	"context"
	"fmt"
	"github.com/physid/physid/learned"
	"math"
	"math/rand/v2"
)

// LSTMConfig configures the lstm and lstm-aug baselines of CompareThreeBody.
// The zero value is the default noted on each field, tuned on the held-out
// MSE (never on the test window) of the paper's data; the package doc
// describes the protocol.
type LSTMConfig struct {
	// Hidden is the LSTM's hidden size; 0 means 64.
	Hidden int
	// Epochs is the number of training steps, each one Adam update on a batch
	// of windows; 0 means the Budget's.
	Epochs int
	// LR is Adam's learning rate, decayed to LR/100 by the last epoch; 0 means 3e-3.
	LR float64
	// Batch is the number of windows per step; 0 means 16.
	Batch int
	// Window is the number of LSTM steps per training window; 0 means 40,
	// or a quarter of the training steps before the hold-out when that is
	// fewer (short series).
	Window int
	// Stride is the number of observation intervals per LSTM step; 0 means
	// about 200 steps over the observed window (5 for the paper's 1000
	// observations, 1 for 300 or fewer).
	Stride int
	// HoldOut is the fraction of the observed window held out for early
	// stopping; 0 means 0.2, negative means none (keep the last epoch).
	HoldOut float64
	// ValidateEvery is the number of epochs between validations; 0 means 25.
	ValidateEvery int
	// Clip bounds the global gradient norm; 0 means 1, negative means no clipping.
	Clip float64
	// InputNoise is the standard deviation of Gaussian noise added to the
	// normalised training inputs, so that the model learns to correct its own
	// rollout errors; 0 means 0.01, negative means none.
	InputNoise float64
}

// resolved fills the defaults for a series of the given number of observations.
func (c LSTMConfig) resolved(epochs, observations int) LSTMConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Hidden, 64)
	def(&c.Epochs, epochs)
	def(&c.Batch, 16)
	def(&c.Stride, max(1, int(math.Round(float64(observations)/200))))
	def(&c.ValidateEvery, 25)
	if c.LR == 0 {
		c.LR = 3e-3
	}
	if c.HoldOut == 0 {
		c.HoldOut = 0.2
	} else if c.HoldOut < 0 {
		c.HoldOut = 0
	}
	if c.Window == 0 {
		c.Window = 40
		if c.Stride >= 1 && c.HoldOut < 1 {
			c.Window = max(2, min(40, lstmSplit(c, observations)/4))
		}
	}
	if c.Clip == 0 {
		c.Clip = 1
	}
	if c.InputNoise == 0 {
		c.InputNoise = 0.01
	} else if c.InputNoise < 0 {
		c.InputNoise = 0
	}
	return c
}

func (c LSTMConfig) validate() error {
	for _, bad := range []struct {
		ok   bool
		what string
		v    float64
	}{
		{c.Hidden >= 1, "hidden must be at least 1", float64(c.Hidden)},
		{c.Epochs >= 1, "epochs must be at least 1", float64(c.Epochs)},
		{c.LR > 0, "lr must be positive", c.LR},
		{c.Batch >= 1, "batch must be at least 1", float64(c.Batch)},
		{c.Window >= 2, "window must be at least 2", float64(c.Window)},
		{c.Stride >= 1, "stride must be at least 1", float64(c.Stride)},
		{c.HoldOut < 1, "hold-out must be below 1", c.HoldOut},
		{c.ValidateEvery >= 1, "validate-every must be at least 1", float64(c.ValidateEvery)},
	} {
		if !bad.ok {
			return fmt.Errorf("%w: lstm: %s (got %g)", learned.ErrConfig, bad.what, bad.v)
		}
	}
	return nil
}

// lstmRun is one training run of a sequence baseline.
type lstmRun struct {
	cfg    LSTMConfig
	feat   learned.Features
	nx     int
	seqs   [][]float64 // observed positions on the LSTM grid, one per phase
	phase0 []float64   // the phase-0 sequence: the grid that starts at t0
	split  int         // rows of phase 0 used for training; the rest validates
}

// train fits the model and returns it with the number of epochs run, the final
// training loss and the validation MSE of the kept parameters (NaN without a
// hold-out). It stops early when ctx ends.
func (r *lstmRun) train(ctx context.Context, seed uint64, progress func(epoch int, loss float64)) (m *seqModel, epochs int, loss, val float64, err error) {
	c, nx := r.cfg, r.nx
	train := r.trainingRows()
	if len(train) == 0 {
		return nil, 0, math.NaN(), math.NaN(), fmt.Errorf("%w: lstm: the training part has fewer than window+1 = %d steps; lower window or stride", learned.ErrConfig, c.Window+1)
	}
	m = newSeqModel(r.feat, nx, c.Hidden, train)
	m.theta = learned.NewParams(m.net, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6c73746d)) // "lstm"
	nf, W, B := r.feat.Dim(), c.Window, c.Batch
	x := make([]float64, W*B*nf)
	y := make([]float64, W*B*nx)
	target := make([]float64, W*B*nx)
	dy := make([]float64, W*B*nx)
	grad := make([]float64, len(m.theta))
	phi := make([]float64, nf)
	var tape learned.Tape
	opt := &learned.Adam{LR: c.LR, Schedule: learned.ExponentialDecay{Rate: math.Pow(0.01, 1/float64(c.Epochs))}}
	const warm = 5 // steps at the start of a window the loss skips: the state is still forming
	best := append([]float64(nil), m.theta...)
	bestVal := math.Inf(1)
	val = math.NaN()
	for epochs = 1; epochs <= c.Epochs; epochs++ {
		if ctx.Err() != nil {
			epochs--
			break
		}
		r.fillBatch(x, target, phi, m, train, rng)
		m.net.Forward(&tape, y, x, m.theta, B)
		clear(dy)
		loss = learned.MSEGrad(dy[warm*B*nx:], y[warm*B*nx:], target[warm*B*nx:])
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return m, epochs, loss, val, fmt.Errorf("training loss is %v at epoch %d", loss, epochs)
		}
		clear(grad)
		m.net.Backward(&tape, nil, grad, dy, m.theta)
		if c.Clip > 0 {
			learned.ClipGlobalNorm(grad, c.Clip)
		}
		opt.Step(m.theta, grad)
		if progress != nil {
			progress(epochs, loss)
		}
		if r.split < len(r.phase0)/nx && (epochs%c.ValidateEvery == 0 || epochs == c.Epochs) {
			if v := r.validate(m); v < bestVal {
				bestVal = v
				copy(best, m.theta)
			}
		}
	}
	if epochs > c.Epochs {
		epochs = c.Epochs
	}
	if r.split < len(r.phase0)/nx && !math.IsInf(bestVal, 1) {
		copy(m.theta, best)
		val = bestVal
	}
	return m, epochs, loss, val, nil
}

// trainingRows returns the training rows of every phase: those before the
// split time, for the phases with at least window+1 of them.
func (r *lstmRun) trainingRows() [][]float64 {
	var train [][]float64
	for _, seq := range r.seqs {
		// Row k of phase p is observation k·stride + p: rows k < split come
		// before phase-0 row split, the first held-out one.
		keep := min(len(seq)/r.nx, r.split)
		if keep >= r.cfg.Window+1 {
			train = append(train, seq[:keep*r.nx])
		}
	}
	return train
}

// fillBatch draws Batch random windows from the training rows and writes
// their noisy features into x (time-major, W×B×nf) and the normalised
// one-step increments into target (W×B×nx); phi is scratch of nf.
func (r *lstmRun) fillBatch(x, target, phi []float64, m *seqModel, train [][]float64, rng *rand.Rand) {
	c, nx := r.cfg, r.nx
	nf, W, B := r.feat.Dim(), c.Window, c.Batch
	for b := range B {
		seq := train[rng.IntN(len(train))]
		rows := len(seq) / nx
		s := rng.IntN(rows - W)
		for t := range W {
			rt := seq[(s+t)*nx : (s+t+1)*nx]
			m.input(phi, rt)
			xi := x[(t*B+b)*nf : (t*B+b+1)*nf]
			for i, v := range phi {
				xi[i] = v + c.InputNoise*rng.NormFloat64()
			}
			for i := range nx {
				target[(t*B+b)*nx+i] = (seq[(s+t+1)*nx+i] - rt[i]) / m.dscale[i]
			}
		}
	}
}

// validate reads the phase-0 rows before the split, rolls out over the held-out
// rows and returns the MSE there (+Inf when the rollout is not finite).
func (r *lstmRun) validate(m *seqModel) float64 {
	nx := r.nx
	total := len(r.phase0) / nx
	pred := make([]float64, total*nx)
	if !m.predict(pred, r.phase0[:r.split*nx], total) {
		return math.Inf(1)
	}
	s := 0.0
	for i := r.split * nx; i < total*nx; i++ {
		d := pred[i] - r.phase0[i]
		s += d * d
	}
	return s / float64((total-r.split)*nx)
}

// lstmSplit is the number of phase-0 grid rows before the held-out part.
func lstmSplit(c LSTMConfig, observations int) int {
	rows0 := (observations + c.Stride - 1) / c.Stride
	return rows0 - int(math.Round(c.HoldOut*float64(rows0)))
}

// runLSTM trains lstm (aug false) or lstm-aug and predicts the test window.
func (s *compareSetup) runLSTM(ctx context.Context, aug bool, seed uint64, progress func(int, int, float64)) (runOutcome, []float64) {
	c := s.cfg.LSTM.resolved(s.budget.LSTMEpochs, len(s.p.Times))
	p := s.p
	nx, K := len(s.observed), len(p.Times)
	out := runOutcome{epochs: c.Epochs, RunResult: RunResult{Status: StatusOK, ValMSE: math.NaN(), TrainLoss: math.NaN()}}
	var feat learned.Features = learned.IdentityMap{N: nx}
	if aug {
		feat = learned.NewNBodyFeatures(*s.gravity)
	}
	// One sequence per phase of the stride: phase q holds observations
	// q, q+stride, q+2·stride, …; phase 0 is the grid that starts at t0.
	seqs := make([][]float64, min(c.Stride, K))
	for q := range seqs {
		for k := q; k < K; k += c.Stride {
			seqs[q] = append(seqs[q], p.Values[k*nx:(k+1)*nx]...)
		}
	}
	rows0 := len(seqs[0]) / nx
	split := lstmSplit(c, K)
	if split < c.Window+1 {
		out.Status, out.Message = StatusDiverged, fmt.Sprintf("the training part has %d steps, fewer than window+1 = %d; lower the window, stride or hold-out", split, c.Window+1)
		return out, nil
	}
	run := &lstmRun{cfg: c, feat: feat, nx: nx, seqs: seqs, phase0: seqs[0], split: split}
	m, epochs, loss, val, err := run.train(ctx, seed, func(e int, l float64) { progress(e, c.Epochs, l) })
	out.Epochs, out.TrainLoss, out.ValMSE = epochs, loss, val
	if m != nil {
		out.params = m.net.NumParams()
	}
	if err != nil {
		out.Status, out.Message = StatusDiverged, err.Error()
		return out, nil
	}
	if ctx.Err() != nil && epochs < c.Epochs {
		out.Status, out.Message = StatusInterrupted, fmt.Sprintf("stopped after epoch %d", epochs)
	}
	// Read every observed row, roll out on the LSTM grid past the horizon,
	// then interpolate linearly to the test times.
	h := (p.Times[K-1] - p.Times[0]) / float64(K-1)
	H := float64(c.Stride) * h
	total := int(math.Ceil((s.horizon-p.T0)/H-1e-9)) + 1
	total = max(total, rows0, 2)
	grid := make([]float64, total*nx)
	if !m.predict(grid, seqs[0], total) {
		out.Status, out.Message = StatusDiverged, "the rollout is not finite"
		return out, nil
	}
	pred := make([]float64, len(s.times)*nx)
	for k, t := range s.times {
		u := (t - p.T0) / H
		i := min(int(u), total-2)
		w := u - float64(i)
		a, b := grid[i*nx:(i+1)*nx], grid[(i+1)*nx:(i+2)*nx]
		for j := range nx {
			pred[k*nx+j] = (1-w)*a[j] + w*b[j]
		}
	}
	return out, pred
}
