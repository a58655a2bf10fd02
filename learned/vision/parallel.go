package vision

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkSize is the number of samples one goroutine handles at a time. It fixes
// the order in which parameter gradients are summed, independent of the
// number of workers.
const chunkSize = 4

// numChunks returns the number of chunks of a batch of n samples.
func numChunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// forChunks calls fn(worker, chunk, lo, hi) for every chunk [lo, hi) of a batch
// of n samples, on up to GOMAXPROCS goroutines. worker indexes per-goroutine
// scratch and is below workers(n).
func forChunks(n int, fn func(w, c, lo, hi int)) {
	nc := numChunks(n)
	nw := workers(n)
	if nw == 1 {
		for c := range nc {
			fn(0, c, c*chunkSize, min(n, (c+1)*chunkSize))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nc {
					return
				}
				fn(w, c, c*chunkSize, min(n, (c+1)*chunkSize))
			}
		}()
	}
	wg.Wait()
}

// workers returns the number of goroutines forChunks uses for n samples.
func workers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), numChunks(n)))
}

// reduceChunks adds the nc rows of length len(dst) in buf to dst, in row order.
func reduceChunks(dst, buf []float64, nc int) {
	m := len(dst)
	for c := range nc {
		row := buf[c*m : (c+1)*m]
		for i, v := range row {
			dst[i] += v
		}
	}
}

// grow returns s resliced to n, reallocating only when its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
