package vision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/physid/physid/learned"
)

// normEps is the ε added to the variance of every normalisation.
const normEps = 1e-5

// BatchNorm normalises each channel over the batch and the pixels, then scales
// and shifts it: y = γ·(x − μ)/√(σ² + ε) + β (Ioffe & Szegedy 2015). In
// training mode μ, σ² are the batch statistics and the running averages are
// updated with Momentum; in evaluation mode the running averages are used and
// the layer is a fixed affine map. θ[Off:] holds γ then β, one per channel.
type BatchNorm struct {
	S        Shape
	Off      int
	Momentum float64 // weight of the new batch in the running averages; 0 means 0.1
	// RunMean and RunVar are the running statistics used in evaluation mode.
	RunMean, RunVar []float64

	n          int
	train      bool
	xhat, istd []float64
}

// NewBatchNorm reserves γ and β for activations of shape s.
func NewBatchNorm(l *learned.Layout, s Shape) *BatchNorm {
	b := &BatchNorm{S: s, RunMean: make([]float64, s.C), RunVar: make([]float64, s.C)}
	for i := range b.RunVar {
		b.RunVar[i] = 1
	}
	b.Off = l.Take(2 * s.C)
	return b
}

func (b *BatchNorm) In() Shape      { return b.S }
func (b *BatchNorm) Out() Shape     { return b.S }
func (b *BatchNorm) NumParams() int { return 2 * b.S.C }
func (b *BatchNorm) String() string { return fmt.Sprintf("batchnorm %v", b.S) }

// Init sets γ = 1 and β = 0.
func (b *BatchNorm) Init(theta []float64, _ *rand.Rand) { initAffine(theta[b.Off:], b.S.C) }

func initAffine(p []float64, c int) {
	for i := range c {
		p[i], p[c+i] = 1, 0
	}
}

// Forward normalises x into dst.
func (b *BatchNorm) Forward(dst, x, theta []float64, n int, train bool) {
	c, hw := b.S.C, b.S.H*b.S.W
	b.n, b.train = n, train
	b.xhat = grow(b.xhat, n*c*hw)
	b.istd = grow(b.istd, c)
	gamma, beta := theta[b.Off:b.Off+c], theta[b.Off+c:b.Off+2*c]
	mom := b.Momentum
	if mom == 0 {
		mom = 0.1
	}
	m := float64(n * hw)
	for ch := range c {
		mu, v := b.RunMean[ch], b.RunVar[ch]
		if train {
			s := 0.0
			for i := range n {
				for _, xv := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
					s += xv
				}
			}
			mu = s / m
			s = 0
			for i := range n {
				for _, xv := range x[(i*c+ch)*hw : (i*c+ch+1)*hw] {
					s += (xv - mu) * (xv - mu)
				}
			}
			v = s / m
			b.RunMean[ch] = (1-mom)*b.RunMean[ch] + mom*mu
			unbiased := v
			if m > 1 {
				unbiased = v * m / (m - 1)
			}
			b.RunVar[ch] = (1-mom)*b.RunVar[ch] + mom*unbiased
		}
		is := 1 / math.Sqrt(v+normEps)
		b.istd[ch] = is
		for i := range n {
			o := (i*c + ch) * hw
			for j, xv := range x[o : o+hw] {
				xh := (xv - mu) * is
				b.xhat[o+j] = xh
				dst[o+j] = gamma[ch]*xh + beta[ch]
			}
		}
	}
}

// Backward adds the gradients; in training mode it differentiates through the
// batch statistics.
func (b *BatchNorm) Backward(dx, dtheta, dy, theta []float64) {
	c, hw, n := b.S.C, b.S.H*b.S.W, b.n
	gamma := theta[b.Off : b.Off+c]
	m := float64(n * hw)
	for ch := range c {
		sg, sgx := 0.0, 0.0 // Σ dy, Σ dy·x̂
		for i := range n {
			o := (i*c + ch) * hw
			for j, g := range dy[o : o+hw] {
				sg += g
				sgx += g * b.xhat[o+j]
			}
		}
		if dtheta != nil {
			dtheta[b.Off+ch] += sgx
			dtheta[b.Off+c+ch] += sg
		}
		if dx == nil {
			continue
		}
		k := gamma[ch] * b.istd[ch]
		for i := range n {
			o := (i*c + ch) * hw
			for j, g := range dy[o : o+hw] {
				if b.train {
					dx[o+j] += k * (g - sg/m - b.xhat[o+j]*sgx/m)
				} else {
					dx[o+j] += k * g
				}
			}
		}
	}
}

