package vision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/physid/physid/learned"
)

// Conv2d is a 2-D convolution (cross-correlation) with a K×K kernel, stride
// and zero padding, computed per sample as one matrix product on the im2col
// matrix: y_n = W·cols(x_n) + b with W of Out.C × (In.C·K·K). Its parameters
// are θ[Off:] = W row-major, then Out.C biases when Bias is set.
type Conv2d struct {
	S, O           Shape
	K, Stride, Pad int
	Bias           bool
	Off            int
	x              []float64
	n              int
	cols           [][]float64 // per-worker im2col scratch
	dcols          [][]float64
	dbuf           []float64 // per-chunk parameter gradients
	wflip          []float64 // the kernel turned for the input gradient
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

// im2col writes the (In.C·K·K) × (Ho·Wo) patch matrix of one sample.
func (c *Conv2d) im2col(dst, x []float64) {
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
							out[oj] = xr[jj]
						}
					}
				}
			}
		}
	}
}

// col2im adds the patch matrix src back into the image dx of one sample.
func (c *Conv2d) col2im(dx, src []float64) {
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
							xr[jj] += v
						}
					}
				}
			}
		}
	}
}

func (c *Conv2d) scratch(n int) {
	nw := workers(n)
	m := c.rows() * c.O.H * c.O.W
	for len(c.cols) < nw {
		c.cols = append(c.cols, nil)
		c.dcols = append(c.dcols, nil)
	}
	for w := range nw {
		c.cols[w] = grow(c.cols[w], m)
	}
}

func mat(data []float64, r, cols int) blas64.General {
	return blas64.General{Rows: r, Cols: cols, Stride: cols, Data: data[:r*cols]}
}

// Forward computes the convolution of each sample, as W times the transposed
// patch matrix: both operands then run along the In.C·K·K axis, and gonum
// multiplies that layout with dot products, about 1.7× faster than the
// axpy updates of W·cols.
func (c *Conv2d) Forward(dst, x, theta []float64, n int, _ bool) {
	c.x, c.n = x, n
	c.scratch(n)
	in, out, hw := c.S.Size(), c.O.Size(), c.O.H*c.O.W
	wt := mat(theta[c.Off:], c.O.C, c.rows())
	forChunks(n, func(w, _, lo, hi int) {
		cols := c.cols[w]
		for s := lo; s < hi; s++ {
			patches(cols, x[s*in:(s+1)*in], c.S, c.O.H, c.O.W, c.K, c.Stride, c.Pad)
			y := dst[s*out : (s+1)*out]
			gemm(blas.NoTrans, blas.Trans, 1, wt, mat(cols, hw, c.rows()), 0, mat(y, c.O.C, hw))
			if c.Bias {
				b := theta[c.Off+c.O.C*c.rows() : c.Off+c.NumParams()]
				for k, bk := range b {
					yk := y[k*hw : (k+1)*hw]
					for i := range yk {
						yk[i] += bk
					}
				}
			}
		}
	})
}

// patches writes the transposed patch matrix of one sample x of shape s for
// an ho×wo output: one row per output pixel p = oi·wo + oj, holding
// x[ch, oi·stride − pad + ki, oj·stride − pad + kj] at column (ch·k + ki)·k + kj,
// and 0 where that falls outside the image.
func patches(dst, x []float64, s Shape, ho, wo, k, stride, pad int) {
	h, w := s.H, s.W
	nr := s.C * k * k
	for oi := range ho {
		for oj := range wo {
			row := dst[(oi*wo+oj)*nr : (oi*wo+oj+1)*nr]
			j0 := oj*stride - pad
			r := 0
			for ch := range s.C {
				xc := x[ch*h*w : (ch+1)*h*w]
				for ki := range k {
					ii := oi*stride - pad + ki
					seg := row[r : r+k]
					r += k
					if ii < 0 || ii >= h {
						clear(seg)
						continue
					}
					xr := xc[ii*w : (ii+1)*w]
					if j0 >= 0 && j0+k <= w {
						copy(seg, xr[j0:j0+k])
						continue
					}
					for kj := range seg {
						if jj := j0 + kj; jj >= 0 && jj < w {
							seg[kj] = xr[jj]
						} else {
							seg[kj] = 0
						}
					}
				}
			}
		}
	}
}

