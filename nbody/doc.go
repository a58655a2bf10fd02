// Package nbody is N-body gravity as a dynamics.Dynamics whose parameters are the
// masses, with analytic derivatives, conservation diagnostics, the three-body
// experiment of the ACA paper and the augmented features its learned models use.
//
// # Equations
//
// Gravity is Newton's r̈_i = Σ_{j≠i} G m_j (r_j − r_i)/|r_j − r_i|³ (the paper's
// Eq. 32) as a first-order system in scaled units:
//
//	dr_i/dt = K2·v_i,   dv_i/dt = K1·Σ_{j≠i} m_j (r_j − r_i)/|r_j − r_i|³,
//
// with state z = [r_1 … r_N, v_1 … v_N] and θ = [m_1 … m_N]. Units.Gravity
// computes K1 and K2 from physical reference scales; PaperThreeBody and
// PaperThreeBodyTimes are the paper's setup (Sec. 4.4), the one source that
// scenarios/three_body.toml and internal/experiments/threebody follow.
// Writing Δ = r_j − r_i and s = |Δ|, the derivatives rest on the Jacobian of
// Δ/s³,
//
//	M(Δ) = (I − 3ΔΔᵀ/s²)/s³,  symmetric and even in Δ,
//
// so ∂a_i/∂r_j = K1 m_j M(Δ), ∂a_i/∂r_i = −Σ_{j≠i} K1 m_j M(Δ) and
// ∂a_i/∂m_j = K1 Δ/s³. Func, JVP and VJP visit each pair once: O(N²·d) and no
// allocation. dynamics.CheckDerivatives confirms them in the tests.
//
// Gravity keeps no workspace. Gravity.Cached returns a *Cached, which keeps
// the pair distances (s², 1/s³ and the closest pair) of the last position
// sets it saw, so that f, JVP, VJP and the close-encounter check at the same
// positions compute them once, with bit-identical results; it needs a Clone
// per goroutine. It pays from about ten bodies (f plus VJP at one state 15%
// faster); at three bodies the square roots it saves cost less than its
// lookups and the plain Gravity is faster.
//
// # Conserved quantities
//
// The total momentum P = Σ_i m_i v_i is constant because the pair forces cancel:
// Σ_i m_i dv_i/dt = K1 Σ_{i≠j} m_i m_j (r_j − r_i)/s³ = 0. The centre of mass
// therefore moves in a straight line with velocity K2·P/Σm. The energy
//
//	E = Σ_i ½ m_i K2 |v_i|² − Σ_{i<j} K1 m_i m_j / |r_i − r_j|
//
// is constant too. For a pair i < j with Δ = r_j − r_i, the kinetic term gains
// K2 m_i v_i·dv_i/dt + K2 m_j v_j·dv_j/dt ⊃ K1 K2 m_i m_j (v_i − v_j)·Δ/s³, and
// the potential term gains K1 m_i m_j (ds/dt)/s² with ds/dt = Δ·(dr_j/dt −
// dr_i/dt)/s = K2 Δ·(v_j − v_i)/s, that is K1 K2 m_i m_j (v_j − v_i)·Δ/s³. The
// two cancel pair by pair, so dE/dt = 0. (Dividing E by K2 gives the textbook
// form ½Σ m|v|² − (K1/K2)Σ m m/s; the K2 in the kinetic term is what the scaled
// units require.) Gravity.Energy, Momentum and CenterOfMass compute them; any
// Runge–Kutta method keeps P and the centre-of-mass motion exact to rounding,
// since they are linear invariants, while E drifts at the order of the method.
//
// # Close encounters
//
// The force is not softened, so that the masses fitted to data are Newton's.
// Near a collision the right-hand side grows like 1/s² and adaptive solvers
// shrink their steps without end; Gravity implements dynamics.StateChecker so
// that a solve stops with ErrCloseEncounter, naming the bodies, the time and the
// separation, once two bodies come within MinSeparation. Validate checks a
// system, its masses and initial state before any solve.
//
// # Augmented features
//
// The paper's learned baselines (LSTM-aug-input and NODE, Eq. 33–34) see, for
// each body i, r_i and, for each j ≠ i, r_i − r_j and (r_i − r_j)/|r_i − r_j|^p
// for p = 1, 2, 3. Gravity.Augment computes them (the order is documented
// there), AugmentJVP and AugmentVJP their derivatives, AugmentedDim their count.
//
// # References
//
// J. Zhuang, N. Dvornek, X. Li, S. Tatikonda, X. Papademetris, J. Duncan,
// "Adaptive Checkpoint Adjoint Method for Gradient Estimation in Neural ODE",
// ICML 2020: Sec. 4.4, Eq. 32–34, Table 5.
//
// E. Hairer, C. Lubich, G. Wanner, Geometric Numerical Integration, 2nd ed.,
// Springer 2006: Ch. I (the Kepler problem and the outer solar system) and
// Sec. IV.1 (Runge–Kutta methods conserve linear first integrals).
package nbody
