package vision

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

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
		}
	}
}
