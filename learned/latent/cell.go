package latent

import (
	"math"
	"math/rand/v2"

	"github.com/physid/physid/learned"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// cell is one step of a recurrent cell on a batch of rows: h' = cell(x, h).
// step records in rec (recLen long) what back needs; back adds the gradients
// of dh'·h' into dx, dh and dtheta (nil skips dx), using work (workLen long)
// as scratch, so neither allocates.
type cell interface {
	NumParams() int
	Init(theta []float64, rng *rand.Rand)
	sizes() (in, hidden int)
	recLen(batch int) int
	workLen(batch int) int
	step(rec, hNext, x, h, theta []float64, batch int)
	back(rec, work, dx, dh, dtheta, dhNext, x, h, hNext, theta []float64, batch int)
}

// general views data as a rows×cols row-major matrix.
func general(data []float64, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

// mulXWt sets y = x·Wᵀ + beta·y for x b×in and W out×in.
func mulXWt(y, x, w []float64, b, in, out int, beta float64) {
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, general(x, b, in), general(w, out, in), beta, general(y, b, out))
}

// mulGW sets dx = g·W + beta·dx for g b×out and W out×in.
func mulGW(dx, g, w []float64, b, in, out int, beta float64) {
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, general(g, b, out), general(w, out, in), beta, general(dx, b, in))
}

// addGtX adds gᵀ·x (out×in) to dw for g b×out and x b×in.
func addGtX(dw, g, x []float64, b, in, out int) {
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, general(g, b, out), general(x, b, in), 1, general(dw, out, in))
}

// addRows adds v to every row of the b×len(v) matrix y.
func addRows(y, v []float64, b int) {
	n := len(v)
	for r := range b {
		floats.Add(y[r*n:(r+1)*n], v)
	}
}

