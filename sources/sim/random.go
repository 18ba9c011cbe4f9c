package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Streams of the seeded generator. Each part of the model draws from its own
// stream, so that scaling the traffic (--lb-entries) leaves the cluster
// timeline unchanged, and the look of LB entries leaves the incident alone.
const (
	streamCluster  uint64 = 1
	streamTraffic  uint64 = 2 // arrivals, endpoint picks and outcomes
	streamCosmetic uint64 = 3 // insertIds, traces, URLs, clients of LB entries
)

// rng wraps a PCG generator with the draws the model needs.
type rng struct{ r *rand.Rand }

func newRNG(seed, stream uint64) *rng {
	return &rng{r: rand.New(rand.NewPCG(seed, stream))}
}

// float returns a uniform number in [0, 1).
func (g *rng) float() float64 { return g.r.Float64() }

// intn returns a uniform int in [0, n).
func (g *rng) intn(n int) int { return g.r.IntN(n) }

// chance reports true with probability p.
func (g *rng) chance(p float64) bool { return p > 0 && g.r.Float64() < p }

// dur returns a uniform duration in [lo, hi), truncated to microseconds.
func (g *rng) dur(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo.Truncate(time.Microsecond)
	}
	return (lo + time.Duration(g.r.Int64N(int64(hi-lo)))).Truncate(time.Microsecond)
}

// secs is dur with bounds in seconds.
func (g *rng) secs(lo, hi float64) time.Duration {
	return g.dur(time.Duration(lo*float64(time.Second)), time.Duration(hi*float64(time.Second)))
}

// lognormal returns a duration with the given median and log-space sigma,
// capped at max, truncated to microseconds.
func (g *rng) lognormal(median time.Duration, sigma float64, max time.Duration) time.Duration {
	v := float64(median) * math.Exp(sigma*g.r.NormFloat64())
	d := time.Duration(v)
	if max > 0 && d > max {
		d = max
	}
	if d < time.Millisecond {
		d = time.Millisecond
	}
	return d.Truncate(time.Microsecond)
}

// exp returns an exponentially distributed duration with the given mean.
func (g *rng) exp(mean time.Duration) time.Duration {
	return time.Duration(g.r.ExpFloat64() * float64(mean))
}

const (
	hexDigits    = "0123456789abcdef"
	base36Digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	// kubeAlphabet is the alphabet of generated Kubernetes name suffixes
	// (apimachinery's rand.String): no vowels, no confusable digits.
	kubeAlphabet = "bcdfghjklmnpqrstvwxz2456789"
	lowerAlnum   = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// chars returns n characters drawn from alphabet.
func (g *rng) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *rng) hex(n int) string { return g.chars(hexDigits, n) }

// digits returns n decimal digits, the first non-zero.
func (g *rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// uuid returns a random version-4 UUID.
func (g *rng) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// insertID returns a Cloud Logging style insertId: 13 or 14 lowercase
// base36 characters.
func (g *rng) insertID() string {
	n := 14
	if g.r.IntN(5) == 0 {
		n = 13
	}
	return g.chars(base36Digits, n)
}

// auditInsertID returns an Admin Activity style insertId ("-" and 12
// lowercase base36 characters).
func (g *rng) auditInsertID() string { return "-" + g.chars(base36Digits, 12) }
