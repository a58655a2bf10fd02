package latent

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned"
)

// ODEConfig sizes a latent ODE and chooses how it is trained. The zero value
// of every field but Dim means its documented default.
type ODEConfig struct {
	// Dim is the number of observed components (14 for the hopper).
	Dim int
	// Latent is the size of the latent state z; 0 means 8.
	Latent int
	// Hidden is the encoder's GRU state size; 0 means 24.
	Hidden int
	// Units is the width of the hidden layers of the latent field (two
	// layers) and of the encoder's ODE (one layer); 0 means 48.
	Units int
	// Method computes the latent ODE's gradient; nil means aca.ACA.
	Method aca.Method
	// Settings configures the latent solve; nil means Dopri5 with rtol 1e-3
	// and atol 1e-4, the tolerances of Rubanova et al.
	Settings *aca.Settings
	// KLWeight β multiplies the mean KL term; 0 means 1e-4, a negative
	// value means no KL term (a deterministic autoencoder). Rubanova et al.'s
	// Gaussian likelihood with σ_obs = 0.01, averaged over points, weighs the
	// KL term by 2σ_obs² = 2e-4 relative to the MSE.
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
// The objective is the masked MSE at the union of observation times plus
// β·mean_b KL(q(z0_b) ‖ N(0, I)), KL = Σ ½(μ² + σ² − 1) − log σ. The gradient
// of the latent solve comes from package aca (ACA, adjoint or naive) with the
// decoder and reconstruction error as the aca.Loss; the encoder, q and decoder
// are differentiated by their explicit backward passes. Prediction uses z0 = μ.
//
// Parameters: encoder GRU, encoder MLP_e, q, MLP_f, decoder.
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
}

var _ Model = (*LatentODE)(nil)

