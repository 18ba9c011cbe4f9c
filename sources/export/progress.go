package export

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a bar of the bytes read across all inputs. A nil
// *progress draws nothing.
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress returns a progress bar on w for total bytes, or nil when w is
// nil or not a terminal.
func newProgress(w io.Writer, total int64) *progress {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) || total <= 0 {
		return nil
	}
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("reading"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

// add moves the bar by n bytes.
func (p *progress) add(n int) {
	if p != nil && n > 0 {
		_ = p.bar.Add(n)
	}
}

// clear erases the bar so that a log line can be written; the next add
// draws it again.
func (p *progress) clear() {
	if p != nil {
		_ = p.bar.Clear()
	}
}

// finish erases the bar for good.
func (p *progress) finish() {
	if p != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
