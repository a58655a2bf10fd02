package latent

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"

	"gonum.org/v1/gonum/floats"
)

// ODEConfig sizes a latent ODE and chooses how it is trained. The zero value
// of every field but Dim means its documented default.
type ODEConfig struct {
	// Dim is the number of observed components (14 for the hopper).
	Dim int
	// Latent is the size of the latent state z; 0 means 15, Rubanova et
	// al.'s size for the hopper.
	Latent int
	// Hidden is the encoder's GRU state size; 0 means 48.
	Hidden int
	// Units is the width of the hidden layers of the latent field (two
	// layers) and of the encoder's ODE (one layer); 0 means 64.
	Units int
	// Method computes the latent ODE's gradient; nil means aca.ACA.
	Method aca.Method
	// Settings configures the latent solve; nil means Dopri5 with rtol 1e-3
	// and atol 1e-4, the tolerances of Rubanova et al.
	Settings *aca.Settings
	// KLWeight β multiplies the mean KL term; 0 means 2e-6, a negative
	// value means no KL term (a deterministic autoencoder). Rubanova et al.'s
	// Gaussian likelihood averaged over points, with the observation noise
	// σ_obs = 1e-3 they use for the hopper, weighs the KL term by
	// 2σ_obs² = 2e-6 relative to the MSE. A larger β (1e-4, σ_obs ≈ 0.007)
	// keeps q(z0) wide, and the sampling noise then dominates the
	// reconstruction error within a short training budget.
	KLWeight float64
	// EncoderStep is the largest Euler step of the encoder's ODE between
	// observations, in grid time units; 0 means 0.05.
	EncoderStep float64
}

// LatentODE is the latent ODE of Rubanova et al. (2019):
//
//	encoder  an ODE-RNN run backwards in time over the observations: between
//	         observation times the state h follows dh/dt = MLP_e(h) (explicit
//	         Euler, steps ≤ EncoderStep); at each time a GRU reads (x⊙m, m) for
//	         the sequences observed there and leaves the others' h unchanged;
//	         finally h is carried back to the grid's start t_0;
//	q(z0)    (μ, s) = W_q·h + b_q, σ = softplus(s), z0 = μ + σ⊙ε, ε ~ N(0, I);
//	dynamics dz/dt = MLP_f(z) (a Field), solved from t_0 through the times;
//	decoder  x̂ = W_d·z + b_d.
//
// The objective is the MSE at every grid time (the encoder sees only the
// observed points) plus β·mean_b KL(q(z0_b) ‖ N(0, I)),
// KL = Σ ½(μ² + σ² − 1) − log σ. The gradient
// of the latent solve comes from package aca (ACA, adjoint or naive) with the
// decoder and reconstruction error as the aca.Loss; the encoder, q and decoder
// are differentiated by their explicit backward passes. Prediction uses z0 = μ.
//
// Parameters: encoder GRU, encoder MLP_e, q, MLP_f, decoder. A LatentODE
// keeps its workspaces between calls (the encoder allocates nothing after the
// first batches); it is not safe for concurrent use.
type LatentODE struct {
	cfg      ODEConfig
	gru      gruCell
	enc      *learned.MLP
	q        learned.Dense
	field    *Field
	fieldOff int
	dec      learned.Dense
	n        int
	fields   map[int]*Field
	settings aca.Settings
	ew       encWork
	w        odeWork
}

var _ Model = (*LatentODE)(nil)

