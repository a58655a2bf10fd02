package scenarios_test

import (
	"fmt"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/scenarios"
)

func ExampleLoad() {
	sc, err := scenarios.Load("van_der_pol.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := sc.Problem()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := sc.Method()
	res, err := aca.Gradient(p, sc.Settings(), m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d times, %s at mu=%.4g: L=%.4g dL/dmu=%.4g\n",
		sc.Name, len(sc.Times), m.Name(), p.Theta[0], res.Loss, res.Theta[0])

	_, err = scenarios.Parse("typo.toml", []byte("[system]\nkind = \"vanderpool\"\n"))
	fmt.Println(err)
	// Output:
	// van der Pol: 20 times, aca at mu=1.5: L=1.857 dL/dmu=7.433
	// typo.toml:2: system.kind: unknown value "vanderpool" (allowed: exponential, expression, linear, lotka_volterra, nbody, vanderpol)
}
