package latent

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/physid/physid/learned"
)

// ErrConfig means a training configuration is invalid.
var ErrConfig = errors.New("latent: invalid configuration")

// SampleObserved chooses, for each of seqs sequences of steps time points, a
// random fraction of the time points as observed (at least one), the way
// Rubanova et al. subsample the hopper for interpolation. The result is
// seqs×steps, true where observed; the same seed gives the same choice.
func SampleObserved(seqs, steps int, fraction float64, seed uint64) ([]bool, error) {
	if !(fraction > 0 && fraction <= 1) {
		return nil, fmt.Errorf("%w: observed fraction %v outside (0, 1]", ErrConfig, fraction)
	}
	k := max(1, int(fraction*float64(steps)+0.5))
	rng := learned.NewRand(seed)
	obs := make([]bool, seqs*steps)
	idx := make([]int, steps)
	for s := range seqs {
		for i := range idx {
			idx[i] = i
		}
		rng.Shuffle(steps, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:k] {
			obs[s*steps+i] = true
		}
	}
	return obs, nil
}

// Batch is a batch of sequences on a shared time grid, with the observed
// points marked. Arrays are time-major: Grid index, then sequence, then
// component.
type Batch struct {
	// Size is the number of sequences and Dim the number of components.
	Size, Dim int
	// Grid holds the P time points at which sequences are reconstructed,
	// ascending; the dataset's steps rescaled to [0, 1].
	Grid []float64
	// Values holds the truth at every grid time (P×Size×Dim).
	Values []float64
	// Mask is 1 where a value is observed (the models' input) and 0 elsewhere.
	Mask []float64
	// Obs lists the grid indices where at least one sequence is observed: the
	// union of the batch's observation times, ascending.
	Obs []int
}

// NewBatch gathers sequences seqs of d into a batch, with observed
// (d.Sequences×d.Steps, see SampleObserved) marking the observed times.
func NewBatch(d *Dataset, seqs []int, observed []bool) *Batch {
	P, B, D := d.Steps, len(seqs), d.Dim
	b := &Batch{Size: B, Dim: D, Grid: make([]float64, P), Values: make([]float64, P*B*D), Mask: make([]float64, P*B*D)}
	for i := range P {
		b.Grid[i] = float64(i) / float64(P-1)
	}
	for j, s := range seqs {
		seq := d.Sequence(s)
		for i := range P {
			o := (i*B + j) * D
			copy(b.Values[o:o+D], seq[i*D:(i+1)*D])
			if observed[s*P+i] {
				for c := range D {
					b.Mask[o+c] = 1
				}
			}
		}
	}
	for i := range P {
		for j := range B {
			if b.anyMask(i, j) {
				b.Obs = append(b.Obs, i)
				break
			}
		}
	}
	return b
}

// anyMask reports whether any component of sequence j is observed at grid index i.
func (b *Batch) anyMask(i, j int) bool {
	o := (i*b.Size + j) * b.Dim
	for _, m := range b.Mask[o : o+b.Dim] {
		if m != 0 {
			return true
		}
	}
	return false
}

// ReconstructionMSE returns the mean squared error of pred (P×Size×Dim)
// against the truth at every grid time, observed or not — the training
// objective of the interpolation task — and writes its gradient into dpred.
func (b *Batch) ReconstructionMSE(dpred, pred []float64) float64 {
	if len(pred) != len(b.Values) || len(dpred) != len(b.Values) {
		panic("latent: Batch.ReconstructionMSE: prediction length differs from the batch's values")
	}
	sum, n := 0.0, float64(len(pred))
	for k, y := range b.Values {
		r := pred[k] - y
		sum += r * r
		dpred[k] = 2 * r / n
	}
	return sum / n
}

// MSE returns the mean squared error of pred (P×Size×Dim) against the truth at
// every grid time, observed or not: the interpolation error of the paper's
// Table 4.
func (b *Batch) MSE(pred []float64) float64 {
	return learned.MSE(pred, b.Values)
}

// randBatches returns a random partition of idx into batches of at most size.
func randBatches(idx []int, size int, rng *rand.Rand) [][]int {
	p := append([]int(nil), idx...)
	rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	var out [][]int
	for len(p) > 0 {
		n := min(size, len(p))
		out = append(out, p[:n])
		p = p[n:]
	}
	return out
}

// allInto returns the grid indices 0…P−1, reusing idx's storage.
func (b *Batch) allInto(idx []int) []int {
	if cap(idx) < len(b.Grid) {
		idx = make([]int, len(b.Grid))
	}
	idx = idx[:len(b.Grid)]
	for i := range idx {
		idx[i] = i
	}
	return idx
}
