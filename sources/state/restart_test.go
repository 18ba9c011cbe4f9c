//go:build unix

package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
)

const (
	streamBatches = 20
	killAt        = 12 // the child dies inside this batch's transaction
	childEnv      = "NEGTRACE_STATE_CHILD_DB"
)

// resume plays the stream from the stored checkpoint on, re-reading the
// batch of the checkpoint itself (an overlapping read), as a live source
// does after a restart. When kill is true the process kills itself with
// SIGKILL inside batch killAt's transaction, after its records and its
// checkpoint were written and before the commit.
func resume(ctx context.Context, db *DB, kill bool) error {
	from := 0
	if v, ok, err := db.Checkpoint(ctx, "cloud-logging"); err != nil {
		return err
	} else if ok {
		if from, err = strconv.Atoi(v); err != nil {
			return err
		}
	}
	for i := from; i < streamBatches; i++ {
		if kill && i == killAt {
			db.hook = func(_ context.Context, stage string) error {
				if stage == "checkpoint" {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					select {} // wait for the signal
				}
				return nil
			}
		}
		if _, err := db.Apply(ctx, streamBatch(i)); err != nil {
			return err
		}
	}
	return nil
}

// TestRestartAfterKill kills a process mid-stream (inside a transaction),
// restarts from the checkpoint and checks that no entry was lost or
// counted twice.
func TestRestartAfterKill(t *testing.T) {
	ctx := context.Background()
	if path := os.Getenv(childEnv); path != "" {
		db, err := Open(ctx, Options{Path: path})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := resume(ctx, db, true); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0) // not reached: the kill comes first
	}
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestRestartAfterKill$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL; output:\n%s", err, out)
	}

	db := openTest(t, Options{Path: path})
	if v, _, err := db.Checkpoint(ctx, "cloud-logging"); err != nil || v != strconv.Itoa(killAt-1) {
		t.Errorf("checkpoint after the kill = %q, %v; want %d (the killed batch is not stored)", v, err, killAt-1)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests != killAt*100 {
		t.Errorf("entries after the kill = %d, want %d", st.Requests, killAt*100)
	}
	if err := resume(ctx, db, false); err != nil {
		t.Fatal(err)
	}
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for k := range streamBatches * 100 {
		if k%7 == 0 {
			want = append(want, fmt.Sprintf("e%05d", k))
		}
	}
	for _, r := range ev.Errors {
		got = append(got, r.InsertID)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("errors after the restart (-each once +got):\n%s", d)
	}
	if ev.LBRequests != streamBatches*100 {
		t.Errorf("LB entries = %d, want %d", ev.LBRequests, streamBatches*100)
	}
}
