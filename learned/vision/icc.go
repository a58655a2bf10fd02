package vision

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat/distuv"
)

// ICC holds the one-way random-effects intraclass correlations of Shrout &
// Fleiss (1979), case 1: each of n targets rated by k raters drawn at random.
// For re-trained classifiers the raters are the training runs (seeds) and the
// targets are what they predict. The confidence bounds are the exact 95%
// intervals from the F distribution, as R's psych::ICC reports them.
type ICC struct {
	// ICC1 is ICC(1,1), the reliability of a single rater:
	// (MSB − MSW) / (MSB + (k−1)·MSW).
	ICC1, ICC1Lower, ICC1Upper float64
	// ICC1k is ICC(1,k), the reliability of the mean of the k raters:
	// (MSB − MSW) / MSB.
	ICC1k, ICC1kLower, ICC1kUpper float64
	// MSB and MSW are the between-targets and within-target mean squares and
	// F = MSB/MSW with (n−1, n(k−1)) degrees of freedom.
	MSB, MSW, F float64
	// Targets and Raters are n and k.
	Targets, Raters int
}

// OneWayICC computes ICC(1) and ICC(1,k) of x, one row per target and one
// column per rater. It needs at least 2 targets and 2 raters, rows of equal
// length and finite values; all-equal ratings (MSW = MSB = 0) are an error,
// since every ICC is then 0/0.
func OneWayICC(x [][]float64) (ICC, error) {
	n := len(x)
	if n < 2 {
		return ICC{}, fmt.Errorf("vision: ICC needs at least 2 targets (got %d)", n)
	}
	k := len(x[0])
	if k < 2 {
		return ICC{}, fmt.Errorf("vision: ICC needs at least 2 raters (got %d)", k)
	}
	grand := 0.0
	for i, row := range x {
		if len(row) != k {
			return ICC{}, fmt.Errorf("vision: ICC: target %d has %d ratings, target 1 has %d", i+1, len(row), k)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return ICC{}, fmt.Errorf("vision: ICC: rating %d of target %d is %v", j+1, i+1, v)
			}
			grand += v
		}
	}
	grand /= float64(n * k)
	ssb, ssw := 0.0, 0.0
	for _, row := range x {
		m := 0.0
		for _, v := range row {
			m += v
		}
		m /= float64(k)
		ssb += float64(k) * (m - grand) * (m - grand)
		for _, v := range row {
			ssw += (v - m) * (v - m)
		}
	}
	df1, df2 := float64(n-1), float64(n*(k-1))
	r := ICC{MSB: ssb / df1, MSW: ssw / df2, Targets: n, Raters: k}
	if r.MSB == 0 && r.MSW == 0 {
		return ICC{}, fmt.Errorf("vision: ICC: every rating is the same, so the ICC is undefined")
	}
	kf := float64(k)
	r.ICC1 = (r.MSB - r.MSW) / (r.MSB + (kf-1)*r.MSW)
	r.ICC1k = (r.MSB - r.MSW) / r.MSB
	if r.MSW == 0 { // perfect agreement within targets
		r.F = math.Inf(1)
		r.ICC1Lower, r.ICC1Upper, r.ICC1kLower, r.ICC1kUpper = 1, 1, 1, 1
		return r, nil
	}
	r.F = r.MSB / r.MSW
	const alpha = 0.05
	fl := r.F / distuv.F{D1: df1, D2: df2}.Quantile(1-alpha/2)
	fu := r.F * distuv.F{D1: df2, D2: df1}.Quantile(1-alpha/2)
	r.ICC1Lower, r.ICC1Upper = (fl-1)/(fl+kf-1), (fu-1)/(fu+kf-1)
	r.ICC1kLower, r.ICC1kUpper = 1-1/fl, 1-1/fu
	return r, nil
}

// Probabilities returns the softmax class probabilities of m (in evaluation
// mode) for every image of d, row-major n × Classes, with pixels standardised
// by mean and std as in Train.
func Probabilities(m *Classifier, theta []float64, d *Dataset, mean, std float64, batch int) ([]float64, error) {
	out := make([]float64, 0, d.Len()*m.Config.Classes)
	err := eachLogits(m, theta, d, mean, std, batch, func(_ int, row []float64) {
		top := math.Inf(-1)
		for _, v := range row {
			top = max(top, v)
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(v - top)
		}
		for _, v := range row {
			out = append(out, math.Exp(v-top)/sum)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Reliability is the test-retest reliability of one architecture (paper
// Table 3) over runs trained with different seeds.
type Reliability struct {
	// Whole is the ICC over the whole test set, Misclassified over the
	// images the runs' averaged prediction gets wrong. The targets are the
	// (image, class) pairs and the ratings the runs' predicted probabilities.
	Whole, Misclassified ICC
	// MisclassifiedImages is the number of images in Misclassified.
	MisclassifiedImages int
	// Errors are the runs' test error rates and EnsembleError the error of
	// their averaged prediction.
	Errors        []float64
	EnsembleError float64
}

// TestRetest computes the Reliability of runs' predicted probabilities
// (probs[r] is run r's n × classes output of Probabilities) on images with
// the given labels.
func TestRetest(probs [][]float64, labels []uint8, classes int) (*Reliability, error) {
	runs := len(probs)
	if runs < 2 {
		return nil, fmt.Errorf("vision: test-retest reliability needs at least 2 runs (got %d)", runs)
	}
	n := len(labels)
	for r, p := range probs {
		if len(p) != n*classes {
			return nil, fmt.Errorf("vision: run %d has %d probabilities for %d images × %d classes", r+1, len(p), n, classes)
		}
	}
	argmax := func(row []float64) int {
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		return best
	}
	rel := &Reliability{Errors: make([]float64, runs)}
	avg := make([]float64, classes)
	// One backing array for every target's ratings.
	ratings := make([]float64, n*classes*runs)
	whole, wrong := make([][]float64, 0, n*classes), [][]float64(nil)
	for i := range n {
		clear(avg)
		for r, p := range probs {
			row := p[i*classes : (i+1)*classes]
			if argmax(row) != int(labels[i]) {
				rel.Errors[r]++
			}
			floats.Add(avg, row)
		}
		miss := argmax(avg) != int(labels[i])
		if miss {
			rel.MisclassifiedImages++
		}
		for j := range classes {
			t := ratings[:runs:runs]
			ratings = ratings[runs:]
			for r, p := range probs {
				t[r] = p[i*classes+j]
			}
			whole = append(whole, t)
			if miss {
				wrong = append(wrong, t)
			}
		}
	}
	for r := range rel.Errors {
		rel.Errors[r] /= float64(n)
	}
	rel.EnsembleError = float64(rel.MisclassifiedImages) / float64(n)
	var err error
	if rel.Whole, err = OneWayICC(whole); err != nil {
		return nil, fmt.Errorf("whole test set: %w", err)
	}
	if rel.MisclassifiedImages >= 1 {
		if rel.Misclassified, err = OneWayICC(wrong); err != nil {
			return nil, fmt.Errorf("misclassified images: %w", err)
		}
	} else {
		nan := math.NaN()
		rel.Misclassified = ICC{ICC1: nan, ICC1Lower: nan, ICC1Upper: nan, ICC1k: nan, ICC1kLower: nan, ICC1kUpper: nan, MSB: nan, MSW: nan, F: nan}
	}
	return rel, nil
}
