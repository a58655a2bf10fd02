package vision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/physid/physid/learned"
)

// Linear is the affine map y = W·x + b on the flattened sample, W Out×In.
// θ[Off:] holds W row-major then b.
type Linear struct {
	S    Shape
	NOut int
	Off  int
	x    []float64
	n    int
}

// NewLinear reserves the parameters of a map from s.Size() to out features.
func NewLinear(l *learned.Layout, s Shape, out int) *Linear {
	if out < 1 {
		panic("vision: NewLinear: out must be positive")
	}
	lin := &Linear{S: s, NOut: out}
	lin.Off = l.Take(lin.NumParams())
	return lin
}

func (l *Linear) In() Shape      { return l.S }
func (l *Linear) Out() Shape     { return Shape{l.NOut, 1, 1} }
func (l *Linear) NumParams() int { return l.NOut*l.S.Size() + l.NOut }
func (l *Linear) String() string { return fmt.Sprintf("linear %d→%d", l.S.Size(), l.NOut) }

// Init draws W from Glorot's uniform distribution and sets b to zero.
func (l *Linear) Init(theta []float64, rng *rand.Rand) {
	in := l.S.Size()
	a := math.Sqrt(6 / float64(in+l.NOut))
	p := theta[l.Off : l.Off+l.NumParams()]
	for i := range p[:in*l.NOut] {
		p[i] = a * (2*rng.Float64() - 1)
	}
	clear(p[in*l.NOut:])
}

// Forward computes y = x·Wᵀ + b for the batch.
func (l *Linear) Forward(dst, x, theta []float64, n int, _ bool) {
	in, out := l.S.Size(), l.NOut
	l.x, l.n = x, n
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, mat(x, n, in), mat(theta[l.Off:], out, in), 0, mat(dst, n, out))
	b := theta[l.Off+in*out : l.Off+in*out+out]
	for i := range n {
		for j, bj := range b {
			dst[i*out+j] += bj
		}
	}
}

// Backward adds dx = dy·W and dW = dyᵀ·x, db = Σ dy.
func (l *Linear) Backward(dx, dtheta, dy, theta []float64) {
	in, out, n := l.S.Size(), l.NOut, l.n
	g := mat(dy, n, out)
	if dx != nil {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, g, mat(theta[l.Off:], out, in), 1, mat(dx, n, in))
	}
	if dtheta != nil {
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, g, mat(l.x, n, in), 1, mat(dtheta[l.Off:], out, in))
		db := dtheta[l.Off+in*out : l.Off+in*out+out]
		for i := range n {
			for j := range out {
				db[j] += dy[i*out+j]
			}
		}
	}
}

// SoftmaxCrossEntropy returns the mean over the n rows of logits (n×k) of
// −log softmax(logits)[label], and writes its gradient with respect to the
// logits into grad (overwriting). It is computed with the log-sum-exp shift, so
// large logits do not overflow.
func SoftmaxCrossEntropy(grad, logits []float64, labels []uint8, k int) float64 {
	n := len(labels)
	if len(logits) < n*k || len(grad) < n*k {
		panic(fmt.Sprintf("vision: SoftmaxCrossEntropy: %d logits for %d×%d", len(logits), n, k))
	}
	loss := 0.0
	inv := 1 / float64(n)
	for i, lab := range labels {
		row, g := logits[i*k:(i+1)*k], grad[i*k:(i+1)*k]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		s := 0.0
		for j, v := range row {
			g[j] = math.Exp(v - m)
			s += g[j]
		}
		loss += math.Log(s) + m - row[lab]
		for j := range g {
			g[j] *= inv / s
		}
		g[lab] -= inv
	}
	return loss * inv
}

// Softmax writes the row-wise softmax of the n×k logits into dst.
func Softmax(dst, logits []float64, k int) {
	for i := 0; i+k <= len(logits); i += k {
		row, d := logits[i:i+k], dst[i:i+k]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		s := 0.0
		for j, v := range row {
			d[j] = math.Exp(v - m)
			s += d[j]
		}
		for j := range d {
			d[j] /= s
		}
	}
}
