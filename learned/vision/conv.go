package vision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/physid/physid/learned"
)

// Conv2d is a 2-D convolution (cross-correlation) with a K×K kernel, stride
// and zero padding, computed per sample as one matrix product on the patch
// (im2col) matrix: y_n = W·cols(x_n) + b with W of Out.C × (In.C·K·K). Its
// parameters are θ[Off:] = W row-major, then Out.C biases when Bias is set.
//
// The matrix products run in float64, or in float32 when Float32 is set:
// gonum's float32 kernels are about 1.8× faster (a NODE training step
// 1.25×), and the inputs, outputs and gradients stay float64 (the products
// then carry float32 rounding, a relative 1e-7 per sum, so
// finite-difference checks need float64).
type Conv2d struct {
	S, O           Shape
	K, Stride, Pad int
	Bias           bool
	Off            int
	// Float32 computes the matrix products in single precision.
	Float32 bool

	x    []float64
	n    int
	dbuf []float64 // per-chunk parameter gradients
	k64  convWork[float64]
	k32  convWork[float32]
}

// NewConv2d reserves the parameters of a conv layer from in to out channels.
func NewConv2d(l *learned.Layout, in Shape, out, k, stride, pad int, bias bool) *Conv2d {
	if out < 1 || k < 1 || stride < 1 || pad < 0 {
		panic(fmt.Sprintf("vision: NewConv2d: out=%d k=%d stride=%d pad=%d", out, k, stride, pad))
	}
	ho, wo := (in.H+2*pad-k)/stride+1, (in.W+2*pad-k)/stride+1
	if ho < 1 || wo < 1 {
		panic(fmt.Sprintf("vision: NewConv2d: kernel %d does not fit %v", k, in))
	}
	c := &Conv2d{S: in, O: Shape{out, ho, wo}, K: k, Stride: stride, Pad: pad, Bias: bias}
	c.Off = l.Take(c.NumParams())
	return c
}

func (c *Conv2d) In() Shape  { return c.S }
func (c *Conv2d) Out() Shape { return c.O }

// NumParams is Out.C·In.C·K² (+ Out.C with a bias).
func (c *Conv2d) NumParams() int {
	n := c.O.C * c.S.C * c.K * c.K
	if c.Bias {
		n += c.O.C
	}
	return n
}

func (c *Conv2d) String() string {
	return fmt.Sprintf("conv%dx%d/%d %v→%v", c.K, c.K, c.Stride, c.S, c.O)
}

// Init draws W from He's uniform distribution and sets biases to zero.
func (c *Conv2d) Init(theta []float64, rng *rand.Rand) {
	p := theta[c.Off : c.Off+c.NumParams()]
	fan := c.S.C * c.K * c.K
	a := math.Sqrt(6 / float64(fan))
	nw := c.O.C * fan
	for i := range p[:nw] {
		p[i] = a * (2*rng.Float64() - 1)
	}
	clear(p[nw:])
}

func (c *Conv2d) rows() int { return c.S.C * c.K * c.K }

// Forward computes the convolution of each sample.
func (c *Conv2d) Forward(dst, x, theta []float64, n int, _ bool) {
	c.x, c.n = x, n
	if c.Float32 {
		c.k32.forward(c, dst, x, theta, n)
	} else {
		c.k64.forward(c, dst, x, theta, n)
	}
}

// Backward adds the input and weight gradients.
func (c *Conv2d) Backward(dx, dtheta, dy, theta []float64) {
	np, nc := c.NumParams(), numChunks(c.n)
	if dtheta != nil {
		c.dbuf = grow(c.dbuf, nc*np)
		clear(c.dbuf)
	}
	if c.Float32 {
		c.k32.backward(c, dx, dtheta, dy, theta)
	} else {
		c.k64.backward(c, dx, dtheta, dy, theta)
	}
	if dtheta != nil {
		reduceChunks(dtheta[c.Off:c.Off+np], c.dbuf, nc)
	}
}

// float is the precision of a convolution's matrix products.
type float interface{ float32 | float64 }

// convWork is the workspace of a Conv2d's matrix products in precision T:
// the weights, the turned kernel and per-worker scratch.
type convWork[T float] struct {
	w, wflip []T
	cols     [][]T // patch matrices
	y        [][]T // one sample's output or output gradient
	d        [][]T // one sample's input or weight gradient
}

// weights copies the kernel W (Out.C × In.C·K²) into k.w.
func (k *convWork[T]) weights(c *Conv2d, theta []float64) {
	nw := c.O.C * c.rows()
	k.w = grow(k.w, nw)
	for i, v := range theta[c.Off : c.Off+nw] {
		k.w[i] = T(v)
	}
}

