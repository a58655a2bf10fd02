package learned

// MSE returns the mean squared error (1/n)·Σ (pred_i − target_i)².
func MSE(pred, target []float64) float64 {
	if len(pred) != len(target) || len(pred) == 0 {
		panic("learned: MSE: pred and target must have the same positive length")
	}
	s := 0.0
	for i, p := range pred {
		d := p - target[i]
		s += d * d
	}
	return s / float64(len(pred))
}

// MSEGrad writes ∂MSE/∂pred = (2/n)·(pred − target) into dst and returns the
// MSE: the dy that starts a backward pass. dst may be pred.
func MSEGrad(dst, pred, target []float64) float64 {
	if len(pred) != len(target) || len(pred) == 0 || len(dst) < len(pred) {
		panic("learned: MSEGrad: pred and target must have the same positive length and dst at least that")
	}
	s, c := 0.0, 2/float64(len(pred))
	for i, p := range pred {
		d := p - target[i]
		s += d * d
		dst[i] = c * d
	}
	return s / float64(len(pred))
}
