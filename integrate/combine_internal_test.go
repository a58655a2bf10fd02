package integrate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refCombine is combine as a copy and one axpy per nonzero weight: the
// operations the fused kernel must repeat exactly.
func refCombine(dst, z []float64, h float64, w []float64, k [][]float64) {
	if z == nil {
		clear(dst)
	} else {
		copy(dst, z)
	}
	for s, ws := range w {
		if ws != 0 {
			axpy(dst, h*ws, k[s])
		}
	}
}

// TestCombineBitIdentical: the fused kernel gives the bits of the reference
// for every tableau's rows, B and BErr, with and without z, in place, and
// with −0, huge and tiny values mixed in.
func TestCombineBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 13
	special := []float64{0, math.Copysign(0, -1), 1e300, -1e-300, 5e-324}
	vec := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			if rng.IntN(4) == 0 {
				v[i] = special[rng.IntN(len(special))]
			} else {
				v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
		return v
	}
	// A long made-up row too: more terms than one fused pass takes.
	long := &Tableau{Name: "long", C: make([]float64, 11), B: []float64{1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10}, BErr: make([]float64, 11)}
	long.A = make([][]float64, 11)
	tbs := append(append([]*Tableau{long}, Tableaux...), ImplicitTableaux...)
	for _, tb := range tbs {
		rows := append(append([][]float64(nil), tb.A...), tb.B, tb.BErr)
		for trial := range 20 {
			k := make([][]float64, tb.Stages())
			for s := range k {
				k[s] = vec()
			}
			z, h := vec(), rng.Float64()*math.Pow(10, float64(rng.IntN(5)-3))
			for _, w := range rows {
				for _, zz := range [][]float64{z, nil} {
					want, got := make([]float64, n), make([]float64, n)
					refCombine(want, zz, h, w, k)
					combine(got, zz, h, w, k)
					if zz != nil && trial%2 == 0 { // in place
						got = append([]float64(nil), zz...)
						combine(got, got, h, w, k)
					}
					for i := range want {
						if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
							t.Fatalf("%s w=%v: element %d: %v, want %v", tb.Name, w, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
