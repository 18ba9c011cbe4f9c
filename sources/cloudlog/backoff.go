package cloudlog

import (
	"context"
	"math/rand/v2"
	"time"
)

// Bounds of DefaultBackoff.
const (
	minBackoff = time.Second
	maxBackoff = 5 * time.Minute
)

// DefaultBackoff is the wait after the attempt-th consecutive failure:
// 1s, 2s, 4s, … doubling up to 5 minutes, each reduced by a random jitter
// of up to 20% so that restarted readers spread their calls.
func DefaultBackoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 {
		d = min(minBackoff<<(attempt-1), maxBackoff)
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// sleep waits for d or until ctx is done, whichever comes first, and
// reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
