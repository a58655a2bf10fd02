package learned

import (
	"fmt"
	"math/rand/v2"
)

// Cell names a recurrent cell in a Sequence and in model files.
type Cell string

// The recurrent cells.
const (
	CellLSTM Cell = "lstm"
	CellGRU  Cell = "gru"
)

// Sequence is a recurrent cell followed by a Dense read-out applied at every
// step: y_t = W·h_t + b. It is the LSTM (or GRU) baseline of the paper's
// three-body comparison (Sec. 4.4): trained on windows of a trajectory to
// predict the next point. Input steps×batch×In, output steps×batch×Out.
// Parameters: the cell's, then the read-out's.
type Sequence struct {
	cell    Cell
	rnn     Recurrent
	head    Dense
	off, n  int
	in, hid int
	out     int
}

var _ Net = (*Sequence)(nil)

// NewSequence reserves the parameters of a cell with the given sizes and its
// read-out in l (nil means a fresh Layout). It panics on an unknown cell or a
// non-positive size.
func NewSequence(l *Layout, cell Cell, in, hidden, out int) *Sequence {
	l = orFresh(l)
	s := &Sequence{cell: cell, off: l.Len(), in: in, hid: hidden, out: out}
	switch cell {
	case CellLSTM:
		s.rnn = NewLSTM(l, in, hidden)
	case CellGRU:
		s.rnn = NewGRU(l, in, hidden)
	default:
		panic(fmt.Sprintf("learned: unknown cell %q (allowed: lstm, gru)", string(cell)))
	}
	s.head = NewDense(l, hidden, out)
	s.n = l.Len() - s.off
	return s
}

// Cell returns the recurrent cell.
func (s *Sequence) Cell() Recurrent { return s.rnn }

// Head returns the read-out layer.
func (s *Sequence) Head() Dense { return s.head }

// NumParams returns the cell's parameters plus Hidden·Out + Out.
func (s *Sequence) NumParams() int { return s.n }

// Init initialises the cell and the read-out (Glorot, zero bias).
func (s *Sequence) Init(theta []float64, rng *rand.Rand) {
	s.rnn.Init(theta, rng)
	s.head.Init(theta, rng)
}

// Forward runs the cell over x from the zero state and writes the read-out of
// every hidden state into dst.
func (s *Sequence) Forward(tape *Tape, dst, x, theta []float64, batch int) {
	steps := seqSteps(x, s.in, batch, "Sequence")
	hs := tape.child().record(steps * batch * s.hid)
	s.rnn.Forward(tape, hs, x, theta, batch)
	s.head.Apply(dst[:steps*batch*s.out], hs, theta)
}

// Backward adds the gradients of dy·y: through the read-out at every step,
// then through time.
func (s *Sequence) Backward(tape *Tape, dx, dtheta, dy, theta []float64) {
	sub := tape.child()
	hs := sub.rec
	dhs := sub.scratch(len(hs))
	s.head.vjp(dhs, dtheta, hs, dy[:len(hs)/s.hid*s.out], theta, 0)
	s.rnn.Backward(tape, dx, dtheta, dhs, theta)
}