func (k *convWork[T]) scratch(c *Conv2d, n int) {
	nw := workers(n)
	hw, hwIn := c.O.H*c.O.W, c.S.H*c.S.W
	for len(k.cols) < nw {
		k.cols, k.y, k.d = append(k.cols, nil), append(k.y, nil), append(k.d, nil)
	}
	for w := range nw {
		k.cols[w] = grow(k.cols[w], max(c.rows()*hw, hwIn*c.O.C*c.K*c.K))
		k.y[w] = grow(k.y[w], c.O.Size())
		k.d[w] = grow(k.d[w], max(c.S.Size(), c.O.C*c.rows()))
	}
}

// forward is Conv2d.Forward: W times the transposed patch matrix, so that
// both operands run along the In.C·K·K axis, which gonum multiplies with dot
// products (about 1.7× faster than the axpy updates of W·cols).
func (k *convWork[T]) forward(c *Conv2d, dst, x, theta []float64, n int) {
	k.scratch(c, n)
	k.weights(c, theta)
	in, out, hw, nr := c.S.Size(), c.O.Size(), c.O.H*c.O.W, c.rows()
	forChunks(n, func(w, _, lo, hi int) {
		cols, y := k.cols[w], k.y[w]
		for s := lo; s < hi; s++ {
			patches(cols, x[s*in:(s+1)*in], c.S, c.O.H, c.O.W, c.K, c.Stride, c.Pad)
			mulNT(c.O.C, hw, nr, k.w, cols, y)
			ys := dst[s*out : (s+1)*out]
			for i, v := range y {
				ys[i] = float64(v)
			}
			if c.Bias {
				b := theta[c.Off+c.O.C*nr : c.Off+c.NumParams()]
				for j, bj := range b {
					yj := ys[j*hw : (j+1)*hw]
					for i := range yj {
						yj[i] += bj
					}
				}
			}
		}
	})
}

// backward is Conv2d.Backward. The weight gradient is dy·colsᵀ (dot products
// along the output pixels). With stride 1 the input gradient is itself a
// convolution — of dy with the kernel turned by 180° and its channel axes
// swapped, padded by K−1−Pad — computed like forward; other strides multiply
// Wᵀ·dy and scatter the patches back (col2im).
func (k *convWork[T]) backward(c *Conv2d, dx, dtheta, dy, theta []float64) {
	n := c.n
	in, out, hw, nr, np := c.S.Size(), c.O.Size(), c.O.H*c.O.W, c.rows(), c.NumParams()
	flip := c.Stride == 1 && c.Pad <= c.K-1
	k.weights(c, theta)
	if flip && dx != nil {
		k.turn(c)
	}
	forChunks(n, func(w, ch, lo, hi int) {
		cols, g, d := k.cols[w], k.y[w], k.d[w]
		for s := lo; s < hi; s++ {
			dys := dy[s*out : (s+1)*out]
			for i, v := range dys {
				g[i] = T(v)
			}
			if dtheta != nil {
				im2col(cols, c.x[s*in:(s+1)*in], c)
				dw := d[:c.O.C*nr]
				mulNT(c.O.C, nr, hw, g, cols, dw)
				db := c.dbuf[ch*np : (ch+1)*np]
				for i, v := range dw {
					db[i] += float64(v)
				}
				if c.Bias {
					bb := db[c.O.C*nr:]
					for j := range bb {
						for _, v := range dys[j*hw : (j+1)*hw] {
							bb[j] += v
						}
					}
				}
			}
			if dx == nil {
				continue
			}
			dxs := dx[s*in : (s+1)*in]
			if flip {
				hwIn, nrf := c.S.H*c.S.W, c.O.C*c.K*c.K
				patches(cols, g, c.O, c.S.H, c.S.W, c.K, 1, c.K-1-c.Pad)
				mulNT(c.S.C, hwIn, nrf, k.wflip, cols, d[:in])
				for i, v := range d[:in] {
					dxs[i] += float64(v)
				}
				continue
			}
			mulTN(nr, hw, c.O.C, k.w, g, cols)
			col2im(dxs, cols, c)
		}
	})
}

// turn fills k.wflip, In.C × (Out.C·K·K), with the kernel turned by 180°
// and its channel axes swapped: wflip[ci, (co·K + a)·K + b] = W[co, ci, K−1−a, K−1−b].
func (k *convWork[T]) turn(c *Conv2d) {
	kk := c.K * c.K
	k.wflip = grow(k.wflip, c.S.C*c.O.C*kk)
	for ci := range c.S.C {
		for co := range c.O.C {
			src := k.w[(co*c.S.C+ci)*kk : (co*c.S.C+ci+1)*kk]
			dst := k.wflip[(ci*c.O.C+co)*kk : (ci*c.O.C+co+1)*kk]
			for i, v := range src {
				dst[kk-1-i] = v
			}
		}
	}
}

