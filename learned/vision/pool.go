package vision

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// Pool is a 2×2 (generally K×K, stride K) average or max pooling; a trailing
// row or column that does not fill a window is dropped.
type Pool struct {
	S, O Shape
	K    int
	Max  bool
	n    int
	arg  []int // index in x of each output's maximum (max pooling)
}

// NewAvgPool and NewMaxPool return K×K pooling with stride K.
func NewAvgPool(s Shape, k int) *Pool { return newPool(s, k, false) }

// NewMaxPool returns K×K max pooling with stride K.
func NewMaxPool(s Shape, k int) *Pool { return newPool(s, k, true) }

func newPool(s Shape, k int, isMax bool) *Pool {
	if k < 1 || s.H < k || s.W < k {
		panic(fmt.Sprintf("vision: pooling %d×%d on %v", k, k, s))
	}
	return &Pool{S: s, O: Shape{s.C, s.H / k, s.W / k}, K: k, Max: isMax}
}

func (p *Pool) In() Shape                  { return p.S }
func (p *Pool) Out() Shape                 { return p.O }
func (p *Pool) NumParams() int             { return 0 }
func (p *Pool) Init([]float64, *rand.Rand) {}
func (p *Pool) String() string {
	if p.Max {
		return fmt.Sprintf("maxpool%d", p.K)
	}
	return fmt.Sprintf("avgpool%d", p.K)
}

// Forward pools each window.
func (p *Pool) Forward(dst, x, _ []float64, n int, _ bool) {
	p.n = n
	if p.Max && cap(p.arg) < n*p.O.Size() {
		p.arg = make([]int, n*p.O.Size())
	}
	h, w, k := p.S.H, p.S.W, p.K
	inv := 1 / float64(k*k)
	o := 0
	for pl := range n * p.S.C {
		base := pl * h * w
		for oi := range p.O.H {
			for oj := range p.O.W {
				best, at, s := math.Inf(-1), 0, 0.0
				for a := range k {
					row := base + (oi*k+a)*w + oj*k
					for b := range k {
						v := x[row+b]
						s += v
						if v > best {
							best, at = v, row+b
						}
					}
				}
				if p.Max {
					dst[o], p.arg[o] = best, at
				} else {
					dst[o] = s * inv
				}
				o++
			}
		}
	}
}

// Backward routes dy to the window maxima or spreads it evenly.
func (p *Pool) Backward(dx, _, dy, _ []float64) {
	if dx == nil {
		return
	}
	n := p.n * p.O.Size()
	if p.Max {
		for o, g := range dy[:n] {
			dx[p.arg[o]] += g
		}
		return
	}
	h, w, k := p.S.H, p.S.W, p.K
	inv := 1 / float64(k*k)
	o := 0
	for pl := range p.n * p.S.C {
		base := pl * h * w
		for oi := range p.O.H {
			for oj := range p.O.W {
				g := dy[o] * inv
				o++
				for a := range k {
					row := base + (oi*k+a)*w + oj*k
					for b := range k {
						dx[row+b] += g
					}
				}
			}
		}
	}
}

// GlobalAvgPool averages each channel over its pixels: C×H×W → C×1×1.
type GlobalAvgPool struct {
	S Shape
	n int
}

// NewGlobalAvgPool returns global average pooling on s.
func NewGlobalAvgPool(s Shape) *GlobalAvgPool { return &GlobalAvgPool{S: s} }

func (p *GlobalAvgPool) In() Shape                  { return p.S }
func (p *GlobalAvgPool) Out() Shape                 { return Shape{p.S.C, 1, 1} }
func (p *GlobalAvgPool) NumParams() int             { return 0 }
func (p *GlobalAvgPool) Init([]float64, *rand.Rand) {}
func (p *GlobalAvgPool) String() string             { return "gap" }

// Forward averages each plane.
func (p *GlobalAvgPool) Forward(dst, x, _ []float64, n int, _ bool) {
	p.n = n
	hw := p.S.H * p.S.W
	for pl := range n * p.S.C {
		s := 0.0
		for _, v := range x[pl*hw : (pl+1)*hw] {
			s += v
		}
		dst[pl] = s / float64(hw)
	}
}

// Backward spreads each gradient evenly over its plane.
func (p *GlobalAvgPool) Backward(dx, _, dy, _ []float64) {
	if dx == nil {
		return
	}
	hw := p.S.H * p.S.W
	for pl := range p.n * p.S.C {
		floats.AddConst(dy[pl]/float64(hw), dx[pl*hw:(pl+1)*hw])
	}
}
