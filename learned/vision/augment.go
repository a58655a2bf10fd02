package vision

// Augment configures the random transformations applied to training images:
// a random crop of the image zero-padded by Pad pixels on every side (a shift
// by up to ±Pad pixels) and a left–right mirror with probability ½. The zero
// value means flips only: on the small Fashion-MNIST budgets of this package
// the models underfit, and 2-pixel crops cost more accuracy than they gave.
type Augment struct {
	// Pad is the padding of the random crop; 0 means none.
	Pad int
	// NoFlip turns the horizontal flip off.
	NoFlip bool
	// Off turns augmentation off altogether.
	Off bool
}

func (a Augment) resolved() Augment {
	if a.Off {
		return Augment{NoFlip: true, Off: true}
	}
	return a
}

// Draw returns the transformation of image i in epoch ep for seed: the crop
// offset (dy, dx) in −Pad..Pad and whether to mirror. It depends on nothing
// else — not the batch order, not the goroutine that asks — so training is
// reproducible whatever the scheduling.
func (a Augment) Draw(seed uint64, ep, i int) (dy, dx int, flip bool) {
	a = a.resolved()
	r := mix(mix(mix(seed^0x9e3779b97f4a7c15)^uint64(ep)) ^ uint64(i))
	if a.Pad > 0 {
		span := uint64(2*a.Pad + 1)
		dy = int(r%span) - a.Pad
		dx = int((r>>20)%span) - a.Pad
	}
	flip = !a.NoFlip && (r>>63) == 1
	return dy, dx, flip
}

// mix is the SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijection of
// uint64 whose output bits all depend on all input bits.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Transform writes src (one image of shape s) shifted by (dy, dx) — pixels
// moved in from outside the image are fill — and then mirrored when flip,
// into dst: dst(c, y, x) = src(c, y+dy, x'+dx) with x' = W−1−x if flip,
// else x. dst and src must not overlap.
func Transform(dst, src []float64, s Shape, dy, dx int, flip bool, fill float64) {
	if len(dst) < s.Size() || len(src) < s.Size() {
		panic("vision: Transform: image buffers shorter than the shape")
	}
	for c := range s.C {
		for y := range s.H {
			row := dst[(c*s.H+y)*s.W : (c*s.H+y+1)*s.W]
			sy := y + dy
			if sy < 0 || sy >= s.H {
				for x := range row {
					row[x] = fill
				}
				continue
			}
			srow := src[(c*s.H+sy)*s.W : (c*s.H+sy+1)*s.W]
			for x := range row {
				xs := x
				if flip {
					xs = s.W - 1 - x
				}
				xs += dx
				if xs < 0 || xs >= s.W {
					row[x] = fill
				} else {
					row[x] = srow[xs]
				}
			}
		}
	}
}