// NewLatentODE builds the model; it fails on a non-positive Dim or size.
func NewLatentODE(cfg ODEConfig) (*LatentODE, error) {
	if cfg.Latent == 0 {
		cfg.Latent = 8
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = 24
	}
	if cfg.Units == 0 {
		cfg.Units = 48
	}
	if cfg.Method == nil {
		cfg.Method = &aca.ACA{}
	}
	if cfg.KLWeight == 0 {
		cfg.KLWeight = 1e-4
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
		m.settings = aca.Settings{RTol: 1e-3, ATol: 1e-4}
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

// Init draws every part's weights (zero biases) and scales the field's
// output layer by 0.1 so that the initial latent flow is gentle.
func (m *LatentODE) Init(theta []float64, rng *rand.Rand) {
	m.gru.Init(theta, rng)
	m.enc.Init(theta, rng)
	m.q.Init(theta, rng)
	ft := m.fieldTheta(theta)
	m.field.Init(ft, rng)
	last := m.field.Net().Layer(len(m.field.Net().Sizes()) - 2)
	for i := range last.Weights(ft) {
		last.Weights(ft)[i] *= 0.1
	}
	m.dec.Init(theta, rng)
}

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

// encOp is one recorded operation of the encoder: an Euler step of size dt
// (gru false) or a masked GRU update at grid index i.
type encOp struct {
	gru   bool
	dt    float64
	i     int
	hIn   []float64
	hOut  []float64
	cellH []float64 // the GRU output before masking
	u     []float64
	rec   []float64
	tape  *learned.Tape
	obs   []float64 // 1 for the rows observed at i
}

// encode runs the ODE-RNN backwards over b.Obs and returns the final state
// (Size×Hidden) and the recorded operations.
func (m *LatentODE) encode(theta []float64, b *Batch) ([]float64, []encOp) {
	B, D, H := b.Size, b.Dim, m.cfg.Hidden
	h := make([]float64, B*H)
	var ops []encOp
	euler := func(from, to float64) {
		n := int(math.Ceil(math.Abs(from-to)/m.cfg.EncoderStep - 1e-9))
		dt := (to - from) / float64(max(n, 1))
		for range n {
			op := encOp{dt: dt, hIn: h, hOut: make([]float64, B*H), tape: new(learned.Tape)}
			m.enc.Forward(op.tape, op.hOut, h, theta, B)
			for k := range op.hOut {
				op.hOut[k] = h[k] + dt*op.hOut[k]
			}
			ops = append(ops, op)
			h = op.hOut
		}
	}
	for j := len(b.Obs) - 1; j >= 0; j-- {
		i := b.Obs[j]
		if j < len(b.Obs)-1 {
			euler(b.Grid[b.Obs[j+1]], b.Grid[i])
		}
		op := encOp{gru: true, i: i, hIn: h, hOut: make([]float64, B*H), cellH: make([]float64, B*H),
			u: make([]float64, B*2*D), rec: make([]float64, m.gru.recLen(B)), obs: make([]float64, B)}
		for r := range B {
			o := (i*B + r) * D
			for c := range D {
				op.u[r*2*D+c] = b.Values[o+c] * b.Mask[o+c]
				op.u[r*2*D+D+c] = b.Mask[o+c]
			}
			if b.anyMask(i, r) {
				op.obs[r] = 1
			}
		}
		m.gru.step(op.rec, op.cellH, op.u, h, theta, B)
		for r := range B {
			for k := r * H; k < (r+1)*H; k++ {
				op.hOut[k] = op.obs[r]*op.cellH[k] + (1-op.obs[r])*h[k]
			}
		}
		ops = append(ops, op)
		h = op.hOut
	}
	if len(b.Obs) > 0 {
		euler(b.Grid[b.Obs[0]], b.Grid[0])
	}
	return h, ops
}

// encodeBack adds the gradient of dh·h_final into dtheta.
func (m *LatentODE) encodeBack(dtheta, dh, theta []float64, ops []encOp, B int) {
	H := m.cfg.Hidden
	dh = append([]float64(nil), dh...)
	tmp := make([]float64, B*H)
	for k := len(ops) - 1; k >= 0; k-- {
		op := ops[k]
		if !op.gru {
			// h' = h + dt·f(h): dh ← dh + Jᵀ(dt·dh), dθ += (∂f/∂θ)ᵀ(dt·dh).
			for j, v := range dh {
				tmp[j] = op.dt * v
			}
			m.enc.Backward(op.tape, dh, dtheta, tmp, theta)
			continue
		}
		// h' = o⊙c + (1−o)⊙h with c = GRU(u, h).
		dprev := make([]float64, B*H)
		for r := range B {
			for j := r * H; j < (r+1)*H; j++ {
				tmp[j] = op.obs[r] * dh[j]
				dprev[j] = (1 - op.obs[r]) * dh[j]
			}
		}
		m.gru.back(op.rec, nil, dprev, dtheta, tmp, op.u, op.hIn, op.cellH, theta, B)
		dh = dprev
	}
}

// posterior returns μ, σ and the raw scale s of q(z0) from the encoder state.
func (m *LatentODE) posterior(theta, h []float64, B int) (mu, sigma, raw []float64) {
	L := m.cfg.Latent
	out := make([]float64, B*2*L)
	m.q.Apply(out, h, theta)
	mu, sigma, raw = make([]float64, B*L), make([]float64, B*L), make([]float64, B*L)
	for r := range B {
		for l := range L {
			mu[r*L+l] = out[r*2*L+l]
			s := out[r*2*L+L+l]
			raw[r*L+l] = s
			sigma[r*L+l] = softplus(s) + 1e-6
		}
	}
	return mu, sigma, raw
}

// decodeLoss is the aca.Loss of a latent solve: decode every state and score
// the masked MSE at the batch's observation times.
type decodeLoss struct {
	m     *LatentODE
	theta []float64
	b     *Batch
	idx   []int
	pred  []float64
	dpred []float64
}

// Eval returns the masked MSE of the decoded states z (len(idx)×Size×Latent)
// and writes its gradient with respect to z into grad.
func (d *decodeLoss) Eval(grad, z []float64) float64 {
	n := len(d.idx) * d.b.Size * d.b.Dim
	d.pred, d.dpred = growF(d.pred, n), growF(d.dpred, n)
	d.m.dec.Apply(d.pred, z, d.theta)
	l := d.b.MaskedMSE(d.dpred, d.pred, d.idx)
	clear(grad)
	d.m.dec.VJP(grad, nil, z, d.dpred, d.theta)
	return l
}

// Loss returns the masked MSE at the observation times plus β·mean KL, and adds
// its gradient into grad.
func (m *LatentODE) Loss(grad, theta []float64, b *Batch, rng *rand.Rand) (float64, error) {
	m.check(theta, b)
	B, L := b.Size, m.cfg.Latent
	h, ops := m.encode(theta, b)
	mu, sigma, raw := m.posterior(theta, h, B)
	eps := make([]float64, B*L)
	z0 := make([]float64, B*L)
	for k := range z0 {
		eps[k] = rng.NormFloat64()
		z0[k] = mu[k] + sigma[k]*eps[k]
	}
	times := make([]float64, len(b.Obs))
	for k, i := range b.Obs {
		times[k] = b.Grid[i]
	}
	dl := &decodeLoss{m: m, theta: theta, b: b, idx: b.Obs}
	prob := &aca.Problem{Model: m.fieldFor(B), Theta: m.fieldTheta(theta), T0: b.Grid[0], Z0: z0, Times: times, Loss: dl}
	res, err := aca.Gradient(prob, &m.settings, m.cfg.Method)
	if err != nil {
		return math.NaN(), fmt.Errorf("latent: latent ODE solve: %w", err)
	}
	// The decoder's own gradient, at the states the solve produced.
	dl.Eval(make([]float64, len(res.States)), res.States)
	m.dec.VJP(nil, grad, res.States, dl.dpred, theta)
	ft := m.fieldTheta(grad)
	for k, v := range res.Theta {
		ft[k] += v
	}
	loss := res.Loss
	beta := m.cfg.KLWeight
	if beta < 0 {
		beta = 0
	}
	// dz0 → (dμ, dσ) → (dμ, ds) → dh through q.
	dq := make([]float64, B*2*L)
	for r := range B {
		for l := range L {
			k := r*L + l
			mk, s := mu[k], sigma[k]
			loss += beta / float64(B) * (0.5*(mk*mk+s*s-1) - math.Log(s))
			dmu := res.Z0[k] + beta/float64(B)*mk
			ds := res.Z0[k]*eps[k] + beta/float64(B)*(s-1/s)
			dq[r*2*L+l] = dmu
			dq[r*2*L+L+l] = ds * sigmoid(raw[k])
		}
	}
	dh := make([]float64, B*m.cfg.Hidden)
	m.q.VJP(dh, grad, h, dq, theta)
	m.encodeBack(grad, dh, theta, ops, B)
	return loss, nil
}

// Predict encodes the observed points, takes z0 = μ and decodes the latent
// solution at every grid time.
func (m *LatentODE) Predict(dst, theta []float64, b *Batch) error {
	m.check(theta, b)
	B, L := b.Size, m.cfg.Latent
	h, _ := m.encode(theta, b)
	mu, _, _ := m.posterior(theta, h, B)
	states := make([]float64, len(b.Grid)*B*L)
	solver := integrate.NewSolver(&m.settings)
	if _, err := solver.Solve(states, m.fieldFor(B), m.fieldTheta(theta), b.Grid[0], mu, b.Grid, nil); err != nil {
		return fmt.Errorf("latent: latent ODE solve: %w", err)
	}
	m.dec.Apply(dst[:len(b.Grid)*B*b.Dim], states, theta)
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