// addColSums adds the column sums of the b×len(dst) matrix g to dst.
func addColSums(dst, g []float64, b int) {
	n := len(dst)
	for r := range b {
		floats.Add(dst, g[r*n:(r+1)*n])
	}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// rnnCell is the Elman cell h' = tanh(Wx·x + Wh·h + b). Parameters from Off:
// Wx (H×In), Wh (H×H), b (H).
type rnnCell struct {
	In, Hidden, Off int
}

func newRNNCell(l *learned.Layout, in, hidden int) rnnCell {
	return rnnCell{In: in, Hidden: hidden, Off: l.Take(hidden*(in+hidden) + hidden)}
}

func (c rnnCell) NumParams() int          { return c.Hidden*(c.In+c.Hidden) + c.Hidden }
func (c rnnCell) sizes() (in, hidden int) { return c.In, c.Hidden }
func (c rnnCell) recLen(int) int          { return 0 }
func (c rnnCell) workLen(B int) int       { return B * c.Hidden }

func (c rnnCell) views(theta []float64) (wx, wh, b []float64) {
	H, o := c.Hidden, c.Off
	wx, o = theta[o:o+H*c.In], o+H*c.In
	wh, o = theta[o:o+H*H], o+H*H
	return wx, wh, theta[o : o+H]
}

func (c rnnCell) Init(theta []float64, rng *rand.Rand) {
	wx, wh, b := c.views(theta)
	glorot(wx, c.In, c.Hidden, rng)
	glorot(wh, c.Hidden, c.Hidden, rng)
	clear(b)
}

func (c rnnCell) step(_, hNext, x, h, theta []float64, B int) {
	wx, wh, b := c.views(theta)
	mulXWt(hNext, x, wx, B, c.In, c.Hidden, 0)
	mulXWt(hNext, h, wh, B, c.Hidden, c.Hidden, 1)
	addRows(hNext, b, B)
	for i, v := range hNext[:B*c.Hidden] {
		hNext[i] = math.Tanh(v)
	}
}

// back: with g = dh'⊙(1 − h'²): dWx += gᵀx, dWh += gᵀh, db += Σg, dx += g·Wx,
// dh += g·Wh.
func (c rnnCell) back(_, work, dx, dh, dtheta, dhNext, x, h, hNext, theta []float64, B int) {
	H := c.Hidden
	g := work[:B*H]
	for i, y := range hNext[:B*H] {
		g[i] = dhNext[i] * (1 - y*y)
	}
	wx, wh, _ := c.views(theta)
	dwx, dwh, db := c.views(dtheta)
	addGtX(dwx, g, x, B, c.In, H)
	addGtX(dwh, g, h, B, H, H)
	addColSums(db, g, B)
	if dx != nil {
		mulGW(dx, g, wx, B, c.In, H, 1)
	}
	mulGW(dh, g, wh, B, H, H, 1)
}

// gruCell is the GRU of learned.GRU (PyTorch's form) as a single step:
//
//	r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r⊙gh_n),
//	h' = (1 − z)⊙n + z⊙h,  gx = Wx·x + bx, gh = Wh·h + bh.
//
// Parameters from Off: Wx (3H×In), bx (3H), Wh (3H×H), bh (3H), gate rows r, z, n.
type gruCell struct {
	In, Hidden, Off int
}

func newGRUCell(l *learned.Layout, in, hidden int) gruCell {
	return gruCell{In: in, Hidden: hidden, Off: l.Take(3*hidden*(in+hidden) + 6*hidden)}
}

func (c gruCell) NumParams() int          { return 3*c.Hidden*(c.In+c.Hidden) + 6*c.Hidden }
func (c gruCell) sizes() (in, hidden int) { return c.In, c.Hidden }

// recLen: per row the gates r, z, n and gh (3H each).
func (c gruCell) recLen(B int) int { return 6 * B * c.Hidden }

// workLen: dgx and dgh (3H per row each).
func (c gruCell) workLen(B int) int { return 6 * B * c.Hidden }

func (c gruCell) views(theta []float64) (wx, bx, wh, bh []float64) {
	g, o := 3*c.Hidden, c.Off
	wx, o = theta[o:o+g*c.In], o+g*c.In
	bx, o = theta[o:o+g], o+g
	wh, o = theta[o:o+g*c.Hidden], o+g*c.Hidden
	return wx, bx, wh, theta[o : o+g]
}

func (c gruCell) Init(theta []float64, rng *rand.Rand) {
	wx, bx, wh, bh := c.views(theta)
	glorot(wx, c.In, 3*c.Hidden, rng)
	glorot(wh, c.Hidden, 3*c.Hidden, rng)
	clear(bx)
	clear(bh)
}

func (c gruCell) step(rec, hNext, x, h, theta []float64, B int) {
	H := c.Hidden
	gates, gh := rec[:3*B*H], rec[3*B*H:6*B*H]
	wx, bx, wh, bh := c.views(theta)
	mulXWt(gates, x, wx, B, c.In, 3*H, 0)
	addRows(gates, bx, B)
	mulXWt(gh, h, wh, B, H, 3*H, 0)
	addRows(gh, bh, B)
	for r := range B {
		a, g := gates[r*3*H:(r+1)*3*H], gh[r*3*H:(r+1)*3*H]
		hp, hn := h[r*H:(r+1)*H], hNext[r*H:(r+1)*H]
		for i := range H {
			rr := sigmoid(a[i] + g[i])
			z := sigmoid(a[H+i] + g[H+i])
			n := math.Tanh(a[2*H+i] + rr*g[2*H+i])
			a[i], a[H+i], a[2*H+i] = rr, z, n
			hn[i] = (1-z)*n + z*hp[i]
		}
	}
}

// back: with dn = dh'⊙(1−z), dz = dh'⊙(h−n), dp_n = dn⊙(1−n²),
// dp_r = dp_n⊙gh_n⊙r(1−r), dp_z = dz⊙z(1−z): dgx = (dp_r, dp_z, dp_n),
// dgh = (dp_r, dp_z, dp_n⊙r), and dh += dh'⊙z + dgh·Wh, dx += dgx·Wx.
func (c gruCell) back(rec, work, dx, dh, dtheta, dhNext, x, h, _, theta []float64, B int) {
	H := c.Hidden
	gates, gh := rec[:3*B*H], rec[3*B*H:6*B*H]
	dgx, dgh := work[:3*B*H], work[3*B*H:6*B*H]
	for r := range B {
		a, g := gates[r*3*H:(r+1)*3*H], gh[r*3*H:(r+1)*3*H]
		hp, d := h[r*H:(r+1)*H], dhNext[r*H:(r+1)*H]
		ex, eh, dhr := dgx[r*3*H:(r+1)*3*H], dgh[r*3*H:(r+1)*3*H], dh[r*H:(r+1)*H]
		for i := range H {
			rr, z, n := a[i], a[H+i], a[2*H+i]
			dn := d[i] * (1 - z) * (1 - n*n)
			dz := d[i] * (hp[i] - n) * z * (1 - z)
			dr := dn * g[2*H+i] * rr * (1 - rr)
			ex[i], ex[H+i], ex[2*H+i] = dr, dz, dn
			eh[i], eh[H+i], eh[2*H+i] = dr, dz, dn*rr
			dhr[i] += d[i] * z
		}
	}
	wx, _, wh, _ := c.views(theta)
	dwx, dbx, dwh, dbh := c.views(dtheta)
	addGtX(dwx, dgx, x, B, c.In, 3*H)
	addColSums(dbx, dgx, B)
	addGtX(dwh, dgh, h, B, H, 3*H)
	addColSums(dbh, dgh, B)
	if dx != nil {
		mulGW(dx, dgx, wx, B, c.In, 3*H, 1)
	}
	mulGW(dh, dgh, wh, B, H, 3*H, 1)
}

// glorot fills w (fanOut×fanIn) uniformly in ±√(6/(fanIn+fanOut)).
func glorot(w []float64, fanIn, fanOut int, rng *rand.Rand) {
	a := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = a * (2*rng.Float64() - 1)
	}
}
