package vision

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

func to32(g blas64.General) blas32.General {
	d := make([]float32, len(g.Data))
	for i, v := range g.Data {
		d[i] = float32(v)
	}
	return blas32.General{Rows: g.Rows, Cols: g.Cols, Stride: g.Stride, Data: d}
}

// TestGemmTiles compares the tiled product with gonum's on shapes that span
// several tiles in both directions, for every transposition.
func TestGemmTiles(t *testing.T) {
	const m, n, k = 400, 150, 7
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a := mat(randVec(m*k, 1), m, k)
			if tA == blas.Trans {
				a = mat(a.Data, k, m)
			}
			b := mat(randVec(k*n, 2), k, n)
			if tB == blas.Trans {
				b = mat(b.Data, n, k)
			}
			want, got := mat(randVec(m*n, 3), m, n), mat(randVec(m*n, 3), m, n)
			blas64.Gemm(tA, tB, 0.5, a, b, 2, want)
			gemm(tA, tB, 0.5, a, b, 2, got)
			// The same products summed in the same order along k: equal bits.
			assert.Equal(t, want.Data, got.Data, "%c%c", tA, tB)

			a32, b32 := to32(a), to32(b)
			want32, got32 := to32(mat(randVec(m*n, 3), m, n)), to32(mat(randVec(m*n, 3), m, n))
			blas32.Gemm(tA, tB, 0.5, a32, b32, 2, want32)
			gemm32(tA, tB, 0.5, a32, b32, 2, got32)
			assert.Equal(t, want32.Data, got32.Data, "float32 %c%c", tA, tB)
		}
	}
}