// patches writes the transposed patch matrix of one sample x of shape s for
// an ho×wo output: one row per output pixel p = oi·wo + oj, holding
// x[ch, oi·stride − pad + ki, oj·stride − pad + kj] at column (ch·k + ki)·k + kj,
// and 0 where that falls outside the image.
func patches[T, S float](dst []T, x []S, s Shape, ho, wo, k, stride, pad int) {
	h, w := s.H, s.W
	nr := s.C * k * k
	// Output columns [lo, hi) read only inside the image row.
	lo := min(wo, (pad+stride-1)/stride)
	hi := max(lo, min(wo, (w-k+pad)/stride+1))
	for oi := range ho {
		out := dst[oi*wo*nr : (oi+1)*wo*nr]
		r := 0
		for ch := range s.C {
			xc := x[ch*h*w : (ch+1)*h*w]
			for ki := range k {
				ii := oi*stride - pad + ki
				if ii < 0 || ii >= h {
					for oj := range wo {
						clear(out[oj*nr+r : oj*nr+r+k])
					}
					r += k
					continue
				}
				xr := xc[ii*w : (ii+1)*w]
				edge := func(oj int) {
					seg := out[oj*nr+r : oj*nr+r+k]
					for kj := range seg {
						if jj := oj*stride - pad + kj; jj >= 0 && jj < w {
							seg[kj] = T(xr[jj])
						} else {
							seg[kj] = 0
						}
					}
				}
				for oj := range lo {
					edge(oj)
				}
				for oj := lo; oj < hi; oj++ {
					j0 := oj*stride - pad
					seg, src := out[oj*nr+r:oj*nr+r+k], xr[j0:j0+k]
					for kj, v := range src {
						seg[kj] = T(v)
					}
				}
				for oj := hi; oj < wo; oj++ {
					edge(oj)
				}
				r += k
			}
		}
	}
}

// im2col writes the (In.C·K·K) × (Ho·Wo) patch matrix of one sample.
func im2col[T float](dst []T, x []float64, c *Conv2d) {
	ho, wo := c.O.H, c.O.W
	h, w := c.S.H, c.S.W
	r := 0
	for ch := range c.S.C {
		xc := x[ch*h*w : (ch+1)*h*w]
		for ki := range c.K {
			for kj := range c.K {
				row := dst[r*ho*wo : (r+1)*ho*wo]
				r++
				for oi := range ho {
					ii := oi*c.Stride - c.Pad + ki
					out := row[oi*wo : (oi+1)*wo]
					if ii < 0 || ii >= h {
						clear(out)
						continue
					}
					xr := xc[ii*w : (ii+1)*w]
					for oj := range wo {
						jj := oj*c.Stride - c.Pad + kj
						if jj < 0 || jj >= w {
							out[oj] = 0
						} else {
							out[oj] = T(xr[jj])
						}
					}
				}
			}
		}
	}
}

// col2im adds the patch matrix src back into the image dx of one sample.
func col2im[T float](dx []float64, src []T, c *Conv2d) {
	ho, wo := c.O.H, c.O.W
	h, w := c.S.H, c.S.W
	r := 0
	for ch := range c.S.C {
		xc := dx[ch*h*w : (ch+1)*h*w]
		for ki := range c.K {
			for kj := range c.K {
				row := src[r*ho*wo : (r+1)*ho*wo]
				r++
				for oi := range ho {
					ii := oi*c.Stride - c.Pad + ki
					if ii < 0 || ii >= h {
						continue
					}
					xr := xc[ii*w : (ii+1)*w]
					for oj, v := range row[oi*wo : (oi+1)*wo] {
						jj := oj*c.Stride - c.Pad + kj
						if jj >= 0 && jj < w {
							xr[jj] += float64(v)
						}
					}
				}
			}
		}
	}
}

// mulNT sets c (m×n) = a (m×k) · bᵀ, with b n×k; all row-major and dense.
func mulNT[T float](m, n, k int, a, b, c []T) { mulT(blas.NoTrans, blas.Trans, m, n, k, a, b, c) }

// mulTN sets c (m×n) = aᵀ · b, with a k×m and b k×n.
func mulTN[T float](m, n, k int, a, b, c []T) { mulT(blas.Trans, blas.NoTrans, m, n, k, a, b, c) }

// mulT is the dense product c = op(a)·op(b) in T's precision, on the
// calling goroutine (see gemm).
func mulT[T float](tA, tB blas.Transpose, m, n, k int, a, b, c []T) {
	ra, ca := m, k
	if tA == blas.Trans {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB == blas.Trans {
		rb, cb = n, k
	}
	switch a := any(a).(type) {
	case []float64:
		b, c := any(b).([]float64), any(c).([]float64)
		gemm(tA, tB, 1, mat(a, ra, ca), mat(b, rb, cb), 0, mat(c, m, n))
	case []float32:
		b, c := any(b).([]float32), any(c).([]float32)
		gemm32(tA, tB, 1, mat32(a, ra, ca), mat32(b, rb, cb), 0, mat32(c, m, n))
	}
}

func mat32(data []float32, r, cols int) blas32.General {
	return blas32.General{Rows: r, Cols: cols, Stride: cols, Data: data[:r*cols]}
}

func mat(data []float64, r, cols int) blas64.General {
	return blas64.General{Rows: r, Cols: cols, Stride: cols, Data: data[:r*cols]}
}