// GroupNorm normalises each sample over groups of channels and their pixels,
// then scales and shifts per channel (Wu & He 2018). It is a pure function of
// one sample, which makes it the normalisation for ODE blocks. θ[Off:] holds γ
// then β, one per channel.
type GroupNorm struct {
	S          Shape
	Groups     int
	Off        int
	n          int
	xhat, istd []float64
}

// NewGroupNorm reserves γ and β; groups must divide s.C.
func NewGroupNorm(l *learned.Layout, s Shape, groups int) *GroupNorm {
	if groups < 1 || s.C%groups != 0 {
		panic(fmt.Sprintf("vision: NewGroupNorm: %d groups for %d channels", groups, s.C))
	}
	return &GroupNorm{S: s, Groups: groups, Off: l.Take(2 * s.C)}
}

// defaultGroups is the largest of 8, 4, 2, 1 that divides c.
func defaultGroups(c int) int {
	for _, g := range []int{8, 4, 2} {
		if c%g == 0 {
			return g
		}
	}
	return 1
}

func (g *GroupNorm) In() Shape      { return g.S }
func (g *GroupNorm) Out() Shape     { return g.S }
func (g *GroupNorm) NumParams() int { return 2 * g.S.C }
func (g *GroupNorm) String() string { return fmt.Sprintf("groupnorm/%d %v", g.Groups, g.S) }

// Init sets γ = 1 and β = 0.
func (g *GroupNorm) Init(theta []float64, _ *rand.Rand) { initAffine(theta[g.Off:], g.S.C) }

// Forward normalises each sample's groups.
func (g *GroupNorm) Forward(dst, x, theta []float64, n int, _ bool) {
	c, hw := g.S.C, g.S.H*g.S.W
	cg := c / g.Groups
	gs := cg * hw
	g.n = n
	g.xhat = grow(g.xhat, n*c*hw)
	g.istd = grow(g.istd, n*g.Groups)
	gamma, beta := theta[g.Off:g.Off+c], theta[g.Off+c:g.Off+2*c]
	forChunks(n, func(_, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			for k := range g.Groups {
				o := i*c*hw + k*gs
				xs := x[o : o+gs]
				s := 0.0
				for _, v := range xs {
					s += v
				}
				mu := s / float64(gs)
				s = 0
				for _, v := range xs {
					s += (v - mu) * (v - mu)
				}
				is := 1 / math.Sqrt(s/float64(gs)+normEps)
				g.istd[i*g.Groups+k] = is
				for j, v := range xs {
					xh := (v - mu) * is
					ch := k*cg + j/hw
					g.xhat[o+j] = xh
					dst[o+j] = gamma[ch]*xh + beta[ch]
				}
			}
		}
	})
}

// Backward adds the gradients through the per-group statistics.
func (g *GroupNorm) Backward(dx, dtheta, dy, theta []float64) {
	c, hw, n := g.S.C, g.S.H*g.S.W, g.n
	cg := c / g.Groups
	gs := cg * hw
	gamma := theta[g.Off : g.Off+c]
	if dtheta != nil {
		for i := range n { // serial, in sample order: deterministic
			for j := range c * hw {
				ch := j / hw
				dtheta[g.Off+ch] += dy[i*c*hw+j] * g.xhat[i*c*hw+j]
				dtheta[g.Off+c+ch] += dy[i*c*hw+j]
			}
		}
	}
	if dx == nil {
		return
	}
	forChunks(n, func(_, _, lo, hi int) {
		for i := lo; i < hi; i++ {
			for k := range g.Groups {
				o := i*c*hw + k*gs
				sg, sgx := 0.0, 0.0 // Σ γ·dy, Σ γ·dy·x̂
				for j := range gs {
					gy := gamma[k*cg+j/hw] * dy[o+j]
					sg += gy
					sgx += gy * g.xhat[o+j]
				}
				is, m := g.istd[i*g.Groups+k], float64(gs)
				for j := range gs {
					gy := gamma[k*cg+j/hw] * dy[o+j]
					dx[o+j] += is * (gy - sg/m - g.xhat[o+j]*sgx/m)
				}
			}
		}
	})
}
