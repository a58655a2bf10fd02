package latent_test

import (
	"fmt"

	"github.com/physid/physid/learned/latent"
)

// A batch steps through the union of its sequences' observation times.
func ExampleNewBatch() {
	d := &latent.Dataset{Sequences: 2, Steps: 5, Dim: 1, DT: 0.1, Values: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	observed := []bool{
		true, false, true, false, false, // sequence 0: times 0 and 2
		false, false, false, true, false, // sequence 1: time 3
	}
	b := latent.NewBatch(d, []int{0, 1}, observed)
	fmt.Println("grid:", b.Grid)
	fmt.Println("union of observation times:", b.Obs)
	// Output:
	// grid: [0 0.25 0.5 0.75 1]
	// union of observation times: [0 2 3]
}
