package threebody

import (
	"math"

	"github.com/physid/physid/learned"
)

// seqModel is a trained (or training) lstm baseline: a Sequence over
// normalised features of the positions predicting normalised increments.
type seqModel struct {
	net    *learned.Sequence
	cell   learned.LSTM
	feat   learned.Features
	nx     int       // number of position coordinates
	mu     []float64 // feature mean
	inv    []float64 // 1/feature std
	dscale []float64 // increment std per coordinate
	theta  []float64

	// step workspace
	phi, h, c, a, y []float64
}

// newSeqModel builds the network and the normalisation from the positions of
// the training part (rows of nx values, one per LSTM step).
func newSeqModel(feat learned.Features, nx, hidden int, train [][]float64) *seqModel {
	nf := feat.Dim()
	net := learned.NewSequence(nil, learned.CellLSTM, nf, hidden, nx)
	m := &seqModel{net: net, cell: net.Cell().(learned.LSTM), feat: feat, nx: nx,
		mu: make([]float64, nf), inv: make([]float64, nf), dscale: make([]float64, nx)}
	m.alloc()
	// Feature mean and std over every training row, increment std per coordinate.
	sq := make([]float64, nf)
	n := 0
	dsq := make([]float64, nx)
	nd := 0
	for _, seq := range train {
		rows := len(seq) / nx
		for k := 0; k < rows; k++ {
			feat.Map(m.phi, seq[k*nx:(k+1)*nx])
			for i, v := range m.phi {
				m.mu[i] += v
				sq[i] += v * v
			}
			n++
			if k+1 < rows {
				for i := 0; i < nx; i++ {
					d := seq[(k+1)*nx+i] - seq[k*nx+i]
					dsq[i] += d * d
				}
				nd++
			}
		}
	}
	for i := range m.mu {
		m.mu[i] /= float64(n)
		v := sq[i]/float64(n) - m.mu[i]*m.mu[i]
		m.inv[i] = 1 / math.Sqrt(math.Max(v, 1e-12))
	}
	for i := range m.dscale {
		m.dscale[i] = math.Sqrt(math.Max(dsq[i]/float64(max(nd, 1)), 1e-24))
	}
	return m
}

func (m *seqModel) alloc() {
	nf, h := m.feat.Dim(), m.cell.Hidden
	m.phi, m.h, m.c, m.a, m.y = make([]float64, nf), make([]float64, h), make([]float64, h), make([]float64, 4*h), make([]float64, m.nx)
}

// input writes the normalised features of positions r into dst.
func (m *seqModel) input(dst, r []float64) {
	m.feat.Map(dst, r)
	for i := range dst {
		dst[i] = (dst[i] - m.mu[i]) * m.inv[i]
	}
}

// reset sets the recurrent state to zero.
func (m *seqModel) reset() {
	clear(m.h)
	clear(m.c)
}

// step feeds positions r, advances the state and writes the predicted next
// positions into next.
func (m *seqModel) step(next, r []float64) {
	m.input(m.phi, r)
	m.cell.Step(m.h, m.c, m.a, m.phi, m.theta)
	m.net.Head().Apply(m.y, m.h, m.theta)
	for i := range next {
		next[i] = r[i] + m.dscale[i]*m.y[i]
	}
}

// predict reads the observed rows obs (positions at consecutive LSTM steps,
// from a zero state) and writes into dst (total rows): row 0 = obs row 0, rows
// 1…len(obs)−1 the one-step predictions from the observed history, and the
// remaining rows by feeding back its own predictions. It reports false when a
// prediction is not finite.
func (m *seqModel) predict(dst, obs []float64, total int) bool {
	nx := m.nx
	K := len(obs) / nx
	m.reset()
	copy(dst[:nx], obs[:nx])
	for k := 0; k+1 < total; k++ {
		in := dst[k*nx : (k+1)*nx]
		if k < K {
			in = obs[k*nx : (k+1)*nx]
		}
		m.step(dst[(k+1)*nx:(k+2)*nx], in)
	}
	for _, v := range dst[:total*nx] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