// NewLatentODE builds the model; it fails on a non-positive Dim or size.
func NewLatentODE(cfg ODEConfig) (*LatentODE, error) {
	if cfg.Latent == 0 {
		cfg.Latent = 15
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = 48
	}
	if cfg.Units == 0 {
		cfg.Units = 64
	}
	if cfg.Method == nil {
		cfg.Method = &aca.ACA{}
	}
	if cfg.KLWeight == 0 {
		cfg.KLWeight = 2e-6
	}
	if cfg.EncoderStep == 0 {
		cfg.EncoderStep = 0.05
	}
	if cfg.Dim < 1 || cfg.Latent < 1 || cfg.Hidden < 1 || cfg.Units < 1 || !(cfg.EncoderStep > 0) {
		return nil, fmt.Errorf("%w: latent ODE sizes dim %d, latent %d, hidden %d, units %d, encoder step %v (want positive)",
			ErrConfig, cfg.Dim, cfg.Latent, cfg.Hidden, cfg.Units, cfg.EncoderStep)
	}
	m := &LatentODE{cfg: cfg, fields: map[int]*Field{}}
	if cfg.Settings != nil {
		m.settings = *cfg.Settings
	} else {
		// Land on every grid time: the README's Table 4 was measured so
		// (dense output, the solver's default since, changes the steps).
		m.settings = aca.Settings{RTol: 1e-3, ATol: 1e-4, Land: true}
	}
	l := new(learned.Layout)
	H, L := cfg.Hidden, cfg.Latent
	m.gru = newGRUCell(l, 2*cfg.Dim, H)
	m.enc = learned.NewMLP(l, []int{H, cfg.Units, H}, learned.Tanh, learned.Identity)
	m.q = learned.NewDense(l, H, 2*L)
	m.field = NewField(L, []int{cfg.Units, cfg.Units}, 1)
	m.fieldOff = l.Take(m.field.NumParams())
	m.dec = learned.NewDense(l, L, cfg.Dim)
	m.n = l.Len()
	return m, nil
}

// Name returns latent-ode.
func (m *LatentODE) Name() string { return "latent-ode" }

// NumParams returns the length of θ.
func (m *LatentODE) NumParams() int { return m.n }

// Config returns the configuration with defaults filled in.
func (m *LatentODE) Config() ODEConfig { return m.cfg }

// Init draws every part's weights (zero biases, except q's scale bias, which
// starts σ small) and scales the field's output layer by 0.1 so that the
// initial latent flow is gentle.
func (m *LatentODE) Init(theta []float64, rng *rand.Rand) {
	m.gru.Init(theta, rng)
	m.enc.Init(theta, rng)
	m.q.Init(theta, rng)
	for l := range m.cfg.Latent {
		m.q.Bias(theta)[m.cfg.Latent+l] = initScaleBias
	}
	ft := m.fieldTheta(theta)
	m.field.Init(ft, rng)
	last := m.field.Net().Layer(len(m.field.Net().Sizes()) - 2)
	for i := range last.Weights(ft) {
		last.Weights(ft)[i] *= 0.1
	}
	m.dec.Init(theta, rng)
}

// initScaleBias starts q(z0)'s scale at softplus(−5) ≈ 0.0067: with a zero
// bias σ ≈ 0.69, the decoded sampling noise swamps the data (a first-epoch
// loss ten times the mean predictor's) and Adam needs hundreds of steps to
// shrink it.
const initScaleBias = -5

func (m *LatentODE) fieldTheta(theta []float64) []float64 {
	return theta[m.fieldOff : m.fieldOff+m.field.NumParams()]
}

// fieldFor returns the field for a batch size.
func (m *LatentODE) fieldFor(batch int) *Field {
	f, ok := m.fields[batch]
	if !ok {
		f = m.field.WithBatch(batch)
		m.fields[batch] = f
	}
	return f
}

// odeWork is the latent ODE's workspace outside the encoder: q(z0), the
// noise, the decoder's loss and the prediction's states. Buffers grow to the
// largest batch seen and are then reused.
type odeWork struct {
	qout, mu, sigma, raw, eps, z0, dq, dh []float64
	states, zgrad                         []float64
	dl                                    decodeLoss
	solver                                *integrate.Solver
}

// posterior sets μ, σ and the raw scale s of q(z0) (in m.w) from the encoder
// state.
func (m *LatentODE) posterior(theta, h []float64, B int) {
	L, w := m.cfg.Latent, &m.w
	w.qout = growF(w.qout, B*2*L)
	w.mu, w.sigma, w.raw = growF(w.mu, B*L), growF(w.sigma, B*L), growF(w.raw, B*L)
	m.q.Apply(w.qout, h, theta)
	for r := range B {
		for l := range L {
			w.mu[r*L+l] = w.qout[r*2*L+l]
			s := w.qout[r*2*L+L+l]
			w.raw[r*L+l] = s
			w.sigma[r*L+l] = softplus(s) + 1e-6
		}
	}
}

// decodeLoss is the aca.Loss of a latent solve: decode every state and score
// the MSE against the truth at every grid time.
type decodeLoss struct {
	m     *LatentODE
	theta []float64
	b     *Batch
	pred  []float64
	dpred []float64
}

