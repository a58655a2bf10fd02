package aca

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdjointKernelsBitIdentical: lincomb and addAll give the bits of a
// first product followed by axpys, for 1 to 9 terms, −0 included.
func TestAdjointKernelsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 11
	vec := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			switch rng.IntN(5) {
			case 0:
				v[i] = math.Copysign(0, -1)
			case 1:
				v[i] = 0
			default:
				v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
		return v
	}
	for terms := 1; terms <= 9; terms++ {
		for range 50 {
			c, x := make([]float64, terms), make([][]float64, terms)
			for j := range c {
				c[j], x[j] = rng.NormFloat64(), vec()
				if rng.IntN(4) == 0 {
					c[j] = 0
				}
			}
			want, got := make([]float64, n), make([]float64, n)
			for i := range want {
				want[i] = c[0] * x[0][i]
			}
			for j := 1; j < terms; j++ {
				axpy(want, c[j], x[j])
			}
			lincomb(got, c, x)
			y := vec()
			wantY, gotY := append([]float64(nil), y...), append([]float64(nil), y...)
			for _, xj := range x {
				axpy(wantY, 1, xj)
			}
			addAll(gotY, x)
			for i := range want {
				if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
					t.Fatalf("lincomb, %d terms, element %d: %v, want %v", terms, i, got[i], want[i])
				}
				if math.Float64bits(wantY[i]) != math.Float64bits(gotY[i]) {
					t.Fatalf("addAll, %d terms, element %d: %v, want %v", terms, i, gotY[i], wantY[i])
				}
			}
		}
	}
}
