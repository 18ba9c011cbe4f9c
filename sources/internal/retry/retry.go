// Package retry holds the waiting the live sources share when a call
// fails: a jittered exponential backoff, and a sleep that ends with its
// context.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is the wait after the attempt-th consecutive failure (an attempt
// below 1 counts as the first): first, 2·first, 4·first, … doubling up to
// limit, each reduced by a random jitter of up to 20% so that restarted
// readers spread their calls.
func Backoff(first, limit time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// Sleep waits for d or until ctx is done, whichever comes first, and
// reports whether the full wait elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
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