// Eval returns the MSE of the decoded states z (P×Size×Latent) and writes its
// gradient with respect to z into grad.
func (d *decodeLoss) Eval(grad, z []float64) float64 {
	n := len(d.b.Values)
	d.pred, d.dpred = growF(d.pred, n), growF(d.dpred, n)
	d.m.dec.Apply(d.pred, z, d.theta)
	l := d.b.ReconstructionMSE(d.dpred, d.pred)
	clear(grad)
	d.m.dec.VJP(grad, nil, z, d.dpred, d.theta)
	return l
}

// Loss returns the MSE at every grid time plus β·mean KL, and adds its
// gradient into grad.
func (m *LatentODE) Loss(grad, theta []float64, b *Batch, rng *rand.Rand) (float64, error) {
	m.check(theta, b)
	B, L, w := b.Size, m.cfg.Latent, &m.w
	h := m.encode(theta, b)
	m.posterior(theta, h, B)
	w.eps, w.z0 = growF(w.eps, B*L), growF(w.z0, B*L)
	for k := range w.z0 {
		w.eps[k] = rng.NormFloat64()
		w.z0[k] = w.mu[k] + w.sigma[k]*w.eps[k]
	}
	w.dl = decodeLoss{m: m, theta: theta, b: b, pred: w.dl.pred, dpred: w.dl.dpred}
	prob := &aca.Problem{Model: m.fieldFor(B), Theta: m.fieldTheta(theta), T0: b.Grid[0], Z0: w.z0, Times: b.Grid, Loss: &w.dl}
	res, err := aca.Gradient(prob, &m.settings, aca.NeedZ0(m.cfg.Method)) // the encoder needs dL/dz0
	if err != nil {
		return math.NaN(), fmt.Errorf("latent: latent ODE solve: %w", err)
	}
	// The decoder's own gradient, at the states the solve produced.
	w.zgrad = growF(w.zgrad, len(res.States))
	w.dl.Eval(w.zgrad, res.States)
	m.dec.VJP(nil, grad, res.States, w.dl.dpred, theta)
	ft := m.fieldTheta(grad)
	floats.Add(ft[:len(res.Theta)], res.Theta)
	loss := res.Loss
	beta := m.cfg.KLWeight
	if beta < 0 {
		beta = 0
	}
	// dz0 → (dμ, dσ) → (dμ, ds) → dh through q.
	w.dq = growF(w.dq, B*2*L)
	for r := range B {
		for l := range L {
			k := r*L + l
			mk, s := w.mu[k], w.sigma[k]
			loss += beta / float64(B) * (0.5*(mk*mk+s*s-1) - math.Log(s))
			dmu := res.Z0[k] + beta/float64(B)*mk
			ds := res.Z0[k]*w.eps[k] + beta/float64(B)*(s-1/s)
			w.dq[r*2*L+l] = dmu
			w.dq[r*2*L+L+l] = ds * sigmoid(w.raw[k])
		}
	}
	w.dh = growF(w.dh, B*m.cfg.Hidden)
	clear(w.dh)
	m.q.VJP(w.dh, grad, h, w.dq, theta)
	m.encodeBack(grad, w.dh, theta, B)
	return loss, nil
}

// Predict encodes the observed points, takes z0 = μ (the posterior mean, no
// sampling noise) and decodes the latent solution at every grid time.
func (m *LatentODE) Predict(dst, theta []float64, b *Batch) error {
	m.check(theta, b)
	B, L, w := b.Size, m.cfg.Latent, &m.w
	h := m.encode(theta, b)
	m.posterior(theta, h, B)
	w.states = growF(w.states, len(b.Grid)*B*L)
	if w.solver == nil {
		w.solver = integrate.NewSolver(&m.settings)
	}
	if _, err := w.solver.Solve(w.states, m.fieldFor(B), m.fieldTheta(theta), b.Grid[0], w.mu, b.Grid, nil); err != nil {
		return fmt.Errorf("latent: latent ODE solve: %w", err)
	}
	m.dec.Apply(dst[:len(b.Grid)*B*b.Dim], w.states, theta)
	return nil
}

func (m *LatentODE) check(theta []float64, b *Batch) {
	if len(theta) != m.n || b.Dim != m.cfg.Dim {
		panic(fmt.Sprintf("latent: latent-ode: len(theta)=%d, dim %d; want %d and %d", len(theta), b.Dim, m.n, m.cfg.Dim))
	}
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