// Backward adds the input and weight gradients. The weight gradient is
// dy·colsᵀ (dot products along the output pixels). With stride 1 the input
// gradient is itself a convolution — of dy with the kernel turned by 180° and
// its channel axes swapped, padded by K−1−Pad — computed like Forward; other
// strides multiply Wᵀ·dy and scatter the patches back (col2im).
func (c *Conv2d) Backward(dx, dtheta, dy, theta []float64) {
	n := c.n
	in, out, hw := c.S.Size(), c.O.Size(), c.O.H*c.O.W
	np, nr := c.NumParams(), c.rows()
	nc := numChunks(n)
	if dtheta != nil {
		c.dbuf = grow(c.dbuf, nc*np)
		clear(c.dbuf)
	}
	flip := c.Stride == 1 && c.Pad <= c.K-1
	ndc := nr * hw
	if flip {
		ndc = c.S.H * c.S.W * c.O.C * c.K * c.K
		c.flipped(theta)
	}
	for w := range workers(n) {
		c.dcols[w] = grow(c.dcols[w], ndc)
	}
	wt := mat(theta[c.Off:], c.O.C, nr)
	forChunks(n, func(w, ch, lo, hi int) {
		cols, dcols := c.cols[w], c.dcols[w]
		for s := lo; s < hi; s++ {
			g := mat(dy[s*out:(s+1)*out], c.O.C, hw)
			if dtheta != nil {
				c.im2col(cols, c.x[s*in:(s+1)*in])
				db := c.dbuf[ch*np : (ch+1)*np]
				gemm(blas.NoTrans, blas.Trans, 1, g, mat(cols, nr, hw), 1, mat(db, c.O.C, nr))
				if c.Bias {
					bb := db[c.O.C*nr:]
					for k := range bb {
						for _, v := range g.Data[k*hw : (k+1)*hw] {
							bb[k] += v
						}
					}
				}
			}
			switch {
			case dx == nil:
			case flip:
				nrf := c.O.C * c.K * c.K
				patches(dcols, g.Data, c.O, c.S.H, c.S.W, c.K, 1, c.K-1-c.Pad)
				gemm(blas.NoTrans, blas.Trans, 1, mat(c.wflip, c.S.C, nrf), mat(dcols, c.S.H*c.S.W, nrf), 1, mat(dx[s*in:(s+1)*in], c.S.C, c.S.H*c.S.W))
			default:
				gemm(blas.Trans, blas.NoTrans, 1, wt, g, 0, mat(dcols, nr, hw))
				c.col2im(dx[s*in:(s+1)*in], dcols)
			}
		}
	})
	if dtheta != nil {
		reduceChunks(dtheta[c.Off:c.Off+np], c.dbuf, nc)
	}
}

// flipped fills c.wflip, In.C × (Out.C·K·K), with the kernel turned by 180°
// and its channel axes swapped: wflip[ci, (co·K + a)·K + b] = W[co, ci, K−1−a, K−1−b].
func (c *Conv2d) flipped(theta []float64) {
	k := c.K
	c.wflip = grow(c.wflip, c.S.C*c.O.C*k*k)
	w := theta[c.Off:]
	for ci := range c.S.C {
		for co := range c.O.C {
			src := w[(co*c.S.C+ci)*k*k : (co*c.S.C+ci+1)*k*k]
			dst := c.wflip[(ci*c.O.C+co)*k*k : (ci*c.O.C+co+1)*k*k]
			for i, v := range src {
				dst[k*k-1-i] = v
			}
		}
	}
}
